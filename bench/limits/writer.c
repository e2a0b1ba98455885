/* The program of the logs workload: writes BYTES bytes of 100-byte lines to
 * stdout as fast as the reader takes them, in 64 KiB writes, then exits 0.
 * Appends "S <ns>" (CLOCK_MONOTONIC) to STAMPFILE before the first write.
 * Usage: writer BYTES STAMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  long long left = atoll(argv[1]);
  static char buf[65536];
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (i % 100 == 99) ? '\n' : 'a' + (i % 100) % 26;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  char line[64];
  int len = snprintf(line, sizeof line, "S %lld\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
  int fd = open(argv[2], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0 || write(fd, line, len) != len) return 3;
  close(fd);
  while (left > 0) {
    size_t n = left < (long long)sizeof buf ? (size_t)left : sizeof buf;
    ssize_t w = write(1, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    left -= w;
  }
  return 0;
}
