/* template/vtl_value: Java-style printing (Double.toString, collections, JSON lists),
 * Velocity equality and ordering, and the jansson bridge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The oracle for the fast path of gh_v_print_double: the shortest round-trip digits by
 * trying every precision, as the function did before it had a fast path, in the same
 * Java layout. */
static void reference_double(double d, char *out, size_t cap)
{
    char digits[40], sig[20];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(digits, sizeof digits, "%.*e", prec - 1, fabs(d));
        if (strtod(digits, NULL) == fabs(d))
            break;
    }
    size_t ns = 0;
    const char *p = digits;
    for (; *p != 'e'; p++)
        if (*p != '.')
            sig[ns++] = *p;
    while (ns > 1 && sig[ns - 1] == '0')
        ns--;
    sig[ns] = '\0';
    int exp = atoi(p + 1);
    const char *sign = signbit(d) ? "-" : "";
    if (fabs(d) >= 1e-3 && fabs(d) < 1e7) {
        if (exp >= 0) {
            char ip[20], fp[20];
            for (int i = 0; i <= exp; i++)
                ip[i] = (size_t)i < ns ? sig[i] : '0';
            ip[exp + 1] = '\0';
            snprintf(fp, sizeof fp, "%s", (size_t)exp + 1 >= ns ? "0" : sig + exp + 1);
            snprintf(out, cap, "%s%s.%s", sign, ip, fp);
        } else {
            snprintf(out, cap, "%s0.%0*d%s", sign, -exp - 1, 0, sig);
            if (exp == -1) /* %0*d printed one 0 too many */
                snprintf(out, cap, "%s0.%s", sign, sig);
        }
    } else {
        snprintf(out, cap, "%s%c.%sE%d", sign, sig[0], ns > 1 ? sig + 1 : "0", exp);
    }
}

/* Seeded doubles of every kind: short decimals (prices, their products and sums), random
 * bit patterns, values next to powers of ten and to the fast path's limits. */
static void doubles_match_the_exhaustive_search(void **state)
{
    (void)state;
    uint64_t seed = 0x2545F4914F6CDD1Du;
    char want[64];
    gh_buf b = GH_BUF_INIT;
    for (int i = 0; i < 60000; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        double d;
        switch (i % 6) {
        case 0: d = (double)(seed % 100000) / 100; break;              /* 1234.56 */
        case 1: d = (double)(seed % 10000) / 100 * (double)(seed >> 60); break; /* price*qty */
        case 2: d = (double)(seed % 1000) / 10 + (double)(seed >> 50 & 1023) / 1000; break;
        case 3: memcpy(&d, &seed, sizeof d); break;                      /* any bits */
        case 4: d = pow(10, (double)(int)(seed % 40) - 20) * (1 + (double)(seed >> 58) * 1e-16); break;
        default: d = nextafter((double)(seed % 100000000) / 1000, (seed >> 63) ? INFINITY : 0);
        }
        if (!isfinite(d) || d == 0)
            continue;
        if (seed >> 62 & 1)
            d = -d;
        reference_double(d, want, sizeof want);
        b.len = 0;
        gh_v_print_double(d, &b);
        gh_buf_putc(&b, '\0');
        if (strcmp(b.data, want) != 0)
            fail_msg("%.17g: %s, the search gives %s", d, b.data, want);
    }
    gh_buf_free(&b);
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

/* Values only a template builds (fuzz_vtl found each): self-reference, cycles through
 * another list, deep nesting, and shared subtrees whose text doubles per level. */
static void self_reference_cycles_and_depth(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    gh_vval l = gh_v_list(a, 0, false), m = gh_v_map(a, 0, false);
    gh_vlist_add(a, l.u.list, gh_v_int(1));
    gh_vlist_add(a, l.u.list, l);
    gh_vmap_put(a, m.u.map, "me", 2, m);
    gh_vmap_put(a, m.u.map, "l", 1, l);
    assert_prints(l, "[1, (this Collection)]"); /* AbstractCollection.toString */
    assert_prints(m, "{me=(this Map), l=[1, (this Collection)]}");
    assert_true(gh_v_equal(l, l)); /* ArrayList.equals: o == this */
    assert_true(gh_v_equal(m, m));

    /* a -> b -> a: Java overflows its stack; we stop at the depth limit */
    gh_vval x = gh_v_list(a, 0, false), y = gh_v_list(a, 0, false);
    gh_vlist_add(a, x.u.list, y);
    gh_vlist_add(a, y.u.list, x);
    gh_vval x2 = gh_v_list(a, 0, false), y2 = gh_v_list(a, 0, false);
    gh_vlist_add(a, x2.u.list, y2);
    gh_vlist_add(a, y2.u.list, x2);
    assert_false(gh_v_equal(x, x2)); /* gives up: different, not a crash */
    gh_buf b = GH_BUF_INIT;
    gh_v_print(NULL, x, &b);
    assert_true(b.len > 2000 && b.len < 10000); /* "[[[[..." cut at the depth limit */
    gh_buf_reset(&b);
    gh_v_print_json(x, &b);
    assert_true(b.len > 2000 && b.len < 10000);
    json_t *j = gh_v_to_json(x);
    assert_non_null(j);
    json_decref(j);

    /* [$t, $t] forty times: 2^40 leaves; printing stops at the 10 MB output limit and
     * comparing two equal copies gives up after 2^20 elements */
    gh_vval t = gh_v_int(7), u = gh_v_int(7);
    for (int i = 0; i < 40; i++) {
        gh_vval nt = gh_v_list(a, 2, false), nu = gh_v_list(a, 2, false);
        gh_vlist_add(a, nt.u.list, t);
        gh_vlist_add(a, nt.u.list, t);
        gh_vlist_add(a, nu.u.list, u);
        gh_vlist_add(a, nu.u.list, u);
        t = nt;
        u = nu;
    }
    gh_buf_reset(&b);
    gh_v_print(NULL, t, &b);
    assert_int_equal(b.len, 10 * 1024 * 1024);
    assert_false(gh_v_equal(t, u));
    assert_false(gh_v_equal(t, gh_v_str("[[")));
    gh_buf_free(&b);
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(doubles_print_as_java),
        cmocka_unit_test(doubles_match_the_exhaustive_search),
        cmocka_unit_test(collections_print_as_java_and_json),
        cmocka_unit_test(maps_keep_insertion_order_on_replace),
        cmocka_unit_test(equality_and_ordering),
        cmocka_unit_test(self_reference_cycles_and_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
