/* Where the simulator keeps its state with `--state DIR`: rows of queues, messages,
 * FIFO deduplication ids and topics, written as the engines change them (sqs_persist.c,
 * sns_persist.c) and read back once at start. Implemented over SQLite
 * (store_sqlite.c: DIR/gatehouse.db, WAL). Without --state there is no store and the
 * engines skip every call (they test a NULL pointer).
 *
 * Every write either belongs to the transaction a gh_store_begin opened on this thread
 * or is one transaction of its own; gh_store_commit returns only once SQLite has
 * committed, so what the caller then acknowledges survives a killed process. Times are
 * wall-clock milliseconds (util/clock.h), because the monotonic clock restarts with the
 * process. Thread-safe; the store's lock is taken after any queue or table lock, never
 * before. */
#ifndef GH_STORE_H
#define GH_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gh_store gh_store;

/* Opens (creating DIR and the database when absent) DIR/gatehouse.db. NULL with a
 * message in err when it cannot (not writable, not a gatehouse database, in use by
 * another gatehouse). */
gh_store *gh_store_open(const char *dir, char *err, size_t errlen);
void gh_store_close(gh_store *st);
/* Groups the writes until the matching commit into one transaction (nestable; the
 * outermost commit commits). Holds the store's lock in between. */
void gh_store_begin(gh_store *st);
/* 0 when committed (or nested), -1 when a write of the transaction failed (then rolled
 * back) or the commit failed. */
int gh_store_commit(gh_store *st);

typedef struct gh_store_queue {
    const char *name;
    bool fifo;
    const char *attrs; /* JSON object: the attributes as GetQueueAttributes reports them */
    int64_t created_s, modified_s;
    uint64_t next_seq, last_seqno; /* the engine's counters (receipt handles, FIFO) */
} gh_store_queue;

int gh_store_queue_put(gh_store *st, const gh_store_queue *q);
int gh_store_queue_counters(gh_store *st, const char *name, uint64_t next_seq, uint64_t last_seqno);
/* The queue, its messages and its deduplication ids. */
int gh_store_queue_delete(gh_store *st, const char *name);
/* Its messages only (purge). */
int gh_store_queue_clear(gh_store *st, const char *name);

typedef struct gh_store_msg {
    const char *queue, *id; /* id: the MessageId, unique in the store (redrive keeps it) */
    uint64_t seq;
    const char *body;
    size_t body_len;
    const void *attrs, *sys; /* encoded by the engine */
    size_t attrs_len, sys_len;
    int64_t sent_ms, born_ms, first_receive_ms, received_at_ms;
    int64_t visible_at_ms; /* 0: neither delayed nor in flight */
    int receive_count;
    bool inflight;
    const char *sender_id, *group_id, *dedup_id, *dlq_source_arn, *seqno; /* NULL: none */
} gh_store_msg;

/* Inserts, or replaces the row of the same id (a redrive moves it to another queue). */
int gh_store_msg_put(gh_store *st, const gh_store_msg *m);
/* What a receive or a visibility change alters. */
int gh_store_msg_receipt(gh_store *st, const char *id, int receive_count, int64_t first_receive_ms,
                         int64_t received_at_ms, int64_t visible_at_ms, bool inflight);
int gh_store_msg_delete(gh_store *st, const char *id);

int gh_store_dedup_put(gh_store *st, const char *queue, const char *key, const char *message_id,
                       const char *seqno, int64_t expires_ms);
int gh_store_dedup_delete(gh_store *st, const char *queue, const char *key);

/* A topic is one JSON document (its attributes and subscriptions) plus its FIFO
 * sequence counter, which Publish moves on its own. */
int gh_store_topic_put(gh_store *st, const char *name, const char *doc, uint64_t next_seq);
int gh_store_topic_seq(gh_store *st, const char *name, uint64_t next_seq);
int gh_store_topic_delete(gh_store *st, const char *name);

/* Reading back, at start (each returns 0, or -1 when the database cannot be read; a
 * callback returning non-zero stops the walk and is returned). Queues by name,
 * messages by seq, deduplication ids by expiry, topics by name. */
int gh_store_each_queue(gh_store *st, int (*fn)(void *ud, const gh_store_queue *q), void *ud);
int gh_store_each_msg(gh_store *st, const char *queue, int (*fn)(void *ud, const gh_store_msg *m),
                      void *ud);
int gh_store_each_dedup(gh_store *st, const char *queue,
                        int (*fn)(void *ud, const char *key, const char *message_id,
                                  const char *seqno, int64_t expires_ms),
                        void *ud);
int gh_store_each_topic(gh_store *st,
                        int (*fn)(void *ud, const char *name, const char *doc, uint64_t next_seq),
                        void *ud);

#endif
