/* script/: the Lua runtime. A model is built by hand (no spec loader): scripts with inline
 * sources named like files, and one API whose folder holds modules for require. Timeouts
 * are real CPU loops against short deadlines, never sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/pool.h"
#include "util/arena.h"
#include "util/clock.h"

#define DATA_DIR "tests/unit/data/script"

enum {
    S_ECHO,
    S_CONTEXT,
    S_SANDBOX,
    S_BINARY,
    S_REQUIRE,
    S_LOOP,
    S_STRING_GROWTH,
    S_TABLE_GROWTH,
    S_BOOM,
    S_ERROR_TABLE,
    S_HANDLER_TABLE,
    S_MODULE,
    S_SQUARE,
    S_COUNT
};

static const struct {
    const char *path;
    const char *source;
} scripts[S_COUNT] = {
    [S_ECHO] = {"echo.lua", "return function(event, context) return event end\n"},
    [S_CONTEXT] =
        {"context.lua",
         "return function(event, c)\n"
         "  return {fn = c.functionName, ver = c.functionVersion,\n"
         "    arn = c.invokedFunctionArn, mem = c.memoryLimitInMB,\n"
         "    id = c.awsRequestId, lg = c.logGroupName, ls = c.logStreamName,\n"
         "    rem = c.getRemainingTimeInMillis(), cb = c.callbackWaitsForEmptyEventLoop,\n"
         "    stage = os.getenv('STAGE'), home = os.getenv('HOME') or 'absent'}\n"
         "end\n"},
    [S_SANDBOX] =
        {"sandbox.lua",
         "return function()\n"
         "  return {execute = type(os.execute), io = type(io), loadfile = type(loadfile),\n"
         "    dofile = type(dofile), getinfo = type(debug.getinfo),\n"
         "    traceback = type(debug.traceback), loadlib = type(package.loadlib),\n"
         "    remove = type(os.remove), exit = type(os.exit), warn = type(warn),\n"
         "    time = type(os.time), string = type(string.format),\n"
         "    stopgc = pcall(collectgarbage, 'stop'), countgc = type(collectgarbage('count')),\n"
         "    textload = load('return 1 + 1')(),\n"
         "    gc = (pcall(setmetatable, {}, {__gc = function() end})),\n"
         "    mt = getmetatable(setmetatable({}, {__index = {a = 1}})).__index.a,\n"
         "    xp = select(2, xpcall(error, function(m) return 'handled ' .. m end, 'e'))}\n"
         "end\n"},
    [S_BINARY] = {"binary.lua",
                  "return function()\n"
                  "  local f, err = load(string.dump(function() return 1 end), 'x', 'b')\n"
                  "  return {loaded = f ~= nil, err = tostring(err)}\n"
                  "end\n"},
    [S_REQUIRE] =
        {"require.lua",
         "return function()\n"
         "  local greet = require('lib.greet')\n"
         "  local again = require('lib/greet')\n"
         "  local function fails(name)\n"
         "    local ok, err = pcall(require, name)\n"
         "    return not ok and type(err) == 'string'\n"
         "  end\n"
         "  return {hello = greet.hello('lua'), same = rawequal(greet, "
         "package.loaded['lib.greet']),\n"
         "    pkg = require('pkg').name, gh = type(require('gatehouse').json.encode),\n"
         "    dotdot = fails('../secret'), dots = fails('..secret'), abs = fails('/etc/passwd'),\n"
         "    io = fails('io'), lfs = fails('lfs'), posix = fails('posix'),\n"
         "    osexec = type(require('os').execute), dbg = type(require('debug').getinfo),\n"
         "    missing = fails('nope'), again = again ~= nil}\n"
         "end\n"},
    [S_LOOP] = {"loop.lua", "return function()\n"
                            "  while true do\n"
                            "    pcall(function() while true do end end)\n"
                            "  end\n"
                            "end\n"},
    [S_STRING_GROWTH] = {"strings.lua", "return function()\n"
                                        "  local s = 'x'\n"
                                        "  while true do pcall(function() s = s .. s end) end\n"
                                        "end\n"},
    [S_TABLE_GROWTH] = {"tables.lua", "return function()\n"
                                      "  local t = {}\n"
                                      "  for i = 1, math.maxinteger do t[i] = {i} end\n"
                                      "end\n"},
    [S_BOOM] = {"boom.lua", "local function inner()\n"
                            "  error('boom')\n"
                            "end\n"
                            "return function(event, context)\n"
                            "  inner()\n"
                            "end\n"},
    [S_ERROR_TABLE] =
        {"errtable.lua",
         "return function()\n"
         "  error({errorType = 'ValidationError', errorMessage = 'name is required'})\n"
         "end\n"},
    [S_HANDLER_TABLE] =
        {"table.lua",
         "local calls = 0\n"
         "return {handler = function(event) calls = calls + 1 return event.x * 2 end}\n"},
    [S_MODULE] =
        {"module.lua",
         "local gatehouse = require('gatehouse')\n"
         "local json, b64, url = gatehouse.json, gatehouse.base64, gatehouse.url\n"
         "return function()\n"
         "  local decoded = json.decode('{\"a\":[1,null],\"b\":null,\"c\":\"\\\\u00e9\"}')\n"
         "  local ok, bad = pcall(json.decode, '{oops')\n"
         "  local okb, badb = pcall(b64.decode, '!!')\n"
         "  gatehouse.log('module test', 42)\n"
         "  print('print goes to the log too')\n"
         "  return {\n"
         "    encoded = json.encode({b = {1, 2, json.null}, a = 'x', n = 1.5, i = 3.0}),\n"
         "    roundtrip = json.encode(decoded),\n"
         "    a2null = decoded.a[2] == json.null, bnil = decoded.b == nil,\n"
         "    bad = not ok and bad:find('json.decode') ~= nil,\n"
         "    b64 = b64.encode('hello\\0world'), unb64 = b64.decode('aGk='),\n"
         "    badb = not okb, urlenc = url.encode('a b&c=d/é'),\n"
         "    urldec = url.decode('a+b%26c%3Dd%2F%C3%A9%zz'),\n"
         "    urlnul = #url.decode('a%00b'),\n"
         "    uuid = gatehouse.uuid(), now = gatehouse.now(),\n"
         "    topnull = json.decode('null') == nil, empty = json.encode({}),\n"
         "    emptyarr = json.encode(json.decode('[]'))}\n"
         "end\n"},
    [S_SQUARE] = {"square.lua", "local busy = 0\n"
                                "return function(event)\n"
                                "  busy = busy + 1\n"
                                "  local r = {n = event.n, sq = event.n * event.n, busy = busy}\n"
                                "  busy = busy - 1\n"
                                "  return r\n"
                                "end\n"},
};

/* A hand-built model holding the given sources (path[i], source[i]). */
static gh_model *model_of(const char *const *paths, const char *const *sources, size_t n)
{
    gh_arena *a = gh_arena_new(4096);
    gh_model *m = gh_arena_calloc(a, sizeof *m);
    m->arena = a;
    m->scripts = gh_arena_calloc(a, (n ? n : 1) * sizeof *m->scripts);
    m->nscripts = n;
    for (size_t i = 0; i < n; i++) {
        gh_script *s = &m->scripts[i];
        s->path = gh_arena_strdup(a, paths[i]);
        s->chunkname = gh_arena_printf(a, "@%s", paths[i]);
        s->source = gh_arena_strdup(a, sources[i]);
        s->len = strlen(sources[i]);
        s->mark = (gh_mark){"api.yaml", 10, 5};
    }
    m->apis = gh_arena_calloc(a, sizeof *m->apis);
    m->napis = 1;
    m->apis[0].dir = DATA_DIR;
    return m;
}

