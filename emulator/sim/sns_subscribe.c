/* The simulated SNS's subscriptions: Subscribe / Unsubscribe / ListSubscriptions(ByTopic)
 * / Get/SetSubscriptionAttributes, with SNS's checks and texts (the SNS API Reference).
 * sqs and lambda subscriptions, and http/https ones too (a local endpoint cannot answer
 * SNS's confirmation request), are confirmed at once; email, sms, application and
 * firehose are accepted and never delivered to. A subscription's FilterPolicy is
 * compiled here, once (sim/filter_policy.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/sns_impl.h"
#include "util/buf.h"
#include "util/ids.h"

/* ---- subscriptions ---- */

static bool protocol_known(const char *p)
{
    static const char *const protocols[] = {"http", "https",       "email",  "email-json", "sms",
                                            "sqs",  "application", "lambda", "firehose"};
    for (size_t i = 0; i < sizeof protocols / sizeof *protocols; i++)
        if (!strcmp(p, protocols[i]))
            return true;
    return false;
}

static bool sub_attr_known(const char *name)
{
    static const char *const names[] = {
        "DeliveryPolicy", "FilterPolicy",        "FilterPolicyScope", "RawMessageDelivery",
        "RedrivePolicy",  "SubscriptionRoleArn", "ReplayPolicy"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(name, names[i]))
            return true;
    return false;
}

/* Applies one attribute to u (checked as SNS checks it). prefix is "Attributes Reason: "
 * on Subscribe, "" on SetSubscriptionAttributes: SNS words the two so. */
static int apply_sub_attr(sns_sub *u, const char *name, const char *value, const char *prefix,
                          gh_sns_error *err)
{
    if (!name || !value || !sub_attr_known(name)) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: AttributeName");
        return -1;
    }
    if (!strcmp(name, "RawMessageDelivery")) {
        if (strcasecmp(value, "true") && strcasecmp(value, "false")) {
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: %sRawMessageDelivery: Invalid value [%s]. Must be "
                        "true or false.",
                        prefix, value);
            return -1;
        }
        bool raw = gh_sns_is_true(value);
        if (raw && strcmp(u->protocol, "sqs") && strcmp(u->protocol, "http") &&
            strcmp(u->protocol, "https") && strcmp(u->protocol, "firehose")) {
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: %sDelivery protocol [%s] does not support raw "
                        "message delivery.",
                        prefix, u->protocol);
            return -1;
        }
        u->raw = raw;
        return 0;
    }
    if (!strcmp(name, "FilterPolicyScope")) {
        if (strcmp(value, "MessageAttributes") && strcmp(value, "MessageBody")) {
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: %sFilterPolicyScope: Invalid value [%s]. Please use "
                        "either MessageBody or MessageAttributes",
                        prefix, value);
            return -1;
        }
        bool body = !strcmp(value, "MessageBody");
        if (!body && gh_filter_policy_nested(u->filter)) {
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: %sFilter policy scope MessageAttributes does not "
                        "support nested filter policy",
                        prefix);
            return -1;
        }
        u->body_scope = body;
        return 0;
    }
    if (!strcmp(name, "FilterPolicy")) {
        gh_filter_policy *fp = NULL;
        if (value[0]) {
            char text[400];
            fp = gh_filter_policy_compile(value, text, sizeof text);
            if (!fp) {
                /* "Invalid parameter: FilterPolicy: ..." gains the Subscribe prefix. */
                const char *rest = text + strlen("Invalid parameter: ");
                gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: %s%s", prefix, rest);
                return -1;
            }
            if (!u->body_scope && gh_filter_policy_nested(fp)) {
                gh_filter_policy_free(fp);
                gh_sns_fail(err, SNS_INVALID, 400,
                            "Invalid parameter: %sFilter policy scope MessageAttributes does not "
                            "support nested filter policy",
                            prefix);
                return -1;
            }
        }
        gh_filter_policy_free(u->filter);
        free(u->filter_json);
        u->filter = fp;
        u->filter_json = fp ? strdup(value) : NULL;
        return 0;
    }
    gh_sns_attr_put(&u->attrs, &u->nattrs, name, value);
    return 0;
}

