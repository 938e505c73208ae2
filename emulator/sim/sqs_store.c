/* How one simulated queue keeps its messages (every function here runs with the queue's
 * lock held):
 *   - every message on a list in arrival order (retention drops from its head, peek walks it);
 *   - standard queues: the visible messages on a "ready" list in arrival order;
 *   - FIFO queues: each message group's messages in order, and a list of the groups that
 *     can be served (none of their messages in flight, the first one visible), which is
 *     how SQS keeps one group's messages from being in flight twice;
 *   - the delayed and in-flight messages in a min-heap by the time they become visible;
 *   - a table from the sequence number that receipt handles carry to the message;
 *   - FIFO: the deduplication ids of the last 5 minutes.
 * So a receive, a delete and a visibility change cost O(log n), never a scan. */
#include <stdlib.h>
#include <string.h>

#include "sim/sqs_internal.h"

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* ---- the heap of delayed and in-flight messages ---- */

static void heap_set(sqs_queue *qu, size_t i, sqs_msg *m)
{
    qu->heap[i] = m;
    m->heap_ix = i;
}

static void heap_up(sqs_queue *qu, size_t i)
{
    sqs_msg *m = qu->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (qu->heap[p]->visible_at <= m->visible_at)
            break;
        heap_set(qu, i, qu->heap[p]);
        i = p;
    }
    heap_set(qu, i, m);
}

static void heap_down(sqs_queue *qu, size_t i)
{
    sqs_msg *m = qu->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= qu->heap_n)
            break;
        if (c + 1 < qu->heap_n && qu->heap[c + 1]->visible_at < qu->heap[c]->visible_at)
            c++;
        if (qu->heap[c]->visible_at >= m->visible_at)
            break;
        heap_set(qu, i, qu->heap[c]);
        i = c;
    }
    heap_set(qu, i, m);
}

int gh_sqsi_heap_push(sqs_queue *qu, sqs_msg *m)
{
    if (qu->heap_n == qu->heap_cap) {
        size_t cap = qu->heap_cap ? 2 * qu->heap_cap : 64;
        sqs_msg **h = realloc(qu->heap, cap * sizeof *h);
        if (!h)
            return -1;
        qu->heap = h;
        qu->heap_cap = cap;
    }
    qu->heap[qu->heap_n] = m;
    m->heap_ix = qu->heap_n++;
    heap_up(qu, m->heap_ix);
    return 0;
}

static void heap_remove(sqs_queue *qu, sqs_msg *m)
{
    size_t i = m->heap_ix;
    sqs_msg *last = qu->heap[--qu->heap_n];
    m->heap_ix = SQS_NOT_IN_HEAP;
    if (i == qu->heap_n)
        return;
    heap_set(qu, i, last);
    heap_up(qu, i);
    heap_down(qu, last->heap_ix);
}

void gh_sqsi_heap_fix(sqs_queue *qu, sqs_msg *m)
{
    heap_up(qu, m->heap_ix);
    heap_down(qu, m->heap_ix);
}

/* ---- receipt-handle table: sequence number -> message ---- */

static int handles_grow(sqs_queue *qu)
{
    size_t nb = qu->nhandle_buckets ? 2 * qu->nhandle_buckets : 256;
    sqs_msg **b = calloc(nb, sizeof *b);
    if (!b)
        return -1;
    for (size_t i = 0; i < qu->nhandle_buckets; i++)
        for (sqs_msg *m = qu->handles[i], *n; m; m = n) {
            n = m->hnext;
            m->hnext = b[m->seq & (nb - 1)];
            b[m->seq & (nb - 1)] = m;
        }
    free(qu->handles);
    qu->handles = b;
    qu->nhandle_buckets = nb;
    return 0;
}

static int handles_add(sqs_queue *qu, sqs_msg *m)
{
    if (qu->nhandles >= qu->nhandle_buckets && handles_grow(qu) != 0 && !qu->nhandle_buckets)
        return -1;
    sqs_msg **b = &qu->handles[m->seq & (qu->nhandle_buckets - 1)];
    m->hnext = *b;
    *b = m;
    qu->nhandles++;
    return 0;
}

sqs_msg *gh_sqsi_by_seq(sqs_queue *qu, uint64_t seq)
{
    if (!qu->nhandle_buckets)
        return NULL;
    for (sqs_msg *m = qu->handles[seq & (qu->nhandle_buckets - 1)]; m; m = m->hnext)
        if (m->seq == seq)
            return m;
    return NULL;
}

