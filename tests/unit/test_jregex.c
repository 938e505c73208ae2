/* util/jregex: Java regex semantics on PCRE2. Every expected value in the table was
 * produced by running the same call on Java 17 (String.matches / replaceAll /
 * replaceFirst / split); "ERR" is a PatternSyntaxException or IllegalArgumentException /
 * IndexOutOfBoundsException. The few lines where we knowingly differ say Java's answer
 * beside them (docs/templates.md, "Regular expressions"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/jregex.h"

typedef struct jcase {
    char op; /* M matches, A replaceAll, F replaceFirst, S split(pattern, limit) */
    const char *pattern, *input, *replacement;
    long limit;
    const char *java; /* true/false, the result, ERR, or split as "count|piece|piece" */
} jcase;

static const jcase cases[] = {
        {'M', "Invalid.*", "Invalid input", NULL, 0, "true"},
        {'M', "Invalid*", "Invalid input", NULL, 0, "false"},
        {'M', "4\\d{2}", "404", NULL, 0, "true"},
        {'M', "4\\d{2}", "4040", NULL, 0, "false"},
        {'M', ".*", "", NULL, 0, "true"},
        {'M', "(\\n|.)+", "line1\012line2", NULL, 0, "true"},
        {'M', ".*", "a\012b", NULL, 0, "false"},
        {'M', ".+", "a\015", NULL, 0, "false"},
        {'M', "abc$", "abc\012", NULL, 0, "false"},
        {'M', "abc\\Z", "abc\012", NULL, 0, "false"},
        {'M', "abc\\z", "abc", NULL, 0, "true"},
        {'M', "\\p{Lower}+", "abc", NULL, 0, "true"},
        {'M', "\\p{Lower}+", "abC", NULL, 0, "false"},
        {'M', "\\p{Upper}\\p{Digit}", "A1", NULL, 0, "true"},
        {'M', "\\p{Alpha}", "\303\251", NULL, 0, "false"},
        {'M', "\\p{Punct}+", "!@#", NULL, 0, "true"},
        {'M', "\\P{Alnum}", "-", NULL, 0, "true"},
        {'M', "[\\p{Alpha}&&[^a]]+", "bcd", NULL, 0, "true"},
        {'M', "[\\p{Alpha}&&[^a]]+", "bad", NULL, 0, "false"},
        {'M', "\\p{javaLowerCase}", "\303\251", NULL, 0, "true"},
        {'M', "\\p{javaUpperCase}", "\303\211", NULL, 0, "true"},
        {'M', "\\p{javaWhitespace}", "\011", NULL, 0, "true"},
        {'M', "\\p{javaWhitespace}", "\302\240", NULL, 0, "false"},
        {'M', "[\\P{javaLetterOrDigit}]", "-", NULL, 0, "true"},
        {'M', "[\\P{javaLetterOrDigit}]", "x", NULL, 0, "false"},
        {'M', "\\p{L}+", "\316\261\316\262", NULL, 0, "true"},
        {'M', "\\p{IsLatin}+", "abc", NULL, 0, "true"},
        {'M', "\\p{IsAlphabetic}", "\316\261", NULL, 0, "true"},
        {'M', "\\p{Lu}", "A", NULL, 0, "true"},
        {'M', "\\pL", "x", NULL, 0, "true"},
        {'M', "[a-z&&[^aeiou]]+", "bcd", NULL, 0, "true"},
        {'M', "[a-z&&[^aeiou]]", "a", NULL, 0, "false"},
        {'M', "[^a-z&&[aeiou]]", "a", NULL, 0, "false"},
        {'M', "[^a-z&&[aeiou]]", "b", NULL, 0, "true"},
        {'M', "[a[0-9]]+", "a5", NULL, 0, "true"},
        {'M', "[^a[0-9]]", "5", NULL, 0, "false"},
        {'M', "[^a[0-9]]", "b", NULL, 0, "true"},
        {'M', "[a-c&&b-d&&c-e]", "c", NULL, 0, "true"},
        {'M', "[a-c&&b-d&&c-e]", "b", NULL, 0, "false"},
        {'M', "[abc&&b]", "b", NULL, 0, "true"},
        {'M', "[&&a]", "a", NULL, 0, "true"},
        {'M', "[]a]+", "]a", NULL, 0, "true"},
        {'M', "\\Qa.b\\E", "a.b", NULL, 0, "true"},
        {'M', "\\Qa.b\\E", "axb", NULL, 0, "false"},
        {'M', "[\\Q]-\\E]+", "]-", NULL, 0, "true"},
        {'M', "a*+a", "aaa", NULL, 0, "false"},
        {'M', "(?>a*)a", "aaa", NULL, 0, "false"},
        {'M', "a++b", "aab", NULL, 0, "true"},
        {'M', "\\h+", "\011 \302\240", NULL, 0, "true"},
        {'M', "a\\Rb", "a\015\012b", NULL, 0, "true"},
        {'M', "\\u0041\\x42\\x{43}", "ABC", NULL, 0, "true"},
        {'M', "\\0101", "A", NULL, 0, "true"},
        {'M', "\\uD83D\\uDE00", "\360\237\230\200", NULL, 0, "true"},
        {'M', ".", "\360\237\230\200", NULL, 0, "true"},
        {'M', "(?i)hello", "HeLLo", NULL, 0, "true"},
        {'M', "(?i)\303\251", "\303\211", NULL, 0, "true"}, /* Java: false (ASCII-only (?i)); PCRE2 folds Unicode case */
        {'M', "(?iu)\303\251", "\303\211", NULL, 0, "true"},
        {'M', "(?s).+", "a\012b", NULL, 0, "true"},
        {'M', "(?m)^b$", "a\012b", NULL, 0, "false"},
        {'M', "(?<year>\\d{4})-\\k<year>", "2020-2020", NULL, 0, "true"},
        {'M', "(?<=a)b", "b", NULL, 0, "false"},
        {'M', "a.c", "a\303\251c", NULL, 0, "true"},
        {'M', "\\w+", "caf\303\251", NULL, 0, "false"},
        {'M', "\\d", "\331\243", NULL, 0, "false"},
        {'M', "(?U)\\w+", "caf\303\251", NULL, 0, "true"},
        {'M', "a{2,}", "aaa", NULL, 0, "true"},
        {'M', "x{,3}", "x", NULL, 0, "ERR"},
        {'M', "a{", "a{", NULL, 0, "ERR"},
        {'M', "{", "{", NULL, 0, "ERR"},
        {'M', "a}", "a}", NULL, 0, "true"},
        {'M', "(?#c)a", "a", NULL, 0, "ERR"},
        {'M', "\\K", "", NULL, 0, "ERR"},
        {'M', "(*ACCEPT)a", "a", NULL, 0, "ERR"},
        {'M', "[a", "a", NULL, 0, "ERR"},
        {'M', "a\\", "a", NULL, 0, "ERR"},
        {'M', "\\p{InGreek}", "\316\261", NULL, 0, "ERR"}, /* Java: true; Unicode blocks rejected */
        {'M', "(?d)a", "a", NULL, 0, "ERR"}, /* Java: true; UNIX_LINES rejected */
        {'M', "\\N{LATIN SMALL LETTER A}", "a", NULL, 0, "ERR"}, /* Java: true; \N{name} rejected */
        {'M', "(a", "a", NULL, 0, "ERR"},
        {'A', "", "abc", "-", 0, "-a-b-c-"},
        {'A', "\\d*", "a1b2", "X", 0, "XaXXbXX"},
        {'A', "a??", "aaa", "-", 0, "-a-a-a-"},
        {'A', "b*", "abc", "-", 0, "-a--c-"},
        {'A', "x*", "", "-", 0, "-"},
        {'A', "(\\w+)@(\\w+)", "me@host you@there", "$2 at $1", 0, "host at me there at you"},
        {'A', "(?<user>\\w+)@", "me@host", "${user}:", 0, "me:host"},
        {'A', "a", "banana", "\\$", 0, "b$n$n$"},
        {'A', "a", "banana", "\\\\", 0, "b\\n\\n\\"},
        {'A', "(a)", "banana", "$1$1", 0, "baanaanaa"},
        {'A', "(a)", "banana", "$10", 0, "ba0na0na0"},
        {'A', "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)", "abcdefghij", "$10-$11", 0, "j-a1"},
        {'A', "(a)", "banana", "$2", 0, "ERR"},
        {'A', "a", "banana", "$1", 0, "ERR"},
        {'A', "x", "banana", "$9", 0, "banana"},
        {'A', "a", "banana", "x\\", 0, "ERR"},
        {'A', "a", "banana", "$", 0, "ERR"},
        {'A', "a", "banana", "${nope}", 0, "ERR"},
        {'A', "(?<n>a)", "banana", "${n", 0, "ERR"},
        {'A', "a", "banana", "${}", 0, "ERR"},
        {'A', "a", "banana", "$x", 0, "ERR"},
        {'A', "(a)|(b)", "abc", "[$2]", 0, "[][b]c"},
        {'A', "\\\\'", "it\\'s", "'", 0, "it's"},
        {'A', "\\s+", " a  b ", "_", 0, "_a_b_"},
        {'A', "^", "ab", "-", 0, "-ab"},
        {'A', "$", "ab", "-", 0, "ab-"},
        {'A', "(?m)^", "a\012b", "> ", 0, "> a\012> b"},
        {'A', "\\b", "hi there", "|", 0, "|hi| |there|"},
        {'A', ".", "\303\251\360\237\230\200", "x", 0, "xx"},
        {'A', "", "\303\251\360\237\230\200", "-", 0, "-\303\251-\360\237\230\200-"}, /* Java splits the surrogate pair: "-\u00e9-\ud83d-\ude00-" */
        {'A', "[aeiou]", "education", "*", 0, "*d*c*t**n"},
        {'F', "a", "banana", "o", 0, "bonana"},
        {'F', "", "abc", "-", 0, "-abc"},
        {'F', "(\\d+)", "ab12cd34", "<$1>", 0, "ab<12>cd34"},
        {'F', "x", "abc", "$5", 0, "abc"},
        {'S', ",", "a,b,,c,,", NULL, 0, "4|a|b||c"},
        {'S', ",", "a,b,,c,,", NULL, -1, "6|a|b||c||"},
        {'S', ",", "a,b,,c,,", NULL, 2, "2|a|b,,c,,"},
        {'S', ",", "a,b,,c,,", NULL, 1, "1|a,b,,c,,"},
        {'S', ",", "", NULL, 0, "1|"},
        {'S', "", "abc", NULL, 0, "3|a|b|c"},
        {'S', "\\d*", "a1b2", NULL, 0, "3|a||b"},
        {'S', ",", ",a,b", NULL, 0, "3||a|b"},
        {'S', ",", ",", NULL, 0, "0"},
        {'S', ",", ",,,", NULL, -1, "4||||"},
        {'S', "\\s+", " a b ", NULL, 0, "3||a|b"},
        {'S', "(?=b)", "abab", NULL, 0, "3|a|ba|b"},
        {'S', "x", "abc", NULL, 0, "1|abc"},
        {'S', "\\|", "a|b|c", NULL, 2, "2|a|b|c"},
        {'S', "", "", NULL, 0, "1|"},
        {'S', "a", "aaa", NULL, 0, "0"},
        {'S', "a", "aaa", NULL, -1, "4||||"},
        {'S', "\\.", "1.2.3", NULL, 5, "3|1|2|3"},
        {'S', "(?<=,)", "a,b", NULL, 0, "2|a,|b"},
};