static gh_model *all_scripts(void)
{
    const char *paths[S_COUNT], *sources[S_COUNT];
    for (size_t i = 0; i < S_COUNT; i++) {
        paths[i] = scripts[i].path;
        sources[i] = scripts[i].source;
    }
    return model_of(paths, sources, S_COUNT);
}

static gh_script_pool *pool_of(size_t nstates)
{
    gh_model *m = all_scripts();
    gh_diags d = GH_DIAGS_INIT;
    gh_script_pool *p = gh_script_pool_new(m, nstates, &d);
    for (size_t i = 0; i < d.n; i++)
        print_message("diag: %s\n", d.items[i].text);
    assert_non_null(p);
    assert_int_equal(d.errors, 0);
    gh_diags_free(&d);
    gh_arena_free(m->arena); /* the pool does not keep the model */
    return p;
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    if (!v)
        fail_msg("bad test JSON: %s", e.text);
    return v;
}

static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        fail_msg("no string member %s", key);
    return s;
}

/* ---- cases ---- */

static void echo_round_trips_an_event(void **state)
{
    (void)state;
    gh_script_pool *p = pool_of(1);
    json_t *event = parse("{\"resource\":\"/pets/{id}\",\"headers\":{\"Accept\":\"*/*\"},"
                          "\"multiValueHeaders\":{\"Accept\":[\"*/*\"]},"
                          "\"queryStringParameters\":null,\"pathParameters\":{\"id\":\"7\"},"
                          "\"requestContext\":{\"requestTimeEpoch\":1700000000000,"
                          "\"identity\":{\"sourceIp\":\"127.0.0.1\",\"user\":null}},"
                          "\"list\":[1,null,\"\\u2603\\ud83d\\ude00\",2.25,[],{}],"
                          "\"body\":null,\"isBase64Encoded\":false}");
    json_object_set_new(event, "binary", json_stringn_nocheck("\x00\xff\xfe", 3));
    gh_script_result r;
    assert_int_equal(gh_script_call(p, S_ECHO, event, NULL, 1000, &r), GH_SCRIPT_OK);
    assert_true(json_equal(event, r.value));
    assert_null(r.error_message);
    assert_true(r.duration_ms >= 0);
    gh_script_result_free(&r);
    json_decref(event);
    gh_script_pool_free(p);
}

