/* spec/load: definitions -> model. Broken definitions must fail (or warn) at the right
 * file:line:col with a message that says what to do; good ones must compile into the
 * resource tree, integrations, stages and functions the model documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scratch.h"
#include "spec/load.h"

static gh_model *load(const char *def, const char *overlay, const char *stage, gh_diags *d)
{
    gh_load_options o = {.definitions = &def, .ndefinitions = 1, .port = -1, .stage = stage};
    if (overlay) {
        o.overlays = &overlay;
        o.noverlays = 1;
    }
    return gh_model_load(&o, d);
}

static const char *find_diag(const gh_diags *d, gh_diag_severity sev, const char *where,
                             const char *fragment)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].severity == sev && strstr(d->items[i].text, where) &&
            strstr(d->items[i].text, fragment))
            return d->items[i].text;
    return NULL;
}

static void dump(const gh_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  %s %s\n", d->items[i].severity == GH_DIAG_ERROR ? "E" : "W",
                d->items[i].text);
}

#define HEAD "openapi: 3.0.1\ninfo: {title: t, version: '1'}\n"
#define MOCK "{type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}}"

static void broken_definitions_point_at_the_problem(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;       /* api.yaml */
        const char *lua;        /* h.lua, or NULL */
        gh_diag_severity sev;
        const char *where;      /* "/api.yaml:L:C: " */
        const char *fragment;
    } cases[] = {
        {HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: lamda}\n",
         NULL, GH_DIAG_ERROR, "/api.yaml:6:47: ",
         "unknown integration type 'lamda'; expected one of aws, aws_proxy, http, http_proxy, mock"},
        {HEAD "paths:\n  /a/{p+}/b:\n    get: {x-amazon-apigateway-integration: " MOCK "}\n",
         NULL, GH_DIAG_ERROR, "/api.yaml:4:3: ",
         "Cannot create a child of a resource with a greedy path variable: {p+}"},
        {HEAD "paths:\n  /a/{p+}:\n    get: {x-amazon-apigateway-integration: " MOCK "}\n"
              "  /a/{p+}/c:\n    get: {x-amazon-apigateway-integration: " MOCK "}\n",
         NULL, GH_DIAG_ERROR, "/api.yaml:6:3: ", "greedy path variable: {p+}"},
        {HEAD "paths:\n  /pets/{id}:\n    get: {x-amazon-apigateway-integration: " MOCK "}\n"
              "  /pets/{petId}/toys:\n    get: {x-amazon-apigateway-integration: " MOCK "}\n",
         NULL, GH_DIAG_ERROR, "/api.yaml:6:3: ",
         "{petId}: a sibling ({id}) of this resource already has a variable path part; only "
         "one is allowed"},
        {HEAD "paths:\n  /a/x{id}:\n    get: {x-amazon-apigateway-integration: " MOCK "}\n",
         NULL, GH_DIAG_ERROR, "/api.yaml:4:3: ", "must be a whole segment"},
        {HEAD "x-gatehouse:\n  stages:\n    prod:\n      variables:\n        fn: 'a b'\n",
         NULL, GH_DIAG_ERROR, "/api.yaml:7:13: ", "stage variable 'fn' has an invalid value 'a b'"},
        {HEAD "x-gatehouse:\n  stages:\n    pr.od: {}\n", NULL, GH_DIAG_ERROR, "/api.yaml:5:5: ",
         "invalid stage name 'pr.od'"},
        {HEAD "x-gatehouse:\n  functions:\n    f: {handler: nope.lua}\n", NULL, GH_DIAG_ERROR,
         "/api.yaml:5:18: ", "cannot read Lua file"},
        {HEAD "x-gatehouse:\n  functions:\n    f: {handler: h.lua}\n",
         "return function(e)\n  if e then\n  return 1\nend\n", GH_DIAG_ERROR, "/h.lua:5: ",
         "'end' expected (to close 'function' at line 1) near <eof>; fix the Lua syntax (the "
         "file is named at"},
        {HEAD "paths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: "
              "'#/components/responses/Nope'}\n      x-amazon-apigateway-integration: " MOCK "\n",
         NULL, GH_DIAG_ERROR, "/api.yaml:7:23: ",
         "$ref '#/components/responses/Nope' names nothing in this document"},
        {HEAD "x-amazon-apigateway-gateway-responses:\n  MISSING_TOKEN: {statusCode: 404}\n",
         NULL, GH_DIAG_ERROR, "/api.yaml:4:3: ",
         "unknown gateway response type 'MISSING_TOKEN'; expected one of ACCESS_DENIED"},
        {HEAD "x-gatehouse:\n  prot: 8080\n", NULL, GH_DIAG_WARNING, "/api.yaml:4:3: ",
         "unknown x-gatehouse setting 'prot' is ignored; known settings: apiId"},
        {HEAD "x-amazon-apigateway-request-validators: {all: {validateRequestBody: true}}\n",
         NULL, GH_DIAG_WARNING, "/api.yaml:3:1: ",
         "x-amazon-apigateway-request-validators: request validation is not emulated yet"},
        {HEAD "x-amazon-apigateway-frobnicate: 1\n", NULL, GH_DIAG_WARNING, "/api.yaml:3:1: ",
         "unknown extension x-amazon-apigateway-frobnicate is ignored"},
        {HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock, "
              "timeoutInMillis: 30000}\n",
         NULL, GH_DIAG_ERROR, "/api.yaml:6:70: ", "timeoutInMillis must be from 50 to 29000"},
        {HEAD "paths:\n  /a:\n    get:\n      responses: {}\n", NULL, GH_DIAG_WARNING,
         "/api.yaml:6:7: ", "no x-amazon-apigateway-integration; calls answer 500"},
        {"info: {title: t}\npaths: {}\n", NULL, GH_DIAG_ERROR, "/api.yaml:1:1: ",
         "not an OpenAPI 3.0 or Swagger 2.0 definition"},
        {HEAD "x-gatehouse:\n  stages:\n    a: {}\n  defaultStage: b\n", NULL, GH_DIAG_ERROR,
         "/api.yaml:6:17: ", "stage 'b' is not declared in x-gatehouse.stages; declared: a"},
        {HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: http_proxy\n"
              "        uri: http://example.org\n        httpMethod: GET\n"
              "        connectionType: VPC_LINK\n",
         NULL, GH_DIAG_WARNING, "/api.yaml:7:9: ",
         "http_proxy integration through a VPC link (connectionType VPC_LINK) cannot reach"},
        {HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: http_proxy\n"
              "        uri: http://example.org\n",
         NULL, GH_DIAG_WARNING, "/api.yaml:7:9: ", "no httpMethod: AWS requires one"},
        {HEAD "paths:\n  /a/{id}:\n    get:\n      x-amazon-apigateway-integration:\n"
              "        type: http\n        httpMethod: GET\n        uri: http://h/x/{id}\n",
         NULL, GH_DIAG_WARNING, "/api.yaml:9:14: ",
         "uri uses {id} and requestParameters does not map integration.request.path.id"},
        {HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: http\n"
              "        httpMethod: GET\n        uri: ftp://h/x\n",
         NULL, GH_DIAG_WARNING, "/api.yaml:7:9: ", "uri 'ftp://h/x' is not an http:// or https://"},
        {HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n"
              "        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${get_arn}/invocations\n",
         NULL, GH_DIAG_WARNING, "/api.yaml:7:9: ", "uri holds the unfilled placeholder '${get_arn}'"},
        {HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n"
              "        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:123456789012:function:ghost/invocations\n",
         NULL, GH_DIAG_WARNING, "/api.yaml:8:14: ",
         "function 'ghost' has no handler in x-gatehouse.functions; calls answer 500 as AWS "
         "does for a missing Lambda"},
        {HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n"
              "        responses:\n          \"4\\\\d{2\":\n            statusCode: \"400\"\n",
         NULL, GH_DIAG_WARNING, "/api.yaml:9:11: ",
         "selection pattern '4\\d{2' is not a Java regular expression ("},
        /* "/functions/" and "/invocations" overlap: no function, no negative length (found
         * by the bounded fuzz run in CI) */
        {HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n"
              "        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/invocations\n",
         NULL, GH_DIAG_WARNING, "/api.yaml:7:9: ", "is not emulated yet, only Lambda function URIs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        scratch s = {0};
        const char *def = put(&s, "api.yaml", cases[i].yaml);
        if (cases[i].lua)
            put(&s, "h.lua", cases[i].lua);
        gh_diags d = GH_DIAGS_INIT;
        gh_model *m = load(def, NULL, NULL, &d);
        const char *hit = find_diag(&d, cases[i].sev, cases[i].where, cases[i].fragment);
        if (!hit) {
            fprintf(stderr, "case %zu: no %s at %s with '%s'; got:\n", i,
                    cases[i].sev == GH_DIAG_ERROR ? "error" : "warning", cases[i].where,
                    cases[i].fragment);
            dump(&d);
        }
        assert_non_null(hit);
        if (cases[i].sev == GH_DIAG_ERROR)
            assert_null(m);
        else
            assert_non_null(m);
        gh_model_unref(m);
        gh_diags_free(&d);
        scratch_free(&s);
    }
}

