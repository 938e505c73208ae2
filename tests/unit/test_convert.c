/* script/convert: JSON <-> Lua values, round trips, nulls, numbers, bytes, errors; value
 * trees (util/value.h) pushed as their JSON form would be. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

#include "script/convert.h"

/* ---- helpers: every conversion runs inside a protected call, as the contract asks ---- */

typedef struct {
    const json_t *in;
    const gh_value *tree; /* pushed instead of in when set */
    const char *code; /* a chunk returning function(v) ... end, or a value-returning chunk */
    json_t *out;
} job;

/* push(in) -> code(v) -> to_json(result) */
static int run_job(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    if (luaL_loadstring(L, j->code) != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1);
    if (j->tree) {
        gh_lua_push_value(L, j->tree);
        lua_call(L, 1, 1);
    } else if (j->in) {
        gh_lua_push_json(L, j->in);
        lua_call(L, 1, 1);
    }
    j->out = gh_lua_to_json(L, -1);
    return 0;
}

/* Returns the converted value, or NULL with *err set to the Lua error message. */
static json_t *eval_either(const json_t *in, const gh_value *tree, const char *code, char *err,
                           size_t errsize)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    job j = {in, tree, code, NULL};
    lua_pushcfunction(L, run_job);
    lua_pushlightuserdata(L, &j);
    int rc = lua_pcall(L, 1, 0, 0);
    if (rc != LUA_OK && err)
        snprintf(err, errsize, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
    lua_close(L);
    return rc == LUA_OK ? j.out : NULL;
}

static json_t *eval(const json_t *in, const char *code, char *err, size_t errsize)
{
    return eval_either(in, NULL, code, err, errsize);
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    assert_non_null(v);
    return v;
}

/* ---- cases ---- */

static void round_trips_nested_values(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{\"a\":[1,2.5,\"x\",null,true,false,{\"b\":null}],\"c\":{},\"d\":[]}",
        "{\"unicode\":\"\\u00e9\\u2603\\ud83d\\ude00\",\"nested\":[[[[]]]],\"n\":-0}",
        "[null,null,1]",
        "{\"big\":9007199254740993,\"neg\":-9223372036854775808,\"r\":1e-7}",
        "{\"multiValueHeaders\":{\"a\":[\"1\",\"2\"]},\"body\":null,\"isBase64Encoded\":false}",
        "\"just a string\"",
        "42",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        json_t *in = parse(docs[i]);
        char err[256] = "";
        json_t *out = eval(in, "return function(v) return v end", err, sizeof err);
        assert_non_null(out);
        if (!json_equal(in, out)) {
            char *s = json_dumps(out, JSON_ENCODE_ANY);
            fail_msg("case %zu: got %s", i, s);
        }
        json_decref(in);
        json_decref(out);
    }
}

static void nulls_read_as_nil_in_objects_and_sentinel_in_arrays(void **state)
{
    (void)state;
    json_t *in = parse("{\"body\":null,\"q\":null,\"list\":[1,null,3],\"x\":1}");
    /* A null member reads as nil (so `event.body or ''` works), pairs() skips it; a null
     * array element is json.null, a light userdata, so the length stays 3. */
    json_t *out = eval(in,
                       "return function(v) local n = 0 for _ in pairs(v) do n = n + 1 end "
                       "return {body_nil = v.body == nil, members = n, len = #v.list, "
                       "mid = type(v.list[2])} end",
                       NULL, 0);
    json_t *want = parse("{\"body_nil\":true,\"members\":2,\"len\":3,\"mid\":\"userdata\"}");
    assert_true(json_equal(out, want));
    json_decref(out);
    json_decref(want);

    /* Setting a remembered-null member gives it its new value. */
    out = eval(in, "return function(v) v.body = 'now set' return v end", NULL, 0);
    assert_string_equal(json_string_value(json_object_get(out, "body")), "now set");
    assert_true(json_is_null(json_object_get(out, "q")));
    json_decref(out);
    json_decref(in);

    /* A top-level null is nil. */
    json_t *null = json_null();
    out = eval(null, "return function(v) return v == nil end", NULL, 0);
    assert_true(json_is_true(out));
    json_decref(out);
}

