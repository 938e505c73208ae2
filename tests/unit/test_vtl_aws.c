/* Mapping templates with the exact output API Gateway gives them, rendered end to end
 * through gh_mapping_render (VTL engine + $input/$util/$context/$stageVariables) on a
 * fake invocation. One case per row: the template, the request it sees, the bytes AWS
 * produces, and where that output comes from:
 *   rec  a rendering observed on real API Gateway (the reference's [recorded] facts,
 *        LocalStack's AWS-validated snapshots, bug reports quoting AWS's output);
 *   doc  an AWS documentation example or a rule the AWS docs state, rendered on our
 *        request (docs.aws.amazon.com/apigateway/latest/developerguide/<page>.html);
 *   java what the Java library AWS runs does (commons-lang, java.net.URLEncoder,
 *        Velocity 1.7), where the AWS docs name the function but not every byte.
 * Where a doc example shows its output reformatted (pretty-printed, or as the Lambda
 * console prints an event), the values are the doc's and the layout follows Velocity
 * 1.7's whitespace rules (vtl_parse.c's header), which test_vtl.c pins down.
 *
 * The request is the fixture's (inv_fixture.h: GET /prod/orders/42 on k3x9q2w7ab, path
 * id=42, stage prod with backend=orders-v2) with each case's changes applied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "inv_fixture.h"
#include "template/mapping.h"
#include "template/vtl.h"

typedef struct aws_case {
    const char *src;      /* where the expected output comes from */
    const char *tmpl;
    const char *body;     /* NULL: empty */
    const char *query;    /* NULL: the fixture's; "" none */
    const char *headers;  /* NULL: the fixture's; else "Name: value\n" lines replacing them */
    const char *id;       /* path parameter id; NULL: "42" */
    const char *want;     /* exact output; NULL: the render must fail */
    int status;           /* $context.responseOverride.status expected (0: none) */
    gh_mapping_kind kind; /* default GH_MAPPING_REQUEST */
} aws_case;

/* The reference's and the docs' shared bodies. */
#define ORDER                                                                              \
    "{\"id\":42,\"name\":\"Widget\",\"price\":19.5,\"tags\":[\"a\",\"b\"],"               \
    "\"items\":[{\"sku\":\"x1\",\"qty\":2},{\"sku\":\"x2\",\"qty\":1}],"                  \
    "\"owner\":{\"name\":\"Ann\",\"roles\":[\"admin\"]},\"ok\":true,\"none\":null}"

/* The all-params template every tutorial copies (api-gateway-mapping-variable-examples
 * example 2; blog.ryangreen.ca 2015/12 "Sending all HTTP parameters in API Gateway"). */
#define ALL_PARAMS                                                                         \
    "#set($allParams = $input.params())\n"                                                 \
    "{\n"                                                                                  \
    "\"params\" : {\n"                                                                     \
    "#foreach($type in $allParams.keySet())\n"                                             \
    "    #set($params = $allParams.get($type))\n"                                          \
    "\"$type\" : {\n"                                                                      \
    "    #foreach($paramName in $params.keySet())\n"                                       \
    "    \"$paramName\" : \"$util.escapeJavaScript($params.get($paramName))\"\n"           \
    "        #if($foreach.hasNext),#end\n"                                                 \
    "    #end\n"                                                                           \
    "}\n"                                                                                  \
    "    #if($foreach.hasNext),#end\n"                                                     \
    "#end\n"                                                                               \
    "}\n"                                                                                  \
    "}\n"

/* The photo album transformation (rest-api-develop-models-mapping-examples,
 * example-photos): input, template and (reformatted there) output. */
