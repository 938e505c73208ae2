/* sim/aws_protocol: which requests are AWS clients' calls, and request -> response for
 * the SQS query and JSON protocols, SNS's query protocol and Lambda's Invoke: byte-exact
 * XML and JSON (message ids replaced by "ID" before comparing), errors per protocol,
 * batch rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim/aws_protocol.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/http.h"

#define SQS_XML "<?xml version=\"1.0\"?>"
#define SQS_NS " xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\""
#define META "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
#define FORM "application/x-www-form-urlencoded; charset=utf-8"

typedef struct fx {
    gh_sim *sim;
    gh_arena *arena;
} fx;

static fx F;

static int setup(void **state)
{
    (void)state;
    F.sim = gh_sim_new("us-east-1", "123456789012");
    F.arena = gh_arena_new(4096);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gh_sim_free(F.sim);
    gh_arena_free(F.arena);
    return 0;
}

static gh_request make(const char *method, const char *path, const char *query, const char *ct,
                       const char *target, const char *accept, const char *body)
{
    gh_request r = {.arena = F.arena, .method = method, .path = path, .query = query,
                    .body = body, .body_len = body ? strlen(body) : 0};
    strcpy(r.request_id, "req-1");
    gh_headers_add(F.arena, &r.headers, "Host", "localhost:4566");
    if (ct)
        gh_headers_add(F.arena, &r.headers, "Content-Type", ct);
    if (target)
        gh_headers_add(F.arena, &r.headers, "X-Amz-Target", target);
    if (accept)
        gh_headers_add(F.arena, &r.headers, "Accept", accept);
    return r;
}

/* Replaces every UUID (8-4-4-4-12 hex) with "ID", so generated ids compare. */
static char *ids_out(const char *s, size_t n)
{
    char *out = gh_arena_alloc(F.arena, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        bool uuid = i + 36 <= n;
        for (size_t k = 0; uuid && k < 36; k++) {
            char ch = s[i + k];
            bool dash = k == 8 || k == 13 || k == 18 || k == 23;
            uuid = dash ? ch == '-' : ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
        }
        if (uuid) {
            memcpy(out + o, "ID", 2);
            o += 2;
            i += 36;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    return out;
}

static gh_response query(const char *path, const char *body, const char *accept)
{
    gh_request r = make("POST", path, NULL, FORM, NULL, accept, body);
    gh_response resp = {0};
    assert_true(gh_aws_protocol_claims(&r));
    gh_aws_protocol_handle(F.sim, &r, &resp);
    resp.body = ids_out(resp.body, resp.body_len);
    return resp;
}

static gh_response json_call(const char *op, const char *body)
{
    gh_request r = make("POST", "/", NULL, "application/x-amz-json-1.0",
                        gh_arena_printf(F.arena, "AmazonSQS.%s", op), NULL, body);
    gh_response resp = {0};
    assert_true(gh_aws_protocol_claims(&r));
    gh_aws_protocol_handle(F.sim, &r, &resp);
    resp.body = ids_out(resp.body, resp.body_len);
    return resp;
}

static void create_q(const char *name)
{
    gh_response r = query("/", gh_arena_printf(F.arena, "Action=CreateQueue&QueueName=%s", name), NULL);
    assert_int_equal(r.status, 200);
}

static void claims_table(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path, *query, *ct, *target, *body;
        bool want;
    } cases[] = {
        {"POST", "/", NULL, FORM, NULL, "Action=ListQueues&Version=2012-11-05", true},
        {"POST", "/123456789012/orders", NULL, FORM, NULL, "Action=SendMessage&MessageBody=x", true},
        {"POST", "/", NULL, "application/x-amz-json-1.0", "AmazonSQS.ListQueues", "{}", true},
        {"POST", "/", "Action=ListTopics", NULL, NULL, NULL, true},
        {"POST", "/2015-03-31/functions/hello/invocations", NULL, NULL, NULL, "{}", true},
        {"GET", "/", NULL, FORM, NULL, "Action=ListQueues", false},
        {"POST", "/prod/orders", NULL, "application/json", NULL, "{\"Action\":1}", false},
        {"POST", "/prod/orders", NULL, FORM, NULL, "name=Action=x", false},
        {"POST", "/prod/a/b", NULL, FORM, NULL, "Action=SendMessage", false},
        {"POST", "/prod", NULL, "application/x-amz-json-1.0", "AmazonSQS.ListQueues", "{}", false},
        {"POST", "/2015-03-31/functions/a/b/invocations", NULL, NULL, NULL, "{}", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_request r = make(cases[i].method, cases[i].path, cases[i].query, cases[i].ct,
                            cases[i].target, NULL, cases[i].body);
        if (gh_aws_protocol_claims(&r) != cases[i].want)
            fail_msg("case %zu (%s %s) should be %d", i, cases[i].method, cases[i].path,
                     cases[i].want);
    }
}

static void query_xml_main_operations(void **state)
{
    (void)state;
    static const struct {
        const char *path, *body, *xml;
    } cases[] = {
        {"/", "Action=CreateQueue&QueueName=orders&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=30",
         SQS_XML "<CreateQueueResponse" SQS_NS "><CreateQueueResult><QueueUrl>http://localhost:4566/"
                 "123456789012/orders</QueueUrl></CreateQueueResult>" META "</CreateQueueResponse>"},
        {"/", "Action=GetQueueUrl&QueueName=orders",
         SQS_XML "<GetQueueUrlResponse" SQS_NS "><GetQueueUrlResult><QueueUrl>http://localhost:4566/"
                 "123456789012/orders</QueueUrl></GetQueueUrlResult>" META "</GetQueueUrlResponse>"},
        {"/", "Action=ListQueues&QueueNamePrefix=ord",
         SQS_XML "<ListQueuesResponse" SQS_NS "><ListQueuesResult><QueueUrl>http://localhost:4566/"
                 "123456789012/orders</QueueUrl></ListQueuesResult>" META "</ListQueuesResponse>"},
        {"/", "Action=ListQueues&QueueNamePrefix=zzz",
         SQS_XML "<ListQueuesResponse" SQS_NS "><ListQueuesResult/>" META "</ListQueuesResponse>"},
        /* The queue from the path, whatever account it names. */
        {"/999999999999/orders", "Action=SendMessage&MessageBody=hello",
         SQS_XML "<SendMessageResponse" SQS_NS "><SendMessageResult><MD5OfMessageBody>"
                 "5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody><MessageId>ID</MessageId>"
                 "</SendMessageResult>" META "</SendMessageResponse>"},
        {"/", "Action=SetQueueAttributes&QueueUrl=http%3A%2F%2Fx%2F1%2Forders&Attribute.1.Name="
              "DelaySeconds&Attribute.1.Value=0",
         SQS_XML "<SetQueueAttributesResponse" SQS_NS ">" META "</SetQueueAttributesResponse>"},
        {"/", "Action=PurgeQueue&QueueUrl=arn:aws:sqs:us-east-1:1:orders",
         SQS_XML "<PurgeQueueResponse" SQS_NS ">" META "</PurgeQueueResponse>"},
        {"/123456789012/orders", "Action=ReceiveMessage",
         SQS_XML "<ReceiveMessageResponse" SQS_NS "><ReceiveMessageResult/>" META
                 "</ReceiveMessageResponse>"},
        {"/", "Action=DeleteQueue&QueueUrl=http://localhost:4566/123456789012/orders",
         SQS_XML "<DeleteQueueResponse" SQS_NS ">" META "</DeleteQueueResponse>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_response r = query(cases[i].path, cases[i].body, NULL);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, cases[i].xml);
        assert_string_equal(gh_headers_get(&r.headers, "Content-Type"), "text/xml");
        assert_string_equal(gh_headers_get(&r.headers, "x-amzn-RequestId"), "req-1");
    }
}

static void receive_renders_attributes(void **state)
{
    (void)state;
    create_q("work");
    query("/1/work",
          "Action=SendMessage&MessageBody=a%26b&MessageAttribute.1.Name=color&MessageAttribute.1."
          "Value.DataType=String&MessageAttribute.1.Value.StringValue=red",
          NULL);
    gh_response r = query("/1/work",
                          "Action=ReceiveMessage&AttributeName.1=ApproximateReceiveCount&"
                          "MessageAttributeName.1=col.*&MessageAttributeName.2=color",
                          NULL);
    assert_int_equal(r.status, 200);
    const char *body = r.body;
    assert_non_null(strstr(body, "<ReceiveMessageResult><Message><MessageId>ID</MessageId>"
                                 "<ReceiptHandle>"));
    assert_non_null(strstr(body, "<MD5OfBody>"));
    assert_non_null(strstr(body, "<Body>a&amp;b</Body><Attribute><Name>ApproximateReceiveCount"
                                 "</Name><Value>1</Value></Attribute><MD5OfMessageAttributes>"));
    assert_non_null(strstr(body, "<MessageAttribute><Name>color</Name><Value><StringValue>red"
                                 "</StringValue><DataType>String</DataType></Value>"
                                 "</MessageAttribute></Message></ReceiveMessageResult>"));
    assert_null(strstr(body, "SenderId"));
}

static void json_protocol_shapes(void **state)
{
    (void)state;
    gh_response r = json_call("CreateQueue", "{\"QueueName\":\"jq\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"QueueUrl\":\"http://localhost:4566/123456789012/jq\"}");
    assert_string_equal(gh_headers_get(&r.headers, "Content-Type"), "application/x-amz-json-1.0");
    r = json_call("SendMessage",
                  "{\"QueueUrl\":\"http://localhost:4566/123456789012/jq\",\"MessageBody\":\"hello\"}");
    assert_string_equal(r.body,
                        "{\"MD5OfMessageBody\":\"5d41402abc4b2a76b9719d911017c592\",\"MessageId\":\"ID\"}");
    r = json_call("ReceiveMessage",
                  "{\"QueueUrl\":\"jq\",\"MaxNumberOfMessages\":10,\"MessageSystemAttributeNames\":"
                  "[\"SenderId\"]}");
    assert_non_null(strstr(r.body, "{\"Messages\":[{\"MessageId\":\"ID\",\"ReceiptHandle\":"));
    assert_non_null(strstr(r.body, "\"Body\":\"hello\",\"Attributes\":{\"SenderId\":"));
    r = json_call("ReceiveMessage", "{\"QueueUrl\":\"jq\"}");
    assert_string_equal(r.body, "{}");
    r = json_call("GetQueueAttributes", "{\"QueueUrl\":\"jq\"}");
    assert_string_equal(r.body, "{}");
    r = json_call("DeleteQueue", "{\"QueueUrl\":\"jq\"}");
    assert_string_equal(r.body, "{}");
}

static void query_json_form(void **state)
{
    (void)state;
    create_q("api");
    gh_response r = query("/1/api", "Action=SendMessage&MessageBody=hello", "application/json");
    assert_string_equal(r.body,
                        "{\"SendMessageResponse\":{\"ResponseMetadata\":{\"RequestId\":\"req-1\"},"
                        "\"SendMessageResult\":{\"MD5OfMessageAttributes\":null,\"MD5OfMessageBody\":"
                        "\"5d41402abc4b2a76b9719d911017c592\",\"MD5OfMessageSystemAttributes\":null,"
                        "\"MessageId\":\"ID\",\"SequenceNumber\":null}}}");
    assert_string_equal(gh_headers_get(&r.headers, "Content-Type"), "application/json");
}

static void errors_per_protocol(void **state)
{
    (void)state;
    gh_response r = query("/1/nope", "Action=SendMessage&MessageBody=x", NULL);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, SQS_XML "<ErrorResponse" SQS_NS "><Error><Type>Sender</Type><Code>"
                                        "AWS.SimpleQueueService.NonExistentQueue</Code><Message>The "
                                        "specified queue does not exist for this wsdl version."
                                        "</Message><Detail/></Error><RequestId>req-1</RequestId>"
                                        "</ErrorResponse>");
    r = json_call("SendMessage", "{\"QueueUrl\":\"nope\",\"MessageBody\":\"x\"}");
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":"
                                "\"The specified queue does not exist.\"}");
    assert_string_equal(gh_headers_get(&r.headers, "x-amzn-query-error"),
                        "AWS.SimpleQueueService.NonExistentQueue;Sender");
    r = query("/1/nope", "Action=SendMessage&MessageBody=x", "application/json");
    assert_string_equal(r.body, "{\"Error\":{\"Type\":\"Sender\",\"Code\":\"AWS.SimpleQueueService."
                                "NonExistentQueue\",\"Message\":\"The specified queue does not "
                                "exist for this wsdl version.\"},\"RequestId\":\"req-1\"}");
    create_q("e");
    static const struct {
        const char *body, *code, *message;
    } cases[] = {
        {"Action=ReceiveMessage&MaxNumberOfMessages=11", "InvalidParameterValue",
         "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, "
         "if provided."},
        {"Action=ReceiveMessage&WaitTimeSeconds=21", "InvalidParameterValue",
         "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be &gt;= 0 and &lt;= 20, "
         "if provided."},
        {"Action=SendMessage", "MissingParameter",
         "The request must contain the parameter MessageBody."},
        {"Action=DeleteMessage", "MissingParameter",
         "The request must contain the parameter ReceiptHandle."},
        {"Action=Frobnicate", "InvalidAction", "The action Frobnicate is not valid for this endpoint."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        r = query("/1/e", cases[i].body, NULL);
        assert_int_equal(r.status, 400);
        char *want = gh_arena_printf(F.arena, "<Code>%s</Code><Message>%s</Message>", cases[i].code,
                                     cases[i].message);
        if (!strstr(r.body, want))
            fail_msg("case %zu: %s", i, r.body);
    }
}

static void batch_rules(void **state)
{
    (void)state;
    create_q("b");
    char *eleven = gh_arena_strdup(F.arena, "Action=SendMessageBatch");
    for (int i = 1; i <= 11; i++)
        eleven = gh_arena_printf(F.arena, "%s&SendMessageBatchRequestEntry.%d.Id=m%d&"
                                          "SendMessageBatchRequestEntry.%d.MessageBody=x",
                                 eleven, i, i, i);
    static const struct {
        const char *body, *code, *message;
    } cases[] = {
        {"Action=SendMessageBatch", "AWS.SimpleQueueService.EmptyBatchRequest",
         "There should be at least one SendMessageBatchRequestEntry in the request."},
        {NULL, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
         "Maximum number of entries per request are 10. You have sent 11."},
        {"Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a.b&"
         "SendMessageBatchRequestEntry.1.MessageBody=x",
         "AWS.SimpleQueueService.InvalidBatchEntryId",
         "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It "
         "can be at most 80 letters long."},
        {"Action=DeleteMessageBatch&DeleteMessageBatchRequestEntry.1.Id=a&"
         "DeleteMessageBatchRequestEntry.1.ReceiptHandle=x&DeleteMessageBatchRequestEntry.2.Id=a&"
         "DeleteMessageBatchRequestEntry.2.ReceiptHandle=y",
         "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_response r = query("/1/b", cases[i].body ? cases[i].body : eleven, NULL);
        assert_int_equal(r.status, 400);
        char *want = gh_arena_printf(F.arena, "<Code>%s</Code><Message>%s</Message>", cases[i].code,
                                     cases[i].message);
        if (!strstr(r.body, want))
            fail_msg("case %zu: %s", i, r.body);
    }
    /* One good entry, one without a body: Successful and Failed side by side. */
    gh_response r = query("/1/b",
                          "Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=ok&"
                          "SendMessageBatchRequestEntry.1.MessageBody=hello&"
                          "SendMessageBatchRequestEntry.2.Id=bad",
                          NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body,
                        SQS_XML "<SendMessageBatchResponse" SQS_NS "><SendMessageBatchResult>"
                                "<SendMessageBatchResultEntry><Id>ok</Id><MessageId>ID</MessageId>"
                                "<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody>"
                                "</SendMessageBatchResultEntry><BatchResultErrorEntry><Id>bad</Id>"
                                "<SenderFault>true</SenderFault><Code>MissingParameter</Code>"
                                "<Message>The request must contain the parameter MessageBody."
                                "</Message></BatchResultErrorEntry></SendMessageBatchResult>" META
                                "</SendMessageBatchResponse>");
    /* JSON: the same batch, entries as an array; a bad receipt handle fails its entry. */
    gh_response j = json_call("DeleteMessageBatch",
                              "{\"QueueUrl\":\"b\",\"Entries\":[{\"Id\":\"d1\",\"ReceiptHandle\":"
                              "\"nope\"}]}");
    assert_int_equal(j.status, 200);
    assert_non_null(strstr(j.body, "{\"Successful\":[],\"Failed\":[{\"Id\":\"d1\",\"SenderFault\":"
                                   "true,\"Code\":\"ReceiptHandleIsInvalid\""));
}

static void sns_query(void **state)
{
    (void)state;
    gh_response r = query("/", "Action=CreateTopic&Name=events", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body,
                        "<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
                        "  <CreateTopicResult>\n"
                        "    <TopicArn>arn:aws:sns:us-east-1:123456789012:events</TopicArn>\n"
                        "  </CreateTopicResult>\n"
                        "  <ResponseMetadata>\n"
                        "    <RequestId>req-1</RequestId>\n"
                        "  </ResponseMetadata>\n"
                        "</CreateTopicResponse>\n");
    r = query("/", "Action=Publish&TopicArn=arn:aws:sns:us-east-1:123456789012:events&Message=hi",
              "application/json");
    assert_string_equal(r.body, "{\"PublishResponse\":{\"PublishResult\":{\"MessageId\":\"ID\","
                                "\"SequenceNumber\":null},\"ResponseMetadata\":{\"RequestId\":"
                                "\"req-1\"}}}");
    r = query("/", "Action=ListTopics", NULL);
    assert_non_null(strstr(r.body, "<Topics>\n      <member>\n        <TopicArn>arn:aws:sns:"
                                   "us-east-1:123456789012:events</TopicArn>\n      </member>\n"
                                   "    </Topics>"));
    r = query("/", "Action=Publish&TopicArn=arn:aws:sns:us-east-1:123456789012:none&Message=hi", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
                                "  <Error>\n    <Type>Sender</Type>\n    <Code>NotFound</Code>\n"
                                "    <Message>Topic does not exist</Message>\n  </Error>\n"
                                "  <RequestId>req-1</RequestId>\n</ErrorResponse>\n");
    /* The credential scope names the service even for an action both services know. */
    gh_request q = make("POST", "/", NULL, FORM, NULL, NULL, "Action=AddPermission");
    gh_headers_add(F.arena, &q.headers, "Authorization",
                   "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sns/aws4_request, "
                   "SignedHeaders=host, Signature=00");
    gh_response resp = {0};
    gh_aws_protocol_handle(F.sim, &q, &resp);
    assert_non_null(strstr(resp.body, "sns.amazonaws.com"));
    /* PublishBatch: an empty batch fails as a whole. */
    r = query("/", "Action=PublishBatch&TopicArn=arn:aws:sns:us-east-1:123456789012:events", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "<Code>EmptyBatchRequest</Code>"));
    r = query("/",
              "Action=PublishBatch&TopicArn=arn:aws:sns:us-east-1:123456789012:events&"
              "PublishBatchRequestEntries.member.1.Id=one&PublishBatchRequestEntries.member.1."
              "Message=a&PublishBatchRequestEntries.member.2.Id=two",
              NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<Successful>\n      <member>\n        <Id>one</Id>\n"
                                   "        <MessageId>ID</MessageId>\n      </member>\n"
                                   "    </Successful>\n    <Failed>\n      <member>\n"
                                   "        <Id>two</Id>\n        <Code>InvalidParameter</Code>"));
}

static int fake_invoke(void *ud, const char *function, const char *event, char **result)
{
    (void)ud;
    if (!strcmp(function, "hello")) {
        *result = strdup(event);
        return 0;
    }
    if (!strcmp(function, "boom")) {
        *result = strdup("{\"errorMessage\":\"no\",\"errorType\":\"Error\",\"stackTrace\":[]}");
        return 1;
    }
    *result = NULL;
    return -1;
}

static void lambda_invoke(void **state)
{
    (void)state;
    gh_sim_set_invoker(F.sim, fake_invoke, NULL);
    static const struct {
        const char *path, *type, *body;
        int status;
        const char *want_body, *function_error;
    } cases[] = {
        {"/2015-03-31/functions/hello/invocations", NULL, "{\"a\":1}", 200, "{\"a\":1}", NULL},
        {"/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Ahello%3Aprod/"
         "invocations", NULL, "[]", 200, "[]", NULL},
        {"/2015-03-31/functions/boom/invocations", NULL, "{}", 200,
         "{\"errorMessage\":\"no\",\"errorType\":\"Error\",\"stackTrace\":[]}", "Unhandled"},
        {"/2015-03-31/functions/hello/invocations", "Event", "{}", 202, "", NULL},
        {"/2015-03-31/functions/nope/invocations", NULL, "{}", 404,
         "{\"Type\":\"User\",\"message\":\"Function not found: arn:aws:lambda:us-east-1:"
         "123456789012:function:nope\"}", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_request r = make("POST", cases[i].path, NULL, NULL, NULL, NULL, cases[i].body);
        if (cases[i].type)
            gh_headers_add(F.arena, &r.headers, "X-Amz-Invocation-Type", cases[i].type);
        gh_response resp = {0};
        assert_true(gh_aws_protocol_claims(&r));
        gh_aws_protocol_handle(F.sim, &r, &resp);
        assert_int_equal(resp.status, cases[i].status);
        assert_string_equal(resp.body ? resp.body : "", cases[i].want_body);
        const char *fe = gh_headers_get(&resp.headers, "X-Amz-Function-Error");
        if (cases[i].function_error)
            assert_string_equal(fe, cases[i].function_error);
        else
            assert_null(fe);
    }
}

/* --check-signatures: the verifier's answer, per protocol, before any operation runs; the
 * service it is asked about is the one the call addresses. */
static const char *verified_for;
static int deny_all(void *ud, const gh_request *req, const char *service, gh_sqs_error *err)
{
    (void)ud;
    (void)req;
    verified_for = service;
    err->code = "MissingAuthenticationToken";
    err->status = 403;
    err->sender = true;
    snprintf(err->message, sizeof err->message, "Request is missing Authentication Token");
    return -1;
}

static void signature_check_comes_first(void **state)
{
    (void)state;
    F.sim->verify = deny_all;
    gh_response r = query("/", "Action=CreateQueue&QueueName=nosig", NULL);
    assert_int_equal(r.status, 403);
    assert_string_equal(verified_for, "sqs");
    assert_non_null(strstr(r.body, "<Code>MissingAuthenticationToken</Code>"));
    assert_non_null(strstr(r.body, "<Message>Request is missing Authentication Token</Message>"));
    r = json_call("ListQueues", "{}");
    assert_int_equal(r.status, 403);
    r = query("/", "Action=ListTopics", NULL);
    assert_string_equal(verified_for, "sns");
    gh_request inv = make("POST", "/2015-03-31/functions/f/invocations", NULL, NULL, NULL, NULL, "{}");
    gh_response ri = {0};
    gh_aws_protocol_handle(F.sim, &inv, &ri);
    assert_int_equal(ri.status, 403);
    assert_string_equal(verified_for, "lambda");
    F.sim->verify = NULL;
    assert_int_equal(gh_sqs_exists(F.sim->sqs, "nosig"), 0); /* nothing ran */
}

static void no_simulator_is_503(void **state)
{
    (void)state;
    gh_request r = make("POST", "/", NULL, FORM, NULL, NULL, "Action=ListQueues");
    gh_response resp = {0};
    gh_aws_protocol_handle(NULL, &r, &resp);
    assert_int_equal(resp.status, 503);
    assert_non_null(strstr(resp.body, "no simulated AWS services"));
}

/* A form of 200 000 fields (a few MB, well under the 10 MB body limit): reading
 * AttributeName.1..N and counting entries must not cost a scan of the form per field
 * (that was N^2: minutes). The answer is the one for the names asked. */
static void huge_forms_are_read_in_linear_time(void **state)
{
    (void)state;
    create_q("big");
    gh_buf b = GH_BUF_INIT;
    gh_buf_puts(&b, "Action=GetQueueAttributes&QueueUrl=http://localhost:4566/123456789012/big");
    for (int i = 1; i <= 200000; i++)
        gh_buf_printf(&b, "&AttributeName.%d=%s", i, i == 1 ? "DelaySeconds" : "Nope");
    gh_response r = query("/", gh_arena_strdup(F.arena, b.data), NULL);
    gh_buf_free(&b);
    assert_int_equal(r.status, 400); /* "Nope" is not an attribute name */
    gh_buf e = GH_BUF_INIT;
    gh_buf_puts(&e, "Action=SendMessageBatch&QueueUrl=http://localhost:4566/123456789012/big");
    for (int i = 1; i <= 100000; i++)
        gh_buf_printf(&e, "&SendMessageBatchRequestEntry.%d.Id=e%d", i, i);
    r = query("/", gh_arena_strdup(F.arena, e.data), NULL);
    gh_buf_free(&e);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "You have sent 100000."));
}

