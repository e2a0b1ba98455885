// Spawning without copying the daemon's descriptor table (included by spawn.c).
//
// posix_spawn's clone shares memory but not descriptors: the kernel copies
// the whole table into the child, which then closes all of it (closefrom 3)
// before it execs, all while the daemon waits (CLONE_VFORK). Each program
// keeps five descriptors open in the daemon (two pipes, a pidfd, two log
// files), so with thousands of programs every start paid for tens of
// thousands of descriptors twice: 18,000 open made each spawn cost twice as
// much CPU as with none. Here the child shares the table (CLONE_FILES) and
// unshares it with close_range(CLOSE_RANGE_UNSHARE) over everything above
// the reserved low descriptors, so the kernel copies only those below
// (Linux 5.9+; before that the child reports EINVAL and posix_spawn is used
// from then on). The child's pipe ends are placed on the reserved
// descriptors just before the clone, and parked on /dev/null after it.
// Between the clone and the exec the child makes only system calls: it runs
// on the daemon's memory, with the daemon's thread suspended.
#include <sys/mman.h>
#include "spawn-child.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

// Enough for the few calls the child makes before execve, which copies its
// arguments into the new image itself.
#define SHARED_FDS_STACK (64 * 1024)

typedef struct {
  const char *file;
  char *const *argv;
  char *const *envp;
  const char *cwd; // NULL: the daemon's
  bool has_in;     // stdin is the pipe on reserved_in, not /dev/null
  const char *terminal; // NULL, or a pty slave's path for 0, 1 and 2 (spawn-stdio.h)
  int err;         // written by the child: why it did not exec
  bool unshared;   // written by the child: the table was unshared
} SharedFdsSpawn;

// The reserved descriptors (the child's stdin, stdout and stderr are there
// during a spawn), /dev/null to park them on, and the child's stack; -1/NULL
// until shared_fds_init succeeds, and when the kernel cannot unshare.
static int reserved_in = -1, reserved_out = -1, reserved_err = -1, parked = -1;
static char *shared_fds_stack = NULL;

// At load, while the daemon has few descriptors open: the reserved ones are
// low, and so is what the child copies.
static void shared_fds_init(void) {
  reserved_in = open("/dev/null", O_WRONLY | O_CLOEXEC);
  reserved_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  reserved_err = open("/dev/null", O_WRONLY | O_CLOEXEC);
  parked = open("/dev/null", O_WRONLY | O_CLOEXEC);
  void *stack = mmap(NULL, SHARED_FDS_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  shared_fds_stack = stack == MAP_FAILED ? NULL : stack;
}

static bool shared_fds_usable(void) {
  return reserved_in >= 0 && reserved_out >= 0 && reserved_err >= 0 && parked >= 0 && shared_fds_stack != NULL;
}

static int shared_fds_child(void *arg) {
  SharedFdsSpawn *job = arg;
  int high = reserved_out > reserved_err ? reserved_out : reserved_err;
  if (reserved_in > high) high = reserved_in;
  if (close_range((unsigned)high + 1, ~0U, CLOSE_RANGE_UNSHARE) != 0) {
    job->err = errno;
    _exit(127);
  }
  job->unshared = true;
  int err = 0;
  if (setsid() < 0) err = errno;
  if (err == 0) {
    reset_signal_dispositions();
    err = child_stdio(job->terminal, job->has_in ? reserved_in : -1, reserved_out, reserved_err);
  }
  if (err == 0) (void)close_range(3, ~0U, 0); // only the few below the reserved ones are left
  if (err == 0) err = chdir_and_exec(job->cwd, job->file, job->argv, job->envp);
  job->err = err;
  _exit(127);
}

// 0 and *pid set; an errno (the exec's included); or -1 when this kernel
// cannot unshare a table by close_range, and posix_spawn must do it.
// in_fd -1: no stdin pipe; out_fd and err_fd -1: a terminal instead.
static int spawn_shared_fds(SharedFdsSpawn *job, int in_fd, int out_fd, int err_fd, pid_t *pid_out) {
  if (out_fd >= 0 && (dup3(out_fd, reserved_out, O_CLOEXEC) < 0 || dup3(err_fd, reserved_err, O_CLOEXEC) < 0)) return errno;
  job->has_in = in_fd >= 0;
  if (job->has_in && dup3(in_fd, reserved_in, O_CLOEXEC) < 0) return errno;
  // All signals blocked across the clone: no handler of the daemon's may run
  // in the child (on its memory) before its dispositions are reset.
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  job->err = 0;
  job->unshared = false;
  // The stack grows down on the architectures Node runs on: its top is passed.
  pid_t pid = clone(shared_fds_child, shared_fds_stack + SHARED_FDS_STACK, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, job);
  int clone_err = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  // The pipes' write ends must now be held by the child alone, or they never
  // reach EOF; and the stdin pipe's read end, or the daemon's writes to a
  // child gone would fill it instead of failing (EPIPE).
  (void)dup3(parked, reserved_in, O_CLOEXEC);
  (void)dup3(parked, reserved_out, O_CLOEXEC);
  (void)dup3(parked, reserved_err, O_CLOEXEC);
  if (pid < 0) return clone_err;
  // CLONE_VFORK: the child has exec'd or exited by now, and job->err is final.
  if (job->err == 0) {
    *pid_out = pid;
    return 0;
  }
  // The child never ran the program: reap it here, no one else will hear of it.
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
  }
  if (!job->unshared) {
    shared_fds_stack = NULL; // never again: posix_spawn from now on
    return -1;
  }
  return job->err;
}
