/* SNS's operations on the query protocol (the SNS API Reference, 2010-03-31): form
 * arguments (Attributes.entry.N.key/value, MessageAttributes.entry.N.Name/Value.*,
 * PublishBatchRequestEntries.member.N.*), the engine (sim/sns.h) called, results in the
 * members' order of AWS's XML answers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/aws_ops.h"

typedef void (*sns_op)(gh_aws_call *c);

static const char *need(gh_aws_call *c, const char *name)
{
    const char *v = gh_aws_arg_str(&c->args, name);
    if (!v)
        gh_aws_fail(c, "InvalidParameter", "Invalid parameter: %s", name);
    return v;
}

static void answer(gh_aws_call *c, int rc, const gh_sns_error *err, json_t *result)
{
    if (rc != 0) {
        json_decref(result);
        gh_aws_fail_with(c, err);
    } else {
        gh_aws_ok(c, result);
    }
}

static void op_create_topic(gh_aws_call *c)
{
    const char *name = need(c, "Name");
    if (!name)
        return;
    gh_kv *attrs;
    size_t n = gh_aws_arg_map(&c->args, "Attributes", "Attributes.entry", "key", "value", &attrs);
    char *arn = NULL;
    gh_sns_error err = {0};
    int rc = gh_sns_create_topic(c->sim->sns, name, attrs, n, &arn, &err);
    json_t *r = json_object();
    gh_aws_set_str(r, "TopicArn", arn);
    free(arn);
    answer(c, rc, &err, r);
}

static void op_delete_topic(gh_aws_call *c)
{
    const char *arn = need(c, "TopicArn");
    if (!arn)
        return;
    gh_sns_error err = {0};
    answer(c, gh_sns_delete_topic(c->sim->sns, arn, &err), &err, NULL);
}

static void op_list_topics(gh_aws_call *c)
{
    char **arns;
    size_t n = gh_sns_list_topics(c->sim->sns, &arns);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s}", "TopicArn", arns[i]));
    gh_sqs_names_free(arns, n);
    json_t *r = json_object();
    json_object_set_new(r, "Topics", list);
    gh_aws_ok(c, r);
}

static json_t *attributes_result(json_t *attrs)
{
    json_t *r = json_object();
    json_object_set_new(r, "Attributes", attrs);
    return r;
}

static void op_get_topic_attributes(gh_aws_call *c)
{
    const char *arn = need(c, "TopicArn");
    if (!arn)
        return;
    gh_sns_error err = {0};
    json_t *attrs = gh_sns_get_topic_attributes(c->sim->sns, arn, &err);
    answer(c, attrs ? 0 : -1, &err, attrs ? attributes_result(attrs) : NULL);
}

static void op_set_topic_attributes(gh_aws_call *c)
{
    const char *arn = need(c, "TopicArn");
    const char *name = arn ? need(c, "AttributeName") : NULL;
    if (!name)
        return;
    const char *value = gh_aws_arg_str(&c->args, "AttributeValue");
    gh_sns_error err = {0};
    answer(c, gh_sns_set_topic_attribute(c->sim->sns, arn, name, value ? value : "", &err), &err,
           NULL);
}

static void op_subscribe(gh_aws_call *c)
{
    const char *arn = need(c, "TopicArn");
    const char *proto = arn ? need(c, "Protocol") : NULL;
    if (!proto)
        return;
    gh_kv *attrs;
    size_t n = gh_aws_arg_map(&c->args, "Attributes", "Attributes.entry", "key", "value", &attrs);
    char *sub = NULL;
    gh_sns_error err = {0};
    int rc = gh_sns_subscribe(c->sim->sns, arn, proto, gh_aws_arg_str(&c->args, "Endpoint"), attrs,
                              n, &sub, &err);
    json_t *r = json_object();
    gh_aws_set_str(r, "SubscriptionArn", sub);
    free(sub);
    answer(c, rc, &err, r);
}

static void op_unsubscribe(gh_aws_call *c)
{
    const char *arn = need(c, "SubscriptionArn");
    if (!arn)
        return;
    gh_sns_error err = {0};
    answer(c, gh_sns_unsubscribe(c->sim->sns, arn, &err), &err, NULL);
}

/* Each subscription's members in the order of AWS's ListSubscriptions answer. */
static json_t *subscriptions_result(json_t *list)
{
    static const char *const order[] = {"TopicArn", "Protocol", "SubscriptionArn", "Owner",
                                        "Endpoint"};
    json_t *out = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s) {
        json_t *o = json_object();
        for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
            json_t *v = json_object_get(s, order[k]);
            if (v)
                json_object_set(o, order[k], v);
        }
        json_array_append_new(out, o);
    }
    json_decref(list);
    json_t *r = json_object();
    json_object_set_new(r, "Subscriptions", out);
    return r;
}