/* Runs one case the way a template would, printing the result as the table does. */
static void run(gh_arena *a, const jcase *c, gh_buf *got)
{
    const char *err = NULL;
    const gh_jregex *re = gh_jregex_get(c->pattern, strlen(c->pattern), &err);
    if (!re) {
        assert_non_null(err);
        gh_buf_puts(got, "ERR");
        return;
    }
    if (c->op == 'M') {
        gh_buf_puts(got, gh_jregex_matches(re, c->input, strlen(c->input)) ? "true" : "false");
    } else if (c->op == 'A' || c->op == 'F') {
        size_t n = 0;
        char *r = gh_jregex_replace(a, re, c->input, strlen(c->input), c->replacement,
                                    strlen(c->replacement), c->op == 'A', &n, &err);
        if (r)
            gh_buf_append(got, r, n);
        else
            gh_buf_puts(got, "ERR");
    } else {
        const char **st;
        size_t *ln;
        size_t n = gh_jregex_split_limit(a, re, c->input, strlen(c->input), c->limit, &st, &ln);
        gh_buf_printf(got, "%zu", n);
        for (size_t k = 0; k < n; k++) {
            gh_buf_putc(got, '|');
            gh_buf_append(got, st[k], ln[k]);
        }
    }
}

static void java_table(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_buf got = GH_BUF_INIT;
        run(a, &cases[i], &got);
        if (strcmp(got.data ? got.data : "", cases[i].java)) {
            fprintf(stderr, "case %zu: %c /%s/ on \"%s\": got \"%s\", Java \"%s\"\n", i,
                    cases[i].op, cases[i].pattern, cases[i].input, got.data ? got.data : "",
                    cases[i].java);
            failures++;
        }
        gh_buf_free(&got);
    }
    gh_arena_free(a);
    assert_int_equal(failures, 0);
}

