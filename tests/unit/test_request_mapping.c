/* integration/request_mapping + param_map: request template selection and AWS's
 * passthrough table (aws-api-gateway.md §5.5), requestParameters into the integration
 * request (§5.7), $context.requestOverride winning over them (§5.8), and
 * contentHandling on the request body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gateway/gateway_response.h"
#include "integration/context.h"
#include "integration/param_map.h"
#include "integration/request_mapping.h"
#include "integration/template_pick.h"
#include "inv_fixture.h"
#include "template/vtl.h"

static gh_arena *tpl_arena;

static gh_template tpl(const char *media, const char *text)
{
    gh_vtl_error err;
    return (gh_template){.media_type = media, .text = text, .len = strlen(text),
                         .compiled = gh_vtl_compile(tpl_arena, text, strlen(text), &err)};
}

/* Templates exist for application/json (when `json`) and text/plain (when `text`). */
static void passthrough_table(void **state)
{
    (void)state;
    enum { TRANSFORM, PASS, REJECT };
    static const struct {
        const char *content_type; /* NULL: none sent */
        int json, text;
        gh_passthrough pt;
        int want;
        const char *media; /* chosen template, TRANSFORM only */
    } cases[] = {
        /* integration-passthrough-behaviors, example 1 (an application/json template) */
        {NULL, 1, 0, GH_PASSTHROUGH_WHEN_NO_MATCH, TRANSFORM, "application/json"},
        {NULL, 1, 0, GH_PASSTHROUGH_WHEN_NO_TEMPLATES, TRANSFORM, "application/json"},
        {NULL, 1, 0, GH_PASSTHROUGH_NEVER, TRANSFORM, "application/json"},
        {"application/json", 1, 0, GH_PASSTHROUGH_NEVER, TRANSFORM, "application/json"},
        {"application/xml", 1, 0, GH_PASSTHROUGH_WHEN_NO_MATCH, PASS, NULL},
        {"application/xml", 1, 0, GH_PASSTHROUGH_WHEN_NO_TEMPLATES, REJECT, NULL},
        {"application/xml", 1, 0, GH_PASSTHROUGH_NEVER, REJECT, NULL},
        /* example 2: no templates at all */
        {NULL, 0, 0, GH_PASSTHROUGH_WHEN_NO_MATCH, PASS, NULL},
        {"application/xml", 0, 0, GH_PASSTHROUGH_WHEN_NO_TEMPLATES, PASS, NULL},
        {"application/json", 0, 0, GH_PASSTHROUGH_NEVER, REJECT, NULL},
        /* parameters ignored, case-insensitive; the text template is picked by its type */
        {"Application/JSON; charset=UTF-8", 1, 1, GH_PASSTHROUGH_NEVER, TRANSFORM, "application/json"},
        {"text/plain;charset=utf-8", 1, 1, GH_PASSTHROUGH_NEVER, TRANSFORM, "text/plain"},
        {"", 1, 0, GH_PASSTHROUGH_NEVER, TRANSFORM, "application/json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        gh_template ts[2];
        size_t n = 0;
        if (cases[i].json)
            ts[n++] = tpl("application/json", "{\"t\":\"json\"}");
        if (cases[i].text)
            ts[n++] = tpl("text/plain", "{\"t\":\"text\"}");
        f.integ.request_templates = ts;
        f.integ.nrequest_templates = n;
        f.integ.passthrough = cases[i].pt;
        if (cases[i].content_type)
            gh_headers_add(f.arena, &f.req.headers, "Content-Type", cases[i].content_type);
        f.req.body = "<a>1</a>";
        f.req.body_len = 8;
        const gh_template *t = NULL;
        const char *ct = gh_headers_get(&f.req.headers, "Content-Type");
        gh_pick pick = gh_template_pick_request(&f.integ, ct, f.arena, &t, NULL);
        int rc = pick == GH_PICK_REJECT ? -1 : 0;
        bool templated = false;
        int arc = gh_request_mapping_apply(&f.inv, &templated);
        switch (cases[i].want) {
        case TRANSFORM:
            if (rc != 0 || !t)
                fail_msg("case %zu: expected a template", i);
            assert_string_equal(t->media_type, cases[i].media);
            assert_int_equal(arc, 0);
            assert_true(templated);
            assert_string_equal(f.inv.integ_body,
                                strcmp(cases[i].media, "text/plain") ? "{\"t\":\"json\"}"
                                                                     : "{\"t\":\"text\"}");
            break;
        case PASS:
            if (rc != 0 || t)
                fail_msg("case %zu: expected passthrough", i);
            assert_int_equal(arc, 0);
            assert_false(templated);
            assert_int_equal(f.inv.integ_body_len, 8);
            assert_memory_equal(f.inv.integ_body, "<a>1</a>", 8);
            break;
        default:
            if (rc != -1)
                fail_msg("case %zu: expected AWS's 415", i);
            assert_int_equal(arc, -1);
            assert_int_equal(f.inv.fail_type, GH_GW_UNSUPPORTED_MEDIA_TYPE);
            assert_null(f.inv.fail_message); /* the type's "Unsupported Media Type" */
        }
        inv_fixture_free(&f);
    }
}

/* requestParameters -> integration request. The fixture: GET /prod/orders/42
 * ?expand=items&tag=a&tag=b&q=a+b%2Bc, x-tenant: green, x-tenant: blue. */
static void request_parameters(void **state)
{
    (void)state;
    static const struct {
        const char *target, *source, *want; /* want NULL: left out */
    } cases[] = {
        {"integration.request.header.X-Order", "method.request.path.id", "42"},
        {"integration.request.header.X-Tenants", "method.request.multivalueheader.x-tenant", "green,blue"},
        {"integration.request.header.X-Tenant", "method.request.header.x-tenant", "blue"},
        {"integration.request.header.X-Missing", "method.request.header.x-nope", NULL},
        {"integration.request.header.X-Stage", "context.stage", "prod"},
        {"integration.request.header.X-Backend", "stageVariables.backend", "orders-v2"},
        {"integration.request.header.X-Lit", "'static value'", "static value"},
        {"integration.request.header.X-Name", "method.request.body.pet.name", "rex"},
        {"integration.request.header.X-Pet", "method.request.body.pet", "{\"name\":\"rex\",\"age\":3}"},
        {"integration.request.header.X-Body", "method.request.body", "{\"pet\":{\"name\":\"rex\",\"age\":3}}"},
        {"integration.request.querystring.expand", "method.request.querystring.expand", "items"},
        {"integration.request.querystring.tags", "method.request.multivaluequerystring.tag", "a,b"},
        {"integration.request.querystring.q", "method.request.querystring.q", "a b+c"},
        {"integration.request.querystring.none", "method.request.querystring.none", NULL},
        {"integration.request.path.orderId", "method.request.path.id", "42"},
        {"integration.request.path.gone", "method.request.path.gone", NULL},
    };
    size_t n = sizeof cases / sizeof *cases;
    inv_fixture f;
    inv_fixture_init(&f);
    f.req.body = "{\"pet\":{\"name\":\"rex\",\"age\":3}}";
    f.req.body_len = strlen(f.req.body);
    gh_kv params[sizeof cases / sizeof *cases];
    for (size_t i = 0; i < n; i++)
        params[i] = (gh_kv){.key = cases[i].target, .value = cases[i].source};
    f.integ.request_parameters = (gh_kvs){params, n};
    gh_param_map_request(&f.inv);
    for (size_t i = 0; i < n; i++) {
        const char *t = cases[i].target + strlen("integration.request.");
        const char *got = NULL;
        if (strncmp(t, "header.", 7) == 0)
            got = gh_headers_get(&f.inv.integ_headers, t + 7);
        else if (strncmp(t, "querystring.", 12) == 0)
            got = gh_headers_get(&f.inv.integ_query, t + 12);
        else
            for (size_t j = 0; j < f.inv.ninteg_path; j++)
                if (strcmp(f.inv.integ_path[j].name, t + 5) == 0)
                    got = f.inv.integ_path[j].value;
        if (!cases[i].want && got)
            fail_msg("%s: expected nothing, got '%s'", cases[i].target, got);
        if (cases[i].want && (!got || strcmp(got, cases[i].want) != 0))
            fail_msg("%s: expected '%s', got '%s'", cases[i].target, cases[i].want,
                     got ? got : "(none)");
    }
    assert_int_equal(f.inv.integ_headers.n, 9);
    assert_int_equal(f.inv.integ_query.n, 3);
    assert_int_equal(f.inv.ninteg_path, 1);
    inv_fixture_free(&f);
}

/* Body sources: a missing path, a body that is not JSON and an empty body give nothing. */
static void body_sources(void **state)
{
    (void)state;
    static const struct {
        const char *body, *path, *want;
    } cases[] = {
        {"{\"a\":{\"b\":\"x\"}}", "a.b", "x"},
        {"{\"a\":{\"b\":\"x\"}}", "$.a.b", "x"},
        {"{\"a\":{\"b\":7}}", "a.b", "7"},
        {"{\"a\":{\"b\":true}}", "a", "{\"b\":true}"},
        {"{\"a\":1}", "nope", NULL},
        {"not json", "a", NULL},
        {"not json", NULL, "not json"},
        {"", NULL, NULL},
    };
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = gh_param_body_value(a, cases[i].body, strlen(cases[i].body), cases[i].path);
        if (!cases[i].want) {
            if (got)
                fail_msg("case %zu: expected nothing, got '%s'", i, got);
        } else {
            if (!got)
                fail_msg("case %zu: expected '%s', got nothing", i, cases[i].want);
            assert_string_equal(got, cases[i].want);
        }
    }
    gh_arena_free(a);
}

