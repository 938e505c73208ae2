/* Publish: SNS's checks on a message (SNS API Reference, Publish: Subject under 100
 * characters without line breaks or control characters, a message of 256 KiB at most
 * counting its attributes, MessageStructure json with a "default" entry, FIFO topics'
 * MessageGroupId and deduplication), then the fan-out: every subscription whose filter
 * policy matches gets the message, SQS queues at once (the envelope, or the bare
 * message with RawMessageDelivery, the SNS attributes then becoming SQS message
 * attributes; a FIFO queue also gets the group and deduplication ids), Lambda and HTTP
 * endpoints through the delivery thread (sns_delivery.c).
 *
 * FIFO topics keep SNS's 5-minute deduplication window: a duplicate is accepted with
 * the first message's MessageId and SequenceNumber and delivered to nobody. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sns_impl.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/log.h"

#define SNS_MAX_MESSAGE 262144
#define SNS_SUBJECT_MAX_CHARS 100
#define SNS_DEDUP_WINDOW_MS (5 * 60 * 1000)

/* What one subscription gets, copied out of the lock. */
typedef struct plan {
    char *protocol, *endpoint, *sub_arn;
    bool raw;
    const char *message; /* borrowed from the publish (or its JSON structure) */
} plan;

static bool subject_ok(const char *s)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        if ((*p & 0xc0) != 0x80)
            chars++;
    }
    return chars > 0 && chars < SNS_SUBJECT_MAX_CHARS;
}

static int check_attrs(const struct gh_sns_publish *p, gh_sns_error *err)
{
    for (size_t i = 0; i < p->nattrs; i++) {
        const gh_sqs_attr *a = &p->attrs[i];
        const char *t = a->data_type ? a->data_type : "";
        bool str = !strncmp(t, "String", 6) && (t[6] == '\0' || t[6] == '.');
        bool num = !strncmp(t, "Number", 6) && (t[6] == '\0' || t[6] == '.');
        bool bin = !strncmp(t, "Binary", 6) && (t[6] == '\0' || t[6] == '.');
        if (!a->name || !*a->name || strlen(a->name) > 256) {
            gh_sns_fail(err, "ParameterValueInvalid", 400,
                        "The message attribute name must not be empty or longer than 256 "
                        "characters.");
            return -1;
        }
        if (!str && !num && !bin) {
            gh_sns_fail(err, "ParameterValueInvalid", 400,
                        "The message attribute '%s' has an invalid message attribute type, the "
                        "set of supported type prefixes is Binary, Number, and String.",
                        a->name);
            return -1;
        }
        if (bin ? !a->binary_value : (!a->string_value || !*a->string_value)) {
            gh_sns_fail(err, "ParameterValueInvalid", 400,
                        "The message attribute '%s' must contain non-empty message attribute "
                        "value for message attribute type '%s'.",
                        a->name, t);
            return -1;
        }
        if (num) {
            char *end;
            strtod(a->string_value, &end);
            if (end == a->string_value || *end) {
                gh_sns_fail(err, "ParameterValueInvalid", 400,
                            "Could not cast message attribute '%s' value to number.", a->name);
                return -1;
            }
        }
        if (!strcmp(t, "String.Array")) {
            json_t *arr = json_loads(a->string_value, JSON_DECODE_ANY, NULL);
            bool ok = json_is_array(arr);
            json_decref(arr);
            if (!ok) {
                gh_sns_fail(err, "ParameterValueInvalid", 400,
                            "The message attribute '%s' with type 'String.Array' has an "
                            "invalid value.",
                            a->name);
                return -1;
            }
        }
    }
    return 0;
}

static size_t publish_size(const struct gh_sns_publish *p)
{
    size_t n = strlen(p->message);
    for (size_t i = 0; i < p->nattrs; i++) {
        const gh_sqs_attr *a = &p->attrs[i];
        n += (a->name ? strlen(a->name) : 0) + (a->data_type ? strlen(a->data_type) : 0);
        n += a->binary_value ? a->binary_len : (a->string_value ? strlen(a->string_value) : 0);
    }
    return n;
}

/* Everything SNS checks before it looks the topic up. *structure: the parsed
 * MessageStructure json, or NULL. */
