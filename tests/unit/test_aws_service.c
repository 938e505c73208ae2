/* AWS service integrations (integration/aws_service.c, spec/compile_integration.c):
 * service URIs parsed at load, the request API Gateway would send the service built
 * from the integration request (SQS query form with the Content-Type trick, SQS JSON
 * protocol with X-Amz-Target, SNS Publish with query string parameters), and the
 * service's answer through the integration responses (reference §10.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/aws_service.h"
#include "integration/integration.h"
#include "integration/request_mapping.h"
#include "scratch.h"
#include "sim/sim.h"
#include "spec/load.h"

static const char spec[] =
    "openapi: 3.0.1\n"
    "info: {title: orders, version: '1'}\n"
    "x-gatehouse:\n"
    "  region: eu-west-1\n"
    "  accountId: '111122223333'\n"
    "  stages: {dev: {variables: {acct: '111122223333'}}}\n"
    "  queues: {orders: {}}\n"
    "paths:\n"
    "  /form:\n"
    "    post:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: aws\n"
    "        httpMethod: POST\n"
    "        credentials: arn:aws:iam::111122223333:role/apigw-sqs\n"
    "        uri: arn:aws:apigateway:eu-west-1:sqs:path/${stageVariables.acct}/orders\n"
    "        requestParameters:\n"
    "          integration.request.header.Content-Type: \"'application/x-www-form-urlencoded'\"\n"
    "        requestTemplates:\n"
    "          application/json: Action=SendMessage&MessageBody=$util.urlEncode($input.body)\n"
    "        passthroughBehavior: never\n"
    "        responses: {default: {statusCode: '200'}}\n"
    "  /xml:\n"
    "    post:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: aws\n"
    "        httpMethod: POST\n"
    "        uri: arn:aws:apigateway:eu-west-1:sqs:path/111122223333/orders\n"
    "        requestParameters:\n"
    "          integration.request.header.Content-Type: \"'application/x-www-form-urlencoded'\"\n"
    "          integration.request.header.Accept: \"'application/xml'\"\n"
    "        requestTemplates:\n"
    "          application/json: Action=SendMessage&MessageBody=$util.urlEncode($input.body)\n"
    "        responses: {default: {statusCode: '200'}}\n"
    "  /json:\n"
    "    post:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: aws\n"
    "        httpMethod: POST\n"
    "        uri: arn:aws:apigateway:eu-west-1:sqs:path//\n"
    "        requestParameters:\n"
    "          integration.request.header.Content-Type: \"'application/x-amz-json-1.0'\"\n"
    "          integration.request.header.X-Amz-Target: \"'AmazonSQS.SendMessage'\"\n"
    "        requestTemplates:\n"
    "          application/json: '{\"QueueUrl\": \"http://localhost/111122223333/orders\", "
    "\"MessageBody\": \"$input.path(''$.msg'')\"}'\n"
    "        responses: {default: {statusCode: '200'}}\n"
    "  /publish:\n"
    "    post:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: aws\n"
    "        httpMethod: POST\n"
    "        uri: arn:aws:apigateway:eu-west-1:sns:action/Publish\n"
    "        requestParameters:\n"
    "          integration.request.querystring.TopicArn: "
    "\"'arn:aws:sns:eu-west-1:111122223333:events'\"\n"
    "          integration.request.querystring.Message: method.request.body\n"
    "        responses: {default: {statusCode: '200'}}\n"
    "  /u0: {get: {x-amazon-apigateway-integration: {type: aws, uri: "
    "'arn:aws:apigateway:us-east-2:sqs:action/SendMessage'}}}\n"
    "  /u1: {get: {x-amazon-apigateway-integration: {type: aws, uri: "
    "'arn:aws:apigateway:us-east-2:mybucket.s3:path/{key}'}, x-gatehouse-mock: m.lua}}\n"
    "  /u2: {get: {x-amazon-apigateway-integration: {type: aws, uri: "
    "'arn:aws-cn:apigateway:cn-north-1:dynamodb:action/PutItem'}}}\n"
    "  /u3: {get: {x-amazon-apigateway-integration: {type: aws, uri: "
    "'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:eu-west-1:111122223333:function:f/invocations'}}}\n"
    /* A SAM template's unresolved region (corpus slspatterns-apigw-sns-sms). */
    "  /u4: {post: {x-amazon-apigateway-integration: {type: aws, httpMethod: POST, uri: "
    "'arn:aws:apigateway:${AWS::Region}:sns:path//'}}}\n";

static scratch s;
static gh_model *model;
static gh_diags diags = GH_DIAGS_INIT;

static int setup(void **state)
{
    (void)state;
    put(&s, "m.lua", "return function(e) return {statusCode = 200, body = 'mocked'} end\n");
    const char *def = put(&s, "api.yaml", spec);
    gh_load_options o = {.definitions = &def, .ndefinitions = 1, .port = -1};
    model = gh_model_load(&o, &diags);
    for (size_t i = 0; i < diags.n; i++)
        fprintf(stderr, "  %s\n", diags.items[i].text);
    return model ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gh_model_unref(model);
    gh_diags_free(&diags);
    scratch_free(&s);
    return 0;
}