/* $context.requestOverride.* is applied after parameter mapping, so it wins (§5.8). */
static void overrides_win_over_parameters(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_kv params[] = {
        {.key = "integration.request.header.X-Order", .value = "method.request.path.id"},
        {.key = "integration.request.querystring.expand", .value = "'all'"},
        {.key = "integration.request.path.orderId", .value = "method.request.path.id"},
    };
    f.integ.request_parameters = (gh_kvs){params, 3};
    gh_param_map_request(&f.inv);
    gh_mapping_out out;
    memset(&out, 0, sizeof out);
    gh_headers_add(f.arena, &out.request_header_overrides, "x-order", "override-1");
    gh_headers_add(f.arena, &out.request_header_overrides, "X-New", "n");
    gh_headers_add(f.arena, &out.request_query_overrides, "expand", "none");
    gh_headers_add(f.arena, &out.request_path_overrides, "orderId", "99");
    gh_request_overrides_apply(&f.inv, &out);
    assert_int_equal(f.inv.integ_headers.n, 2);
    assert_string_equal(gh_headers_get(&f.inv.integ_headers, "X-Order"), "override-1");
    assert_string_equal(gh_headers_get(&f.inv.integ_headers, "X-New"), "n");
    assert_int_equal(f.inv.integ_query.n, 1);
    assert_string_equal(gh_headers_get(&f.inv.integ_query, "expand"), "none");
    assert_int_equal(f.inv.ninteg_path, 1);
    assert_string_equal(f.inv.integ_path[0].value, "99");
    inv_fixture_free(&f);
}

