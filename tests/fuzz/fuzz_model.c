/* Fuzz target: the model compiler, end to end as `gatehouse validate` runs it. The input
 * is a definition, optionally followed by a NUL byte and an overlay; both go through
 * memfds (gh_model_load reads files by path), so relative handler paths resolve under
 * /proc/self/fd and name nothing. The diagnostics are printed to a null stream, which
 * exercises their formatting. */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "spec/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    const uint8_t *nul = memchr(data, '\0', size);
    size_t def_len = nul ? (size_t)(nul - data) : size;
    char def[32], overlay[32];
    if (fuzz_memfile(0, data, def_len, def) != 0)
        return 0;
    const char *defs[] = {def};
    const char *overlays[] = {overlay};
    gh_load_options opt = {.definitions = defs, .ndefinitions = 1, .port = -1,
                           .generation = 1};
    if (nul) {
        if (fuzz_memfile(1, nul + 1, size - def_len - 1, overlay) != 0)
            return 0;
        opt.overlays = overlays;
        opt.noverlays = 1;
    }
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = gh_model_load(&opt, &d);
    if (sink)
        gh_diags_print(&d, sink);
    if (m && m->napis != 1)
        __builtin_trap(); /* one definition, one API */
    gh_model_unref(m);
    gh_diags_free(&d);
    return 0;
}
