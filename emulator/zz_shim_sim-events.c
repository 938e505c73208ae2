/* SHIM: drop at merge. A throwaway in-memory SQS, SNS and gh_sim good enough for the
 * event-source and Lua-module tests of sim-events until sim-sqs, sim-sns and sim-load
 * land: visibility, receive counts, redrive, FIFO groups; SNS delivers envelopes to
 * queues only. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/event_source.h"
#include "sim/sim.h"
#include "util/clock.h"
#include "util/ids.h"

typedef struct smsg {
    gh_sqs_message m;
    int64_t visible_at;
    int gen;
    bool deleted;
    bool taken; /* received by the receive in progress */
} smsg;

typedef struct squeue {
    char *name;
    int visibility;
    int max_receive;
    char *dlq;
    smsg *msgs;
    size_t n;
    long seq;
} squeue;

struct gh_sqs {
    pthread_mutex_t lock;
    char region[32], account[16];
    squeue *qs;
    size_t n;
};

static void md5hex(const void *p, size_t n, char out[33])
{
    unsigned char d[16];
    unsigned int len = 16;
    EVP_Digest(p, n, d, &len, EVP_md5(), NULL);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

gh_sqs *gh_sqs_new(const char *region, const char *account)
{
    gh_sqs *q = calloc(1, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    snprintf(q->region, sizeof q->region, "%s", region);
    snprintf(q->account, sizeof q->account, "%s", account);
    return q;
}

static void msg_free(gh_sqs_message *m)
{
    free(m->message_id);
    free(m->receipt_handle);
    free(m->body);
    for (size_t i = 0; i < m->nattrs; i++) {
        free((char *)m->attrs[i].name);
        free((char *)m->attrs[i].data_type);
        free((char *)m->attrs[i].string_value);
    }
    free(m->attrs);
    free(m->sender_id);
    free(m->group_id);
    free(m->dedup_id);
    free(m->sequence_number);
    free(m->dead_letter_source_arn);
}

void gh_sqs_free(gh_sqs *q)
{
    for (size_t i = 0; i < q->n; i++) {
        for (size_t k = 0; k < q->qs[i].n; k++)
            msg_free(&q->qs[i].msgs[k].m);
        free(q->qs[i].msgs);
        free(q->qs[i].name);
        free(q->qs[i].dlq);
    }
    free(q->qs);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

static squeue *find(gh_sqs *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->qs[i].name, name))
            return &q->qs[i];
    return NULL;
}

static void set_err(gh_sqs_error *e, const char *code, const char *msg)
{
    if (!e)
        return;
    e->code = code;
    snprintf(e->message, sizeof e->message, "%s", msg);
    e->status = 400;
    e->sender = true;
}

int gh_sqs_create_queue(gh_sqs *q, const char *name, const gh_kv *attrs, size_t nattrs,
                        gh_sqs_error *err)
{
    (void)err;
    pthread_mutex_lock(&q->lock);
    squeue *s = find(q, name);
    if (!s) {
        q->qs = realloc(q->qs, (q->n + 1) * sizeof *q->qs);
        s = &q->qs[q->n++];
        memset(s, 0, sizeof *s);
        s->name = strdup(name);
        s->visibility = 30;
    }
    for (size_t i = 0; i < nattrs; i++) {
        if (!strcmp(attrs[i].key, "VisibilityTimeout"))
            s->visibility = atoi(attrs[i].value);
        if (!strcmp(attrs[i].key, "RedrivePolicy")) {
            json_t *p = json_loads(attrs[i].value, 0, NULL);
            const char *arn = json_string_value(json_object_get(p, "deadLetterTargetArn"));
            s->max_receive = (int)json_integer_value(json_object_get(p, "maxReceiveCount"));
            free(s->dlq);
            s->dlq = arn ? strdup(strrchr(arn, ':') + 1) : NULL;
            json_decref(p);
        }
    }
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int gh_sqs_exists(gh_sqs *q, const char *name)
{
    pthread_mutex_lock(&q->lock);
    int r = find(q, name) != NULL;
    pthread_mutex_unlock(&q->lock);
    return r;
}

const char *gh_sqs_region(const gh_sqs *q) { return q->region; }
const char *gh_sqs_account(const gh_sqs *q) { return q->account; }

void gh_sqs_md5_of_attributes(const gh_sqs_attr *attrs, size_t n, char out[33])
{
    out[0] = '\0';
    if (n)
        md5hex(attrs[0].name, strlen(attrs[0].name), out);
}

static char *dupn(const char *s) { return s ? strdup(s) : NULL; }

static void store(squeue *s, gh_sqs_message *m)
{
    s->msgs = realloc(s->msgs, (s->n + 1) * sizeof *s->msgs);
    smsg *x = &s->msgs[s->n++];
    memset(x, 0, sizeof *x);
    x->m = *m;
}

int gh_sqs_send_message(gh_sqs *q, const char *queue, const gh_sqs_send *in, gh_sqs_sent *out,
                        gh_sqs_error *err)
{
    pthread_mutex_lock(&q->lock);
    squeue *s = find(q, queue);
    if (!s) {
        pthread_mutex_unlock(&q->lock);
        set_err(err, "AWS.SimpleQueueService.NonExistentQueue",
                "The specified queue does not exist for this wsdl version.");
        return -1;
    }
    gh_sqs_message m = {0};
    char id[GH_UUID_LEN + 1];
    gh_uuid4(id);
    m.message_id = strdup(id);
    m.body = malloc(in->body_len + 1);
    memcpy(m.body, in->body, in->body_len);
    m.body[in->body_len] = '\0';
    m.body_len = in->body_len;
    md5hex(in->body, in->body_len, m.md5_body);
    m.attrs = calloc(in->nattrs + 1, sizeof *m.attrs);
    for (size_t i = 0; i < in->nattrs; i++) {
        m.attrs[i].name = strdup(in->attrs[i].name);
        m.attrs[i].data_type = strdup(in->attrs[i].data_type);
        m.attrs[i].string_value = dupn(in->attrs[i].string_value);
    }
    m.nattrs = in->nattrs;
    gh_sqs_md5_of_attributes(in->attrs, in->nattrs, m.md5_attrs);
    m.sent_ms = gh_clock_now_ms();
    m.sender_id = strdup(in->sender_id ? in->sender_id : q->account);
    m.group_id = dupn(in->group_id);
    m.dedup_id = dupn(in->dedup_id);
    if (in->group_id) {
        char seq[21];
        snprintf(seq, sizeof seq, "%020ld", ++s->seq);
        m.sequence_number = strdup(seq);
    }
    if (out) {
        memset(out, 0, sizeof *out);
        snprintf(out->message_id, sizeof out->message_id, "%s", id);
        snprintf(out->md5_body, sizeof out->md5_body, "%s", m.md5_body);
        snprintf(out->md5_attrs, sizeof out->md5_attrs, "%s", m.md5_attrs);
        if (m.sequence_number)
            snprintf(out->sequence_number, sizeof out->sequence_number, "%s", m.sequence_number);
    }
    store(s, &m);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int gh_sqs_receive_messages(gh_sqs *q, const char *queue, const gh_sqs_receive *r,
                            gh_sqs_message **out, size_t *n, gh_sqs_error *err)
{
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&q->lock);
    squeue *s = find(q, queue);
    if (!s) {
        pthread_mutex_unlock(&q->lock);
        set_err(err, "AWS.SimpleQueueService.NonExistentQueue", "no queue");
        return -1;
    }
    int max = r->max_messages > 0 ? r->max_messages : 1;
    int vis = r->visibility_timeout >= 0 ? r->visibility_timeout : s->visibility;
    int64_t now = gh_clock_now_ms();
    *out = calloc((size_t)max, sizeof **out);
    for (size_t i = 0; i < s->n && (int)*n < max; i++) {
        smsg *x = &s->msgs[i];
        if (x->deleted || x->visible_at > now)
            continue;
        /* FIFO: an earlier message of the group not deleted (and not taken by this
         * receive) blocks it. */
        if (x->m.group_id) {
            bool blocked = false;
            for (size_t k = 0; k < i && !blocked; k++)
                if (!s->msgs[k].deleted && s->msgs[k].m.group_id &&
                    !strcmp(s->msgs[k].m.group_id, x->m.group_id) && !s->msgs[k].taken)
                    blocked = true;
            if (blocked)
                continue;
        }
        if (s->max_receive > 0 && x->m.receive_count >= s->max_receive && s->dlq) {
            squeue *d = find(q, s->dlq);
            x->deleted = true;
            if (d) {
                gh_sqs_message moved = x->m;
                char arn[256];
                snprintf(arn, sizeof arn, "arn:aws:sqs:%s:%s:%s", q->region, q->account, s->name);
                moved.dead_letter_source_arn = strdup(arn);
                free(moved.receipt_handle);
                moved.receipt_handle = NULL;
                store(d, &moved);
                s = find(q, queue);
                memset(&s->msgs[i].m, 0, sizeof s->msgs[i].m);
            }
            continue;
        }
        x->taken = true;
        x->m.receive_count++;
        if (!x->m.first_receive_ms)
            x->m.first_receive_ms = now;
        x->visible_at = now + (int64_t)vis * 1000;
        x->gen++;
        char h[96];
        snprintf(h, sizeof h, "%s#%d", x->m.message_id, x->gen);
        free(x->m.receipt_handle);
        x->m.receipt_handle = strdup(h);
        gh_sqs_message *c = &(*out)[(*n)++];
        *c = x->m;
        c->message_id = strdup(x->m.message_id);
        c->receipt_handle = strdup(h);
        c->body = malloc(x->m.body_len + 1);
        memcpy(c->body, x->m.body, x->m.body_len + 1);
        c->attrs = calloc(x->m.nattrs + 1, sizeof *c->attrs);
        for (size_t k = 0; k < x->m.nattrs; k++) {
            c->attrs[k].name = strdup(x->m.attrs[k].name);
            c->attrs[k].data_type = strdup(x->m.attrs[k].data_type);
            c->attrs[k].string_value = dupn(x->m.attrs[k].string_value);
        }
        c->sender_id = dupn(x->m.sender_id);
        c->group_id = dupn(x->m.group_id);
        c->dedup_id = dupn(x->m.dedup_id);
        c->sequence_number = dupn(x->m.sequence_number);
        c->dead_letter_source_arn = dupn(x->m.dead_letter_source_arn);
    }
    for (size_t i = 0; i < s->n; i++)
        s->msgs[i].taken = false;
    pthread_mutex_unlock(&q->lock);
    return 0;
}

void gh_sqs_messages_free(gh_sqs_message *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        msg_free(&m[i]);
    free(m);
}

int gh_sqs_delete_message(gh_sqs *q, const char *queue, const char *receipt, gh_sqs_error *err)
{
    pthread_mutex_lock(&q->lock);
    squeue *s = find(q, queue);
    if (!s || !receipt || !strchr(receipt, '#')) {
        pthread_mutex_unlock(&q->lock);
        set_err(err, "ReceiptHandleIsInvalid", "The input receipt handle is invalid.");
        return -1;
    }
    for (size_t i = 0; i < s->n; i++)
        if (!s->msgs[i].deleted && s->msgs[i].m.message_id &&
            !strncmp(receipt, s->msgs[i].m.message_id, strlen(s->msgs[i].m.message_id)))
            s->msgs[i].deleted = true;
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int gh_sqs_counts_of(gh_sqs *q, const char *queue, gh_sqs_counts *out)
{
    pthread_mutex_lock(&q->lock);
    squeue *s = find(q, queue);
    memset(out, 0, sizeof *out);
    int64_t now = gh_clock_now_ms();
    for (size_t i = 0; s && i < s->n; i++) {
        if (s->msgs[i].deleted)
            continue;
        if (s->msgs[i].visible_at > now)
            out->in_flight++;
        else
            out->visible++;
    }
    pthread_mutex_unlock(&q->lock);
    return s ? 0 : -1;
}

int gh_sqs_peek(gh_sqs *q, const char *queue, size_t max, gh_sqs_message **out, size_t *n)
{
    pthread_mutex_lock(&q->lock);
    squeue *s = find(q, queue);
    *out = calloc(max + 1, sizeof **out);
    *n = 0;
    for (size_t i = 0; s && i < s->n && *n < max; i++) {
        if (s->msgs[i].deleted)
            continue;
        gh_sqs_message *c = &(*out)[(*n)++];
        const gh_sqs_message *x = &s->msgs[i].m;
        *c = *x;
        c->message_id = strdup(x->message_id);
        c->receipt_handle = NULL;
        c->body = strdup(x->body);
        c->attrs = NULL;
        c->nattrs = 0;
        c->sender_id = dupn(x->sender_id);
        c->group_id = dupn(x->group_id);
        c->dedup_id = dupn(x->dedup_id);
        c->sequence_number = dupn(x->sequence_number);
        c->dead_letter_source_arn = dupn(x->dead_letter_source_arn);
    }
    pthread_mutex_unlock(&q->lock);
    return s ? 0 : -1;
}

/* ---- SNS: topics with sqs subscriptions ---- */

typedef struct stopic {
    char *arn;
    char **queues;
    size_t nqueues;
} stopic;

struct gh_sns {
    pthread_mutex_t lock;
    char region[32], account[16];
    gh_sqs *sqs;
    stopic *ts;
    size_t n;
};

gh_sns *gh_sns_new(const char *region, const char *account, gh_sqs *sqs)
{
    gh_sns *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    snprintf(s->region, sizeof s->region, "%s", region);
    snprintf(s->account, sizeof s->account, "%s", account);
    s->sqs = sqs;
    return s;
}

void gh_sns_free(gh_sns *s)
{
    for (size_t i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->ts[i].nqueues; k++)
            free(s->ts[i].queues[k]);
        free(s->ts[i].queues);
        free(s->ts[i].arn);
    }
    free(s->ts);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void gh_sns_set_delivery(gh_sns *s, const gh_sns_delivery *d) { (void)s; (void)d; }
void gh_sns_drain(gh_sns *s) { (void)s; }

static stopic *topic(gh_sns *s, const char *arn)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->ts[i].arn, arn))
            return &s->ts[i];
    return NULL;
}