static const gh_resource *literal(const gh_resource *r, const char *seg)
{
    for (size_t i = 0; i < r->nliterals; i++)
        if (strcmp(r->literals[i]->segment, seg) == 0)
            return r->literals[i];
    return NULL;
}

static void resource_tree_is_sorted_and_complete(void **state)
{
    (void)state;
    scratch s = {0};
    const char *def = put(&s, "api.yaml",
        HEAD "paths:\n"
        "  /zoo/{id}:\n    put: {x-amazon-apigateway-integration: " MOCK "}\n"
        "    get: {x-amazon-apigateway-integration: " MOCK "}\n"
        "  /apple/{proxy+}:\n    x-amazon-apigateway-any-method: {x-amazon-apigateway-integration: " MOCK "}\n"
        "  /:\n    options: {x-amazon-apigateway-integration: " MOCK "}\n"
        "  /b/c/d:\n    $ref: '#/components/x-paths/d'\n"
        "components:\n  x-paths:\n    d:\n      post:\n        x-amazon-apigateway-integration: "
        "{$ref: '#/components/x-amazon-apigateway-integrations/i'}\n"
        "  x-amazon-apigateway-integrations:\n    i: {type: MOCK, passthroughBehavior: NEVER}\n");
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load(def, NULL, NULL, &d);
    dump(&d);
    assert_non_null(m);
    assert_int_equal(d.errors, 0);
    const gh_api *api = &m->apis[0];
    const gh_resource *root = api->root;
    assert_string_equal(root->path, "/");
    assert_int_equal(root->nliterals, 3);
    assert_string_equal(root->literals[0]->segment, "apple");
    assert_string_equal(root->literals[1]->segment, "b");
    assert_string_equal(root->literals[2]->segment, "zoo");
    assert_int_equal(root->nmethods, 1);
    assert_string_equal(root->methods[0].verb, "OPTIONS");
    const gh_resource *zoo = literal(root, "zoo");
    assert_int_equal(zoo->nmethods, 0); /* intermediate, method-less */
    const gh_resource *id = zoo->param_child;
    assert_non_null(id);
    assert_int_equal(id->kind, GH_SEG_PARAM);
    assert_string_equal(id->param, "id");
    assert_string_equal(id->path, "/zoo/{id}");
    assert_int_equal(id->nmethods, 2);
    assert_string_equal(id->methods[0].verb, "GET");
    assert_string_equal(id->methods[1].verb, "PUT");
    assert_string_equal(id->methods[0].request_parameters.n ? "x" : "", "");
    const gh_resource *greedy = literal(root, "apple")->greedy_child;
    assert_non_null(greedy);
    assert_int_equal(greedy->kind, GH_SEG_GREEDY);
    assert_string_equal(greedy->param, "proxy");
    assert_string_equal(greedy->methods[0].verb, "ANY");
    assert_int_equal(greedy->methods[0].integration->type, GH_INTEG_MOCK);
    const gh_resource *dd = literal(literal(literal(root, "b"), "c"), "d");
    assert_non_null(dd);
    assert_string_equal(dd->path, "/b/c/d");
    assert_int_equal(dd->methods[0].integration->type, GH_INTEG_MOCK);
    assert_int_equal(dd->methods[0].integration->passthrough, GH_PASSTHROUGH_NEVER);
    assert_null(dd->methods[0].integration->broken);
    assert_int_equal(api->nresources, 8); /* / apple {proxy+} b c d zoo {id} */
    assert_int_equal(api->nmethods, 5);
    assert_int_equal(strlen(id->id), 6);
    assert_string_not_equal(id->id, zoo->id);
    assert_int_equal(strlen(api->id), 10);
    /* no stages declared: one named "default" */
    assert_int_equal(api->nstages, 1);
    assert_string_equal(api->default_stage->name, "default");
    assert_int_equal(m->refs, 1);
    gh_model_unref(m);
    gh_diags_free(&d);
    scratch_free(&s);
}

