/* `gatehouse test --update`: the snapshot workflow. For the fixtures named (or all),
 * the expected values that failed (status, the exact headers given, body, json) are
 * rewritten from the actual answer in the fixture file itself, changing only the bytes
 * of those values (their positions come from the node marks): comments, order and
 * formatting of everything else stay byte for byte. Every change is printed; values
 * that cannot be rewritten (they use a ${variable}, a regex, JSONPath, a bodyFile, or a
 * block scalar) are named, never skipped silently. */
#ifndef GH_UPDATE_H
#define GH_UPDATE_H
#include <stdbool.h>
#include <stdio.h>

#include "harness/runner.h"

/* Is fixture `name` selected by the --update names (all: --update-all)? */
bool gh_fx_update_selected(const char *name, const char *const *names, size_t nnames, bool all);

/* Rewrites fr's file; log gets one line per change or refusal. Returns the number of
 * failed fixtures of the file that still fail (not selected, or not every failure could
 * be rewritten), or -1 when the file cannot be written (message on log). */
long gh_fx_update_file(const gh_fx_file_result *fr, const char *const *names, size_t nnames,
                       bool all, FILE *log);

/* The byte span [*start, *end) of the value n in the source text: a quoted or plain
 * one-line scalar, a flow collection, or a block collection (by indentation). False for
 * what cannot be delimited safely (block scalars, multi-line plain scalars). */
bool gh_fx_value_span(const char *src, size_t len, const gh_node *n, size_t *start,
                      size_t *end);

#endif
