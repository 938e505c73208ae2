/* util/: arena, buffer, headers, url decoding, ids, fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/http.h"
#include "util/ids.h"
#include "util/url.h"
#include "util/utf8.h"

static void arena_grows_and_resets(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(256);
    for (int i = 0; i < 1000; i++) {
        char *s = gh_arena_printf(a, "item-%d", i);
        assert_non_null(s);
    }
    char *big = gh_arena_alloc(a, 5u << 20);
    memset(big, 'x', 5u << 20);
    assert_true(gh_arena_used(a) > (5u << 20));
    gh_arena_reset(a);
    assert_int_equal(gh_arena_used(a), 0);
    assert_string_equal(gh_arena_strndup(a, "abcdef", 3), "abc");
    gh_arena_free(a);
}

static void arena_concat_joins(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(16);
    assert_string_equal(gh_arena_concat(a, (char *)NULL), "");
    assert_string_equal(gh_arena_concat(a, "arn:", "", "x/", "GET", (char *)NULL), "arn:x/GET");
    char big[300];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *s = gh_arena_concat(a, big, "-", big, (char *)NULL); /* past the first block */
    assert_int_equal(strlen(s), 2 * (sizeof big - 1) + 1);
    assert_int_equal(s[sizeof big - 1], '-');
    gh_arena_free(a);
}

static void buf_keeps_binary(void **state)
{
    (void)state;
    gh_buf b = GH_BUF_INIT;
    gh_buf_append(&b, "a\0b", 3);
    gh_buf_printf(&b, "%d", 42);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "a\0b42", 5);
    gh_buf_free(&b);
}

static void headers_are_case_insensitive(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    gh_headers h = {0};
    gh_headers_add(a, &h, "X-One", "1");
    gh_headers_add(a, &h, "x-one", "2");
    assert_string_equal(gh_headers_get(&h, "X-ONE"), "2");
    gh_headers_set(a, &h, "X-One", "3");
    assert_int_equal(h.n, 1);
    assert_string_equal(gh_headers_get(&h, "x-one"), "3");
    gh_headers_remove(&h, "X-ONE");
    assert_null(gh_headers_get(&h, "x-one"));
    gh_arena_free(a);
}

static void url_decoding_matches_aws(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int plus;
        const char *out;
    } cases[] = {
        {"a%2Bb", 1, "a+b"},  {"a+b", 1, "a b"},   {"a+b", 0, "a+b"},
        {"%zz", 1, "%zz"},    {"%4", 1, "%4"},     {"%41%42", 0, "AB"},
        {"", 1, ""},          {"%", 1, "%"},
    };
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(gh_url_decode(a, cases[i].in, strlen(cases[i].in), cases[i].plus),
                            cases[i].out);
    assert_string_equal(gh_url_encode(a, "a b{}", 5), "a+b%7B%7D");
    size_t n;
    const char *bin = gh_url_decode_n(a, "a%00b+%4", 8, 1, &n);
    assert_int_equal(n, 6);
    assert_memory_equal(bin, "a\0b %4", 7);
    gh_headers q = {0};
    gh_query_parse(a, "tag=a&tag=b&x&=skip&e=%2B+", &q);
    assert_int_equal(q.n, 4);
    assert_string_equal(q.items[1].value, "b");
    assert_string_equal(q.items[2].name, "x");
    assert_string_equal(q.items[2].value, "");
    assert_string_equal(q.items[3].value, "+ ");
    gh_arena_free(a);
}

static void ids_have_aws_shapes(void **state)
{
    (void)state;
    char u[GH_UUID_LEN + 1], e[GH_EXT_ID_LEN + 1], t[GH_TRACE_ID_LEN + 1], s[11], s2[11];
    gh_uuid4(u);
    assert_int_equal(strlen(u), 36);
    assert_int_equal(u[14], '4');
    gh_extended_request_id(e);
    assert_int_equal(strlen(e), 16);
    assert_int_equal(e[15], '=');
    /* URL-safe: many draws, never '+' or '/'. */
    for (int i = 0; i < 200; i++) {
        gh_extended_request_id(e);
        assert_int_equal(strspn(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789-_"),
                         15);
    }
    gh_trace_id(t, 1781013791000);
    assert_memory_equal(t, "Root=1-", 7);
    assert_int_equal(strlen(t), 40);
    gh_stable_id("petstore", 10, s);
    gh_stable_id("petstore", 10, s2);
    assert_string_equal(s, s2);
    assert_int_equal(strlen(s), 10);
}

static void utf8_is_checked_and_repaired(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *out; /* NULL: valid, unchanged */
    } cases[] = {
        {"plain", NULL},
        {"caf\xc3\xa9 \xf0\x9f\x98\x80", NULL},       /* 2- and 4-byte sequences */
        {"\xc3", "\xef\xbf\xbd"},                       /* truncated */
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},         /* overlong '/' */
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* a surrogate */
        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
        {"a\xff" "b", "a\xef\xbf\xbd" "b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n = strlen(cases[i].in);
        assert_int_equal(gh_utf8_valid(cases[i].in, n), cases[i].out == NULL);
        char out[64];
        size_t len = gh_utf8_repair(cases[i].in, n, out);
        const char *want = cases[i].out ? cases[i].out : cases[i].in;
        assert_int_equal(len, strlen(want));
        assert_string_equal(out, want);
    }
}

static void fake_clock_moves_only_when_told(void **state)
{
    (void)state;
    gh_clock_fake(1000);
    assert_int_equal(gh_clock_now_ms(), 1000);
    gh_clock_advance(250);
    assert_int_equal(gh_clock_now_ms(), 1250);
    assert_int_equal(gh_clock_mono_ms(), 1250);
    gh_clock_fake(-1);
    assert_true(gh_clock_now_ms() > 1700000000000LL);
}

/* --clock freezes the wall clock only: timeouts, measured on the monotonic one, still run. */
static void frozen_wall_clock_leaves_time_running(void **state)
{
    (void)state;
    gh_clock_freeze_wall(1781013791000);
    assert_int_equal(gh_clock_now_ms(), 1781013791000);
    int64_t a = gh_clock_mono_ns(), b;
    do
        b = gh_clock_mono_ns();
    while (b == a);
    assert_true(b > a);
    assert_int_equal(gh_clock_now_ms(), 1781013791000);
    gh_clock_freeze_wall(-1);
    assert_true(gh_clock_now_ms() != 1781013791000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_grows_and_resets),
        cmocka_unit_test(arena_concat_joins),
        cmocka_unit_test(buf_keeps_binary),
        cmocka_unit_test(headers_are_case_insensitive),
        cmocka_unit_test(url_decoding_matches_aws),
        cmocka_unit_test(ids_have_aws_shapes),
        cmocka_unit_test(fake_clock_moves_only_when_told),
        cmocka_unit_test(frozen_wall_clock_leaves_time_running),
        cmocka_unit_test(utf8_is_checked_and_repaired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
