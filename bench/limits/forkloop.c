/* The limit for spawn-500: start N copies of `SLEEP 1000` with posix_spawn
 * (glibc's returns once the child has exec'd), then SIGTERM them all and
 * reap them. Prints {"start_s":…,"stop_s":…}. Usage: forkloop N SLEEP */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  int n = atoi(argv[1]);
  pid_t *pids = calloc(n, sizeof *pids);
  char *child[] = {argv[2], "1000", NULL};
  double t0 = now();
  for (int i = 0; i < n; i++)
    if (posix_spawn(&pids[i], argv[2], NULL, NULL, child, environ) != 0) return 1;
  double t1 = now();
  for (int i = 0; i < n; i++) kill(pids[i], SIGTERM);
  for (int i = 0; i < n; i++) waitpid(pids[i], NULL, 0);
  double t2 = now();
  printf("{\"start_s\":%.6f,\"stop_s\":%.6f}\n", t1 - t0, t2 - t1);
  return 0;
}
