/* ReceiveMessage, DeleteMessage, ChangeMessageVisibility and peeking for the simulated
 * SQS: receipt handles, visibility, receive counts, redrive to the dead-letter queue and
 * long polling (SQS API Reference and Developer Guide, "Amazon SQS visibility timeout",
 * "Using dead-letter queues", "Amazon SQS short and long polling"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/sqs_internal.h"
#include "util/clock.h"
#include "util/ids.h"

/* A receipt handle names the queue (a tag of its name), the message (its sequence number
 * in the queue) and the receive it was issued for; a random tail makes every handle of
 * the same receive count look as opaque as AWS's. "AQEB" is how AWS's handles begin. */
#define HANDLE_LEN (4 + 16 + 8 + 8 + 8)

static void make_handle(const sqs_queue *qu, const sqs_msg *m, char out[HANDLE_LEN + 1])
{
    uint32_t noise;
    gh_random_bytes(&noise, sizeof noise);
    snprintf(out, HANDLE_LEN + 1, "AQEB%016llx%08x%08x%08x", (unsigned long long)m->seq,
             (unsigned)m->receive_count, (unsigned)qu->tag, (unsigned)noise);
}

static bool parse_handle(const sqs_queue *qu, const char *h, uint64_t *seq, int *serial)
{
    if (!h || strlen(h) != HANDLE_LEN || strncmp(h, "AQEB", 4) != 0)
        return false;
    for (const char *p = h + 4; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    char part[17];
    memcpy(part, h + 4, 16);
    part[16] = '\0';
    *seq = strtoull(part, NULL, 16);
    memcpy(part, h + 20, 8);
    part[8] = '\0';
    *serial = (int)strtoul(part, NULL, 16);
    memcpy(part, h + 28, 8);
    return (uint32_t)strtoul(part, NULL, 16) == qu->tag;
}

static int bad_handle(gh_sqs_error *err, const char *h)
{
    return gh_sqsi_fail(err, "ReceiptHandleIsInvalid",
                        "The input receipt handle \"%s\" is not a valid receipt handle.",
                        h ? h : "");
}

static int handle_reason(gh_sqs_error *err, const char *h, const char *reason)
{
    return gh_sqsi_fail(err, "InvalidParameterValue",
                        "Value %s for parameter ReceiptHandle is invalid. Reason: %s", h, reason);
}

static void attrs_free(gh_sqs_attr *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++) {
        free((char *)a[i].name);
        free((char *)a[i].data_type);
        free((char *)a[i].string_value);
        free((void *)a[i].binary_value);
    }
    free(a);
}