static void intrinsics_resolve_to_function_arns(void **state)
{
    (void)state;
    scratch s = {0};
    put(&s, "f.lua", "return function(event, context) return {statusCode = 200} end\n");
    const char *def = put(&s, "api.yaml",
        "swagger: '2.0'\ninfo:\n  title:\n    Ref: AWS::StackName\n"
        "x-gatehouse:\n  region: eu-west-1\n  accountId: '111122223333'\n"
        "  functions:\n    MyFn: {handler: f.lua, timeout: 10}\n    Other: f.lua\n"
        "paths:\n"
        "  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n"
        "        httpMethod: POST\n        uri:\n          Fn::Sub: arn:aws:apigateway:${AWS::Region}"
        ":lambda:path/2015-03-31/functions/${MyFn.Arn}/invocations\n"
        "  /b:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n"
        "        uri: {'Fn::Sub': ['arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/"
        "2015-03-31/functions/${Fn}:live/invocations', {Fn: {'Fn::GetAtt': [Other, Arn]}}]}\n"
        "  /c:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n"
        "        uri: {'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
        "functions/${Missing.Arn}/invocations'}\n"
        "  /d:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n"
        "        uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:1:function:${stageVariables.fn}/invocations'\n");
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load(def, NULL, NULL, &d);
    dump(&d);
    assert_non_null(m);
    const gh_api *api = &m->apis[0];
    assert_string_equal(api->title, "api"); /* AWS::StackName of a title: the file's stem */
    const gh_integration *a = literal(api->root, "a")->methods[0].integration;
    assert_string_equal(a->uri, "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
                                "arn:aws:lambda:eu-west-1:111122223333:function:MyFn/invocations");
    assert_string_equal(a->lambda_function, "MyFn");
    assert_null(a->lambda_qualifier);
    assert_null(a->broken);
    const gh_integration *b = literal(api->root, "b")->methods[0].integration;
    assert_string_equal(b->lambda_function, "Other");
    assert_string_equal(b->lambda_qualifier, "live");
    assert_null(b->broken);
    const gh_integration *c = literal(api->root, "c")->methods[0].integration;
    assert_non_null(c->broken);
    assert_non_null(strstr(c->broken, "${Missing.Arn}"));
    assert_non_null(find_diag(&d, GH_DIAG_WARNING, "/api.yaml:27:9: ", "uri holds "
                              "'${Missing.Arn}', and no function Missing is declared in "
                              "x-gatehouse.functions; calls answer 500"));
    const gh_integration *dd = literal(api->root, "d")->methods[0].integration;
    assert_string_equal(dd->lambda_function, "${stageVariables.fn}");
    assert_null(dd->broken);
    assert_int_equal(api->nfunctions, 2);
    assert_string_equal(api->functions[0].name, "MyFn");
    assert_int_equal(api->functions[0].timeout_ms, 10000);
    assert_int_equal(api->functions[1].timeout_ms, 3000);
    assert_int_equal(m->nscripts, 1); /* the same file named twice is one script */
    assert_int_equal(api->functions[0].script, 0);
    assert_int_equal(api->functions[1].script, 0);
    assert_non_null(strstr(m->scripts[0].chunkname, "@"));
    assert_non_null(strstr(m->scripts[0].source, "statusCode"));
    assert_int_equal(m->nfiles, 2); /* api.yaml, f.lua */
    assert_int_equal(d.warnings, 1); /* the broken /c integration says it all */
    gh_model_unref(m);
    gh_diags_free(&d);
    scratch_free(&s);
}

