/* Standard base64 (RFC 4648 section 4, '+' and '/', '=' padding), as API Gateway uses for
 * binary bodies (isBase64Encoded) and as scripts get it through gatehouse.base64. */
#ifndef GH_BASE64_H
#define GH_BASE64_H
#include <stddef.h>

#include "util/arena.h"

/* Encodes n bytes at p; the result is NUL-terminated and lives in a. */
char *gh_base64_encode(gh_arena *a, const void *p, size_t n);
/* Decodes s (n characters; padding optional, no whitespace) into *out (NUL-terminated for
 * convenience, but binary: use *outlen). Returns 0, or -1 on invalid input. */
int gh_base64_decode(gh_arena *a, const char *s, size_t n, char **out, size_t *outlen);

#endif
