/* The live runtime (model + Lua states) the server answers from, swappable while
 * requests are in flight: a request holds a reference to the generation it started on,
 * and the old generation is freed when its last request finishes. */
#ifndef GH_LIVE_H
#define GH_LIVE_H
#include "gateway/pipeline.h"
#include "spec/load.h"
#include "util/diag.h"

typedef struct gh_live gh_live;

/* Loads the definitions and builds Lua states for them. NULL with diagnostics on error;
 * warnings are added to d either way. The result is owned by the caller until handed to
 * gh_live_new / gh_live_swap; free an unused one with gh_runtime_free. */
gh_runtime *gh_runtime_build(const gh_load_options *opt, gh_diags *d);
/* Also frees rt->auth_cache: a runtime from gh_runtime_build owns the cache the command
 * gave it, so each generation (a hot reload builds a new one) starts with an empty cache
 * and no cached result outlives the definition that produced it. */
void gh_runtime_free(gh_runtime *rt);

gh_live *gh_live_new(gh_runtime *rt);   /* takes ownership of rt */
void gh_live_free(gh_live *l);          /* after the server stopped */
/* Installs rt (ownership moves); the previous one is freed once no request uses it. */
void gh_live_swap(gh_live *l, gh_runtime *rt);
/* A reference to the current runtime; give it back with gh_live_release. */
const gh_runtime *gh_live_acquire(gh_live *l);
void gh_live_release(gh_live *l, const gh_runtime *rt);

#endif