static void default_stage_rules(void **state)
{
    (void)state;
    static const struct {
        const char *xg;    /* x-gatehouse block */
        const char *stage; /* --stage */
        const char *want;  /* default stage, NULL: error */
        size_t nstages;
    } cases[] = {
        {"", NULL, "default", 1},
        {"", "dev", "dev", 1},
        {"x-gatehouse: {stages: {b: {}, a: {}}}\n", NULL, "b", 2},
        {"x-gatehouse: {stages: {b: {}, a: {}}, defaultStage: a}\n", NULL, "a", 2},
        {"x-gatehouse: {stages: {b: {}, a: {}}, defaultStage: a}\n", "b", "b", 2},
        {"x-gatehouse: {stages: {b: {}, a: {}}}\n", "c", NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        scratch s = {0};
        char yaml[512];
        snprintf(yaml, sizeof yaml, HEAD "%s", cases[i].xg);
        const char *def = put(&s, "api.yaml", yaml);
        gh_diags d = GH_DIAGS_INIT;
        gh_model *m = load(def, NULL, cases[i].stage, &d);
        if (cases[i].want) {
            assert_non_null(m);
            assert_string_equal(m->apis[0].default_stage->name, cases[i].want);
            assert_int_equal(m->apis[0].nstages, cases[i].nstages);
            assert_int_equal(strlen(m->apis[0].default_stage->deployment_id), 6);
        } else {
            assert_null(m);
            assert_non_null(find_diag(&d, GH_DIAG_ERROR, "/api.yaml:", "stage 'c' (--stage) is "
                                      "not declared in x-gatehouse.stages; declared: b, a"));
        }
        gh_model_unref(m);
        gh_diags_free(&d);
        scratch_free(&s);
    }
}

static void overlays_patch_the_first_definition(void **state)
{
    (void)state;
    scratch s = {0};
    put(&s, "mock.lua", "return function(req, ctx) return {statusCode = 201} end\n");
    const char *def = put(&s, "api.yaml",
        HEAD "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n"
        "        type: http_proxy\n        uri: http://example.org\n");
    const char *ov = put(&s, "local.yaml",
        "x-gatehouse:\n  apiId: abcdefghij\n  port: 9000\n  stages:\n    dev:\n      variables: "
        "{fn: orders}\npaths:\n  /a:\n    get:\n      x-gatehouse-mock: mock.lua\n");
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load(def, ov, NULL, &d);
    dump(&d);
    assert_non_null(m);
    assert_int_equal(d.warnings, 0);
    const gh_api *api = &m->apis[0];
    assert_string_equal(api->id, "abcdefghij");
    assert_int_equal(m->port, 9000);
    assert_string_equal(m->host, "127.0.0.1");
    assert_string_equal(gh_kvs_get(&api->stages[0].variables, "fn"), "orders");
    const gh_integration *in = literal(api->root, "a")->methods[0].integration;
    assert_int_equal(in->type, GH_INTEG_HTTP_PROXY);
    assert_int_equal(in->mock_script, 0);
    assert_null(in->broken); /* served from Lua */
    assert_int_equal(m->nfiles, 3);
    gh_model_unref(m);
    gh_diags_free(&d);
    scratch_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(broken_definitions_point_at_the_problem),
        cmocka_unit_test(resource_tree_is_sorted_and_complete),
        cmocka_unit_test(intrinsics_resolve_to_function_arns),
        cmocka_unit_test(default_stage_rules),
        cmocka_unit_test(overlays_patch_the_first_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