static void list_subscriptions(gh_aws_call *c, const char *topic)
{
    gh_sns_error err = {0};
    json_t *list = gh_sns_list_subscriptions(c->sim->sns, topic, &err);
    answer(c, list ? 0 : -1, &err, list ? subscriptions_result(list) : NULL);
}

static void op_list_subscriptions(gh_aws_call *c)
{
    list_subscriptions(c, NULL);
}

static void op_list_subscriptions_by_topic(gh_aws_call *c)
{
    const char *arn = need(c, "TopicArn");
    if (arn)
        list_subscriptions(c, arn);
}

static void op_get_subscription_attributes(gh_aws_call *c)
{
    const char *arn = need(c, "SubscriptionArn");
    if (!arn)
        return;
    gh_sns_error err = {0};
    json_t *attrs = gh_sns_get_subscription_attributes(c->sim->sns, arn, &err);
    answer(c, attrs ? 0 : -1, &err, attrs ? attributes_result(attrs) : NULL);
}

static void op_set_subscription_attributes(gh_aws_call *c)
{
    const char *arn = need(c, "SubscriptionArn");
    const char *name = arn ? need(c, "AttributeName") : NULL;
    if (!name)
        return;
    const char *value = gh_aws_arg_str(&c->args, "AttributeValue");
    gh_sns_error err = {0};
    answer(c, gh_sns_set_subscription_attribute(c->sim->sns, arn, name, value ? value : "", &err),
           &err, NULL);
}

/* One message's arguments (Publish or a batch entry); 0, or -1 with *err. */
static int read_publish(const gh_aws_args *a, const char *topic, struct gh_sns_publish *p,
                        gh_sns_error *err)
{
    const char *bad = NULL;
    gh_sqs_attr *attrs;
    long n = gh_aws_arg_msg_attrs(a, "MessageAttributes", "MessageAttributes.entry", &attrs, &bad);
    err->status = 400;
    err->sender = true;
    err->code = "InvalidParameter";
    if (n < 0) {
        snprintf(err->message, sizeof err->message,
                 "Invalid parameter: MessageAttributes: the binary value of '%s' is not base64",
                 bad);
        return -1;
    }
    *p = (struct gh_sns_publish){
        .topic_arn = topic,
        .message = gh_aws_arg_str(a, "Message"),
        .subject = gh_aws_arg_str(a, "Subject"),
        .message_structure = gh_aws_arg_str(a, "MessageStructure"),
        .attrs = attrs,
        .nattrs = (size_t)n,
        .group_id = gh_aws_arg_str(a, "MessageGroupId"),
        .dedup_id = gh_aws_arg_str(a, "MessageDeduplicationId"),
    };
    if (!p->message) {
        snprintf(err->message, sizeof err->message, "Invalid parameter: Message");
        return -1;
    }
    return 0;
}

static void op_publish(gh_aws_call *c)
{
    const char *topic = gh_aws_arg_str(&c->args, "TopicArn");
    if (!topic)
        topic = gh_aws_arg_str(&c->args, "TargetArn");
    if (!topic) {
        gh_aws_fail(c, "InvalidParameter",
                    "Invalid parameter: TopicArn or TargetArn Reason: no value for required "
                    "parameter");
        return;
    }
    struct gh_sns_publish p;
    gh_sns_error err = {0};
    char id[37] = "", seq[21] = "";
    int rc = read_publish(&c->args, topic, &p, &err);
    if (rc == 0)
        rc = gh_sns_publish(c->sim->sns, &p, id, seq, &err);
    json_t *r = json_object();
    gh_aws_set_str(r, "MessageId", id);
    if (seq[0])
        gh_aws_set_str(r, "SequenceNumber", seq);
    answer(c, rc, &err, r);
}

static bool id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 80)
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
    return true;
}

/* PublishBatch (API_PublishBatch, Errors): 1 to 10 entries with distinct well-formed
 * ids, else the whole request fails; each entry then succeeds or fails on its own. */
