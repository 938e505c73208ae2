/* The simulator of one process: owns SQS, SNS and the event sources, and creates what
 * definitions declare (x-gatehouse.queues, topics, eventSources). Applying is
 * idempotent, so a hot reload applies the new model to the same simulator: queues and
 * topics that exist keep their messages and subscriptions and get the declared
 * attributes again; new ones are created. Nothing is deleted when a declaration goes
 * away (a running consumer may still use the queue). */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/event_source.h"
#include "sim/persist.h"
#include "sim/store.h"

gh_sim *gh_sim_new(const char *region, const char *account)
{
    gh_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        return NULL;
    sim->sqs = gh_sqs_new(region, account);
    sim->sns = sim->sqs ? gh_sns_new(region, account, sim->sqs) : NULL;
    sim->sources = sim->sns ? gh_event_sources_new(sim) : NULL;
    if (!sim->sources) {
        gh_sim_free(sim);
        return NULL;
    }
    return sim;
}

void gh_sim_free(gh_sim *sim)
{
    if (!sim)
        return;
    /* Pollers and deliveries first: they call into the queues and the invoker. */
    gh_event_sources_free(sim->sources);
    gh_sns_free(sim->sns);
    gh_sqs_free(sim->sqs);
    gh_store_close(sim->store); /* after the engines: they write until freed */
    free(sim);
}

int gh_sim_open_state(gh_sim *sim, const char *dir, char *err, size_t errlen)
{
    sim->store = gh_store_open(dir, err, errlen);
    if (!sim->store)
        return -1;
    if (gh_sqs_restore(sim->sqs, sim->store, err, errlen) != 0 ||
        gh_sns_restore(sim->sns, sim->store, err, errlen) != 0)
        return -1;
    return 0;
}

void gh_sim_set_invoker(gh_sim *sim, gh_sim_invoke_fn fn, void *ud)
{
    sim->invoke_ud = ud;
    sim->invoke = fn;
}

/* The queue a RedrivePolicy sends to (the last part of deadLetterTargetArn), NULL when
 * the queue has none. Written by settings_sim.c, so the shape is known. */
static const char *dlq_of(const gh_queue_decl *q, char *buf, size_t len)
{
    const char *rp = gh_kvs_get(&q->attributes, "RedrivePolicy");
    const char *arn = rp ? strstr(rp, "arn:aws:sqs:") : NULL;
    if (!arn)
        return NULL;
    const char *end = strchr(arn, '"');
    const char *name = arn;
    for (const char *p = arn; p < (end ? end : arn + strlen(arn)); p++)
        if (*p == ':')
            name = p + 1;
    snprintf(buf, len, "%.*s", (int)((end ? end : name + strlen(name)) - name), name);
    return buf;
}

static void refused(gh_diags *d, gh_mark at, const char *service, const char *what,
                    const char *name, const gh_sqs_error *err)
{
    gh_diag_error(d, at, "the simulated %s refused %s '%s': %s (%s)", service, what, name,
                  err->message, err->code ? err->code : "error");
}

/* Creates the queue, or sets its declared attributes again when it exists (FifoQueue
 * is fixed at creation, as on AWS). */
static void apply_queue(gh_sim *sim, const gh_queue_decl *q, gh_diags *d)
{
    gh_sqs_error err = {0};
    if (!gh_sqs_exists(sim->sqs, q->name)) {
        if (gh_sqs_create_queue(sim->sqs, q->name, q->attributes.items, q->attributes.n, &err) != 0)
            refused(d, q->mark, "SQS", "queue", q->name, &err);
        return;
    }
    gh_kv *kv = calloc(q->attributes.n + 1, sizeof *kv);
    size_t n = 0;
    for (size_t i = 0; kv && i < q->attributes.n; i++)
        if (strcmp(q->attributes.items[i].key, "FifoQueue") != 0)
            kv[n++] = q->attributes.items[i];
    if (n && gh_sqs_set_attributes(sim->sqs, q->name, kv, n, &err) != 0)
        refused(d, q->mark, "SQS", "queue", q->name, &err);
    free(kv);
}

/* Dead-letter queues before the queues that name them: rounds that create the queues
 * whose DLQ exists already, then whatever is left (a cycle; the engine judges it). */
