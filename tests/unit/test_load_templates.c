/* spec/load, the mapping side: templates parsed at load with syntax errors at their real
 * file:line:col, Lua templates (files and inline chunks) registered as model scripts and
 * winning over a VTL template for the same media type, parameter mapping keys and
 * sources checked against AWS's forms, cacheKeyParameters parsed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inv_fixture.h"
#include "scratch.h"
#include "spec/load.h"
#include "template/lua_template.h"
#include "template/vtl.h"

static gh_model *load(const char *def, gh_diags *d)
{
    gh_load_options o = {.definitions = &def, .ndefinitions = 1, .port = -1};
    return gh_model_load(&o, d);
}

static void dump(const gh_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  %s %s\n", d->items[i].severity == GH_DIAG_ERROR ? "E" : "W",
                d->items[i].text);
}

static bool has_diag(const gh_diags *d, gh_diag_severity sev, const char *where,
                     const char *fragment)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].severity == sev && strstr(d->items[i].text, where) &&
            strstr(d->items[i].text, fragment))
            return true;
    return false;
}

#define HEAD "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
#define INTEG "      x-amazon-apigateway-integration:\n        type: mock\n"

/* Each definition either loads with no diagnostic of its own (where == NULL) or reports
 * sev at where with fragment. */
static void parameter_mapping_is_checked(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
        gh_diag_severity sev;
        const char *where, *fragment;
    } cases[] = {
        /* the forms real exports use load quietly */
        {INTEG "        requestParameters:\n"
               "          integration.request.header.requestId: context.requestId\n"
               "          integration.request.header.X-Amzn-Trace-Id: context.xrayTraceId\n"
               "          integration.request.path.id: method.request.path.petId\n"
               "          integration.request.querystring.q: method.request.multivaluequerystring.q\n"
               "          integration.request.header.x-b: method.request.body.order['id']\n"
               "          integration.request.header.x-c: method.request.body\n"
               "          integration.request.header.x-s: stageVariables.backend\n"
               "          integration.request.header.Content-Type: \"'application/json'\"\n"
               "        cacheKeyParameters: [method.request.path.petId]\n"
               "        responses:\n          default:\n            statusCode: '200'\n"
               "            responseParameters:\n"
               "              method.response.header.Access-Control-Allow-Origin: \"'*'\"\n"
               "              method.response.header.X-From: integration.response.header.x-up\n"
               "              method.response.header.X-Id: integration.response.body.id\n",
         GH_DIAG_ERROR, NULL, NULL},
        {INTEG "        requestParameters:\n          integration.request.heder.x: \"'a'\"\n",
         GH_DIAG_ERROR, "/api.yaml:9:11: ",
         "requestParameters key 'integration.request.heder.x' names no parameter AWS maps to; "
         "write integration.request.{header|querystring|path}.NAME"},
        {INTEG "        requestParameters:\n          integration.request.header.a b: \"'a'\"\n",
         GH_DIAG_ERROR, "/api.yaml:9:11: ", "key 'integration.request.header.a b' names no "
                                            "parameter"},
        {INTEG "        requestParameters:\n          integration.request.header.x: method.request.hdr.x\n",
         GH_DIAG_ERROR, "/api.yaml:9:41: ",
         "requestParameters 'integration.request.header.x' maps from 'method.request.hdr.x', "
         "which is no source AWS knows; use method.request.{path|querystring"},
        {INTEG "        requestParameters:\n          integration.request.header.x: \"'open\"\n",
         GH_DIAG_ERROR, "/api.yaml:9:41: ", "a literal value must be enclosed in single quotes"},
        {INTEG "        requestParameters:\n          integration.request.header.x: application/json\n",
         GH_DIAG_ERROR, "/api.yaml:9:41: ", "which is no source AWS knows"},
        {INTEG "        requestParameters:\n          integration.request.path.id: "
               "method.request.path.p%d\n",
         GH_DIAG_ERROR, "/api.yaml:9:40: ", "the parameter name 'p%d' may hold only letters"},
        {INTEG "        responses:\n          default:\n            statusCode: '200'\n"
               "            responseParameters:\n              method.response.header.X: "
               "method.request.header.x\n",
         GH_DIAG_ERROR, "/api.yaml:12:41: ",
         "responseParameters 'method.response.header.X' maps from 'method.request.header.x', "
         "which is no source AWS knows; use integration.response.{header|multivalueheader}"},
        {INTEG "        responses:\n          default:\n            statusCode: '200'\n"
               "            responseParameters:\n              method.response.body: \"'x'\"\n",
         GH_DIAG_ERROR, "/api.yaml:12:15: ", "write method.response.header.NAME"},
        {INTEG "        cacheKeyParameters: [integration.request.path.id]\n", GH_DIAG_WARNING,
         "/api.yaml:8:30: ", "cacheKeyParameters entry 'integration.request.path.id' names no "
                             "method request parameter"},
        {INTEG "        cacheKeyParameters: method.request.path.id\n", GH_DIAG_ERROR,
         "/api.yaml:8:29: ", "cacheKeyParameters must be a list"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        scratch s = {0};
        char *yaml = NULL;
        assert_true(asprintf(&yaml, HEAD "%s", cases[i].yaml) > 0);
        const char *def = put(&s, "api.yaml", yaml);
        gh_diags d = GH_DIAGS_INIT;
        gh_model *m = load(def, &d);
        bool ok = cases[i].where ? has_diag(&d, cases[i].sev, cases[i].where, cases[i].fragment)
                                 : m && d.n == 0;
        if (!ok) {
            dump(&d);
            fail_msg("case %zu: want %s%s", i, cases[i].where ? cases[i].where : "no diagnostic",
                     cases[i].fragment ? cases[i].fragment : "");
        }
        if (!cases[i].where) {
            const gh_integration *in = m->apis[0].root->literals[0]->methods[0].integration;
            assert_int_equal(in->ncache_key_parameters, 1);
            assert_string_equal(in->cache_key_parameters[0], "method.request.path.petId");
            assert_int_equal(in->request_parameters.n, 8);
        }
        if (m)
            gh_model_unref(m);
        gh_diags_free(&d);
        free(yaml);
        scratch_free(&s);
    }
}

