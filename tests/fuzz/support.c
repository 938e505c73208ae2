/* fuzz_memfile and fuzz_parse_request (see fuzz.h). */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#include <string.h>

int fuzz_memfile(int slot, const uint8_t *data, size_t size, char path[32])
{
    static int fds[2] = {-1, -1};
    if (slot < 0 || slot > 1)
        return -1;
    if (fds[slot] < 0)
        fds[slot] = memfd_create(slot ? "overlay.yaml" : "api.yaml", MFD_CLOEXEC);
    int fd = fds[slot];
    if (fd < 0 || ftruncate(fd, 0) != 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    snprintf(path, 32, "/proc/self/fd/%d", fd);
    return 0;
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

void fuzz_parse_request(gh_arena *a, const char *p, const char *end, gh_request *req,
                        const char *default_host, int port)
{
    const char *le = line_end(p, end);
    const char *sp = memchr(p, ' ', (size_t)(le - p));
    req->method = sp ? gh_arena_strndup(a, p, (size_t)(sp - p)) : "POST";
    const char *target = sp ? sp + 1 : p;
    const char *q = memchr(target, '?', (size_t)(le - target));
    req->path = gh_arena_strndup(a, target, (size_t)((q ? q : le) - target));
    req->query = q ? gh_arena_strndup(a, q + 1, (size_t)(le - q - 1)) : NULL;
    p = le < end ? le + 1 : end;
    while (p < end) {
        le = line_end(p, end);
        if (le == p || (le == p + 1 && *p == '\r')) {
            p = le < end ? le + 1 : end;
            break;
        }
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (colon) {
            const char *v = colon + 1;
            while (v < le && *v == ' ')
                v++;
            gh_headers_add(a, &req->headers, gh_arena_strndup(a, p, (size_t)(colon - p)),
                           gh_arena_strndup(a, v, (size_t)(le - v)));
        }
        p = le < end ? le + 1 : end;
    }
    if (p < end) {
        req->body = gh_arena_strndup(a, p, (size_t)(end - p));
        req->body_len = (size_t)(end - p);
    }
    const char *host = gh_headers_get(&req->headers, "Host");
    req->host = host ? host : default_host;
    req->source_ip = "127.0.0.1";
    req->protocol = "HTTP/1.1";
    req->local_port = port;
}
