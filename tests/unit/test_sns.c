/* sim/sns: topics (names, FIFO, idempotent create, attributes), subscriptions
 * (protocols, endpoints, attributes and their errors), Publish's checks with SNS's
 * texts, the SQS envelope byte for byte, raw delivery, FIFO (group, deduplication
 * window, sequence numbers), filter policies on attributes and body, MessageStructure
 * json, the Lambda event against the corpus samples, HTTP deliveries and drain. The
 * clock is fake and ids are seeded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sns.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/ids.h"

#define REGION "us-east-1"
#define ACCOUNT "123456789012"
#define T0 1781014050222LL /* 2026-06-09T14:07:30.222Z */

typedef struct fixture {
    gh_sqs *sqs;
    gh_sns *sns;
} fixture;

static int setup(void **state)
{
    gh_clock_fake(T0);
    gh_ids_seed(7);
    fixture *f = calloc(1, sizeof *f);
    f->sqs = gh_sqs_new(REGION, ACCOUNT);
    f->sns = gh_sns_new(REGION, ACCOUNT, f->sqs);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gh_sns_free(f->sns);
    gh_sqs_free(f->sqs);
    free(f);
    gh_clock_fake(-1);
    return 0;
}

static char *topic(fixture *f, const char *name, bool fifo, bool cbd)
{
    gh_kv attrs[2] = {{"FifoTopic", "true", {0}}, {"ContentBasedDeduplication", "true", {0}}};
    char *arn;
    gh_sns_error err = {0};
    if (gh_sns_create_topic(f->sns, name, attrs, fifo ? (cbd ? 2 : 1) : 0, &arn, &err))
        fail_msg("create %s: %s", name, err.message);
    return arn;
}

static void queue(fixture *f, const char *name)
{
    gh_kv fifo[1] = {{"FifoQueue", "true", {0}}};
    size_t n = strlen(name);
    bool is_fifo = n > 5 && !strcmp(name + n - 5, ".fifo");
    gh_sqs_error err = {0};
    assert_int_equal(gh_sqs_create_queue(f->sqs, name, fifo, is_fifo ? 1 : 0, &err), 0);
}

static char *subscribe(fixture *f, const char *topic_arn, const char *protocol,
                       const char *endpoint, const gh_kv *attrs, size_t n)
{
    char *arn;
    gh_sns_error err = {0};
    if (gh_sns_subscribe(f->sns, topic_arn, protocol, endpoint, attrs, n, &arn, &err))
        fail_msg("subscribe %s %s: %s", protocol, endpoint, err.message);
    return arn;
}

/* ---- topics ---- */

static void topics_create_list_delete(void **state)
{
    fixture *f = *state;
    char *a = topic(f, "orders", false, false);
    assert_string_equal(a, "arn:aws:sns:us-east-1:123456789012:orders");
    char *again = topic(f, "orders", false, false);
    assert_string_equal(again, a);
    char *b = topic(f, "alerts.fifo", true, false);
    assert_string_equal(b, "arn:aws:sns:us-east-1:123456789012:alerts.fifo");
    char **arns;
    size_t n = gh_sns_list_topics(f->sns, &arns);
    assert_int_equal(n, 2);
    assert_string_equal(arns[0], b); /* sorted */
    assert_string_equal(arns[1], a);
    gh_sqs_names_free(arns, n);

    /* The same name with other attributes is refused. */
    gh_kv dn[1] = {{"DisplayName", "x", {0}}};
    char *arn = NULL;
    gh_sns_error err = {0};
    gh_kv fifo[1] = {{"FifoTopic", "true", {0}}};
    assert_int_equal(gh_sns_create_topic(f->sns, "alerts.fifo", fifo, 1, &arn, &err), 0);
    free(arn);
    assert_int_equal(gh_sns_create_topic(f->sns, "orders", dn, 1, &arn, &err), -1);
    assert_string_equal(err.code, "InvalidParameter");
    assert_string_equal(err.message, "Invalid parameter: Attributes Reason: Topic already "
                                     "exists with different attributes");

    /* A topic is found by name whatever account the ARN names. */
    json_t *ta =
        gh_sns_get_topic_attributes(f->sns, "arn:aws:sns:eu-west-1:000000000000:alerts.fifo", &err);
    assert_non_null(ta);
    assert_string_equal(json_string_value(json_object_get(ta, "TopicArn")), b);
    assert_string_equal(json_string_value(json_object_get(ta, "FifoTopic")), "true");
    assert_string_equal(json_string_value(json_object_get(ta, "ContentBasedDeduplication")),
                        "false");
    assert_string_equal(json_string_value(json_object_get(ta, "Owner")), ACCOUNT);
    json_decref(ta);

    assert_int_equal(gh_sns_set_topic_attribute(f->sns, a, "DisplayName", "Orders", &err), 0);
    ta = gh_sns_get_topic_attributes(f->sns, a, &err);
    assert_string_equal(json_string_value(json_object_get(ta, "DisplayName")), "Orders");
    assert_null(json_object_get(ta, "FifoTopic"));
    json_decref(ta);
    assert_int_equal(gh_sns_set_topic_attribute(f->sns, a, "FifoTopic", "true", &err), -1);
    assert_string_equal(err.message, "Invalid parameter: AttributeName");

    /* DeleteTopic is idempotent; the topic is then gone. */
    assert_int_equal(gh_sns_delete_topic(f->sns, a, &err), 0);
    assert_int_equal(gh_sns_delete_topic(f->sns, a, &err), 0);
    assert_null(gh_sns_get_topic_attributes(f->sns, a, &err));
    assert_string_equal(err.code, "NotFound");
    assert_string_equal(err.message, "Topic does not exist");
    assert_int_equal(err.status, 404);
    free(a), free(again), free(b);
}

