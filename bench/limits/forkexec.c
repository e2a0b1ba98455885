/* The limit for the remote job round trip: N times fork, exec PROG, wait for
 * it to exit, each timed on the monotonic clock. Prints the median and mean
 * in ms: {"median_ms":…,"mean_ms":…}. Usage: forkexec N PROG */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  int n = atoi(argv[1]);
  if (n < 1) return 2;
  double *ms = calloc(n, sizeof *ms), sum = 0;
  char *child[] = {argv[2], NULL};
  for (int i = 0; i < n; i++) {
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      execv(argv[2], child);
      _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
    ms[i] = (now() - t0) * 1e3;
    sum += ms[i];
  }
  qsort(ms, n, sizeof *ms, by_value);
  double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  printf("{\"median_ms\":%.6f,\"mean_ms\":%.6f}\n", median, sum / n);
  return 0;
}
