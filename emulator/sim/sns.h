/* The simulated SNS: standard and FIFO topics of one server, their subscriptions and
 * publishing, in memory (reference aws-api-gateway.md §10.4; the SNS Developer Guide).
 * Subscriptions deliver to simulated SQS queues (sim/sqs.h; the JSON envelope, or the raw
 * message with RawMessageDelivery, SNS attributes then becoming SQS message attributes),
 * to Lua Lambdas and to HTTP endpoints, each through filter policies
 * (sim/filter_policy.h) on attributes or on the body. SQS deliveries happen before
 * Publish returns; Lambda and HTTP deliveries go through a delivery thread, as AWS
 * delivers asynchronously (gh_sns_drain waits for them). Thread-safe. */
#ifndef GH_SNS_H
#define GH_SNS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim/sqs.h"
#include "spec/model.h"

typedef struct gh_sns gh_sns;

/* The same shape as SQS's: AWS code, query-protocol text, status, sender/receiver. */
typedef gh_sqs_error gh_sns_error;

/* How non-SQS deliveries leave the simulator; set by whoever owns the runtime (the
 * server, `gatehouse test`). Called on the delivery thread. */
typedef struct gh_sns_delivery {
    /* Invokes the Lua Lambda `function` (a name or an ARN, as the subscription's
     * Endpoint says) with the SNS event (JSON text: {"Records":[...]}). 0 when it ran. */
    int (*lambda)(void *ud, const char *function, const char *event_json);
    /* POSTs body (the envelope, or the raw message) to url with SNS's headers
     * (x-amz-sns-message-type, -message-id, -topic-arn, -subscription-arn;
     * Content-Type text/plain; charset=UTF-8). 0 on a 2xx. */
    int (*http)(void *ud, const char *url, const char *body, const char *const *headers);
    void *ud;
} gh_sns_delivery;

/* sqs receives the sqs-protocol deliveries. delivery may be NULL (then Lambda and HTTP
 * deliveries are logged and dropped) and set later with gh_sns_set_delivery. */
gh_sns *gh_sns_new(const char *region, const char *account, gh_sqs *sqs);
void gh_sns_free(gh_sns *s);
void gh_sns_set_delivery(gh_sns *s, const gh_sns_delivery *d);

/* CreateTopic: name rules (256 chars of [A-Za-z0-9_-], ".fifo" with FifoTopic "true");
 * attributes as AWS names them (FifoTopic, ContentBasedDeduplication, DisplayName,
 * Policy, ...). Idempotent for the same attributes. *arn malloc'd. */
int gh_sns_create_topic(gh_sns *s, const char *name, const gh_kv *attrs, size_t nattrs,
                        char **arn, gh_sns_error *err);
int gh_sns_delete_topic(gh_sns *s, const char *topic_arn, gh_sns_error *err);
/* Topic ARNs, sorted; malloc'd (gh_sqs_names_free frees). */
size_t gh_sns_list_topics(gh_sns *s, char ***arns);
json_t *gh_sns_get_topic_attributes(gh_sns *s, const char *topic_arn, gh_sns_error *err);
int gh_sns_set_topic_attribute(gh_sns *s, const char *topic_arn, const char *name,
                               const char *value, gh_sns_error *err);

/* Subscribe: protocol sqs (endpoint: a queue ARN), lambda (a function ARN or name),
 * http/https (a URL; confirmed at once, as a local endpoint cannot answer the
 * confirmation), email/sms/application/firehose accepted and never delivered.
 * Attributes: RawMessageDelivery, FilterPolicy (JSON text, checked by
 * filter_policy.h), FilterPolicyScope (MessageAttributes | MessageBody),
 * RedrivePolicy (kept). Subscribing the same endpoint twice returns the first ARN. */
int gh_sns_subscribe(gh_sns *s, const char *topic_arn, const char *protocol,
                     const char *endpoint, const gh_kv *attrs, size_t nattrs, char **sub_arn,
                     gh_sns_error *err);
int gh_sns_unsubscribe(gh_sns *s, const char *sub_arn, gh_sns_error *err);
/* ListSubscriptions (topic_arn NULL) / ListSubscriptionsByTopic: an array of
 * {SubscriptionArn, Owner, Protocol, Endpoint, TopicArn}. New reference. */
json_t *gh_sns_list_subscriptions(gh_sns *s, const char *topic_arn, gh_sns_error *err);
json_t *gh_sns_get_subscription_attributes(gh_sns *s, const char *sub_arn, gh_sns_error *err);
int gh_sns_set_subscription_attribute(gh_sns *s, const char *sub_arn, const char *name,
                                      const char *value, gh_sns_error *err);

/* A struct tag without a typedef: the name gh_sns_publish is the function's. */
struct gh_sns_publish {
    const char *topic_arn;         /* TopicArn or TargetArn */
    const char *message;
    const char *subject;           /* NULL: none */
    const char *message_structure; /* "json": message is {"default": ..., "sqs": ...} */
    const gh_sqs_attr *attrs;      /* MessageAttributes (String, String.Array, Number,
                                    * Binary) */
    size_t nattrs;
    const char *group_id, *dedup_id; /* FIFO topics */
};

/* Publish: checks as AWS (message size 256 KiB, subject rules, JSON structure with
 * "default", FIFO group/dedup), then delivers to every subscription whose filter policy
 * matches. message_id[37]; sequence_number[21] ("" unless FIFO). */
int gh_sns_publish(gh_sns *s, const struct gh_sns_publish *p, char message_id[37],
                   char sequence_number[21], gh_sns_error *err);

/* Blocks until every Lambda and HTTP delivery queued so far has run (tests, `gatehouse
 * test` before it checks side effects, shutdown). */
void gh_sns_drain(gh_sns *s);

/* The JSON envelope SNS delivers to SQS and HTTP (key order as AWS sends it:
 * Type, MessageId, SequenceNumber (FIFO), TopicArn, Subject (if any), Message,
 * Timestamp, SignatureVersion, Signature, SigningCertURL, UnsubscribeURL (the three
 * signature fields absent on FIFO topics), MessageAttributes (if any)), and the
 * Lambda event record's Sns object (…Url spelling, Subject null, MessageAttributes {}).
 * For the delivery code and the tests; malloc'd JSON text. */
typedef struct gh_sns_notification {
    const char *message_id, *topic_arn, *subject, *message, *timestamp, *sequence_number;
    const gh_sqs_attr *attrs;
    size_t nattrs;
    const char *subscription_arn;
    bool fifo;
} gh_sns_notification;
char *gh_sns_envelope(const gh_sns *s, const gh_sns_notification *n);
char *gh_sns_lambda_event(const gh_sns *s, const gh_sns_notification *n);

#endif