static void topic_name_rules(void **state)
{
    fixture *f = *state;
    static const char fifo_text[] =
        "Fifo Topic names must end with .fifo and must be made up of only uppercase and "
        "lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 "
        "and 256 characters long.";
    char long_name[258];
    memset(long_name, 'a', 257);
    long_name[257] = '\0';
    static const struct {
        const char *name;
        bool fifo;
        const char *error; /* NULL: created */
    } cases[] = {
        {"Abc_1-2", false, NULL},
        {"", false, "Invalid parameter: Topic Name"},
        {"has space", false, "Invalid parameter: Topic Name"},
        {"dot.fifo", false, "Invalid parameter: Topic Name"},
        {"ok.fifo", true, NULL},
        {"nofifo", true, fifo_text},
        {"bad!.fifo", true, fifo_text},
        {NULL, false, "Invalid parameter: Topic Name"}, /* 257 characters */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_kv fifo[1] = {{"FifoTopic", "true", {0}}};
        char *arn = NULL;
        gh_sns_error err = {0};
        const char *name = cases[i].name ? cases[i].name : long_name;
        int rc = gh_sns_create_topic(f->sns, name, fifo, cases[i].fifo ? 1 : 0, &arn, &err);
        if (!cases[i].error) {
            if (rc)
                fail_msg("case %zu: %s", i, err.message);
            free(arn);
            continue;
        }
        assert_int_equal(rc, -1);
        assert_string_equal(err.code, "InvalidParameter");
        if (strcmp(err.message, cases[i].error))
            fail_msg("case %zu: '%s'", i, err.message);
    }
    gh_kv bad[1] = {{"Colour", "blue", {0}}};
    char *arn = NULL;
    gh_sns_error err = {0};
    assert_int_equal(gh_sns_create_topic(f->sns, "t", bad, 1, &arn, &err), -1);
    assert_string_equal(err.message, "Invalid parameter: AttributeName");
}

/* ---- subscriptions ---- */

