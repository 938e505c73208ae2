/* JSON text as a Node.js Lambda runtime writes it (JSON.stringify): what API Gateway
 * receives from a real function, so what a Lua function's result must become. jansson's
 * own dump prints 0.1 as 0.10000000000000001 and 1.0 as 1.0; JavaScript has one number
 * type and prints the shortest text that reads back the same: 0.1, 1, 1e+21, 3e-7. */
#ifndef GH_JSON_TEXT_H
#define GH_JSON_TEXT_H
#include <jansson.h>
#include <stdbool.h>

#include "util/buf.h"

/* Appends v as compact JSON. sort_keys orders object members by key (bytewise): Lua
 * tables have no order, and a fixed one keeps responses comparable between runs. */
void gh_json_text(const json_t *v, bool sort_keys, gh_buf *out);
/* The same, pretty-printed as JSON.stringify(v, null, indent) does. */
void gh_json_text_indented(const json_t *v, bool sort_keys, int indent, gh_buf *out);

/* JavaScript's Number.prototype.toString for d (finite; NaN and infinities give "null",
 * as JSON.stringify writes them). */
void gh_json_number(double d, gh_buf *out);

/* A JSON string of s that never fails: jansson refuses malformed UTF-8 (json_string
 * and json_pack give NULL), so text that carries a client's bytes (a queue name from a
 * URL, an unknown action in an error message) has each malformed sequence replaced by
 * U+FFFD first, as API Gateway reads request text. NULL s gives "". */
json_t *gh_json_str_lossy(const char *s);

#endif
