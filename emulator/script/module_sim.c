/* gatehouse.sqs, gatehouse.sns and gatehouse.lambda: the simulated AWS of the process
 * (sim/sim.h), for user scripts. The simulator is process-wide (one per serve / test
 * process, installed by its owner with gh_module_set_sim), so every Lua state reaches
 * it without per-call context. Errors raise Lua errors whose message carries AWS's code:
 * "sqs.send: AWS.SimpleQueueService.NonExistentQueue: The specified queue does not
 * exist for this wsdl version.". C memory taken here is freed before anything may
 * raise; what must live across Lua calls is Lua-owned (userdata, stack strings). */
#include <jansson.h>
#include <lauxlib.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/convert.h"
#include "script/module.h"
#include "sim/sim.h"
#include "sim/sqs_event.h"

/* A function invoking a function holds its Lua state while the callee takes another
 * from the same pool, which may hold only two: one level of nesting, so a function that
 * invokes itself fails at once instead of waiting for a state that never frees. */
#define MAX_INVOKE_DEPTH 1

static _Atomic(gh_sim *) process_sim;
static _Thread_local int invoke_depth;

void gh_module_set_sim(struct gh_sim *sim)
{
    atomic_store(&process_sim, sim);
}

static gh_sim *sim_of(lua_State *L, const char *fn)
{
    gh_sim *sim = atomic_load(&process_sim);
    if (!sim)
        luaL_error(L, "%s: no simulated AWS runs in this process", fn);
    return sim;
}

/* A queue named by name, URL (http://host/ACCOUNT/NAME) or ARN: the name. Queues are
 * found by name whatever the account (sim/sqs.h). */
static const char *queue_name(const char *s)
{
    const char *slash = strrchr(s, '/');
    if (slash)
        return slash + 1;
    const char *colon = strncmp(s, "arn:", 4) == 0 ? strrchr(s, ':') : NULL;
    return colon ? colon + 1 : s;
}

/* Pushes a JSON value in a protected call and frees it either way. */
static int push_json_value(lua_State *L)
{
    gh_lua_push_json(L, lua_touserdata(L, 1));
    return 1;
}

static int push_and_free(lua_State *L, json_t *v)
{
    lua_pushcfunction(L, push_json_value);
    lua_pushlightuserdata(L, v);
    int rc = lua_pcall(L, 1, 1, 0);
    json_decref(v);
    return rc == LUA_OK ? 1 : lua_error(L);
}

static int fail(lua_State *L, const char *fn, const gh_sqs_error *e)
{
    return luaL_error(L, "%s: %s: %s", fn, e->code ? e->code : "InternalError", e->message);
}

/* opts.attributes {name = "text" | number | {dataType=, stringValue=, binaryValue=}}
 * into a userdata array of gh_sqs_attr (Lua owns it and the strings it points at, which
 * the opts table keeps alive). Leaves the array on the stack; returns its length. */
static size_t read_attributes(lua_State *L, int opts, const char *fn, gh_sqs_attr **out)
{
    *out = NULL;
    if (lua_getfield(L, opts, "attributes") == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushnil(L);
        return 0;
    }
    int t = lua_gettop(L);
    luaL_argexpected(L, lua_istable(L, t), 3, "attributes as a table");
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, t); lua_pop(L, 1))
        n++;
    gh_sqs_attr *a = lua_newuserdatauv(L, (n ? n : 1) * sizeof *a, 0);
    memset(a, 0, (n ? n : 1) * sizeof *a);
    size_t i = 0;
    for (lua_pushnil(L); lua_next(L, t) && i < n; lua_pop(L, 1), i++) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: attribute names must be strings", fn);
        a[i].name = lua_tostring(L, -2);
        if (lua_type(L, -1) == LUA_TSTRING) {
            a[i].data_type = "String";
            a[i].string_value = lua_tostring(L, -1);
        } else if (lua_type(L, -1) == LUA_TNUMBER) {
            a[i].data_type = "Number";
            /* Its text, stored back in the attributes table so the string lives as
             * long as the table (changing an existing field is allowed in lua_next). */
            lua_pushvalue(L, -1);
            a[i].string_value = lua_tostring(L, -1);
            lua_replace(L, -2);
            lua_pushvalue(L, -2);
            lua_pushvalue(L, -2);
            lua_rawset(L, t);
        } else if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "dataType");
            lua_getfield(L, -2, "stringValue");
            lua_getfield(L, -3, "binaryValue");
            a[i].data_type = lua_tostring(L, -3);
            a[i].string_value = lua_tostring(L, -2);
            size_t blen = 0;
            a[i].binary_value = (const unsigned char *)lua_tolstring(L, -1, &blen);
            a[i].binary_len = blen;
            lua_pop(L, 3); /* the strings stay reachable from the attribute's table */
            if (!a[i].data_type)
                luaL_error(L, "%s: attribute '%s' needs a dataType", fn, a[i].name);
        } else {
            luaL_error(L, "%s: attribute '%s' must be a string, a number or a table", fn,
                       a[i].name);
        }
    }
    lua_remove(L, t); /* the attributes table stays reachable from opts */
    *out = a;
    return n;
}

