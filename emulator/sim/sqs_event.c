/* The SQS event and the partial batch response (see sqs_event.h). Key order follows
 * the records Lambda sends (the Developer Guide's sample events): messageId,
 * receiptHandle, body, attributes, messageAttributes, md5OfBody,
 * md5OfMessageAttributes (only when the message has attributes), eventSource,
 * eventSourceARN, awsRegion. */
#include "sim/sqs_event.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/base64.h"

static void set_ms(json_t *o, const char *key, int64_t ms)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, ms);
    json_object_set_new(o, key, json_string(text));
}

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

/* attributes: the system attributes Lambda asks SQS for, as strings. A FIFO record
 * interleaves its three in the order of AWS's FIFO sample event:
 * ApproximateReceiveCount, SentTimestamp, SequenceNumber, MessageGroupId, SenderId,
 * MessageDeduplicationId, ApproximateFirstReceiveTimestamp. */
static json_t *system_attributes(const gh_sqs_message *m)
{
    json_t *a = json_object();
    char count[16];
    snprintf(count, sizeof count, "%d", m->receive_count);
    json_object_set_new(a, "ApproximateReceiveCount", json_string(count));
    set_ms(a, "SentTimestamp", m->sent_ms);
    set_str(a, "SequenceNumber", m->sequence_number);
    set_str(a, "MessageGroupId", m->group_id);
    set_str(a, "SenderId", m->sender_id ? m->sender_id : "");
    set_str(a, "MessageDeduplicationId", m->dedup_id);
    set_ms(a, "ApproximateFirstReceiveTimestamp", m->first_receive_ms);
    for (size_t i = 0; i < m->nsystem_attrs; i++)
        set_str(a, m->system_attrs[i].name, m->system_attrs[i].string_value);
    set_str(a, "DeadLetterQueueSourceArn", m->dead_letter_source_arn);
    return a;
}

/* messageAttributes: {name: {stringValue | binaryValue, stringListValues: [],
 * binaryListValues: [], dataType}}; SQS has no list values in use, but Lambda always
 * sends both lists. Binary values travel base64-encoded. */
static json_t *message_attributes(const gh_sqs_message *m, gh_arena *a)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->nattrs; i++) {
        const gh_sqs_attr *at = &m->attrs[i];
        json_t *v = json_object();
        const char *type = at->data_type ? at->data_type : "String";
        if (strncmp(type, "Binary", 6) == 0)
            json_object_set_new(v, "binaryValue",
                                json_string(gh_base64_encode(a, at->binary_value, at->binary_len)));
        else
            json_object_set_new(v, "stringValue",
                                json_string(at->string_value ? at->string_value : ""));
        json_object_set_new(v, "stringListValues", json_array());
        json_object_set_new(v, "binaryListValues", json_array());
        json_object_set_new(v, "dataType", json_string(type));
        json_object_set_new(o, at->name, v);
    }
    return o;
}

json_t *gh_sqs_event_build(const gh_sqs_message *m, size_t n, const char *queue_arn,
                           const char *region)
{
    gh_arena *a = gh_arena_new(1024);
    json_t *records = json_array();
    if (!a || !records) {
        gh_arena_free(a);
        json_decref(records);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_object();
        set_str(r, "messageId", m[i].message_id);
        set_str(r, "receiptHandle", m[i].receipt_handle ? m[i].receipt_handle : "");
        json_object_set_new(
            r, "body",
            json_stringn_nocheck(m[i].body ? m[i].body : "", m[i].body ? m[i].body_len : 0));
        json_object_set_new(r, "attributes", system_attributes(&m[i]));
        json_object_set_new(r, "messageAttributes", message_attributes(&m[i], a));
        set_str(r, "md5OfBody", m[i].md5_body);
        if (m[i].nattrs > 0 && m[i].md5_attrs[0])
            set_str(r, "md5OfMessageAttributes", m[i].md5_attrs);
        set_str(r, "eventSource", "aws:sqs");
        set_str(r, "eventSourceARN", queue_arn);
        set_str(r, "awsRegion", region);
        json_array_append_new(records, r);
    }
    gh_arena_free(a);
    return json_pack("{s:o}", "Records", records);
}

static int fail_all(bool *failed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        failed[i] = true;
    return -1;
}

int gh_sqs_event_failures(const char *answer, const gh_sqs_message *m, size_t n, bool *failed)
{
    for (size_t i = 0; i < n; i++)
        failed[i] = false;
    json_t *v = answer ? json_loads(answer, JSON_DECODE_ANY, NULL) : NULL;
    if (!v)
        return fail_all(failed, n);
    int rc = 0;
    /* A null answer, an object without batchItemFailures, or a null or empty list:
     * the whole batch succeeded. */
    json_t *list = json_is_object(v) ? json_object_get(v, "batchItemFailures") : NULL;
    if (json_is_null(v) || (json_is_object(v) && (!list || json_is_null(list))))
        goto done;
    /* A Lua handler's empty table {} is an empty object in JSON: Lua cannot tell an empty
     * list from an empty map, so it counts as the empty list it was meant to be. */
    if (json_is_object(list) && json_object_size(list) == 0)
        goto done;
    if (!json_is_object(v) || !json_is_array(list)) {
        rc = fail_all(failed, n);
        goto done;
    }
    size_t k;
    json_t *item;
    json_array_foreach(list, k, item)
    {
        json_t *id = json_is_object(item) ? json_object_get(item, "itemIdentifier") : NULL;
        const char *s = json_string_value(id);
        size_t at = n;
        for (size_t i = 0; s && *s && i < n; i++)
            if (m[i].message_id && strcmp(m[i].message_id, s) == 0)
                at = i;
        if (at == n) {
            rc = fail_all(failed, n);
            goto done;
        }
        failed[at] = true;
    }
done:
    json_decref(v);
    return rc;
}