static void context_carries_lambda_fields(void **state)
{
    (void)state;
    gh_script_pool *p = pool_of(1);
    gh_kv env_items[] = {{"STAGE", "dev", {0}}};
    gh_kvs env = {env_items, 1};
    gh_lambda_context ctx = {
        .function_name = "petsFn",
        .function_version = "$LATEST",
        .invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:petsFn",
        .aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        .log_group_name = "/aws/lambda/petsFn",
        .log_stream_name = "2024/01/01/[$LATEST]abcdef",
        .memory_limit_mb = 128,
        .environment = &env,
    };
    /* With the clock pinned, the remaining time is exactly the timeout. */
    gh_clock_fake(1700000000000);
    gh_script_result r;
    assert_int_equal(gh_script_call(p, S_CONTEXT, NULL, &ctx, 2500, &r), GH_SCRIPT_OK);
    gh_clock_fake(-1);
    json_t *want = parse("{\"fn\":\"petsFn\",\"ver\":\"$LATEST\","
                         "\"arn\":\"arn:aws:lambda:us-east-1:123456789012:function:petsFn\","
                         "\"mem\":\"128\",\"id\":\"c6af9ac6-7b61-11e6-9a41-93e8deadbeef\","
                         "\"lg\":\"/aws/lambda/petsFn\",\"ls\":\"2024/01/01/[$LATEST]abcdef\","
                         "\"rem\":2500,\"cb\":true,\"stage\":\"dev\",\"home\":\"absent\"}");
    if (!json_equal(want, r.value))
        fail_msg("got %s", json_dumps(r.value, 0));
    json_decref(want);
    gh_script_result_free(&r);
    gh_script_pool_free(p);
}

static void sandbox_hides_dangerous_functions(void **state)
{
    (void)state;
    gh_script_pool *p = pool_of(1);
    gh_script_result r;
    assert_int_equal(gh_script_call(p, S_SANDBOX, NULL, NULL, 1000, &r), GH_SCRIPT_OK);
    json_t *want = parse("{\"execute\":\"nil\",\"io\":\"nil\",\"loadfile\":\"nil\","
                         "\"dofile\":\"nil\",\"getinfo\":\"nil\",\"traceback\":\"function\","
                         "\"loadlib\":\"nil\",\"remove\":\"nil\",\"exit\":\"nil\",\"warn\":\"nil\","
                         "\"time\":\"function\",\"string\":\"function\",\"stopgc\":false,"
                         "\"countgc\":\"number\",\"textload\":2,\"gc\":false,\"mt\":1,"
                         "\"xp\":\"handled e\"}");
    if (!json_equal(want, r.value))
        fail_msg("got %s", json_dumps(r.value, 0));
    json_decref(want);
    gh_script_result_free(&r);

    assert_int_equal(gh_script_call(p, S_BINARY, NULL, NULL, 1000, &r), GH_SCRIPT_OK);
    assert_true(json_is_false(json_object_get(r.value, "loaded")));
    assert_non_null(strstr(str(r.value, "err"), "binary chunk"));
    gh_script_result_free(&r);
    gh_script_pool_free(p);
}

