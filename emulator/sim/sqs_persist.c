/* The simulated SQS and its store (sim/store.h, sim/persist.h): a queue's changes as
 * rows, written while the queue's lock is held so the rows follow the order of the
 * changes, and the queues rebuilt from those rows at start. Message attributes are
 * written in a compact form of our own (name, type, kind byte, length, bytes): binary
 * values survive and no JSON escaping costs a send. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/persist.h"
#include "sim/sqs_internal.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

/* Wall clock minus monotonic clock, now: adds to a monotonic time to store it. */
static int64_t wall_offset(void)
{
    return gh_clock_now_ms() - gh_clock_mono_ms();
}

static void encode_attrs(gh_buf *b, const gh_sqs_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        gh_buf_append(b, a[i].name, strlen(a[i].name) + 1);
        gh_buf_append(b, a[i].data_type, strlen(a[i].data_type) + 1);
        bool bin = a[i].binary_value != NULL;
        size_t len = bin ? a[i].binary_len : a[i].string_value ? strlen(a[i].string_value) : 0;
        unsigned char head[5] = {bin ? 'B' : 'S', (unsigned char)len, (unsigned char)(len >> 8),
                                 (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
        gh_buf_append(b, head, sizeof head);
        gh_buf_append(b, bin ? (const void *)a[i].binary_value : a[i].string_value, len);
    }
}

/* The attributes encode_attrs wrote; -1 when the bytes are not such a list. */
static int decode_attrs(const unsigned char *p, size_t n, gh_sqs_attr **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    const unsigned char *end = p + n;
    while (p < end) {
        const unsigned char *name = p, *nul = memchr(p, 0, (size_t)(end - p));
        const unsigned char *type = nul ? nul + 1 : NULL;
        const unsigned char *tnul =
            type && type < end ? memchr(type, 0, (size_t)(end - type)) : NULL;
        if (!tnul || end - tnul < 6)
            return -1;
        const unsigned char *h = tnul + 1;
        size_t len = (size_t)h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16 | (size_t)h[4] << 24;
        const unsigned char *v = h + 5;
        if ((size_t)(end - v) < len)
            return -1;
        gh_sqs_attr *grown = realloc(*out, (*count + 1) * sizeof *grown);
        if (!grown)
            return -1;
        *out = grown;
        gh_sqs_attr *a = &grown[(*count)++];
        memset(a, 0, sizeof *a);
        a->name = strdup((const char *)name);
        a->data_type = strdup((const char *)type);
        char *val = malloc(len + 1);
        if (val) {
            memcpy(val, v, len);
            val[len] = '\0';
        }
        if (h[0] == 'B') {
            a->binary_value = (unsigned char *)val;
            a->binary_len = len;
        } else {
            a->string_value = val;
        }
        if (!a->name || !a->data_type || !val)
            return -1;
        p = v + len;
    }
    return 0;
}

int gh_sqsi_save_queue(sqs_queue *qu)
{
    json_t *o = json_object();
    for (int a = 0; o && a < SQA_COUNT; a++)
        if (qu->val[a])
            json_object_set_new(o, gh_sqsi_attr_names[a], json_string(qu->val[a]));
    char *attrs = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    gh_store_queue row = {qu->name,       qu->fifo,     attrs ? attrs : "{}", qu->created_s,
                          qu->modified_s, qu->next_seq, qu->last_seqno};
    int rc = gh_store_queue_put(qu->store, &row);
    free(attrs);
    return rc;
}

static int put_msg(sqs_queue *qu, const sqs_msg *m)
{
    int64_t off = wall_offset();
    gh_buf attrs = GH_BUF_INIT, sys = GH_BUF_INIT;
    encode_attrs(&attrs, m->attrs, m->nattrs);
    encode_attrs(&sys, m->sys, m->nsys);
    gh_store_msg row = {
        .queue = qu->name,
        .id = m->id,
        .seq = m->seq,
        .body = m->body,
        .body_len = m->body_len,
        .attrs = attrs.len ? attrs.data : NULL,
        .attrs_len = attrs.len,
        .sys = sys.len ? sys.data : NULL,
        .sys_len = sys.len,
        .sent_ms = m->sent_ms,
        .born_ms = m->born + off,
        .first_receive_ms = m->first_receive_ms,
        .received_at_ms = m->receive_count ? m->received_at + off : 0,
        .visible_at_ms = m->heap_ix != SQS_NOT_IN_HEAP ? m->visible_at + off : 0,
        .receive_count = m->receive_count,
        .inflight = m->inflight,
        .sender_id = m->sender_id,
        .group_id = m->group_id,
        .dedup_id = m->dedup_id,
        .dlq_source_arn = m->dlq_source_arn,
        .seqno = m->seqno[0] ? m->seqno : NULL,
    };
    int rc = gh_store_msg_put(qu->store, &row);
    gh_buf_free(&attrs);
    gh_buf_free(&sys);
    return rc;
}

int gh_sqsi_save_msg(sqs_queue *qu, const sqs_msg *m)
{
    return put_msg(qu, m);
}

int gh_sqsi_save_sent(sqs_queue *qu, const sqs_msg *m, const char *dkey, int64_t dedup_expires)
{
    gh_store_begin(qu->store);
    put_msg(qu, m);
    if (dkey)
        gh_store_dedup_put(qu->store, qu->name, dkey, m->id, m->seqno,
                           dedup_expires + wall_offset());
    gh_store_queue_counters(qu->store, qu->name, qu->next_seq, qu->last_seqno);
    return gh_store_commit(qu->store);
}

int gh_sqsi_save_receipt(sqs_queue *qu, const sqs_msg *m)
{
    int64_t off = wall_offset();
    return gh_store_msg_receipt(
        qu->store, m->id, m->receive_count, m->first_receive_ms, m->received_at + off,
        m->heap_ix != SQS_NOT_IN_HEAP ? m->visible_at + off : 0, m->inflight);
}

/* ---- restoring ---- */

typedef struct restore {
    gh_sqs *q;
    gh_store *st;
    sqs_queue *qu;
    int64_t off, now; /* wall - mono; monotonic now */
    char *err;
    size_t errlen;
} restore;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int restore_msg(void *ud, const gh_store_msg *r)
{
    restore *rs = ud;
    sqs_queue *qu = rs->qu;
    sqs_msg *m = calloc(1, sizeof *m);
    if (!m)
        return -1;
    snprintf(m->id, sizeof m->id, "%s", r->id ? r->id : "");
    m->body = malloc(r->body_len + 1);
    if (m->body) {
        if (r->body_len)
            memcpy(m->body, r->body, r->body_len);
        m->body[r->body_len] = '\0';
    }
    m->body_len = r->body_len;
    int bad = decode_attrs(r->attrs, r->attrs ? r->attrs_len : 0, &m->attrs, &m->nattrs) |
              decode_attrs(r->sys, r->sys ? r->sys_len : 0, &m->sys, &m->nsys);
    m->sender_id = dup_or_null(r->sender_id);
    m->group_id = dup_or_null(r->group_id);
    m->dedup_id = dup_or_null(r->dedup_id);
    m->dlq_source_arn = dup_or_null(r->dlq_source_arn);
    if (r->seqno)
        snprintf(m->seqno, sizeof m->seqno, "%s", r->seqno);
    if (bad || !m->body) {
        gh_sqsi_msg_free(m);
        snprintf(rs->err, rs->errlen, "message %s of queue %s cannot be read back", r->id,
                 qu->name);
        return -1;
    }
    gh_sqsi_md5_hex(m->body, m->body_len, m->md5_body);
    gh_sqs_md5_of_attributes(m->attrs, m->nattrs, m->md5_attrs);
    gh_sqs_md5_of_attributes(m->sys, m->nsys, m->md5_sys);
    m->sent_ms = r->sent_ms;
    m->born = r->born_ms - rs->off;
    m->first_receive_ms = r->first_receive_ms;
    m->received_at = r->received_at_ms - rs->off;
    m->receive_count = r->receive_count;
    /* The stored seq: receipt handles issued before the restart still name it. */
    qu->next_seq = r->seq;
    if (gh_sqsi_store(qu, m, rs->now, 0) != 0) {
        gh_sqsi_msg_free(m);
        return -1;
    }
    int64_t visible_at = r->visible_at_ms - rs->off;
    if (r->visible_at_ms && visible_at > rs->now) {
        /* Still delayed or in flight: off the ready list, into the heap. A FIFO group
         * put on the ready list meanwhile is taken off at its next receive. */
        if (!qu->fifo)
            gh_sqsi_ready_unlink(qu, m);
        m->visible_at = visible_at;
        m->inflight = r->inflight;
        if (gh_sqsi_heap_push(qu, m) != 0)
            return -1;
        if (m->inflight) {
            qu->n_inflight++;
            if (m->group)
                m->group->inflight++;
        } else {
            qu->n_delayed++;
        }
    }
    return 0;
}

static int restore_dedup(void *ud, const char *key, const char *message_id, const char *seqno,
                         int64_t expires_ms)
{
    restore *rs = ud;
    /* Expired ones too: the settle after loading forgets them and deletes their rows. */
    return gh_sqsi_dedup_add(rs->qu, key, message_id ? message_id : "", seqno ? seqno : "",
                             expires_ms - rs->off);
}

static int restore_queue(void *ud, const gh_store_queue *r)
{
    restore *rs = ud;
    sqs_queue *qu = gh_sqsi_adopt(rs->q, r->name, r->fifo);
    json_t *attrs = json_loads(r->attrs ? r->attrs : "{}", 0, NULL);
    if (!qu || !json_is_object(attrs)) {
        json_decref(attrs);
        snprintf(rs->err, rs->errlen, "queue %s cannot be read back", r->name);
        return -1;
    }
    pthread_mutex_lock(&qu->mu);
    for (int a = 0; a < SQA_COUNT; a++) {
        const char *v = json_string_value(json_object_get(attrs, gh_sqsi_attr_names[a]));
        gh_sqsi_apply_attr(qu, a, v ? strdup(v) : NULL);
    }
    json_decref(attrs);
    qu->created_s = r->created_s;
    qu->modified_s = r->modified_s;
    rs->qu = qu;
    int rc = gh_store_each_msg(rs->st, qu->name, restore_msg, rs);
    if (rc == 0)
        rc = gh_store_each_dedup(rs->st, qu->name, restore_dedup, rs);
    if (qu->next_seq < r->next_seq)
        qu->next_seq = r->next_seq;
    if (qu->last_seqno < r->last_seqno)
        qu->last_seqno = r->last_seqno;
    /* From here on changes are written: what retention or the deduplication window
     * expired while the process was down goes now, from memory and from the store. */
    qu->store = rs->st;
    gh_sqsi_settle(qu, rs->now);
    pthread_mutex_unlock(&qu->mu);
    if (rc != 0 && !rs->err[0])
        snprintf(rs->err, rs->errlen, "queue %s: its messages cannot be read back", r->name);
    return rc;
}

int gh_sqs_restore(gh_sqs *q, gh_store *st, char *err, size_t errlen)
{
    err[0] = '\0';
    restore rs = {q, st, NULL, wall_offset(), gh_clock_mono_ms(), err, errlen};
    int rc = gh_store_each_queue(st, restore_queue, &rs);
    if (rc != 0 && !err[0])
        snprintf(err, errlen, "the stored queues cannot be read back");
    pthread_mutex_lock(&q->mu);
    q->store = st;
    pthread_mutex_unlock(&q->mu);
    if (rc == 0)
        gh_log(GH_LOG_INFO, "state: %zu queue(s) restored", q->nqueues);
    return rc == 0 ? 0 : -1;
}
