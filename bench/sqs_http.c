/* SQS through the HTTP protocol under load (issue 7): 32 clients, each a keep-alive
 * libcurl easy handle on its own thread, drive SendMessage / ReceiveMessage /
 * DeleteMessage in SQS's JSON protocol (X-Amz-Target, what current SDKs send) against a
 * running `gatehouse serve`. Half the clients produce, half consume. Every message body
 * names its producer and sequence number, so the consumers prove what arrived: nothing
 * lost, nothing delivered twice, and on a FIFO queue every group (one per producer) in
 * send order. Prints one line:
 *   MODE messages=N requests=R seconds=S requests_per_s=X lost=L duplicated=D out_of_order=O
 * and exits 1 when anything was lost, duplicated or out of order, or a call failed.
 *   gh_bench_sqs_http PORT standard|fifo [MESSAGES] [CLIENTS]
 * MESSAGES defaults to 48000: with sends, deletes and receives of up to 10, a run is just
 * over 10^5 requests. The clock stops when the last message is received.
 * The queue (bench-std or bench.fifo) is created by the program with a 60 s visibility
 * timeout, so no message becomes visible twice during a run. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

typedef struct client {
    CURL *curl;
    struct curl_slist *hdr[4]; /* one X-Amz-Target list per operation */
    buf resp;
    char url[128];
} client;

enum { OP_CREATE, OP_SEND, OP_RECEIVE, OP_DELETE };
static const char *const op_names[] = {"CreateQueue", "SendMessage", "ReceiveMessage",
                                       "DeleteMessage"};

static int port;
static bool fifo;
static long messages, per_producer;
static int producers, consumers;
static char queue_url[160];
static atomic_long received;      /* distinct messages seen by consumers */
static atomic_long requests_sent; /* every HTTP call, all clients */
static _Atomic double done_at;    /* when the last message arrived */
static long requests_at_done;
static atomic_long duplicated, out_of_order, failures;
static atomic_uchar *seen;        /* [producer * per_producer + seq] */
static long *next_seq;            /* FIFO: next expected sequence per group */
static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    size_t len = size * n;
    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->len + len + 1) * 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return 0;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return len;
}

static void client_init(client *c)
{
    memset(c, 0, sizeof *c);
    c->curl = curl_easy_init();
    snprintf(c->url, sizeof c->url, "http://127.0.0.1:%d/", port);
    for (int op = 0; op < 4; op++) {
        char target[64];
        snprintf(target, sizeof target, "X-Amz-Target: AmazonSQS.%s", op_names[op]);
        c->hdr[op] = curl_slist_append(NULL, target);
        c->hdr[op] = curl_slist_append(c->hdr[op], "Content-Type: application/x-amz-json-1.0");
        c->hdr[op] = curl_slist_append(c->hdr[op], "Expect:");
    }
    curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->resp);
    curl_easy_setopt(c->curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
}

static void client_free(client *c)
{
    for (int op = 0; op < 4; op++)
        curl_slist_free_all(c->hdr[op]);
    curl_easy_cleanup(c->curl);
    free(c->resp.data);
}

/* One call on the client's connection; the answer parsed, NULL (counted) on failure. */
static json_t *call(client *c, int op, json_t *payload)
{
    char *body = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    c->resp.len = 0;
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->hdr[op]);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(c->curl);
    free(body);
    atomic_fetch_add(&requests_sent, 1);
    long status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    json_t *v = rc == CURLE_OK && c->resp.len ? json_loadb(c->resp.data, c->resp.len, 0, NULL) : NULL;
    if (rc != CURLE_OK || status != 200 || !v) {
        if (atomic_fetch_add(&failures, 1) < 5)
            fprintf(stderr, "%s: %s, status %ld: %.300s\n", op_names[op], curl_easy_strerror(rc),
                    status, c->resp.len ? c->resp.data : "");
        json_decref(v);
        return NULL;
    }
    return v;
}

