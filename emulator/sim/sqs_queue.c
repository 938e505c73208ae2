/* The simulated SQS's queue table and queue attributes: CreateQueue, DeleteQueue,
 * ListQueues, Get/SetQueueAttributes and PurgeQueue, with the ranges and error texts of
 * the SQS API Reference (CreateQueue, SetQueueAttributes). Messages live in
 * sqs_message.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sqs_internal.h"
#include "util/clock.h"
#include "util/log.h"

int gh_sqsi_fail(gh_sqs_error *err, const char *code, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    err->status = 400;
    err->sender = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

sqs_queue *gh_sqsi_find_locked(gh_sqs *q, const char *name, size_t *ix)
{
    for (size_t i = 0; i < q->nqueues; i++)
        if (strcmp(q->queues[i]->name, name) == 0) {
            if (ix)
                *ix = i;
            return q->queues[i];
        }
    return NULL;
}

static sqs_queue *queue_new(gh_sqs *q, const char *name, bool fifo)
{
    sqs_queue *qu = calloc(1, sizeof *qu);
    if (!qu)
        return NULL;
    qu->name = strdup(name);
    size_t n = strlen(q->region) + strlen(q->account) + strlen(name) + 16;
    qu->arn = malloc(n);
    if (!qu->name || !qu->arn) {
        free(qu->name);
        free(qu->arn);
        free(qu);
        return NULL;
    }
    snprintf(qu->arn, n, "arn:aws:sqs:%s:%s:%s", q->region, q->account, name);
    qu->fifo = fifo;
    qu->refs = 1;
    uint32_t h = 2166136261u; /* FNV-1a of the name: the handle's queue tag */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    qu->tag = h;
    pthread_mutex_init(&qu->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&qu->cv, &ca);
    pthread_condattr_destroy(&ca);
    for (int a = 0; a < SQA_COUNT; a++) {
        const char *d = gh_sqsi_default_of(fifo, a);
        gh_sqsi_apply_attr(qu, a, d ? strdup(d) : NULL);
    }
    qu->created_s = qu->modified_s = gh_clock_now_ms() / 1000;
    qu->last_purge = INT64_MIN;
    qu->next_seq = 1;
    qu->store = q->store;
    return qu;
}

static void queue_free(sqs_queue *qu)
{
    gh_sqsi_clear(qu);
    for (sqs_dedup *d = qu->dd_head, *n; d; d = n) {
        n = d->onext;
        free(d->key);
        free(d);
    }
    for (int a = 0; a < SQA_COUNT; a++)
        free(qu->val[a]);
    free(qu->dd);
    free(qu->groups);
    free(qu->heap);
    free(qu->handles);
    free(qu->dlq_name);
    free(qu->name);
    free(qu->arn);
    pthread_mutex_destroy(&qu->mu);
    pthread_cond_destroy(&qu->cv);
    free(qu);
}

sqs_queue *gh_sqsi_adopt(gh_sqs *q, const char *name, bool fifo)
{
    pthread_mutex_lock(&q->mu);
    sqs_queue *qu = gh_sqsi_find_locked(q, name, NULL);
    if (!qu && (qu = queue_new(q, name, fifo)) != NULL) {
        sqs_queue **grown = q->nqueues == q->cap
                                ? realloc(q->queues, (q->cap ? 2 * q->cap : 8) * sizeof *grown)
                                : q->queues;
        if (!grown) {
            queue_free(qu);
            qu = NULL;
        } else {
            if (q->nqueues == q->cap)
                q->cap = q->cap ? 2 * q->cap : 8;
            q->queues = grown;
            q->queues[q->nqueues++] = qu;
        }
    }
    pthread_mutex_unlock(&q->mu);
    return qu;
}