static void handles_remove(sqs_queue *qu, sqs_msg *m)
{
    for (sqs_msg **p = &qu->handles[m->seq & (qu->nhandle_buckets - 1)]; *p; p = &(*p)->hnext)
        if (*p == m) {
            *p = m->hnext;
            qu->nhandles--;
            return;
        }
}

/* ---- FIFO message groups ---- */

static sqs_group *group_get(sqs_queue *qu, const char *id)
{
    if (qu->ngroups >= qu->ngroup_buckets) {
        size_t nb = qu->ngroup_buckets ? 2 * qu->ngroup_buckets : 64;
        sqs_group **b = calloc(nb, sizeof *b);
        if (!b && !qu->ngroup_buckets)
            return NULL;
        if (b) {
            for (size_t i = 0; i < qu->ngroup_buckets; i++)
                for (sqs_group *g = qu->groups[i], *n; g; g = n) {
                    n = g->hnext;
                    size_t k = str_hash(g->id) & (nb - 1);
                    g->hnext = b[k];
                    b[k] = g;
                }
            free(qu->groups);
            qu->groups = b;
            qu->ngroup_buckets = nb;
        }
    }
    size_t k = str_hash(id) & (qu->ngroup_buckets - 1);
    for (sqs_group *g = qu->groups[k]; g; g = g->hnext)
        if (strcmp(g->id, id) == 0)
            return g;
    sqs_group *g = calloc(1, sizeof *g);
    if (!g || !(g->id = strdup(id))) {
        free(g);
        return NULL;
    }
    g->hnext = qu->groups[k];
    qu->groups[k] = g;
    qu->ngroups++;
    return g;
}

static void ready_group_unlink(sqs_queue *qu, sqs_group *g)
{
    if (!g->ready)
        return;
    if (g->rprev)
        g->rprev->rnext = g->rnext;
    else
        qu->rg_head = g->rnext;
    if (g->rnext)
        g->rnext->rprev = g->rprev;
    else
        qu->rg_tail = g->rprev;
    g->rprev = g->rnext = NULL;
    g->ready = false;
}

sqs_group *gh_sqsi_next_group(sqs_queue *qu)
{
    sqs_group *g = qu->rg_head;
    if (g)
        ready_group_unlink(qu, g);
    return g;
}

/* A group is served again once none of its messages is in flight and its first one is
 * visible (not delayed). */
void gh_sqsi_group_check(sqs_queue *qu, sqs_group *g)
{
    if (g->ready || g->inflight > 0 || !g->head || g->head->heap_ix != SQS_NOT_IN_HEAP)
        return;
    g->ready = true;
    g->rprev = qu->rg_tail;
    g->rnext = NULL;
    if (qu->rg_tail)
        qu->rg_tail->rnext = g;
    else
        qu->rg_head = g;
    qu->rg_tail = g;
}

static void group_free(sqs_queue *qu, sqs_group *g)
{
    ready_group_unlink(qu, g);
    for (sqs_group **p = &qu->groups[str_hash(g->id) & (qu->ngroup_buckets - 1)]; *p;
         p = &(*p)->hnext)
        if (*p == g) {
            *p = g->hnext;
            break;
        }
    qu->ngroups--;
    free(g->id);
    free(g);
}

/* ---- the ready list of a standard queue, kept in arrival order ---- */

static void ready_insert(sqs_queue *qu, sqs_msg *m, bool from_tail)
{
    /* A message back from flight is older than most: look from the head; a message whose
     * delay ended is newer than most: look from the tail. */
    sqs_msg *after = NULL;
    if (from_tail) {
        after = qu->ready_tail;
        while (after && after->seq > m->seq)
            after = after->prev;
    } else {
        sqs_msg *before = qu->ready_head;
        while (before && before->seq < m->seq)
            before = before->next;
        after = before ? before->prev : qu->ready_tail;
    }
    m->prev = after;
    m->next = after ? after->next : qu->ready_head;
    if (m->next)
        m->next->prev = m;
    else
        qu->ready_tail = m;
    if (after)
        after->next = m;
    else
        qu->ready_head = m;
}