/* contentHandling on the request (api-gateway-payload-encodings-workflow): binary is a
 * Content-Type among binaryMediaTypes (here image/<star>). */
static void content_handling(void **state)
{
    (void)state;
    static const struct {
        const char *content_type, *handling, *body;
        int template_;
        int rc;
        const char *want; /* integration body */
    } cases[] = {
        {"image/png", NULL, "\x89PNG", 0, 0, "\x89PNG"},
        {"image/png", "CONVERT_TO_TEXT", "\x89PNG", 0, 0, "iVBORw=="},
        {"image/png", "CONVERT_TO_BINARY", "\x89PNG", 0, 0, "\x89PNG"},
        {"text/plain", "CONVERT_TO_BINARY", "aGk=", 0, 0, "hi"},
        {"text/plain", "CONVERT_TO_BINARY", "not base64!", 0, -1, NULL},
        {"text/plain", "CONVERT_TO_TEXT", "hi", 0, 0, "hi"},
        /* a template sees a binary body as base64 ($input.body) */
        {"image/png", NULL, "\x89PNG", 1, 0, "b=iVBORw=="},
        {"image/png", "CONVERT_TO_BINARY", "\x89PNG", 1, -1, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        const char *types[] = {"image/*"};
        f.api.binary_media_types = types;
        f.api.nbinary_media_types = 1;
        gh_headers_add(f.arena, &f.req.headers, "Content-Type", cases[i].content_type);
        f.req.body = cases[i].body;
        f.req.body_len = strlen(cases[i].body);
        f.integ.content_handling = cases[i].handling;
        gh_template t[] = {tpl("image/png", "b=$input.body")};
        if (cases[i].template_) {
            f.integ.request_templates = t;
            f.integ.nrequest_templates = 1;
        }
        bool templated;
        int rc = gh_request_mapping_apply(&f.inv, &templated);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d", i, rc);
        if (rc == 0) {
            assert_int_equal(f.inv.integ_body_len, strlen(cases[i].want));
            assert_memory_equal(f.inv.integ_body, cases[i].want, strlen(cases[i].want));
        } else {
            assert_int_equal(f.inv.fail_type, GH_GW_API_CONFIGURATION_ERROR);
        }
        inv_fixture_free(&f);
    }
}

/* Request templates on bodies that are not JSON, and overrides set twice, through the
 * whole integration request (a case per line, for the end-to-end suite to replay).
 * JSONPath reads a body that does not open a JSON value as one string (json-smart's
 * permissive mode, aws_input.c): the form-to-JSON template AWS users share works. A body
 * that opens JSON and breaks gets AWS's 400 "Could not parse request body into json: ..."
 * (serverless/serverless#2270, fluct/fluct#33); a parameter overridden twice ("Overrides
 * are final", apigateway-override-request-response-parameters) fails with a 500. */
static void templates_on_odd_bodies(void **state)
{
    (void)state;
    static const char form_tpl[] =
        "#set($raw = $input.path('$'))"
        "{#foreach($kv in $raw.split('&'))#set($p = $kv.split('='))"
        "\"$p[0]\":\"$util.urlDecode($p[1])\"#if($foreach.hasNext),#end#end}";
    static const struct {
        const char *content_type, *body, *tpl;
        const char *want; /* the integration body; NULL: a 400 or 500 (status) */
        const char *header; /* "Name: value" of the one header override, or NULL */
        int status;
    } cases[] = {
        {"application/x-www-form-urlencoded", "name=ann&pet=r%C3%A9x", form_tpl,
         "{\"name\":\"ann\",\"pet\":\"r\xC3\xA9x\"}", NULL, 0},
        /* nateyolles/slack-pokerbot#1: the template that made a Slack form post valid JSON */
        {"application/x-www-form-urlencoded", "token=t1&text=hi", "{\"body\": $input.json('$')}",
         "{\"body\": \"token=t1&text=hi\"}", NULL, 0},
        {"text/plain", "hello world\n", "[$input.path('$')][$input.path('$.a')]",
         "[hello world][]", NULL, 0},
        {"application/json", "{\"a\":", "$input.json('$.a')", NULL, NULL, 400},
        {"application/json", "[1,", "$input.path('$')", NULL, NULL, 400},
        {"application/json", "{\"a\":1}", "$input.body", "{\"a\":1}", NULL, 0}, /* no JSONPath: no parse */
        {"application/json", "{bad", "$input.body", "{bad", NULL, 0},
        {"application/json", "{\"id\":7}",
         "#set($context.requestOverride.header.X-Id = $input.json('$.id'))ok", "ok", "X-Id: 7", 0},
        {"application/json", "{\"id\":7}",
         "#set($context.requestOverride.header.X-Id = '1')"
         "#set($context.requestOverride.header.X-Id = '2')ok", NULL, NULL, 500},
        {"application/json", "{\"id\":7}",
         "#set($context.requestOverride.header.X-Id = '1')"
         "#set($context.requestOverride.header.x-id = '2')ok", NULL, NULL, 500},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        gh_headers_add(f.arena, &f.req.headers, "Content-Type", cases[i].content_type);
        f.req.body = cases[i].body;
        f.req.body_len = strlen(cases[i].body);
        gh_template t[] = {tpl(cases[i].content_type, cases[i].tpl)};
        assert_non_null(t[0].compiled);
        f.integ.request_templates = t;
        f.integ.nrequest_templates = 1;
        bool templated = false;
        int rc = gh_request_mapping_apply(&f.inv, &templated);
        if (!cases[i].want) {
            if (rc != -1)
                fail_msg("case %zu: expected a %d, got body [%s]", i, cases[i].status,
                         f.inv.integ_body);
            int status = f.inv.fail_status ? f.inv.fail_status
                                           : gh_gw_default_status(f.inv.fail_type);
            assert_int_equal(status, cases[i].status);
            if (cases[i].status == 500) {
                assert_int_equal(f.inv.fail_type, GH_GW_API_CONFIGURATION_ERROR);
                assert_string_equal(f.inv.fail_message, "Internal server error");
            } else {
                assert_int_equal(f.inv.fail_type, GH_GW_DEFAULT_4XX);
                assert_true(strncmp(f.inv.fail_message,
                                    "Could not parse request body into json: ", 40) == 0);
            }
        } else {
            if (rc != 0)
                fail_msg("case %zu: failed", i);
            assert_true(templated);
            assert_int_equal(f.inv.integ_body_len, strlen(cases[i].want));
            assert_memory_equal(f.inv.integ_body, cases[i].want, strlen(cases[i].want));
            if (cases[i].header) {
                assert_int_equal(f.inv.integ_headers.n, 1);
                const char *name = f.inv.integ_headers.items[0].name;
                const char *value = f.inv.integ_headers.items[0].value;
                char got[128];
                snprintf(got, sizeof got, "%s: %s", name, value);
                assert_string_equal(got, cases[i].header);
            } else {
                assert_int_equal(f.inv.integ_headers.n, 0);
            }
        }
        inv_fixture_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passthrough_table),
        cmocka_unit_test(request_parameters),
        cmocka_unit_test(body_sources),
        cmocka_unit_test(overrides_win_over_parameters),
        cmocka_unit_test(content_handling),
        cmocka_unit_test(templates_on_odd_bodies),
    };
    tpl_arena = gh_arena_new(4096);
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    gh_arena_free(tpl_arena);
    return failed;
}
