/* The program of the logs workload: writes BYTES bytes (a multiple of 100)
 * to stdout as fast as the reader takes them, as numbered 100-byte lines,
 * then exits 0. Line k (from 0) is k in 10 zero-padded digits, a space, 88
 * filler bytes ('a' + i % 26 for i = 0..87) and '\n' (bench/lib/lines.ts
 * checks them). Writes are 655 whole lines, 65,500 bytes: a 64 KiB pipe's
 * worth. Appends "S <ns>" (CLOCK_MONOTONIC) to STAMPFILE before the first.
 * Usage: writer BYTES STAMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { LINE = 100, DIGITS = 10, PER_WRITE = 655 };

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  long long total = atoll(argv[1]);
  if (total < 0 || total % LINE != 0) return 2;
  static char buf[PER_WRITE * LINE];
  for (int l = 0; l < PER_WRITE; l++) {
    char *p = buf + l * LINE;
    snprintf(p, DIGITS + 1, "%0*d", DIGITS, l);
    p[DIGITS] = ' ';
    for (int i = 0; i < LINE - DIGITS - 2; i++) p[DIGITS + 1 + i] = 'a' + i % 26;
    p[LINE - 1] = '\n';
  }
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  char stamp[64];
  int len = snprintf(stamp, sizeof stamp, "S %lld\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
  int fd = open(argv[2], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0 || write(fd, stamp, len) != len) return 3;
  close(fd);
  long long left = total;
  while (left > 0) {
    size_t n = left < (long long)sizeof buf ? (size_t)left : sizeof buf;
    for (size_t off = 0; off < n;) {
      ssize_t w = write(1, buf + off, n - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        return 1;
      }
      off += (size_t)w;
    }
    left -= (long long)n;
    /* The next batch's numbers: each line's counter plus PER_WRITE, in place. */
    for (int l = 0; l < PER_WRITE; l++) {
      char *d = buf + l * LINE;
      int carry = PER_WRITE;
      for (int i = DIGITS - 1; i >= 0 && carry; i--) {
        int v = d[i] - '0' + carry;
        d[i] = (char)('0' + v % 10);
        carry = v / 10;
      }
    }
  }
  return 0;
}