void gh_sqsi_ready_unlink(sqs_queue *qu, sqs_msg *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        qu->ready_head = m->next;
    if (m->next)
        m->next->prev = m->prev;
    else
        qu->ready_tail = m->prev;
    m->prev = m->next = NULL;
}

/* ---- storing and removing ---- */

int gh_sqsi_store(sqs_queue *qu, sqs_msg *m, int64_t now, int delay_s)
{
    m->seq = qu->next_seq++;
    m->heap_ix = SQS_NOT_IN_HEAP;
    m->inflight = false;
    m->prev = m->next = m->all_prev = m->all_next = NULL;
    m->group = NULL;
    if (qu->fifo) {
        m->group = group_get(qu, m->group_id ? m->group_id : "");
        if (!m->group)
            return -1;
    }
    if (handles_add(qu, m) != 0)
        return -1;
    if (delay_s > 0) {
        m->visible_at = now + (int64_t)delay_s * 1000;
        if (gh_sqsi_heap_push(qu, m) != 0) {
            handles_remove(qu, m);
            return -1;
        }
        qu->n_delayed++;
    }
    /* Arrival order by retention start: a message redriven from a standard queue keeps
     * its original enqueue time, so it may belong before newer ones. */
    sqs_msg *after = qu->all_tail;
    while (after && after->born > m->born)
        after = after->all_prev;
    m->all_prev = after;
    m->all_next = after ? after->all_next : qu->all_head;
    if (m->all_next)
        m->all_next->all_prev = m;
    else
        qu->all_tail = m;
    if (after)
        after->all_next = m;
    else
        qu->all_head = m;
    qu->n_all++;
    if (qu->fifo) {
        sqs_group *g = m->group;
        m->prev = g->tail;
        if (g->tail)
            g->tail->next = m;
        else
            g->head = m;
        g->tail = m;
        gh_sqsi_group_check(qu, g);
    } else if (delay_s <= 0) {
        ready_insert(qu, m, true);
    }
    if (qu->waiters)
        pthread_cond_broadcast(&qu->cv);
    return 0;
}

sqs_group *gh_sqsi_unstore(sqs_queue *qu, sqs_msg *m)
{
    bool in_ready = !qu->fifo && m->heap_ix == SQS_NOT_IN_HEAP;
    sqs_group *g = m->group;
    if (m->heap_ix != SQS_NOT_IN_HEAP) {
        heap_remove(qu, m);
        if (m->inflight) {
            qu->n_inflight--;
            if (g)
                g->inflight--;
        } else {
            qu->n_delayed--;
        }
    }
    m->inflight = false;
    if (in_ready)
        gh_sqsi_ready_unlink(qu, m);
    if (g) {
        if (m->prev)
            m->prev->next = m->next;
        else
            g->head = m->next;
        if (m->next)
            m->next->prev = m->prev;
        else
            g->tail = m->prev;
        m->prev = m->next = NULL;
        m->group = NULL;
        if (!g->head) {
            group_free(qu, g);
            g = NULL;
        }
    }
    if (m->all_prev)
        m->all_prev->all_next = m->all_next;
    else
        qu->all_head = m->all_next;
    if (m->all_next)
        m->all_next->all_prev = m->all_prev;
    else
        qu->all_tail = m->all_prev;
    m->all_prev = m->all_next = NULL;
    qu->n_all--;
    handles_remove(qu, m);
    return g;
}

void gh_sqsi_msg_free(sqs_msg *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nattrs; i++) {
        free((char *)m->attrs[i].name);
        free((char *)m->attrs[i].data_type);
        free((char *)m->attrs[i].string_value);
        free((void *)m->attrs[i].binary_value);
    }
    for (size_t i = 0; i < m->nsys; i++) {
        free((char *)m->sys[i].name);
        free((char *)m->sys[i].data_type);
        free((char *)m->sys[i].string_value);
        free((void *)m->sys[i].binary_value);
    }
    free(m->attrs);
    free(m->sys);
    free(m->body);
    free(m->sender_id);
    free(m->group_id);
    free(m->dedup_id);
    free(m->dlq_source_arn);
    free(m);
}

