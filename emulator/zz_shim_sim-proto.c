/* SHIM: drop at merge. A throwaway stand-in for sim/sqs.h, sim/sns.h and sim/sim.h
 * (implemented by sim-sqs, sim-sns, sim-load) so the protocol layer links and its tests
 * run before those engines land. One lock, no timers, no redrive, no delivery. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "util/ids.h"

typedef struct shim_msg {
    char id[37], handle[64], *body;
    gh_sqs_attr *attrs;
    size_t nattrs;
    int count;
    int inflight;
    int deleted;
} shim_msg;
typedef struct shim_q {
    char name[96];
    shim_msg m[64];
    size_t n;
} shim_q;
struct gh_sqs {
    char region[32], account[16];
    shim_q q[16];
    size_t nq;
    pthread_mutex_t mu;
};
struct gh_sns {
    char region[32], account[16];
    char topics[8][200];
    size_t nt;
};

static void md5hex(const void *p, size_t n, char out[33])
{
    unsigned char d[16];
    unsigned int dl = 16;
    EVP_Digest(p, n, d, &dl, EVP_md5(), NULL);
    for (int i = 0; i < 16; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}
static void noq(gh_sqs_error *e)
{
    e->code = "AWS.SimpleQueueService.NonExistentQueue";
    e->status = 400;
    e->sender = true;
    snprintf(e->message, sizeof e->message, "The specified queue does not exist for this wsdl version.");
}
static shim_q *find(gh_sqs *s, const char *name)
{
    for (size_t i = 0; i < s->nq; i++)
        if (name && !strcmp(s->q[i].name, name))
            return &s->q[i];
    return NULL;
}
gh_sqs *gh_sqs_new(const char *region, const char *account)
{
    gh_sqs *s = calloc(1, sizeof *s);
    snprintf(s->region, sizeof s->region, "%s", region);
    snprintf(s->account, sizeof s->account, "%s", account);
    pthread_mutex_init(&s->mu, NULL);
    return s;
}
void gh_sqs_free(gh_sqs *s)
{
    for (size_t i = 0; i < s->nq; i++)
        for (size_t j = 0; j < s->q[i].n; j++) {
            free(s->q[i].m[j].body);
            for (size_t k = 0; k < s->q[i].m[j].nattrs; k++) {
                free((char *)s->q[i].m[j].attrs[k].name);
                free((char *)s->q[i].m[j].attrs[k].data_type);
                free((char *)s->q[i].m[j].attrs[k].string_value);
            }
            free(s->q[i].m[j].attrs);
        }
    pthread_mutex_destroy(&s->mu);
    free(s);
}
const char *gh_sqs_region(const gh_sqs *s) { return s->region; }
const char *gh_sqs_account(const gh_sqs *s) { return s->account; }
int gh_sqs_create_queue(gh_sqs *s, const char *name, const gh_kv *a, size_t n, gh_sqs_error *e)
{
    (void)a; (void)n; (void)e;
    if (!find(s, name) && s->nq < 16)
        snprintf(s->q[s->nq++].name, 96, "%s", name);
    return 0;
}
int gh_sqs_delete_queue(gh_sqs *s, const char *name, gh_sqs_error *e)
{
    shim_q *q = find(s, name);
    if (!q)
        return noq(e), -1;
    q->name[0] = '\0';
    return 0;
}
size_t gh_sqs_list_queues(gh_sqs *s, const char *prefix, char ***names)
{
    *names = calloc(17, sizeof **names);
    size_t n = 0;
    for (size_t i = 0; i < s->nq; i++)
        if (s->q[i].name[0] && (!prefix || !strncmp(s->q[i].name, prefix, strlen(prefix))))
            (*names)[n++] = strdup(s->q[i].name);
    return n;
}
void gh_sqs_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
int gh_sqs_exists(gh_sqs *s, const char *name) { return find(s, name) != NULL; }
json_t *gh_sqs_get_attributes(gh_sqs *s, const char *name, const char *const *w, size_t nw,
                              gh_sqs_error *e)
{
    (void)w; (void)nw;
    if (!find(s, name))
        return noq(e), NULL;
    return json_pack("{s:s,s:s}", "VisibilityTimeout", "30", "QueueArn", "arn:aws:sqs:x");
}
int gh_sqs_set_attributes(gh_sqs *s, const char *name, const gh_kv *a, size_t n, gh_sqs_error *e)
{
    (void)a; (void)n;
    return find(s, name) ? 0 : (noq(e), -1);
}
int gh_sqs_purge(gh_sqs *s, const char *name, gh_sqs_error *e)
{
    shim_q *q = find(s, name);
    if (!q)
        return noq(e), -1;
    for (size_t i = 0; i < q->n; i++)
        q->m[i].deleted = 1;
    return 0;
}
void gh_sqs_md5_of_attributes(const gh_sqs_attr *a, size_t n, char out[33])
{
    out[0] = '\0';
    if (!n)
        return;
    unsigned char buf[4096];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) { /* shim: no sorting */
        const char *parts[2] = {a[i].name, a[i].data_type};
        for (int k = 0; k < 2; k++) {
            size_t l = strlen(parts[k]);
            buf[len++] = 0; buf[len++] = 0; buf[len++] = (unsigned char)(l >> 8); buf[len++] = (unsigned char)l;
            memcpy(buf + len, parts[k], l); len += l;
        }
        buf[len++] = 1;
        size_t l = strlen(a[i].string_value);
        buf[len++] = 0; buf[len++] = 0; buf[len++] = (unsigned char)(l >> 8); buf[len++] = (unsigned char)l;
        memcpy(buf + len, a[i].string_value, l); len += l;
    }
    md5hex(buf, len, out);
}
int gh_sqs_send_message(gh_sqs *s, const char *name, const gh_sqs_send *m, gh_sqs_sent *out,
                        gh_sqs_error *e)
{
    shim_q *q = find(s, name);
    if (!q)
        return noq(e), -1;
    if (!strcmp(m->body, "BAD")) {
        e->code = "InvalidMessageContents"; e->status = 400; e->sender = true;
        snprintf(e->message, sizeof e->message, "Invalid binary character '#x0' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
        return -1;
    }
    memset(out, 0, sizeof *out);
    shim_msg *x = &q->m[q->n++];
    gh_uuid4(x->id);
    x->body = strdup(m->body);
    x->attrs = calloc(m->nattrs + 1, sizeof *x->attrs);
    for (size_t i = 0; i < m->nattrs; i++) {
        x->attrs[i].name = strdup(m->attrs[i].name);
        x->attrs[i].data_type = strdup(m->attrs[i].data_type);
        x->attrs[i].string_value = strdup(m->attrs[i].string_value ? m->attrs[i].string_value : "");
    }
    x->nattrs = m->nattrs;
    strcpy(out->message_id, x->id);
    md5hex(m->body, m->body_len, out->md5_body);
    gh_sqs_md5_of_attributes(m->attrs, m->nattrs, out->md5_attrs);
    return 0;
}
int gh_sqs_receive_messages(gh_sqs *s, const char *name, const gh_sqs_receive *r,
                            gh_sqs_message **out, size_t *n, gh_sqs_error *e)
{
    shim_q *q = find(s, name);
    *out = NULL;
    *n = 0;
    if (!q)
        return noq(e), -1;
    *out = calloc(10, sizeof **out);
    for (size_t i = 0; i < q->n && *n < (size_t)(r->max_messages ? r->max_messages : 1); i++) {
        shim_msg *x = &q->m[i];
        if (x->deleted || x->inflight)
            continue;
        x->inflight = 1;
        x->count++;
        snprintf(x->handle, sizeof x->handle, "%s#%d", x->id, x->count);
        gh_sqs_message *o = &(*out)[(*n)++];
        o->message_id = strdup(x->id);
        o->receipt_handle = strdup(x->handle);
        o->body = strdup(x->body);
        o->body_len = strlen(x->body);
        md5hex(x->body, o->body_len, o->md5_body);
        gh_sqs_md5_of_attributes(x->attrs, x->nattrs, o->md5_attrs);
        o->attrs = x->attrs;
        o->nattrs = x->nattrs;
        o->sent_ms = 1700000000000;
        o->first_receive_ms = 1700000000001;
        o->receive_count = x->count;
        o->sender_id = strdup("AIDAEXAMPLE");
    }
    return 0;
}
void gh_sqs_messages_free(gh_sqs_message *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].message_id); free(m[i].receipt_handle); free(m[i].body); free(m[i].sender_id);
    }
    free(m);
}
int gh_sqs_delete_message(gh_sqs *s, const char *name, const char *h, gh_sqs_error *e)
{
    shim_q *q = find(s, name);
    if (!q)
        return noq(e), -1;
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->m[i].handle, h)) {
            q->m[i].deleted = 1;
            return 0;
        }
    e->code = "ReceiptHandleIsInvalid"; e->status = 400; e->sender = true;
    snprintf(e->message, sizeof e->message, "The input receipt handle \"%s\" is not a valid receipt handle.", h);
    return -1;
}
int gh_sqs_change_visibility(gh_sqs *s, const char *name, const char *h, int secs, gh_sqs_error *e)
{
    shim_q *q = find(s, name);
    if (!q)
        return noq(e), -1;
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->m[i].handle, h)) {
            q->m[i].inflight = secs > 0;
            return 0;
        }
    e->code = "ReceiptHandleIsInvalid"; e->status = 400; e->sender = true;
    snprintf(e->message, sizeof e->message, "The input receipt handle \"%s\" is not a valid receipt handle.", h);
    return -1;
}

