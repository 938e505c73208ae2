/* The embedded Lua runtime: a small pool of lua_States (about two per core, not one per
 * civetweb thread), each holding every script of one model precompiled. A call checks a
 * state out, runs one function under an instruction-count timeout and a memory cap, and
 * returns it. Values cross the boundary as JSON (jansson) or arena value trees through
 * script/convert.h. */
#ifndef GH_SCRIPT_POOL_H
#define GH_SCRIPT_POOL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "spec/model.h"
#include "util/diag.h"
#include "util/value.h"

typedef struct gh_script_pool gh_script_pool;

typedef enum {
    GH_SCRIPT_OK,
    GH_SCRIPT_ERROR,   /* the script raised (error(...), runtime error) */
    GH_SCRIPT_TIMEOUT, /* ran past its deadline */
    GH_SCRIPT_MEMORY,  /* hit the per-state memory cap */
} gh_script_status;

typedef struct gh_script_result {
    gh_script_status status;
    json_t *value;        /* OK: the returned value (JSON null for nil); caller owns */
    char *error_message;  /* ERROR: the raised value as text, position prefix kept */
    char *error_type;     /* ERROR: "Error" unless the script raised {errorType=...} */
    char *traceback;      /* ERROR/TIMEOUT/MEMORY: Lua traceback for the log */
    int64_t duration_ms;
} gh_script_result;

/* What a Lambda handler's `context` argument carries (Node.js context object names). */
typedef struct gh_lambda_context {
    const char *function_name;
    const char *function_version;    /* "$LATEST" */
    const char *invoked_function_arn;
    const char *aws_request_id;
    const char *log_group_name;      /* "/aws/lambda/NAME" */
    const char *log_stream_name;
    int memory_limit_mb;
    const gh_kvs *environment;       /* what os.getenv sees during this call; may be NULL */
} gh_lambda_context;

/* Builds nstates states (0: two per core), each compiling every model script. Returns
 * NULL with diagnostics when a script does not compile. Does not keep the model. */
gh_script_pool *gh_script_pool_new(const gh_model *m, size_t nstates, gh_diags *d);
void gh_script_pool_free(gh_script_pool *p);

/* Calls the function script `script` returned at load with (event, context), where
 * context is built from ctx (may be NULL: an empty table). Blocks while every state is
 * busy. timeout_ms bounds the run (instruction hook + wall clock). Always fills *out;
 * returns out->status. `event` is borrowed. */
gh_script_status gh_script_call(gh_script_pool *p, int script, json_t *event,
                                const gh_lambda_context *ctx, int timeout_ms,
                                gh_script_result *out);
/* The same with the event as an arena value tree (the proxy event), pushed into Lua
 * directly; the handler sees exactly what gh_script_call(gh_value_to_json(event))
 * would give it. `event` is borrowed. */
gh_script_status gh_script_call_value(gh_script_pool *p, int script, const gh_value *event,
                                      const gh_lambda_context *ctx, int timeout_ms,
                                      gh_script_result *out);
void gh_script_result_free(gh_script_result *r);

typedef struct lua_State lua_State;
/* A call whose arguments the caller builds in Lua itself (Lua templates' input, context,
 * stageVariables and util objects). push runs inside the protected call with the
 * script's function on the stack, pushes the arguments and returns how many; result
 * runs once the function returned, its one result on top of the stack. Both may raise
 * a Lua error, which fails the call as the script's own would. ud goes to both. */
typedef struct gh_script_custom {
    int (*push)(lua_State *L, void *ud);
    void (*result)(lua_State *L, void *ud);
    void *ud;
    /* Optional: runs after the call however it ended (error, timeout, memory kill
     * included), outside protected mode, so it must not raise: for forgetting ud where
     * closures the call created could still reach it. */
    void (*done)(lua_State *L, void *ud);
} gh_script_custom;

/* gh_script_call with custom arguments: same pool, sandbox, timeout and memory cap, same
 * *out, except that out->value stays NULL (result has read the value). */
gh_script_status gh_script_call_custom(gh_script_pool *p, int script, const gh_script_custom *c,
                                       int timeout_ms, gh_script_result *out);

/* A Lua file `require` loaded, with the modification time and size it had when read. */
typedef struct gh_script_file {
    const char *path;
    struct timespec mtime;
    long long size;
} gh_script_file;

/* Calls fn for every Lua file `require` has loaded so far in any state (modules are
 * found at run time, not by the loader), so `serve --watch` can reload on their edits. */
void gh_script_pool_each_file(gh_script_pool *p, void (*fn)(const gh_script_file *f, void *ud),
                              void *ud);

/* Per-state memory cap in bytes (default 64 MiB); set before gh_script_pool_new. */
void gh_script_set_memory_cap(size_t bytes);

#endif
