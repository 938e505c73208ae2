/* template/vtl_methods: the Java methods templates call. Each table line is a receiver
 * and arguments (JSON text; lists and maps become ArrayList / LinkedHashMap, which print
 * as Java prints them), a method, and what Java 17 printed for String.valueOf(result)
 * followed by " ; " and the receiver afterwards (so in-place changes show), or ERR: and
 * the exception's class. Every expected value was produced by running the same call in
 * Java. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "template/vtl_methods.h"
#include "util/jregex.h"

typedef struct mcase {
    const char *receiver, *method, *args, *java;
} mcase;

static const mcase cases[] = {
        {"\"hello\"", "length", "[]", "5 ; hello"},
        {"\"\\u00e9t\\ud83d\\ude00\"", "length", "[]", "4 ; \303\251t\360\237\230\200"},
        {"\"\"", "isEmpty", "[]", "true ; "},
        {"\"a\"", "isEmpty", "[]", "false ; a"},
        {"\" \\t\"", "isBlank", "[]", "true ;  \011"},
        {"\"hello\"", "charAt", "[1]", "e ; hello"},
        {"\"hello\"", "charAt", "[5]", "ERR:StringIndexOutOfBoundsException"},
        {"\"hello\"", "charAt", "[-1]", "ERR:StringIndexOutOfBoundsException"},
        {"\"\\u00e9x\"", "charAt", "[1]", "x ; \303\251x"},
        {"\"hello\"", "substring", "[1]", "ello ; hello"},
        {"\"hello\"", "substring", "[1, 3]", "el ; hello"},
        {"\"hello\"", "substring", "[5]", " ; hello"},
        {"\"hello\"", "substring", "[6]", "ERR:StringIndexOutOfBoundsException"},
        {"\"hello\"", "substring", "[3, 2]", "ERR:StringIndexOutOfBoundsException"},
        {"\"hello\"", "substring", "[0, 6]", "ERR:StringIndexOutOfBoundsException"},
        {"\"hello\"", "substring", "[-1, 2]", "ERR:StringIndexOutOfBoundsException"},
        {"\"\\ud83d\\ude00ab\"", "substring", "[2]", "ab ; \360\237\230\200ab"},
        {"\"\\u00e9ab\"", "substring", "[1, 2]", "a ; \303\251ab"},
        {"\"hello\"", "indexOf", "[\"l\"]", "2 ; hello"},
        {"\"hello\"", "indexOf", "[\"z\"]", "-1 ; hello"},
        {"\"hello\"", "indexOf", "[\"l\", 3]", "3 ; hello"},
        {"\"hello\"", "indexOf", "[\"l\", -5]", "2 ; hello"},
        {"\"hello\"", "indexOf", "[\"\", 9]", "5 ; hello"},
        {"\"hello\"", "indexOf", "[\"\", 2]", "2 ; hello"},
        {"\"\\u00e9\\ud83d\\ude00x\"", "indexOf", "[\"x\"]", "3 ; \303\251\360\237\230\200x"},
        {"\"hello\"", "indexOf", "[108]", "2 ; hello"},
        {"\"hello\"", "indexOf", "[108, 3]", "3 ; hello"},
        {"\"hello\"", "lastIndexOf", "[\"l\"]", "3 ; hello"},
        {"\"hello\"", "lastIndexOf", "[\"l\", 2]", "2 ; hello"},
        {"\"hello\"", "lastIndexOf", "[\"l\", -1]", "-1 ; hello"},
        {"\"hello\"", "lastIndexOf", "[\"\", 99]", "5 ; hello"},
        {"\"hello\"", "lastIndexOf", "[\"h\", 0]", "0 ; hello"},
        {"\"hello\"", "contains", "[\"ell\"]", "true ; hello"},
        {"\"hello\"", "contains", "[\"\"]", "true ; hello"},
        {"\"hello\"", "contains", "[\"L\"]", "false ; hello"},
        {"\"hello\"", "startsWith", "[\"he\"]", "true ; hello"},
        {"\"hello\"", "startsWith", "[\"el\", 1]", "true ; hello"},
        {"\"hello\"", "startsWith", "[\"\", 5]", "true ; hello"},
        {"\"hello\"", "startsWith", "[\"\", 6]", "false ; hello"},
        {"\"hello\"", "startsWith", "[\"h\", -1]", "false ; hello"},
        {"\"hello\"", "endsWith", "[\"lo\"]", "true ; hello"},
        {"\"hello\"", "endsWith", "[\"\"]", "true ; hello"},
        {"\"abc\"", "equals", "[\"abc\"]", "true ; abc"},
        {"\"1\"", "equals", "[1]", "false ; 1"},
        {"\"abc\"", "equals", "[null]", "false ; abc"},
        {"\"abc\"", "equalsIgnoreCase", "[\"ABC\"]", "true ; abc"},
        {"\"\\u00e9\"", "equalsIgnoreCase", "[\"\\u00c9\"]", "true ; \303\251"},
        {"\"abc\"", "equalsIgnoreCase", "[null]", "false ; abc"},
        {"\"apple\"", "compareTo", "[\"banana\"]", "-1 ; apple"},
        {"\"a\"", "compareTo", "[\"abc\"]", "-2 ; a"},
        {"\"b\"", "compareTo", "[\"a\"]", "1 ; b"},
        {"\"\\uffff\"", "compareTo", "[\"\\ud83d\\ude00\"]", "10178 ; \357\277\277"},
        {"\"ABC\"", "compareToIgnoreCase", "[\"abd\"]", "-1 ; ABC"},
        {"\"Hello W\\u00e9\"", "toLowerCase", "[]", "hello w\303\251 ; Hello W\303\251"},
        {"\"hello \\u00e9\"", "toUpperCase", "[]", "HELLO \303\211 ; hello \303\251"},
        {"\"stra\\u00dfe\"", "toUpperCase", "[]", "STRASSE ; stra\303\237e"},
        {"\"\\u0130\"", "toLowerCase", "[]", "i\314\207 ; \304\260"},
        {"\"  \\t hi \\n\\u0001\"", "trim", "[]", "hi ;   \011 hi \012\001"},
        {"\"\\u2003 hi \\u00a0\"", "strip", "[]", "hi \302\240 ; \342\200\203 hi \302\240"},
        {"\"\\u2003 hi \"", "stripLeading", "[]", "hi  ; \342\200\203 hi "},
        {"\" hi \\u2003\"", "stripTrailing", "[]", " hi ;  hi \342\200\203"},
        {"\"\\u00a0hi\"", "trim", "[]", "\302\240hi ; \302\240hi"},
        {"\"a.b.c\"", "replace", "[\".\", \"-\"]", "a-b-c ; a.b.c"},
        {"\"abc\"", "replace", "[\"\", \"-\"]", "-a-b-c- ; abc"},
        {"\"aaa\"", "replace", "[\"aa\", \"b\"]", "ba ; aaa"},
        {"\"it\\\\'s\"", "replace", "[\"\\\\'\", \"'\"]", "it's ; it\\'s"},
        {"\"a.b.c\"", "replaceAll", "[\"\\\\.\", \"/\"]", "a/b/c ; a.b.c"},
        {"\"a1b22\"", "replaceAll", "[\"\\\\d+\", \"<$0>\"]", "a<1>b<22> ; a1b22"},
        {"\"john smith\"", "replaceAll", "[\"(\\\\w+) (\\\\w+)\", \"$2, $1\"]", "smith, john ; john smith"},
        {"\"a.b.c\"", "replaceFirst", "[\"\\\\.\", \"/\"]", "a/b.c ; a.b.c"},
        {"\"abc\"", "replaceAll", "[\"b\", \"$2\"]", "ERR:IndexOutOfBoundsException"},
        {"\"abc\"", "replaceAll", "[\"(\", \"x\"]", "ERR:PatternSyntaxException"},
        {"\"2023-01-05\"", "matches", "[\"\\\\d{4}-\\\\d{2}-\\\\d{2}\"]", "true ; 2023-01-05"},
        {"\"abc\"", "matches", "[\"b\"]", "false ; abc"},
        {"\"a,b,,c,,\"", "split", "[\",\"]", "[a, b, , c] ; a,b,,c,,"},
        {"\"a,b,,c,,\"", "split", "[\",\", -1]", "[a, b, , c, , ] ; a,b,,c,,"},
        {"\"a,b,c\"", "split", "[\",\", 2]", "[a, b,c] ; a,b,c"},
        {"\"\"", "split", "[\",\"]", "[] ; "},
        {"\"a b  c\"", "split", "[\"\\\\s+\"]", "[a, b, c] ; a b  c"},
        {"\"abc\"", "split", "[\"\"]", "[a, b, c] ; abc"},
        {"\"a|b\"", "split", "[\"|\"]", "[a, |, b] ; a|b"},
        {"\"a.b\"", "split", "[\".\"]", "[] ; a.b"},
        {"\"ab\"", "concat", "[\"cd\"]", "abcd ; ab"},
        {"\"\"", "concat", "[\"\"]", " ; "},
        {"\"hello\"", "hashCode", "[]", "99162322 ; hello"},
        {"\"\"", "hashCode", "[]", "0 ; "},
        {"\"\\u00e9\\ud83d\\ude00\"", "hashCode", "[]", "1996812 ; \303\251\360\237\230\200"},
        {"\"The quick brown fox\"", "hashCode", "[]", "-1739336029 ; The quick brown fox"},
        {"\"abc\"", "toString", "[]", "abc ; abc"},
        {"\"ab\"", "repeat", "[3]", "ababab ; ab"},
        {"\"ab\"", "repeat", "[0]", " ; ab"},
        {"\"ab\"", "repeat", "[-1]", "ERR:IllegalArgumentException"},
        {"5", "intValue", "[]", "5 ; 5"},
        {"5", "doubleValue", "[]", "5.0 ; 5"},
        {"5", "toString", "[]", "5 ; 5"},
        {"5", "equals", "[5]", "true ; 5"},
        {"5", "equals", "[5.0]", "false ; 5"},
        {"5", "compareTo", "[7]", "-1 ; 5"},
        {"5", "hashCode", "[]", "5 ; 5"},
        {"-5", "longValue", "[]", "-5 ; -5"},
        {"2.75", "intValue", "[]", "2 ; 2.75"},
        {"-2.75", "intValue", "[]", "-2 ; -2.75"},
        {"1e+20", "intValue", "[]", "2147483647 ; 1.0E20"},
        {"2.5", "toString", "[]", "2.5 ; 2.5"},
        {"10000000.0", "toString", "[]", "1.0E7 ; 1.0E7"},
        {"2.5", "equals", "[2.5]", "true ; 2.5"},
        {"0.0", "equals", "[-0.0]", "false ; 0.0"},
        {"2.5", "compareTo", "[1.0]", "1 ; 2.5"},
        {"0.0", "compareTo", "[-0.0]", "1 ; 0.0"},
        {"2.5", "hashCode", "[]", "1074003968 ; 2.5"},
        {"2.5", "longValue", "[]", "2 ; 2.5"},
        {"100.0", "doubleValue", "[]", "100.0 ; 100.0"},
        {"true", "toString", "[]", "true ; true"},
        {"true", "booleanValue", "[]", "true ; true"},
        {"false", "equals", "[false]", "true ; false"},
        {"true", "equals", "[\"true\"]", "false ; true"},
        {"true", "hashCode", "[]", "1231 ; true"},
        {"true", "compareTo", "[false]", "1 ; true"},
        {"[\"a\", \"b\"]", "size", "[]", "2 ; [a, b]"},
        {"[]", "isEmpty", "[]", "true ; []"},
        {"[\"a\", \"b\"]", "get", "[1]", "b ; [a, b]"},
        {"[\"a\", \"b\"]", "get", "[2]", "ERR:IndexOutOfBoundsException"},
        {"[\"a\", \"b\"]", "get", "[-1]", "ERR:IndexOutOfBoundsException"},
        {"[\"a\"]", "add", "[\"b\"]", "true ; [a, b]"},
        {"[\"a\", \"c\"]", "add", "[1, \"b\"]", "null ; [a, b, c]"},
        {"[\"a\"]", "add", "[2, \"b\"]", "ERR:IndexOutOfBoundsException"},
        {"[\"a\"]", "addAll", "[[\"b\", \"c\"]]", "true ; [a, b, c]"},
        {"[\"a\", \"d\"]", "addAll", "[1, [\"b\", \"c\"]]", "true ; [a, b, c, d]"},
        {"[\"a\", \"b\"]", "set", "[0, \"z\"]", "a ; [z, b]"},
        {"[\"a\", \"b\"]", "set", "[2, \"z\"]", "ERR:IndexOutOfBoundsException"},
        {"[\"a\", \"b\", \"c\"]", "remove", "[1]", "b ; [a, c]"},
        {"[\"a\", \"b\", \"a\"]", "remove", "[\"a\"]", "true ; [b, a]"},
        {"[\"a\"]", "remove", "[\"z\"]", "false ; [a]"},
        {"[\"a\", 1, 2.5]", "contains", "[1]", "true ; [a, 1, 2.5]"},
        {"[1]", "contains", "[1.0]", "false ; [1]"},
        {"[null, \"x\"]", "contains", "[null]", "true ; [null, x]"},
        {"[\"a\", \"b\", \"a\"]", "indexOf", "[\"a\"]", "0 ; [a, b, a]"},
        {"[\"a\", \"b\", \"a\"]", "lastIndexOf", "[\"a\"]", "2 ; [a, b, a]"},
        {"[\"a\"]", "indexOf", "[\"z\"]", "-1 ; [a]"},
        {"[\"a\", \"b\"]", "clear", "[]", "null ; []"},
        {"[\"a\", \"b\", \"c\", \"d\"]", "subList", "[1, 3]", "[b, c] ; [a, b, c, d]"},
        {"[\"a\", \"b\"]", "subList", "[1, 3]", "ERR:IndexOutOfBoundsException"},
        {"[\"a\", 1, null, true, 2.5]", "toString", "[]", "[a, 1, null, true, 2.5] ; [a, 1, null, true, 2.5]"},
        {"[\"a\", 1]", "equals", "[[\"a\", 1]]", "true ; [a, 1]"},
        {"[\"a\", 1]", "equals", "[[\"a\", 1.0]]", "false ; [a, 1]"},
        {"[\"a\", \"b\"]", "containsAll", "[[\"b\"]]", "true ; [a, b]"},
        {"{\"a\": 1, \"b\": \"x\"}", "size", "[]", "2 ; {a=1, b=x}"},
        {"{}", "isEmpty", "[]", "true ; {}"},
        {"{\"a\": 1}", "get", "[\"a\"]", "1 ; {a=1}"},
        {"{\"a\": 1}", "get", "[\"z\"]", "null ; {a=1}"},
        {"{\"a\": 1}", "put", "[\"b\", 2]", "null ; {a=1, b=2}"},
        {"{\"a\": 1}", "put", "[\"a\", 2]", "1 ; {a=2}"},
        {"{\"a\": 1}", "putAll", "[{\"b\": 2, \"a\": 3}]", "null ; {a=3, b=2}"},
        {"{\"a\": 1, \"b\": 2}", "remove", "[\"a\"]", "1 ; {b=2}"},
        {"{\"a\": 1}", "remove", "[\"z\"]", "null ; {a=1}"},
        {"{\"a\": 1}", "containsKey", "[\"a\"]", "true ; {a=1}"},
        {"{\"a\": 1}", "containsKey", "[\"b\"]", "false ; {a=1}"},
        {"{\"a\": 1}", "containsValue", "[1]", "true ; {a=1}"},
        {"{\"a\": 1}", "containsValue", "[\"1\"]", "false ; {a=1}"},
        {"{\"a\": 1, \"b\": [1, 2]}", "keySet", "[]", "[a, b] ; {a=1, b=[1, 2]}"},
        {"{\"a\": 1, \"b\": [1, 2]}", "values", "[]", "[1, [1, 2]] ; {a=1, b=[1, 2]}"},
        {"{\"a\": 1}", "clear", "[]", "null ; {}"},
        {"{\"a\": 1, \"b\": {\"c\": null}}", "toString", "[]", "{a=1, b={c=null}} ; {a=1, b={c=null}}"},
        {"{\"a\": 1}", "getOrDefault", "[\"z\", \"d\"]", "d ; {a=1}"},
        {"{\"a\": 1, \"b\": 2}", "equals", "[{\"b\": 2, \"a\": 1}]", "true ; {a=1, b=2}"},
        {"{\"a\": null}", "putIfAbsent", "[\"a\", 5]", "null ; {a=5}"},
};

/* ArrayList / LinkedHashMap rather than the JSON flavours. */
static void plain(gh_vval v)
{
    if (v.kind == GH_V_LIST) {
        v.u.list->json = false;
        for (size_t k = 0; k < v.u.list->n; k++)
            plain(v.u.list->items[k]);
    } else if (v.kind == GH_V_MAP) {
        v.u.map->json = false;
        for (size_t k = 0; k < v.u.map->n; k++)
            plain(v.u.map->items[k].value);
    }
}

