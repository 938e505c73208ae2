/* Standard base64 (RFC 4648, alphabet "+/", '=' padding) for binary bodies
 * (isBase64Encoded, binaryMediaTypes) and the `gatehouse.base64` Lua helpers. Results
 * are allocated from an arena and NUL-terminated; lengths are carried separately so
 * decoded bytes may contain NULs. */
#ifndef GH_BASE64_H
#define GH_BASE64_H
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

/* Encodes n bytes; *out_len (may be NULL) receives the text length. Never NULL. */
char *gh_base64_encode(gh_arena *a, const void *data, size_t n, size_t *out_len);
/* Decodes base64 text of length n. Accepts missing padding and ignores ASCII whitespace
 * (as Java's MIME decoder and Lambda runtimes tolerate line breaks); any other
 * character outside the alphabet, or misplaced padding, fails. Returns false on
 * invalid input (and leaves *out untouched). */
bool gh_base64_decode(gh_arena *a, const char *text, size_t n, char **out, size_t *out_len);

#endif
