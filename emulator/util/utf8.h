/* UTF-8 as API Gateway's Java runtime reads request text: valid sequences pass, every
 * malformed one becomes U+FFFD. That is why, on AWS, a binary body sent without a
 * matching binaryMediaTypes entry arrives mangled rather than rejected. */
#ifndef GH_UTF8_H
#define GH_UTF8_H
#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool gh_utf8_valid(const char *s, size_t n);
/* Copies s[0..n) to out with each malformed sequence replaced by U+FFFD and returns the
 * length written. out must hold 3 * n + 1 bytes; it is NUL-terminated. */
size_t gh_utf8_repair(const char *s, size_t n, char *out);

#endif
