/* template/vtl_json: the direct JSON reader must give exactly what jansson plus
 * gh_v_from_json gave before it (values, kinds, key order, the JSON flavour) and, for
 * text that is not JSON, jansson's own message. A table of cases names the corners;
 * then seeded random mutations of real documents compare the two readers on inputs
 * nobody thought of. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "template/vtl_json.h"

static bool same(gh_vval x, gh_vval y)
{
    if (x.kind != y.kind)
        return false;
    switch (x.kind) {
    case GH_V_NULL: return true;
    case GH_V_BOOL: return x.u.b == y.u.b;
    case GH_V_INT: return x.u.i == y.u.i;
    case GH_V_DOUBLE: return memcmp(&x.u.d, &y.u.d, sizeof x.u.d) == 0;
    case GH_V_STRING:
        return x.u.str.len == y.u.str.len && memcmp(x.u.str.s, y.u.str.s, x.u.str.len) == 0;
    case GH_V_LIST:
        if (x.u.list->n != y.u.list->n || x.u.list->json != y.u.list->json)
            return false;
        for (size_t i = 0; i < x.u.list->n; i++)
            if (!same(x.u.list->items[i], y.u.list->items[i]))
                return false;
        return true;
    case GH_V_MAP:
        if (x.u.map->n != y.u.map->n || x.u.map->json != y.u.map->json)
            return false;
        for (size_t i = 0; i < x.u.map->n; i++) {
            const gh_vmap_entry *a = &x.u.map->items[i], *b = &y.u.map->items[i];
            if (a->klen != b->klen || memcmp(a->key, b->key, a->klen) != 0 ||
                !same(a->value, b->value))
                return false;
        }
        return true;
    default: return false;
    }
}

/* Compares our reader with jansson on text; returns NULL when they agree, else why. */
static const char *disagree(gh_arena *a, const char *text, size_t len)
{
    gh_vval ours;
    const char *err = gh_vjson_parse(a, text, len, &ours);
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j) {
        if (!err)
            return "we accept what jansson refuses";
        const char *want = gh_arena_printf(a, "%s (line %d, column %d)", jerr.text, jerr.line,
                                           jerr.column);
        return strcmp(err, want) == 0 ? NULL : gh_arena_printf(a, "message %s vs %s", err, want);
    }
    gh_vval theirs = gh_v_from_json(a, j);
    json_decref(j);
    if (err)
        return gh_arena_printf(a, "we refuse what jansson accepts: %s", err);
    return same(ours, theirs) ? NULL : "different values";
}