static gh_vval parse(gh_arena *a, const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    assert_non_null(j);
    gh_vval v = gh_v_from_json(a, j);
    json_decref(j);
    plain(v);
    return v;
}

static void print_top(gh_vtl_rt *rt, gh_vval v, gh_buf *out)
{
    if (v.kind == GH_V_NULL)
        gh_buf_puts(out, "null"); /* String.valueOf(null) */
    else
        gh_v_print(rt, v, out);
}

/* "ERR:" and the simple name of the exception our message starts with. */
static void print_exception(const char *msg, gh_buf *out)
{
    const char *colon = strchr(msg, ':');
    const char *dot = colon;
    while (dot > msg && dot[-1] != '.')
        dot--;
    gh_buf_puts(out, "ERR:");
    gh_buf_append(out, dot, colon ? (size_t)(colon - dot) : 0);
}

static void java_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_arena *a = gh_arena_new(4096);
        gh_vtl_rt rt = {.arena = a};
        gh_vval self = parse(a, cases[i].receiver);
        gh_vval args = parse(a, cases[i].args);
        gh_vval out = gh_v_null();
        gh_buf got = GH_BUF_INIT;
        bool ok = gh_vtl_method(&rt, self, cases[i].method, args.u.list->items, args.u.list->n,
                                &out);
        if (rt.failed) {
            assert_false(ok);
            print_exception(rt.error, &got);
        } else if (!ok) {
            gh_buf_puts(&got, "NO METHOD");
        } else {
            print_top(&rt, out, &got);
            gh_buf_puts(&got, " ; ");
            gh_v_print(&rt, self, &got);
        }
        if (strcmp(got.data, cases[i].java)) {
            fprintf(stderr, "case %zu: %s.%s(%s): got \"%s\", Java \"%s\" (%s)\n", i,
                    cases[i].receiver, cases[i].method, cases[i].args, got.data, cases[i].java,
                    rt.error);
            failures++;
        }
        gh_buf_free(&got);
        gh_arena_free(a);
    }
    gh_jregex_thread_cleanup();
    assert_int_equal(failures, 0);
}