static void require_stays_inside_its_folders(void **state)
{
    (void)state;
    gh_script_pool *p = pool_of(1);
    gh_script_result r;
    assert_int_equal(gh_script_call(p, S_REQUIRE, NULL, NULL, 1000, &r), GH_SCRIPT_OK);
    json_t *want = parse("{\"hello\":\"hello, lua\",\"same\":true,\"pkg\":\"pkg\",\"gh\":\"function\","
                         "\"dotdot\":true,\"dots\":true,\"abs\":true,\"io\":true,\"lfs\":true,"
                         "\"osexec\":\"nil\",\"dbg\":\"nil\","
                         "\"posix\":true,\"missing\":true,\"again\":true}");
    if (!json_equal(want, r.value))
        fail_msg("got %s", json_dumps(r.value, 0));
    json_decref(want);
    gh_script_result_free(&r);
    gh_script_pool_free(p);
}

static void timeout_survives_the_scripts_own_pcall(void **state)
{
    (void)state;
    gh_script_pool *p = pool_of(1);
    gh_script_result r;
    int64_t t0 = gh_clock_mono_ms();
    assert_int_equal(gh_script_call(p, S_LOOP, NULL, NULL, 80, &r), GH_SCRIPT_TIMEOUT);
    int64_t took = gh_clock_mono_ms() - t0;
    assert_true(r.duration_ms >= 80);
    assert_true(took < 80 + 1500); /* sanitizer builds are slow; a missed kill never returns */
    assert_non_null(strstr(r.error_message, "Task timed out after 0."));
    assert_string_equal(r.error_type, "Sandbox.Timedout");
    assert_non_null(r.traceback);
    assert_non_null(strstr(r.traceback, "loop.lua:"));
    gh_script_result_free(&r);

    /* The same (rebuilt) state serves the next call. */
    json_t *ev = parse("{\"x\":21}");
    assert_int_equal(gh_script_call(p, S_HANDLER_TABLE, ev, NULL, 1000, &r), GH_SCRIPT_OK);
    assert_int_equal(json_integer_value(r.value), 42);
    gh_script_result_free(&r);
    json_decref(ev);
    gh_script_pool_free(p);
}

/* Ways a script might try to outlive its deadline; each must still time out. */
static const char *const runaways[] = {
    "return function() while true do end end\n",
    "return function() while true do pcall(function() while true do end end) end end\n",
    "return function()\n"
    "  while true do coroutine.resume(coroutine.create(function() while true do end end)) end\n"
    "end\n",
    "return function()\n"
    "  while true do xpcall(function() while true do end end, function() while true do end end) end\n"
    "end\n",
    "return function()\n"
    "  local t = setmetatable({}, {__index = function(t, k) while true do end end})\n"
    "  while true do pcall(function() return t.x end) end\n"
    "end\n",
    "return function() local f f = function() pcall(f) end while true do pcall(f) end end\n",
    "return function()\n"
    "  while true do local ok = pcall(function()\n"
    "    local x <close> = setmetatable({}, {__close = function() while true do end end})\n"
    "    while true do end end) end\n"
    "end\n",
};

static void every_runaway_times_out(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof runaways / sizeof *runaways; i++) {
        const char *paths[] = {"runaway.lua"};
        gh_model *m = model_of(paths, &runaways[i], 1);
        gh_diags d = GH_DIAGS_INIT;
        gh_script_pool *p = gh_script_pool_new(m, 1, &d);
        assert_non_null(p);
        gh_script_result r;
        gh_script_status s = gh_script_call(p, 0, NULL, NULL, 50, &r);
        if (s != GH_SCRIPT_TIMEOUT)
            fail_msg("case %zu: status %d (%s)", i, s, r.error_message);
        assert_true(r.duration_ms >= 50 && r.duration_ms < 50 + 1500);
        gh_script_result_free(&r);
        gh_script_pool_free(p);
        gh_arena_free(m->arena);
    }
}

