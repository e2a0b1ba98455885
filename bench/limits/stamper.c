/* The child of the restart workload: appends "S <ns>" to FILE when it starts
 * and "E <ns>" just before it exits 1, LIFETIME_MS later. Stamps are
 * CLOCK_MONOTONIC, the clock of Node's process.hrtime. Usage: stamper FILE LIFETIME_MS */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void stamp(const char *file, char what) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  char line[64];
  int len = snprintf(line, sizeof line, "%c %lld\n", what, (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
  int fd = open(file, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0 || write(fd, line, len) != len) _exit(3);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  stamp(argv[1], 'S');
  long ms = atol(argv[2]);
  struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&d, NULL);
  stamp(argv[1], 'E');
  _exit(1);
}
