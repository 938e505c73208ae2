/* Event source mappings: a queue feeding a Lua Lambda as Lambda's SQS poller does (see
 * event_source.h). A batch is received with the queue's visibility timeout, handed to
 * the function through gh_sim.invoke, and then:
 *   - the function succeeded: every message is deleted;
 *   - it failed (error, timeout, no such function): nothing is deleted, so the batch
 *     comes back after the visibility timeout and SQS's redrive policy moves a message
 *     to the dead-letter queue after maxReceiveCount receives ("Handling errors for an
 *     SQS event source in Lambda");
 *   - with ReportBatchItemFailures, only the reported messages stay (sqs_event.h).
 * A FIFO batch keeps the queue's group order; when a message of a group fails, the
 * group's later messages of the batch stay too, so they come back after it, in order
 * (what AWS asks a FIFO function to report: "stop processing messages after the first
 * failure and return all failed and unprocessed messages").
 *
 * Locks: es->lock guards the mapping list and serialises rounds (pump and poller); the
 * poller waits on es->wake between idle rounds so gh_event_sources_stop ends it at once. */
#include "sim/event_source.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sqs_event.h"
#include "util/clock.h"
#include "util/log.h"

/* Lambda receives at most 10 messages per ReceiveMessage call; a larger BatchSize is
 * gathered over several calls. */
#define RECEIVE_MAX 10
/* The poller's pause between rounds that found nothing (real time: it bounds how late a
 * message is noticed, not any AWS timer). */
#define IDLE_WAIT_MS 50

typedef struct mapping {
    char *queue;    /* queue name */
    char *function; /* function name */
    char *queue_arn;
    int batch_size;
    int window_s;
    bool report_failures;
    bool enabled;
    bool declared; /* by the model last applied */
    /* The poller's batch being gathered during the batching window. */
    gh_sqs_message *pending;
    size_t npending;
    int64_t window_start_ms;
} mapping;

struct gh_event_sources {
    gh_sim *sim;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    mapping *maps;
    size_t n;
    pthread_t thread;
    bool running;
    bool stopping;
};

gh_event_sources *gh_event_sources_new(gh_sim *sim)
{
    gh_event_sources *es = calloc(1, sizeof *es);
    if (!es)
        return NULL;
    es->sim = sim;
    pthread_mutex_init(&es->lock, NULL);
    pthread_cond_init(&es->wake, NULL);
    return es;
}

void gh_event_sources_free(gh_event_sources *es)
{
    if (!es)
        return;
    gh_event_sources_stop(es);
    for (size_t i = 0; i < es->n; i++) {
        mapping *mp = &es->maps[i];
        /* A gathered batch is simply not deleted: it returns after its visibility timeout. */
        gh_sqs_messages_free(mp->pending, mp->npending);
        free(mp->queue);
        free(mp->function);
        free(mp->queue_arn);
    }
    free(es->maps);
    pthread_cond_destroy(&es->wake);
    pthread_mutex_destroy(&es->lock);
    free(es);
}

/* The name part of an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME, or
 * arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]); a plain name as is. */
static char *name_of(const char *s, bool function)
{
    if (strncmp(s, "arn:", 4) != 0)
        return strdup(s);
    if (function) {
        const char *f = strstr(s, ":function:");
        if (!f)
            return strdup(s);
        f += strlen(":function:");
        return strndup(f, strcspn(f, ":"));
    }
    const char *last = strrchr(s, ':');
    return strdup(last + 1);
}

static bool function_declared(const gh_model *m, const char *name)
{
    for (size_t i = 0; i < m->napis; i++)
        if (gh_api_function(&m->apis[i], name))
            return true;
    return false;
}

static mapping *find_mapping(gh_event_sources *es, const char *queue, const char *function)
{
    for (size_t i = 0; i < es->n; i++)
        if (!strcmp(es->maps[i].queue, queue) && !strcmp(es->maps[i].function, function))
            return &es->maps[i];
    return NULL;
}