#define PHOTOS_IN                                                                          \
    "{\"photos\":{\"page\":1,\"pages\":\"1234\",\"perpage\":100,\"total\":\"123398\","    \
    "\"photo\":[{\"id\":\"12345678901\",\"owner\":\"23456789@A12\","                      \
    "\"photographer_first_name\":\"Saanvi\",\"photographer_last_name\":\"Sarkar\","       \
    "\"secret\":\"abc123d456\",\"server\":\"1234\",\"farm\":1,\"title\":\"Sample photo "  \
    "1\",\"ispublic\":true,\"isfriend\":false,\"isfamily\":false},"                       \
    "{\"id\":\"23456789012\",\"owner\":\"34567890@B23\","                                 \
    "\"photographer_first_name\":\"Richard\",\"photographer_last_name\":\"Roe\","         \
    "\"secret\":\"bcd234e567\",\"server\":\"2345\",\"farm\":2,\"title\":\"Sample photo "  \
    "2\",\"ispublic\":true,\"isfriend\":false,\"isfamily\":false}]}}"
#define PHOTOS_TMPL                                                                        \
    "#set($inputRoot = $input.path('$'))\n"                                                \
    "{\n"                                                                                  \
    "  \"photos\": [\n"                                                                    \
    "#foreach($elem in $inputRoot.photos.photo)\n"                                         \
    "    {\n"                                                                              \
    "      \"id\": \"$elem.id\",\n"                                                        \
    "      \"photographedBy\": \"$elem.photographer_first_name "                           \
    "$elem.photographer_last_name\",\n"                                                    \
    "      \"title\": \"$elem.title\",\n"                                                  \
    "      \"ispublic\": $elem.ispublic,\n"                                                \
    "      \"isfriend\": $elem.isfriend,\n"                                                \
    "      \"isfamily\": $elem.isfamily\n"                                                 \
    "    }#if($foreach.hasNext),#end\n"                                                    \
    "\n"                                                                                   \
    "#end\n"                                                                               \
    "  ]\n"                                                                                \
    "}"
#define PHOTOS_OUT                                                                         \
    "{\n"                                                                                  \
    "  \"photos\": [\n"                                                                    \
    "    {\n"                                                                              \
    "      \"id\": \"12345678901\",\n"                                                     \
    "      \"photographedBy\": \"Saanvi Sarkar\",\n"                                       \
    "      \"title\": \"Sample photo 1\",\n"                                               \
    "      \"ispublic\": true,\n"                                                          \
    "      \"isfriend\": false,\n"                                                         \
    "      \"isfamily\": false\n"                                                          \
    "    },\n"                                                                             \
    "    {\n"                                                                              \
    "      \"id\": \"23456789012\",\n"                                                     \
    "      \"photographedBy\": \"Richard Roe\",\n"                                         \
    "      \"title\": \"Sample photo 2\",\n"                                               \
    "      \"ispublic\": true,\n"                                                          \
    "      \"isfriend\": false,\n"                                                         \
    "      \"isfamily\": false\n"                                                          \
    "    }\n"                                                                              \
    "  ]\n"                                                                                \
    "}"

/* api-gateway-mapping-variable-examples example 1 ($context to backend names). */
#define CONTEXT_TMPL                                                                       \
    "{\n"                                                                                  \
    "    \"stage\" : \"$context.stage\",\n"                                                \
    "    \"request_id\" : \"$context.requestId\",\n"                                       \
    "    \"api_id\" : \"$context.apiId\",\n"                                               \
    "    \"resource_path\" : \"$context.resourcePath\",\n"                                 \
    "    \"resource_id\" : \"$context.resourceId\",\n"                                     \
    "    \"http_method\" : \"$context.httpMethod\",\n"                                     \
    "    \"source_ip\" : \"$context.identity.sourceIp\",\n"                                \
    "    \"user-agent\" : \"$context.identity.userAgent\",\n"                              \
    "    \"account_id\" : \"$context.identity.accountId\",\n"                              \
    "    \"api_key\" : \"$context.identity.apiKey\",\n"                                    \
    "    \"caller\" : \"$context.identity.caller\",\n"                                     \
    "    \"user\" : \"$context.identity.user\",\n"                                         \
    "    \"user_arn\" : \"$context.identity.userArn\"\n"                                   \
    "}"