static const gh_method *method_at(const char *segment)
{
    const gh_resource *r = model->apis[0].root;
    for (size_t i = 0; i < r->nliterals; i++)
        if (strcmp(r->literals[i]->segment, segment) == 0)
            return &r->literals[i]->methods[0];
    fail_msg("no /%s", segment);
    return NULL;
}

static void service_uris_parse(void **state)
{
    (void)state;
    static const struct {
        const char *seg, *region, *service, *sub, *action, *path;
        bool broken;
    } cases[] = {
        {"form", "eu-west-1", "sqs", NULL, NULL, "${stageVariables.acct}/orders", false},
        {"json", "eu-west-1", "sqs", NULL, NULL, "/", false},
        {"publish", "eu-west-1", "sns", NULL, "Publish", NULL, false},
        {"u0", "us-east-2", "sqs", NULL, "SendMessage", NULL, false},
        {"u1", "us-east-2", "s3", "mybucket", NULL, "{key}", false}, /* a Lua mock answers */
        {"u2", "cn-north-1", "dynamodb", NULL, "PutItem", NULL, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const gh_integration *in = method_at(cases[i].seg)->integration;
        const gh_aws_service_uri *su = &in->service;
        assert_string_equal(su->region, cases[i].region);
        assert_string_equal(su->service, cases[i].service);
        if (cases[i].sub)
            assert_string_equal(su->subdomain, cases[i].sub);
        else
            assert_null(su->subdomain);
        if (cases[i].action)
            assert_string_equal(su->action, cases[i].action);
        else
            assert_null(su->action);
        if (cases[i].path)
            assert_string_equal(su->path, cases[i].path);
        else
            assert_null(su->path);
        assert_int_equal(in->broken != NULL, cases[i].broken);
    }
    /* Lambda URIs stay Lambda integrations. */
    const gh_integration *lambda = method_at("u3")->integration;
    assert_null(lambda->service.service);
    assert_string_equal(lambda->lambda_function, "f");
    assert_string_equal(method_at("form")->integration->credentials,
                        "arn:aws:iam::111122223333:role/apigw-sqs");
    /* The unsimulated service is one warning naming it. */
    bool warned = false;
    for (size_t i = 0; i < diags.n; i++)
        warned = warned || strstr(diags.items[i].text, "AWS service integration to dynamodb is "
                                                       "not simulated: add x-gatehouse-mock");
    assert_true(warned);
    /* An unresolved placeholder is named as one, not called a malformed URI. */
    const char *why = method_at("u4")->integration->broken;
    assert_non_null(why);
    assert_non_null(strstr(why, "uri holds the unfilled placeholder '${AWS::Region}'"));
}

typedef struct call {
    gh_arena *arena;
    gh_request req;
    gh_response resp;
    gh_invocation inv;
} call;

static void call_init(call *c, const char *segment, const char *body, gh_sim *sim)
{
    memset(c, 0, sizeof *c);
    c->arena = gh_arena_new(4096);
    c->req.arena = c->arena;
    c->req.method = "POST";
    c->req.path = gh_arena_printf(c->arena, "/dev/%s", segment);
    gh_headers_add(c->arena, &c->req.headers, "Host", "127.0.0.1:8080");
    gh_headers_add(c->arena, &c->req.headers, "Content-Type", "application/json");
    if (body) {
        c->req.body = body;
        c->req.body_len = strlen(body);
    }
    gh_request_stamp(&c->req);
    gh_invocation *inv = &c->inv;
    inv->req = &c->req;
    inv->resp = &c->resp;
    inv->arena = c->arena;
    inv->model = model;
    inv->api = &model->apis[0];
    inv->stage = model->apis[0].default_stage;
    inv->method = method_at(segment);
    inv->integration = inv->method->integration;
    inv->path = c->req.path + 4;
    inv->stage_path = c->req.path;
    inv->domain_name = "127.0.0.1:8080";
    inv->sim = sim;
}

static gh_request build(call *c)
{
    bool templated = false;
    assert_int_equal(gh_request_mapping_apply(&c->inv, &templated), 0);
    gh_request rq;
    const char *why = NULL;
    assert_int_equal(gh_aws_service_build(&c->inv, templated, &rq, &why), 0);
    return rq;
}

static void sqs_form_request(void **state)
{
    (void)state;
    call c;
    call_init(&c, "form", "{\"id\":1}", NULL);
    gh_request rq = build(&c);
    assert_string_equal(rq.method, "POST");
    assert_string_equal(rq.path, "/111122223333/orders"); /* the stage variable filled */
    assert_null(rq.query);
    assert_string_equal(gh_headers_get(&rq.headers, "Content-Type"),
                        "application/x-www-form-urlencoded");
    assert_string_equal(gh_headers_get(&rq.headers, "Accept"), "application/json");
    assert_string_equal(gh_headers_get(&rq.headers, "Host"), "127.0.0.1:8080");
    assert_int_equal(rq.body_len, strlen("Action=SendMessage&MessageBody=%7B%22id%22%3A1%7D"));
    assert_memory_equal(rq.body, "Action=SendMessage&MessageBody=%7B%22id%22%3A1%7D", rq.body_len);
    gh_arena_free(c.arena);
}

static void sqs_json_request(void **state)
{
    (void)state;
    call c;
    call_init(&c, "json", "{\"msg\":\"hello\"}", NULL);
    gh_request rq = build(&c);
    assert_string_equal(rq.path, "/");
    assert_null(rq.query);
    assert_string_equal(gh_headers_get(&rq.headers, "Content-Type"), "application/x-amz-json-1.0");
    assert_string_equal(gh_headers_get(&rq.headers, "X-Amz-Target"), "AmazonSQS.SendMessage");
    json_t *j = json_loadb(rq.body, rq.body_len, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "MessageBody")), "hello");
    json_decref(j);
    gh_arena_free(c.arena);
}