gh_sqs *gh_sqs_new(const char *region, const char *account)
{
    gh_sqs *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->observer_idle, NULL);
    q->region = strdup(region ? region : "us-east-1");
    q->account = strdup(account ? account : "000000000000");
    if (!q->region || !q->account) {
        gh_sqs_free(q);
        return NULL;
    }
    return q;
}

void gh_sqs_free(gh_sqs *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nqueues; i++)
        queue_free(q->queues[i]);
    free(q->queues);
    free(q->region);
    free(q->account);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->observer_idle);
    free(q);
}

const char *gh_sqs_region(const gh_sqs *q)
{
    return q->region;
}

const char *gh_sqs_account(const gh_sqs *q)
{
    return q->account;
}

void gh_sqs_set_observer(gh_sqs *q, gh_sqs_observer fn, void *ud)
{
    pthread_mutex_lock(&q->mu);
    q->observer = fn;
    q->observer_ud = ud;
    /* A sender may be inside the old observer: its ud must outlive the call. */
    while (q->observer_calls)
        pthread_cond_wait(&q->observer_idle, &q->mu);
    pthread_mutex_unlock(&q->mu);
}

void gh_sqsi_notify(gh_sqs *q, const char *queue, const gh_sqs_message *m)
{
    pthread_mutex_lock(&q->mu);
    gh_sqs_observer fn = q->observer;
    void *ud = q->observer_ud;
    if (fn)
        q->observer_calls++;
    pthread_mutex_unlock(&q->mu);
    if (!fn)
        return;
    fn(ud, queue, m);
    pthread_mutex_lock(&q->mu);
    if (--q->observer_calls == 0)
        pthread_cond_broadcast(&q->observer_idle);
    pthread_mutex_unlock(&q->mu);
}

sqs_queue *gh_sqsi_get(gh_sqs *q, const char *name, gh_sqs_error *err, gh_sqs_observer *fn,
                       void **ud)
{
    pthread_mutex_lock(&q->mu);
    sqs_queue *qu = name ? gh_sqsi_find_locked(q, name, NULL) : NULL;
    if (qu)
        qu->refs++;
    if (fn) {
        *fn = q->observer;
        *ud = q->observer_ud;
    }
    pthread_mutex_unlock(&q->mu);
    if (!qu)
        gh_sqsi_fail(err, GH_SQS_NO_QUEUE,
                     "The specified queue does not exist for this wsdl version.");
    return qu;
}

void gh_sqsi_put(gh_sqs *q, sqs_queue *qu)
{
    pthread_mutex_lock(&q->mu);
    bool last = --qu->refs == 0;
    pthread_mutex_unlock(&q->mu);
    if (last)
        queue_free(qu);
}

static bool valid_name(const char *name, bool fifo)
{
    size_t n = strlen(name), body = n;
    if (n < 1 || n > 80)
        return false;
    if (fifo) {
        if (n < 6 || strcmp(name + n - 5, ".fifo") != 0)
            return false;
        body = n - 5;
    }
    for (size_t i = 0; i < body; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '-' && name[i] != '_')
            return false;
    return body > 0;
}

