// The daemon's sd_notify socket (`ready: notify`): a datagram Unix socket
// that programs send READY=1, STATUS=…, WATCHDOG=1 to, as they would to
// systemd. Native because the sender must be known from the kernel's
// credentials (SO_PASSCRED, SCM_CREDENTIALS): node-unix-socket's datagram
// socket gives neither, and Node's own net module has no datagram Unix
// sockets at all. A pid taken from the message's text could be anyone's.
//
// listen(path, callback(text, pid, uid, gid)) → handle; close(handle).
// The socket is polled by the daemon's own libuv loop, like the spawn
// addon's pidfds (uv-abi.h).
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <node_api.h>
#include "uv-abi.h"

// systemd's own bound on one notification (NOTIFY_BUFFER_MAX); a longer one is dropped.
#define MESSAGE_MAX 4096
// Descriptors a sender may pass along (FDSTORE=1, BARRIER=1): closed once read.
#define FDS_MAX 16
// Datagrams read per wake-up: a flood must not hold the event loop.
#define READS_PER_WAKE 64

typedef struct {
  uv_poll_t *poll; // opaque (uv-abi.h): allocated with its size from libuv
  int fd;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  bool closing;
} Listener;

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char message[512];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_value msg, code, error;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, strerrorname_np(err) ? strerrorname_np(err) : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &error);
  napi_throw(env, error);
  return NULL;
}

// Closes every descriptor passed in the message's SCM_RIGHTS. For BARRIER=1
// this is the answer the sender waits for (sd_notify_barrier): it sees its
// pipe hang up once we have read everything it sent before.
static void close_passed_fds(struct msghdr *msg) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    if (n > FDS_MAX) n = FDS_MAX; // the buffer holds no more; the kernel dropped the rest
    int fds[FDS_MAX];
    memcpy(fds, CMSG_DATA(c), n * sizeof(int));
    for (size_t i = 0; i < n; i++) close(fds[i]);
  }
}

static const struct ucred *credentials_of(struct msghdr *msg) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
      return (const struct ucred *)CMSG_DATA(c);
    }
  }
  return NULL;
}

static void deliver(Listener *l, const char *text, size_t length, const struct ucred *cred) {
  napi_env env = l->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, recv, args[4];
  napi_get_reference_value(env, l->callback, &callback);
  napi_get_global(env, &recv);
  napi_create_string_utf8(env, text, length, &args[0]);
  napi_create_int32(env, cred->pid, &args[1]);
  napi_create_uint32(env, cred->uid, &args[2]);
  napi_create_uint32(env, cred->gid, &args[3]);
  napi_make_callback(env, l->context, recv, callback, 4, args, NULL);
  bool thrown = false;
  napi_is_exception_pending(env, &thrown);
  if (thrown) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  Listener *l = uv_handle_get_data((uv_handle_t *)handle);
  if (status != 0 || l->closing) return;
  for (int i = 0; i < READS_PER_WAKE && !l->closing; i++) {
    char text[MESSAGE_MAX + 1];
    union {
      struct cmsghdr align;
      char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(FDS_MAX * sizeof(int))];
    } control;
    struct iovec iov = {text, MESSAGE_MAX};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    ssize_t n = recvmsg(l->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
    if (n < 0) return; // EAGAIN: all read; any other error: the next wake tries again
    const struct ucred *cred = credentials_of(&msg);
    // Without credentials (never, with SO_PASSCRED) or cut short: not a message we can attribute or trust.
    if (cred != NULL && (size_t)n <= MESSAGE_MAX && !(msg.msg_flags & MSG_CTRUNC)) deliver(l, text, (size_t)n, cred);
    // After the callback: a barrier's sender waits until what came before it was handled.
    close_passed_fds(&msg);
  }
}

static void on_closed(uv_handle_t *handle) {
  Listener *l = uv_handle_get_data(handle);
  close(l->fd);
  free(l->poll);
  free(l);
}

static void finalize_listener(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  (void)hint;
  // The handle object was collected: close() has run or the daemon is exiting; libuv owns the rest.
}

// listen(path, callback) → handle. The socket is made world-writable (0666),
// as systemd's is: programs running as any user can send, and the kernel's
// credentials, not the file's mode, say who they are.
static napi_value listen_notify(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, "EINVAL", "listen(path, callback)");
    return NULL;
  }
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  size_t length = 0;
  if (napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &length) != napi_ok ||
      length >= sizeof addr.sun_path - 1) {
    napi_throw_type_error(env, "ENAMETOOLONG", "the notify socket's path is too long for a Unix socket");
    return NULL;
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return throw_errno(env, errno, "socket");
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "SO_PASSCRED");
  }
  (void)unlink(addr.sun_path); // a socket file left by an earlier daemon
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || chmod(addr.sun_path, 0666) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, addr.sun_path);
  }
  uv_loop_t *loop;
  Listener *l = calloc(1, sizeof *l);
  if (l != NULL) l->poll = malloc(uv_handle_size(TM_UV_POLL));
  if (l == NULL || l->poll == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, l->poll, fd) != 0) {
    close(fd);
    if (l != NULL) free(l->poll);
    free(l);
    return throw_errno(env, ENOMEM, "listen");
  }
  uv_handle_set_data((uv_handle_t *)l->poll, l);
  l->fd = fd;
  l->env = env;
  napi_value name, handle;
  napi_create_string_utf8(env, "taskmaster:notify", NAPI_AUTO_LENGTH, &name);
  napi_create_reference(env, argv[1], 1, &l->callback);
  napi_async_init(env, NULL, name, &l->context);
  uv_poll_start(l->poll, TM_UV_READABLE, on_readable);
  napi_create_external(env, l, finalize_listener, NULL, &handle);
  return handle;
}

// close(handle): stops reading and closes the socket; the file stays for the
// caller to remove. Once only: the handle's memory is freed after it.
static napi_value close_notify(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "close(handle)");
    return NULL;
  }
  Listener *l = data;
  if (l->closing) return NULL;
  l->closing = true;
  uv_poll_stop(l->poll);
  napi_delete_reference(env, l->callback);
  napi_async_destroy(env, l->context);
  uv_close((uv_handle_t *)l->poll, on_closed);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor exported[] = {
    {"listen", NULL, listen_notify, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, close_notify, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof exported / sizeof exported[0], exported);
  return exports;
}
