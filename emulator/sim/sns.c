/* The simulated SNS's lifecycle and topics: CreateTopic / DeleteTopic / ListTopics /
 * Get/SetTopicAttributes, with SNS's checks and InvalidParameter / NotFound texts (the
 * SNS API Reference; reference aws-api-gateway.md §10.4). Subscriptions live in
 * sns_subscribe.c, publishing in sns_publish.c, the delivered JSON in sns_envelope.c.
 *
 * Topics are found by the name part of their ARN, whatever region or account a client
 * writes there, as queues are (sim/sqs.h); subscriptions by their id (the ARN's last
 * part). ARNs: arn:aws:sns:REGION:ACCOUNT:NAME and TOPICARN:UUID. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/sns_impl.h"
#include "util/buf.h"
#include "util/ids.h"

#define SNS_TOPIC_NAME_MAX 256

void gh_sns_fail(gh_sns_error *err, const char *code, int status, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    err->status = status;
    err->sender = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

gh_sns *gh_sns_new(const char *region, const char *account, gh_sqs *sqs)
{
    gh_sns *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->mu, NULL);
    s->region = strdup(region ? region : "us-east-1");
    s->account = strdup(account ? account : "123456789012");
    s->sqs = sqs;
    if (gh_sns_delivery_start(s)) {
        pthread_mutex_destroy(&s->mu);
        free(s->region);
        free(s->account);
        free(s);
        return NULL;
    }
    return s;
}

void gh_sns_attrs_free(sns_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].name);
        free(a[i].value);
    }
    free(a);
}

void gh_sns_sub_free(sns_sub *u)
{
    free(u->arn);
    free(u->topic_arn);
    free(u->protocol);
    free(u->endpoint);
    free(u->filter_json);
    gh_filter_policy_free(u->filter);
    gh_sns_attrs_free(u->attrs, u->nattrs);
    free(u);
}

static void free_topic(sns_topic *t)
{
    for (size_t i = 0; i < t->nsubs; i++)
        gh_sns_sub_free(t->subs[i]);
    free(t->subs);
    for (size_t i = 0; i < t->ndedup; i++)
        free(t->dedup[i].id);
    free(t->dedup);
    gh_sns_attrs_free(t->attrs, t->nattrs);
    free(t->name);
    free(t->arn);
    free(t);
}

void gh_sns_free(gh_sns *s)
{
    if (!s)
        return;
    gh_sns_delivery_stop(s);
    for (size_t i = 0; i < s->ntopics; i++)
        free_topic(s->topics[i]);
    free(s->topics);
    free(s->region);
    free(s->account);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- ARNs ---- */

const char *gh_sns_arn_last(const char *arn, size_t parts)
{
    if (!arn || strncmp(arn, "arn:", 4))
        return NULL;
    size_t colons = 0;
    const char *last = NULL;
    for (const char *p = arn; *p; p++)
        if (*p == ':') {
            colons++;
            last = p + 1;
        }
    if (colons != parts - 1 || !last || !*last)
        return NULL;
    return last;
}

sns_topic *gh_sns_topic_find(gh_sns *s, const char *arn)
{
    const char *name = gh_sns_arn_last(arn, 6);
    if (!name)
        return NULL;
    for (size_t i = 0; i < s->ntopics; i++)
        if (!strcmp(s->topics[i]->name, name))
            return s->topics[i];
    return NULL;
}

/* The topic of a TopicArn parameter, or NULL with SNS's error. Under mu. */
sns_topic *gh_sns_topic_or_fail(gh_sns *s, const char *arn, gh_sns_error *err)
{
    if (!gh_sns_arn_last(arn, 6)) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: TopicArn");
        return NULL;
    }
    sns_topic *t = gh_sns_topic_find(s, arn);
    if (!t)
        gh_sns_fail(err, SNS_NOT_FOUND, 404, "Topic does not exist");
    return t;
}

sns_sub *gh_sns_sub_find(gh_sns *s, const char *sub_arn, sns_topic **topic, size_t *index)
{
    const char *id = gh_sns_arn_last(sub_arn, 7);
    if (!id)
        return NULL;
    for (size_t i = 0; i < s->ntopics; i++)
        for (size_t k = 0; k < s->topics[i]->nsubs; k++) {
            sns_sub *u = s->topics[i]->subs[k];
            const char *uid = strrchr(u->arn, ':') + 1;
            if (!strcmp(uid, id)) {
                if (topic)
                    *topic = s->topics[i];
                if (index)
                    *index = k;
                return u;
            }
        }
    return NULL;
}

/* ---- topics ---- */