int gh_sns_create_topic(gh_sns *s, const char *name, const gh_kv *attrs, size_t nattrs,
                        char **arn, gh_sns_error *err)
{
    (void)attrs, (void)nattrs, (void)err;
    char a[300];
    snprintf(a, sizeof a, "arn:aws:sns:%s:%s:%s", s->region, s->account, name);
    pthread_mutex_lock(&s->lock);
    if (!topic(s, a)) {
        s->ts = realloc(s->ts, (s->n + 1) * sizeof *s->ts);
        s->ts[s->n++] = (stopic){strdup(a), NULL, 0};
    }
    pthread_mutex_unlock(&s->lock);
    if (arn)
        *arn = strdup(a);
    return 0;
}

int gh_sns_subscribe(gh_sns *s, const char *topic_arn, const char *protocol,
                     const char *endpoint, const gh_kv *attrs, size_t nattrs, char **sub_arn,
                     gh_sns_error *err)
{
    (void)attrs, (void)nattrs;
    pthread_mutex_lock(&s->lock);
    stopic *t = topic(s, topic_arn);
    if (!t || strcmp(protocol, "sqs") != 0) {
        pthread_mutex_unlock(&s->lock);
        set_err(err, "NotFound", "Topic does not exist");
        return -1;
    }
    t->queues = realloc(t->queues, (t->nqueues + 1) * sizeof *t->queues);
    const char *c = strrchr(endpoint, ':');
    t->queues[t->nqueues++] = strdup(c ? c + 1 : endpoint);
    pthread_mutex_unlock(&s->lock);
    if (sub_arn)
        *sub_arn = strdup(topic_arn);
    return 0;
}

