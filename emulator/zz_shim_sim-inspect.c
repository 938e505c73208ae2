/* SHIM: drop at merge. A throwaway stand-in for what sim-sqs, sim-sns and sim-load
 * implement, just enough for the admin API, `gatehouse queues`/`topics` and the fixture
 * expectations to be built and tested before they land. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/sns.h"
#include "sim/sqs.h"
#include "util/clock.h"

typedef struct shim_msg {
    char id[37];
    char *body;
    size_t len;
    gh_sqs_attr *attrs;
    size_t nattrs;
    int64_t sent_ms;
} shim_msg;

typedef struct shim_queue {
    char *name;
    gh_kv *attrs;
    size_t nattrs;
    shim_msg *msgs;
    size_t n;
} shim_queue;

struct gh_sqs {
    pthread_mutex_t lock;
    char region[32], account[16];
    shim_queue *qs;
    size_t nq;
    gh_sqs_observer obs;
    void *obs_ud;
    unsigned next;
};

gh_sqs *gh_sqs_new(const char *region, const char *account)
{
    gh_sqs *q = calloc(1, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    snprintf(q->region, sizeof q->region, "%s", region);
    snprintf(q->account, sizeof q->account, "%s", account);
    return q;
}

static void free_msg(shim_msg *m)
{
    free(m->body);
    for (size_t i = 0; i < m->nattrs; i++) {
        free((char *)m->attrs[i].name);
        free((char *)m->attrs[i].data_type);
        free((char *)m->attrs[i].string_value);
    }
    free(m->attrs);
}

void gh_sqs_free(gh_sqs *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nq; i++) {
        for (size_t k = 0; k < q->qs[i].n; k++)
            free_msg(&q->qs[i].msgs[k]);
        free(q->qs[i].msgs);
        for (size_t k = 0; k < q->qs[i].nattrs; k++) {
            free((char *)q->qs[i].attrs[k].key);
            free((char *)q->qs[i].attrs[k].value);
        }
        free(q->qs[i].attrs);
        free(q->qs[i].name);
    }
    free(q->qs);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

static shim_queue *find(gh_sqs *q, const char *name)
{
    for (size_t i = 0; i < q->nq; i++)
        if (!strcmp(q->qs[i].name, name))
            return &q->qs[i];
    return NULL;
}

static void nonexistent(gh_sqs_error *err)
{
    if (!err)
        return;
    err->code = "AWS.SimpleQueueService.NonExistentQueue";
    snprintf(err->message, sizeof err->message, "The specified queue does not exist.");
    err->status = 400;
    err->sender = true;
}

int gh_sqs_create_queue(gh_sqs *q, const char *name, const gh_kv *attrs, size_t nattrs,
                        gh_sqs_error *err)
{
    (void)err;
    pthread_mutex_lock(&q->lock);
    if (!find(q, name)) {
        q->qs = realloc(q->qs, (q->nq + 1) * sizeof *q->qs);
        shim_queue *s = &q->qs[q->nq++];
        memset(s, 0, sizeof *s);
        s->name = strdup(name);
        s->attrs = calloc(nattrs + 1, sizeof *s->attrs);
        for (size_t i = 0; i < nattrs; i++)
            s->attrs[i] = (gh_kv){strdup(attrs[i].key), strdup(attrs[i].value), attrs[i].mark};
        s->nattrs = nattrs;
    }
    pthread_mutex_unlock(&q->lock);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t gh_sqs_list_queues(gh_sqs *q, const char *prefix, char ***names)
{
    pthread_mutex_lock(&q->lock);
    *names = calloc(q->nq + 1, sizeof **names);
    size_t n = 0;
    for (size_t i = 0; i < q->nq; i++)
        if (!prefix || !strncmp(q->qs[i].name, prefix, strlen(prefix)))
            (*names)[n++] = strdup(q->qs[i].name);
    pthread_mutex_unlock(&q->lock);
    qsort(*names, n, sizeof **names, by_name);
    return n;
}

void gh_sqs_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int gh_sqs_exists(gh_sqs *q, const char *name)
{
    pthread_mutex_lock(&q->lock);
    int r = find(q, name) != NULL;
    pthread_mutex_unlock(&q->lock);
    return r;
}

json_t *gh_sqs_get_attributes(gh_sqs *q, const char *name, const char *const *which,
                              size_t nwhich, gh_sqs_error *err)
{
    (void)which;
    (void)nwhich;
    pthread_mutex_lock(&q->lock);
    shim_queue *s = find(q, name);
    json_t *o = NULL;
    if (s) {
        o = json_object();
        char num[32];
        snprintf(num, sizeof num, "%zu", s->n);
        json_object_set_new(o, "ApproximateNumberOfMessages", json_string(num));
        json_object_set_new(o, "ApproximateNumberOfMessagesNotVisible", json_string("0"));
        json_object_set_new(o, "ApproximateNumberOfMessagesDelayed", json_string("0"));
        json_object_set_new(o, "VisibilityTimeout", json_string("30"));
        for (size_t i = 0; i < s->nattrs; i++)
            json_object_set_new(o, s->attrs[i].key, json_string(s->attrs[i].value));
        char arn[256];
        snprintf(arn, sizeof arn, "arn:aws:sqs:%s:%s:%s", q->region, q->account, name);
        json_object_set_new(o, "QueueArn", json_string(arn));
    } else {
        nonexistent(err);
    }
    pthread_mutex_unlock(&q->lock);
    return o;
}

int gh_sqs_counts_of(gh_sqs *q, const char *queue, gh_sqs_counts *out)
{
    pthread_mutex_lock(&q->lock);
    shim_queue *s = find(q, queue);
    if (s)
        *out = (gh_sqs_counts){s->n, 0, 0};
    pthread_mutex_unlock(&q->lock);
    return s ? 0 : -1;
}

static void copy_out(const shim_msg *m, gh_sqs_message *o)
{
    memset(o, 0, sizeof *o);
    o->message_id = strdup(m->id);
    o->body = malloc(m->len + 1);
    memcpy(o->body, m->body, m->len + 1);
    o->body_len = m->len;
    o->sent_ms = m->sent_ms;
    o->attrs = calloc(m->nattrs + 1, sizeof *o->attrs);
    for (size_t i = 0; i < m->nattrs; i++)
        o->attrs[i] = (gh_sqs_attr){strdup(m->attrs[i].name), strdup(m->attrs[i].data_type),
                                    strdup(m->attrs[i].string_value), NULL, 0};
    o->nattrs = m->nattrs;
}

int gh_sqs_peek(gh_sqs *q, const char *queue, size_t max, gh_sqs_message **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&q->lock);
    shim_queue *s = find(q, queue);
    if (s && s->n) {
        size_t k = s->n < max ? s->n : max;
        *out = calloc(k, sizeof **out);
        for (size_t i = 0; i < k; i++)
            copy_out(&s->msgs[i], &(*out)[i]);
        *n = k;
    }
    pthread_mutex_unlock(&q->lock);
    return s ? 0 : -1;
}

void gh_sqs_messages_free(gh_sqs_message *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].message_id);
        free(m[i].receipt_handle);
        free(m[i].body);
        for (size_t k = 0; k < m[i].nattrs; k++) {
            free((char *)m[i].attrs[k].name);
            free((char *)m[i].attrs[k].data_type);
            free((char *)m[i].attrs[k].string_value);
        }
        free(m[i].attrs);
    }
    free(m);
}

int gh_sqs_send_message(gh_sqs *q, const char *queue, const gh_sqs_send *m, gh_sqs_sent *out,
                        gh_sqs_error *err)
{
    pthread_mutex_lock(&q->lock);
    shim_queue *s = find(q, queue);
    if (!s) {
        pthread_mutex_unlock(&q->lock);
        nonexistent(err);
        return -1;
    }
    s->msgs = realloc(s->msgs, (s->n + 1) * sizeof *s->msgs);
    shim_msg *sm = &s->msgs[s->n++];
    memset(sm, 0, sizeof *sm);
    snprintf(sm->id, sizeof sm->id, "00000000-0000-4000-8000-%012u", ++q->next);
    sm->body = malloc(m->body_len + 1);
    memcpy(sm->body, m->body, m->body_len);
    sm->body[m->body_len] = '\0';
    sm->len = m->body_len;
    sm->sent_ms = gh_clock_now_ms();
    sm->attrs = calloc(m->nattrs + 1, sizeof *sm->attrs);
    for (size_t i = 0; i < m->nattrs; i++)
        sm->attrs[i] = (gh_sqs_attr){strdup(m->attrs[i].name), strdup(m->attrs[i].data_type),
                                     strdup(m->attrs[i].string_value ? m->attrs[i].string_value
                                                                     : ""), NULL, 0};
    sm->nattrs = m->nattrs;
    gh_sqs_message copy;
    copy_out(sm, &copy);
    if (out) {
        memset(out, 0, sizeof *out);
        snprintf(out->message_id, sizeof out->message_id, "%s", sm->id);
    }
    gh_sqs_observer obs = q->obs;
    void *ud = q->obs_ud;
    pthread_mutex_unlock(&q->lock);
    if (obs)
        obs(ud, queue, &copy);
    gh_sqs_message *heap = malloc(sizeof *heap);
    *heap = copy;
    gh_sqs_messages_free(heap, 1);
    return 0;
}

int gh_sqs_purge_now(gh_sqs *q, const char *name, size_t *removed)
{
    pthread_mutex_lock(&q->lock);
    shim_queue *s = find(q, name);
    if (s) {
        if (removed)
            *removed = s->n;
        for (size_t i = 0; i < s->n; i++)
            free_msg(&s->msgs[i]);
        s->n = 0;
    }
    pthread_mutex_unlock(&q->lock);
    return s ? 0 : -1;
}

void gh_sqs_set_observer(gh_sqs *q, gh_sqs_observer fn, void *ud)
{
    pthread_mutex_lock(&q->lock);
    q->obs = fn;
    q->obs_ud = ud;
    pthread_mutex_unlock(&q->lock);
}

const char *gh_sqs_region(const gh_sqs *q)
{
    return q->region;
}

const char *gh_sqs_account(const gh_sqs *q)
{
    return q->account;
}

typedef struct shim_sub {
    char *arn, *protocol, *endpoint, *filter;
} shim_sub;

typedef struct shim_topic {
    char *arn;
    shim_sub *subs;
    size_t nsubs;
} shim_topic;

struct gh_sns {
    char region[32], account[16];
    shim_topic *ts;
    size_t nt;
};

gh_sns *gh_sns_new(const char *region, const char *account, gh_sqs *sqs)
{
    (void)sqs;
    gh_sns *s = calloc(1, sizeof *s);
    snprintf(s->region, sizeof s->region, "%s", region);
    snprintf(s->account, sizeof s->account, "%s", account);
    return s;
}

void gh_sns_free(gh_sns *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nt; i++) {
        for (size_t k = 0; k < s->ts[i].nsubs; k++) {
            shim_sub *b = &s->ts[i].subs[k];
            free(b->arn), free(b->protocol), free(b->endpoint), free(b->filter);
        }
        free(s->ts[i].subs);
        free(s->ts[i].arn);
    }
    free(s->ts);
    free(s);
}

int gh_sns_create_topic(gh_sns *s, const char *name, const gh_kv *attrs, size_t nattrs,
                        char **arn, gh_sns_error *err)
{
    (void)attrs, (void)nattrs, (void)err;
    char buf[400];
    snprintf(buf, sizeof buf, "arn:aws:sns:%s:%s:%s", s->region, s->account, name);
    s->ts = realloc(s->ts, (s->nt + 1) * sizeof *s->ts);
    s->ts[s->nt++] = (shim_topic){strdup(buf), NULL, 0};
    if (arn)
        *arn = strdup(buf);
    return 0;
}

size_t gh_sns_list_topics(gh_sns *s, char ***arns)
{
    *arns = calloc(s->nt + 1, sizeof **arns);
    for (size_t i = 0; i < s->nt; i++)
        (*arns)[i] = strdup(s->ts[i].arn);
    qsort(*arns, s->nt, sizeof **arns, by_name);
    return s->nt;
}

static shim_topic *topic(gh_sns *s, const char *arn)
{
    for (size_t i = 0; i < s->nt; i++)
        if (!strcmp(s->ts[i].arn, arn))
            return &s->ts[i];
    return NULL;
}

json_t *gh_sns_get_topic_attributes(gh_sns *s, const char *topic_arn, gh_sns_error *err)
{
    (void)err;
    shim_topic *t = topic(s, topic_arn);
    if (!t)
        return NULL;
    return json_pack("{s:s, s:s}", "TopicArn", t->arn, "DisplayName", "");
}

int gh_sns_subscribe(gh_sns *s, const char *topic_arn, const char *protocol,
                     const char *endpoint, const gh_kv *attrs, size_t nattrs, char **sub_arn,
                     gh_sns_error *err)
{
    (void)err;
    shim_topic *t = topic(s, topic_arn);
    if (!t)
        return -1;
    char buf[512];
    snprintf(buf, sizeof buf, "%s:0000%zu", topic_arn, t->nsubs);
    t->subs = realloc(t->subs, (t->nsubs + 1) * sizeof *t->subs);
    shim_sub *b = &t->subs[t->nsubs++];
    *b = (shim_sub){strdup(buf), strdup(protocol), strdup(endpoint), NULL};
    for (size_t i = 0; i < nattrs; i++)
        if (!strcmp(attrs[i].key, "FilterPolicy"))
            b->filter = strdup(attrs[i].value);
    if (sub_arn)
        *sub_arn = strdup(buf);
    return 0;
}

json_t *gh_sns_list_subscriptions(gh_sns *s, const char *topic_arn, gh_sns_error *err)
{
    (void)err;
    json_t *a = json_array();
    for (size_t i = 0; i < s->nt; i++)
        for (size_t k = 0; k < s->ts[i].nsubs; k++)
            if (!topic_arn || !strcmp(topic_arn, s->ts[i].arn))
                json_array_append_new(
                    a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "SubscriptionArn",
                                 s->ts[i].subs[k].arn, "Owner", s->account, "Protocol",
                                 s->ts[i].subs[k].protocol, "Endpoint",
                                 s->ts[i].subs[k].endpoint, "TopicArn", s->ts[i].arn));
    return a;
}

json_t *gh_sns_get_subscription_attributes(gh_sns *s, const char *sub_arn, gh_sns_error *err)
{
    (void)err;
    for (size_t i = 0; i < s->nt; i++)
        for (size_t k = 0; k < s->ts[i].nsubs; k++) {
            shim_sub *b = &s->ts[i].subs[k];
            if (strcmp(b->arn, sub_arn))
                continue;
            json_t *o = json_pack("{s:s, s:s, s:s}", "SubscriptionArn", b->arn, "Protocol",
                                  b->protocol, "RawMessageDelivery", "false");
            if (b->filter) {
                json_object_set_new(o, "FilterPolicy", json_string(b->filter));
                json_object_set_new(o, "FilterPolicyScope", json_string("MessageAttributes"));
            }
            return o;
        }
    return NULL;
}

gh_sim *gh_sim_new(const char *region, const char *account)
{
    gh_sim *sim = calloc(1, sizeof *sim);
    sim->sqs = gh_sqs_new(region, account);
    sim->sns = gh_sns_new(region, account, sim->sqs);
    return sim;
}

void gh_sim_free(gh_sim *sim)
{
    if (!sim)
        return;
    gh_sns_free(sim->sns);
    gh_sqs_free(sim->sqs);
    free(sim);
}