/* Calls Java has no overload for render as null: the method is "not found". */
static void no_such_method(void **state)
{
    (void)state;
    static const struct {
        const char *receiver, *method, *args;
    } table[] = {
        {"\"abc\"", "substring", "[\"1\"]"},   /* no conversion of "1" to int */
        {"\"abc\"", "substring", "[1.0]"},     /* nor of a Double */
        {"\"abc\"", "substring", "[1, 2, 3]"}, /* no 3-argument overload */
        {"\"abc\"", "contains", "[1]"},        /* contains(CharSequence) only */
        {"\"abc\"", "size", "[]"},             /* String has length(), not size() */
        {"\"abc\"", "getBytes", "[]"},
        {"[1]", "length", "[]"},
        {"[1]", "get", "[\"0\"]"},
        {"{\"a\":1}", "length", "[]"},
        {"5", "length", "[]"},
        {"5", "compareTo", "[5.0]"}, /* Integer.compareTo(Integer) only */
        {"true", "intValue", "[]"},
        {"null", "toString", "[]"},
        {"\"abc\"", "charAt", "[3000000000]"}, /* beyond int */
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        gh_arena *a = gh_arena_new(1024);
        gh_vtl_rt rt = {.arena = a};
        gh_vval args = parse(a, table[i].args);
        gh_vval out = gh_v_str("untouched");
        bool ok = gh_vtl_method(&rt, parse(a, table[i].receiver), table[i].method,
                                args.u.list->items, args.u.list->n, &out);
        if (ok || rt.failed)
            fprintf(stderr, "case %zu: %s.%s%s found\n", i, table[i].receiver, table[i].method,
                    table[i].args);
        assert_false(ok);
        assert_false(rt.failed);
        gh_arena_free(a);
    }
}