static int check_endpoint(const sns_topic *t, const char *protocol, const char *endpoint,
                          gh_sns_error *err)
{
    /* FIFO topics deliver to SQS queues only. */
    if (t->fifo && strcmp(protocol, "sqs")) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: Invalid protocol type: %s",
                    protocol);
        return -1;
    }
    if (!endpoint || !*endpoint) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: Endpoint");
        return -1;
    }
    if (!strcmp(protocol, "http") || !strcmp(protocol, "https")) {
        size_t n = strlen(protocol);
        if (strncmp(endpoint, protocol, n) || strncmp(endpoint + n, "://", 3)) {
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: Endpoint must match the specified protocol");
            return -1;
        }
    } else if (!strcmp(protocol, "sqs")) {
        const char *name = gh_sns_arn_last(endpoint, 6);
        if (!name || strncmp(endpoint, "arn:aws:sqs:", 12)) {
            gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: SQS endpoint ARN");
            return -1;
        }
        size_t n = strlen(name);
        if (!t->fifo && n > 5 && !strcmp(name + n - 5, ".fifo")) {
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues "
                        "can not be subscribed to standard SNS topics");
            return -1;
        }
    } else if (!strcmp(protocol, "lambda")) {
        /* A function ARN as AWS requires, or (locally) a bare function name. */
        if (!strncmp(endpoint, "arn:", 4) && strncmp(endpoint, "arn:aws:lambda:", 15)) {
            gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: Lambda endpoint ARN");
            return -1;
        }
    }
    return 0;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static bool same_attrs(const sns_sub *a, const sns_sub *b)
{
    if (a->raw != b->raw || a->body_scope != b->body_scope ||
        !same_text(a->filter_json, b->filter_json) || a->nattrs != b->nattrs)
        return false;
    for (size_t i = 0; i < b->nattrs; i++) {
        const char *had = NULL;
        for (size_t k = 0; k < a->nattrs; k++)
            if (!strcmp(a->attrs[k].name, b->attrs[i].name))
                had = a->attrs[k].value;
        if (!same_text(had, b->attrs[i].value))
            return false;
    }
    return true;
}