static const struct {
    const char *chunk; /* returns the Lua value to convert */
    const char *json;  /* expected JSON, or NULL when conversion must raise */
    const char *error; /* substring of the error */
} lua_cases[] = {
    {"return 200.0", "200", NULL},
    {"return -0.0", "0", NULL},
    {"return 2.5", "2.5", NULL},
    {"return 2^63", "9.2233720368547758e18", NULL},
    {"return math.maxinteger", "9223372036854775807", NULL},
    {"return {}", "{}", NULL},
    {"return {1, 2, 3}", "[1,2,3]", NULL},
    {"return {1, nil, 3}", "{\"1\":1,\"3\":3}", NULL},
    {"return {[2]='b', [1]='a'}", "[\"a\",\"b\"]", NULL},
    {"return {[0]='z', 'a'}", "{\"0\":\"z\",\"1\":\"a\"}", NULL},
    {"return {[1]='a', x=1}", "{\"1\":\"a\",\"x\":1}", NULL},
    {"return {statusCode=200.0, headers={['Content-Type']='text/plain'}}",
     "{\"statusCode\":200,\"headers\":{\"Content-Type\":\"text/plain\"}}", NULL},
    {"return nil", "null", NULL},
    {"return true", "true", NULL},
    {"return 0/0", NULL, "NaN"},
    {"return 1/0", NULL, "infinity"},
    {"return {f = print}", NULL, "function"},
    {"return {[true] = 1}", NULL, "boolean key"},
    {"return {[1.5] = 1}", NULL, "number key"},
    {"local t = {} t.self = t return t", NULL, "nested deeper"},
    {"return coroutine.create(print)", NULL, "thread"},
};

static void converts_lua_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof lua_cases / sizeof *lua_cases; i++) {
        char err[256] = "";
        json_t *out = eval(NULL, lua_cases[i].chunk, err, sizeof err);
        if (lua_cases[i].json) {
            if (!out)
                fail_msg("case %zu (%s): %s", i, lua_cases[i].chunk, err);
            json_t *want = parse(lua_cases[i].json);
            if (!json_equal(out, want)) {
                char *s = json_dumps(out, JSON_ENCODE_ANY);
                fail_msg("case %zu (%s): got %s", i, lua_cases[i].chunk, s);
            }
            /* Integral floats must become JSON integers, not reals. */
            assert_int_equal(json_typeof(out), json_typeof(want));
            json_decref(want);
            json_decref(out);
        } else {
            assert_null(out);
            if (!strstr(err, lua_cases[i].error))
                fail_msg("case %zu (%s): error '%s' lacks '%s'", i, lua_cases[i].chunk, err,
                         lua_cases[i].error);
        }
    }
}

static void strings_keep_every_byte(void **state)
{
    (void)state;
    static const char bytes[] = "a\0b\xff\xfe\x01z";
    json_t *in = json_stringn_nocheck(bytes, sizeof bytes - 1);
    json_t *out = eval(in, "return function(v) return {len = #v, same = v} end", NULL, 0);
    assert_int_equal(json_integer_value(json_object_get(out, "len")), sizeof bytes - 1);
    json_t *same = json_object_get(out, "same");
    assert_int_equal(json_string_length(same), sizeof bytes - 1);
    assert_memory_equal(json_string_value(same), bytes, sizeof bytes - 1);
    json_decref(in);
    json_decref(out);
}

static void deep_input_is_refused_not_crashed(void **state)
{
    (void)state;
    json_t *root = json_array(), *cur = root;
    for (int i = 0; i < 300; i++) {
        json_t *next = json_array();
        json_array_append_new(cur, next);
        cur = next;
    }
    char err[256] = "";
    assert_null(eval(root, "return function(v) return v end", err, sizeof err));
    assert_non_null(strstr(err, "deeper than 200"));
    json_decref(root);
}

static void big_tables_convert(void **state)
{
    (void)state;
    json_t *in = json_object();
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "header-%d", i);
        json_object_set_new(in, key, json_integer(i));
    }
    json_t *out = eval(in, "return function(v) return v end", NULL, 0);
    assert_true(json_equal(in, out));
    json_decref(in);
    json_decref(out);
}

/* What a handler sees of a value tree, probed from Lua: the echo (nulls written back, []
 * kept) and the facts a script can test. */
static const char probe[] =
    "return function(v) return {echo = v,"
    " body_is_nil = v.body == nil, body_in_pairs = (function() for k in pairs(v) do"
    "   if k == 'body' then return true end end return false end)(),"
    " hole = type(v.list[2]), len = #v.list, empty_len = #v.empty,"
    " empty_marked = getmetatable(v.empty) ~= nil, obj_marked = getmetatable(v.none) ~= nil,"
    " bin = #v.bin, n = v.n + 1, t = v.t and 1 or 0, f = v.f and 1 or 0,"
    " deep = v.nest.a[1].b, deep_null = v.nest.a[1].c == nil} end";

/* Member names are interned once per state and found again by address (convert.c's key
 * cache): text rewritten at the same address between two pushes, as an arena reused from
 * one message to the next is, must be read afresh; the stack must hold the value only. */
typedef struct {
    gh_value *tree;
    char *key;   /* the tree's one member name, rewritten between pushes */
    char got[2][64];
    int extra[2];
} keys_job;

static int push_twice(lua_State *L)
{
    keys_job *j = lua_touserdata(L, 1);
    for (int i = 0; i < 2; i++) {
        int top = lua_gettop(L);
        gh_lua_push_value(L, j->tree);
        j->extra[i] = lua_gettop(L) - top;
        lua_pushnil(L);
        if (lua_next(L, -2))
            snprintf(j->got[i], sizeof j->got[i], "%s=%s", lua_tostring(L, -2),
                     lua_tostring(L, -1));
        lua_settop(L, top);
        memcpy(j->key, "omega", 5);
    }
    return 0;
}