static bool name_chars_ok(const char *s, size_t n)
{
    if (n == 0 || n > SNS_TOPIC_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool topic_attr_known(const char *name)
{
    static const char *const names[] = {
        "DeliveryPolicy",      "DisplayName",
        "FifoTopic",           "Policy",
        "SignatureVersion",    "TracingConfig",
        "KmsMasterKeyId",      "ContentBasedDeduplication",
        "ArchivePolicy",       "DataProtectionPolicy",
        "FifoThroughputScope",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(name, names[i]))
            return true;
    /* Delivery status logging: <Protocol>SuccessFeedbackRoleArn, ...FeedbackSampleRate. */
    size_t n = strlen(name);
    return (n > 15 && !strcmp(name + n - 15, "FeedbackRoleArn")) ||
           (n > 18 && !strcmp(name + n - 18, "FeedbackSampleRate"));
}

static const char *attr_get(const sns_attr *a, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(a[i].name, name))
            return a[i].value;
    return NULL;
}

void gh_sns_attr_put(sns_attr **a, size_t *n, const char *name, const char *value)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*a)[i].name, name)) {
            free((*a)[i].value);
            (*a)[i].value = strdup(value);
            return;
        }
    *a = realloc(*a, (*n + 1) * sizeof **a);
    (*a)[*n].name = strdup(name);
    (*a)[*n].value = strdup(value);
    (*n)++;
}

const char *gh_sns_kv_get(const gh_kv *kv, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (kv[i].key && !strcmp(kv[i].key, name))
            return kv[i].value;
    return NULL;
}

bool gh_sns_is_true(const char *v)
{
    return v && !strcasecmp(v, "true");
}

int gh_sns_create_topic(gh_sns *s, const char *name, const gh_kv *attrs, size_t nattrs, char **arn,
                        gh_sns_error *err)
{
    *arn = NULL;
    for (size_t i = 0; i < nattrs; i++)
        if (!attrs[i].key || !topic_attr_known(attrs[i].key) || !attrs[i].value) {
            gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: AttributeName");
            return -1;
        }
    bool fifo = gh_sns_is_true(gh_sns_kv_get(attrs, nattrs, "FifoTopic"));
    size_t n = name ? strlen(name) : 0;
    if (fifo) {
        if (n < 6 || strcmp(name + n - 5, ".fifo") || !name_chars_ok(name, n - 5) ||
            n > SNS_TOPIC_NAME_MAX) {
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Fifo Topic names must end with .fifo and must be made up of only "
                        "uppercase and lowercase ASCII letters, numbers, underscores, and "
                        "hyphens, and must be between 1 and 256 characters long.");
            return -1;
        }
    } else if (!name_chars_ok(name, n)) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: Topic Name");
        return -1;
    }
    if (!fifo && gh_sns_kv_get(attrs, nattrs, "ContentBasedDeduplication") &&
        gh_sns_is_true(gh_sns_kv_get(attrs, nattrs, "ContentBasedDeduplication"))) {
        gh_sns_fail(err, SNS_INVALID, 400,
                    "Invalid parameter: ContentBasedDeduplication Reason: Content-based "
                    "deduplication can only be set for FIFO topics");
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->ntopics; i++) {
        sns_topic *t = s->topics[i];
        if (strcmp(t->name, name))
            continue;
        /* CreateTopic is idempotent for the same attributes. */
        for (size_t k = 0; k < nattrs; k++) {
            const char *had = attr_get(t->attrs, t->nattrs, attrs[k].key);
            if (!had || strcmp(had, attrs[k].value)) {
                pthread_mutex_unlock(&s->mu);
                gh_sns_fail(err, SNS_INVALID, 400,
                            "Invalid parameter: Attributes Reason: Topic already exists with "
                            "different attributes");
                return -1;
            }
        }
        *arn = strdup(t->arn);
        pthread_mutex_unlock(&s->mu);
        return 0;
    }
    sns_topic *t = calloc(1, sizeof *t);
    t->name = strdup(name);
    t->arn = gh_strprintf("arn:aws:sns:%s:%s:%s", s->region, s->account, name);
    t->fifo = fifo;
    t->content_dedup =
        fifo && gh_sns_is_true(gh_sns_kv_get(attrs, nattrs, "ContentBasedDeduplication"));
    t->next_seq = 10000000000000000000ULL;
    for (size_t i = 0; i < nattrs; i++)
        gh_sns_attr_put(&t->attrs, &t->nattrs, attrs[i].key, attrs[i].value);
    s->topics = realloc(s->topics, (s->ntopics + 1) * sizeof *s->topics);
    s->topics[s->ntopics++] = t;
    if (s->store)
        gh_sns_save_topic(s, t);
    *arn = strdup(t->arn);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int gh_sns_delete_topic(gh_sns *s, const char *topic_arn, gh_sns_error *err)
{
    if (!gh_sns_arn_last(topic_arn, 6)) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: TopicArn");
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    /* DeleteTopic is idempotent: deleting a topic that does not exist is no error (SNS
     * API Reference, DeleteTopic). Its subscriptions go with it. */
    for (size_t i = 0; i < s->ntopics; i++)
        if (s->topics[i] == gh_sns_topic_find(s, topic_arn)) {
            if (s->store)
                gh_store_topic_delete(s->store, s->topics[i]->name);
            free_topic(s->topics[i]);
            memmove(&s->topics[i], &s->topics[i + 1], (s->ntopics - i - 1) * sizeof *s->topics);
            s->ntopics--;
            break;
        }
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t gh_sns_list_topics(gh_sns *s, char ***arns)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->ntopics;
    *arns = calloc(n ? n : 1, sizeof **arns);
    for (size_t i = 0; i < n; i++)
        (*arns)[i] = strdup(s->topics[i]->arn);
    pthread_mutex_unlock(&s->mu);
    qsort(*arns, n, sizeof **arns, cmp_str);
    return n;
}

