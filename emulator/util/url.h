/* Percent-encoding and query strings as API Gateway treats them: the path stays encoded
 * as sent; query values are decoded with '+' as a space. */
#ifndef GH_URL_H
#define GH_URL_H
#include <stddef.h>

#include "util/arena.h"
#include "util/http.h"

/* The value of one hexadecimal digit (either case), -1 for anything else. */
int gh_hex_value(int c);
/* Decodes %XX (invalid escapes are kept literally); plus_is_space for query strings. */
char *gh_url_decode(gh_arena *a, const char *s, size_t len, int plus_is_space);
/* The same, with the decoded length in *out_len: "%00" gives a NUL inside the result. */
char *gh_url_decode_n(gh_arena *a, const char *s, size_t len, int plus_is_space, size_t *out_len);
/* application/x-www-form-urlencoded encoding (space -> '+'), as $util.urlEncode. */
char *gh_url_encode(gh_arena *a, const char *s, size_t len);
/* Splits a raw query string into decoded (name, value) pairs in order; '&' separates,
 * a missing '=' gives an empty value, empty names are dropped. */
void gh_query_parse(gh_arena *a, const char *query, gh_headers *out);

#endif