static int check_publish(const struct gh_sns_publish *p, json_t **structure, gh_sns_error *err)
{
    *structure = NULL;
    if (!p->topic_arn || strncmp(p->topic_arn, "arn", 3)) {
        gh_sns_fail(err, SNS_INVALID, 400,
                    "Invalid parameter: TopicArn Reason: %s does not "
                    "start with arn",
                    p->topic_arn ? p->topic_arn : "");
        return -1;
    }
    if (!gh_sns_arn_last(p->topic_arn, 6)) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: TopicArn");
        return -1;
    }
    if (p->subject && !subject_ok(p->subject)) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: Subject");
        return -1;
    }
    if (!p->message || !*p->message) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: Empty message");
        return -1;
    }
    if (publish_size(p) > SNS_MAX_MESSAGE) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: Message too long");
        return -1;
    }
    size_t n = strlen(p->topic_arn);
    bool fifo = n > 5 && !strcmp(p->topic_arn + n - 5, ".fifo");
    if (fifo && (!p->group_id || !*p->group_id)) {
        gh_sns_fail(err, SNS_INVALID, 400,
                    "Invalid parameter: The MessageGroupId parameter is required for FIFO "
                    "topics");
        return -1;
    }
    if (!fifo && p->dedup_id) {
        gh_sns_fail(err, SNS_INVALID, 400,
                    "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                    "MessageDeduplicationId parameter that is not valid for this topic type");
        return -1;
    }
    if (p->message_structure) {
        if (strcmp(p->message_structure, "json")) {
            gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: MessageStructure");
            return -1;
        }
        json_t *doc = json_loads(p->message, 0, NULL);
        if (!json_is_object(doc)) {
            json_decref(doc);
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: Message Structure - JSON message body failed to "
                        "parse");
            return -1;
        }
        if (!json_is_string(json_object_get(doc, "default"))) {
            json_decref(doc);
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: Message Structure - No default entry in JSON "
                        "message body");
            return -1;
        }
        *structure = doc;
    }
    return check_attrs(p, err);
}

/* The text a protocol gets: with MessageStructure json, its own entry or "default". */
static const char *message_for(const struct gh_sns_publish *p, const json_t *structure,
                               const char *protocol)
{
    if (!structure)
        return p->message;
    const json_t *own = json_object_get(structure, protocol);
    if (json_is_string(own))
        return json_string_value(own);
    return json_string_value(json_object_get(structure, "default"));
}

static bool sub_matches(const sns_sub *u, const struct gh_sns_publish *p, const char *message)
{
    if (!u->filter)
        return true;
    if (!u->body_scope)
        return gh_filter_policy_match_attributes(u->filter, p->attrs, p->nattrs);
    json_t *body = json_loads(message, 0, NULL);
    bool ok = gh_filter_policy_match_body(u->filter, body);
    json_decref(body);
    return ok;
}