/* Bytes that are not UTF-8 (a binary body) never make a match fail with an error. */
static void invalid_utf8_subjects(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    const gh_jregex *re = gh_jregex_get("a.c", 3, NULL);
    assert_non_null(re);
    assert_false(gh_jregex_matches(re, "a\xff" "c", 3));
    assert_true(gh_jregex_matches(re, "abc", 3));
    re = gh_jregex_get("b", 1, NULL);
    size_t n;
    char *r = gh_jregex_replace(a, re, "\xff" "b\xfe", 3, "x", 1, true, &n, NULL);
    assert_non_null(r);
    assert_int_equal(n, 3);
    assert_memory_equal(r, "\xff" "x\xfe", 3);
    re = gh_jregex_get("", 0, NULL);
    r = gh_jregex_replace(a, re, "\xff" "a", 2, "-", 1, true, &n, NULL);
    assert_string_equal(r, "-\xff-a-");
    gh_arena_free(a);
}

/* Errors name the problem and where it is. */
static void error_messages(void **state)
{
    (void)state;
    const char *err = NULL;
    assert_null(gh_jregex_get("a{", 2, &err));
    assert_non_null(strstr(err, "illegal repetition near index 1"));
    assert_null(gh_jregex_get("(a", 2, &err));
    assert_non_null(strstr(err, "missing closing parenthesis"));
    assert_null(gh_jregex_get("\\p{InGreek}", 11, &err));
    assert_non_null(strstr(err, "Unicode blocks"));
    gh_arena *a = gh_arena_new(1024);
    const gh_jregex *re = gh_jregex_get("(a)", 3, NULL);
    size_t n;
    assert_null(gh_jregex_replace(a, re, "a", 1, "$2", 2, true, &n, &err));
    assert_string_equal(err, "No group 2");
    assert_null(gh_jregex_replace(a, re, "a", 1, "x\\", 2, true, &n, &err));
    assert_string_equal(err, "character to be escaped is missing");
    gh_arena_free(a);
}

