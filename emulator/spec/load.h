/* Loading: definition files (+ overlays) -> documents -> one immutable gh_model.
 * Every problem is added to the diagnostics with its file:line:col and a fix; warnings
 * never stop loading, errors do (the function returns NULL). */
#ifndef GH_LOAD_H
#define GH_LOAD_H
#include <stddef.h>

#include "spec/model.h"
#include "util/diag.h"

typedef struct gh_load_options {
    const char *const *definitions;  /* one API per file */
    size_t ndefinitions;
    const char *const *overlays;     /* merged onto the first definition, in order */
    size_t noverlays;
    const char *stage;               /* --stage, or NULL ("default") */
    const char *host;                /* --host, or NULL */
    int port;                        /* --port, or -1 */
    unsigned generation;
} gh_load_options;

gh_model *gh_model_load(const gh_load_options *opt, gh_diags *d);

#endif
