/* harness/update: the byte span of a value in its file, which --update replaces and
 * nothing else. A case per line: the document, the key whose value is looked at, and
 * the exact text of the span (NULL when it must be refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "harness/update.h"

typedef struct ucase {
    const char *doc;
    const char *key;
    const char *span;
} ucase;

static const ucase cases[] = {
    {"a: 200\nb: 1\n", "a", "200"},
    {"a: plain text  # c\nb: 1\n", "a", "plain text"},
    {"a: \"q \\\" x\"\nb: 1\n", "a", "\"q \\\" x\""},
    {"a: 'it''s'\nb: 1\n", "a", "'it''s'"},
    {"a: {x: [1, '}'], y: \"]\"}\nb: 1\n", "a", "{x: [1, '}'], y: \"]\"}"},
    {"a: [1,\n  2]\nb: 1\n", "a", "[1,\n  2]"},
    {"a:\n  x: 1\n  # note\n  y:\n    z: 2\nb: 1\n", "a", "x: 1\n  # note\n  y:\n    z: 2"},
    {"a:\n  x: 1\n\n# tail\nb: 1\n", "a", "x: 1"},
    {"a:\n- 1\n- k: 2\n  j: 3\nb: 1\n", "a", "- 1\n- k: 2\n  j: 3"},
    {"r:\n  a:\n    - 1\n    - 2\n  c: 3\n", "r.a", "- 1\n    - 2"},
    {"a: |\n  text\nb: 1\n", "a", NULL},
    {"a: >\n  text\nb: 1\n", "a", NULL},
    {"a: two\n  lines\nb: 1\n", "a", NULL},
    {"é: ünïcode\nb: 1\n", "é", "ünïcode"},
};

static void spans(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const ucase *c = &cases[i];
        gh_doc *doc = NULL;
        gh_diags d = GH_DIAGS_INIT;
        assert_int_equal(gh_doc_load_buffer("u.yaml", c->doc, strlen(c->doc), &doc, &d), 0);
        const gh_node *n = doc->root;
        char key[32];
        snprintf(key, sizeof key, "%s", c->key);
        for (char *k = strtok(key, "."); k; k = strtok(NULL, "."))
            n = gh_node_get(n, k);
        assert_non_null(n);
        size_t s = 0, e = 0;
        bool ok = gh_fx_value_span(doc->source, doc->source_len, n, &s, &e);
        if (ok != (c->span != NULL))
            fail_msg("case %zu: span %s", i, ok ? "found" : "refused");
        if (ok && (e - s != strlen(c->span) || memcmp(doc->source + s, c->span, e - s)))
            fail_msg("case %zu: got '%.*s'", i, (int)(e - s), doc->source + s);
        gh_doc_free(doc);
        gh_diags_free(&d);
    }
}

static void selection(void **state)
{
    (void)state;
    const char *names[] = {"a", "b c"};
    assert_true(gh_fx_update_selected("b c", names, 2, false));
    assert_false(gh_fx_update_selected("b", names, 2, false));
    assert_true(gh_fx_update_selected("anything", NULL, 0, true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(spans), cmocka_unit_test(selection)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
