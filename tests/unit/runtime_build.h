/* A runtime built from one definition file as `serve` builds it, for tests of what runs
 * on a runtime (the simulator's invoker, hot reload). Include after cmocka.h. */
#ifndef GH_TEST_RUNTIME_BUILD_H
#define GH_TEST_RUNTIME_BUILD_H
#include <stdio.h>

#include "server/runtime.h"

/* Fails the test, printing the diagnostics, when the definition does not load. */
static inline gh_runtime *build_runtime(const char *def, unsigned generation)
{
    const char *defs[] = {def};
    gh_load_options opt = {.definitions = defs, .ndefinitions = 1, .port = -1,
                           .generation = generation};
    gh_diags d = GH_DIAGS_INIT;
    gh_runtime *rt = gh_runtime_build(&opt, &d);
    if (!rt)
        gh_diags_print(&d, stderr);
    gh_diags_free(&d);
    assert_non_null(rt);
    return rt;
}

#endif