static const aws_case cases[] = {
    /* ---- $input.path: printing (reference §5.1 [recorded]; LocalStack
     * tests/aws/services/apigateway/test_apigateway_common.snapshot.json,
     * test_input_path_template_formatting, recorded against AWS) ---- */
    {"rec §5.1 map prints as Java Map.toString", "$input.path('$')",
     "{\"foo\":\"bar\",\"to\":\"test\"}", .want = "{foo=bar, to=test}"},
    {"rec §5.1 list prints as JSON", "$input.path('$.list')", "{\"list\":[{\"foo\":\"bar\"}]}",
     .want = "[{\"foo\":\"bar\"}]"},
    {"rec §5.1 map holding a list", "$input.path('$')", "{\"foo\":[{\"nested\":\"bar\"}]}",
     .want = "{foo=[{\"nested\":\"bar\"}]}"},
    {"rec §5.1 empty list", "$input.path('$.list')", "{\"list\":[]}", .want = "[]"},
    {"rec §5.1 missing path prints nothing", "[$input.path('$.missing')]", "{\"foo\":\"bar\"}",
     .want = "[]"},
    {"rec §5.1 missing path == \"\"",
     "#set($x = $input.path('$.missing'))#if($x == \"\")empty#end", "{\"foo\":\"bar\"}",
     .want = "empty"},
    {"rec §5.1 missing path == $null",
     "#set($x = $input.path('$.missing'))#if($x == $null)null#end", "{\"foo\":\"bar\"}",
     .want = "null"},
    {"rec §5.1 property of a missing path", "[$input.path('$.missing').nested]", "{}",
     .want = "[]"},
    {"rec §5.1 $input.body is a string: no properties", "[$input.body.someField]",
     "{\"someField\":\"x\"}", .want = "[]"},
    {"doc §5.1 nested property", "$input.path('$.owner.name')", ORDER, .want = "Ann"},
    {"doc §5.1 number", "$input.path('$.id') $input.path('$.price')", ORDER, .want = "42 19.5"},
    {"doc §5.1 boolean", "$input.path('$.ok')", ORDER, .want = "true"},
    {"doc §5.1 JSON null prints nothing", "[$input.path('$.none')]", ORDER, .want = "[]"},
    {"doc §5.1 .size() of a list", "$input.path('$.items').size()", ORDER, .want = "2"},
    {"doc §5.1 #foreach over a path with hasNext",
     "#foreach($i in $input.path('$.items'))$i.sku:$i.qty#if($foreach.hasNext),#end#end", ORDER,
     .want = "x1:2,x2:1"},
    {"doc §5.1 index into a path result", "$input.path('$.items')[1].sku", ORDER, .want = "x2"},
    {"doc §5.1 JSONPath index and wildcard", "$input.path('$.items[0].sku') $input.json('$.items[*].sku')",
     ORDER, .want = "x1 [\"x1\",\"x2\"]"},
    {"doc example-photos: photo album transformation", PHOTOS_TMPL, PHOTOS_IN,
     .want = PHOTOS_OUT},

    /* ---- $input.json (reference §5.1: compact JSON of the match, strings quoted) ---- */
    {"doc §5.1 whole body, compacted", "$input.json('$')", "{ \"a\" : [ 1, 2 ],\n \"b\": \"c\" }",
     .want = "{\"a\":[1,2],\"b\":\"c\"}"},
    {"doc §5.1 string is quoted", "{\"personName\": $input.json('$.owner.name')}", ORDER,
     .want = "{\"personName\": \"Ann\"}"},
    {"doc §5.1 number and object", "$input.json('$.price') $input.json('$.owner')", ORDER,
     .want = "19.5 {\"name\":\"Ann\",\"roles\":[\"admin\"]}"},
    {"doc §5.1 list", "$input.json('$.tags')", ORDER, .want = "[\"a\",\"b\"]"},
    {"rec LocalStack PR #12774 missing path prints null", "$input.json('$.missing')",
     "{\"a\":1}", .want = "null"},
    {"doc §5.1 JSON null", "$input.json('$.none')", ORDER, .want = "null"},
    {"rec §5.1 empty body is {} for JSONPath", "$input.json('$')", NULL, .want = "{}"},
    {"java Jackson escapes quote, backslash, controls; keeps / and UTF-8",
     "$input.json('$.s')", "{\"s\":\"a\\\"b\\\\c\\/d\\u0001\\u00e9\"}",
     .want = "\"a\\\"b\\\\c/d\\u0001\xc3\xa9\""},
    {"doc tutorials: $input.json inside a JSON template",
     "{\"body\": $input.json('$'), \"id\": \"$input.params('id')\"}", "{\"n\":1}",
     .want = "{\"body\": {\"n\":1}, \"id\": \"42\"}"},

    /* ---- $input.body ---- */
    {"rec §5.1 / LocalStack PR #12413 empty body is {}", "$input.body", NULL, .want = "{}"},
    {"rec LocalStack PR #12413 empty body is {} for text/html too", "$input.body", NULL,
     .headers = "Content-Type: text/html\n", .want = "{}"},
    {"doc §5.1 raw body, as sent", "$input.body", "{ \"a\" : 1 }", .want = "{ \"a\" : 1 }"},
    {"doc §5.1 non-JSON body is fine for $input.body", "$input.body", "a=1&b=2",
     .want = "a=1&b=2"},
    /* slack-pokerbot#1: {"body": $input.json('$')} made a Slack form post valid JSON, so a
     * body that does not open JSON reads as one string (json-smart's permissive mode);
     * serverless#2270's 400 is Lambda refusing a passed-through form body (lambda_aws.c) */
    {"rec slack-pokerbot#1: a form body reads as one string", "$input.json('$')", "a=1&b=2",
     .want = "\"a=1&b=2\""},
    {"rec serverless#2270: a body that opens JSON and breaks fails", "$input.json('$')",
     "{\"a\": ", .want = NULL},

    {"ref §5.3 bare $context.authorizer.claims is null",
     "[$context.authorizer.claims]#if($context.authorizer.claims == $null)null#end", .want = "[]null"},

    /* ---- $input.params (reference §5.1; api-gateway-mapping-template-reference) ---- */
    {"doc path parameter", "$input.params('id')", .want = "42"},
    {"doc query parameter", "$input.params('expand')", .want = "items"},
    {"doc header", "$input.params('User-Agent')", .want = "curl/8.5.0"},
    {"doc absent parameter is \"\"", "[$input.params('nope')]", .want = "[]"},
    {"doc path before query string", "$input.params('id')", .query = "id=7", .want = "42"},
    {"doc query string before header", "$input.params('Accept')", .query = "Accept=q",
     .want = "q"},
    {"doc per location", "$input.params().path.get('id') $input.params().querystring.get('expand') "
     "$input.params().header.get('Accept')",
     .want = "42 items application/json"},
    {"doc decoded query value", "$input.params('q')", .query = "q=a+b%2Bc", .want = "a b+c"},
    {"doc example 2: all params", ALL_PARAMS, .query = "a=1&b=it%27s",
     .headers = "Host: h.example\nX-Q: say \"hi\"\n",
     /* Velocity 1.7 prints the indentation before #foreach/#if/#end (only #set's
      * token eats it) and each of those eats one newline after it: hence the layout. */
     .want = "{\n\"params\" : {\n\"path\" : {\n        \"id\" : \"42\"\n            }\n"
             "    ,\"querystring\" : {\n        \"a\" : \"1\"\n        ,        \"b\" : \"it\\'s\"\n"
             "            }\n    ,\"header\" : {\n        \"Host\" : \"h.example\"\n"
             "        ,        \"X-Q\" : \"say \\\"hi\\\"\"\n            }\n    }\n}\n"},
    {"doc mock: status from $input.params('id')",
     "{\"statusCode\": #if($input.params('id') == \"42\")200#{else}404#end}", .want = "{\"statusCode\": 200}"},
    {"doc mock: status from $input.params('id'), other id",
     "{\"statusCode\": #if($input.params('id') == \"42\")200#{else}404#end}", .id = "7",
     .want = "{\"statusCode\": 404}"},

    /* ---- $util (reference §5.2; api-gateway-mapping-template-reference) ---- */
    {"doc+java escapeJavaScript turns ' into \\' (serverless#2901 quotes the doc)",
     "$util.escapeJavaScript($input.path('$.s'))", "{\"s\":\"He didn't say, \\\"Stop!\\\"\"}",
     .want = "He didn\\'t say, \\\"Stop!\\\""},
    {"doc workaround .replaceAll(\"\\\\'\",\"'\")",
     "$util.escapeJavaScript($input.params('p')).replaceAll(\"\\\\'\",\"'\")", .query = "p=it%27s",
     .want = "it's"},
    {"java escapeJavaScript escapes /", "$util.escapeJavaScript('</script>')", .want = "<\\/script>"},
    {"java escapeJavaScript: non-ASCII as UTF-16 \\u units",
     "$util.escapeJavaScript('\xf0\x9f\x98\x80\xc3\xa9')", .want = "\\uD83D\\uDE00\\u00E9"},
    {"java escapeJavaScript: named controls and backslash", "$util.escapeJavaScript($input.path('$.s'))",
     "{\"s\":\"a\\nb\\tc\\\\d\\u0001\"}", .want = "a\\nb\\tc\\\\d\\u0001"},
    {"LocalStack test_template_mapping: escapeJavaScript of $input.json",
     "$util.escapeJavaScript($input.json('$.message'))",
     "{\"action\":\"$default\",\"message\":\"foobar\"}", .want = "\\\"foobar\\\""},
    {"rec §5.2 urlEncode: space +, { %7B", "$util.urlEncode('a b{')", .want = "a+b%7B"},
    {"java URLEncoder keeps *-._ and encodes ~", "$util.urlEncode('a*b-c_d.e~f')",
     .want = "a*b-c_d.e%7Ef"},
    {"doc §5.2 UTF-8", "$util.urlEncode('\xc3\xa9/?&=')", .want = "%C3%A9%2F%3F%26%3D"},
    {"java URLDecoder", "$util.urlDecode('a+b%7B%C3%A9')", .want = "a b{\xc3\xa9"},
    {"rec §10.1 SQS SendMessage template, empty body",
     "Action=SendMessage&MessageBody=$util.urlEncode($input.body)", NULL,
     .want = "Action=SendMessage&MessageBody=%7B%7D"},
    {"doc §10.1 SQS SendMessage template",
     "Action=SendMessage&MessageBody=$util.urlEncode($input.body)", "{\"order\": 1}",
     .want = "Action=SendMessage&MessageBody=%7B%22order%22%3A+1%7D"},
    {"doc §5.2 base64Encode", "$util.base64Encode('hello world')", .want = "aGVsbG8gd29ybGQ="},
    {"doc §5.2 base64Decode", "$util.base64Decode('aGVsbG8gd29ybGQ=')", .want = "hello world"},
    {"doc §5.2 base64 of the body (Kinesis PutRecord Data)",
     "{\"Data\": \"$util.base64Encode($input.json('$'))\"}", "{\"a\":1}",
     .want = "{\"Data\": \"eyJhIjoxfQ==\"}"},
    {"doc §5.2 parseJson of an escaped JSON string",
     "#set($o = $util.parseJson($input.path('$.s')))$o.a.b[1] $o.a.b.size() $o.a.c",
     "{\"s\":\"{\\\"a\\\":{\\\"b\\\":[1,2],\\\"c\\\":\\\"x\\\"}}\"}", .want = "2 2 x"},
    {"doc §5.2 parseJson map prints as Java map", "$util.parseJson('{\"k\":\"v\",\"n\":1}')",
     .want = "{k=v, n=1}"},

    /* ---- $context (reference §5.3; api-gateway-mapping-template-reference) ---- */
    {"doc example 1: $context to backend names", CONTEXT_TMPL,
     .want = "{\n    \"stage\" : \"prod\",\n"
             "    \"request_id\" : \"5b1f0a8e-3c2d-4e6f-9a7b-0c1d2e3f4a5b\",\n"
             "    \"api_id\" : \"k3x9q2w7ab\",\n    \"resource_path\" : \"/orders/{id}\",\n"
             "    \"resource_id\" : \"r8k2p1\",\n    \"http_method\" : \"GET\",\n"
             "    \"source_ip\" : \"198.51.100.7\",\n    \"user-agent\" : \"curl/8.5.0\",\n"
             "    \"account_id\" : \"\",\n    \"api_key\" : \"\",\n    \"caller\" : \"\",\n"
             "    \"user\" : \"\",\n    \"user_arn\" : \"\"\n}"},
    {"doc §5.3 accountId, path, protocol", "$context.accountId $context.path $context.protocol",
     .want = "111122223333 /prod/orders/42 HTTP/1.1"},
    {"doc §5.3 requestTime (CLF) and requestTimeEpoch",
     "$context.requestTime|$context.requestTimeEpoch",
     .want = "09/Jun/2026:14:03:11 +0000|1781013791000"},
    {"doc §5.3 ids", "$context.deploymentId $context.extendedRequestId $context.domainPrefix",
     .want = "d7q1zz Xc9LmF2bDoEFq8w= k3x9q2w7ab"},
    {"doc §5.3 authorizer.claims is null without Cognito", "[$context.authorizer.claims]",
     .want = "[]"},

    /* ---- $stageVariables (reference §5.4) ---- */
    {"doc §5.4 three spellings",
     "$stageVariables.backend ${stageVariables.backend} $stageVariables['backend'] "
     "${stageVariables['backend']}",
     .want = "orders-v2 orders-v2 orders-v2 orders-v2"},
    {"doc §5.4 undefined stage variable", "[$stageVariables.nope]", .want = "[]"},

    /* ---- Velocity as AWS runs it ---- */
    {"rec §5.1 an undefined reference renders as nothing", "[$result]", .want = "[]"},
    {"java Velocity quiet reference", "[$!result]", .want = "[]"},
    {"doc #set/#if/#else on a body field",
     "#set($q = $input.path('$.qty'))#if($q > 10)bulk#elseif($q > 1)some#{else}one#end", "{\"qty\":5}",
     .want = "some"},
    {"java Velocity integer arithmetic", "#set($n = $input.path('$.n') + 1)$n,#set($h = 7 / 2)$h",
     "{\"n\":41}", .want = "42,3"},
    {"java Velocity decimal arithmetic", "#set($d = 7.0 / 2)$d", .want = "3.5"},
    {"java Velocity $velocityCount starts at 1",
     "#foreach($t in $input.path('$.tags'))$velocityCount$foreach.index#end", ORDER, .want = "1021"},
    {"java keySet / get over a body object",
     "#foreach($k in $input.path('$.m').keySet())$k=$input.path('$.m').get($k);#end",
     "{\"m\":{\"z\":1,\"a\":\"x\"}}", .want = "z=1;a=x;"},
    {"java Map.containsKey / size", "$input.path('$').containsKey('id') $input.path('$').size()",
     ORDER, .want = "true 8"},
    {"java String methods on a body string",
     "$input.path('$.s').toUpperCase() $input.path('$.s').length() $input.path('$.s').substring(0, 3) "
     "$input.path('$.s').indexOf('b') $input.path('$.s').contains('ell')",
     "{\"s\":\"hello b\"}", .want = "HELLO B 7 hel 6 true"},
    {"java String.replaceAll with a Java regex", "$input.path('$.s').replaceAll(\"\\s+\", \"-\")",
     "{\"s\":\"a  b\\tc\"}", .want = "a-b-c"},
    {"java String.split in #foreach",
     "#foreach($p in $input.params('ids').split(','))[$p.trim()]#end", .query = "ids=1,%202,3",
     .want = "[1][2][3]"},
    {"java equals / startsWith / isEmpty",
     "$input.path('$.s').equals('ab') $input.path('$.s').startsWith('a') $input.path('$.e').isEmpty()",
     "{\"s\":\"ab\",\"e\":\"\"}", .want = "true true true"},
    {"doc response override: status from the body (apigateway-override-request-response-parameters)",
     "#set($inputRoot = $input.path('$'))\n$input.json(\"$\")\n"
     "#if($inputRoot.toString().contains(\"error\"))\n#set($context.responseOverride.status = 400)\n#end\n",
     "{\"error\":\"bad\"}", .want = "{\"error\":\"bad\"}\n", .status = 400, .kind = GH_MAPPING_RESPONSE},
    {"doc response override: no error, no override",
     "#set($inputRoot = $input.path('$'))\n$input.json(\"$\")\n"
     "#if($inputRoot.toString().contains(\"error\"))\n#set($context.responseOverride.status = 400)\n#end\n",
     "{\"ok\":1}", .want = "{\"ok\":1}\n", .kind = GH_MAPPING_RESPONSE},
    {"doc §5.1 response template sees the integration body", "$input.path('$.errorMessage')",
     "{\"errorMessage\":\"NotFound: pet 7\",\"errorType\":\"Error\"}", .want = "NotFound: pet 7",
     .kind = GH_MAPPING_RESPONSE},
};