static const char *opt_string(lua_State *L, int opts, const char *key)
{
    if (!opts)
        return NULL;
    lua_getfield(L, opts, key);
    const char *s = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
    lua_pop(L, 1); /* a string field stays alive in opts */
    return s;
}

static lua_Integer opt_integer(lua_State *L, int opts, const char *key, lua_Integer dflt)
{
    if (!opts)
        return dflt;
    lua_getfield(L, opts, key);
    lua_Integer v = lua_isnil(L, -1) ? dflt : luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    return v;
}

static int sqs_send(lua_State *L)
{
    const char *queue = queue_name(luaL_checkstring(L, 1));
    size_t len;
    const char *body = luaL_checklstring(L, 2, &len);
    int opts = lua_isnoneornil(L, 3) ? 0 : (luaL_checktype(L, 3, LUA_TTABLE), 3);
    gh_sim *sim = sim_of(L, "sqs.send");
    gh_sqs_send m = {.body = body, .body_len = len, .delay_seconds = -1};
    gh_sqs_attr *attrs = NULL;
    if (opts) {
        m.nattrs = read_attributes(L, opts, "sqs.send", &attrs);
        m.attrs = attrs;
        m.delay_seconds = (int)opt_integer(L, opts, "delaySeconds", -1);
        m.group_id = opt_string(L, opts, "groupId");
        m.dedup_id = opt_string(L, opts, "dedupId");
    }
    gh_sqs_sent sent;
    gh_sqs_error err = {0};
    if (gh_sqs_send_message(sim->sqs, queue, &m, &sent, &err) != 0)
        return fail(L, "sqs.send", &err);
    lua_pushstring(L, sent.message_id);
    return 1;
}

static int sqs_receive(lua_State *L)
{
    const char *queue = queue_name(luaL_checkstring(L, 1));
    int opts = lua_isnoneornil(L, 2) ? 0 : (luaL_checktype(L, 2, LUA_TTABLE), 2);
    gh_sim *sim = sim_of(L, "sqs.receive");
    gh_sqs_receive r = {
        .max_messages = (int)opt_integer(L, opts, "max", 1),
        .visibility_timeout = (int)opt_integer(L, opts, "visibilityTimeout", -1),
        .wait_seconds = (int)opt_integer(L, opts, "wait", 0),
    };
    gh_sqs_message *m = NULL;
    size_t n = 0;
    gh_sqs_error err = {0};
    if (gh_sqs_receive_messages(sim->sqs, queue, &r, &m, &n, &err) != 0)
        return fail(L, "sqs.receive", &err);
    /* The records an SQS event source would hand a function, so a handler written for
     * one reads the other. */
    char arn[512];
    snprintf(arn, sizeof arn, "arn:aws:sqs:%s:%s:%s", gh_sqs_region(sim->sqs),
             gh_sqs_account(sim->sqs), queue);
    json_t *event = gh_sqs_event_build(m, n, arn, gh_sqs_region(sim->sqs));
    gh_sqs_messages_free(m, n);
    if (!event)
        return luaL_error(L, "sqs.receive: not enough memory");
    json_t *records = json_incref(json_object_get(event, "Records"));
    json_decref(event);
    return push_and_free(L, records);
}

static int sqs_delete(lua_State *L)
{
    const char *queue = queue_name(luaL_checkstring(L, 1));
    const char *receipt = luaL_checkstring(L, 2);
    gh_sim *sim = sim_of(L, "sqs.delete");
    gh_sqs_error err = {0};
    if (gh_sqs_delete_message(sim->sqs, queue, receipt, &err) != 0)
        return fail(L, "sqs.delete", &err);
    lua_pushboolean(L, 1);
    return 1;
}