/* entrySet: a list of {key, value} maps so $e.key and $e.value work in #foreach. */
static void entry_set(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    gh_vtl_rt rt = {.arena = a};
    gh_vval out;
    assert_true(gh_vtl_method(&rt, parse(a, "{\"a\":1,\"b\":\"x\"}"), "entrySet", NULL, 0, &out));
    assert_int_equal(out.kind, GH_V_LIST);
    assert_int_equal(out.u.list->n, 2);
    gh_vmap_entry *k = gh_vmap_find(out.u.list->items[1].u.map, "key", 3);
    gh_vmap_entry *v = gh_vmap_find(out.u.list->items[1].u.map, "value", 5);
    assert_non_null(k);
    assert_non_null(v);
    assert_memory_equal(k->value.u.str.s, "b", 1);
    assert_memory_equal(v->value.u.str.s, "x", 1);
    gh_arena_free(a);
}

/* Errors carry Java's exception and numbers, for the template's error message. */
static void error_messages(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    gh_vtl_rt rt = {.arena = a};
    gh_vval out, args[2] = {gh_v_int(2), gh_v_int(9)};
    assert_false(gh_vtl_method(&rt, gh_v_str("hello"), "substring", args, 2, &out));
    assert_string_equal(rt.error,
                        "java.lang.StringIndexOutOfBoundsException: begin 2, end 9, length 5");
    gh_vtl_rt rt2 = {.arena = a};
    gh_vval re = gh_v_str("a{");
    assert_false(gh_vtl_method(&rt2, gh_v_str("x"), "matches", &re, 1, &out));
    assert_non_null(strstr(rt2.error, "PatternSyntaxException: invalid regex: illegal repetition"));
    gh_vtl_rt rt3 = {.arena = a};
    gh_vval nul = gh_v_null();
    assert_false(gh_vtl_method(&rt3, gh_v_str("x"), "contains", &nul, 1, &out));
    assert_string_equal(rt3.error, "java.lang.NullPointerException: null argument to contains()");
    gh_jregex_thread_cleanup();
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(java_table),
        cmocka_unit_test(no_such_method),
        cmocka_unit_test(entry_set),
        cmocka_unit_test(error_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