static void subscription_checks(void **state)
{
    fixture *f = *state;
    char *t = topic(f, "orders", false, false);
    char *tf = topic(f, "orders.fifo", true, true);
    static const struct {
        int topic; /* 0 standard, 1 FIFO */
        const char *protocol, *endpoint;
        const char *attr, *value;
        const char *error; /* NULL: subscribed */
    } cases[] = {
        {0, "sqs", "arn:aws:sqs:us-east-1:123456789012:q1", NULL, NULL, NULL},
        {0, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:fn", NULL, NULL, NULL},
        {0, "lambda", "fn", NULL, NULL, NULL},
        {0, "https", "https://example.com/hook", NULL, NULL, NULL},
        {0, "email", "a@example.com", NULL, NULL, NULL},
        {1, "sqs", "arn:aws:sqs:us-east-1:123456789012:q1.fifo", NULL, NULL, NULL},
        {0, "pigeon", "x", NULL, NULL,
         "Invalid parameter: Amazon SNS does not support this protocol string: pigeon"},
        {0, "http", "https://example.com/", NULL, NULL,
         "Invalid parameter: Endpoint must match the specified protocol"},
        {0, "sqs", "q1", NULL, NULL, "Invalid parameter: SQS endpoint ARN"},
        {0, "sqs", "arn:aws:sqs:us-east-1:123456789012:q1.fifo", NULL, NULL,
         "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
         "subscribed to standard SNS topics"},
        {0, "lambda", "arn:aws:s3:::bucket", NULL, NULL, "Invalid parameter: Lambda endpoint ARN"},
        {0, "lambda", "fn2", "RawMessageDelivery", "true",
         "Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw "
         "message delivery."},
        {0, "sqs", "arn:aws:sqs:us-east-1:123456789012:q2", "FilterPolicy", "{\"a\":[]}",
         "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed"},
        {0, "sqs", "arn:aws:sqs:us-east-1:123456789012:q2", "FilterPolicy",
         "{\"a\":{\"b\":[\"1\"]}}",
         "Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not "
         "support nested filter policy"},
        {0, "sqs", "arn:aws:sqs:us-east-1:123456789012:q2", "Colour", "blue",
         "Invalid parameter: AttributeName"},
        {0, "sqs", "arn:aws:sqs:us-east-1:123456789012:q2", "FilterPolicyScope", "Body",
         "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Body]. Please "
         "use either MessageBody or MessageAttributes"},
        {0, "sqs", "arn:aws:sqs:us-east-1:123456789012:q2", "RawMessageDelivery", "yes",
         "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be "
         "true or false."},
        {1, "lambda", "fn", NULL, NULL, "Invalid parameter: Invalid protocol type: lambda"},
        {1, "https", "https://example.com/", NULL, NULL,
         "Invalid parameter: Invalid protocol type: https"},
        /* q1 exists without attributes: asking for others is refused. */
        {0, "sqs", "arn:aws:sqs:us-east-1:123456789012:q1", "RawMessageDelivery", "true",
         "Invalid parameter: Attributes Reason: Subscription already exists with different "
         "attributes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_kv kv[1] = {{cases[i].attr, cases[i].value, {0}}};
        char *arn = NULL;
        gh_sns_error err = {0};
        int rc = gh_sns_subscribe(f->sns, cases[i].topic ? tf : t, cases[i].protocol,
                                  cases[i].endpoint, kv, cases[i].attr ? 1 : 0, &arn, &err);
        if (!cases[i].error) {
            if (rc)
                fail_msg("case %zu: %s", i, err.message);
            /* TOPICARN:UUID */
            const char *base = cases[i].topic ? tf : t;
            assert_memory_equal(arn, base, strlen(base));
            assert_int_equal(arn[strlen(base)], ':');
            assert_int_equal(strlen(arn + strlen(base) + 1), 36);
            free(arn);
            continue;
        }
        assert_int_equal(rc, -1);
        assert_string_equal(err.code, "InvalidParameter");
        if (strcmp(err.message, cases[i].error))
            fail_msg("case %zu: '%s'", i, err.message);
    }
    /* A nested policy is fine in the body scope, in either attribute order. */
    gh_kv body[2] = {{"FilterPolicy", "{\"a\":{\"b\":[\"1\"]}}", {0}},
                     {"FilterPolicyScope", "MessageBody", {0}}};
    char *sb = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:q3", body, 2);
    /* Subscribing the same endpoint again gives the first ARN. */
    char *sb2 = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:q3", NULL, 0);
    assert_string_equal(sb, sb2);
    char *sb3 = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:q3", body, 2);
    assert_string_equal(sb, sb3);
    free(sb3);

    gh_sns_error err = {0};
    json_t *a = gh_sns_get_subscription_attributes(f->sns, sb, &err);
    assert_string_equal(json_string_value(json_object_get(a, "FilterPolicyScope")), "MessageBody");
    assert_string_equal(json_string_value(json_object_get(a, "FilterPolicy")),
                        "{\"a\":{\"b\":[\"1\"]}}");
    assert_string_equal(json_string_value(json_object_get(a, "RawMessageDelivery")), "false");
    assert_string_equal(json_string_value(json_object_get(a, "PendingConfirmation")), "false");
    assert_string_equal(json_string_value(json_object_get(a, "Protocol")), "sqs");
    json_decref(a);

    /* SetSubscriptionAttributes words its errors without "Attributes Reason: ". */
    assert_int_equal(gh_sns_set_subscription_attribute(f->sns, sb, "FilterPolicyScope",
                                                       "MessageAttributes", &err),
                     -1);
    assert_string_equal(err.message, "Invalid parameter: Filter policy scope MessageAttributes "
                                     "does not support nested filter policy");
    assert_int_equal(gh_sns_set_subscription_attribute(f->sns, sb, "FilterPolicy",
                                                       "{\"a\":[{\"numeric\":[\">\",5,\"<\",1]}]}",
                                                       &err),
                     -1);
    assert_string_equal(err.message,
                        "Invalid parameter: FilterPolicy: Bottom must be less than top");
    assert_int_equal(gh_sns_set_subscription_attribute(
                         f->sns, sb, "RedrivePolicy",
                         "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\"}",
                         &err),
                     0);
    a = gh_sns_get_subscription_attributes(f->sns, sb, &err);
    assert_string_equal(json_string_value(json_object_get(a, "RedrivePolicy")),
                        "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\"}");
    json_decref(a);

    json_t *all = gh_sns_list_subscriptions(f->sns, NULL, &err);
    json_t *mine = gh_sns_list_subscriptions(f->sns, tf, &err);
    assert_int_equal(json_array_size(all), 7);
    assert_int_equal(json_array_size(mine), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(mine, 0), "Endpoint")),
                        "arn:aws:sqs:us-east-1:123456789012:q1.fifo");
    json_decref(all);
    json_decref(mine);

    assert_int_equal(gh_sns_unsubscribe(f->sns, sb, &err), 0);
    assert_int_equal(gh_sns_unsubscribe(f->sns, sb, &err), 0); /* idempotent */
    assert_null(gh_sns_get_subscription_attributes(f->sns, sb, &err));
    assert_string_equal(err.code, "NotFound");
    assert_string_equal(err.message, "Subscription does not exist");
    free(sb), free(sb2), free(t), free(tf);
}

