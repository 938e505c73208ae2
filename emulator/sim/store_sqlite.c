/* The simulator's store (sim/store.h) in SQLite: DIR/gatehouse.db in WAL mode with
 * synchronous=NORMAL. A commit in WAL mode has written the transaction to the
 * write-ahead log (the OS's page cache) before sqlite3_step returns, so a process killed
 * with SIGKILL loses nothing committed; only a power cut or an OS crash may lose the
 * last transactions, which is FULL's job and not worth an fsync per message here (SQLite
 * documentation, "Write-Ahead Logging" and PRAGMA synchronous). The connection is
 * opened in exclusive locking mode, so a second gatehouse on the same DIR is refused
 * instead of sharing the queues behind the first one's back. One connection, one
 * recursive lock: statements are prepared once and reused. */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/store.h"
#include "util/log.h"

#define SCHEMA_VERSION 1

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS queues(name TEXT PRIMARY KEY, fifo INTEGER, attrs TEXT,"
    " created_s INTEGER, modified_s INTEGER, next_seq INTEGER, last_seqno INTEGER);"
    "CREATE TABLE IF NOT EXISTS messages(id TEXT PRIMARY KEY, queue TEXT NOT NULL,"
    " seq INTEGER, body BLOB, attrs BLOB, sys BLOB, sent_ms INTEGER, born_ms INTEGER,"
    " first_receive_ms INTEGER, received_at_ms INTEGER, visible_at_ms INTEGER,"
    " receive_count INTEGER, inflight INTEGER, sender_id TEXT, group_id TEXT,"
    " dedup_id TEXT, dlq_source_arn TEXT, seqno TEXT);"
    "CREATE INDEX IF NOT EXISTS messages_by_queue ON messages(queue, seq);"
    "CREATE TABLE IF NOT EXISTS dedup(queue TEXT, key TEXT, message_id TEXT, seqno TEXT,"
    " expires_ms INTEGER, PRIMARY KEY(queue, key));"
    "CREATE TABLE IF NOT EXISTS topics(name TEXT PRIMARY KEY, doc TEXT, next_seq INTEGER);";

enum {
    S_QUEUE_PUT,
    S_QUEUE_COUNTERS,
    S_QUEUE_DELETE,
    S_QUEUE_DEDUP_DELETE,
    S_QUEUE_CLEAR,
    S_MSG_PUT,
    S_MSG_RECEIPT,
    S_MSG_DELETE,
    S_DEDUP_PUT,
    S_DEDUP_DELETE,
    S_TOPIC_PUT,
    S_TOPIC_SEQ,
    S_TOPIC_DELETE,
    S_EACH_QUEUE,
    S_EACH_MSG,
    S_EACH_DEDUP,
    S_EACH_TOPIC,
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_COUNT
};

static const char *const sql[S_COUNT] = {
    [S_QUEUE_PUT] = "INSERT OR REPLACE INTO queues VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [S_QUEUE_COUNTERS] = "UPDATE queues SET next_seq=?2, last_seqno=?3 WHERE name=?1",
    [S_QUEUE_DELETE] = "DELETE FROM queues WHERE name=?1",
    [S_QUEUE_DEDUP_DELETE] = "DELETE FROM dedup WHERE queue=?1",
    [S_QUEUE_CLEAR] = "DELETE FROM messages WHERE queue=?1",
    [S_MSG_PUT] = "INSERT OR REPLACE INTO messages VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,"
                  "?12,?13,?14,?15,?16,?17,?18)",
    [S_MSG_RECEIPT] = "UPDATE messages SET receive_count=?2, first_receive_ms=?3,"
                      " received_at_ms=?4, visible_at_ms=?5, inflight=?6 WHERE id=?1",
    [S_MSG_DELETE] = "DELETE FROM messages WHERE id=?1",
    [S_DEDUP_PUT] = "INSERT OR REPLACE INTO dedup VALUES(?1,?2,?3,?4,?5)",
    [S_DEDUP_DELETE] = "DELETE FROM dedup WHERE queue=?1 AND key=?2",
    [S_TOPIC_PUT] = "INSERT OR REPLACE INTO topics VALUES(?1,?2,?3)",
    [S_TOPIC_SEQ] = "UPDATE topics SET next_seq=?2 WHERE name=?1",
    [S_TOPIC_DELETE] = "DELETE FROM topics WHERE name=?1",
    [S_EACH_QUEUE] = "SELECT name, fifo, attrs, created_s, modified_s, next_seq, last_seqno"
                     " FROM queues ORDER BY name",
    [S_EACH_MSG] = "SELECT id, seq, body, attrs, sys, sent_ms, born_ms, first_receive_ms,"
                   " received_at_ms, visible_at_ms, receive_count, inflight, sender_id,"
                   " group_id, dedup_id, dlq_source_arn, seqno FROM messages WHERE queue=?1"
                   " ORDER BY seq",
    [S_EACH_DEDUP] = "SELECT key, message_id, seqno, expires_ms FROM dedup WHERE queue=?1"
                     " ORDER BY expires_ms",
    [S_EACH_TOPIC] = "SELECT name, doc, next_seq FROM topics ORDER BY name",
    [S_BEGIN] = "BEGIN",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

struct gh_store {
    sqlite3 *db;
    pthread_mutex_t mu; /* recursive: a transaction's writes take it again */
    int depth;          /* nesting of gh_store_begin */
    bool failed;        /* a write of the open transaction failed */
    sqlite3_stmt *st[S_COUNT];
};

static int exec_simple(sqlite3 *db, const char *text, char *err, size_t errlen, const char *dir)
{
    char *msg = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(err, errlen, "%s/gatehouse.db: %s", dir, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

gh_store *gh_store_open(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create the state directory: %s", dir, strerror(errno));
        return NULL;
    }
    gh_store *st = calloc(1, sizeof *st);
    char *path = malloc(strlen(dir) + 16);
    if (!st || !path) {
        free(st);
        free(path);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sprintf(path, "%s/gatehouse.db", dir);
    int rc = sqlite3_open_v2(
        path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    free(path);
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&st->mu, &ma);
    pthread_mutexattr_destroy(&ma);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s/gatehouse.db: %s", dir,
                 st->db ? sqlite3_errmsg(st->db) : "cannot open");
        gh_store_close(st);
        return NULL;
    }
    /* The schema goes inside the first write transaction, which also takes the exclusive
     * lock: a database another gatehouse holds fails here with "database is locked". */
    static const char pragmas[] =
        "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "BEGIN IMMEDIATE; %s INSERT OR IGNORE INTO meta VALUES('schema','%d'); COMMIT;";
    size_t tlen = sizeof pragmas + sizeof schema + 16;
    char *text = malloc(tlen);
    if (!text) {
        gh_store_close(st);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(text, tlen, pragmas, schema, SCHEMA_VERSION);
    rc = exec_simple(st->db, text, err, errlen, dir);
    free(text);
    if (rc != 0) {
        if (strstr(err, "locked"))
            snprintf(err + strlen(err), errlen - strlen(err),
                     " (another gatehouse uses this --state directory)");
        gh_store_close(st);
        return NULL;
    }
    sqlite3_stmt *v = NULL;
    bool ok = sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key='schema'", -1, &v,
                                 NULL) == SQLITE_OK &&
              sqlite3_step(v) == SQLITE_ROW && sqlite3_column_int(v, 0) == SCHEMA_VERSION;
    sqlite3_finalize(v);
    for (int i = 0; ok && i < S_COUNT; i++)
        ok = sqlite3_prepare_v3(st->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->st[i], NULL) ==
             SQLITE_OK;
    if (!ok) {
        snprintf(err, errlen,
                 "%s/gatehouse.db: not a gatehouse state database of this version (%s)", dir,
                 sqlite3_errmsg(st->db));
        gh_store_close(st);
        return NULL;
    }
    return st;
}

void gh_store_close(gh_store *st)
{
    if (!st)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(st->st[i]);
    sqlite3_close(st->db); /* checkpoints the WAL into the database */
    pthread_mutex_destroy(&st->mu);
    free(st);
}

static int run(gh_store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc == SQLITE_DONE)
        return 0;
    gh_log(GH_LOG_ERROR, "state store: %s", sqlite3_errmsg(st->db));
    return -1;
}

void gh_store_begin(gh_store *st)
{
    pthread_mutex_lock(&st->mu);
    if (st->depth++ == 0) {
        st->failed = false;
        if (run(st, st->st[S_BEGIN]) != 0)
            st->failed = true;
    }
}

int gh_store_commit(gh_store *st)
{
    int rc = 0;
    if (--st->depth == 0) {
        if (st->failed || run(st, st->st[S_COMMIT]) != 0) {
            if (!sqlite3_get_autocommit(st->db))
                run(st, st->st[S_ROLLBACK]);
            rc = -1;
        }
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}

/* One statement inside a transaction (its own when none is open). */
static int write_one(gh_store *st, sqlite3_stmt *s)
{
    gh_store_begin(st);
    if (run(st, s) != 0)
        st->failed = true;
    return gh_store_commit(st);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static void bind_blob(sqlite3_stmt *s, int i, const void *v, size_t n)
{
    if (v)
        sqlite3_bind_blob64(s, i, v, n, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* The binds are static: the statement runs before the caller's strings go. The store's
 * lock is taken before binding so two threads never bind one statement at once. */
#define WITH(st, k)                                                                                \
    for (int once_ = (pthread_mutex_lock(&(st)->mu), 1); once_;                                    \
         once_ = 0, pthread_mutex_unlock(&(st)->mu))                                               \
        for (sqlite3_stmt *s = (st)->st[k]; s; s = NULL)

int gh_store_queue_put(gh_store *st, const gh_store_queue *q)
{
    int rc = -1;
    WITH(st, S_QUEUE_PUT)
    {
        bind_text(s, 1, q->name);
        sqlite3_bind_int(s, 2, q->fifo);
        bind_text(s, 3, q->attrs);
        sqlite3_bind_int64(s, 4, q->created_s);
        sqlite3_bind_int64(s, 5, q->modified_s);
        sqlite3_bind_int64(s, 6, (int64_t)q->next_seq);
        sqlite3_bind_int64(s, 7, (int64_t)q->last_seqno);
        rc = write_one(st, s);
    }
    return rc;
}

int gh_store_queue_counters(gh_store *st, const char *name, uint64_t next_seq, uint64_t last_seqno)
{
    int rc = -1;
    WITH(st, S_QUEUE_COUNTERS)
    {
        bind_text(s, 1, name);
        sqlite3_bind_int64(s, 2, (int64_t)next_seq);
        sqlite3_bind_int64(s, 3, (int64_t)last_seqno);
        rc = write_one(st, s);
    }
    return rc;
}

static int by_name(gh_store *st, int k, const char *name)
{
    int rc = -1;
    WITH(st, k)
    {
        bind_text(s, 1, name);
        rc = write_one(st, s);
    }
    return rc;
}

int gh_store_queue_delete(gh_store *st, const char *name)
{
    gh_store_begin(st);
    by_name(st, S_QUEUE_CLEAR, name);
    by_name(st, S_QUEUE_DEDUP_DELETE, name);
    by_name(st, S_QUEUE_DELETE, name);
    return gh_store_commit(st);
}

int gh_store_queue_clear(gh_store *st, const char *name)
{
    return by_name(st, S_QUEUE_CLEAR, name);
}

int gh_store_msg_put(gh_store *st, const gh_store_msg *m)
{
    int rc = -1;
    WITH(st, S_MSG_PUT)
    {
        bind_text(s, 1, m->id);
        bind_text(s, 2, m->queue);
        sqlite3_bind_int64(s, 3, (int64_t)m->seq);
        bind_blob(s, 4, m->body ? m->body : "", m->body_len);
        bind_blob(s, 5, m->attrs, m->attrs_len);
        bind_blob(s, 6, m->sys, m->sys_len);
        sqlite3_bind_int64(s, 7, m->sent_ms);
        sqlite3_bind_int64(s, 8, m->born_ms);
        sqlite3_bind_int64(s, 9, m->first_receive_ms);
        sqlite3_bind_int64(s, 10, m->received_at_ms);
        sqlite3_bind_int64(s, 11, m->visible_at_ms);
        sqlite3_bind_int(s, 12, m->receive_count);
        sqlite3_bind_int(s, 13, m->inflight);
        bind_text(s, 14, m->sender_id);
        bind_text(s, 15, m->group_id);
        bind_text(s, 16, m->dedup_id);
        bind_text(s, 17, m->dlq_source_arn);
        bind_text(s, 18, m->seqno);
        rc = write_one(st, s);
    }
    return rc;
}

int gh_store_msg_receipt(gh_store *st, const char *id, int receive_count, int64_t first_receive_ms,
                         int64_t received_at_ms, int64_t visible_at_ms, bool inflight)
{
    int rc = -1;
    WITH(st, S_MSG_RECEIPT)
    {
        bind_text(s, 1, id);
        sqlite3_bind_int(s, 2, receive_count);
        sqlite3_bind_int64(s, 3, first_receive_ms);
        sqlite3_bind_int64(s, 4, received_at_ms);
        sqlite3_bind_int64(s, 5, visible_at_ms);
        sqlite3_bind_int(s, 6, inflight);
        rc = write_one(st, s);
    }
    return rc;
}

int gh_store_msg_delete(gh_store *st, const char *id)
{
    return by_name(st, S_MSG_DELETE, id);
}

int gh_store_dedup_put(gh_store *st, const char *queue, const char *key, const char *message_id,
                       const char *seqno, int64_t expires_ms)
{
    int rc = -1;
    WITH(st, S_DEDUP_PUT)
    {
        bind_text(s, 1, queue);
        bind_text(s, 2, key);
        bind_text(s, 3, message_id);
        bind_text(s, 4, seqno);
        sqlite3_bind_int64(s, 5, expires_ms);
        rc = write_one(st, s);
    }
    return rc;
}

int gh_store_dedup_delete(gh_store *st, const char *queue, const char *key)
{
    int rc = -1;
    WITH(st, S_DEDUP_DELETE)
    {
        bind_text(s, 1, queue);
        bind_text(s, 2, key);
        rc = write_one(st, s);
    }
    return rc;
}

int gh_store_topic_put(gh_store *st, const char *name, const char *doc, uint64_t next_seq)
{
    int rc = -1;
    WITH(st, S_TOPIC_PUT)
    {
        bind_text(s, 1, name);
        bind_text(s, 2, doc);
        sqlite3_bind_int64(s, 3, (int64_t)next_seq);
        rc = write_one(st, s);
    }
    return rc;
}

int gh_store_topic_seq(gh_store *st, const char *name, uint64_t next_seq)
{
    int rc = -1;
    WITH(st, S_TOPIC_SEQ)
    {
        bind_text(s, 1, name);
        sqlite3_bind_int64(s, 2, (int64_t)next_seq);
        rc = write_one(st, s);
    }
    return rc;
}

int gh_store_topic_delete(gh_store *st, const char *name)
{
    return by_name(st, S_TOPIC_DELETE, name);
}

/* ---- reading back ---- */

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Steps a SELECT, calling row for each row; the statement is reset afterwards. */
static int walk(gh_store *st, sqlite3_stmt *s, int (*row)(sqlite3_stmt *s, void *a), void *a)
{
    int rc, cb = 0;
    while (cb == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
        cb = row(s, a);
    if (cb == 0 && rc != SQLITE_DONE) {
        gh_log(GH_LOG_ERROR, "state store: %s", sqlite3_errmsg(st->db));
        cb = -1;
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return cb;
}

/* The caller's callback, one per kind of row. */
struct cb {
    int (*queue)(void *ud, const gh_store_queue *q);
    int (*msg)(void *ud, const gh_store_msg *m);
    int (*dedup)(void *ud, const char *key, const char *message_id, const char *seqno,
                 int64_t expires_ms);
    int (*topic)(void *ud, const char *name, const char *doc, uint64_t next_seq);
    void *ud;
};

static int queue_row(sqlite3_stmt *s, void *a)
{
    struct cb *c = a;
    gh_store_queue q = {
        .name = col_text(s, 0),
        .fifo = sqlite3_column_int(s, 1) != 0,
        .attrs = col_text(s, 2),
        .created_s = sqlite3_column_int64(s, 3),
        .modified_s = sqlite3_column_int64(s, 4),
        .next_seq = (uint64_t)sqlite3_column_int64(s, 5),
        .last_seqno = (uint64_t)sqlite3_column_int64(s, 6),
    };
    return c->queue(c->ud, &q);
}

int gh_store_each_queue(gh_store *st, int (*fn)(void *ud, const gh_store_queue *q), void *ud)
{
    struct cb c = {.queue = fn, .ud = ud};
    int rc;
    pthread_mutex_lock(&st->mu);
    rc = walk(st, st->st[S_EACH_QUEUE], queue_row, &c);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static int msg_row(sqlite3_stmt *s, void *a)
{
    struct cb *c = a;
    gh_store_msg m = {0};
    /* One column at a time: a blob's length is read after its pointer (SQLite's
     * documented order), and initialisers would be evaluated in no set order. */
    m.id = col_text(s, 0);
    m.seq = (uint64_t)sqlite3_column_int64(s, 1);
    m.body = sqlite3_column_blob(s, 2);
    m.body_len = (size_t)sqlite3_column_bytes(s, 2);
    m.attrs = sqlite3_column_blob(s, 3);
    m.attrs_len = (size_t)sqlite3_column_bytes(s, 3);
    m.sys = sqlite3_column_blob(s, 4);
    m.sys_len = (size_t)sqlite3_column_bytes(s, 4);
    m.sent_ms = sqlite3_column_int64(s, 5);
    m.born_ms = sqlite3_column_int64(s, 6);
    m.first_receive_ms = sqlite3_column_int64(s, 7);
    m.received_at_ms = sqlite3_column_int64(s, 8);
    m.visible_at_ms = sqlite3_column_int64(s, 9);
    m.receive_count = sqlite3_column_int(s, 10);
    m.inflight = sqlite3_column_int(s, 11) != 0;
    m.sender_id = col_text(s, 12);
    m.group_id = col_text(s, 13);
    m.dedup_id = col_text(s, 14);
    m.dlq_source_arn = col_text(s, 15);
    m.seqno = col_text(s, 16);
    return c->msg(c->ud, &m);
}

int gh_store_each_msg(gh_store *st, const char *queue, int (*fn)(void *ud, const gh_store_msg *m),
                      void *ud)
{
    struct cb c = {.msg = fn, .ud = ud};
    int rc;
    pthread_mutex_lock(&st->mu);
    sqlite3_stmt *s = st->st[S_EACH_MSG];
    bind_text(s, 1, queue);
    rc = walk(st, s, msg_row, &c);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static int dedup_row(sqlite3_stmt *s, void *a)
{
    struct cb *c = a;
    return c->dedup(c->ud, col_text(s, 0), col_text(s, 1), col_text(s, 2),
                    sqlite3_column_int64(s, 3));
}

int gh_store_each_dedup(gh_store *st, const char *queue,
                        int (*fn)(void *ud, const char *key, const char *message_id,
                                  const char *seqno, int64_t expires_ms),
                        void *ud)
{
    struct cb c = {.dedup = fn, .ud = ud};
    int rc;
    pthread_mutex_lock(&st->mu);
    sqlite3_stmt *s = st->st[S_EACH_DEDUP];
    bind_text(s, 1, queue);
    rc = walk(st, s, dedup_row, &c);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static int topic_row(sqlite3_stmt *s, void *a)
{
    struct cb *c = a;
    return c->topic(c->ud, col_text(s, 0), col_text(s, 1), (uint64_t)sqlite3_column_int64(s, 2));
}

int gh_store_each_topic(gh_store *st,
                        int (*fn)(void *ud, const char *name, const char *doc, uint64_t next_seq),
                        void *ud)
{
    struct cb c = {.topic = fn, .ud = ud};
    int rc;
    pthread_mutex_lock(&st->mu);
    rc = walk(st, st->st[S_EACH_TOPIC], topic_row, &c);
    pthread_mutex_unlock(&st->mu);
    return rc;
}
