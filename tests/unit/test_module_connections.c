/* gatehouse.connections (script/module_connections.c) as a Lua handler calls it, over a
 * hub whose transport records the frames and closes it was asked for: post (text and
 * binary), get's table, list (all, by stage), delete, and the errors, whose messages start
 * with AWS's exception names (GoneException, PayloadTooLargeException,
 * LimitExceededException). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <lauxlib.h>
#include <lualib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/module.h"
#include "util/clock.h"
#include "websocket/ws_hub.h"
#include "ws_fake_transport.h"

#define T0 1781014000111LL /* 2026-06-09T14:06:40.111Z */

typedef struct fx {
    fake_transport ft;
    gh_ws_hub *hub;
    lua_State *L;
    char id[24], other[24];
} fx;

static int setup(void **state)
{
    gh_clock_fake(T0);
    fx *f = calloc(1, sizeof *f);
    pthread_mutex_init(&f->ft.mu, NULL);
    pthread_cond_init(&f->ft.cv, NULL);
    gh_ws_transport t = {fake_send, fake_close, &f->ft};
    f->hub = gh_ws_hub_new(&t);
    gh_ws_conn_info info;
    assert_int_equal(gh_ws_hub_add(f->hub, f, "dev", "198.51.100.7", "wscat", 0, &info), 0);
    memcpy(f->id, info.id, sizeof f->id);
    assert_int_equal(gh_ws_hub_add(f->hub, f, "prod", "192.0.2.1", "node", 0, &info), 0);
    memcpy(f->other, info.id, sizeof f->other);
    gh_module_set_ws(f->hub);
    f->L = luaL_newstate();
    luaL_openlibs(f->L);
    gh_module_open(f->L);
    lua_setglobal(f->L, "gh");
    lua_pushstring(f->L, f->id);
    lua_setglobal(f->L, "ID");
    lua_pushstring(f->L, f->other);
    lua_setglobal(f->L, "OTHER");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    pthread_mutex_lock(&f->ft.mu);
    f->ft.stalled = false;
    pthread_cond_broadcast(&f->ft.cv);
    pthread_mutex_unlock(&f->ft.mu);
    lua_close(f->L);
    gh_module_set_ws(NULL);
    gh_ws_hub_remove(f->hub, f->id);
    gh_ws_hub_remove(f->hub, f->other);
    gh_ws_hub_free(f->hub);
    pthread_mutex_destroy(&f->ft.mu);
    pthread_cond_destroy(&f->ft.cv);
    free(f);
    gh_clock_fake(-1);
    return 0;
}

/* Runs a chunk that returns one value; its tostring, or "error: MESSAGE". */
static const char *run(fx *f, const char *code)
{
    static char out[512];
    lua_settop(f->L, 0);
    if (luaL_loadstring(f->L, code) != LUA_OK || lua_pcall(f->L, 0, 1, 0) != LUA_OK) {
        snprintf(out, sizeof out, "error: %s", lua_tostring(f->L, -1));
        return out;
    }
    snprintf(out, sizeof out, "%s", luaL_tolstring(f->L, -1, NULL));
    return out;
}

static void test_post(void **state)
{
    fx *f = *state;
    assert_string_equal(run(f, "return gh.connections.post(ID, 'hi there')"), "true");
    wait_sent(&f->ft, 1);
    assert_int_equal(f->ft.last_len, 8);
    assert_memory_equal(f->ft.last, "hi there", 8);
    assert_false(f->ft.last_binary);

    assert_string_equal(run(f, "return gh.connections.post(ID, '\\0\\1\\2', {binary = true})"),
                        "true");
    wait_sent(&f->ft, 2);
    assert_int_equal(f->ft.last_len, 3);
    assert_memory_equal(f->ft.last, "\0\1\2", 3);
    assert_true(f->ft.last_binary);
}