/* Templates compile into the model: request, integration response and gateway response
 * templates, each with its compiled form, gateway ones in the order of their texts. */
static void templates_are_compiled_at_load(void **state)
{
    (void)state;
    scratch s = {0};
    const char *def = put(&s, "api.yaml",
                          HEAD INTEG "        requestTemplates:\n"
                               "          application/json: '{\"statusCode\": 200}'\n"
                               "          text/plain: |\n            #set($a = 1)\n            $a\n"
                               "        responses:\n          default:\n"
                               "            statusCode: '200'\n"
                               "            responseTemplates: {application/json: '{}'}\n"
                               "x-amazon-apigateway-gateway-responses:\n"
                               "  DEFAULT_4XX:\n    responseTemplates:\n"
                               "      application/json: '{\"m\": $context.error.messageString}'\n"
                               "      text/html: '<p>$context.error.message #if(</p>'\n");
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load(def, &d);
    if (!m || d.n)
        dump(&d);
    assert_non_null(m);
    assert_int_equal(d.n, 0);
    const gh_integration *in = m->apis[0].root->literals[0]->methods[0].integration;
    assert_int_equal(in->nrequest_templates, 2);
    assert_string_equal(in->request_templates[1].media_type, "text/plain");
    assert_string_equal(in->request_templates[1].text, "#set($a = 1)\n$a\n");
    for (size_t i = 0; i < in->nrequest_templates; i++) {
        assert_non_null(in->request_templates[i].compiled);
        assert_false(in->request_templates[i].lua);
    }
    assert_int_equal(in->nresponses, 1);
    assert_int_equal(in->responses[0].ntemplates, 1);
    assert_non_null(in->responses[0].templates[0].compiled);
    const gh_gw_override *o = &m->apis[0].gateway_responses[GH_GW_DEFAULT_4XX];
    assert_int_equal(o->templates.n, 2); /* kept as text: not VTL on AWS */
    gh_model_unref(m);
    gh_diags_free(&d);
    scratch_free(&s);
}

/* A template that does not parse is reported at the error's position in the file (a
 * warning: AWS imports it and fails only the requests that use it).
 * Where the engine puts the error inside the template is its business; this checks the
 * mapping from there into the file, for a block scalar and for a JSON one-liner. */
