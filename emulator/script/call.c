/* One handler run on a checked-out state: the `context` object Lambda's Node.js runtime
 * passes, the protected call through the traceback handler, and turning what happened
 * into a gh_script_result (AWS's error shapes for errors, timeouts and memory kills). */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/convert.h"
#include "script/state.h"
#include "util/clock.h"

/* Lambda's default function timeout, used when the caller passes none. */
#define DEFAULT_TIMEOUT_MS 3000

typedef struct call_args {
    int ref;
    const json_t *event;
    const gh_value *tree; /* pushed instead of event when set */
    const gh_lambda_context *ctx;
    int64_t deadline;
    json_t *result;
    const gh_script_custom *custom; /* arguments and result through these when set */
} call_args;

static int remaining_time(lua_State *L)
{
    int64_t left = (int64_t)lua_tointeger(L, lua_upvalueindex(1)) - gh_clock_mono_ms();
    lua_pushinteger(L, left > 0 ? (lua_Integer)left : 0);
    return 1;
}

static void set_string(lua_State *L, const char *key, const char *value)
{
    if (!value)
        return;
    lua_pushstring(L, value);
    lua_setfield(L, -2, key);
}

/* The Node.js context object's fields; memoryLimitInMB is a string there. */
static void push_context(lua_State *L, const gh_lambda_context *c, int64_t deadline)
{
    lua_createtable(L, 0, 10);
    if (!c)
        return;
    set_string(L, "functionName", c->function_name);
    set_string(L, "functionVersion", c->function_version);
    set_string(L, "invokedFunctionArn", c->invoked_function_arn);
    set_string(L, "awsRequestId", c->aws_request_id);
    set_string(L, "logGroupName", c->log_group_name);
    set_string(L, "logStreamName", c->log_stream_name);
    lua_pushfstring(L, "%d", c->memory_limit_mb);
    lua_setfield(L, -2, "memoryLimitInMB");
    lua_pushinteger(L, (lua_Integer)deadline);
    lua_pushcclosure(L, remaining_time, 1);
    lua_setfield(L, -2, "getRemainingTimeInMillis");
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "callbackWaitsForEmptyEventLoop");
}

static int run(lua_State *L)
{
    call_args *a = lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
    if (a->custom) {
        int nargs = a->custom->push(L, a->custom->ud);
        lua_call(L, nargs, 1);
        a->custom->result(L, a->custom->ud);
        return 0;
    }
    if (a->tree)
        gh_lua_push_value(L, a->tree);
    else
        gh_lua_push_json(L, a->event);
    push_context(L, a->ctx, a->deadline);
    lua_call(L, 2, 1);
    a->result = gh_lua_to_json(L, -1);
    return 0;
}

typedef struct error_desc {
    char *message;
    char *type;
} error_desc;

static char *dup_top(lua_State *L)
{
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    char *out = malloc(len + 1);
    if (out) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    return out;
}

/* error("x") keeps Lua's "file:line: x"; error({errorType=, errorMessage=}) is the shape
 * Lambda reports for a failed invocation, so scripts can choose both fields. */
static int describe(lua_State *L)
{
    error_desc *e = lua_touserdata(L, 1);
    int v = 2;
    if (lua_type(L, v) == LUA_TTABLE) {
        int has_type = lua_getfield(L, v, "errorType") == LUA_TSTRING;
        int has_msg = lua_getfield(L, v, "errorMessage") != LUA_TNIL;
        if (has_type || has_msg) {
            if (has_type) {
                lua_pushvalue(L, -2);
                e->type = dup_top(L);
                lua_pop(L, 1);
            }
            if (has_msg)
                luaL_tolstring(L, -1, NULL);
            else
                lua_pushliteral(L, "");
            e->message = dup_top(L);
            return 0;
        }
        lua_settop(L, 2);
    }
    if (lua_type(L, v) == LUA_TSTRING || lua_type(L, v) == LUA_TNUMBER ||
        luaL_getmetafield(L, v, "__tostring") != LUA_TNIL)
        luaL_tolstring(L, v, NULL);
    else
        lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, v));
    e->message = dup_top(L);
    return 0;
}