static void cached_keys_follow_their_text(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(256);
    char *key = gh_arena_strdup(a, "alpha");
    gh_value *root = gh_value_object(a, 1);
    gh_value_set(a, root, key, gh_value_str(a, "v"));
    keys_job j = {.tree = root, .key = key};
    lua_State *L = luaL_newstate();
    lua_pushcfunction(L, push_twice);
    lua_pushlightuserdata(L, &j);
    assert_int_equal(lua_pcall(L, 1, 0, 0), LUA_OK);
    lua_close(L);
    assert_string_equal(j.got[0], "alpha=v");
    assert_string_equal(j.got[1], "omega=v");
    assert_int_equal(j.extra[0], 1);
    assert_int_equal(j.extra[1], 1);
    gh_arena_free(a);
}

static void value_trees_push_like_their_json(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    static const char bin[] = "a\0\xff\xfe" "b"; /* a NUL and bytes that are not UTF-8 */
    gh_value *root = gh_value_object(a, 0);
    gh_value_set(a, root, "body", gh_value_null());
    gh_value *list = gh_value_array(a, 0);
    gh_value_append(a, list, gh_value_str(a, "x"));
    gh_value_append(a, list, gh_value_null());
    gh_value_append(a, list, gh_value_str(a, "z"));
    gh_value_set(a, root, "list", list);
    gh_value_set(a, root, "empty", gh_value_array(a, 0));
    gh_value_set(a, root, "none", gh_value_object(a, 2));
    gh_value_set(a, root, "bin", gh_value_strn(a, bin, sizeof bin - 1));
    gh_value_set(a, root, "n", gh_value_int(a, 9007199254740993LL));
    gh_value_set(a, root, "t", gh_value_bool(true));
    gh_value_set(a, root, "f", gh_value_bool(false));
    gh_value *inner = gh_value_object(a, 1), *arr = gh_value_array(a, 1);
    gh_value_set(a, inner, "b", gh_value_str(a, "deep"));
    gh_value_set(a, inner, "c", gh_value_null());
    gh_value_append(a, arr, inner);
    gh_value *nest = gh_value_object(a, 1);
    gh_value_set(a, nest, "a", arr);
    gh_value_set(a, root, "nest", nest);

    json_t *json = gh_value_to_json(root);
    json_t *via_json = eval_either(json, NULL, probe, NULL, 0);
    json_t *via_tree = eval_either(NULL, root, probe, NULL, 0);
    assert_non_null(via_json);
    assert_non_null(via_tree);
    assert_true(json_equal(via_json, via_tree));
    /* And they are what the converter promises, not merely alike. */
    json_t *expect = parse("{\"body_is_nil\": true, \"body_in_pairs\": false, \"hole\": \"userdata\","
                           " \"len\": 3, \"empty_len\": 0, \"empty_marked\": true,"
                           " \"obj_marked\": false, \"bin\": 5, \"n\": 9007199254740994,"
                           " \"t\": 1, \"f\": 0, \"deep\": \"deep\", \"deep_null\": true}");
    json_t *echo = json_object_get(via_tree, "echo");
    assert_true(json_equal(echo, json));
    json_object_del(via_tree, "echo");
    assert_true(json_equal(via_tree, expect));
    /* A top-level null is nil, like a NULL or null json_t. */
    json_t *nil = eval_either(NULL, gh_value_null(), "return function(v) return v == nil end", NULL, 0);
    assert_true(json_is_true(nil));

    json_decref(nil);
    json_decref(expect);
    json_decref(json);
    json_decref(via_json);
    json_decref(via_tree);
    gh_arena_free(a);
}

static void deep_value_trees_are_refused_not_crashed(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    gh_value *root = gh_value_array(a, 1), *cur = root;
    for (int i = 0; i < 300; i++) {
        gh_value *next = gh_value_array(a, 1);
        gh_value_append(a, cur, next);
        cur = next;
    }
    char err[256] = "";
    assert_null(eval_either(NULL, root, "return function(v) return v end", err, sizeof err));
    assert_non_null(strstr(err, "deeper than 200"));
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips_nested_values),
        cmocka_unit_test(nulls_read_as_nil_in_objects_and_sentinel_in_arrays),
        cmocka_unit_test(converts_lua_values),
        cmocka_unit_test(strings_keep_every_byte),
        cmocka_unit_test(deep_input_is_refused_not_crashed),
        cmocka_unit_test(big_tables_convert),
        cmocka_unit_test(value_trees_push_like_their_json),
        cmocka_unit_test(cached_keys_follow_their_text),
        cmocka_unit_test(deep_value_trees_are_refused_not_crashed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
