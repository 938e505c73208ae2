/* See yaml_text.h: JSON-compatible quoting that libyaml reads back unchanged. */
#include "util/yaml_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/utf8.h"

/* The code point of the well-formed sequence at s (len bytes). */
static unsigned decode(const unsigned char *s, size_t len)
{
    if (len == 1)
        return s[0];
    if (len == 2)
        return (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
    if (len == 3)
        return (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
    return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 |
           (unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

static size_t seq_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
}

/* Outside YAML's printable set, or a line break that double quotes would fold. */
static int needs_escape(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0xfeff || cp == 0xfffe || cp == 0xffff;
}

static void quote_valid(gh_buf *out, const char *s, size_t n)
{
    gh_buf_putc(out, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = seq_len(c);
        unsigned cp = decode((const unsigned char *)s + i, len);
        if (c == '"' || c == '\\') {
            gh_buf_putc(out, '\\');
            gh_buf_putc(out, (char)c);
        } else if (c == '\n') {
            gh_buf_puts(out, "\\n");
        } else if (c == '\t') {
            gh_buf_puts(out, "\\t");
        } else if (c == '\r') {
            gh_buf_puts(out, "\\r");
        } else if (needs_escape(cp)) {
            gh_buf_printf(out, "\\u%04X", cp);
        } else {
            gh_buf_append(out, s + i, len);
        }
        i += len;
    }
    gh_buf_putc(out, '"');
}

void gh_yaml_string(gh_buf *out, const char *s, size_t n)
{
    if (gh_utf8_valid(s, n)) {
        quote_valid(out, s, n);
        return;
    }
    char *fixed = malloc(3 * n + 1);
    if (!fixed) {
        gh_buf_puts(out, "\"\"");
        return;
    }
    size_t len = gh_utf8_repair(s, n, fixed);
    quote_valid(out, fixed, len);
    free(fixed);
}

void gh_yaml_cstring(gh_buf *out, const char *s)
{
    if (!s)
        gh_buf_puts(out, "null");
    else
        gh_yaml_string(out, s, strlen(s));
}

FILE *gh_yaml_create(const char *dir, const char *prefix, char **path)
{
    time_t secs = (time_t)(gh_clock_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    gh_buf name = GH_BUF_INIT;
    int fd = -1;
    for (int n = 1; fd < 0 && n < 1000; n++) {
        gh_buf_reset(&name);
        gh_buf_printf(&name, "%s/%s-%s", dir, prefix, stamp);
        if (n > 1)
            gh_buf_printf(&name, "-%d", n);
        gh_buf_puts(&name, ".yaml");
        fd = open(name.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f && fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    *path = gh_buf_steal(&name, NULL);
    return f;
}