static void describe_error(lua_State *L, gh_script_result *out)
{
    error_desc e = {NULL, NULL};
    /* Stack: err -> describe | desc | err */
    lua_pushcfunction(L, describe);
    lua_pushlightuserdata(L, &e);
    lua_pushvalue(L, -3);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK)
        lua_pop(L, 1);
    out->error_message = e.message ? e.message : strdup("unknown error");
    out->error_type = e.type ? e.type : strdup("Error");
}

static gh_script_status state_call(gh_script_state *st, int script, call_args *args,
                                   int timeout_ms, gh_script_result *out);

gh_script_status gh_script_state_call(gh_script_state *st, int script, const json_t *event,
                                      const gh_value *tree, const gh_lambda_context *ctx,
                                      int timeout_ms, gh_script_result *out)
{
    call_args a = {0, event, tree, ctx, 0, NULL, NULL};
    return state_call(st, script, &a, timeout_ms, out);
}

gh_script_status gh_script_state_call_custom(gh_script_state *st, int script,
                                             const gh_script_custom *c, int timeout_ms,
                                             gh_script_result *out)
{
    call_args a = {0, NULL, NULL, NULL, 0, NULL, c};
    return state_call(st, script, &a, timeout_ms, out);
}

static gh_script_status state_call(gh_script_state *st, int script, call_args *args,
                                   int timeout_ms, gh_script_result *out)
{
    const gh_lambda_context *ctx = args->ctx;
    lua_State *L = st->L;
    int64_t start = gh_clock_mono_ms();
    memset(out, 0, sizeof *out);
    if (script < 0 || (size_t)script >= st->nhandlers || st->handlers[script] == LUA_NOREF) {
        out->status = GH_SCRIPT_ERROR;
        out->error_message = strdup("no such script in the runtime");
        out->error_type = strdup("Error");
        return out->status;
    }
    if (timeout_ms <= 0)
        timeout_ms = DEFAULT_TIMEOUT_MS;

    call_args a = *args;
    a.ref = st->handlers[script];
    a.deadline = start + timeout_ms;
    gh_script_state_arm(st, a.deadline);
    st->env = ctx ? ctx->environment : NULL;
    free(st->traceback);
    st->traceback = NULL;

    /* Stack: msgh | run | args */
    lua_settop(L, 0);
    gh_script_state_push_msgh(L);
    lua_pushcfunction(L, run);
    lua_pushlightuserdata(L, &a);
    int rc = lua_pcall(L, 1, 0, 1);
    out->duration_ms = gh_clock_mono_ms() - start;
    if (a.custom && a.custom->done)
        a.custom->done(L, a.custom->ud);

    /* A script that caught the kill and returned before the hook fired again still ran
     * past its deadline or its memory: it fails all the same. */
    if (rc == LUA_OK && st->kill == GH_KILL_NONE) {
        out->status = GH_SCRIPT_OK;
        out->value = a.custom ? NULL : a.result ? a.result : json_null();
    } else {
        json_decref(a.result);
        if (st->kill == GH_KILL_TIMEOUT) {
            /* Lambda's message and type for a function that ran past its timeout. */
            char msg[64];
            snprintf(msg, sizeof msg, "Task timed out after %.2f seconds",
                     (double)out->duration_ms / 1000.0);
            out->status = GH_SCRIPT_TIMEOUT;
            out->error_message = strdup(msg);
            out->error_type = strdup("Sandbox.Timedout");
        } else if (st->kill == GH_KILL_MEMORY || rc == LUA_ERRMEM) {
            /* Lambda kills a runtime that outgrows its memory; this is what it reports. */
            st->kill = GH_KILL_MEMORY;
            out->status = GH_SCRIPT_MEMORY;
            out->error_message = strdup("Runtime exited with error: signal: killed");
            out->error_type = strdup("Runtime.ExitError");
        } else {
            out->status = GH_SCRIPT_ERROR;
            /* Describing runs the error's own __tostring, if any: bound it too. */
            st->deadline_ms = gh_clock_mono_ms() + 100;
            describe_error(L, out);
        }
        out->traceback = st->traceback;
        st->traceback = NULL;
        if (!out->traceback && out->status == GH_SCRIPT_MEMORY) {
            char note[128];
            snprintf(note, sizeof note, "not enough memory: the state reached its cap of %zu bytes",
                     st->cap);
            out->traceback = strdup(note);
        }
    }
    st->deadline_ms = 0;
    st->env = NULL;
    lua_settop(L, 0);
    return out->status;
}
