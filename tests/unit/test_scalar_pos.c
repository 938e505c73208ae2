/* spec/scalar_pos: a byte of a scalar's text -> file:line:col, for every scalar style
 * definitions use (literal and folded blocks, JSON's one-line escaped strings, YAML's
 * double- and single-quoted strings, plain scalars). Each case is a real snippet, the
 * key of the scalar, a needle in its text, and where the needle's first byte is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "spec/scalar_pos.h"

static gh_doc *load(const char *text)
{
    gh_diags d = GH_DIAGS_INIT;
    gh_doc *doc = NULL;
    int rc = gh_doc_load_buffer("api.yaml", text, strlen(text), &doc, &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s\n", d.items[i].text);
    gh_diags_free(&d);
    assert_int_equal(rc, 0);
    return doc;
}

/* The scalar under a dotted key path ("a.b.c"; keys hold no dots here). */
static const gh_node *find(const gh_doc *doc, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const gh_node *n = doc->root;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
        n = gh_node_get(n, k);
    return n;
}

static void bytes_map_back_to_the_file(void **state)
{
    (void)state;
    static const struct {
        const char *src, *key, *needle;
        unsigned line, col;
    } cases[] = {
        /* plain */
        {"t: hello $x world\n", "t", "$x", 1, 10},
        {"a:\n  t: one two\n    three $x\n", "a.t", "$x", 3, 11},
        {"t: a\n\n  b $x\n", "t", "$x", 3, 5},
        {"t: 'é' \n", "t", "é", 1, 5},
        /* single-quoted: '' is one quote */
        {"t: 'it''s $x'\n", "t", "$x", 1, 11},
        {"t: '{\"id\": \"$input.params(''id'')\"}'\n", "t", "'id'", 1, 27},
        {"t: 'a\n   b $x'\n", "t", "$x", 2, 6},
        /* double-quoted (YAML and JSON): each escape is as wide as written */
        {"t: \"a\\\"b $x\"\n", "t", "$x", 1, 10},
        {"{\"t\": \"{\\n  \\\"id\\\": $x\\n}\"}", "t", "$x", 1, 21},
        {"{\"t\": \"#set($a = 1)\\n#if($a)\\n  #foreach\"}", "t", "#foreach", 1, 33},
        {"{\"t\": \"\\u00e9\\u20ac $x\"}", "t", "$x", 1, 21},
        {"{\"t\": \"tab\\there \\\\ $x\"}", "t", "$x", 1, 21},
        {"t: \"one \\\n   two $x\"\n", "t", "$x", 2, 8},
        {"t: \"one\n\n  two $x\"\n", "t", "$x", 3, 7},
        {"t: \"\\x41\\u00e9 $x\"\n", "t", "$x", 1, 16},
        {"  {\"a\": {\n    \"t\": \"x\\r\\ny $x\"\n  }}\n", "a.t", "$x", 2, 18},
        /* literal blocks: indentation, indicators, chomping */
        {"t: |\n  line one\n  #if($x\n", "t", "#if", 3, 3},
        {"a:\n  t: |-\n    {\n      \"v\": $x\n    }\n", "a.t", "$x", 4, 12},
        {"t: |+\n  a\n\n  $x\n\n", "t", "$x", 4, 3},
        {"a:\n  t: |2\n      indented $x\n", "a.t", "$x", 3, 16},
        {"t: |  # comment\n  x\n  y $x\n", "t", "$x", 3, 5},
        {"t: &tpl |\n  $x\n", "t", "$x", 2, 3},
        {"t: |\n  \xc3\xa9\xc3\xa9 $x\n", "t", "$x", 2, 6},
        /* folded blocks: the right line */
        {"t: >\n  one\n  two $x\n", "t", "$x", 3, 7},
        {"t: >-\n  one\n\n  two\n    more $x\n", "t", "$x", 5, 10},
        /* in a flow mapping */
        {"t: {application/json: '{\"a\": $x}'}\n", "t.application/json", "$x", 1, 30},
        /* a sequence item */
        {"l:\n  - |\n    first\n    $x\n", NULL, "$x", 4, 5},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_doc *doc = load(cases[i].src);
        const gh_node *n = cases[i].key ? find(doc, cases[i].key)
                                        : gh_node_get(doc->root, "l")->items[0];
        assert_non_null(n);
        const char *at = strstr(n->text, cases[i].needle);
        assert_non_null(at);
        gh_mark m;
        bool ok = gh_scalar_pos_doc(doc, n, (size_t)(at - n->text), &m);
        if (!ok || m.line != cases[i].line || m.col != cases[i].col) {
            bad++;
            fprintf(stderr, "case %zu (%s): %s %u:%u, want %u:%u\n", i, cases[i].src,
                    ok ? "got" : "FAILED, mark", m.line, m.col, cases[i].line, cases[i].col);
        }
        gh_doc_free(doc);
    }
    assert_int_equal(bad, 0);
}

/* Offsets at and past the end map after the last character; a source that does not hold
 * the text falls back to the scalar's start. */
static void ends_and_mismatches(void **state)
{
    (void)state;
    gh_doc *doc = load("t: \"ab\"\nu: |\n  xy\n");
    const gh_node *t = gh_node_get(doc->root, "t"), *u = gh_node_get(doc->root, "u");
    gh_mark m;
    assert_true(gh_scalar_pos_doc(doc, t, 2, &m));
    assert_int_equal(m.line, 1);
    assert_int_equal(m.col, 7);
    assert_true(gh_scalar_pos_doc(doc, u, 99, &m));
    assert_int_equal(m.line, 3);
    assert_int_equal(m.col, 5);
    const char *other = "t: \"zz\"\n";
    assert_false(gh_scalar_pos(other, strlen(other), t, 1, &m));
    assert_int_equal(m.line, t->mark.line);
    assert_int_equal(m.col, t->mark.col);
    gh_node fake = *t;
    fake.mark.file = "other.yaml";
    assert_false(gh_scalar_pos_doc(doc, &fake, 0, &m));
    gh_doc_free(doc);
}

static void text_offsets(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned line, col;
        size_t offset;
    } cases[] = {
        {"abc", 1, 1, 0},    {"abc", 1, 3, 2},     {"abc", 1, 9, 3},   {"a\nbc", 2, 2, 3},
        {"a\nbc", 2, 1, 2},  {"a\n\nx", 3, 1, 3},  {"a\nb", 5, 1, 3},  {"ab\ncd", 1, 7, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t got = gh_text_offset(cases[i].text, strlen(cases[i].text), cases[i].line,
                                    cases[i].col);
        if (got != cases[i].offset)
            fail_msg("case %zu: %zu, want %zu", i, got, cases[i].offset);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bytes_map_back_to_the_file),
        cmocka_unit_test(ends_and_mismatches),
        cmocka_unit_test(text_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
