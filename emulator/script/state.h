/* One sandboxed lua_State of the script pool, private to script/. It owns the custom
 * allocator's accounting (memory cap), the instruction-count hook's deadline, the
 * environment os.getenv reads during a call, and a registry reference to the function
 * each model script returned when its top level ran. */
#ifndef GH_SCRIPT_STATE_H
#define GH_SCRIPT_STATE_H
#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "script/pool.h"
#include "spec/model.h"
#include "util/diag.h"

/* Why the runtime stopped the running script; once set it stays set until the call
 * ends, so the hook keeps raising and a script's own pcall cannot swallow the kill. */
typedef enum { GH_KILL_NONE, GH_KILL_TIMEOUT, GH_KILL_MEMORY } gh_script_kill;

/* Told the path of every file `require` loads, and its stat from just before reading,
 * so --watch can reload on its edits. */
typedef struct gh_script_file_hook {
    void (*fn)(void *ud, const char *path, const struct stat *st);
    void *ud;
} gh_script_file_hook;

/* Small-block cache of the allocator: classes of 16, 32, ... 256 bytes. */
#define GH_SMALL_STEP 16
#define GH_SMALL_CLASSES 16

typedef struct gh_script_state {
    lua_State *L;
    size_t used;             /* bytes the allocator has handed out */
    size_t cap;              /* refuse to grow past this */
    int64_t deadline_ms;     /* monotonic; 0 = none */
    gh_script_kill kill;
    const gh_kvs *env;       /* os.getenv during the current call; NULL = empty */
    int *handlers;           /* registry refs, one per model script */
    size_t nhandlers;
    const char *const *dirs; /* require's folders (owned by the pool) */
    size_t ndirs;
    char *traceback;         /* from the message handler of the last failed run (malloc) */
    gh_script_file_hook file_hook; /* fn may be NULL */
    /* Freed small blocks kept for reuse, one list per GH_SMALL_STEP-byte size class
     * (state_alloc in state.c); not counted in `used`, which counts live bytes only. */
    void *small_free[GH_SMALL_CLASSES];
    unsigned small_count[GH_SMALL_CLASSES];
} gh_script_state;

/* Builds a state: sandbox, `require`, and every script compiled and its top level run.
 * On failure adds diagnostics to d (when d is non-NULL) and returns NULL. */
gh_script_state *gh_script_state_new(const gh_script *scripts, size_t nscripts,
                                     const char *const *dirs, size_t ndirs, size_t cap,
                                     const gh_script_file_hook *hook, gh_diags *d);
void gh_script_state_free(gh_script_state *st);
gh_script_state *gh_script_state_of(lua_State *L);

/* Clears a previous kill and sets the deadline (monotonic ms, 0 = none) for a run. */
void gh_script_state_arm(gh_script_state *st, int64_t deadline_ms);

/* Pushes the message handler every protected run uses: it records a traceback in
 * st->traceback and leaves the error value as it was. */
void gh_script_state_push_msgh(lua_State *L);

/* Runs script `script`'s handler with (event, context), the event given either as JSON
 * or, when tree is non-NULL, as a value tree; see gh_script_call. Afterwards the stack
 * is empty; st->kill tells whether the state should be rebuilt. */
gh_script_status gh_script_state_call(gh_script_state *st, int script, const json_t *event,
                                      const gh_value *tree, const gh_lambda_context *ctx,
                                      int timeout_ms, gh_script_result *out);
/* The same with arguments and result handled by c (gh_script_call_custom). */
gh_script_status gh_script_state_call_custom(gh_script_state *st, int script,
                                             const gh_script_custom *c, int timeout_ms,
                                             gh_script_result *out);

#endif