static void template_syntax_errors_point_into_the_file(void **state)
{
    (void)state;
    static const char bad[] = "{\n  #if($x)\n  \"a\": 1\n";
    gh_arena *a = gh_arena_new(4096);
    gh_vtl_error err = {0};
    bool parses = gh_vtl_compile(a, bad, strlen(bad), &err) != NULL;
    gh_arena_free(a);
    if (parses) {
        fprintf(stderr, "gh_vtl_compile accepts an unclosed #if (a stand-in engine?); "
                        "skipping\n");
        skip();
    }
    /* YAML: the block's lines start at file line 10, indented by 12; an error past the
     * end is put after the last character (line 12, column 21). */
    scratch s = {0};
    char yaml[512], json[1024], where[64];
    snprintf(yaml, sizeof yaml,
             HEAD INTEG "        requestTemplates:\n          application/json: |\n"
                        "            {\n              #if($x)\n              \"a\": 1\n");
    const char *def = put(&s, "api.yaml", yaml);
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load(def, &d);
    assert_non_null(m);
    gh_model_unref(m);
    if (err.line > 3)
        snprintf(where, sizeof where, "/api.yaml:12:21: ");
    else
        snprintf(where, sizeof where, "/api.yaml:%u:%u: ", 9 + err.line, 12 + err.col);
    if (!has_diag(&d, GH_DIAG_WARNING, where, "requestTemplates 'application/json' does not parse: ")) {
        dump(&d);
        fail_msg("want an error at %s (template %u:%u)", where, err.line, err.col);
    }
    gh_diags_free(&d);
    /* JSON: the whole template on line 3, each \n escape two columns wide. */
    snprintf(json, sizeof json,
             "{\"openapi\": \"3.0.1\", \"info\": {\"title\": \"t\", \"version\": \"1\"},\n"
             "\"paths\": {\"/a\": {\"get\": {\"x-amazon-apigateway-integration\": {\"type\": "
             "\"mock\", \"requestTemplates\": {\n"
             "\"application/json\": \"{\\n  #if($x)\\n  \\\"a\\\": 1\\n\"}}}}}}\n");
    def = put(&s, "api.json", json);
    m = load(def, &d);
    assert_non_null(m);
    gh_model_unref(m);
    /* Column of the template's line `err.line` on file line 3: the text starts at
     * column 22; its lines 1, 2, 3, 4 begin at 22, 25, 36 and 48 (the closing quote). */
    static const unsigned starts[] = {0, 22, 25, 36, 48};
    unsigned col = starts[err.line < 4 ? err.line : 4] + err.col - 1;
    if (err.line == 3)
        col += err.col > 3 ? 2 : 0; /* the \" escape before `a` */
    snprintf(where, sizeof where, "/api.json:3:%u: ", col);
    if (!has_diag(&d, GH_DIAG_WARNING, where, "does not parse")) {
        dump(&d);
        fail_msg("want an error at %s (template %u:%u)", where, err.line, err.col);
    }
    gh_diags_free(&d);
    scratch_free(&s);
}