static void op_publish_batch(gh_aws_call *c)
{
    const char *topic = need(c, "TopicArn");
    if (!topic)
        return;
    gh_aws_args *entries;
    size_t n = gh_aws_arg_entries(&c->args, "PublishBatchRequestEntries",
                                  "PublishBatchRequestEntries.member", &entries);
    if (n == 0) {
        gh_aws_fail(c, "EmptyBatchRequest", "The batch request doesn't contain any entries");
        return;
    }
    if (n > 10) {
        gh_aws_fail(c, "TooManyEntriesInBatchRequest",
                    "The batch request contains more entries than permissible");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *id = gh_aws_arg_str(&entries[i], "Id");
        if (!id || !id_valid(id)) {
            gh_aws_fail(c, "InvalidBatchEntryId",
                        "The Id of a batch entry in a batch request doesn't abide by the "
                        "specification");
            return;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(id, gh_aws_arg_str(&entries[j], "Id"))) {
                gh_aws_fail(c, "BatchEntryIdsNotDistinct",
                            "Two or more batch entries in the request have the same Id");
                return;
            }
    }
    json_t *ok = json_array(), *failed = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *id = gh_aws_arg_str(&entries[i], "Id");
        struct gh_sns_publish p;
        gh_sns_error err = {0};
        char mid[37] = "", seq[21] = "";
        int rc = read_publish(&entries[i], topic, &p, &err);
        if (rc == 0)
            rc = gh_sns_publish(c->sim->sns, &p, mid, seq, &err);
        /* A topic that does not exist fails the request, not the entry. */
        if (rc != 0 && err.code && !strcmp(err.code, "NotFound")) {
            json_decref(ok);
            json_decref(failed);
            gh_aws_fail_with(c, &err);
            return;
        }
        json_t *e = json_object();
        gh_aws_set_str(e, "Id", id);
        if (rc != 0) {
            gh_aws_set_str(e, "Code", err.code);
            gh_aws_set_str(e, "Message", err.message);
            json_object_set_new(e, "SenderFault", json_boolean(err.sender));
            json_array_append_new(failed, e);
            continue;
        }
        gh_aws_set_str(e, "MessageId", mid);
        if (seq[0])
            gh_aws_set_str(e, "SequenceNumber", seq);
        json_array_append_new(ok, e);
    }
    json_t *r = json_object();
    json_object_set_new(r, "Successful", ok);
    json_object_set_new(r, "Failed", failed);
    gh_aws_ok(c, r);
}

static const struct {
    const char *action;
    sns_op fn; /* NULL: an SNS operation the simulator does not offer */
} ops[] = {
    {"CreateTopic", op_create_topic},
    {"DeleteTopic", op_delete_topic},
    {"ListTopics", op_list_topics},
    {"GetTopicAttributes", op_get_topic_attributes},
    {"SetTopicAttributes", op_set_topic_attributes},
    {"Subscribe", op_subscribe},
    {"Unsubscribe", op_unsubscribe},
    {"ListSubscriptions", op_list_subscriptions},
    {"ListSubscriptionsByTopic", op_list_subscriptions_by_topic},
    {"GetSubscriptionAttributes", op_get_subscription_attributes},
    {"SetSubscriptionAttributes", op_set_subscription_attributes},
    {"Publish", op_publish},
    {"PublishBatch", op_publish_batch},
    {"ConfirmSubscription", NULL},
    {"ListTagsForResource", NULL},
    {"TagResource", NULL},
    {"UntagResource", NULL},
    {"GetDataProtectionPolicy", NULL},
    {"PutDataProtectionPolicy", NULL},
    {"CreatePlatformApplication", NULL},
    {"CreatePlatformEndpoint", NULL},
    {"CheckIfPhoneNumberIsOptedOut", NULL},
    {"GetSMSAttributes", NULL},
    {"SetSMSAttributes", NULL},
    {"ListPhoneNumbersOptedOut", NULL},
    {"ListPlatformApplications", NULL},
};

bool gh_aws_sns_knows(const char *action)
{
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(ops[i].action, action))
            return true;
    return false;
}

void gh_aws_sns_call(gh_aws_call *c)
{
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (strcmp(ops[i].action, c->action) != 0)
            continue;
        if (!ops[i].fn)
            gh_aws_fail(c, "InvalidAction",
                        "gatehouse's simulated SNS does not offer %s.", c->action);
        else
            ops[i].fn(c);
        return;
    }
    gh_aws_fail(c, "InvalidAction", "The action %s is not valid for this endpoint.", c->action);
}