/* Text quoted from the client that is not UTF-8 (an unknown action name) must still give
 * a well-formed error in every form: jansson refuses such strings, and the NULL it gave
 * crashed the renderer. Malformed bytes become U+FFFD. */
static void errors_quoting_bytes_that_are_not_utf8(void **state)
{
    (void)state;
    gh_response r = json_call("Cre\xff\xfe" "ate", "{}");
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"__type\":\"com.amazonaws.sqs#InvalidAction\",\"message\":"
                                "\"The action Cre\xef\xbf\xbd\xef\xbf\xbd" "ate is not valid for "
                                "this endpoint.\"}");
    r = query("/", "Action=X%FF", "application/json");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"Message\":\"The action X\xef\xbf\xbd is not valid"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(claims_table, setup, teardown),
        cmocka_unit_test_setup_teardown(query_xml_main_operations, setup, teardown),
        cmocka_unit_test_setup_teardown(receive_renders_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(json_protocol_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(query_json_form, setup, teardown),
        cmocka_unit_test_setup_teardown(errors_per_protocol, setup, teardown),
        cmocka_unit_test_setup_teardown(batch_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(sns_query, setup, teardown),
        cmocka_unit_test_setup_teardown(lambda_invoke, setup, teardown),
        cmocka_unit_test_setup_teardown(signature_check_comes_first, setup, teardown),
        cmocka_unit_test_setup_teardown(no_simulator_is_503, setup, teardown),
        cmocka_unit_test_setup_teardown(errors_quoting_bytes_that_are_not_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(huge_forms_are_read_in_linear_time, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