static int sns_publish(lua_State *L)
{
    const char *topic = luaL_checkstring(L, 1);
    const char *message = luaL_checkstring(L, 2);
    int opts = lua_isnoneornil(L, 3) ? 0 : (luaL_checktype(L, 3, LUA_TTABLE), 3);
    gh_sim *sim = sim_of(L, "sns.publish");
    /* A bare name means the topic of this simulator's region and account. */
    char arn[512];
    if (strncmp(topic, "arn:", 4) != 0) {
        snprintf(arn, sizeof arn, "arn:aws:sns:%s:%s:%s", gh_sqs_region(sim->sqs),
                 gh_sqs_account(sim->sqs), topic);
        topic = arn;
    }
    struct gh_sns_publish p = {.topic_arn = topic, .message = message};
    gh_sqs_attr *attrs = NULL;
    if (opts) {
        p.nattrs = read_attributes(L, opts, "sns.publish", &attrs);
        p.attrs = attrs;
        p.subject = opt_string(L, opts, "subject");
        p.message_structure = opt_string(L, opts, "messageStructure");
        p.group_id = opt_string(L, opts, "groupId");
        p.dedup_id = opt_string(L, opts, "dedupId");
    }
    char id[37], seq[21];
    gh_sns_error err = {0};
    if (gh_sns_publish(sim->sns, &p, id, seq, &err) != 0)
        return fail(L, "sns.publish", &err);
    lua_pushstring(L, id);
    return 1;
}

static int lambda_invoke(lua_State *L)
{
    const char *function = luaL_checkstring(L, 1);
    luaL_checkany(L, 2);
    gh_sim *sim = sim_of(L, "lambda.invoke");
    if (!sim->invoke)
        return luaL_error(L, "lambda.invoke: ServiceException: no Lua runtime is running");
    if (invoke_depth >= MAX_INVOKE_DEPTH)
        return luaL_error(L,
                          "lambda.invoke: TooManyRequestsException: a function "
                          "invoked by gatehouse.lambda.invoke cannot invoke another (at most "
                          "%d level)",
                          MAX_INVOKE_DEPTH);
    json_t *event = gh_lua_to_json(L, 2);
    char *text = json_dumps(event, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(event);
    if (!text)
        return luaL_error(L, "lambda.invoke: InvalidRequestContentException: the event is "
                             "not valid UTF-8");
    char *result = NULL;
    invoke_depth++;
    int rc = sim->invoke(sim->invoke_ud, function, text, &result);
    invoke_depth--;
    free(text);
    if (rc == -1) {
        free(result);
        /* Lambda's Invoke: 404 ResourceNotFoundException "Function not found: ARN". */
        return luaL_error(L, "lambda.invoke: ResourceNotFoundException: Function not found: %s",
                          function);
    }
    json_t *v = json_loads(result ? result : "null", JSON_DECODE_ANY, NULL);
    free(result);
    if (rc == 1) {
        /* The function failed: its errorType and errorMessage, as the Invoke response's
         * X-Amz-Function-Error payload carries them. */
        const char *type = json_string_value(json_object_get(v, "errorType"));
        const char *text = json_string_value(json_object_get(v, "errorMessage"));
        char msg[1024];
        snprintf(msg, sizeof msg, "lambda.invoke: %s: %s", type ? type : "Error", text ? text : "");
        json_decref(v);
        return luaL_error(L, "%s", msg);
    }
    return push_and_free(L, v);
}

void gh_module_open_sim(lua_State *L)
{
    static const luaL_Reg sqs_fns[] = {
        {"send", sqs_send}, {"receive", sqs_receive}, {"delete", sqs_delete}, {NULL, NULL}};
    static const luaL_Reg sns_fns[] = {{"publish", sns_publish}, {NULL, NULL}};
    static const luaL_Reg lambda_fns[] = {{"invoke", lambda_invoke}, {NULL, NULL}};
    luaL_newlib(L, sqs_fns);
    lua_setfield(L, -2, "sqs");
    luaL_newlib(L, sns_fns);
    lua_setfield(L, -2, "sns");
    luaL_newlib(L, lambda_fns);
    lua_setfield(L, -2, "lambda");
}
