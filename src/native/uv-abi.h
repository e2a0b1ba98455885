// The few libuv calls the spawn addon makes, declared here rather than taken
// from uv.h: npm's node-api-headers (which the build compiles against, so
// that it works with any Node, even one shipped without headers) has no
// uv.h. libuv keeps its ABI stable across 1.x, and Node exports these
// symbols to addons. The handle stays opaque: its size comes from
// uv_handle_size at run time, its owner through uv_handle_get_data.
#ifndef TASKMASTER_UV_ABI_H
#define TASKMASTER_UV_ABI_H

#include <stddef.h>

typedef struct uv_loop_s uv_loop_t;
typedef struct uv_handle_s uv_handle_t;
typedef struct uv_poll_s uv_poll_t;

typedef void (*uv_close_cb)(uv_handle_t *handle);
typedef void (*uv_poll_cb)(uv_poll_t *handle, int status, int events);

// uv_handle_type's order is part of the 1.x ABI: UV_UNKNOWN_HANDLE 0, then
// ASYNC, CHECK, FS_EVENT, FS_POLL, HANDLE, IDLE, NAMED_PIPE, POLL.
enum { TM_UV_POLL = 8 };
// uv_poll_event
enum { TM_UV_READABLE = 1 };

size_t uv_handle_size(int type);
void *uv_handle_get_data(const uv_handle_t *handle);
void uv_handle_set_data(uv_handle_t *handle, void *data);
void uv_close(uv_handle_t *handle, uv_close_cb close_cb);
int uv_poll_init(uv_loop_t *loop, uv_poll_t *handle, int fd);
int uv_poll_start(uv_poll_t *handle, int events, uv_poll_cb cb);
int uv_poll_stop(uv_poll_t *handle);

#endif