int gh_sns_publish(gh_sns *s, const struct gh_sns_publish *p, char message_id[37],
                   char sequence_number[21], gh_sns_error *err)
{
    pthread_mutex_lock(&s->lock);
    stopic *t = topic(s, p->topic_arn);
    if (!t) {
        pthread_mutex_unlock(&s->lock);
        set_err(err, "NotFound", "Topic does not exist");
        return -1;
    }
    gh_uuid4(message_id);
    sequence_number[0] = '\0';
    json_t *env = json_pack("{s:s,s:s,s:s,s:s}", "Type", "Notification", "MessageId", message_id,
                            "TopicArn", p->topic_arn, "Message", p->message);
    if (p->subject)
        json_object_set_new(env, "Subject", json_string(p->subject));
    char *text = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    for (size_t i = 0; i < t->nqueues; i++) {
        gh_sqs_send m = {.body = text, .body_len = strlen(text), .delay_seconds = -1};
        gh_sqs_send_message(s->sqs, t->queues[i], &m, NULL, NULL);
    }
    free(text);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* ---- gh_sim ---- */

gh_sim *gh_sim_new(const char *region, const char *account)
{
    gh_sim *sim = calloc(1, sizeof *sim);
    sim->sqs = gh_sqs_new(region, account);
    sim->sns = gh_sns_new(region, account, sim->sqs);
    sim->sources = gh_event_sources_new(sim);
    return sim;
}

void gh_sim_free(gh_sim *sim)
{
    if (!sim)
        return;
    gh_event_sources_free(sim->sources);
    gh_sns_free(sim->sns);
    gh_sqs_free(sim->sqs);
    free(sim);
}

void gh_sim_set_invoker(gh_sim *sim, gh_sim_invoke_fn fn, void *ud)
{
    sim->invoke = fn;
    sim->invoke_ud = ud;
}

int gh_sim_apply(gh_sim *sim, const gh_model *m, gh_diags *d)
{
    for (size_t i = 0; i < m->napis; i++) {
        const gh_api *api = &m->apis[i];
        for (size_t k = 0; k < api->nqueues; k++)
            gh_sqs_create_queue(sim->sqs, api->queues[k].name, api->queues[k].attributes.items,
                                api->queues[k].attributes.n, NULL);
        for (size_t k = 0; k < api->ntopics; k++) {
            char *arn = NULL;
            gh_sns_create_topic(sim->sns, api->topics[k].name, NULL, 0, &arn, NULL);
            for (size_t j = 0; j < api->topics[k].nsubscriptions; j++)
                gh_sns_subscribe(sim->sns, arn, api->topics[k].subscriptions[j].protocol,
                                 api->topics[k].subscriptions[j].endpoint, NULL, 0, NULL, NULL);
            free(arn);
        }
    }
    return gh_event_sources_apply(sim->sources, m, d);
}
