/* template/vtl_value: Java-style printing (Double.toString, collections, JSON lists),
 * Velocity equality and ordering, and the jansson bridge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "template/vtl_value.h"

static void assert_prints(gh_vval v, const char *want)
{
    gh_buf b = GH_BUF_INIT;
    gh_v_print(NULL, v, &b);
    assert_string_equal(b.data ? b.data : "", want);
    gh_buf_free(&b);
}

static void doubles_print_as_java(void **state)
{
    (void)state;
    struct {
        double d;
        const char *java;
    } table[] = {
        {1.0, "1.0"},          {1.5, "1.5"},         {-2.25, "-2.25"},
        {0.1, "0.1"},          {100.0, "100.0"},     {1234567.0, "1234567.0"},
        {1e7, "1.0E7"},        {1.5e10, "1.5E10"},   {0.001, "0.001"},
        {0.0001, "1.0E-4"},    {1.5e-5, "1.5E-5"},   {0.0, "0.0"},
        {-0.0, "-0.0"},        {3.14159, "3.14159"}, {123456.789, "123456.789"},
        {1.0 / 3, "0.3333333333333333"},             {2e-3, "0.002"},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        assert_prints(gh_v_double(table[i].d), table[i].java);
}

static void collections_print_as_java_and_json(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    json_t *j = json_loads("{\"foo\":\"bar\",\"n\":[{\"nested\":\"bar\"},1.5,null],\"e\":[]}", 0,
                           NULL);
    gh_vval v = gh_v_from_json(a, j);
    json_decref(j);
    /* reference §5.1 [recorded]: maps as Map.toString, arrays as compact JSON */
    assert_prints(v, "{foo=bar, n=[{\"nested\":\"bar\"},1.5,null], e=[]}");
    gh_vval lit = gh_v_list(a, 0, false);
    gh_vlist_add(a, lit.u.list, gh_v_int(1));
    gh_vlist_add(a, lit.u.list, gh_v_str("a"));
    gh_vlist_add(a, lit.u.list, gh_v_null());
    assert_prints(lit, "[1, a, null]");
    gh_buf b = GH_BUF_INIT;
    gh_v_print_json(v, &b);
    assert_string_equal(b.data, "{\"foo\":\"bar\",\"n\":[{\"nested\":\"bar\"},1.5,null],\"e\":[]}");
    gh_buf_free(&b);
    assert_prints(gh_v_null(), "");
    assert_prints(gh_v_bool(true), "true");
    assert_prints(gh_v_int(-7), "-7");
    gh_arena_free(a);
}

static void maps_keep_insertion_order_on_replace(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(256);
    gh_vval m = gh_v_map(a, 0, false);
    gh_vmap_put(a, m.u.map, "a", 1, gh_v_int(1));
    gh_vmap_put(a, m.u.map, "b", 1, gh_v_int(2));
    gh_vval old = gh_vmap_put(a, m.u.map, "a", 1, gh_v_int(3));
    assert_int_equal(old.u.i, 1);
    assert_prints(m, "{a=3, b=2}");
    gh_vmap_remove(m.u.map, "a", 1);
    assert_prints(m, "{b=2}");
    for (int i = 0; i < 20; i++)
        gh_vmap_put(a, m.u.map, gh_arena_printf(a, "k%d", i), i < 10 ? 2 : 3, gh_v_int(i));
    assert_int_equal(m.u.map->n, 21);
    gh_arena_free(a);
}

static void equality_and_ordering(void **state)
{
    (void)state;
    int c = 0;
    assert_true(gh_v_equal(gh_v_int(1), gh_v_double(1.0)));
    assert_true(gh_v_equal(gh_v_str("1"), gh_v_int(1))); /* toString of both */
    assert_false(gh_v_equal(gh_v_str("a"), gh_v_str("b")));
    assert_true(gh_v_equal(gh_v_null(), gh_v_null()));
    assert_true(gh_v_equal(gh_v_null(), gh_v_str(""))); /* AWS quirk, reference §5.1 */
    assert_false(gh_v_equal(gh_v_null(), gh_v_int(0)));
    assert_true(gh_v_compare(gh_v_int(2), gh_v_double(2.5), &c) && c == -1);
    assert_true(gh_v_compare(gh_v_str("b"), gh_v_str("ab"), &c) && c == 1);
    assert_false(gh_v_compare(gh_v_str("1"), gh_v_int(1), &c));
    assert_false(gh_v_truthy(gh_v_null()));
    assert_false(gh_v_truthy(gh_v_bool(false)));
    assert_true(gh_v_truthy(gh_v_str("")));
    assert_true(gh_v_truthy(gh_v_int(0)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(doubles_print_as_java),
        cmocka_unit_test(collections_print_as_java_and_json),
        cmocka_unit_test(maps_keep_insertion_order_on_replace),
        cmocka_unit_test(equality_and_ordering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
