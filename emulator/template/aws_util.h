/* $util as API Gateway defines it (reference §5.2), for the VTL host object and for Lua
 * templates' `util` alike, so both render the same bytes: escapeJavaScript (which turns
 * ' into \' as AWS does), urlEncode/urlDecode (application/x-www-form-urlencoded,
 * space <-> '+'), base64Encode/base64Decode (standard alphabet) and parseJson. Results
 * live in a, NUL-terminated, with their length in *out_len (they may hold NULs). */
#ifndef GH_AWS_UTIL_H
#define GH_AWS_UTIL_H
#include <stdbool.h>
#include <stddef.h>

#include "template/vtl_value.h"
#include "util/arena.h"

const char *gh_util_escape_javascript(gh_arena *a, const char *s, size_t len, size_t *out_len);
const char *gh_util_url_encode(gh_arena *a, const char *s, size_t len, size_t *out_len);
const char *gh_util_url_decode(gh_arena *a, const char *s, size_t len, size_t *out_len);
const char *gh_util_base64_encode(gh_arena *a, const char *s, size_t len, size_t *out_len);
/* NULL when s is not base64. */
const char *gh_util_base64_decode(gh_arena *a, const char *s, size_t len, size_t *out_len);
/* JSON text -> value (JSON flavour, see vtl_value.h); false with *error (from a, says
 * where) when s is not JSON. */
bool gh_util_parse_json(gh_arena *a, const char *s, size_t len, gh_vval *out,
                        const char **error);

#endif