int gh_sns_subscribe(gh_sns *s, const char *topic_arn, const char *protocol, const char *endpoint,
                     const gh_kv *attrs, size_t nattrs, char **sub_arn, gh_sns_error *err)
{
    *sub_arn = NULL;
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    sns_topic *t = gh_sns_topic_or_fail(s, topic_arn, err);
    if (!t)
        goto out;
    if (!protocol || !protocol_known(protocol)) {
        gh_sns_fail(err, SNS_INVALID, 400,
                    "Invalid parameter: Amazon SNS does not support this protocol string: %s",
                    protocol ? protocol : "");
        goto out;
    }
    if (check_endpoint(t, protocol, endpoint, err))
        goto out;
    sns_sub *u = calloc(1, sizeof *u);
    u->protocol = strdup(protocol);
    u->endpoint = strdup(endpoint);
    u->topic_arn = strdup(t->arn);
    /* The scope first, so a nested FilterPolicy given with MessageBody is accepted
     * whatever order the attributes come in. */
    const char *scope = gh_sns_kv_get(attrs, nattrs, "FilterPolicyScope");
    if (scope && apply_sub_attr(u, "FilterPolicyScope", scope, "Attributes Reason: ", err)) {
        gh_sns_sub_free(u);
        goto out;
    }
    for (size_t i = 0; i < nattrs; i++) {
        if (attrs[i].key && !strcmp(attrs[i].key, "FilterPolicyScope"))
            continue;
        if (apply_sub_attr(u, attrs[i].key, attrs[i].value, "Attributes Reason: ", err)) {
            gh_sns_sub_free(u);
            goto out;
        }
    }
    /* Subscribing the same endpoint again returns the first subscription, unless the
     * call asks for other attributes. */
    for (size_t i = 0; i < t->nsubs; i++) {
        const sns_sub *had = t->subs[i];
        if (strcmp(had->protocol, protocol) || strcmp(had->endpoint, endpoint))
            continue;
        bool same = !nattrs || same_attrs(had, u);
        gh_sns_sub_free(u);
        if (!same) {
            gh_sns_fail(err, SNS_INVALID, 400,
                        "Invalid parameter: Attributes Reason: Subscription already exists with "
                        "different attributes");
            goto out;
        }
        *sub_arn = strdup(had->arn);
        rc = 0;
        goto out;
    }
    char id[GH_UUID_LEN + 1];
    gh_uuid4(id);
    u->arn = gh_strprintf("%s:%s", t->arn, id);
    t->subs = realloc(t->subs, (t->nsubs + 1) * sizeof *t->subs);
    t->subs[t->nsubs++] = u;
    if (s->store)
        gh_sns_save_topic(s, t);
    *sub_arn = strdup(u->arn);
    rc = 0;
out:
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int gh_sns_sub_restore(sns_topic *t, const char *arn, const char *protocol, const char *endpoint,
                       const gh_kv *attrs, size_t nattrs)
{
    sns_sub *u = calloc(1, sizeof *u);
    if (!u)
        return -1;
    u->arn = strdup(arn);
    u->protocol = strdup(protocol);
    u->endpoint = strdup(endpoint);
    u->topic_arn = strdup(t->arn);
    /* The scope first, as Subscribe takes it (a nested policy needs MessageBody). */
    const char *scope = gh_sns_kv_get(attrs, nattrs, "FilterPolicyScope");
    int rc = scope ? apply_sub_attr(u, "FilterPolicyScope", scope, "", NULL) : 0;
    for (size_t i = 0; rc == 0 && i < nattrs; i++)
        if (strcmp(attrs[i].key, "FilterPolicyScope") != 0)
            rc = apply_sub_attr(u, attrs[i].key, attrs[i].value, "", NULL);
    sns_sub **grown = rc == 0 ? realloc(t->subs, (t->nsubs + 1) * sizeof *t->subs) : NULL;
    if (!grown || !u->arn || !u->protocol || !u->endpoint || !u->topic_arn) {
        if (grown)
            t->subs = grown;
        gh_sns_sub_free(u);
        return -1;
    }
    t->subs = grown;
    t->subs[t->nsubs++] = u;
    return 0;
}

int gh_sns_unsubscribe(gh_sns *s, const char *sub_arn, gh_sns_error *err)
{
    if (!gh_sns_arn_last(sub_arn, 7)) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: SubscriptionArn");
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    sns_topic *t;
    size_t i;
    /* Unsubscribing twice is no error (Unsubscribe is idempotent on SNS). */
    sns_sub *u = gh_sns_sub_find(s, sub_arn, &t, &i);
    if (u) {
        gh_sns_sub_free(u);
        memmove(&t->subs[i], &t->subs[i + 1], (t->nsubs - i - 1) * sizeof *t->subs);
        t->nsubs--;
        if (s->store)
            gh_sns_save_topic(s, t);
    }
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static json_t *sub_summary(const gh_sns *s, const sns_sub *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "SubscriptionArn", json_string(u->arn));
    json_object_set_new(o, "Owner", json_string(s->account));
    json_object_set_new(o, "Protocol", json_string(u->protocol));
    json_object_set_new(o, "Endpoint", json_string(u->endpoint));
    json_object_set_new(o, "TopicArn", json_string(u->topic_arn));
    return o;
}

json_t *gh_sns_list_subscriptions(gh_sns *s, const char *topic_arn, gh_sns_error *err)
{
    pthread_mutex_lock(&s->mu);
    json_t *arr = NULL;
    if (topic_arn) {
        sns_topic *t = gh_sns_topic_or_fail(s, topic_arn, err);
        if (t) {
            arr = json_array();
            for (size_t k = 0; k < t->nsubs; k++)
                json_array_append_new(arr, sub_summary(s, t->subs[k]));
        }
    } else {
        arr = json_array();
        for (size_t i = 0; i < s->ntopics; i++)
            for (size_t k = 0; k < s->topics[i]->nsubs; k++)
                json_array_append_new(arr, sub_summary(s, s->topics[i]->subs[k]));
    }
    pthread_mutex_unlock(&s->mu);
    return arr;
}

json_t *gh_sns_get_subscription_attributes(gh_sns *s, const char *sub_arn, gh_sns_error *err)
{
    if (!gh_sns_arn_last(sub_arn, 7)) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: SubscriptionArn");
        return NULL;
    }
    pthread_mutex_lock(&s->mu);
    sns_sub *u = gh_sns_sub_find(s, sub_arn, NULL, NULL);
    if (!u) {
        pthread_mutex_unlock(&s->mu);
        gh_sns_fail(err, SNS_NOT_FOUND, 404, "Subscription does not exist");
        return NULL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "Owner", json_string(s->account));
    json_object_set_new(o, "RawMessageDelivery", json_string(u->raw ? "true" : "false"));
    json_object_set_new(o, "TopicArn", json_string(u->topic_arn));
    json_object_set_new(o, "Endpoint", json_string(u->endpoint));
    json_object_set_new(o, "Protocol", json_string(u->protocol));
    json_object_set_new(o, "PendingConfirmation", json_string("false"));
    json_object_set_new(o, "ConfirmationWasAuthenticated", json_string("true"));
    json_object_set_new(o, "SubscriptionArn", json_string(u->arn));
    if (u->filter_json) {
        json_object_set_new(o, "FilterPolicy", json_string(u->filter_json));
        json_object_set_new(o, "FilterPolicyScope",
                            json_string(u->body_scope ? "MessageBody" : "MessageAttributes"));
    }
    for (size_t i = 0; i < u->nattrs; i++)
        json_object_set_new(o, u->attrs[i].name, json_string(u->attrs[i].value));
    pthread_mutex_unlock(&s->mu);
    return o;
}

int gh_sns_set_subscription_attribute(gh_sns *s, const char *sub_arn, const char *name,
                                      const char *value, gh_sns_error *err)
{
    if (!gh_sns_arn_last(sub_arn, 7)) {
        gh_sns_fail(err, SNS_INVALID, 400, "Invalid parameter: SubscriptionArn");
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    sns_topic *t = NULL;
    sns_sub *u = gh_sns_sub_find(s, sub_arn, &t, NULL);
    int rc = -1;
    if (!u)
        gh_sns_fail(err, SNS_NOT_FOUND, 404, "Subscription does not exist");
    else
        rc = apply_sub_attr(u, name, value, "", err);
    if (rc == 0 && s->store)
        gh_sns_save_topic(s, t);
    pthread_mutex_unlock(&s->mu);
    return rc;
}
