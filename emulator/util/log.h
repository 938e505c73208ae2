/* Process log on stderr (errors, warnings, Lua tracebacks) and the access log on stdout. */
#ifndef GH_LOG_H
#define GH_LOG_H

typedef enum { GH_LOG_DEBUG, GH_LOG_INFO, GH_LOG_WARN, GH_LOG_ERROR } gh_log_level;

void gh_log_set_level(gh_log_level min);
/* --quiet: no access log. Script output and reload notices still show: the user asked
 * for those. */
void gh_log_set_quiet(int quiet);
int gh_log_quiet(void);
void gh_log(gh_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One access-log line on stdout, written with a single write(2) so lines never interleave. */
void gh_log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
