// The daemon's way to give back the pages of its own executable that only
// start-up needed.
//
// The single executable is Node itself, about 100 MB on disk. Start-up runs
// through V8's snapshot deserializer, its compilers, ICU and our bundles, and
// the kernel maps what it reads in chunks of up to 2 MiB: some 36 MiB of the
// file stay mapped into the daemon (RssFile), of which an idle daemon uses
// a few. madvise(MADV_DONTNEED) on a clean, read-only file mapping drops the
// page-table entries only: the pages stay in the page cache, and the next
// access faults them back in without reading the disk.
//
// Only mappings of the executable that are read-only and hold no private
// copy of a page (smaps "Anonymous: 0 kB") are touched. A read-only mapping
// can hold such copies (relocations written before mprotect made it
// read-only); dropping them would lose the writes.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <node_api.h>

#define MAX_MAPPINGS 256

typedef struct {
  unsigned long start, end;
  int droppable;
} mapping;

static int is_header_line(const char *line) {
  // A mapping's first line starts with its address range: "55d0c-55d0f r--p …".
  const char *dash = strchr(line, '-');
  const char *space = strchr(line, ' ');
  return dash != NULL && space != NULL && dash < space;
}

// Reads /proc/self/smaps into `out`: the executable's read-only mappings,
// each marked droppable unless it holds anonymous (copied) pages.
static int read_exe_mappings(const char *exe, mapping *out, int max) {
  FILE *f = fopen("/proc/self/smaps", "re");
  if (f == NULL) return -1;
  char line[4352];
  int count = 0;
  mapping *current = NULL;
  while (fgets(line, sizeof line, f) != NULL) {
    if (is_header_line(line)) {
      unsigned long start, end;
      char perms[8], path[4096];
      path[0] = '\0';
      current = NULL;
      if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095[^\n]", &start, &end, perms, path) < 3) continue;
      if (perms[1] == 'w' || strcmp(path, exe) != 0 || count == max) continue;
      current = &out[count++];
      *current = (mapping){ start, end, 1 };
    } else if (current != NULL && strncmp(line, "Anonymous:", 10) == 0 && strtoul(line + 10, NULL, 10) != 0) {
      current->droppable = 0;
    }
  }
  fclose(f);
  return count;
}

// releaseExecutablePages(): the number of bytes of mappings released.
static napi_value release_executable_pages(napi_env env, napi_callback_info info) {
  (void)info;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) {
    napi_throw_error(env, "EREADLINK", strerror(errno));
    return NULL;
  }
  exe[n] = '\0';
  mapping maps[MAX_MAPPINGS];
  int count = read_exe_mappings(exe, maps, MAX_MAPPINGS);
  if (count < 0) {
    napi_throw_error(env, "ESMAPS", strerror(errno));
    return NULL;
  }
  double released = 0;
  for (int i = 0; i < count; i++) {
    if (!maps[i].droppable) continue;
    if (madvise((void *)maps[i].start, maps[i].end - maps[i].start, MADV_DONTNEED) == 0) released += (double)(maps[i].end - maps[i].start);
  }
  napi_value result;
  napi_create_double(env, released, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "releaseExecutablePages", NAPI_AUTO_LENGTH, release_executable_pages, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "releaseExecutablePages", fn) != napi_ok) return NULL;
  return exports;
}
