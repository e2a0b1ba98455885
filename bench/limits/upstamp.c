/* The program the spawn and scale workloads supervise: once exec'd, it
 * writes "ID PID NS\n" (NS: CLOCK_MONOTONIC, the clock of Node's
 * process.hrtime) into FIFO, the bench's external observer, then waits for a
 * signal with the FIFO still open. One write of under PIPE_BUF bytes is
 * atomic, so lines from thousands of children never interleave; and the
 * observer sees end-of-file once every child has exited, without polling
 * /proc. Static when the bench can link it so (lib/cc.ts): no loader runs
 * between exec and the stamp. Usage: upstamp FIFO ID */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  char line[128];
  int len = snprintf(line, sizeof line, "%s %d %lld\n", argv[2], (int)getpid(), (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
  if (len <= 0 || len >= (int)sizeof line) return 2;
  /* Blocks until the observer holds the read end; it opens it before any program starts. */
  int fd = open(argv[1], O_WRONLY);
  if (fd < 0 || write(fd, line, len) != len) _exit(3);
  for (;;) pause(); /* SIGTERM, SIGINT (PM2's default) and SIGKILL all end it */
}
