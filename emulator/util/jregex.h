/* Java regular expressions (java.util.regex) through PCRE2: what selection patterns and
 * VTL's String.matches / replaceAll / replaceFirst / split mean. PCRE2's syntax is close
 * to Java's; the differences we bridge or refuse are listed in docs/templates.md.
 * Compiled patterns are cached per thread (templates reuse the same few patterns on
 * every request), so callers never free them; a pattern stays valid until this thread's
 * next gh_jregex_get (which may evict it) or gh_jregex_thread_cleanup. */
#ifndef GH_JREGEX_H
#define GH_JREGEX_H
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

typedef struct gh_jregex gh_jregex;

/* Compiles (or finds in the cache) pattern. NULL when it is not a valid Java regex; then
 * *error (if non-NULL) points at a static or thread-local message naming the problem and
 * its offset. */
const gh_jregex *gh_jregex_get(const char *pattern, size_t len, const char **error);

/* String.matches: does the pattern match the whole subject? */
bool gh_jregex_matches(const gh_jregex *re, const char *s, size_t len);

/* String.replaceAll / replaceFirst: the replacement uses Java's syntax ($1, ${name},
 * \$ and \\ escapes). Result from a, NUL-terminated, length in *out_len. Returns NULL
 * when the replacement is invalid (Java throws: a group that does not exist, a trailing
 * backslash), when the pattern backtracks past the match limit, or when the result
 * would pass 10 MB (API Gateway's payload limit); *error says why. */
char *gh_jregex_replace(gh_arena *a, const gh_jregex *re, const char *s, size_t len,
                        const char *replacement, size_t rlen, bool all, size_t *out_len,
                        const char **error);

/* String.split(regex) with limit 0: pieces between matches, trailing empty strings
 * removed, no leading empty string for a zero-width match at the start (Java 8+), and
 * the whole string when nothing matches. Pieces are borrowed slices of s: starts[i],
 * lens[i] allocated from a; returns their count. */
size_t gh_jregex_split(gh_arena *a, const gh_jregex *re, const char *s, size_t len,
                       const char ***starts, size_t **lens);

/* String.split(regex, limit) as Java: limit > 0 gives at most limit pieces (the last
 * holding the rest of s), limit 0 is gh_jregex_split, limit < 0 keeps trailing empty
 * strings. */
size_t gh_jregex_split_limit(gh_arena *a, const gh_jregex *re, const char *s, size_t len,
                             long limit, const char ***starts, size_t **lens);

/* True when this thread's last gh_jregex_matches or gh_jregex_split* call stopped at
 * PCRE2's match limit (catastrophic backtracking, where Java overflows its stack or runs
 * for minutes) instead of deciding: its answer then was "no match". */
bool gh_jregex_gave_up(void);

/* Frees this thread's cache (thread exit, and at_exit for valgrind-clean runs). */
void gh_jregex_thread_cleanup(void);

#endif