static void test_get(void **state)
{
    fx *f = *state;
    gh_clock_advance(50111);
    gh_ws_hub_touch(f->hub, f->id);
    assert_string_equal(run(f, "local c = gh.connections.get(ID)\n"
                               "return table.concat({c.connectedAt, c.lastActiveAt,\n"
                               "  c.identity.sourceIp, c.identity.userAgent}, ' ')"),
                        "2026-06-09T14:06:40.111Z 2026-06-09T14:07:30.222Z 198.51.100.7 wscat");
}

static void test_list(void **state)
{
    fx *f = *state;
    assert_string_equal(run(f, "local l = gh.connections.list(); table.sort(l)\n"
                               "local want = {ID, OTHER}; table.sort(want)\n"
                               "return #l == 2 and l[1] == want[1] and l[2] == want[2]"),
                        "true");
    assert_string_equal(
        run(f, "local l = gh.connections.list('dev'); return #l == 1 and l[1] == ID"), "true");
    assert_string_equal(run(f, "return #gh.connections.list('test')"), "0");
}

static void test_delete_then_gone(void **state)
{
    fx *f = *state;
    assert_string_equal(run(f, "return gh.connections.delete(ID)"), "true");
    wait_closed(&f->ft);
    assert_int_equal(f->ft.nclosed, 1);
    assert_int_equal(f->ft.close_code, 1000);
    char want[128];
    snprintf(want, sizeof want, "error: GoneException: connection '%s' is not open", f->id);
    assert_string_equal(run(f, "return gh.connections.post(ID, 'x')"), want);
    assert_string_equal(run(f, "return gh.connections.get(ID)"), want);
    assert_string_equal(run(f, "return gh.connections.delete(ID)"), want);
    assert_string_equal(run(f, "local ok, err = pcall(gh.connections.post, ID, 'x')\n"
                               "return (not ok) and err:find('^GoneException') ~= nil"),
                        "true");
    assert_string_equal(run(f, "return #gh.connections.list()"), "1");
    assert_int_equal(f->ft.nsent, 0);
}

static void test_too_large(void **state)
{
    fx *f = *state;
    assert_string_equal(run(f, "return gh.connections.post(ID, string.rep('a', 128 * 1024 + 1))"),
                        "error: PayloadTooLargeException: Message too long (over 131072 bytes)");
    assert_string_equal(run(f, "return gh.connections.post(ID, string.rep('a', 128 * 1024))"),
                        "true");
}

static void test_full(void **state)
{
    fx *f = *state;
    f->ft.stalled = true;
    const char *r = run(f, "local big = string.rep('a', 128 * 1024)\n"
                           "for i = 1, 20 do\n"
                           "  local ok, err = pcall(gh.connections.post, ID, big)\n"
                           "  if not ok then return i .. ' ' .. err end\n"
                           "end\n"
                           "return 'never full'");
    char want[160];
    snprintf(want, sizeof want,
             "LimitExceededException: the client of connection '%s' is not reading: its send "
             "queue is full",
             f->id);
    const char *space = strchr(r, ' ');
    assert_non_null(space);
    int n = atoi(r);
    assert_in_range(n, 8, 10);
    assert_string_equal(space + 1, want);
}

static void test_no_hub(void **state)
{
    fx *f = *state;
    gh_module_set_ws(NULL);
    assert_string_equal(run(f, "return gh.connections.post('abc=', 'x')"),
                        "error: GoneException: no WebSocket connection 'abc=': this process "
                        "serves no WebSocket API");
    assert_string_equal(run(f, "return #gh.connections.list()"), "0");
}

static void test_foreign_ids(void **state)
{
    fx *f = *state;
    assert_string_equal(run(f, "return gh.connections.get(string.rep('A', 40))"),
                        "error: GoneException: connection "
                        "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' is not open");
    assert_string_equal(run(f, "local ok, e = pcall(gh.connections.delete, 'a\\0b')\n"
                               "return e:match('^GoneException') ~= nil"),
                        "true");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_post, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_then_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_hub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_ids, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
