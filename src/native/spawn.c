// The daemon's way to start programs and learn of their exit.
//
// Why not Node's child_process: libuv forks, and fork copies the page tables
// of the whole daemon while the event loop waits for the child's exec, so
// each start costs more as the daemon grows (0.85 ms at 47 MiB RSS, 2.75 ms
// at 108 MiB, measured). glibc's posix_spawn uses clone(CLONE_VM|CLONE_VFORK):
// nothing is copied, and the cost is the exec alone.
//
// Exit is watched through a pidfd polled by the daemon's own libuv loop, not
// through SIGCHLD: libuv reaps only the pids it spawned itself, and a pidfd
// names one process for good, so a reused pid can never be mistaken for ours.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <node_api.h>
#include <pthread.h>
#include "uv-abi.h"
#include "spawn-stdio.h"
#include "spawn-cgroup.h"
#include "spawn-shared-fds.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define CHECK(env, call)                                   \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error((env), "EINTERNAL", #call " failed"); \
      return NULL;                                         \
    }                                                      \
  } while (0)

// Throws an Error whose .code is the errno name (ENOENT…), as Node's own do.
static napi_value throw_errno(napi_env env, int err, const char *what) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_value msg, code, error;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, strerrorname_np(err) ? strerrorname_np(err) : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &error);
  napi_value errno_value;
  napi_create_int32(env, err, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_throw(env, error);
  return NULL;
}

// A JS string as a malloc'ed C string; NULL (with an exception set) on failure.
static char *c_string(napi_env env, napi_value value) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "expected a string");
    return NULL;
  }
  char *text = malloc(length + 1);
  if (text == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, value, text, length + 1, &length);
  return text;
}

static void free_vector(char **vector) {
  if (vector == NULL) return;
  for (char **item = vector; *item != NULL; item++) free(*item);
  free(vector);
}

// A JS array of strings as a NULL-terminated vector, as execve wants.
static char **c_vector(napi_env env, napi_value array) {
  uint32_t count;
  if (napi_get_array_length(env, array, &count) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "expected an array of strings");
    return NULL;
  }
  char **vector = calloc(count + 1, sizeof *vector);
  if (vector == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    napi_get_element(env, array, i, &item);
    vector[i] = c_string(env, item);
    if (vector[i] == NULL) {
      free_vector(vector);
      return NULL;
    }
  }
  return vector;
}

// makePipe(capacity) → [readFd, writeFd, capacity obtained], both fds
// close-on-exec. The capacity asked is a wish: past the caller's limits
// F_SETPIPE_SZ fails (EPERM) and the pipe keeps the size it was made with,
// which is why the size it has is reported, for the caller's accounting.
static napi_value make_pipe(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t capacity = 0;
  if (argc > 0) napi_get_value_int32(env, argv[0], &capacity);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return throw_errno(env, errno, "pipe");
  if (capacity > 0) (void)fcntl(fds[0], F_SETPIPE_SZ, capacity);
  int obtained = fcntl(fds[0], F_GETPIPE_SZ);
  napi_value result, value;
  CHECK(env, napi_create_array_with_length(env, 3, &result));
  for (uint32_t i = 0; i < 2; i++) {
    napi_create_int32(env, fds[i], &value);
    napi_set_element(env, result, i, value);
  }
  napi_create_int32(env, obtained > 0 ? obtained : 0, &value);
  napi_set_element(env, result, 2, value);
  return result;
}