static void lua_templates_are_scripts(void **state)
{
    (void)state;
    scratch s = {0};
    put(&s, "order.lua",
        "return function(input, context, stageVariables, util)\n  return input.body\nend\n");
    const char *def = put(&s, "api.yaml",
                          HEAD INTEG "        requestTemplates:\n"
                               "          application/json: '{\"statusCode\": 200}'\n"
                               "          text/plain: '{\"statusCode\": 200}'\n"
                               "        x-gatehouse-requestTemplates:\n"
                               "          application/json: order.lua\n"
                               "          application/xml: |\n"
                               "            local id = input.params('id')\n"
                               "            return '<id>' .. id .. '</id>'\n"
                               "          text/csv: |\n"
                               "            local t = nil\n"
                               "            return t.x\n"
                               "        responses:\n          default:\n"
                               "            statusCode: '200'\n"
                               "            x-gatehouse-responseTemplates:\n"
                               "              application/json: return input.body\n");
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load(def, &d);
    if (!m)
        dump(&d);
    assert_non_null(m);
    assert_true(has_diag(&d, GH_DIAG_WARNING, "/api.yaml:12:29: ",
                         "x-gatehouse-requestTemplates 'application/json' replaces "
                         "requestTemplates 'application/json' (line 9) when served locally"));
    assert_int_equal(d.n, 1);
    const gh_integration *in = m->apis[0].root->literals[0]->methods[0].integration;
    assert_int_equal(in->nrequest_templates, 4);
    /* The Lua one takes the VTL one's place; the new media type comes last. */
    assert_true(in->request_templates[0].lua);
    assert_string_equal(in->request_templates[0].media_type, "application/json");
    assert_false(in->request_templates[1].lua);
    assert_true(in->request_templates[2].lua);
    assert_string_equal(in->request_templates[2].media_type, "application/xml");
    const gh_script *file = &m->scripts[in->request_templates[0].script];
    assert_non_null(strstr(file->path, "/order.lua"));
    /* An inline chunk is the body of the template function, compiled on its own lines
     * of the definition (here from line 14) so Lua's positions are the file's. */
    const gh_script *inl = &m->scripts[in->request_templates[2].script];
    assert_non_null(strstr(inl->chunkname, "/api.yaml"));
    size_t lines = 0;
    const char *p = inl->source;
    while (*p == '\n') {
        lines++;
        p++;
    }
    assert_int_equal(lines, 13);
    assert_true(strncmp(p, "return function(input, context, stageVariables, util) local id",
                        62) == 0);
    assert_int_equal(in->responses[0].ntemplates, 1);
    assert_true(in->responses[0].templates[0].lua);

    /* The runtime compiles them and runs them against a request. */
    gh_diags_free(&d);
    gh_script_pool *pool = gh_script_pool_new(m, 1, &d);
    if (!pool)
        dump(&d);
    assert_non_null(pool);
    inv_fixture f;
    inv_fixture_init(&f);
    f.inv.scripts = pool;
    gh_mapping_out out;
    assert_int_equal(gh_lua_template_render(&f.inv, &in->request_templates[2],
                                            GH_MAPPING_REQUEST, NULL, 0, &out), 0);
    assert_string_equal(out.body, "<id>42</id>");
    assert_int_equal(gh_lua_template_render(&f.inv, &in->request_templates[0],
                                            GH_MAPPING_REQUEST, "{\"a\":1}", 7, &out), 0);
    assert_string_equal(out.body, "{\"a\":1}");
    /* A runtime error names the definition's line (18: t.x on nil). */
    assert_int_equal(gh_lua_template_render(&f.inv, &in->request_templates[3],
                                            GH_MAPPING_REQUEST, NULL, 0, &out), -1);
    if (!strstr(out.error, "/api.yaml:18: attempt to index a nil value"))
        fail_msg("error: %s", out.error);
    inv_fixture_free(&f);
    gh_script_pool_free(pool);
    gh_model_unref(m);
    gh_diags_free(&d);
    scratch_free(&s);
}

/* Broken Lua templates fail at load where the problem is. */
static void lua_template_errors(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *where, *fragment;
    } cases[] = {
        {"          application/json: |\n            local x = 1\n            return x +\n",
         "/api.yaml:11:", "x-gatehouse-requestTemplates 'application/json' does not compile: "
                          "unexpected symbol near 'end'"},
        {"          application/json: \"local a = 1\\nlocal = 2\"\n", "/api.yaml:9:",
         "does not compile: <name> expected near '='"},
        {"          application/json: missing.lua\n", "/api.yaml:9:29: ",
         "cannot read Lua file"},
        {"          application/json: [a]\n", "/api.yaml:9:29: ",
         "x-gatehouse-requestTemplates 'application/json' must be a Lua file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        scratch s = {0};
        char *yaml = NULL;
        assert_true(asprintf(&yaml, HEAD INTEG "        x-gatehouse-requestTemplates:\n%s",
                             cases[i].yaml) > 0);
        const char *def = put(&s, "api.yaml", yaml);
        gh_diags d = GH_DIAGS_INIT;
        gh_model *m = load(def, &d);
        if (m || !has_diag(&d, GH_DIAG_ERROR, cases[i].where, cases[i].fragment)) {
            dump(&d);
            fail_msg("case %zu: want %s%s", i, cases[i].where, cases[i].fragment);
        }
        gh_diags_free(&d);
        free(yaml);
        scratch_free(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parameter_mapping_is_checked),
        cmocka_unit_test(templates_are_compiled_at_load),
        cmocka_unit_test(template_syntax_errors_point_into_the_file),
        cmocka_unit_test(lua_templates_are_scripts),
        cmocka_unit_test(lua_template_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