int gh_sqs_create_queue(gh_sqs *q, const char *name, const gh_kv *attrs, size_t nattrs,
                        gh_sqs_error *err)
{
    if (!name || !*name)
        return gh_sqsi_fail(err, "MissingParameter",
                            "The request must contain the parameter QueueName.");
    bool fifo = false;
    for (size_t i = 0; i < nattrs; i++)
        if (strcmp(attrs[i].key, "FifoQueue") == 0 && attrs[i].value &&
            strcmp(attrs[i].value, "true") == 0)
            fifo = true;
    if (!valid_name(name, fifo))
        return gh_sqsi_fail(err, "InvalidParameterValue", "%s",
                            fifo ? "The name of a FIFO queue can only include alphanumeric "
                                   "characters, hyphens, or underscores, must end with .fifo "
                                   "suffix and be 1 to 80 in length."
                                 : "Can only include alphanumeric characters, hyphens, or "
                                   "underscores. 1 to 80 in length");
    int *which = calloc(nattrs + 1, sizeof *which);
    char **norm = calloc(nattrs + 1, sizeof *norm);
    int rc = 0;
    if (!which || !norm) {
        rc = gh_sqsi_fail(err, "InternalError", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nattrs && rc == 0; i++)
        rc = gh_sqsi_check_attr(q, fifo, true, attrs[i].key, attrs[i].value, &which[i], &norm[i],
                                err);
    if (rc)
        goto out;
    pthread_mutex_lock(&q->mu);
    sqs_queue *old = gh_sqsi_find_locked(q, name, NULL);
    if (old) {
        /* Idempotent unless a given attribute differs (AWS compares only those given). */
        pthread_mutex_lock(&old->mu);
        for (size_t i = 0; i < nattrs && rc == 0; i++) {
            const char *have = old->val[which[i]];
            const char *want = norm[i];
            if (!(have == want || (have && want && strcmp(have, want) == 0)))
                rc = gh_sqsi_fail(err, "QueueAlreadyExists",
                                  "A queue already exists with the same name and a different "
                                  "value for attribute %s",
                                  gh_sqsi_attr_names[which[i]]);
        }
        pthread_mutex_unlock(&old->mu);
        pthread_mutex_unlock(&q->mu);
        goto out;
    }
    sqs_queue *qu = queue_new(q, name, fifo);
    sqs_queue **grown = q->nqueues == q->cap
                            ? realloc(q->queues, (q->cap ? 2 * q->cap : 8) * sizeof *grown)
                            : q->queues;
    if (!qu || !grown) {
        pthread_mutex_unlock(&q->mu);
        if (qu)
            queue_free(qu);
        if (grown)
            q->queues = grown;
        rc = gh_sqsi_fail(err, "InternalError", "out of memory");
        goto out;
    }
    if (grown != q->queues || q->nqueues == q->cap) {
        q->queues = grown;
        q->cap = q->cap ? 2 * q->cap : 8;
    }
    for (size_t i = 0; i < nattrs; i++) {
        gh_sqsi_apply_attr(qu, which[i], norm[i]);
        norm[i] = NULL;
    }
    q->queues[q->nqueues++] = qu;
    if (qu->store && gh_sqsi_save_queue(qu) != 0)
        gh_log(GH_LOG_WARN, "queue %s: not written to the state store", name);
    pthread_mutex_unlock(&q->mu);
out:
    for (size_t i = 0; norm && i < nattrs; i++)
        free(norm[i]);
    free(norm);
    free(which);
    return rc;
}

int gh_sqs_delete_queue(gh_sqs *q, const char *name, gh_sqs_error *err)
{
    pthread_mutex_lock(&q->mu);
    size_t ix;
    sqs_queue *qu = name ? gh_sqsi_find_locked(q, name, &ix) : NULL;
    if (qu)
        q->queues[ix] = q->queues[--q->nqueues];
    pthread_mutex_unlock(&q->mu);
    if (!qu)
        return gh_sqsi_fail(err, GH_SQS_NO_QUEUE,
                            "The specified queue does not exist for this wsdl version.");
    pthread_mutex_lock(&qu->mu);
    qu->deleted = true;
    gh_sqsi_clear(qu);
    if (qu->store)
        gh_store_queue_delete(qu->store, qu->name);
    pthread_cond_broadcast(&qu->cv); /* long pollers end */
    pthread_mutex_unlock(&qu->mu);
    gh_sqsi_put(q, qu);
    return 0;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t gh_sqs_list_queues(gh_sqs *q, const char *prefix, char ***names)
{
    pthread_mutex_lock(&q->mu);
    char **out = malloc((q->nqueues + 1) * sizeof *out);
    size_t n = 0, plen = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; out && i < q->nqueues; i++)
        if (!plen || strncmp(q->queues[i]->name, prefix, plen) == 0) {
            char *s = strdup(q->queues[i]->name);
            if (s)
                out[n++] = s;
        }
    pthread_mutex_unlock(&q->mu);
    if (out)
        qsort(out, n, sizeof *out, by_str);
    *names = out;
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
    pthread_mutex_lock(&q->mu);
    int found = name && gh_sqsi_find_locked(q, name, NULL) != NULL;
    pthread_mutex_unlock(&q->mu);
    return found;
}

/* The attributes computed from the queue's state, in AWS's "All" order. */
enum { SQC_ARN, SQC_VISIBLE, SQC_NOT_VISIBLE, SQC_DELAYED, SQC_CREATED, SQC_MODIFIED, SQC_COUNT };
static const char *const computed_names[SQC_COUNT] = {"QueueArn",
                                                      "ApproximateNumberOfMessages",
                                                      "ApproximateNumberOfMessagesNotVisible",
                                                      "ApproximateNumberOfMessagesDelayed",
                                                      "CreatedTimestamp",
                                                      "LastModifiedTimestamp"};

static void put_computed(sqs_queue *qu, int c, json_t *o)
{
    char buf[32];
    switch (c) {
    case SQC_ARN: json_object_set_new(o, computed_names[c], json_string(qu->arn)); return;
    case SQC_VISIBLE:
        snprintf(buf, sizeof buf, "%zu", qu->n_all - qu->n_inflight - qu->n_delayed);
        break;
    case SQC_NOT_VISIBLE: snprintf(buf, sizeof buf, "%zu", qu->n_inflight); break;
    case SQC_DELAYED: snprintf(buf, sizeof buf, "%zu", qu->n_delayed); break;
    case SQC_CREATED: snprintf(buf, sizeof buf, "%lld", (long long)qu->created_s); break;
    default: snprintf(buf, sizeof buf, "%lld", (long long)qu->modified_s); break;
    }
    json_object_set_new(o, computed_names[c], json_string(buf));
}

json_t *gh_sqs_get_attributes(gh_sqs *q, const char *name, const char *const *which, size_t nwhich,
                              gh_sqs_error *err)
{
    sqs_queue *qu = gh_sqsi_get(q, name, err, NULL, NULL);
    if (!qu)
        return NULL;
    bool all = !which || nwhich == 0;
    for (size_t i = 0; !all && i < nwhich; i++)
        all = strcmp(which[i], "All") == 0;
    json_t *o = json_object();
    pthread_mutex_lock(&qu->mu);
    gh_sqsi_settle(qu, gh_clock_mono_ms());
    if (all) {
        for (int c = 0; c < SQC_COUNT; c++)
            put_computed(qu, c, o);
        for (int a = 0; a < SQA_COUNT; a++)
            if (qu->val[a])
                json_object_set_new(o, gh_sqsi_attr_names[a], json_string(qu->val[a]));
    } else {
        for (size_t i = 0; i < nwhich; i++) {
            int a = gh_sqsi_attr_index(which[i]), c = -1;
            for (int k = 0; a < 0 && k < SQC_COUNT; k++)
                if (strcmp(computed_names[k], which[i]) == 0)
                    c = k;
            if (c >= 0) {
                put_computed(qu, c, o);
            } else if (a < 0 || (!qu->fifo && gh_sqsi_fifo_only(a))) {
                gh_sqsi_fail(err, "InvalidAttributeName", "Unknown Attribute %s.", which[i]);
                json_decref(o);
                o = NULL;
                break;
            } else if (qu->val[a]) {
                json_object_set_new(o, gh_sqsi_attr_names[a], json_string(qu->val[a]));
            }
        }
    }
    pthread_mutex_unlock(&qu->mu);
    gh_sqsi_put(q, qu);
    return o;
}

int gh_sqs_set_attributes(gh_sqs *q, const char *name, const gh_kv *attrs, size_t nattrs,
                          gh_sqs_error *err)
{
    sqs_queue *qu = gh_sqsi_get(q, name, err, NULL, NULL);
    if (!qu)
        return -1;
    int *which = calloc(nattrs + 1, sizeof *which);
    char **norm = calloc(nattrs + 1, sizeof *norm);
    int rc = which && norm ? 0 : gh_sqsi_fail(err, "InternalError", "out of memory");
    for (size_t i = 0; i < nattrs && rc == 0; i++)
        rc = gh_sqsi_check_attr(q, qu->fifo, false, attrs[i].key, attrs[i].value, &which[i],
                                &norm[i], err);
    if (rc == 0) {
        pthread_mutex_lock(&qu->mu);
        for (size_t i = 0; i < nattrs; i++) {
            const char *d = gh_sqsi_default_of(qu->fifo, which[i]);
            /* An empty value resets an attribute with a default to it. */
            gh_sqsi_apply_attr(qu, which[i], norm[i] ? norm[i] : d ? strdup(d) : NULL);
            norm[i] = NULL;
        }
        qu->modified_s = gh_clock_now_ms() / 1000;
        if (qu->store)
            gh_sqsi_save_queue(qu);
        pthread_cond_broadcast(&qu->cv); /* a shorter delay may make messages visible */
        pthread_mutex_unlock(&qu->mu);
    }
    for (size_t i = 0; norm && i < nattrs; i++)
        free(norm[i]);
    free(norm);
    free(which);
    gh_sqsi_put(q, qu);
    return rc;
}

int gh_sqs_purge(gh_sqs *q, const char *name, gh_sqs_error *err)
{
    sqs_queue *qu = gh_sqsi_get(q, name, err, NULL, NULL);
    if (!qu)
        return -1;
    int rc = 0;
    int64_t now = gh_clock_mono_ms();
    pthread_mutex_lock(&qu->mu);
    /* AWS allows one PurgeQueue per queue every 60 seconds. */
    if (qu->last_purge != INT64_MIN && now - qu->last_purge < 60000) {
        rc = gh_sqsi_fail(err, "AWS.SimpleQueueService.PurgeQueueInProgress",
                          "Only one PurgeQueue operation on %s is allowed every 60 seconds.",
                          qu->name);
        if (err)
            err->status = 403;
    } else {
        qu->last_purge = now;
        gh_sqsi_clear(qu);
        if (qu->store)
            gh_store_queue_clear(qu->store, qu->name);
    }
    pthread_mutex_unlock(&qu->mu);
    gh_sqsi_put(q, qu);
    return rc;
}

int gh_sqs_purge_now(gh_sqs *q, const char *name, size_t *removed)
{
    sqs_queue *qu = gh_sqsi_get(q, name, NULL, NULL, NULL);
    if (!qu)
        return -1;
    pthread_mutex_lock(&qu->mu);
    size_t n = qu->n_all;
    gh_sqsi_clear(qu); /* last_purge untouched: the admin API is not PurgeQueue */
    if (qu->store)
        gh_store_queue_clear(qu->store, qu->name);
    pthread_mutex_unlock(&qu->mu);
    gh_sqsi_put(q, qu);
    if (removed)
        *removed = n;
    return 0;
}

int gh_sqs_counts_of(gh_sqs *q, const char *queue, gh_sqs_counts *out)
{
    sqs_queue *qu = gh_sqsi_get(q, queue, NULL, NULL, NULL);
    if (!qu)
        return -1;
    pthread_mutex_lock(&qu->mu);
    gh_sqsi_settle(qu, gh_clock_mono_ms());
    out->visible = qu->n_all - qu->n_inflight - qu->n_delayed;
    out->in_flight = qu->n_inflight;
    out->delayed = qu->n_delayed;
    pthread_mutex_unlock(&qu->mu);
    gh_sqsi_put(q, qu);
    return 0;
}