static void sha256_hex(const char *s, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* FIFO deduplication under mu: 1 with the first message's ids when id was seen within
 * the window, else records it with the new ids. */
static int dedup_seen(sns_topic *t, const char *id, char message_id[37], char seq[21])
{
    int64_t now = gh_clock_mono_ms();
    size_t keep = 0;
    for (size_t i = 0; i < t->ndedup; i++) {
        if (t->dedup[i].expires_mono_ms <= now) {
            free(t->dedup[i].id);
            continue;
        }
        t->dedup[keep++] = t->dedup[i];
    }
    t->ndedup = keep;
    for (size_t i = 0; i < t->ndedup; i++)
        if (!strcmp(t->dedup[i].id, id)) {
            memcpy(message_id, t->dedup[i].message_id, 37);
            memcpy(seq, t->dedup[i].sequence_number, 21);
            return 1;
        }
    t->dedup = realloc(t->dedup, (t->ndedup + 1) * sizeof *t->dedup);
    sns_dedup *d = &t->dedup[t->ndedup++];
    d->id = strdup(id);
    d->expires_mono_ms = now + SNS_DEDUP_WINDOW_MS;
    memcpy(d->message_id, message_id, 37);
    memcpy(d->sequence_number, seq, 21);
    return 0;
}

static bool queue_is_fifo(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && !strcmp(name + n - 5, ".fifo");
}

static void deliver_sqs(gh_sns *s, const plan *pl, const gh_sns_notification *n,
                        const char *group_id, const char *dedup_id)
{
    const char *queue = gh_sns_arn_last(pl->endpoint, 6);
    char *envelope = pl->raw ? NULL : gh_sns_envelope(s, n);
    gh_sqs_send m = {
        .body = pl->raw ? n->message : envelope,
        .delay_seconds = -1,
        /* Raw delivery turns the SNS attributes into SQS message attributes; the
         * envelope carries them inside instead. */
        .attrs = pl->raw ? n->attrs : NULL,
        .nattrs = pl->raw ? n->nattrs : 0,
    };
    m.body_len = strlen(m.body);
    if (queue_is_fifo(queue)) {
        m.group_id = group_id;
        m.dedup_id = dedup_id;
    }
    gh_sqs_sent sent;
    gh_sqs_error err = {0};
    if (gh_sqs_send_message(s->sqs, queue, &m, &sent, &err))
        gh_log(GH_LOG_WARN, "sns: delivery of %s to queue %s failed: %s %s", n->message_id, queue,
               err.code ? err.code : "", err.message);
    free(envelope);
}

static char **http_headers(const plan *pl, const gh_sns_notification *n)
{
    char **h = calloc(7, sizeof *h);
    size_t k = 0;
    h[k++] = strdup("x-amz-sns-message-type: Notification");
    h[k++] = gh_strprintf("x-amz-sns-message-id: %s", n->message_id);
    h[k++] = gh_strprintf("x-amz-sns-topic-arn: %s", n->topic_arn);
    h[k++] = gh_strprintf("x-amz-sns-subscription-arn: %s", pl->sub_arn);
    h[k++] = strdup("Content-Type: text/plain; charset=UTF-8");
    if (pl->raw)
        h[k++] = strdup("x-amz-sns-rawdelivery: true");
    return h;
}

static void deliver(gh_sns *s, const plan *pl, gh_sns_notification *n, const char *group_id,
                    const char *dedup_id)
{
    n->message = pl->message;
    n->subscription_arn = pl->sub_arn;
    if (!strcmp(pl->protocol, "sqs")) {
        deliver_sqs(s, pl, n, group_id, dedup_id);
    } else if (!strcmp(pl->protocol, "lambda")) {
        sns_job *j = calloc(1, sizeof *j);
        j->lambda = true;
        j->target = strdup(pl->endpoint);
        j->body = gh_sns_lambda_event(s, n);
        gh_sns_delivery_enqueue(s, j);
    } else if (!strcmp(pl->protocol, "http") || !strcmp(pl->protocol, "https")) {
        sns_job *j = calloc(1, sizeof *j);
        j->target = strdup(pl->endpoint);
        j->body = pl->raw ? strdup(pl->message) : gh_sns_envelope(s, n);
        j->headers = http_headers(pl, n);
        gh_sns_delivery_enqueue(s, j);
    }
    /* email, email-json, sms, application, firehose: accepted, never delivered. */
}

int gh_sns_publish(gh_sns *s, const struct gh_sns_publish *p, char message_id[37],
                   char sequence_number[21], gh_sns_error *err)
{
    message_id[0] = '\0';
    sequence_number[0] = '\0';
    json_t *structure;
    if (check_publish(p, &structure, err))
        return -1;
    pthread_mutex_lock(&s->mu);
    sns_topic *t = gh_sns_topic_find(s, p->topic_arn);
    if (!t) {
        pthread_mutex_unlock(&s->mu);
        json_decref(structure);
        gh_sns_fail(err, SNS_NOT_FOUND, 404, "Topic does not exist");
        return -1;
    }
    char content_hash[65];
    const char *dedup_id = p->dedup_id;
    if (t->fifo && !dedup_id) {
        if (!t->content_dedup) {
            pthread_mutex_unlock(&s->mu);
            json_decref(structure);
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: The topic should either have "
                        "ContentBasedDeduplication enabled or MessageDeduplicationId provided "
                        "explicitly");
            return -1;
        }
        /* Content-based deduplication: the SHA-256 of the message body. */
        sha256_hex(p->message, content_hash);
        dedup_id = content_hash;
    }
    char id[GH_UUID_LEN + 1];
    gh_uuid4(id);
    memcpy(message_id, id, 37);
    if (t->fifo) {
        snprintf(sequence_number, 21, "%020llu", (unsigned long long)++t->next_seq);
        if (s->store)
            gh_store_topic_seq(s->store, t->name, t->next_seq);
        if (dedup_seen(t, dedup_id, message_id, sequence_number)) {
            pthread_mutex_unlock(&s->mu);
            json_decref(structure);
            return 0;
        }
    }
    plan *plans = calloc(t->nsubs ? t->nsubs : 1, sizeof *plans);
    size_t nplans = 0;
    for (size_t i = 0; i < t->nsubs; i++) {
        const sns_sub *u = t->subs[i];
        const char *msg = message_for(p, structure, u->protocol);
        if (!sub_matches(u, p, msg))
            continue;
        plan *pl = &plans[nplans++];
        pl->protocol = strdup(u->protocol);
        pl->endpoint = strdup(u->endpoint);
        pl->sub_arn = strdup(u->arn);
        pl->raw = u->raw;
        pl->message = msg;
    }
    char *topic_arn = strdup(t->arn);
    bool fifo = t->fifo;
    pthread_mutex_unlock(&s->mu);

    char ts[32];
    gh_sns_timestamp(gh_clock_now_ms(), ts);
    gh_sns_notification n = {
        .message_id = message_id,
        .topic_arn = topic_arn,
        .subject = p->subject,
        .timestamp = ts,
        .sequence_number = sequence_number,
        .attrs = p->attrs,
        .nattrs = p->nattrs,
        .fifo = fifo,
    };
    for (size_t i = 0; i < nplans; i++) {
        deliver(s, &plans[i], &n, p->group_id, dedup_id);
        free(plans[i].protocol);
        free(plans[i].endpoint);
        free(plans[i].sub_arn);
    }
    free(plans);
    free(topic_arn);
    json_decref(structure);
    return 0;
}