/* More patterns than the cache holds: the oldest are evicted and compiled again. */
/* "$0$0" doubles its subject: past the 10 MB payload limit the result is refused before
 * it takes the memory (fuzz_vtl's replaceAll growth). */
static void replace_result_is_bounded(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    const gh_jregex *re = gh_jregex_get(".", 1, NULL);
    size_t len = 6 * 1024 * 1024, n = 0;
    char *s = malloc(len);
    memset(s, 'a', len);
    const char *err = NULL;
    assert_null(gh_jregex_replace(a, re, s, len, "$0$0", 4, true, &n, &err));
    assert_string_equal(err, "the result exceeds the 10 MB output limit");
    char *r = gh_jregex_replace(a, re, s, 1024, "$0$0", 4, true, &n, &err);
    assert_non_null(r);
    assert_int_equal(n, 2048);
    free(s);
    gh_arena_free(a);
}

static void cache_is_bounded(void **state)
{
    (void)state;
    char p[32];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 200; i++) {
            int n = snprintf(p, sizeof p, "x%d", i);
            const gh_jregex *re = gh_jregex_get(p, (size_t)n, NULL);
            assert_non_null(re);
            assert_true(gh_jregex_matches(re, p, (size_t)n));
        }
    }
    gh_jregex_thread_cleanup();
    gh_jregex_thread_cleanup(); /* twice is harmless */
    assert_non_null(gh_jregex_get("y", 1, NULL));
}

static int teardown(void **state)
{
    (void)state;
    gh_jregex_thread_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(java_table, teardown),
        cmocka_unit_test_teardown(invalid_utf8_subjects, teardown),
        cmocka_unit_test_teardown(error_messages, teardown),
        cmocka_unit_test_teardown(replace_result_is_bounded, teardown),
        cmocka_unit_test_teardown(cache_is_bounded, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