static char *default_policy(const gh_sns *s, const char *arn)
{
    /* The policy SNS gives a new topic (GetTopicAttributes of a fresh topic). */
    return gh_strprintf(
        "{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{\"Sid\":"
        "\"__default_statement_ID\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
        "\"Action\":[\"SNS:GetTopicAttributes\",\"SNS:SetTopicAttributes\","
        "\"SNS:AddPermission\",\"SNS:RemovePermission\",\"SNS:DeleteTopic\","
        "\"SNS:Subscribe\",\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],\"Resource\":"
        "\"%s\",\"Condition\":{\"StringEquals\":{\"AWS:SourceOwner\":\"%s\"}}}]}",
        arn, s->account);
}

json_t *gh_sns_get_topic_attributes(gh_sns *s, const char *topic_arn, gh_sns_error *err)
{
    pthread_mutex_lock(&s->mu);
    sns_topic *t = gh_sns_topic_or_fail(s, topic_arn, err);
    if (!t) {
        pthread_mutex_unlock(&s->mu);
        return NULL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "TopicArn", json_string(t->arn));
    json_object_set_new(o, "Owner", json_string(s->account));
    char *pol = default_policy(s, t->arn);
    json_object_set_new(o, "Policy", json_string(pol));
    free(pol);
    json_object_set_new(o, "DisplayName", json_string(""));
    char count[24];
    snprintf(count, sizeof count, "%zu", t->nsubs);
    json_object_set_new(o, "SubscriptionsConfirmed", json_string(count));
    json_object_set_new(o, "SubscriptionsPending", json_string("0"));
    json_object_set_new(o, "SubscriptionsDeleted", json_string("0"));
    json_object_set_new(
        o, "EffectiveDeliveryPolicy",
        json_string("{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,"
                    "\"maxDelayTarget\":20,\"numRetries\":3,\"numMaxDelayRetries\":0,"
                    "\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,\"backoffFunction\":"
                    "\"linear\"},\"disableSubscriptionOverrides\":false,"
                    "\"defaultRequestPolicy\":{\"headerContentType\":\"text/plain; "
                    "charset=UTF-8\"}}}"));
    if (t->fifo) {
        json_object_set_new(o, "FifoTopic", json_string("true"));
        json_object_set_new(o, "ContentBasedDeduplication",
                            json_string(t->content_dedup ? "true" : "false"));
    }
    for (size_t i = 0; i < t->nattrs; i++)
        if (strcmp(t->attrs[i].name, "FifoTopic") &&
            strcmp(t->attrs[i].name, "ContentBasedDeduplication"))
            json_object_set_new(o, t->attrs[i].name, json_string(t->attrs[i].value));
    pthread_mutex_unlock(&s->mu);
    return o;
}

int gh_sns_set_topic_attribute(gh_sns *s, const char *topic_arn, const char *name,
                               const char *value, gh_sns_error *err)
{
    pthread_mutex_lock(&s->mu);
    sns_topic *t = gh_sns_topic_or_fail(s, topic_arn, err);
    int rc = -1;
    if (!t)
        goto out;
    /* FifoTopic is fixed at creation. */
    if (!name || !value || !topic_attr_known(name) || !strcmp(name, "FifoTopic")) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: AttributeName");
        goto out;
    }
    if (!strcmp(name, "ContentBasedDeduplication")) {
        if (!t->fifo) {
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: ContentBasedDeduplication Reason: Content-based "
                        "deduplication can only be set for FIFO topics");
            goto out;
        }
        t->content_dedup = gh_sns_is_true(value);
    }
    gh_sns_attr_put(&t->attrs, &t->nattrs, name, value);
    if (s->store)
        gh_sns_save_topic(s, t);
    rc = 0;
out:
    pthread_mutex_unlock(&s->mu);
    return rc;
}
