/* What the files of the simulated SQS share (sqs_queue.c: the queue table; sqs_attrs.c:
 * queue attributes; sqs_send.c: SendMessage; sqs_message.c: receive, delete, visibility,
 * long polling; sqs_store.c: how a queue keeps its messages; sqs_md5.c: digests).
 * Not a public surface: only sim/sqs*.c include it.
 *
 * Lock order: the table lock (gh_sqs.mu) is never held while taking a queue's lock for
 * long; code takes a reference to a queue under the table lock, drops the table lock,
 * then locks the queue. Two queue locks are never held at once (redrive moves a message
 * out of one queue, unlocks, then locks the dead-letter queue). No lock is held while
 * the observer runs. */
#ifndef GH_SQS_INTERNAL_H
#define GH_SQS_INTERNAL_H
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/sqs.h"
#include "sim/store.h"

/* The queue attributes users set, in the order GetQueueAttributes "All" lists them. */
enum {
    SQA_VISIBILITY,
    SQA_MAX_SIZE,
    SQA_RETENTION,
    SQA_DELAY,
    SQA_POLICY,
    SQA_REDRIVE,
    SQA_REDRIVE_ALLOW,
    SQA_WAIT,
    SQA_KMS_KEY,
    SQA_KMS_REUSE,
    SQA_SSE,
    SQA_FIFO,
    SQA_DEDUP_SCOPE,
    SQA_THROUGHPUT,
    SQA_CBD,
    SQA_COUNT
};

typedef struct sqs_group sqs_group;
typedef struct sqs_msg sqs_msg;

struct sqs_msg {
    uint64_t seq; /* queue order; the key receipt handles carry */
    char id[37];
    char *body;
    size_t body_len;
    char md5_body[33], md5_attrs[33], md5_sys[33];
    gh_sqs_attr *attrs, *sys;
    size_t nattrs, nsys;
    int64_t sent_ms;          /* wall clock: SentTimestamp */
    int64_t born;             /* monotonic: retention counts from here (kept by redrive) */
    int64_t first_receive_ms; /* wall clock, 0 until received */
    int64_t visible_at;       /* monotonic: when it is visible again (in the heap only) */
    int64_t received_at;      /* monotonic: the latest receive (12-hour visibility cap) */
    int receive_count;
    bool inflight; /* in the heap because received (else delayed) */
    char *sender_id, *group_id, *dedup_id, *dlq_source_arn;
    char seqno[21];
    sqs_msg *all_prev, *all_next; /* every message, oldest first */
    sqs_msg *prev, *next;         /* standard: the ready list; FIFO: its group's list */
    sqs_msg *hnext;               /* receipt-handle table chain */
    size_t heap_ix;               /* SQS_NOT_IN_HEAP unless delayed or in flight */
    sqs_group *group;             /* FIFO */
};
#define SQS_NOT_IN_HEAP ((size_t)-1)

/* A FIFO message group: its messages in order; served only while none is in flight. */
struct sqs_group {
    char *id;
    sqs_msg *head, *tail;
    int inflight;
    bool ready;
    sqs_group *rprev, *rnext; /* the ready-groups list */
    sqs_group *hnext;
};

typedef struct sqs_dedup sqs_dedup;
struct sqs_dedup {
    char *key;
    char message_id[37];
    char seqno[21];
    int64_t expires;
    sqs_dedup *hnext, *onext; /* hash chain; insertion (= expiry) order */
};

typedef struct sqs_queue {
    char *name, *arn;
    bool fifo;
    int refs;     /* under the table lock */
    bool deleted; /* under the queue lock */
    uint32_t tag; /* in receipt handles: a handle names its queue */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* long pollers: signalled by sends */
    int waiters;

    char *val[SQA_COUNT]; /* attribute values as AWS reports them; NULL: unset */
    int visibility, retention, delay, wait, max_size, max_receive;
    bool cbd, scope_group;
    char *dlq_name; /* from RedrivePolicy */
    int64_t created_s, modified_s, last_purge;

    sqs_msg *all_head, *all_tail;
    size_t n_all, n_inflight, n_delayed;
    sqs_msg *ready_head, *ready_tail; /* standard */
    sqs_group **groups;               /* FIFO */
    size_t ngroup_buckets, ngroups;
    sqs_group *rg_head, *rg_tail;
    sqs_msg **heap;
    size_t heap_n, heap_cap;
    sqs_msg **handles;
    size_t nhandle_buckets, nhandles;
    uint64_t next_seq, last_seqno;
    sqs_dedup **dd;
    size_t ndd_buckets, ndd;
    sqs_dedup *dd_head, *dd_tail;
    gh_store *store; /* --state: every change is written here; NULL: memory only */
} sqs_queue;

struct gh_sqs {
    char *region, *account;
    pthread_mutex_t mu; /* the table and the observer */
    sqs_queue **queues;
    size_t nqueues, cap;
    gh_sqs_observer observer;
    void *observer_ud;
    /* Observer calls under way (outside mu): gh_sqs_set_observer waits on observer_idle
     * until they end, so whoever removes an observer may free its ud at once. */
    size_t observer_calls;
    pthread_cond_t observer_idle;
    gh_store *store; /* --state (sqs_persist.c); new queues take it */
};

