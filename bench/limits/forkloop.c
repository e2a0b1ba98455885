/* The limit of the spawn and scale workloads: start N copies of PROG ARGS… I
 * (I the copy's index, 0 to N-1) with posix_spawn (glibc's returns once the
 * child has exec'd), print {"t0_ns":…} (CLOCK_MONOTONIC before the first
 * spawn), then wait for a line on stdin (the bench has seen every copy run)
 * before it SIGTERMs them all and reaps them, and prints {"stop_s":…}.
 * Usage: forkloop N PROG [ARGS…] */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int n = atoi(argv[1]);
  int fixed = argc - 2; /* PROG and its ARGS */
  pid_t *pids = calloc(n, sizeof *pids);
  char **child = calloc(fixed + 2, sizeof *child);
  char (*index)[16] = calloc(n, sizeof *index);
  if (!pids || !child || !index) return 1;
  for (int i = 0; i < fixed; i++) child[i] = argv[2 + i];
  for (int i = 0; i < n; i++) snprintf(index[i], sizeof index[i], "%d", i);
  long long t0 = now_ns();
  for (int i = 0; i < n; i++) {
    child[fixed] = index[i];
    if (posix_spawn(&pids[i], argv[2], NULL, NULL, child, environ) != 0) return 1;
  }
  printf("{\"t0_ns\":\"%lld\",\"spawned_s\":%.6f}\n", t0, (now_ns() - t0) / 1e9);
  fflush(stdout);
  char go[8];
  if (!fgets(go, sizeof go, stdin)) return 1;
  long long t1 = now_ns();
  for (int i = 0; i < n; i++) kill(pids[i], SIGTERM);
  for (int i = 0; i < n; i++) waitpid(pids[i], NULL, 0);
  printf("{\"stop_s\":%.6f}\n", (now_ns() - t1) / 1e9);
  return 0;
}