// spawn(file, argv, env, cwd|null, stdoutFd, stderrFd, yieldToChild, cgroupFd[,
// stdinFd, terminal|null]) → pid.
// The child gets stdinFd as stdin (-1: /dev/null), its own session (so its
// process group is its pid), default signal dispositions and an empty
// signal mask (Node ignores SIGPIPE and that would be inherited), and no
// descriptor above 2, as supervisord's children have none. `terminal`: the
// path of a pty slave (spawn-pty.h) that becomes its stdin, stdout, stderr
// and controlling terminal, in place of the three fds. exec failures come
// back as the errno of execve. cgroupFd >= 0: the child is created in that
// cgroup (spawn-cgroup.h); -1: where the daemon is, by posix_spawn.
static napi_value spawn(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) {
    napi_throw_type_error(env, "EINVAL", "spawn(file, argv, env, cwd, stdoutFd, stderrFd, yieldToChild, cgroupFd[, stdinFd, terminal])");
    return NULL;
  }
  int32_t out_fd, err_fd, cgroup_fd, in_fd = -1;
  CHECK(env, napi_get_value_int32(env, argv[7], &cgroup_fd));
  napi_valuetype terminal_type = napi_null;
  if (argc >= 10) {
    CHECK(env, napi_get_value_int32(env, argv[8], &in_fd));
    CHECK(env, napi_typeof(env, argv[9], &terminal_type));
  }
  bool yield_to_child;
  CHECK(env, napi_get_value_bool(env, argv[6], &yield_to_child));
  napi_valuetype cwd_type;
  CHECK(env, napi_get_value_int32(env, argv[4], &out_fd));
  CHECK(env, napi_get_value_int32(env, argv[5], &err_fd));
  CHECK(env, napi_typeof(env, argv[3], &cwd_type));

  char *file = c_string(env, argv[0]);
  char **args = file ? c_vector(env, argv[1]) : NULL;
  char **envp = args ? c_vector(env, argv[2]) : NULL;
  char *cwd = envp && cwd_type == napi_string ? c_string(env, argv[3]) : NULL;
  char *terminal = envp && terminal_type == napi_string ? c_string(env, argv[9]) : NULL;
  napi_value result = NULL;
  if (envp == NULL || (cwd_type == napi_string && cwd == NULL) || (terminal_type == napi_string && terminal == NULL)) goto done;
  if (terminal != NULL) in_fd = out_fd = err_fd = -1;

  pid_t pid;
  if (cgroup_fd >= 0) {
    CgroupSpawn job = {file, args, envp, cwd, out_fd, err_fd, cgroup_fd, in_fd, terminal};
    int failed = spawn_in_cgroup(&job, &pid);
    if (failed != 0) {
      throw_errno(env, failed, file);
      goto done;
    }
    goto spawned;
  }
  if (shared_fds_usable()) {
    SharedFdsSpawn job = {file, args, envp, cwd, false, terminal, 0, false};
    int failed = spawn_shared_fds(&job, in_fd, out_fd, err_fd, &pid);
    if (failed == 0) goto spawned;
    if (failed > 0) {
      throw_errno(env, failed, file);
      goto done;
    }
    // -1: this kernel cannot unshare by close_range; posix_spawn below.
  }

  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_init(&actions);
  sigset_t none, all;
  sigemptyset(&none);
  // Every bit set, not sigfillset: that leaves out glibc's internal signals
  // (32, 33), which posix_spawn then sets to SIG_IGN in the child, and an
  // ignored signal stays ignored across exec.
  memset(&all, 0xff, sizeof all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  if (terminal != NULL) {
    // glibc runs setsid (POSIX_SPAWN_SETSID) before the file actions: this
    // open makes the terminal the controlling one, as in child_stdio.
    posix_spawn_file_actions_addopen(&actions, 0, terminal, O_RDWR, 0);
    posix_spawn_file_actions_adddup2(&actions, 0, 1);
    posix_spawn_file_actions_adddup2(&actions, 0, 2);
  } else {
    if (in_fd >= 0) posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    else posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  }
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&actions, cwd);

  int err = posix_spawn(&pid, file, &actions, &attr, args, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    throw_errno(env, err, file);
    goto done;
  }
  // The child, just exec'd, waits on this CPU behind the daemon, which goes
  // on with its bookkeeping (logs, state, sockets): measured here, 1.4–1.9 ms
  // from spawn's return to the child's first instruction of main. Yielding
  // lets it start first: a restart's exit-to-exec gap went from 3.1 to 1.7
  // ms. Not in a start wave: there the daemon spawning on while children
  // start on the other CPUs is faster (500 sleeps: 0.6 s, against 1.0 s).
spawned:
  if (yield_to_child) sched_yield();
  napi_create_int32(env, pid, &result);

done:
  free(file);
  free_vector(args);
  free_vector(envp);
  free(cwd);
  free(terminal);
  return result;
}

