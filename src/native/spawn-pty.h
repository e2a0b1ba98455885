// Pseudo-terminals for `tty: true` programs (included by spawn.c).
//
// Node has no openpty. The daemon makes the pair here, keeps the master
// (read as the program's output, written with what `fg` types) and gives the
// child the slave by its path: the child, a session leader with no
// controlling terminal yet (setsid), opens it without O_NOCTTY, which makes
// it the child's controlling terminal — so a Ctrl-C byte written to the
// master signals the program's foreground process group, as in a terminal
// emulator. Opening by path works the same in every spawn path (posix_spawn's
// file actions have no TIOCSCTTY step, but they can open).
// Included after spawn.c's helpers (CHECK, throw_errno), which it uses.
#include <sys/ioctl.h>
#include <termios.h>

static bool window_size(napi_env env, napi_value rows_value, napi_value cols_value, struct winsize *size) {
  uint32_t rows, cols;
  if (napi_get_value_uint32(env, rows_value, &rows) != napi_ok || napi_get_value_uint32(env, cols_value, &cols) != napi_ok ||
      rows == 0 || cols == 0 || rows > 0xffff || cols > 0xffff) {
    napi_throw_type_error(env, "EINVAL", "a window size is rows and columns from 1 to 65535");
    return false;
  }
  memset(size, 0, sizeof *size);
  size->ws_row = (unsigned short)rows;
  size->ws_col = (unsigned short)cols;
  return true;
}

// openPty(rows, cols) → [masterFd, slavePath]. The master is close-on-exec,
// so no other child inherits it; the window starts at rows × cols (a
// terminal of 0 × 0 confuses full-screen programs).
static napi_value open_pty(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  struct winsize size;
  if (argc < 2 || !window_size(env, argv[0], argv[1], &size)) return NULL;
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return throw_errno(env, errno, "posix_openpt");
  char path[128];
  int err = 0;
  if (grantpt(master) != 0 || unlockpt(master) != 0) err = errno;
  if (err == 0) err = ptsname_r(master, path, sizeof path);
  if (err == 0 && ioctl(master, TIOCSWINSZ, &size) != 0) err = errno;
  if (err != 0) {
    close(master);
    return throw_errno(env, err, "openpty");
  }
  napi_value result, fd_value, path_value;
  CHECK(env, napi_create_array_with_length(env, 2, &result));
  napi_create_int32(env, master, &fd_value);
  napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &path_value);
  napi_set_element(env, result, 0, fd_value);
  napi_set_element(env, result, 1, path_value);
  return result;
}

// setWindowSize(masterFd, rows, cols): the kernel sends SIGWINCH to the
// terminal's foreground process group when the size changes.
static napi_value set_window_size(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  struct winsize size;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "setWindowSize(masterFd, rows, cols)");
    return NULL;
  }
  if (!window_size(env, argv[1], argv[2], &size)) return NULL;
  if (ioctl(fd, TIOCSWINSZ, &size) != 0) return throw_errno(env, errno, "TIOCSWINSZ");
  return NULL;
}
