// Spawning a child straight into its cgroup (included by spawn.c).
//
// posix_spawn has no cgroup step (glibc 2.41's posix_spawnattr_setcgroup_np
// is too new to count on), and a child moved after it was created would run
// for a moment outside its limits, free to fork past them. So the cgroup
// case has its own path: clone3 with CLONE_INTO_CGROUP (Linux 5.7+) creates
// the child inside the cgroup; on an older kernel (ENOSYS, E2BIG) fork, and
// the child writes itself into cgroup.procs before it execs. Without
// CLONE_VM this copies the daemon's page tables as fork does: the price of
// the cgroup mode, paid only there. Between the clone and the exec the child
// calls only async-signal-safe functions: the daemon has other threads.
#include <stdint.h>
#include <sys/types.h>
#include "spawn-child.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435 // one number on every architecture: clone3 came after the tables were unified
#endif

// The kernel's struct clone_args (linux/sched.h, size VER2), declared here
// because that header clashes with glibc's <sched.h>.
struct tm_clone_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

typedef struct {
  const char *file;
  char *const *argv;
  char *const *envp;
  const char *cwd; // NULL: the daemon's
  int out_fd, err_fd;
  int cgroup_fd; // an O_DIRECTORY fd of the cgroup
  int in_fd; // -1: /dev/null
  const char *terminal; // NULL, or a pty slave's path for 0, 1 and 2 (spawn-stdio.h)
} CgroupSpawn;

// In the child: the same setup posix_spawn does in spawn(), then exec. On a
// failure, its errno goes up `report` (close-on-exec: EOF means exec worked).
static void __attribute__((noreturn)) child_in_cgroup(const CgroupSpawn *job, int report, bool placed) {
  int err = 0;
  if (!placed) {
    int procs = openat(job->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    // "0" is the writer itself.
    if (procs < 0 || write(procs, "0", 1) != 1) err = errno;
    if (procs >= 0) close(procs);
  }
  if (err == 0 && setsid() < 0) err = errno;
  if (err == 0) {
    reset_signal_dispositions();
    err = child_stdio(job->terminal, job->in_fd, job->out_fd, job->err_fd);
  }
  if (err == 0) {
    // No descriptor above 2 but the report pipe, which exec closes.
    if (report > 3) (void)close_range(3, (unsigned)report - 1, 0);
    (void)close_range((unsigned)report + 1, ~0U, 0);
  }
  if (err == 0) err = chdir_and_exec(job->cwd, job->file, job->argv, job->envp);
  while (write(report, &err, sizeof err) < 0 && errno == EINTR) {
  }
  _exit(127);
}

// 0 and *pid set, or the errno of what failed (the exec's included).
static int spawn_in_cgroup(const CgroupSpawn *job, pid_t *pid_out) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return errno;
  // All signals blocked across the clone: no handler of the daemon's may run
  // in the child before its dispositions are reset.
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  struct tm_clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = (uint64_t)job->cgroup_fd;
  bool placed = true;
  pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
    placed = false;
    pid = fork();
  }
  if (pid == 0) child_in_cgroup(job, report[1], placed);
  int clone_err = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    return clone_err;
  }
  int exec_err = 0;
  ssize_t got;
  while ((got = read(report[0], &exec_err, sizeof exec_err)) < 0 && errno == EINTR) {
  }
  close(report[0]);
  if (got == (ssize_t)sizeof exec_err) {
    // The child never ran the program: reap it here, no one else will hear of it.
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    return exec_err;
  }
  *pid_out = pid;
  return 0;
}
