#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static _Atomic int min_level = GH_LOG_INFO;
static _Atomic int quiet;

void gh_log_set_level(gh_log_level min) { atomic_store(&min_level, (int)min); }
void gh_log_set_quiet(int q) { atomic_store(&quiet, q); }
int gh_log_quiet(void) { return atomic_load(&quiet); }

static void emit(int fd, const char *prefix, const char *fmt, va_list ap)
{
    char line[8192];
    int n = snprintf(line, sizeof line, "%s", prefix);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(fd, line, len);
    (void)w;
}

void gh_log(gh_log_level level, const char *fmt, ...)
{
    if ((int)level < atomic_load(&min_level))
        return;
    static const char *const names[] = {"debug: ", "", "warning: ", "error: "};
    va_list ap;
    va_start(ap, fmt);
    emit(STDERR_FILENO, names[level], fmt, ap);
    va_end(ap);
}

void gh_log_access(const char *fmt, ...)
{
    if (atomic_load(&quiet))
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(STDOUT_FILENO, "", fmt, ap);
    va_end(ap);
}