static void cases(void **state)
{
    (void)state;
    /* each: the text, and whether it is JSON (what both readers must agree on) */
    static const struct {
        const char *text;
        int ok;
    } table[] = {
        {"{}", 1},
        {"[]", 1},
        {" \t\r\n{\"a\" : [ 1 , 2.5 , -0 , -0.0 , 1e2 , 1E-2 , 0.1e+3 ] } \n", 1},
        {"\"top-level string\"", 1},
        {"42", 1},
        {"-7", 1},
        {"3.25", 1},
        {"true", 1},
        {"false", 1},
        {"null", 1},
        {"{\"a\":1,\"b\":2,\"a\":3}", 1},          /* repeated key: first place, last value */
        {"{\"k\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", 1},
        {"[\"\\u00e9\\u20AC\\ud83d\\ude00\"]", 1}, /* é € 😀 via escapes */
        {"[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]", 1},
        {"[\"a\\u0000b\"]", 1},                    /* JSON_ALLOW_NUL */
        {"{\"a\\u0000b\":1}", 0},                  /* but never in a key */
        {"9223372036854775807", 1},
        {"-9223372036854775808", 1},
        {"9223372036854775808", 0},                /* too big integer */
        {"-9223372036854775809", 0},
        {"1e400", 0},                              /* real number overflow */
        {"1e-400", 1},                             /* underflow reads as 0.0 */
        {"123456789012345678901234567890123456789012345678901234567890123456789.5", 1},
        {"", 0},
        {"   ", 0},
        {"{", 0},
        {"[1,]", 0},
        {"{\"a\":1,}", 0},
        {"{\"a\" 1}", 0},
        {"{a:1}", 0},
        {"[01]", 0},
        {"[1.]", 0},
        {"[.5]", 0},
        {"[-]", 0},
        {"[1e]", 0},
        {"[+1]", 0},
        {"[NaN]", 0},
        {"[tru]", 0},
        {"[nulls]", 0},
        {"{} {}", 0},
        {"[\"\\x\"]", 0},
        {"[\"\\u12G4\"]", 0},
        {"[\"\\ud83d\"]", 0},                      /* lone high surrogate */
        {"[\"\\ude00\"]", 0},                      /* lone low surrogate */
        {"[\"\\ud83d\\u0041\"]", 0},
        {"[\"tab\there\"]", 0},                    /* raw control character */
        {"[\"\xc3\"]", 0},                         /* truncated UTF-8 */
        {"[\"\xc0\xaf\"]", 0},                     /* overlong */
        {"[\"\xed\xa0\x80\"]", 0},                 /* encoded surrogate */
        {"\"unterminated", 0},
        {"'single'", 0},
    };
    gh_arena *a = gh_arena_new(4096);
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const char *why = disagree(a, table[i].text, strlen(table[i].text));
        if (why)
            fail_msg("case %zu %s: %s", i, table[i].text, why);
        gh_vval v;
        const char *err = gh_vjson_parse(a, table[i].text, strlen(table[i].text), &v);
        if ((err == NULL) != table[i].ok)
            fail_msg("case %zu %s: %s", i, table[i].text, err ? err : "accepted");
    }
    /* values, not only agreement */
    gh_vval v;
    const char *doc = "{\"a\":1,\"b\":[2.5,\"x\"],\"a\":3}";
    assert_null(gh_vjson_parse(a, doc, strlen(doc), &v));
    gh_buf b = GH_BUF_INIT;
    gh_v_print_json(v, &b);
    assert_string_equal(b.data, "{\"a\":3,\"b\":[2.5,\"x\"]}");
    gh_buf_free(&b);
    assert_true(v.u.map->json);
    assert_true(v.u.map->items[1].value.u.list->json);
    /* not NUL-terminated: only len bytes count */
    assert_null(gh_vjson_parse(a, "[1]xyz", 3, &v));
    assert_int_equal(v.u.list->n, 1);
    /* nesting past our depth limit: jansson decides, same values */
    char deep[1200];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    assert_null(disagree(a, deep, 1200));
    assert_null(gh_vjson_parse(a, deep, 1200, &v));
    assert_int_equal(v.kind, GH_V_LIST);
    gh_arena_free(a);
}

/* Seeded mutations of real bodies: insert, delete or replace a byte with one that
 * matters to JSON (structure, quotes, escapes, digits, UTF-8 lead and continuation
 * bytes), a few at a time. Deterministic, so a failure repeats. */
static void mutations(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        "{\"order\": {\"id\": \"ord-1\", \"items\": [{\"sku\": \"A\", \"qty\": 2, \"price\": 4.5}], "
        "\"note\": \"Leave at the door.\\nRing twice\", \"gift\": true, \"coupon\": null}}",
        "[1, -2, 3.5e3, \"\\u00e9\\ud83d\\ude00\", {\"a\": [], \"b\": {}}, false]",
        "{\"name\": \"Zo\xc3\xab O'Brien\", \"n\": 9223372036854775807, \"e\": 1e-5}",
    };
    static const char alphabet[] = "{}[]\",:\\/u0123456789abcdefABEF.-+eE tnrl\x00\x80\xbf\xc3\xed\xf0\xff";
    uint64_t seed = 0x9E3779B97F4A7C15u;
    gh_arena *a = gh_arena_new(64 * 1024);
    char buf[512];
    int accepted = 0;
    for (int iter = 0; iter < 30000; iter++) {
        const char *s = seeds[iter % 3];
        size_t len = strlen(s);
        memcpy(buf, s, len);
        int edits = 1 + iter % 4;
        for (int e = 0; e < edits && len > 0 && len < sizeof buf - 1; e++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            size_t at = (size_t)(seed >> 8) % len;
            char c = alphabet[(seed >> 40) % (sizeof alphabet - 1)];
            switch (seed % 3) {
            case 0: memmove(buf + at + 1, buf + at, len - at); buf[at] = c; len++; break;
            case 1: memmove(buf + at, buf + at + 1, len - at - 1); len--; break;
            default: buf[at] = c;
            }
        }
        const char *why = disagree(a, buf, len);
        if (why)
            fail_msg("mutation %d (%.*s): %s", iter, (int)len, buf, why);
        gh_vval v;
        accepted += gh_vjson_parse(a, buf, len, &v) == NULL;
        gh_arena_reset(a);
    }
    gh_arena_free(a);
    /* both sides of the reader are exercised (printed when the test runs verbose) */
    print_message("%d of 30000 mutations are JSON\n", accepted);
    assert_in_range(accepted, 1000, 29000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cases),
        cmocka_unit_test(mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
