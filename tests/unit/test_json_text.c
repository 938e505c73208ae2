/* util/json_text: JSON as Node's JSON.stringify writes it. Each expected text is what
 * node -e 'console.log(JSON.stringify(x))' prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/json_text.h"

static void numbers_print_as_javascript(void **state)
{
    (void)state;
    struct {
        double d;
        const char *js;
    } table[] = {
        {0.1, "0.1"},
        {12.99, "12.99"},
        {1.0, "1"},
        {-1.5, "-1.5"},
        {100.0, "100"},
        {123.456, "123.456"},
        {1e20, "100000000000000000000"},
        {1e21, "1e+21"},
        {1.2345678901234568e20, "123456789012345680000"},
        {3e-7, "3e-7"},
        {1.5e-7, "1.5e-7"},
        {1e-6, "0.000001"},
        {0.000001234, "0.000001234"},
        {0.00001, "0.00001"},
        {9007199254740992.0, "9007199254740992"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {5e-324, "5e-324"},
        {0.0, "0"},
        {-0.0, "0"},
        {1.0 / 3, "0.3333333333333333"},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        gh_buf b = GH_BUF_INIT;
        gh_json_number(table[i].d, &b);
        if (strcmp(b.data, table[i].js) != 0)
            fail_msg("case %zu: %.17g printed %s, JavaScript prints %s", i, table[i].d, b.data,
                     table[i].js);
        gh_buf_free(&b);
    }
}

static void values_print_as_json_stringify(void **state)
{
    (void)state;
    struct {
        const char *in;
        bool sort;
        const char *js;
    } table[] = {
        {"{\"b\":1,\"a\":[0.1,true,null,\"x\"]}", false, "{\"b\":1,\"a\":[0.1,true,null,\"x\"]}"},
        {"{\"b\":1,\"a\":{\"d\":2,\"c\":3}}", true, "{\"a\":{\"c\":3,\"d\":2},\"b\":1}"},
        {"\"q\\\" b\\\\ \\n\\t\\u0001 \\u00e9 /\"", false, "\"q\\\" b\\\\ \\n\\t\\u0001 \xc3\xa9 /\""},
        {"[]", false, "[]"},
        {"{}", true, "{}"},
        {"[1.0, 2.5e-8, -3]", false, "[1,2.5e-8,-3]"},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        json_t *j = json_loads(table[i].in, JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        gh_buf b = GH_BUF_INIT;
        gh_json_text(j, table[i].sort, &b);
        if (strcmp(b.data, table[i].js) != 0)
            fail_msg("case %zu: printed %s, want %s", i, b.data, table[i].js);
        gh_buf_free(&b);
        json_decref(j);
    }
}

/* JSON.stringify(v, null, 2): node -e 'console.log(JSON.stringify({b:[1,{}],a:[]},null,2))' */
static void indented_as_json_stringify(void **state)
{
    (void)state;
    json_t *j = json_loads("{\"b\":[1,{}],\"a\":[],\"c\":{\"d\":0.1}}", 0, NULL);
    gh_buf b = GH_BUF_INIT;
    gh_json_text_indented(j, true, 2, &b);
    assert_string_equal(b.data, "{\n  \"a\": [],\n  \"b\": [\n    1,\n    {}\n  ],\n"
                                "  \"c\": {\n    \"d\": 0.1\n  }\n}");
    gh_buf_free(&b);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_print_as_javascript),
        cmocka_unit_test(values_print_as_json_stringify),
        cmocka_unit_test(indented_as_json_stringify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
