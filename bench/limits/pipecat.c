/* The logs workload's pipe floor: runs CMD with its stdout on a pipe of
 * PIPE_BYTES (F_SETPIPE_SZ; 0 leaves the kernel's default), and copies the
 * pipe into OUTFILE with reads of up to BUF_BYTES, each written at once:
 * what a supervisor's log reader does, with nothing else in the way.
 * Usage: pipecat PIPE_BYTES BUF_BYTES OUTFILE CMD [ARGS...] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 5) return 2;
  int pipe_bytes = atoi(argv[1]);
  size_t buf_bytes = (size_t)atol(argv[2]);
  char *buf = malloc(buf_bytes);
  int out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int fds[2];
  if (!buf || out < 0 || pipe(fds) != 0) return 3;
  /* As a supervisor does: a pipe it cannot grow keeps its size (EPERM). */
  if (pipe_bytes > 0 && fcntl(fds[0], F_SETPIPE_SZ, pipe_bytes) < 0) return 4;
  pid_t pid = fork();
  if (pid < 0) return 3;
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execv(argv[4], argv + 4);
    _exit(127);
  }
  close(fds[1]);
  for (;;) {
    ssize_t n = read(fds[0], buf, buf_bytes);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        return 1;
      }
      off += w;
    }
  }
  int status;
  if (waitpid(pid, &status, 0) < 0) return 3;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