static int notopic(gh_sns_error *e)
{
    e->code = "NotFound"; e->status = 404; e->sender = true;
    snprintf(e->message, sizeof e->message, "Topic does not exist");
    return -1;
}
static int tfind(gh_sns *s, const char *arn)
{
    for (size_t i = 0; i < s->nt; i++)
        if (arn && !strcmp(s->topics[i], arn))
            return (int)i;
    return -1;
}
gh_sns *gh_sns_new(const char *region, const char *account, gh_sqs *sqs)
{
    (void)sqs;
    gh_sns *s = calloc(1, sizeof *s);
    snprintf(s->region, sizeof s->region, "%s", region);
    snprintf(s->account, sizeof s->account, "%s", account);
    return s;
}
void gh_sns_free(gh_sns *s) { free(s); }
int gh_sns_create_topic(gh_sns *s, const char *name, const gh_kv *a, size_t n, char **arn,
                        gh_sns_error *e)
{
    (void)a; (void)n; (void)e;
    char buf[200];
    snprintf(buf, sizeof buf, "arn:aws:sns:%s:%s:%s", s->region, s->account, name);
    if (tfind(s, buf) < 0 && s->nt < 8)
        strcpy(s->topics[s->nt++], buf);
    *arn = strdup(buf);
    return 0;
}
int gh_sns_delete_topic(gh_sns *s, const char *arn, gh_sns_error *e)
{
    int i = tfind(s, arn);
    if (i >= 0)
        s->topics[i][0] = '\0';
    (void)e;
    return 0;
}
size_t gh_sns_list_topics(gh_sns *s, char ***arns)
{
    *arns = calloc(9, sizeof **arns);
    size_t n = 0;
    for (size_t i = 0; i < s->nt; i++)
        if (s->topics[i][0])
            (*arns)[n++] = strdup(s->topics[i]);
    return n;
}
json_t *gh_sns_get_topic_attributes(gh_sns *s, const char *arn, gh_sns_error *e)
{
    if (tfind(s, arn) < 0)
        return notopic(e), NULL;
    return json_pack("{s:s,s:s}", "TopicArn", arn, "DisplayName", "");
}
int gh_sns_set_topic_attribute(gh_sns *s, const char *arn, const char *n, const char *v, gh_sns_error *e)
{
    (void)n; (void)v;
    return tfind(s, arn) < 0 ? notopic(e) : 0;
}
int gh_sns_subscribe(gh_sns *s, const char *arn, const char *p, const char *ep, const gh_kv *a,
                     size_t n, char **sub, gh_sns_error *e)
{
    (void)p; (void)ep; (void)a; (void)n;
    if (tfind(s, arn) < 0)
        return notopic(e);
    char buf[300];
    snprintf(buf, sizeof buf, "%s:00000000-0000-4000-8000-000000000001", arn);
    *sub = strdup(buf);
    return 0;
}
int gh_sns_unsubscribe(gh_sns *s, const char *arn, gh_sns_error *e) { (void)s; (void)arn; (void)e; return 0; }
json_t *gh_sns_list_subscriptions(gh_sns *s, const char *arn, gh_sns_error *e)
{
    (void)s; (void)arn; (void)e;
    return json_pack("[{s:s,s:s,s:s,s:s,s:s}]", "SubscriptionArn", "arn:sub", "Owner", "123456789012",
                     "Protocol", "sqs", "Endpoint", "arn:aws:sqs:us-east-1:123456789012:q",
                     "TopicArn", "arn:topic");
}
json_t *gh_sns_get_subscription_attributes(gh_sns *s, const char *arn, gh_sns_error *e)
{
    (void)s; (void)arn; (void)e;
    return json_pack("{s:s}", "RawMessageDelivery", "false");
}
int gh_sns_set_subscription_attribute(gh_sns *s, const char *a, const char *n, const char *v, gh_sns_error *e)
{
    (void)s; (void)a; (void)n; (void)v; (void)e;
    return 0;
}
int gh_sns_publish(gh_sns *s, const struct gh_sns_publish *p, char id[37], char seq[21], gh_sns_error *e)
{
    if (tfind(s, p->topic_arn) < 0)
        return notopic(e);
    gh_uuid4(id);
    seq[0] = '\0';
    return 0;
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
void gh_sim_set_invoker(gh_sim *sim, gh_sim_invoke_fn fn, void *ud)
{
    sim->invoke = fn;
    sim->invoke_ud = ud;
}
