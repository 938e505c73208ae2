/* util/value: the arena value tree, its builders, lookups and conversion to jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/value.h"

static char *dump(const gh_value *v)
{
    json_t *j = gh_value_to_json(v);
    char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return text;
}

static void scalars_convert(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(256);
    struct {
        const gh_value *v;
        gh_value_kind kind;
        const char *json;
    } table[] = {
        {gh_value_null(), GH_VALUE_NULL, "null"},
        {gh_value_bool(true), GH_VALUE_BOOL, "true"},
        {gh_value_bool(false), GH_VALUE_BOOL, "false"},
        {gh_value_int(a, 0), GH_VALUE_INT, "0"},
        {gh_value_int(a, -42), GH_VALUE_INT, "-42"},
        {gh_value_int(a, INT64_MAX), GH_VALUE_INT, "9223372036854775807"},
        {gh_value_str(a, "hi"), GH_VALUE_STRING, "\"hi\""},
        {gh_value_str(a, ""), GH_VALUE_STRING, "\"\""},
        {gh_value_str(a, NULL), GH_VALUE_NULL, "null"},
        {gh_value_strn(a, "abc", 2), GH_VALUE_STRING, "\"ab\""},
        {gh_value_str(a, "caf\xc3\xa9 \"q\""), GH_VALUE_STRING, "\"caf\xc3\xa9 \\\"q\\\"\""},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        assert_int_equal(table[i].v->kind, table[i].kind);
        char *text = dump(table[i].v);
        assert_string_equal(text, table[i].json);
        free(text);
    }
    assert_ptr_equal(gh_value_null(), gh_value_null());
    gh_arena_free(a);
}

/* Objects keep insertion order; arrays and objects grow past their hint. */
static void containers_keep_order_and_grow(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(256);
    gh_value *obj = gh_value_object(a, 1);
    gh_value *arr = gh_value_array(a, 0);
    for (int i = 0; i < 100; i++)
        gh_value_append(a, arr, gh_value_int(a, i));
    gh_value_set(a, obj, "zeta", gh_value_str(a, "last-letter"));
    gh_value_set(a, obj, "alpha", arr);
    gh_value_setn(a, obj, "emptyXX", 5, gh_value_array(a, 4));
    gh_value_set(a, obj, "none", gh_value_object(a, 0));
    gh_value_set(a, obj, "nil", gh_value_null());
    assert_int_equal(obj->u.obj.n, 5);
    assert_int_equal(arr->u.arr.n, 100);
    assert_int_equal(arr->u.arr.items[99]->u.i, 99);

    assert_ptr_equal(gh_value_get(obj, "alpha"), arr);
    assert_non_null(gh_value_get(obj, "empty"));
    assert_null(gh_value_get(obj, "emptyXX"));
    assert_null(gh_value_get(obj, "missing"));
    assert_null(gh_value_get(arr, "alpha"));

    char *text = dump(obj);
    assert_non_null(strstr(text, "{\"zeta\":\"last-letter\",\"alpha\":[0,1,2,"));
    assert_non_null(strstr(text, ",98,99],\"empty\":[],\"none\":{},\"nil\":null}"));
    free(text);
    gh_arena_free(a);
}

/* Strings carry their length: a NUL or bytes that are not UTF-8 survive into jansson. */
static void strings_are_binary_safe(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(256);
    static const char bytes[] = "a\0b\xff\xfe";
    const gh_value *v = gh_value_strn(a, bytes, sizeof bytes - 1);
    assert_int_equal(v->u.str.len, 5);
    json_t *j = gh_value_to_json(v);
    assert_int_equal(json_string_length(j), 5);
    assert_memory_equal(json_string_value(j), bytes, 5);
    json_decref(j);
    gh_arena_free(a);
}

/* to_json then back through jansson's parser gives the same document. */
static void round_trips_through_json(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(256);
    gh_value *root = gh_value_object(a, 0);
    gh_value *multi = gh_value_object(a, 0), *vals = gh_value_array(a, 0);
    const gh_value *shared = gh_value_str(a, "v2");
    gh_value_append(a, vals, gh_value_str(a, "v1"));
    gh_value_append(a, vals, shared);
    gh_value_set(a, multi, "X-Key", vals);
    gh_value_set(a, root, "single", shared);
    gh_value_set(a, root, "multi", multi);
    gh_value_set(a, root, "epoch", gh_value_int(a, 1781013791000LL));
    gh_value_set(a, root, "b64", gh_value_bool(false));
    gh_value_set(a, root, "body", gh_value_null());
    json_t *got = gh_value_to_json(root);
    json_t *want = json_loads("{\"single\":\"v2\",\"multi\":{\"X-Key\":[\"v1\",\"v2\"]},"
                              "\"epoch\":1781013791000,\"b64\":false,\"body\":null}",
                              0, NULL);
    assert_non_null(want);
    assert_true(json_equal(got, want));
    json_decref(got);
    json_decref(want);
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars_convert),
        cmocka_unit_test(containers_keep_order_and_grow),
        cmocka_unit_test(strings_are_binary_safe),
        cmocka_unit_test(round_trips_through_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