void gh_sqsi_message_clear(gh_sqs_message *o)
{
    free(o->message_id);
    free(o->receipt_handle);
    free(o->body);
    attrs_free(o->attrs, o->nattrs);
    attrs_free(o->system_attrs, o->nsystem_attrs);
    free(o->sender_id);
    free(o->group_id);
    free(o->dedup_id);
    free(o->sequence_number);
    free(o->dead_letter_source_arn);
    memset(o, 0, sizeof *o);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int gh_sqsi_copy_out(const sqs_queue *qu, const sqs_msg *m, bool with_handle, gh_sqs_message *o)
{
    memset(o, 0, sizeof *o);
    o->message_id = strdup(m->id);
    if (with_handle) {
        o->receipt_handle = malloc(HANDLE_LEN + 1);
        if (o->receipt_handle)
            make_handle(qu, m, o->receipt_handle);
    }
    o->body = malloc(m->body_len + 1);
    if (o->body)
        memcpy(o->body, m->body, m->body_len + 1);
    o->body_len = m->body_len;
    memcpy(o->md5_body, m->md5_body, sizeof o->md5_body);
    memcpy(o->md5_attrs, m->md5_attrs, sizeof o->md5_attrs);
    o->attrs = gh_sqsi_attrs_dup(m->attrs, m->nattrs);
    o->nattrs = o->attrs ? m->nattrs : 0;
    o->system_attrs = gh_sqsi_attrs_dup(m->sys, m->nsys);
    o->nsystem_attrs = o->system_attrs ? m->nsys : 0;
    o->sent_ms = m->sent_ms;
    o->first_receive_ms = m->first_receive_ms;
    o->receive_count = m->receive_count;
    o->sender_id = dup_or_null(m->sender_id);
    o->group_id = dup_or_null(m->group_id);
    o->dedup_id = dup_or_null(m->dedup_id);
    o->sequence_number = m->seqno[0] ? strdup(m->seqno) : NULL;
    o->dead_letter_source_arn = dup_or_null(m->dlq_source_arn);
    if (!o->message_id || (with_handle && !o->receipt_handle) || !o->body ||
        o->nattrs != m->nattrs || o->nsystem_attrs != m->nsys) {
        gh_sqsi_message_clear(o);
        return -1;
    }
    return 0;
}

void gh_sqs_messages_free(gh_sqs_message *m, size_t n)
{
    for (size_t i = 0; m && i < n; i++)
        gh_sqsi_message_clear(&m[i]);
    free(m);
}

/* One receive of m: invisible for vis seconds, counted, a new handle copied out. */
static int take(sqs_queue *qu, sqs_msg *m, int vis, int64_t now, gh_sqs_message *o)
{
    m->receive_count++;
    if (!m->first_receive_ms)
        m->first_receive_ms = gh_clock_now_ms();
    m->received_at = now;
    m->visible_at = now + (int64_t)vis * 1000;
    m->inflight = true;
    if (gh_sqsi_heap_push(qu, m) != 0) {
        m->inflight = false;
        m->receive_count--;
        return -1;
    }
    qu->n_inflight++;
    if (m->group)
        m->group->inflight++;
    if (qu->store)
        gh_sqsi_save_receipt(qu, m);
    if (gh_sqsi_copy_out(qu, m, true, o) != 0) {
        /* Out of memory: the message stays in flight and comes back after vis. */
        return -1;
    }
    return 0;
}

/* A message already received maxReceiveCount times moves to the dead-letter queue
 * instead of being received again (AWS: "when the ReceiveCount for a message exceeds
 * the maxReceiveCount"). */
static bool redrive_due(const sqs_queue *qu, const sqs_msg *m)
{
    return qu->dlq_name && qu->max_receive > 0 && m->receive_count >= qu->max_receive;
}

/* Collects up to max messages into out[*n...]; redriven ones are chained on *moved. */
static void collect(sqs_queue *qu, int max, int vis, int64_t now, gh_sqs_message *out, size_t *n,
                    sqs_msg **moved)
{
    if (!qu->fifo) {
        for (sqs_msg *m = qu->ready_head, *next; m && (int)*n < max; m = next) {
            next = m->next;
            if (redrive_due(qu, m)) {
                gh_sqsi_unstore(qu, m);
                m->next = *moved;
                *moved = m;
                continue;
            }
            gh_sqsi_ready_unlink(qu, m);
            if (take(qu, m, vis, now, &out[*n]) == 0)
                (*n)++;
        }
        return;
    }
    /* FIFO: whole groups in turn, each from its first message, stopping at the first
     * that is not visible; the group is then blocked until its messages are deleted or
     * visible again. */
    sqs_group *g;
    while ((int)*n < max && (g = gh_sqsi_next_group(qu)) != NULL) {
        sqs_msg *m = g->head;
        bool alive = true;
        while (m && (int)*n < max && m->heap_ix == SQS_NOT_IN_HEAP) {
            sqs_msg *next = m->next;
            if (redrive_due(qu, m)) {
                alive = gh_sqsi_unstore(qu, m) != NULL;
                m->next = *moved;
                *moved = m;
                if (!alive)
                    break;
            } else if (take(qu, m, vis, now, &out[*n]) == 0) {
                (*n)++;
            }
            m = next;
        }
        if (alive)
            gh_sqsi_group_check(qu, g);
    }
}

/* Puts redriven messages on the dead-letter queue (or back on the source if it vanished
 * meanwhile: a message is never lost to a missing target). No lock held on entry. */
static bool redrive(gh_sqs *q, sqs_queue *src, const char *dlq_name, sqs_msg *moved)
{
    gh_sqs_observer fn = NULL;
    void *ud = NULL;
    sqs_queue *dlq = dlq_name ? gh_sqsi_get(q, dlq_name, NULL, &fn, &ud) : NULL;
    sqs_queue *to = dlq ? dlq : src;
    while (moved) {
        sqs_msg *m = moved;
        moved = m->next;
        gh_sqs_message copy = {0};
        bool notify = false;
        pthread_mutex_lock(&to->mu);
        int64_t now = gh_clock_mono_ms();
        if (dlq) {
            free(m->dlq_source_arn);
            m->dlq_source_arn = strdup(src->arn);
            m->receive_count = 0;
            m->first_receive_ms = 0;
            /* Standard queues keep the original enqueue time for retention; FIFO queues
             * reset it on the move (Developer Guide, dead-letter queues). */
            if (to->fifo)
                m->born = now;
        }
        if (to->deleted || gh_sqsi_store(to, m, now, 0) != 0) {
            if (src->store)
                gh_store_msg_delete(src->store, m->id);
            gh_sqsi_msg_free(m);
        } else {
            /* The row (keyed by MessageId) moves to the dead-letter queue in one
             * statement: a crash leaves the message in one queue or the other. */
            if (to->store)
                gh_sqsi_save_msg(to, m);
            if (dlq && fn)
                notify = gh_sqsi_copy_out(to, m, false, &copy) == 0;
        }
        pthread_mutex_unlock(&to->mu);
        if (notify) {
            gh_sqsi_notify(q, to->name, &copy);
            gh_sqsi_message_clear(&copy);
        }
    }
    if (dlq)
        gh_sqsi_put(q, dlq);
    return dlq != NULL;
}

static void wait_a_little(sqs_queue *qu)
{
    /* Real time, at most 50 ms: a fake clock advanced by a test ends the wait too. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 50 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    qu->waiters++;
    pthread_cond_timedwait(&qu->cv, &qu->mu, &ts);
    qu->waiters--;
}

int gh_sqs_receive_messages(gh_sqs *q, const char *queue, const gh_sqs_receive *r,
                            gh_sqs_message **out, size_t *n, gh_sqs_error *err)
{
    *out = NULL;
    *n = 0;
    int max = r->max_messages == 0 ? 1 : r->max_messages;
    if (max < 1 || max > 10)
        return gh_sqsi_fail(err, "InvalidParameterValue",
                            "Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must "
                            "be between 1 and 10, if provided.",
                            r->max_messages);
    if (r->wait_seconds < -1 || r->wait_seconds > 20)
        return gh_sqsi_fail(err, "InvalidParameterValue",
                            "Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be "
                            ">= 0 and <= 20, if provided.",
                            r->wait_seconds);
    if (r->visibility_timeout < -1 || r->visibility_timeout > 43200)
        return gh_sqsi_fail(err, "InvalidParameterValue",
                            "Value %d for parameter VisibilityTimeout is invalid. Reason: Must "
                            "be >= 0 and <= 43200, if provided.",
                            r->visibility_timeout);
    sqs_queue *qu = gh_sqsi_get(q, queue, err, NULL, NULL);
    if (!qu)
        return -1;
    gh_sqs_message *msgs = calloc((size_t)max, sizeof *msgs);
    int rc = 0;
    size_t got = 0;
    if (!msgs) {
        gh_sqsi_put(q, qu);
        return gh_sqsi_fail(err, "InternalError", "out of memory");
    }
    pthread_mutex_lock(&qu->mu);
    int wait = r->wait_seconds >= 0 ? r->wait_seconds : qu->wait;
    int64_t deadline = gh_clock_mono_ms() + (int64_t)wait * 1000;
    for (;;) {
        if (qu->deleted) {
            rc = gh_sqsi_fail(err, GH_SQS_NO_QUEUE,
                              "The specified queue does not exist for this wsdl version.");
            break;
        }
        int64_t now = gh_clock_mono_ms();
        gh_sqsi_settle(qu, now);
        int vis = r->visibility_timeout >= 0 ? r->visibility_timeout : qu->visibility;
        sqs_msg *moved = NULL;
        /* With --state the batch's new visibilities are one transaction. */
        if (qu->store)
            gh_store_begin(qu->store);
        collect(qu, max, vis, now, msgs, &got, &moved);
        if (qu->store)
            gh_store_commit(qu->store);
        if (moved) {
            char *dlq = qu->dlq_name ? strdup(qu->dlq_name) : NULL;
            pthread_mutex_unlock(&qu->mu);
            bool went = redrive(q, qu, dlq, moved);
            free(dlq);
            pthread_mutex_lock(&qu->mu);
            if (went && got < (size_t)max)
                continue; /* more may be visible behind the moved ones */
        }
        if (got > 0 || now >= deadline)
            break;
        wait_a_little(qu);
    }
    pthread_mutex_unlock(&qu->mu);
    gh_sqsi_put(q, qu);
    if (rc != 0 || got == 0) {
        gh_sqs_messages_free(msgs, got);
        return rc;
    }
    *out = msgs;
    *n = got;
    return 0;
}

