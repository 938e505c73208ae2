/* Scalars written for YAML files gatehouse produces (recordings, fixtures): every string
 * as a JSON double-quoted string, which YAML reads back to the same text, so no value can
 * turn into a number, a boolean, a comment or a new key whatever it holds. */
#ifndef GH_YAML_TEXT_H
#define GH_YAML_TEXT_H
#include <stddef.h>
#include <stdio.h>

#include "util/buf.h"

/* Appends s[0..n) as a double-quoted string. Escaped: '"', '\\', C0 and C1 controls,
 * DEL, and the characters libyaml would fold or reject inside quotes (U+2028, U+2029,
 * U+FEFF, U+FFFE, U+FFFF). Malformed UTF-8 is written as U+FFFD: callers keep bytes
 * that are not text in base64. */
void gh_yaml_string(gh_buf *out, const char *s, size_t n);
void gh_yaml_cstring(gh_buf *out, const char *s); /* NULL writes null */

/* Creates DIR/PREFIX-YYYYMMDD-HHMMSS.yaml (UTC, from gh_clock_now_ms) exclusively, with
 * -2, -3, ... before ".yaml" when a file of that second exists, so two runs never
 * write into one file. Returns it open for writing with *path (malloc'ed) set, or NULL
 * with errno set. */
FILE *gh_yaml_create(const char *dir, const char *prefix, char **path);

#endif