static int apply_one(gh_event_sources *es, const gh_model *m, const gh_event_source_decl *d,
                     gh_diags *diags)
{
    char *queue = name_of(d->queue, false), *function = name_of(d->function, true);
    int errors = 0;
    if (!gh_sqs_exists(es->sim->sqs, queue)) {
        gh_diag_error(diags, d->mark,
                      "event source: queue '%s' does not exist; declare it under "
                      "x-gatehouse.queues",
                      queue);
        errors++;
    }
    if (!function_declared(m, function)) {
        gh_diag_error(diags, d->mark,
                      "event source: function '%s' does not exist; declare it under "
                      "x-gatehouse.functions with a Lua handler",
                      function);
        errors++;
    }
    mapping *mp = errors ? NULL : find_mapping(es, queue, function);
    if (!errors && !mp) {
        mapping *grown = realloc(es->maps, (es->n + 1) * sizeof *grown);
        if (!grown) {
            errors++;
        } else {
            es->maps = grown;
            mp = &es->maps[es->n++];
            memset(mp, 0, sizeof *mp);
            mp->queue = queue;
            mp->function = function;
            queue = function = NULL;
            const gh_sqs *q = es->sim->sqs;
            size_t len =
                strlen(gh_sqs_region(q)) + strlen(gh_sqs_account(q)) + strlen(mp->queue) + 16;
            mp->queue_arn = malloc(len);
            if (mp->queue_arn)
                snprintf(mp->queue_arn, len, "arn:aws:sqs:%s:%s:%s", gh_sqs_region(q),
                         gh_sqs_account(q), mp->queue);
        }
    }
    if (mp) {
        mp->batch_size = d->batch_size > 0 ? d->batch_size : 10;
        mp->window_s = d->batching_window_s > 0 ? d->batching_window_s : 0;
        mp->report_failures = d->report_batch_item_failures;
        mp->enabled = d->enabled;
        mp->declared = true;
    }
    free(queue);
    free(function);
    return errors;
}

int gh_event_sources_apply(gh_event_sources *es, const gh_model *m, gh_diags *d)
{
    int errors = 0;
    pthread_mutex_lock(&es->lock);
    for (size_t i = 0; i < es->n; i++)
        es->maps[i].declared = false;
    for (size_t i = 0; i < m->napis; i++)
        for (size_t k = 0; k < m->apis[i].nevent_sources; k++)
            errors += apply_one(es, m, &m->apis[i].event_sources[k], d);
    /* A mapping the edited definition no longer declares stops, as a deleted event
     * source mapping does; its queue keeps the messages. */
    for (size_t i = 0; i < es->n; i++)
        if (!es->maps[i].declared)
            es->maps[i].enabled = false;
    pthread_mutex_unlock(&es->lock);
    pthread_cond_broadcast(&es->wake);
    return errors;
}

static bool is_fifo(const mapping *mp)
{
    size_t len = strlen(mp->queue);
    return len > 5 && strcmp(mp->queue + len - 5, ".fifo") == 0;
}

/* Appends up to `room` visible messages to *batch; returns how many came. */
static size_t receive_more(gh_event_sources *es, mapping *mp, gh_sqs_message **batch, size_t *n,
                           size_t room)
{
    size_t got = 0;
    while (room > 0) {
        gh_sqs_receive r = {.max_messages = room < RECEIVE_MAX ? (int)room : RECEIVE_MAX,
                            .visibility_timeout = -1,
                            .wait_seconds = 0};
        gh_sqs_message *m = NULL;
        size_t k = 0;
        gh_sqs_error err;
        if (gh_sqs_receive_messages(es->sim->sqs, mp->queue, &r, &m, &k, &err) != 0) {
            gh_log(GH_LOG_WARN, "event source %s -> %s: %s: %s", mp->queue, mp->function, err.code,
                   err.message);
            break;
        }
        if (k == 0) {
            free(m);
            break;
        }
        gh_sqs_message *grown = realloc(*batch, (*n + k) * sizeof *grown);
        if (!grown) {
            gh_sqs_messages_free(m, k); /* they return after their visibility timeout */
            break;
        }
        *batch = grown;
        memcpy(*batch + *n, m, k * sizeof *m);
        free(m); /* the array only: the messages' fields moved into *batch */
        *n += k;
        got += k;
        room -= k;
    }
    return got;
}

/* Marks, in a FIFO batch, every message of a group after that group's first failure. */
static void hold_failed_groups(const gh_sqs_message *m, size_t n, bool *failed)
{
    for (size_t i = 0; i < n; i++) {
        if (!failed[i] || !m[i].group_id)
            continue;
        for (size_t j = i + 1; j < n; j++)
            if (m[j].group_id && !strcmp(m[j].group_id, m[i].group_id))
                failed[j] = true;
    }
}

