/* SHIM: drop at merge. A throwaway gh_sqs_* (sim/sqs.h) just big enough for the SNS
 * tests until the real engine (branch sim-sqs) lands: queues are names with a list of
 * sent messages; peek returns them in order. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sqs.h"
#include "util/ids.h"

typedef struct shim_msg {
    char *id, *body, *group, *dedup;
    size_t len;
    gh_sqs_attr *attrs;
    size_t nattrs;
} shim_msg;

typedef struct shim_queue {
    char *name;
    bool fifo;
    shim_msg *m;
    size_t n;
} shim_queue;

struct gh_sqs {
    pthread_mutex_t mu;
    char *region, *account;
    shim_queue *q;
    size_t n;
};

gh_sqs *gh_sqs_new(const char *region, const char *account)
{
    gh_sqs *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->region = strdup(region);
    s->account = strdup(account);
    return s;
}

static void free_attrs(gh_sqs_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)a[i].name);
        free((char *)a[i].data_type);
        free((char *)a[i].string_value);
        free((unsigned char *)a[i].binary_value);
    }
    free(a);
}

void gh_sqs_free(gh_sqs *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->q[i].n; k++) {
            shim_msg *m = &s->q[i].m[k];
            free(m->id), free(m->body), free(m->group), free(m->dedup);
            free_attrs(m->attrs, m->nattrs);
        }
        free(s->q[i].m);
        free(s->q[i].name);
    }
    free(s->q);
    free(s->region);
    free(s->account);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static shim_queue *find(gh_sqs *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->q[i].name, name))
            return &s->q[i];
    return NULL;
}

int gh_sqs_create_queue(gh_sqs *s, const char *name, const gh_kv *attrs, size_t nattrs,
                        gh_sqs_error *err)
{
    (void)err;
    pthread_mutex_lock(&s->mu);
    if (!find(s, name)) {
        s->q = realloc(s->q, (s->n + 1) * sizeof *s->q);
        shim_queue *q = &s->q[s->n++];
        memset(q, 0, sizeof *q);
        q->name = strdup(name);
        for (size_t i = 0; i < nattrs; i++)
            if (!strcmp(attrs[i].key, "FifoQueue") && !strcmp(attrs[i].value, "true"))
                q->fifo = true;
    }
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int gh_sqs_exists(gh_sqs *s, const char *name)
{
    pthread_mutex_lock(&s->mu);
    int r = find(s, name) != NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

void gh_sqs_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static gh_sqs_attr *copy_attrs(const gh_sqs_attr *a, size_t n)
{
    gh_sqs_attr *c = calloc(n ? n : 1, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        c[i].name = strdup(a[i].name);
        c[i].data_type = strdup(a[i].data_type);
        c[i].string_value = a[i].string_value ? strdup(a[i].string_value) : NULL;
        if (a[i].binary_value) {
            unsigned char *b = malloc(a[i].binary_len + 1);
            memcpy(b, a[i].binary_value, a[i].binary_len);
            c[i].binary_value = b;
            c[i].binary_len = a[i].binary_len;
        }
    }
    return c;
}

int gh_sqs_send_message(gh_sqs *s, const char *queue, const gh_sqs_send *m, gh_sqs_sent *out,
                        gh_sqs_error *err)
{
    pthread_mutex_lock(&s->mu);
    shim_queue *q = find(s, queue);
    if (!q) {
        pthread_mutex_unlock(&s->mu);
        err->code = "AWS.SimpleQueueService.NonExistentQueue";
        strcpy(err->message, "The specified queue does not exist for this wsdl version.");
        err->status = 400;
        err->sender = true;
        return -1;
    }
    q->m = realloc(q->m, (q->n + 1) * sizeof *q->m);
    shim_msg *sm = &q->m[q->n++];
    memset(sm, 0, sizeof *sm);
    char id[37];
    gh_uuid4(id);
    sm->id = strdup(id);
    sm->body = malloc(m->body_len + 1);
    memcpy(sm->body, m->body, m->body_len);
    sm->body[m->body_len] = '\0';
    sm->len = m->body_len;
    sm->group = m->group_id ? strdup(m->group_id) : NULL;
    sm->dedup = m->dedup_id ? strdup(m->dedup_id) : NULL;
    sm->attrs = copy_attrs(m->attrs, m->nattrs);
    sm->nattrs = m->nattrs;
    if (out) {
        memset(out, 0, sizeof *out);
        memcpy(out->message_id, id, sizeof out->message_id);
    }
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int gh_sqs_peek(gh_sqs *s, const char *queue, size_t max, gh_sqs_message **out, size_t *n)
{
    pthread_mutex_lock(&s->mu);
    shim_queue *q = find(s, queue);
    *out = NULL;
    *n = 0;
    if (!q) {
        pthread_mutex_unlock(&s->mu);
        return -1;
    }
    size_t k = q->n < max ? q->n : max;
    if (k)
        *out = calloc(k, sizeof **out);
    for (size_t i = 0; i < k; i++) {
        gh_sqs_message *m = &(*out)[i];
        m->message_id = strdup(q->m[i].id);
        m->body = strdup(q->m[i].body);
        m->body_len = q->m[i].len;
        m->attrs = copy_attrs(q->m[i].attrs, q->m[i].nattrs);
        m->nattrs = q->m[i].nattrs;
        m->group_id = q->m[i].group ? strdup(q->m[i].group) : NULL;
        m->dedup_id = q->m[i].dedup ? strdup(q->m[i].dedup) : NULL;
    }
    *n = k;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

void gh_sqs_messages_free(gh_sqs_message *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].message_id), free(m[i].receipt_handle), free(m[i].body);
        free_attrs(m[i].attrs, m[i].nattrs);
        free_attrs(m[i].system_attrs, m[i].nsystem_attrs);
        free(m[i].sender_id), free(m[i].group_id), free(m[i].dedup_id);
        free(m[i].sequence_number), free(m[i].dead_letter_source_arn);
    }
    free(m);
}

const char *gh_sqs_region(const gh_sqs *s)
{
    return s->region;
}

const char *gh_sqs_account(const gh_sqs *s)
{
    return s->account;
}
