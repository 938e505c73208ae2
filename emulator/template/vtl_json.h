/* JSON text -> template values, straight into the render's arena. $input.path /
 * $input.json parse the body once per render, and going through jansson (build a tree
 * of malloc'ed nodes, convert it, free it) was three quarters of the time to render a
 * typical request template (bench/README.md). The result is exactly what
 * gh_v_from_json(json_loadb(text, JSON_DECODE_ANY | JSON_ALLOW_NUL)) gives; only
 * failures go to jansson, so a template sees jansson's error text as before. */
#ifndef GH_VTL_JSON_H
#define GH_VTL_JSON_H
#include <stddef.h>

#include "template/vtl_value.h"

/* Parses text (len bytes, need not be NUL-terminated) into *out (JSON flavour: lists
 * print as JSON), allocated from a. Returns NULL on success; otherwise the parse error as
 * jansson words it, "<text> (line L, column C)", from a. */
const char *gh_vjson_parse(gh_arena *a, const char *text, size_t len, gh_vval *out);

#endif