/* Invokes mp's function with the batch and settles it; frees the batch. */
static void deliver(gh_event_sources *es, mapping *mp, gh_sqs_message *batch, size_t n)
{
    json_t *event = gh_sqs_event_build(batch, n, mp->queue_arn, gh_sqs_region(es->sim->sqs));
    char *text = event ? json_dumps(event, JSON_COMPACT) : NULL;
    json_decref(event);
    char *result = NULL;
    int rc = text ? es->sim->invoke(es->sim->invoke_ud, mp->function, text, &result) : -1;
    free(text);
    bool *failed = calloc(n ? n : 1, sizeof *failed);
    if (!failed) {
        rc = -1;
    } else if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            failed[i] = true;
    } else if (mp->report_failures && gh_sqs_event_failures(result, batch, n, failed) != 0) {
        gh_log(GH_LOG_WARN,
               "event source %s -> %s: the function's batchItemFailures answer is invalid "
               "(%s); the whole batch failed, as Lambda treats it",
               mp->queue, mp->function, result ? result : "");
    }
    if (rc == -1)
        gh_log(GH_LOG_WARN,
               "event source %s -> %s: no such function; the batch returns "
               "after the visibility timeout",
               mp->queue, mp->function);
    else if (rc == 1)
        gh_log(GH_LOG_INFO,
               "event source %s -> %s: the function failed (%s); the batch "
               "returns after the visibility timeout",
               mp->queue, mp->function, result ? result : "");
    if (failed && rc == 0) {
        if (is_fifo(mp))
            hold_failed_groups(batch, n, failed);
        for (size_t i = 0; i < n; i++) {
            gh_sqs_error err;
            if (!failed[i] &&
                gh_sqs_delete_message(es->sim->sqs, mp->queue, batch[i].receipt_handle, &err) != 0)
                gh_log(GH_LOG_WARN, "event source %s: DeleteMessage: %s: %s", mp->queue, err.code,
                       err.message);
        }
    }
    free(failed);
    free(result);
    gh_sqs_messages_free(batch, n);
}

/* The largest batch a mapping hands its function: BatchSize, and never more than 10
 * for a FIFO queue (Lambda's FIFO limit). */
static size_t batch_limit(const mapping *mp)
{
    size_t limit = (size_t)mp->batch_size;
    if (is_fifo(mp) && limit > RECEIVE_MAX)
        limit = RECEIVE_MAX;
    return limit;
}

size_t gh_event_sources_pump(gh_event_sources *es)
{
    size_t calls = 0;
    pthread_mutex_lock(&es->lock);
    if (!es->sim->invoke) {
        pthread_mutex_unlock(&es->lock);
        return 0;
    }
    for (size_t i = 0; i < es->n; i++) {
        mapping *mp = &es->maps[i];
        if (!mp->enabled)
            continue;
        for (;;) {
            gh_sqs_message *batch = mp->pending;
            size_t n = mp->npending;
            mp->pending = NULL;
            mp->npending = 0;
            if (n < batch_limit(mp))
                receive_more(es, mp, &batch, &n, batch_limit(mp) - n);
            if (n == 0) {
                free(batch);
                break;
            }
            deliver(es, mp, batch, n);
            calls++;
        }
    }
    pthread_mutex_unlock(&es->lock);
    return calls;
}

/* One poller round over every mapping: gathers into the pending batch and invokes when
 * it is full or its batching window has passed (at once with no window). Returns the
 * number of invocations. Called with es->lock held. */
static size_t poll_round(gh_event_sources *es)
{
    size_t calls = 0;
    for (size_t i = 0; i < es->n && !es->stopping; i++) {
        mapping *mp = &es->maps[i];
        if (!mp->enabled)
            continue;
        size_t limit = batch_limit(mp);
        bool was_empty = mp->npending == 0;
        if (mp->npending < limit)
            receive_more(es, mp, &mp->pending, &mp->npending, limit - mp->npending);
        if (mp->npending == 0) {
            free(mp->pending);
            mp->pending = NULL;
            continue;
        }
        int64_t now = gh_clock_now_ms();
        if (was_empty)
            mp->window_start_ms = now;
        if (mp->npending < limit && now - mp->window_start_ms < (int64_t)mp->window_s * 1000)
            continue;
        gh_sqs_message *batch = mp->pending;
        size_t n = mp->npending;
        mp->pending = NULL;
        mp->npending = 0;
        deliver(es, mp, batch, n);
        calls++;
    }
    return calls;
}

static void *poller(void *ud)
{
    gh_event_sources *es = ud;
    pthread_mutex_lock(&es->lock);
    while (!es->stopping) {
        size_t calls = es->sim->invoke ? poll_round(es) : 0;
        if (calls > 0 || es->stopping)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += IDLE_WAIT_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&es->wake, &es->lock, &until);
    }
    pthread_mutex_unlock(&es->lock);
    return NULL;
}

void gh_event_sources_start(gh_event_sources *es)
{
    pthread_mutex_lock(&es->lock);
    if (!es->running) {
        es->stopping = false;
        es->running = pthread_create(&es->thread, NULL, poller, es) == 0;
        if (!es->running)
            gh_log(GH_LOG_ERROR, "event sources: cannot start the poller thread");
    }
    pthread_mutex_unlock(&es->lock);
}

void gh_event_sources_stop(gh_event_sources *es)
{
    pthread_mutex_lock(&es->lock);
    bool running = es->running;
    es->stopping = true;
    es->running = false;
    pthread_cond_broadcast(&es->wake);
    pthread_mutex_unlock(&es->lock);
    if (running)
        pthread_join(es->thread, NULL);
}