static void lua_path_env_adds_folders(void **state)
{
    (void)state;
    const char *paths[] = {"luapath.lua"};
    const char *sources[] = {"return function() return require('greet').hello('env') end\n"};
    gh_model *m = model_of(paths, sources, 1);
    gh_diags d = GH_DIAGS_INIT;
    gh_script_result r;

    gh_script_pool *p = gh_script_pool_new(m, 1, &d);
    assert_int_equal(gh_script_call(p, 0, NULL, NULL, 1000, &r), GH_SCRIPT_ERROR);
    assert_non_null(strstr(r.error_message, "module 'greet' not found"));
    gh_script_result_free(&r);
    gh_script_pool_free(p);

    setenv("GATEHOUSE_LUA_PATH", "/nonexistent:" DATA_DIR "/lib", 1);
    p = gh_script_pool_new(m, 1, &d);
    unsetenv("GATEHOUSE_LUA_PATH");
    assert_int_equal(gh_script_call(p, 0, NULL, NULL, 1000, &r), GH_SCRIPT_OK);
    assert_string_equal(json_string_value(r.value), "hello, env");
    gh_script_result_free(&r);
    gh_script_pool_free(p);
    gh_arena_free(m->arena);
}

static void memory_blowups_are_contained(void **state)
{
    (void)state;
    gh_script_set_memory_cap((size_t)16 << 20);
    gh_script_pool *p = pool_of(1);
    gh_script_set_memory_cap((size_t)64 << 20);
    static const int growers[] = {S_STRING_GROWTH, S_TABLE_GROWTH};
    for (size_t i = 0; i < 2; i++) {
        gh_script_result r;
        assert_int_equal(gh_script_call(p, growers[i], NULL, NULL, 20000, &r), GH_SCRIPT_MEMORY);
        assert_string_equal(r.error_type, "Runtime.ExitError");
        assert_non_null(r.traceback);
        gh_script_result_free(&r);

        json_t *ev = parse("{\"x\":5}");
        assert_int_equal(gh_script_call(p, S_HANDLER_TABLE, ev, NULL, 1000, &r), GH_SCRIPT_OK);
        assert_int_equal(json_integer_value(r.value), 10);
        gh_script_result_free(&r);
        json_decref(ev);
    }
    gh_script_pool_free(p);
}

static void errors_keep_position_and_traceback(void **state)
{
    (void)state;
    gh_script_pool *p = pool_of(1);
    gh_script_result r;
    assert_int_equal(gh_script_call(p, S_BOOM, NULL, NULL, 1000, &r), GH_SCRIPT_ERROR);
    assert_string_equal(r.error_message, "boom.lua:2: boom");
    assert_string_equal(r.error_type, "Error");
    assert_null(r.value);
    assert_non_null(strstr(r.traceback, "stack traceback:"));
    assert_non_null(strstr(r.traceback, "boom.lua:2: in"));
    assert_non_null(strstr(r.traceback, "boom.lua:5: in"));
    gh_script_result_free(&r);

    assert_int_equal(gh_script_call(p, S_ERROR_TABLE, NULL, NULL, 1000, &r), GH_SCRIPT_ERROR);
    assert_string_equal(r.error_type, "ValidationError");
    assert_string_equal(r.error_message, "name is required");
    gh_script_result_free(&r);

    /* An index outside the model is an error, not a crash. */
    assert_int_equal(gh_script_call(p, S_COUNT, NULL, NULL, 1000, &r), GH_SCRIPT_ERROR);
    gh_script_result_free(&r);
    gh_script_pool_free(p);
}