static void apply_queues(gh_sim *sim, const gh_api *api, gh_diags *d)
{
    bool *done = calloc(api->nqueues + 1, sizeof *done);
    if (!done)
        return;
    size_t left = api->nqueues;
    for (bool progress = true; left && progress;) {
        progress = false;
        for (size_t i = 0; i < api->nqueues; i++) {
            char buf[128];
            const char *dlq = dlq_of(&api->queues[i], buf, sizeof buf);
            if (done[i] || (dlq && !gh_sqs_exists(sim->sqs, dlq)))
                continue;
            apply_queue(sim, &api->queues[i], d);
            done[i] = progress = true;
            left--;
        }
    }
    for (size_t i = 0; i < api->nqueues; i++)
        if (!done[i])
            apply_queue(sim, &api->queues[i], d);
    free(done);
}

/* A declared endpoint as SNS takes it: queue and function names become ARNs in the
 * simulator's region and account; ARNs and URLs stay. malloc'd. */
static char *endpoint_arn(gh_sim *sim, const gh_subscription_decl *s)
{
    const char *e = s->endpoint;
    if (strncmp(e, "arn:", 4) == 0 || strcmp(s->protocol, "http") == 0 ||
        strcmp(s->protocol, "https") == 0)
        return strdup(e);
    const char *region = gh_sqs_region(sim->sqs), *account = gh_sqs_account(sim->sqs);
    size_t n = strlen(e) + strlen(region) + strlen(account) + 40;
    char *out = malloc(n);
    if (!out)
        return NULL;
    if (strcmp(s->protocol, "sqs") == 0)
        snprintf(out, n, "arn:aws:sqs:%s:%s:%s", region, account, e);
    else
        snprintf(out, n, "arn:aws:lambda:%s:%s:function:%s", region, account, e);
    return out;
}

static char *topic_arn_of(gh_sim *sim, const char *name)
{
    char **arns = NULL;
    size_t n = gh_sns_list_topics(sim->sns, &arns);
    char *found = NULL;
    size_t len = strlen(name);
    for (size_t i = 0; i < n && !found; i++) {
        size_t al = strlen(arns[i]);
        if (al > len && arns[i][al - len - 1] == ':' && strcmp(arns[i] + al - len, name) == 0)
            found = strdup(arns[i]);
    }
    gh_sqs_names_free(arns, n);
    return found;
}

static void apply_subscription(gh_sim *sim, const gh_topic_decl *t, const char *topic_arn,
                               const gh_subscription_decl *s, gh_diags *d)
{
    char *endpoint = endpoint_arn(sim, s);
    char *sub = NULL;
    gh_sns_error err = {0};
    if (!endpoint)
        return;
    if (gh_sns_subscribe(sim->sns, topic_arn, s->protocol, endpoint, s->attributes.items,
                         s->attributes.n, &sub, &err) != 0) {
        refused(d, s->mark, "SNS", "a subscription to topic", t->name, &err);
    } else {
        /* Subscribing an endpoint again returns its first subscription: the declared
         * attributes are set on it so an edited filter policy takes effect. */
        for (size_t i = 0; i < s->attributes.n; i++)
            if (gh_sns_set_subscription_attribute(sim->sns, sub, s->attributes.items[i].key,
                                                  s->attributes.items[i].value, &err) != 0)
                refused(d, s->attributes.items[i].mark, "SNS", "a subscription to topic", t->name,
                        &err);
    }
    free(sub);
    free(endpoint);
}

static void apply_topic(gh_sim *sim, const gh_topic_decl *t, gh_diags *d)
{
    gh_sns_error err = {0};
    char *arn = topic_arn_of(sim, t->name);
    if (arn) {
        for (size_t i = 0; i < t->attributes.n; i++) {
            const gh_kv *kv = &t->attributes.items[i];
            if (strcmp(kv->key, "FifoTopic") != 0 &&
                gh_sns_set_topic_attribute(sim->sns, arn, kv->key, kv->value, &err) != 0)
                refused(d, kv->mark, "SNS", "topic", t->name, &err);
        }
    } else if (gh_sns_create_topic(sim->sns, t->name, t->attributes.items, t->attributes.n, &arn,
                                   &err) != 0) {
        refused(d, t->mark, "SNS", "topic", t->name, &err);
        return;
    }
    for (size_t i = 0; arn && i < t->nsubscriptions; i++)
        apply_subscription(sim, t, arn, &t->subscriptions[i], d);
    free(arn);
}

int gh_sim_apply(gh_sim *sim, const gh_model *m, gh_diags *d)
{
    size_t before = d->errors;
    for (size_t i = 0; i < m->napis; i++)
        apply_queues(sim, &m->apis[i], d);
    for (size_t i = 0; i < m->napis; i++)
        for (size_t k = 0; k < m->apis[i].ntopics; k++)
            apply_topic(sim, &m->apis[i].topics[k], d);
    gh_event_sources_apply(sim->sources, m, d);
    return (int)(d->errors - before);
}
