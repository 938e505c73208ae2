/* Shared bits of the libFuzzer targets: the entry point every target defines, an
 * in-memory file (memfd) for code that only loads definitions by path, so a fuzz run
 * never writes to disk, and a request read from fuzz input for the HTTP handlers. */
#ifndef GH_FUZZ_H
#define GH_FUZZ_H
#include <stddef.h>
#include <stdint.h>

#include "util/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A memfd holding exactly data[0..size); its path ("/proc/self/fd/N") goes to *path
 * (at least 32 bytes). The fd is created once per slot (0 or 1) and reused. Returns 0, or
 * -1 when memfds are unavailable. */
int fuzz_memfile(int slot, const uint8_t *data, size_t size, char path[32]);

/* One request from [p, end), HTTP/1.1-like ("METHOD TARGET", header lines, a blank line,
 * the body), into req with strings from a. A first line without a space is the path of a
 * POST; no Host header means default_host; the peer is 127.0.0.1 and the server's port
 * is port. */
void fuzz_parse_request(gh_arena *a, const char *p, const char *end, gh_request *req,
                        const char *default_host, int port);

#endif
