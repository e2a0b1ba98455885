// The last steps in a spawned child before its program runs, shared by the
// spawn paths that run code of ours between fork and exec.
#ifndef TASKMASTER_SPAWN_CHILD_H
#define TASKMASTER_SPAWN_CHILD_H

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

// Every signal back to SIG_DFL: Node ignores SIGPIPE and handles others, and
// an ignored signal stays ignored across exec. glibc's sigaction refuses its
// own signals (32, 33), which the daemon may hold ignored, so those go to the
// kernel directly; an all-zero kernel sigaction is SIG_DFL with no flags and
// an empty mask whatever the architecture's field order.
static void reset_signal_dispositions(void) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  unsigned long kernel_dfl[8] = {0};
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (sigaction(sig, &dfl, NULL) < 0) (void)syscall(SYS_rt_sigaction, sig, kernel_dfl, NULL, (NSIG - 1 + 7) / 8);
  }
}

// Into the working directory (NULL: stay in the daemon's), no signal
// blocked, then exec. Returns only on failure, with its errno.
static int chdir_and_exec(const char *cwd, const char *file, char *const *argv, char *const *envp) {
  if (cwd != NULL && chdir(cwd) < 0) return errno;
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execve(file, argv, envp);
  return errno;
}

#endif