int gh_sqs_delete_message(gh_sqs *q, const char *queue, const char *receipt, gh_sqs_error *err)
{
    if (!receipt || !*receipt)
        return gh_sqsi_fail(err, "MissingParameter",
                            "The request must contain the parameter ReceiptHandle.");
    sqs_queue *qu = gh_sqsi_get(q, queue, err, NULL, NULL);
    if (!qu)
        return -1;
    uint64_t seq;
    int serial, rc = 0;
    if (!parse_handle(qu, receipt, &seq, &serial)) {
        gh_sqsi_put(q, qu);
        return bad_handle(err, receipt);
    }
    pthread_mutex_lock(&qu->mu);
    gh_sqsi_settle(qu, gh_clock_mono_ms());
    sqs_msg *m = gh_sqsi_by_seq(qu, seq);
    /* A handle of a message already gone succeeds. Standard queues delete with any handle
     * of a message in flight, and with the latest one after it became visible again;
     * an older handle of a visible message succeeds without deleting (API Reference,
     * DeleteMessage). FIFO queues refuse a handle whose receive has expired. */
    bool latest = m && serial == m->receive_count && m->receive_count > 0;
    bool del = m && (qu->fifo ? m->inflight && latest : m->inflight || latest);
    if (m && qu->fifo && !del && serial <= m->receive_count)
        rc = handle_reason(err, receipt, "The receipt handle has expired.");
    if (del) {
        if (qu->store)
            gh_store_msg_delete(qu->store, m->id);
        sqs_group *g = gh_sqsi_unstore(qu, m);
        if (g)
            gh_sqsi_group_check(qu, g);
        gh_sqsi_msg_free(m);
        if (g && qu->waiters)
            pthread_cond_broadcast(&qu->cv); /* the group may be served again */
    }
    pthread_mutex_unlock(&qu->mu);
    gh_sqsi_put(q, qu);
    return rc;
}

