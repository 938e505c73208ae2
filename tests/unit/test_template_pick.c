/* integration/template_pick: request templates by Content-Type with the passthrough
 * table of reference §5.5, response templates by the first media type of Accept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "integration/template_pick.h"

static gh_template two[] = {
    {.media_type = "application/json", .text = "J", .len = 1},
    {.media_type = "application/xml", .text = "X", .len = 1},
};

static void request(void **state)
{
    (void)state;
    static const struct {
        gh_passthrough pt;
        size_t ntemplates;     /* of `two` */
        const char *content_type;
        gh_pick want;
        const char *text;      /* chosen template, when GH_PICK_TEMPLATE */
        const char *type;      /* media type looked up */
    } cases[] = {
        {GH_PASSTHROUGH_WHEN_NO_MATCH, 2, NULL, GH_PICK_TEMPLATE, "J", "application/json"},
        {GH_PASSTHROUGH_WHEN_NO_MATCH, 2, "", GH_PICK_TEMPLATE, "J", "application/json"},
        {GH_PASSTHROUGH_WHEN_NO_MATCH, 2, "Application/XML; charset=UTF-8", GH_PICK_TEMPLATE, "X", "application/xml"},
        {GH_PASSTHROUGH_WHEN_NO_MATCH, 2, "text/plain", GH_PICK_PASSTHROUGH, NULL, "text/plain"},
        {GH_PASSTHROUGH_WHEN_NO_MATCH, 0, "text/plain", GH_PICK_PASSTHROUGH, NULL, "text/plain"},
        {GH_PASSTHROUGH_WHEN_NO_TEMPLATES, 2, "text/plain", GH_PICK_REJECT, NULL, "text/plain"},
        {GH_PASSTHROUGH_WHEN_NO_TEMPLATES, 0, "text/plain", GH_PICK_PASSTHROUGH, NULL, "text/plain"},
        {GH_PASSTHROUGH_WHEN_NO_TEMPLATES, 2, "application/json", GH_PICK_TEMPLATE, "J", "application/json"},
        {GH_PASSTHROUGH_NEVER, 2, "text/plain", GH_PICK_REJECT, NULL, "text/plain"},
        {GH_PASSTHROUGH_NEVER, 0, NULL, GH_PICK_REJECT, NULL, "application/json"},
        {GH_PASSTHROUGH_NEVER, 2, "application/xml", GH_PICK_TEMPLATE, "X", "application/xml"},
    };
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_integration in = {.type = GH_INTEG_MOCK, .passthrough = cases[i].pt,
                             .request_templates = two, .nrequest_templates = cases[i].ntemplates};
        const gh_template *t = NULL;
        const char *type = NULL;
        gh_pick p = gh_template_pick_request(&in, cases[i].content_type, a, &t, &type);
        if (p != cases[i].want) {
            print_error("case %zu: pick %d, want %d\n", i, (int)p, (int)cases[i].want);
            fail();
        }
        assert_string_equal(type, cases[i].type);
        if (cases[i].text)
            assert_string_equal(t->text, cases[i].text);
        else
            assert_null(t);
    }
    gh_arena_free(a);
}

static void response(void **state)
{
    (void)state;
    static const struct {
        const char *accept;
        const char *text;
    } cases[] = {
        {NULL, "J"},
        {"application/xml", "X"},
        {"APPLICATION/XML;q=0.9", "X"},
        {"application/xml, application/json", "X"},  /* only the first counts */
        {"text/html, application/xml", "J"},         /* no match: the first template */
        {"*/*", "J"},
    };
    gh_arena *a = gh_arena_new(1024);
    gh_integ_response r = {.status = 200, .templates = &two[1], .ntemplates = 1};
    assert_string_equal(gh_template_pick_response(&r, NULL, a)->text, "X"); /* the only one */
    r.templates = two;
    r.ntemplates = 2;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(gh_template_pick_response(&r, cases[i].accept, a)->text,
                            cases[i].text);
    r.ntemplates = 0;
    assert_null(gh_template_pick_response(&r, "application/json", a));
    assert_null(gh_template_pick_response(NULL, NULL, a));
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request),
        cmocka_unit_test(response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
