/* JSON views of simulated queues, messages and topics for the admin API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/admin_json.h"
#include "util/arena.h"
#include "util/base64.h"

static json_t *attr_map(const gh_sqs_attr *attrs, size_t n)
{
    json_t *o = json_object();
    gh_arena *a = NULL;
    for (size_t i = 0; i < n; i++) {
        const gh_sqs_attr *at = &attrs[i];
        json_t *v = json_pack("{s:s}", "dataType", at->data_type ? at->data_type : "String");
        if (at->binary_value) {
            if (!a)
                a = gh_arena_new(1024);
            json_object_set_new(v, "binaryValue",
                                json_string(gh_base64_encode(a, at->binary_value, at->binary_len)));
        } else {
            json_object_set_new(v, "stringValue",
                                json_string(at->string_value ? at->string_value : ""));
        }
        json_object_set_new(o, at->name, v);
    }
    gh_arena_free(a);
    return o;
}

static void iso_time(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static void set_opt(json_t *o, const char *key, const char *value)
{
    if (value)
        json_object_set_new(o, key, json_string(value));
}

json_t *gh_admin_message_json(const gh_sqs_message *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "messageId", json_string(m->message_id ? m->message_id : ""));
    /* A body SQS accepted is valid Unicode text; a NUL inside it stays (json_stringn). */
    json_t *body = json_stringn(m->body ? m->body : "", m->body_len);
    json_object_set_new(o, "body", body ? body : json_string(""));
    json_object_set_new(o, "md5OfBody", json_string(m->md5_body));
    json_object_set_new(o, "messageAttributes", attr_map(m->attrs, m->nattrs));
    json_object_set_new(o, "systemAttributes", attr_map(m->system_attrs, m->nsystem_attrs));
    json_object_set_new(o, "receiveCount", json_integer(m->receive_count));
    json_object_set_new(o, "sentTimestamp", json_integer(m->sent_ms));
    char when[32];
    iso_time(m->sent_ms, when);
    json_object_set_new(o, "sentTime", json_string(when));
    if (m->first_receive_ms)
        json_object_set_new(o, "firstReceiveTimestamp", json_integer(m->first_receive_ms));
    set_opt(o, "senderId", m->sender_id);
    set_opt(o, "messageGroupId", m->group_id);
    set_opt(o, "messageDeduplicationId", m->dedup_id);
    set_opt(o, "sequenceNumber", m->sequence_number);
    set_opt(o, "deadLetterSourceArn", m->dead_letter_source_arn);
    return o;
}

json_t *gh_admin_queue_json(gh_sqs *q, const char *name, const char *host)
{
    gh_sqs_error err;
    json_t *attrs = gh_sqs_get_attributes(q, name, NULL, 0, &err);
    gh_sqs_counts c;
    if (!attrs || gh_sqs_counts_of(q, name, &c) < 0) {
        json_decref(attrs);
        return NULL;
    }
    const char *arn = json_string_value(json_object_get(attrs, "QueueArn"));
    const char *fifo = json_string_value(json_object_get(attrs, "FifoQueue"));
    char *url = NULL;
    if (asprintf(&url, "http://%s/%s/%s", host, gh_sqs_account(q), name) < 0)
        url = NULL;
    json_t *o = json_pack("{s:s, s:s?, s:s?, s:b, s:I, s:I, s:I, s:o}", "name", name, "url", url,
                          "arn", arn, "fifo", fifo && !strcmp(fifo, "true"), "visible",
                          (json_int_t)c.visible, "inFlight", (json_int_t)c.in_flight, "delayed",
                          (json_int_t)c.delayed, "attributes", attrs);
    free(url);
    return o;
}

/* The subscription's attributes that say where and what it delivers. */
static json_t *subscription_json(gh_sns *s, json_t *listed)
{
    const char *arn = json_string_value(json_object_get(listed, "SubscriptionArn"));
    gh_sns_error err;
    json_t *attrs = arn ? gh_sns_get_subscription_attributes(s, arn, &err) : NULL;
    const char *raw = json_string_value(json_object_get(attrs, "RawMessageDelivery"));
    const char *policy = json_string_value(json_object_get(attrs, "FilterPolicy"));
    const char *scope = json_string_value(json_object_get(attrs, "FilterPolicyScope"));
    json_t *fp = policy ? json_loads(policy, JSON_DECODE_ANY, NULL) : NULL;
    if (policy && !fp)
        fp = json_string(policy); /* kept as text when it is not JSON */
    json_t *o =
        json_pack("{s:s?, s:s?, s:s?, s:b, s:o, s:s?}", "arn", arn, "protocol",
                  json_string_value(json_object_get(listed, "Protocol")), "endpoint",
                  json_string_value(json_object_get(listed, "Endpoint")), "rawMessageDelivery",
                  raw && !strcmp(raw, "true"), "filterPolicy", fp ? fp : json_null(),
                  "filterPolicyScope", policy ? (scope ? scope : "MessageAttributes") : NULL);
    json_decref(attrs);
    return o;
}

json_t *gh_admin_topic_json(gh_sns *s, const char *topic_arn)
{
    gh_sns_error err;
    json_t *attrs = gh_sns_get_topic_attributes(s, topic_arn, &err);
    if (!attrs)
        return NULL;
    const char *name = strrchr(topic_arn, ':');
    const char *fifo = json_string_value(json_object_get(attrs, "FifoTopic"));
    json_t *subs = json_array();
    json_t *listed = gh_sns_list_subscriptions(s, topic_arn, &err);
    size_t i;
    json_t *one;
    json_array_foreach(listed, i, one) json_array_append_new(subs, subscription_json(s, one));
    json_decref(listed);
    return json_pack("{s:s, s:s, s:b, s:o, s:o}", "name", name ? name + 1 : topic_arn, "arn",
                     topic_arn, "fifo", fifo && !strcmp(fifo, "true"), "attributes", attrs,
                     "subscriptions", subs);
}
