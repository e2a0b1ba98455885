// The child's standard descriptors, set between clone and exec (included by
// spawn.c before the spawn paths that call it: spawn-cgroup.h and
// spawn-shared-fds.h; posix_spawn's path says the same with file actions).
// A terminal is opened by its path: see spawn-pty.h for why.
#include <fcntl.h>
#include <unistd.h>

// In a child between clone and exec, right after setsid: fds 0, 1 and 2 as
// asked. `terminal`: a pty slave's path, opened read-write on all three (the
// other arguments unused); else `in_fd` (-1: /dev/null) on 0, out_fd on 1,
// err_fd on 2. Only system calls: 0 or the errno of what failed.
static int child_stdio(const char *terminal, int in_fd, int out_fd, int err_fd) {
  if (terminal != NULL) {
    int fd = open(terminal, O_RDWR);
    if (fd < 0) return errno;
    for (int target = 0; target <= 2; target++) {
      if (fd != target && dup2(fd, target) < 0) return errno;
    }
    return 0; // fd, when above 2, goes with the caller's close_range
  }
  if (in_fd >= 0) {
    if (dup2(in_fd, 0) < 0) return errno;
  } else {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0) return errno;
    if (null_fd != 0 && (dup2(null_fd, 0) < 0 || close(null_fd) < 0)) return errno;
  }
  if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) return errno;
  return 0;
}