void gh_sqsi_clear(sqs_queue *qu)
{
    for (sqs_msg *m = qu->all_head, *n; m; m = n) {
        n = m->all_next;
        gh_sqsi_msg_free(m);
    }
    qu->all_head = qu->all_tail = NULL;
    qu->ready_head = qu->ready_tail = NULL;
    qu->n_all = qu->n_inflight = qu->n_delayed = 0;
    qu->heap_n = 0;
    for (size_t i = 0; i < qu->nhandle_buckets; i++)
        qu->handles[i] = NULL;
    qu->nhandles = 0;
    for (size_t i = 0; i < qu->ngroup_buckets; i++) {
        for (sqs_group *g = qu->groups[i], *n; g; g = n) {
            n = g->hnext;
            free(g->id);
            free(g);
        }
        qu->groups[i] = NULL;
    }
    qu->ngroups = 0;
    qu->rg_head = qu->rg_tail = NULL;
}

/* ---- time passing ---- */

void gh_sqsi_settle(sqs_queue *qu, int64_t now)
{
    /* Retention: the oldest message is first on the arrival list. */
    int64_t keep_ms = (int64_t)qu->retention * 1000;
    while (qu->all_head && qu->all_head->born + keep_ms <= now) {
        sqs_msg *m = qu->all_head;
        if (qu->store)
            gh_store_msg_delete(qu->store, m->id);
        sqs_group *g = gh_sqsi_unstore(qu, m);
        if (g)
            gh_sqsi_group_check(qu, g);
        gh_sqsi_msg_free(m);
    }
    while (qu->dd_head && qu->dd_head->expires <= now) {
        sqs_dedup *d = qu->dd_head;
        qu->dd_head = d->onext;
        if (!qu->dd_head)
            qu->dd_tail = NULL;
        for (sqs_dedup **p = &qu->dd[str_hash(d->key) & (qu->ndd_buckets - 1)]; *p;
             p = &(*p)->hnext)
            if (*p == d) {
                *p = d->hnext;
                break;
            }
        qu->ndd--;
        if (qu->store)
            gh_store_dedup_delete(qu->store, qu->name, d->key);
        free(d->key);
        free(d);
    }
    while (qu->heap_n && qu->heap[0]->visible_at <= now) {
        sqs_msg *m = qu->heap[0];
        heap_remove(qu, m);
        bool was_inflight = m->inflight;
        if (m->inflight) {
            m->inflight = false;
            qu->n_inflight--;
            if (m->group)
                m->group->inflight--;
        } else {
            qu->n_delayed--;
        }
        if (m->group)
            gh_sqsi_group_check(qu, m->group);
        else
            ready_insert(qu, m, !was_inflight);
    }
}

/* ---- FIFO deduplication (5 minutes) ---- */

const sqs_dedup *gh_sqsi_dedup_find(sqs_queue *qu, const char *key)
{
    if (!qu->ndd_buckets)
        return NULL;
    for (sqs_dedup *d = qu->dd[str_hash(key) & (qu->ndd_buckets - 1)]; d; d = d->hnext)
        if (strcmp(d->key, key) == 0)
            return d;
    return NULL;
}

int gh_sqsi_dedup_add(sqs_queue *qu, const char *key, const char *message_id, const char *seqno,
                      int64_t expires)
{
    if (qu->ndd >= qu->ndd_buckets) {
        size_t nb = qu->ndd_buckets ? 2 * qu->ndd_buckets : 256;
        sqs_dedup **b = calloc(nb, sizeof *b);
        if (!b)
            return qu->ndd_buckets ? 0 : -1;
        for (sqs_dedup *d = qu->dd_head; d; d = d->onext) {
            size_t k = str_hash(d->key) & (nb - 1);
            d->hnext = b[k];
            b[k] = d;
        }
        free(qu->dd);
        qu->dd = b;
        qu->ndd_buckets = nb;
    }
    sqs_dedup *d = calloc(1, sizeof *d);
    if (!d || !(d->key = strdup(key))) {
        free(d);
        return -1;
    }
    memcpy(d->message_id, message_id, sizeof d->message_id);
    memcpy(d->seqno, seqno, sizeof d->seqno);
    d->expires = expires;
    size_t k = str_hash(key) & (qu->ndd_buckets - 1);
    d->hnext = qu->dd[k];
    qu->dd[k] = d;
    if (qu->dd_tail)
        qu->dd_tail->onext = d;
    else
        qu->dd_head = d;
    qu->dd_tail = d;
    qu->ndd++;
    return 0;
}