/* ---- publish checks ---- */

static void publish_checks(void **state)
{
    fixture *f = *state;
    char *t = topic(f, "orders", false, false);
    char *tf = topic(f, "orders.fifo", true, false);
    char big[262146];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char long_subject[101];
    memset(long_subject, 's', 100);
    long_subject[100] = '\0';
    gh_sqs_attr bad_type[1] = {{"a", "Text", "v", NULL, 0}};
    gh_sqs_attr bad_num[1] = {{"a", "Number", "12x", NULL, 0}};
    gh_sqs_attr empty_str[1] = {{"a", "String", "", NULL, 0}};
    static const char *missing = "arn:aws:sns:us-east-1:123456789012:missing";
    const struct {
        struct gh_sns_publish p;
        const char *code, *error;
    } cases[] = {
        {{.topic_arn = t, .message = "hi"}, NULL, NULL},
        {{.topic_arn = t, .message = "hi", .subject = "Hello"}, NULL, NULL},
        {{.topic_arn = "fake_topic", .message = "hello"},
         "InvalidParameter",
         "Invalid parameter: TopicArn Reason: fake_topic does not start with arn"},
        {{.topic_arn = missing, .message = "hi"}, "NotFound", "Topic does not exist"},
        {{.topic_arn = t, .message = ""}, "InvalidParameter", "Invalid parameter: Empty message"},
        {{.topic_arn = t, .message = big},
         "InvalidParameter",
         "Invalid parameter: Message too long"},
        {{.topic_arn = t, .message = "hi", .subject = ""},
         "InvalidParameter",
         "Invalid parameter: Subject"},
        {{.topic_arn = t, .message = "hi", .subject = "a\nb"},
         "InvalidParameter",
         "Invalid parameter: Subject"},
        {{.topic_arn = t, .message = "hi", .subject = long_subject},
         "InvalidParameter",
         "Invalid parameter: Subject"},
        {{.topic_arn = t, .message = "{", .message_structure = "json"},
         "InvalidParameter",
         "Invalid parameter: Message Structure - JSON message body failed to parse"},
        {{.topic_arn = t, .message = "{\"sqs\":\"x\"}", .message_structure = "json"},
         "InvalidParameter",
         "Invalid parameter: Message Structure - No default entry in JSON message body"},
        {{.topic_arn = tf, .message = "hi"},
         "InvalidParameter",
         "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"},
        {{.topic_arn = tf, .message = "hi", .group_id = "g"},
         "InvalidParameter",
         "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
         "MessageDeduplicationId provided explicitly"},
        {{.topic_arn = tf, .message = "hi", .group_id = "g", .dedup_id = "d"}, NULL, NULL},
        {{.topic_arn = t, .message = "hi", .dedup_id = "d"},
         "InvalidParameter",
         "Invalid parameter: MessageDeduplicationId Reason: The request includes "
         "MessageDeduplicationId parameter that is not valid for this topic type"},
        {{.topic_arn = t, .message = "hi", .attrs = bad_type, .nattrs = 1},
         "ParameterValueInvalid",
         "The message attribute 'a' has an invalid message attribute type, the set of supported "
         "type prefixes is Binary, Number, and String."},
        {{.topic_arn = t, .message = "hi", .attrs = bad_num, .nattrs = 1},
         "ParameterValueInvalid",
         "Could not cast message attribute 'a' value to number."},
        {{.topic_arn = t, .message = "hi", .attrs = empty_str, .nattrs = 1},
         "ParameterValueInvalid",
         "The message attribute 'a' must contain non-empty message attribute value for message "
         "attribute type 'String'."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char id[37], seq[21];
        gh_sns_error err = {0};
        int rc = gh_sns_publish(f->sns, &cases[i].p, id, seq, &err);
        if (!cases[i].error) {
            if (rc)
                fail_msg("case %zu: %s", i, err.message);
            assert_int_equal(strlen(id), 36);
            continue;
        }
        assert_int_equal(rc, -1);
        assert_string_equal(err.code, cases[i].code);
        if (strcmp(err.message, cases[i].error))
            fail_msg("case %zu: '%s'", i, err.message);
    }
    free(t), free(tf);
}

/* ---- deliveries to SQS ---- */

static gh_sqs_message *peek(fixture *f, const char *q, size_t want)
{
    gh_sqs_message *m;
    size_t n;
    assert_int_equal(gh_sqs_peek(f->sqs, q, 10, &m, &n), 0);
    if (n != want)
        fail_msg("queue %s holds %zu messages, want %zu", q, n, want);
    return m;
}

/* The signature value of an envelope (checked for shape, then spliced into the
 * expected text). */
static char *signature_of(const char *envelope)
{
    json_t *doc = json_loads(envelope, 0, NULL);
    assert_non_null(doc);
    const char *sig = json_string_value(json_object_get(doc, "Signature"));
    assert_non_null(sig);
    assert_int_equal(strlen(sig), 344); /* base64 of 256 bytes, as RSA-2048's */
    assert_string_equal(sig + 342, "==");
    char *out = strdup(sig);
    json_decref(doc);
    return out;
}

static void envelope_to_sqs(void **state)
{
    fixture *f = *state;
    queue(f, "q1");
    char *t = topic(f, "orders", false, false);
    char *sub = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:q1", NULL, 0);
    gh_sqs_attr attrs[2] = {{"store", "String", "example_corp", NULL, 0},
                            {"price", "Number", "210.75", NULL, 0}};
    struct gh_sns_publish p = {.topic_arn = t,
                               .message = "Hello \"world\"\n/ü",
                               .subject = "Greeting",
                               .attrs = attrs,
                               .nattrs = 2};
    char id[37], seq[21];
    gh_sns_error err = {0};
    assert_int_equal(gh_sns_publish(f->sns, &p, id, seq, &err), 0);
    assert_string_equal(seq, "");
    gh_sqs_message *m = peek(f, "q1", 1);
    char *sig = signature_of(m->body);
    char *want = gh_strprintf(
        "{\n"
        "  \"Type\" : \"Notification\",\n"
        "  \"MessageId\" : \"%s\",\n"
        "  \"TopicArn\" : \"arn:aws:sns:us-east-1:123456789012:orders\",\n"
        "  \"Subject\" : \"Greeting\",\n"
        "  \"Message\" : \"Hello \\\"world\\\"\\n/ü\",\n"
        "  \"Timestamp\" : \"2026-06-09T14:07:30.222Z\",\n"
        "  \"SignatureVersion\" : \"1\",\n"
        "  \"Signature\" : \"%s\",\n"
        "  \"SigningCertURL\" : \"https://sns.us-east-1.amazonaws.com/"
        "SimpleNotificationService-6761746568f075736573696d756c61ed.pem\",\n"
        "  \"UnsubscribeURL\" : \"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&"
        "SubscriptionArn=%s\",\n"
        "  \"MessageAttributes\" : {\n"
        "    \"store\" : {\"Type\":\"String\",\"Value\":\"example_corp\"},\n"
        "    \"price\" : {\"Type\":\"Number\",\"Value\":\"210.75\"}\n"
        "  }\n"
        "}",
        id, sig, sub);
    assert_string_equal(m->body, want);
    /* The envelope carries the attributes; the SQS message has none of its own. */
    assert_int_equal(m->nattrs, 0);
    gh_sqs_messages_free(m, 1);

    /* The signature is a function of what SNS signs: same inputs, same value. */
    gh_sns_notification n = {.message_id = id,
                             .topic_arn = t,
                             .subject = "Greeting",
                             .message = "Hello \"world\"\n/ü",
                             .timestamp = "2026-06-09T14:07:30.222Z",
                             .attrs = attrs,
                             .nattrs = 2,
                             .subscription_arn = sub};
    char *again = gh_sns_envelope(f->sns, &n);
    assert_string_equal(again, want);
    n.message = "other";
    char *other = gh_sns_envelope(f->sns, &n);
    char *sig2 = signature_of(other);
    assert_string_not_equal(sig, sig2);
    /* No subject, no attributes: both keys are left out. */
    n.subject = NULL;
    n.nattrs = 0;
    char *bare = gh_sns_envelope(f->sns, &n);
    assert_null(strstr(bare, "Subject"));
    assert_null(strstr(bare, "MessageAttributes"));
    assert_non_null(strstr(bare, "SubscriptionArn="));
    assert_string_equal(bare + strlen(bare) - 3, "\"\n}");
    free(bare), free(other), free(sig2), free(again);
    free(want), free(sig), free(sub), free(t);
}

static void raw_delivery(void **state)
{
    fixture *f = *state;
    queue(f, "raw");
    char *t = topic(f, "orders", false, false);
    gh_kv raw[1] = {{"RawMessageDelivery", "true", {0}}};
    char *sub = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:raw", raw, 1);
    static const unsigned char bin[3] = {0, 1, 255};
    gh_sqs_attr attrs[3] = {{"store", "String", "example_corp", NULL, 0},
                            {"tags", "String.Array", "[\"a\",\"b\"]", NULL, 0},
                            {"blob", "Binary", NULL, bin, 3}};
    struct gh_sns_publish p = {
        .topic_arn = t, .message = "{\"order\":1}", .attrs = attrs, .nattrs = 3};
    char id[37], seq[21];
    gh_sns_error err = {0};
    assert_int_equal(gh_sns_publish(f->sns, &p, id, seq, &err), 0);
    gh_sqs_message *m = peek(f, "raw", 1);
    assert_string_equal(m->body, "{\"order\":1}");
    assert_int_equal(m->nattrs, 3);
    assert_string_equal(m->attrs[0].name, "store");
    assert_string_equal(m->attrs[0].data_type, "String");
    assert_string_equal(m->attrs[0].string_value, "example_corp");
    assert_string_equal(m->attrs[1].data_type, "String.Array");
    assert_string_equal(m->attrs[2].data_type, "Binary");
    assert_int_equal(m->attrs[2].binary_len, 3);
    assert_memory_equal(m->attrs[2].binary_value, bin, 3);
    gh_sqs_messages_free(m, 1);
    free(sub), free(t);
}

static void fifo_topic(void **state)
{
    fixture *f = *state;
    queue(f, "out.fifo");
    queue(f, "std");
    char *t = topic(f, "orders.fifo", true, true);
    char *s1 = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:out.fifo", NULL, 0);
    char *s2 = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:std", NULL, 0);
    struct gh_sns_publish p = {.topic_arn = t, .message = "first", .group_id = "g1"};
    char id1[37], seq1[21], id2[37], seq2[21], id3[37], seq3[21];
    gh_sns_error err = {0};
    assert_int_equal(gh_sns_publish(f->sns, &p, id1, seq1, &err), 0);
    assert_int_equal(strlen(seq1), 20);
    /* The same content within 5 minutes: the first message's ids, no delivery. */
    gh_clock_advance(299999);
    assert_int_equal(gh_sns_publish(f->sns, &p, id2, seq2, &err), 0);
    assert_string_equal(id2, id1);
    assert_string_equal(seq2, seq1);
    /* Past the window: a new message with a larger sequence number. */
    gh_clock_advance(2);
    assert_int_equal(gh_sns_publish(f->sns, &p, id3, seq3, &err), 0);
    assert_string_not_equal(id3, id1);
    assert_true(strcmp(seq3, seq1) > 0);

    gh_sqs_message *m = peek(f, "out.fifo", 2);
    assert_string_equal(m[0].group_id, "g1");
    /* Content-based: the deduplication id is the SHA-256 of the message. */
    assert_string_equal(m[0].dedup_id,
                        "a7937b64b8caa58f03721bb6bacf5c78cb235febe0e70b1b84cd99541461a08e");
    char *want = gh_strprintf(
        "{\n"
        "  \"Type\" : \"Notification\",\n"
        "  \"MessageId\" : \"%s\",\n"
        "  \"SequenceNumber\" : \"%s\",\n"
        "  \"TopicArn\" : \"arn:aws:sns:us-east-1:123456789012:orders.fifo\",\n"
        "  \"Message\" : \"first\",\n"
        "  \"Timestamp\" : \"2026-06-09T14:07:30.222Z\",\n"
        "  \"UnsubscribeURL\" : \"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&"
        "SubscriptionArn=%s\"\n"
        "}",
        id1, seq1, s1);
    assert_string_equal(m[0].body, want);
    gh_sqs_messages_free(m, 2);
    /* A standard queue behind a FIFO topic gets neither id. */
    m = peek(f, "std", 2);
    assert_null(m[0].group_id);
    assert_null(m[0].dedup_id);
    gh_sqs_messages_free(m, 2);
    free(want), free(s1), free(s2), free(t);
}

static void filters_route(void **state)
{
    fixture *f = *state;
    queue(f, "attrs");
    queue(f, "body");
    queue(f, "all");
    char *t = topic(f, "orders", false, false);
    gh_kv by_attr[1] = {{"FilterPolicy", "{\"store\":[\"example_corp\"]}", {0}}};
    gh_kv by_body[2] = {
        {"FilterPolicyScope", "MessageBody", {0}},
        {"FilterPolicy", "{\"order\":{\"total\":[{\"numeric\":[\">\",100]}]}}", {0}}};
    char *a = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:attrs", by_attr, 1);
    char *b = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:body", by_body, 2);
    char *c = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:all", NULL, 0);
    gh_sqs_attr corp[1] = {{"store", "String", "example_corp", NULL, 0}};
    gh_sqs_attr other[1] = {{"store", "String", "other", NULL, 0}};
    const struct gh_sns_publish msgs[] = {
        {.topic_arn = t, .message = "{\"order\":{\"total\":150}}", .attrs = corp, .nattrs = 1},
        {.topic_arn = t, .message = "{\"order\":{\"total\":50}}", .attrs = other, .nattrs = 1},
        {.topic_arn = t, .message = "not json", .attrs = corp, .nattrs = 1},
    };
    for (size_t i = 0; i < 3; i++) {
        char id[37], seq[21];
        gh_sns_error err = {0};
        assert_int_equal(gh_sns_publish(f->sns, &msgs[i], id, seq, &err), 0);
    }
    gh_sqs_message *m = peek(f, "attrs", 2);
    gh_sqs_messages_free(m, 2);
    m = peek(f, "body", 1);
    assert_non_null(strstr(m[0].body, "\\\"total\\\":150"));
    gh_sqs_messages_free(m, 1);
    m = peek(f, "all", 3);
    gh_sqs_messages_free(m, 3);
    free(a), free(b), free(c), free(t);
}

/* ---- Lambda and HTTP ---- */

typedef struct captured {
    char *function, *event, *url, *body;
    char headers[8][200];
    size_t nheaders;
    int calls;
} captured;

static int on_lambda(void *ud, const char *function, const char *event_json)
{
    captured *c = ud;
    free(c->function), free(c->event);
    c->function = strdup(function);
    c->event = strdup(event_json);
    c->calls++;
    return 0;
}

static int on_http(void *ud, const char *url, const char *body, const char *const *headers)
{
    captured *c = ud;
    free(c->url), free(c->body);
    c->url = strdup(url);
    c->body = strdup(body);
    c->nheaders = 0;
    for (const char *const *h = headers; *h && c->nheaders < 8; h++)
        snprintf(c->headers[c->nheaders++], 200, "%s", *h);
    c->calls++;
    return 0;
}

static void free_captured(captured *c)
{
    free(c->function), free(c->event), free(c->url), free(c->body);
}

/* Every key of the corpus sample's record and Sns object is in ours, with the same
 * JSON type (Subject may be null when none was given). */
static void same_shape(const json_t *ours, const json_t *sample, const char *where)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)sample, k, v)
    {
        json_t *o = json_object_get(ours, k);
        if (!o)
            fail_msg("%s: no %s", where, k);
        if (json_typeof(o) != json_typeof(v) && !(json_is_null(o) && !strcmp(k, "Subject")))
            fail_msg("%s: %s has another type", where, k);
    }
    assert_int_equal(json_object_size(ours), json_object_size(sample));
}