static void *producer(void *arg)
{
    long p = (long)(intptr_t)arg;
    client c;
    client_init(&c);
    for (long seq = 0; seq < per_producer && atomic_load(&failures) == 0; seq++) {
        char text[64], group[32];
        snprintf(text, sizeof text, "p%ld-%ld", p, seq);
        snprintf(group, sizeof group, "g%ld", p);
        json_t *req = json_pack("{s:s, s:s}", "QueueUrl", queue_url, "MessageBody", text);
        if (fifo) {
            json_object_set_new(req, "MessageGroupId", json_string(group));
            json_object_set_new(req, "MessageDeduplicationId", json_string(text));
        }
        json_decref(call(&c, OP_SEND, req));
    }
    client_free(&c);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Records one delivered body; on a FIFO queue checks it is its group's next. */
static void account(const char *text)
{
    long p, seq;
    if (sscanf(text, "p%ld-%ld", &p, &seq) != 2 || p < 0 || p >= producers || seq < 0 ||
        seq >= per_producer) {
        atomic_fetch_add(&failures, 1);
        return;
    }
    if (atomic_fetch_add(&seen[p * per_producer + seq], 1) != 0) {
        atomic_fetch_add(&duplicated, 1);
        return;
    }
    if (atomic_fetch_add(&received, 1) + 1 == messages) {
        /* The end of the run: consumers still in a long poll only add idle time. */
        requests_at_done = atomic_load(&requests_sent);
        atomic_store(&done_at, now_s());
    }
    if (fifo) {
        /* Checked before the delete: the group is not served again until then. */
        pthread_mutex_lock(&order_lock);
        if (next_seq[p] != seq)
            atomic_fetch_add(&out_of_order, 1);
        next_seq[p] = seq + 1;
        pthread_mutex_unlock(&order_lock);
    }
}

static void *consumer(void *arg)
{
    (void)arg;
    client c;
    client_init(&c);
    while (atomic_load(&received) < messages && atomic_load(&failures) == 0) {
        json_t *got = call(&c, OP_RECEIVE,
                           json_pack("{s:s, s:i, s:i}", "QueueUrl", queue_url,
                                     "MaxNumberOfMessages", 10, "WaitTimeSeconds", 1));
        json_t *list = json_object_get(got, "Messages");
        size_t i;
        json_t *m;
        json_array_foreach(list, i, m) {
            account(json_string_value(json_object_get(m, "Body")));
            json_decref(call(&c, OP_DELETE,
                             json_pack("{s:s, s:O}", "QueueUrl", queue_url, "ReceiptHandle",
                                       json_object_get(m, "ReceiptHandle"))));
        }
        json_decref(got);
    }
    client_free(&c);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[2], "standard") != 0 && strcmp(argv[2], "fifo") != 0)) {
        fprintf(stderr, "usage: %s PORT standard|fifo [MESSAGES] [CLIENTS]\n", argv[0]);
        return 2;
    }
    port = atoi(argv[1]);
    fifo = strcmp(argv[2], "fifo") == 0;
    long want = argc > 3 ? atol(argv[3]) : 48000;
    int clients = argc > 4 ? atoi(argv[4]) : 32;
    if (port <= 0 || want <= 0 || clients < 2) {
        fprintf(stderr, "%s: bad arguments\n", argv[0]);
        return 2;
    }
    producers = clients / 2;
    consumers = clients - producers;
    per_producer = (want + producers - 1) / producers;
    messages = per_producer * producers;
    seen = calloc((size_t)messages, sizeof *seen);
    next_seq = calloc((size_t)producers, sizeof *next_seq);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    client admin;
    client_init(&admin);
    const char *name = fifo ? "bench.fifo" : "bench-std";
    json_t *attrs = json_pack("{s:s}", "VisibilityTimeout", "60");
    if (fifo)
        json_object_set_new(attrs, "FifoQueue", json_string("true"));
    json_t *made = call(&admin, OP_CREATE, json_pack("{s:s, s:o}", "QueueName", name,
                                                     "Attributes", attrs));
    const char *url = json_string_value(json_object_get(made, "QueueUrl"));
    if (!url) {
        fprintf(stderr, "CreateQueue gave no QueueUrl\n");
        return 1;
    }
    snprintf(queue_url, sizeof queue_url, "%s", url);
    json_decref(made);
    client_free(&admin);

    pthread_t *t = calloc((size_t)clients, sizeof *t);
    double t0 = now_s();
    for (int i = 0; i < clients; i++)
        pthread_create(&t[i], NULL, i < producers ? producer : consumer,
                       (void *)(intptr_t)(i < producers ? i : 0));
    for (int i = 0; i < clients; i++)
        pthread_join(t[i], NULL);
    long requests = atomic_load(&requests_sent) - 1; /* not the CreateQueue */
    double end = atomic_load(&done_at);
    double secs = (end > 0 ? end : now_s()) - t0;
    if (end > 0)
        requests = requests_at_done - 1;
    long lost = messages - atomic_load(&received);
    printf("%s messages=%ld requests=%ld seconds=%.2f requests_per_s=%.0f lost=%ld "
           "duplicated=%ld out_of_order=%ld failures=%ld\n",
           fifo ? "fifo" : "standard", messages, requests, secs, (double)requests / secs, lost,
           atomic_load(&duplicated), atomic_load(&out_of_order), atomic_load(&failures));
    free(t);
    free(seen);
    free(next_seq);
    curl_global_cleanup();
    return lost || atomic_load(&duplicated) || atomic_load(&out_of_order) ||
                   atomic_load(&failures)
               ? 1
               : 0;
}