/* Replaces the fixture's request parts the case names. */
static void apply(inv_fixture *f, const aws_case *c)
{
    gh_request *r = &f->req;
    r->body = c->body;
    r->body_len = c->body ? strlen(c->body) : 0;
    if (c->query)
        r->query = c->query[0] ? c->query : NULL;
    if (c->id)
        f->path_params[0].value = c->id;
    if (c->headers) {
        r->headers = (gh_headers){0};
        const char *s = c->headers;
        while (*s) {
            const char *colon = strchr(s, ':'), *nl = strchr(s, '\n');
            assert_non_null(colon);
            assert_non_null(nl);
            const char *name = gh_arena_strndup(f->arena, s, (size_t)(colon - s));
            const char *value = gh_arena_strndup(f->arena, colon + 2, (size_t)(nl - colon - 2));
            gh_headers_add(f->arena, &r->headers, name, value);
            s = nl + 1;
        }
    }
}

static void aws_renderings(void **state)
{
    (void)state;
    size_t failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const aws_case *c = &cases[i];
        inv_fixture f;
        inv_fixture_init(&f);
        apply(&f, c);
        gh_template t = {.media_type = "application/json", .text = c->tmpl, .len = strlen(c->tmpl)};
        gh_vtl_error err;
        t.compiled = gh_vtl_compile(f.arena, t.text, t.len, &err);
        if (!t.compiled) {
            print_error("case %zu (%s): does not compile: %u:%u %s\n", i, c->src, err.line, err.col,
                        err.message);
            failures++;
            inv_fixture_free(&f);
            continue;
        }
        gh_mapping_out out;
        int rc = gh_mapping_render(&f.inv, &t, c->kind, c->body, c->body ? strlen(c->body) : 0, &out);
        if (!c->want) {
            if (rc == 0) {
                print_error("case %zu (%s): rendered \"%s\", want a failure\n", i, c->src, out.body);
                failures++;
            }
        } else if (rc != 0) {
            print_error("case %zu (%s): failed: %s\n", i, c->src, out.error);
            failures++;
        } else if (out.len != strlen(c->want) || memcmp(out.body, c->want, out.len) != 0) {
            print_error("case %zu (%s):\n  got  [%s]\n  want [%s]\n", i, c->src, out.body, c->want);
            failures++;
        } else if (out.status_override != c->status) {
            print_error("case %zu (%s): status override %d, want %d\n", i, c->src,
                        out.status_override, c->status);
            failures++;
        }
        inv_fixture_free(&f);
    }
    assert_int_equal(failures, 0);
}

/* The suite must stay broad: a case dropped by accident shows here. */
static void suite_size(void **state)
{
    (void)state;
    assert_true(sizeof cases / sizeof *cases >= 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(aws_renderings),
        cmocka_unit_test(suite_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