static void gatehouse_module_functions(void **state)
{
    (void)state;
    gh_clock_fake(1700000000123);
    gh_script_pool *p = pool_of(1);
    gh_script_result r;
    assert_int_equal(gh_script_call(p, S_MODULE, NULL, NULL, 1000, &r), GH_SCRIPT_OK);
    gh_clock_fake(-1);
    const json_t *v = r.value;
    assert_string_equal(str(v, "encoded"), "{\"a\":\"x\",\"b\":[1,2,null],\"i\":3,\"n\":1.5}");
    assert_string_equal(str(v, "roundtrip"), "{\"a\":[1,null],\"b\":null,\"c\":\"\xc3\xa9\"}");
    assert_true(json_is_true(json_object_get(v, "a2null")));
    assert_true(json_is_true(json_object_get(v, "bnil")));
    assert_true(json_is_true(json_object_get(v, "bad")));
    assert_true(json_is_true(json_object_get(v, "badb")));
    assert_string_equal(str(v, "b64"), "aGVsbG8Ad29ybGQ=");
    assert_string_equal(str(v, "unb64"), "hi");
    assert_string_equal(str(v, "urlenc"), "a+b%26c%3Dd%2F%C3%A9");
    assert_string_equal(str(v, "urldec"), "a b&c=d/\xc3\xa9%zz");
    assert_int_equal(json_integer_value(json_object_get(v, "urlnul")), 3);
    assert_int_equal(strlen(str(v, "uuid")), 36);
    assert_int_equal(str(v, "uuid")[14], '4');
    assert_int_equal(json_integer_value(json_object_get(v, "now")), 1700000000123);
    assert_true(json_is_true(json_object_get(v, "topnull")));
    assert_string_equal(str(v, "empty"), "{}");
    assert_string_equal(str(v, "emptyarr"), "[]");
    gh_script_result_free(&r);
    gh_script_pool_free(p);
}

static const struct {
    const char *source;
    const char *diag; /* expected diagnostic text */
} bad_scripts[] = {
    {"return function(e) return e end end\n",
     "bad.lua:1: <eof> expected near 'end'; fix the Lua syntax"},
    {"local x = 1\nreturn x\n",
     "bad.lua: handler must return a function; end the file with `return function(event, "
     "context) ... end` or return a table with a `handler` function"},
    {"return {handle = function() end}\n", "bad.lua: handler must return a function;"},
    {"local t = nil\nreturn t.x\n", "bad.lua:2: attempt to index a nil value (local 't');"},
    {"\x1bLua", "bad.lua: attempt to load a binary chunk (mode is 't'); fix the Lua syntax"},
};

static void long_paths_keep_their_line(void **state)
{
    (void)state;
    /* Lua shortens long chunk names to "...tail"; the diagnostic still names the file. */
    const char *path = "handlers/a/very/long/folder/name/that/goes/on/and/on/for/ever/broken.lua";
    const char *paths[] = {path};
    const char *sources[] = {"\n\nreturn function( end\n"};
    gh_model *m = model_of(paths, sources, 1);
    gh_diags d = GH_DIAGS_INIT;
    assert_null(gh_script_pool_new(m, 1, &d));
    assert_int_equal(d.errors, 1);
    char want[256];
    snprintf(want, sizeof want, "%s:3: <name> or '...' expected near 'end'; fix the Lua syntax", path);
    assert_string_equal(d.items[0].text, want);
    gh_diags_free(&d);
    gh_arena_free(m->arena);
}

static void bad_scripts_fail_pool_creation(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_scripts / sizeof *bad_scripts; i++) {
        const char *paths[] = {"good.lua", "bad.lua"};
        const char *sources[] = {scripts[S_ECHO].source, bad_scripts[i].source};
        gh_model *m = model_of(paths, sources, 2);
        gh_diags d = GH_DIAGS_INIT;
        gh_script_pool *p = gh_script_pool_new(m, 3, &d);
        assert_null(p);
        assert_int_equal(d.errors, 1); /* once, not once per state */
        if (strncmp(d.items[0].text, bad_scripts[i].diag, strlen(bad_scripts[i].diag)) != 0)
            fail_msg("case %zu: got '%s'", i, d.items[0].text);
        gh_diags_free(&d);
        gh_arena_free(m->arena);
    }
}

typedef struct {
    gh_script_pool *p;
    int base;
    int failures;
} worker_args;