static void sns_publish_request(void **state)
{
    (void)state;
    call c;
    call_init(&c, "publish", "{\"a\": \"b c\"}", NULL);
    gh_request rq = build(&c);
    assert_string_equal(rq.path, "/");
    /* Action first, then the mapped query string, form-encoded. */
    assert_string_equal(rq.query, "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A"
                                  "111122223333%3Aevents&Message=%7B%22a%22%3A+%22b+c%22%7D");
    assert_string_equal(gh_headers_get(&rq.headers, "Accept"), "application/json");
    gh_arena_free(c.arena);
}

static gh_sim *new_sim(void)
{
    gh_sim *sim = gh_sim_new("eu-west-1", "111122223333");
    assert_non_null(sim);
    gh_diags d = GH_DIAGS_INIT;
    assert_int_equal(gh_sim_apply(sim, model, &d), 0);
    gh_diags_free(&d);
    return sim;
}

static json_t *send_result(const gh_response *r)
{
    json_t *j = json_loadb(r->body, r->body_len, 0, NULL);
    assert_non_null(j);
    json_t *res = json_object_get(json_object_get(j, "SendMessageResponse"), "SendMessageResult");
    assert_non_null(res);
    json_incref(res);
    json_decref(j);
    return res;
}

/* §10.1: the JSON SendMessageResponse by default; an empty client body is queued as {}. */
static void sqs_answer_through_integration_responses(void **state)
{
    (void)state;
    gh_sim *sim = new_sim();
    static const struct {
        const char *body, *md5;
    } cases[] = {
        {"{\"id\":1}", "d2ce28b9a7fd7e4407e2b0fd499b7fe4"},
        {NULL, "99914b932bd37a50b983c5e7c90ae93b"}, /* $input.body is {} */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        call c;
        call_init(&c, "form", cases[i].body, sim);
        assert_int_equal(gh_integration_run(&c.inv), 0);
        assert_int_equal(c.resp.status, 200);
        assert_string_equal(gh_headers_get(&c.resp.headers, "Content-Type"), "application/json");
        json_t *res = send_result(&c.resp);
        assert_string_equal(json_string_value(json_object_get(res, "MD5OfMessageBody")),
                            cases[i].md5);
        assert_true(json_is_null(json_object_get(res, "MD5OfMessageAttributes")));
        assert_int_equal(strlen(json_string_value(json_object_get(res, "MessageId"))), 36);
        json_decref(res);
        gh_arena_free(c.arena);
    }
    gh_sim_free(sim);
}

static void sqs_xml_when_accept_is_mapped(void **state)
{
    (void)state;
    gh_sim *sim = new_sim();
    call c;
    call_init(&c, "xml", "{\"id\":1}", sim);
    assert_int_equal(gh_integration_run(&c.inv), 0);
    assert_int_equal(c.resp.status, 200);
    /* SQS's query answers start with the XML declaration, as AWS writes them. */
    const char *head = "<?xml version=\"1.0\"?><SendMessageResponse";
    assert_true(c.resp.body_len > strlen(head));
    assert_memory_equal(c.resp.body, head, strlen(head));
    assert_non_null(strstr(
        c.resp.body, "<MD5OfMessageBody>d2ce28b9a7fd7e4407e2b0fd499b7fe4</MD5OfMessageBody>"));
    gh_arena_free(c.arena);
    gh_sim_free(sim);
}

static void no_simulator_is_500(void **state)
{
    (void)state;
    call c;
    call_init(&c, "form", "{}", NULL);
    assert_int_equal(gh_integration_run(&c.inv), -1);
    assert_int_equal(c.inv.fail_type, GH_GW_API_CONFIGURATION_ERROR);
    assert_int_equal(c.inv.fail_status, 500);
    assert_non_null(strstr(c.inv.log_detail, "runs no simulated AWS"));
    gh_arena_free(c.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(service_uris_parse),
        cmocka_unit_test(sqs_form_request),
        cmocka_unit_test(sqs_json_request),
        cmocka_unit_test(sns_publish_request),
        cmocka_unit_test(sqs_answer_through_integration_responses),
        cmocka_unit_test(sqs_xml_when_accept_is_mapped),
        cmocka_unit_test(no_simulator_is_500),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