static void lambda_event(void **state)
{
    fixture *f = *state;
    captured cap = {0};
    gh_sns_delivery d = {on_lambda, on_http, &cap};
    gh_sns_set_delivery(f->sns, &d);
    char *t = topic(f, "sns-lambda", false, false);
    char *sub =
        subscribe(f, t, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:fn", NULL, 0);
    struct gh_sns_publish p = {.topic_arn = t, .message = "Hello from SNS!"};
    char id[37], seq[21];
    gh_sns_error err = {0};
    assert_int_equal(gh_sns_publish(f->sns, &p, id, seq, &err), 0);
    gh_sns_drain(f->sns);
    assert_int_equal(cap.calls, 1);
    assert_string_equal(cap.function, "arn:aws:lambda:us-east-1:123456789012:function:fn");

    json_t *ev = json_loads(cap.event, 0, NULL);
    assert_non_null(ev);
    const json_t *rec = json_array_get(json_object_get(ev, "Records"), 0);
    const json_t *sns = json_object_get(rec, "Sns");
    /* Key order as Lambda delivers it. */
    char *sig = strdup(json_string_value(json_object_get(sns, "Signature")));
    char *want = gh_strprintf(
        "{\"Records\":[{\"EventSource\":\"aws:sns\",\"EventVersion\":\"1.0\","
        "\"EventSubscriptionArn\":\"%s\",\"Sns\":{\"Type\":\"Notification\",\"MessageId\":\"%s\","
        "\"TopicArn\":\"%s\",\"Subject\":null,\"Message\":\"Hello from SNS!\","
        "\"Timestamp\":\"2026-06-09T14:07:30.222Z\",\"SignatureVersion\":\"1\",\"Signature\":\"%"
        "s\","
        "\"SigningCertUrl\":\"https://sns.us-east-1.amazonaws.com/"
        "SimpleNotificationService-6761746568f075736573696d756c61ed.pem\","
        "\"UnsubscribeUrl\":\"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&"
        "SubscriptionArn=%s\",\"MessageAttributes\":{}}}]}",
        sub, id, t, sig, sub);
    assert_string_equal(cap.event, want);

    /* Field by field against both corpus samples. */
    static const char *const samples[] = {
        "../shared/corpus/events/aws-lambda-go__sns-event.json",
        "../shared/corpus/events/powertools-python__snsEvent.json",
    };
    for (size_t i = 0; i < 2; i++) {
        char path[512];
        const char *root = getenv("GH_SOURCE_DIR");
        snprintf(path, sizeof path, "%s/%s", root ? root : ".", samples[i]);
        json_t *sample = json_load_file(path, 0, NULL);
        if (!sample) /* the corpus sits beside the repository */
            sample = json_load_file(samples[i] + 2, 0, NULL);
        if (!sample) {
            snprintf(path, sizeof path, "/work/shared/corpus/events/%s",
                     strrchr(samples[i], '/') + 1);
            sample = json_load_file(path, 0, NULL);
        }
        assert_non_null(sample);
        const json_t *srec = json_array_get(json_object_get(sample, "Records"), 0);
        same_shape(rec, srec, "record");
        same_shape(sns, json_object_get(srec, "Sns"), "Sns");
        json_decref(sample);
    }

    /* Attributes appear as {"Type","Value"}; Binary base64-encoded. */
    static const unsigned char bin[2] = {'h', 'i'};
    gh_sqs_attr attrs[2] = {{"Test", "String", "TestString", NULL, 0},
                            {"TestBinary", "Binary", NULL, bin, 2}};
    struct gh_sns_publish p2 = {
        .topic_arn = t, .message = "m", .subject = "TestInvoke", .attrs = attrs, .nattrs = 2};
    assert_int_equal(gh_sns_publish(f->sns, &p2, id, seq, &err), 0);
    gh_sns_drain(f->sns);
    assert_int_equal(cap.calls, 2);
    assert_non_null(strstr(cap.event, "\"Subject\":\"TestInvoke\""));
    assert_non_null(strstr(cap.event, "\"MessageAttributes\":{\"Test\":{\"Type\":\"String\","
                                      "\"Value\":\"TestString\"},\"TestBinary\":{\"Type\":"
                                      "\"Binary\",\"Value\":\"aGk=\"}}"));
    json_decref(ev);
    free(want), free(sig), free(sub), free(t);
    gh_sns_set_delivery(f->sns, NULL);
    free_captured(&cap);
}

static void http_and_structure(void **state)
{
    fixture *f = *state;
    captured cap = {0};
    gh_sns_delivery d = {on_lambda, on_http, &cap};
    gh_sns_set_delivery(f->sns, &d);
    queue(f, "q");
    char *t = topic(f, "orders", false, false);
    gh_kv raw[1] = {{"RawMessageDelivery", "true", {0}}};
    char *h = subscribe(f, t, "http", "http://127.0.0.1:9/hook", raw, 1);
    char *q = subscribe(f, t, "sqs", "arn:aws:sqs:us-east-1:123456789012:q", raw, 1);
    char *l = subscribe(f, t, "lambda", "fn", NULL, 0);
    struct gh_sns_publish p = {.topic_arn = t,
                               .message_structure = "json",
                               .message = "{\"default\":\"plain\",\"sqs\":\"for queues\","
                                          "\"http\":\"for hooks\"}"};
    char id[37], seq[21];
    gh_sns_error err = {0};
    assert_int_equal(gh_sns_publish(f->sns, &p, id, seq, &err), 0);
    gh_sns_drain(f->sns);
    assert_int_equal(cap.calls, 2);
    assert_string_equal(cap.url, "http://127.0.0.1:9/hook");
    assert_string_equal(cap.body, "for hooks");
    char want[200];
    assert_int_equal(cap.nheaders, 6);
    assert_string_equal(cap.headers[0], "x-amz-sns-message-type: Notification");
    snprintf(want, sizeof want, "x-amz-sns-message-id: %s", id);
    assert_string_equal(cap.headers[1], want);
    snprintf(want, sizeof want, "x-amz-sns-topic-arn: %s", t);
    assert_string_equal(cap.headers[2], want);
    snprintf(want, sizeof want, "x-amz-sns-subscription-arn: %s", h);
    assert_string_equal(cap.headers[3], want);
    assert_string_equal(cap.headers[4], "Content-Type: text/plain; charset=UTF-8");
    assert_string_equal(cap.headers[5], "x-amz-sns-rawdelivery: true");
    /* Lambda has no entry of its own: it gets "default". */
    assert_non_null(strstr(cap.event, "\"Message\":\"plain\""));
    gh_sqs_message *m = peek(f, "q", 1);
    assert_string_equal(m->body, "for queues");
    gh_sqs_messages_free(m, 1);
    gh_sns_set_delivery(f->sns, NULL);
    free_captured(&cap);
    free(h), free(q), free(l), free(t);
}

/* Without a delivery configured, Lambda notifications are dropped and drain still
 * returns; an unsubscribed endpoint gets nothing more. */
static void drain_without_delivery(void **state)
{
    fixture *f = *state;
    char *t = topic(f, "orders", false, false);
    char *l = subscribe(f, t, "lambda", "fn", NULL, 0);
    struct gh_sns_publish p = {.topic_arn = t, .message = "m"};
    char id[37], seq[21];
    gh_sns_error err = {0};
    for (int i = 0; i < 3; i++)
        assert_int_equal(gh_sns_publish(f->sns, &p, id, seq, &err), 0);
    gh_sns_drain(f->sns);
    captured cap = {0};
    gh_sns_delivery d = {on_lambda, on_http, &cap};
    gh_sns_set_delivery(f->sns, &d);
    assert_int_equal(gh_sns_unsubscribe(f->sns, l, &err), 0);
    assert_int_equal(gh_sns_publish(f->sns, &p, id, seq, &err), 0);
    gh_sns_drain(f->sns);
    assert_int_equal(cap.calls, 0);
    gh_sns_set_delivery(f->sns, NULL);
    free(l), free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(topics_create_list_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(topic_name_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(subscription_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(publish_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(envelope_to_sqs, setup, teardown),
        cmocka_unit_test_setup_teardown(raw_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_topic, setup, teardown),
        cmocka_unit_test_setup_teardown(filters_route, setup, teardown),
        cmocka_unit_test_setup_teardown(lambda_event, setup, teardown),
        cmocka_unit_test_setup_teardown(http_and_structure, setup, teardown),
        cmocka_unit_test_setup_teardown(drain_without_delivery, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