static void *worker(void *arg)
{
    worker_args *w = arg;
    for (int i = 0; i < 200; i++) {
        int n = w->base + i;
        json_t *ev = json_pack("{s:i}", "n", n);
        gh_script_result r;
        gh_script_status s = gh_script_call(w->p, S_SQUARE, ev, NULL, 5000, &r);
        if (s != GH_SCRIPT_OK || json_integer_value(json_object_get(r.value, "n")) != n ||
            json_integer_value(json_object_get(r.value, "sq")) != (json_int_t)n * n ||
            json_integer_value(json_object_get(r.value, "busy")) != 1)
            w->failures++;
        gh_script_result_free(&r);
        json_decref(ev);
    }
    return NULL;
}

static void many_threads_share_two_states(void **state)
{
    (void)state;
    gh_script_pool *p = pool_of(2);
    pthread_t t[8];
    worker_args w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (worker_args){p, i * 1000, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    }
    int failures = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        failures += w[i].failures;
    }
    assert_int_equal(failures, 0);
    gh_script_pool_free(p);
}

typedef struct hog_args {
    gh_script_pool *p;
    gh_script_status status;
} hog_args;

static void *hog(void *arg)
{
    hog_args *h = arg;
    gh_script_result r;
    json_t *ev = json_object();
    h->status = gh_script_call(h->p, S_LOOP, ev, NULL, 1500, &r);
    gh_script_result_free(&r);
    json_decref(ev);
    return NULL;
}

/* With every state busy (here the only one, held by a runaway script), a caller waits
 * no longer than its own timeout and gets a timeout, rather than hanging. */
static void a_caller_waits_no_longer_than_its_timeout(void **state)
{
    (void)state;
    gh_script_pool *p = pool_of(1);
    hog_args h = {p, GH_SCRIPT_OK};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, hog, &h), 0);
    /* Wait until the hog holds the state: a call with a tiny timeout times out only
     * while the state is taken. */
    gh_script_result r;
    json_t *ev = parse("{\"x\":1}");
    int64_t start = gh_clock_mono_ms();
    gh_script_status s;
    do {
        s = gh_script_call(p, S_ECHO, ev, NULL, 100, &r);
        if (s == GH_SCRIPT_OK)
            gh_script_result_free(&r);
    } while (s == GH_SCRIPT_OK && gh_clock_mono_ms() - start < 1000);
    assert_int_equal(s, GH_SCRIPT_TIMEOUT);
    assert_string_equal(r.error_type, "Sandbox.Timedout");
    assert_non_null(strstr(r.traceback, "no Lua state came free"));
    gh_script_result_free(&r);
    pthread_join(t, NULL);
    assert_int_equal(h.status, GH_SCRIPT_TIMEOUT);
    /* Once the hog is gone the state serves again. */
    assert_int_equal(gh_script_call(p, S_ECHO, ev, NULL, 1000, &r), GH_SCRIPT_OK);
    gh_script_result_free(&r);
    json_decref(ev);
    gh_script_pool_free(p);
}

static void default_pool_size_is_at_least_two(void **state)
{
    (void)state;
    gh_script_pool *p = pool_of(0);
    gh_script_result r;
    json_t *ev = parse("{\"x\":1}");
    assert_int_equal(gh_script_call(p, S_HANDLER_TABLE, ev, NULL, 0, &r), GH_SCRIPT_OK);
    assert_int_equal(json_integer_value(r.value), 2);
    gh_script_result_free(&r);
    json_decref(ev);
    gh_script_pool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(echo_round_trips_an_event),
        cmocka_unit_test(context_carries_lambda_fields),
        cmocka_unit_test(sandbox_hides_dangerous_functions),
        cmocka_unit_test(require_stays_inside_its_folders),
        cmocka_unit_test(timeout_survives_the_scripts_own_pcall),
        cmocka_unit_test(every_runaway_times_out),
        cmocka_unit_test(lua_path_env_adds_folders),
        cmocka_unit_test(memory_blowups_are_contained),
        cmocka_unit_test(errors_keep_position_and_traceback),
        cmocka_unit_test(gatehouse_module_functions),
        cmocka_unit_test(bad_scripts_fail_pool_creation),
        cmocka_unit_test(long_paths_keep_their_line),
        cmocka_unit_test(many_threads_share_two_states),
        cmocka_unit_test(default_pool_size_is_at_least_two),
        cmocka_unit_test(a_caller_waits_no_longer_than_its_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