int gh_sqs_change_visibility(gh_sqs *q, const char *queue, const char *receipt, int seconds,
                             gh_sqs_error *err)
{
    if (!receipt || !*receipt)
        return gh_sqsi_fail(err, "MissingParameter",
                            "The request must contain the parameter ReceiptHandle.");
    sqs_queue *qu = gh_sqsi_get(q, queue, err, NULL, NULL);
    if (!qu)
        return -1;
    uint64_t seq;
    int serial, rc = 0;
    if (!parse_handle(qu, receipt, &seq, &serial)) {
        gh_sqsi_put(q, qu);
        return bad_handle(err, receipt);
    }
    int64_t now = gh_clock_mono_ms();
    pthread_mutex_lock(&qu->mu);
    gh_sqsi_settle(qu, now);
    sqs_msg *m = gh_sqsi_by_seq(qu, seq);
    if (!m || serial > m->receive_count) {
        rc = handle_reason(err, receipt,
                           "Message does not exist or is not available for visibility timeout "
                           "change.");
    } else if (!m->inflight || (qu->fifo && serial != m->receive_count)) {
        rc = handle_reason(err, receipt, "The receipt handle has expired.");
    } else if (seconds < 0 || (now - m->received_at) / 1000 + seconds > 43200) {
        /* The 12-hour cap counts from the receive, not from now. */
        rc = gh_sqsi_fail(err, "InvalidParameterValue",
                          "Value %d for parameter VisibilityTimeout is invalid. Reason: Total "
                          "VisibilityTimeout for the message is beyond the limit [43200 "
                          "seconds]",
                          seconds);
    } else {
        m->visible_at = now + (int64_t)seconds * 1000;
        gh_sqsi_heap_fix(qu, m);
        if (qu->store)
            gh_sqsi_save_receipt(qu, m);
        if (seconds == 0) {
            gh_sqsi_settle(qu, now);
            if (qu->waiters)
                pthread_cond_broadcast(&qu->cv);
        }
    }
    pthread_mutex_unlock(&qu->mu);
    gh_sqsi_put(q, qu);
    return rc;
}

int gh_sqs_peek(gh_sqs *q, const char *queue, size_t max, gh_sqs_message **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqs_queue *qu = gh_sqsi_get(q, queue, NULL, NULL, NULL);
    if (!qu)
        return -1;
    pthread_mutex_lock(&qu->mu);
    gh_sqsi_settle(qu, gh_clock_mono_ms());
    size_t want = max < qu->n_all ? max : qu->n_all;
    gh_sqs_message *msgs = want ? calloc(want, sizeof *msgs) : NULL;
    size_t got = 0;
    for (sqs_msg *m = qu->all_head; msgs && m && got < want; m = m->all_next)
        if (gh_sqsi_copy_out(qu, m, false, &msgs[got]) == 0)
            got++;
    pthread_mutex_unlock(&qu->mu);
    gh_sqsi_put(q, qu);
    if (!got) {
        free(msgs);
        return 0;
    }
    *out = msgs;
    *n = got;
    return 0;
}