#include "spawn-pty.h"

typedef struct {
  uv_poll_t *poll; // opaque (uv-abi.h): allocated with its size from libuv
  int pidfd;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
} ExitWatch;

static void on_watch_closed(uv_handle_t *handle) {
  ExitWatch *watch = uv_handle_get_data(handle);
  close(watch->pidfd);
  free(watch->poll);
  free(watch);
}

// The pidfd turns readable once the process has exited: reap it and hand
// (code, signal) to JS — code for a normal exit, signal for a killed one.
static void on_pidfd_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  ExitWatch *watch = uv_handle_get_data((uv_handle_t *)handle);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int waited = status == 0 ? waitid(P_PIDFD, (id_t)watch->pidfd, &si, WEXITED | WNOHANG) : -1;
  if (waited == 0 && si.si_pid == 0) return; // woken early: not exited yet
  uv_poll_stop(watch->poll);

  napi_env env = watch->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, recv, args[2];
  napi_get_reference_value(env, watch->callback, &callback);
  napi_get_global(env, &recv); // make_callback wants an object
  napi_get_null(env, &args[0]);
  napi_get_null(env, &args[1]);
  if (waited == 0 && si.si_code == CLD_EXITED) {
    napi_create_int32(env, si.si_status, &args[0]);
  } else if (waited == 0) {
    napi_create_int32(env, si.si_status, &args[1]); // CLD_KILLED or CLD_DUMPED
  }
  napi_make_callback(env, watch->context, recv, callback, 2, args, NULL);
  bool thrown = false;
  napi_is_exception_pending(env, &thrown);
  if (thrown) {
    // Nobody up the stack to catch it: hand it to process 'uncaughtException'.
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_delete_reference(env, watch->callback);
  napi_async_destroy(env, watch->context);
  napi_close_handle_scope(env, scope);
  uv_close((uv_handle_t *)watch->poll, on_watch_closed);
}

// watchExit(pid, callback(code|null, signalNumber|null)): the callback runs
// once, from the event loop, after the process has been reaped. Only for
// children of this process (waitid needs a child).
static napi_value watch_exit(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t pid;
  CHECK(env, napi_get_value_int32(env, argv[0], &pid));
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) return throw_errno(env, errno, "pidfd_open"); // close-on-exec already

  uv_loop_t *loop;
  ExitWatch *watch = calloc(1, sizeof *watch);
  if (watch != NULL) watch->poll = malloc(uv_handle_size(TM_UV_POLL));
  if (watch == NULL || watch->poll == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok ||
      uv_poll_init(loop, watch->poll, pidfd) != 0) {
    close(pidfd);
    if (watch != NULL) free(watch->poll);
    free(watch);
    return throw_errno(env, ENOMEM, "watchExit");
  }
  uv_handle_set_data((uv_handle_t *)watch->poll, watch);
  watch->pidfd = pidfd;
  watch->env = env;
  napi_value name;
  napi_create_string_utf8(env, "taskmaster:exit", NAPI_AUTO_LENGTH, &name);
  napi_create_reference(env, argv[1], 1, &watch->callback);
  napi_async_init(env, NULL, name, &watch->context);
  uv_poll_start(watch->poll, TM_UV_READABLE, on_pidfd_readable);
  return NULL;
}

NAPI_MODULE_INIT() {
  shared_fds_init();
  // Pipe capacities are counted in pages: the caller needs their size.
  napi_value page_size;
  napi_create_int64(env, sysconf(_SC_PAGESIZE), &page_size);
  napi_property_descriptor exported[] = {
    {"pageSize", NULL, NULL, NULL, NULL, page_size, napi_enumerable, NULL},
    {"makePipe", NULL, make_pipe, NULL, NULL, NULL, napi_default, NULL},
    {"spawn", NULL, spawn, NULL, NULL, NULL, napi_default, NULL},
    {"watchExit", NULL, watch_exit, NULL, NULL, NULL, napi_default, NULL},
    {"openPty", NULL, open_pty, NULL, NULL, NULL, napi_default, NULL},
    {"setWindowSize", NULL, set_window_size, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof exported / sizeof exported[0], exported);
  return exports;
}