/* Sets err (code static) and returns -1. */
int gh_sqsi_fail(gh_sqs_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define GH_SQS_NO_QUEUE "AWS.SimpleQueueService.NonExistentQueue"
/* The queue by name with a reference taken (NULL + NonExistentQueue when absent); the
 * observer is read under the same lock when fn is not NULL. */
sqs_queue *gh_sqsi_get(gh_sqs *q, const char *name, gh_sqs_error *err, gh_sqs_observer *fn,
                       void **ud);
void gh_sqsi_put(gh_sqs *q, sqs_queue *qu);
/* A malloc'd deep copy of n attributes (NULL when n is 0), as stored and as handed
 * out; sqs_send.c. */
gh_sqs_attr *gh_sqsi_attrs_dup(const gh_sqs_attr *a, size_t n);
/* Hands m to the observer installed now, if any (no lock held on entry), counted so
 * that removing the observer waits for the call to end. */
void gh_sqsi_notify(gh_sqs *q, const char *queue, const gh_sqs_message *m);
/* Table lock held: the queue by name (ix: its slot), or NULL. */
sqs_queue *gh_sqsi_find_locked(gh_sqs *q, const char *name, size_t *ix);

/* sqs_attrs.c: AWS's attribute names by SQA_ index, and their checks. */
extern const char *const gh_sqsi_attr_names[SQA_COUNT];
int gh_sqsi_attr_index(const char *name); /* -1: unknown */
bool gh_sqsi_fifo_only(int a);
/* Validates one attribute for a queue of the given type (takes the table lock to find a
 * dead-letter queue); *which its index, *norm the malloc'd value as AWS reports it
 * afterwards (NULL: unset). */
int gh_sqsi_check_attr(gh_sqs *q, bool fifo, bool creating, const char *name, const char *value,
                       int *which, char **norm, gh_sqs_error *err);
/* Queue lock held (or the queue not yet shared); takes ownership of norm. */
void gh_sqsi_apply_attr(sqs_queue *qu, int a, char *norm);
const char *gh_sqsi_default_of(bool fifo, int a); /* NULL: none */

/* sqs_store.c; all with the queue lock held. */
/* Drops what retention expired and forgets expired deduplication ids; what became
 * visible again goes back to the ready list or unblocks its group. */
void gh_sqsi_settle(sqs_queue *qu, int64_t now);
/* Removes and frees every message (purge, delete). */
void gh_sqsi_clear(sqs_queue *qu);
void gh_sqsi_msg_free(sqs_msg *m);
/* Stores m (born, ids, body set) with a new sequence number; delay_s > 0: delayed.
 * Wakes long pollers. -1 when out of memory (m not stored). */
int gh_sqsi_store(sqs_queue *qu, sqs_msg *m, int64_t now, int delay_s);
/* Takes m out of every structure (not freed); returns its group if that still exists
 * (the caller then calls gh_sqsi_group_check), NULL otherwise. */
sqs_group *gh_sqsi_unstore(sqs_queue *qu, sqs_msg *m);
sqs_msg *gh_sqsi_by_seq(sqs_queue *qu, uint64_t seq);
int gh_sqsi_heap_push(sqs_queue *qu, sqs_msg *m);
void gh_sqsi_heap_fix(sqs_queue *qu, sqs_msg *m); /* after m->visible_at changed */
void gh_sqsi_ready_unlink(sqs_queue *qu, sqs_msg *m);
/* The first group that can be served, taken off the ready-groups list. */
sqs_group *gh_sqsi_next_group(sqs_queue *qu);
void gh_sqsi_group_check(sqs_queue *qu, sqs_group *g);
const sqs_dedup *gh_sqsi_dedup_find(sqs_queue *qu, const char *key);
int gh_sqsi_dedup_add(sqs_queue *qu, const char *key, const char *message_id, const char *seqno,
                      int64_t expires);

/* sqs_message.c: fills o with copies of m's fields (queue lock held); with_handle makes
 * the receipt handle of m's latest receive. -1 when out of memory (o cleared). */
int gh_sqsi_copy_out(const sqs_queue *qu, const sqs_msg *m, bool with_handle, gh_sqs_message *o);
void gh_sqsi_message_clear(gh_sqs_message *o);

/* sqs_queue.c: a new queue with the defaults, put in the table (restoring a store). */
sqs_queue *gh_sqsi_adopt(gh_sqs *q, const char *name, bool fifo);

/* sqs_persist.c: a queue's changes written to qu->store, which callers test first (no
 * cost without --state). Queue lock held, or the queue not shared yet. -1 when the
 * store failed (logged). */
int gh_sqsi_save_queue(sqs_queue *qu);
/* The whole message (a send, a redrive into qu). */
int gh_sqsi_save_msg(sqs_queue *qu, const sqs_msg *m);
/* A new message with its deduplication id (dkey NULL: none) and the queue's counters,
 * in one transaction. */
int gh_sqsi_save_sent(sqs_queue *qu, const sqs_msg *m, const char *dkey, int64_t dedup_expires);
/* Receive count, first receive, visibility. */
int gh_sqsi_save_receipt(sqs_queue *qu, const sqs_msg *m);

/* Lowercase hex digests (OpenSSL EVP). */
void gh_sqsi_md5_hex(const void *data, size_t n, char out[33]);
void gh_sqsi_sha256_hex(const void *data, size_t n, char out[65]);

#endif
