/* x-gatehouse.queues, .topics and .eventSources: what the simulated SQS, SNS and event
 * source mappings create at start (sim/sim.h applies them). Settings are written in
 * camelCase as in CloudFormation and compiled to the attribute names and string values
 * the services take (VisibilityTimeout "30", RedrivePolicy JSON with the DLQ's ARN,
 * FilterPolicy JSON text), so sim/ sees one vocabulary whatever created a queue.
 * Ranges are AWS's (SQS Developer Guide, "quotas"; SetQueueAttributes; Lambda's
 * services-sqs-parameters), so what loads here would deploy there. Runs after
 * gh_cc_settings (functions must be known). */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sim/filter_policy.h"
#include "spec/compile.h"

#define QUEUE_KEYS                                                                                 \
    "visibilityTimeout, messageRetentionPeriod, delaySeconds, receiveMessageWaitTimeSeconds, "     \
    "maximumMessageSize, fifo, contentBasedDeduplication, deadLetterQueue"
#define TOPIC_KEYS "fifo, contentBasedDeduplication, displayName, subscriptions"
#define SUB_KEYS "protocol, endpoint, rawMessageDelivery, filterPolicy, filterPolicyScope"
#define SOURCE_KEYS                                                                                \
    "queue, function, batchSize, maximumBatchingWindowInSeconds, functionResponseTypes, "          \
    "enabled"

static bool in_list(const char *key, const char *list)
{
    size_t n = strlen(key);
    for (const char *p = strstr(list, key); p; p = strstr(p + 1, key))
        if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static void unknown_keys(gh_cc *cc, const gh_node *map, const char *what, const char *known)
{
    for (size_t i = 0; map && map->kind == GH_NODE_MAP && i < map->n; i++)
        if (!in_list(map->pairs[i].key->text, known))
            gh_diag_warn(cc->d, gh_cc_mark(cc, map->pairs[i].key),
                         "unknown %s setting '%s' is "
                         "ignored; known: %s",
                         what, map->pairs[i].key->text, known);
}

static void add(gh_cc *cc, gh_kvs *kv, const char *key, const char *value, const gh_node *at)
{
    kv->items[kv->n++] = (gh_kv){key, gh_arena_strdup(cc->a, value), gh_cc_mark(cc, at)};
}

/* A whole number setting within [lo, hi]; false (with an error) otherwise. */
static bool number(gh_cc *cc, const gh_node *n, const char *what, long lo, long hi, long *out)
{
    const char *s =
        n && (n->kind == GH_NODE_INT || n->kind == GH_NODE_STR) ? gh_node_scalar(n) : NULL;
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || v < lo || v > hi) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n),
                      "%s must be a whole number from %ld to %ld, as "
                      "AWS allows; got '%s'",
                      what, lo, hi, s ? s : gh_node_kind_name(n->kind));
        return false;
    }
    *out = v;
    return true;
}

/* true / false (YAML booleans or their text); -1 after an error. */
static int boolean(gh_cc *cc, const gh_node *n, const char *what)
{
    const char *s = gh_node_scalar(n);
    if (s && (n->kind == GH_NODE_BOOL || n->kind == GH_NODE_STR)) {
        if (strcmp(s, "true") == 0)
            return 1;
        if (strcmp(s, "false") == 0)
            return 0;
    }
    gh_diag_error(cc->d, gh_cc_mark(cc, n), "%s must be true or false; got '%s'", what,
                  s ? s : gh_node_kind_name(n->kind));
    return -1;
}

/* Queue names: 1-80 characters of [A-Za-z0-9_-], a FIFO queue's ending in ".fifo"
 * (which counts in the 80); topics the same with 256 (CreateQueue, CreateTopic). */
static bool valid_name(const char *s, size_t max)
{
    size_t n = strlen(s), base = n;
    if (n > 5 && strcmp(s + n - 5, ".fifo") == 0)
        base = n - 5;
    for (size_t i = 0; i < base; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return false;
    return base > 0 && n <= max;
}

static bool fifo_name(const char *s)
{
    size_t n = strlen(s);
    return n > 5 && strcmp(s + n - 5, ".fifo") == 0;
}

/* `fifo:` agrees with the name: AWS requires ".fifo" exactly on FIFO queues and topics. */
static bool fifo_setting(gh_cc *cc, const gh_node *v, const char *kind, const char *name,
                         const gh_node *key)
{
    const gh_node *f = gh_node_get(v, "fifo");
    int fifo = f ? boolean(cc, f, "fifo") : fifo_name(name);
    if (fifo == 1 && !fifo_name(name))
        gh_diag_error(cc->d, gh_cc_mark(cc, key),
                      "%s '%s' is FIFO (fifo: true) but its name "
                      "does not end in '.fifo', as AWS requires; rename it '%s.fifo'",
                      kind, name, name);
    else if (fifo == 0 && fifo_name(name))
        gh_diag_error(cc->d, gh_cc_mark(cc, f),
                      "%s '%s' ends in '.fifo', a name AWS keeps "
                      "for FIFO %ss; drop 'fifo: false' or the suffix",
                      kind, name, kind);
    return fifo == 1 || (fifo < 0 && fifo_name(name));
}

static void content_dedup(gh_cc *cc, const gh_node *v, bool fifo, const char *kind, gh_kvs *kv)
{
    const gh_node *n = gh_node_get(v, "contentBasedDeduplication");
    int on = n ? boolean(cc, n, "contentBasedDeduplication") : -1;
    if (on < 0)
        return;
    if (!fifo && on)
        gh_diag_error(cc->d, gh_cc_mark(cc, n),
                      "contentBasedDeduplication applies to FIFO "
                      "%ss only; add fifo: true and a '.fifo' name, or drop it",
                      kind);
    else if (fifo)
        add(cc, kv, "ContentBasedDeduplication", on ? "true" : "false", n);
}

static const gh_queue_decl *queue_named(const gh_api *api, const char *name)
{
    /* an ARN names the queue by its last part, whatever account it says */
    const char *colon = strncmp(name, "arn:", 4) == 0 ? strrchr(name, ':') : NULL;
    if (colon)
        name = colon + 1;
    for (size_t i = 0; i < api->nqueues; i++)
        if (strcmp(api->queues[i].name, name) == 0)
            return &api->queues[i];
    return NULL;
}

static const char *declared_list(gh_cc *cc)
{
    char *s = "";
    for (size_t i = 0; i < cc->api->nqueues; i++)
        s = gh_arena_printf(cc->a, "%s%s%s", s, i ? ", " : "", cc->api->queues[i].name);
    return cc->api->nqueues ? s : "none";
}

static const struct queue_number {
    const char *key, *attr;
    long lo, hi;
} queue_numbers[] = {
    {"visibilityTimeout", "VisibilityTimeout", 0, 43200},
    {"messageRetentionPeriod", "MessageRetentionPeriod", 60, 1209600},
    {"delaySeconds", "DelaySeconds", 0, 900},
    {"receiveMessageWaitTimeSeconds", "ReceiveMessageWaitTimeSeconds", 0, 20},
    /* 1 MiB since August 2025 (reference §10.3), at least 1 KiB */
    {"maximumMessageSize", "MaximumMessageSize", 1024, 1048576},
};

static void queue(gh_cc *cc, const gh_pair *p, gh_queue_decl *q)
{
    q->name = gh_arena_strdup(cc->a, p->key->text);
    q->mark = gh_cc_mark(cc, p->key);
    const gh_node *v = p->value;
    if (!valid_name(q->name, 80))
        gh_diag_error(cc->d, q->mark,
                      "invalid queue name '%s'; SQS queue names are 1 to 80 "
                      "letters, digits, '-' and '_' (a FIFO queue's ending in '.fifo')",
                      q->name);
    if (v && v->kind != GH_NODE_MAP && v->kind != GH_NODE_NULL) {
        gh_diag_error(cc->d, gh_cc_mark(cc, v),
                      "queue '%s' must be a map of settings (%s), "
                      "or empty for SQS's defaults",
                      q->name, QUEUE_KEYS);
        return;
    }
    q->attributes.items = gh_arena_calloc(cc->a, 10 * sizeof *q->attributes.items);
    for (size_t i = 0; i < sizeof queue_numbers / sizeof *queue_numbers; i++) {
        const struct queue_number *qn = &queue_numbers[i];
        const gh_node *n = gh_node_get(v, qn->key);
        long x;
        if (n && number(cc, n, qn->key, qn->lo, qn->hi, &x))
            add(cc, &q->attributes, qn->attr, gh_arena_printf(cc->a, "%ld", x), n);
    }
    bool fifo = fifo_setting(cc, v, "queue", q->name, p->key);
    if (fifo)
        add(cc, &q->attributes, "FifoQueue", "true",
            gh_node_get(v, "fifo") ? gh_node_get(v, "fifo") : p->key);
    content_dedup(cc, v, fifo, "queue", &q->attributes);
    unknown_keys(cc, v, "queue", QUEUE_KEYS);
}

/* deadLetterQueue: {queue, maxReceiveCount} -> RedrivePolicy, once every queue is known
 * (a DLQ may be declared after the queues that use it). */
static void redrive(gh_cc *cc, const gh_node *v, gh_queue_decl *q)
{
    const gh_node *dl = gh_node_get(v, "deadLetterQueue");
    if (!dl)
        return;
    if (dl->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, dl),
                      "deadLetterQueue must be a map {queue: NAME, "
                      "maxReceiveCount: N}");
        return;
    }
    unknown_keys(cc, dl, "deadLetterQueue", "queue, maxReceiveCount");
    const gh_node *qn = gh_node_get(dl, "queue"), *mn = gh_node_get(dl, "maxReceiveCount");
    const char *name = gh_node_str(qn);
    long max = 0;
    if (!name) {
        gh_diag_error(cc->d, gh_cc_mark(cc, qn ? qn : dl),
                      "deadLetterQueue needs 'queue: "
                      "NAME', a queue declared in x-gatehouse.queues");
        return;
    }
    if (!mn) {
        gh_diag_error(cc->d, gh_cc_mark(cc, dl),
                      "deadLetterQueue needs maxReceiveCount (1 to "
                      "1000): how many receives a message gets before it moves to '%s'",
                      name);
        return;
    }
    if (!number(cc, mn, "maxReceiveCount", 1, 1000, &max))
        return;
    const gh_queue_decl *dlq = queue_named(cc->api, name);
    if (!dlq) {
        gh_diag_error(cc->d, gh_cc_mark(cc, qn),
                      "dead-letter queue '%s' is not declared in "
                      "x-gatehouse.queues (declared: %s); declare it, or fix the name",
                      name, declared_list(cc));
        return;
    }
    if (dlq == q) {
        gh_diag_error(cc->d, gh_cc_mark(cc, qn),
                      "queue '%s' cannot be its own dead-letter "
                      "queue; name another queue",
                      q->name);
        return;
    }
    /* "The dead-letter queue of a FIFO queue must also be a FIFO queue" (SQS Developer
     * Guide, sqs-dead-letter-queues), and a standard queue's must be standard. */
    if (fifo_name(dlq->name) != fifo_name(q->name)) {
        gh_diag_error(cc->d, gh_cc_mark(cc, qn),
                      "queue '%s' is %s but its dead-letter queue "
                      "'%s' is not; SQS requires both FIFO or both standard",
                      q->name, fifo_name(q->name) ? "FIFO" : "standard", dlq->name);
        return;
    }
    json_t *j = json_pack("{s:s, s:I}", "deadLetterTargetArn",
                          gh_arena_printf(cc->a, "arn:aws:sqs:%s:%s:%s", cc->api->region,
                                          cc->api->account_id, dlq->name),
                          "maxReceiveCount", (json_int_t)max);
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    add(cc, &q->attributes, "RedrivePolicy", text, dl);
    free(text);
    json_decref(j);
}

static void queues(gh_cc *cc, const gh_node *xs)
{
    const gh_node *map = gh_node_get(xs, "queues");
    if (!map || map->kind == GH_NODE_NULL)
        return;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map),
                      "x-gatehouse.queues must be a map of queue "
                      "name to settings (%s)",
                      QUEUE_KEYS);
        return;
    }
    gh_api *api = cc->api;
    api->queues = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *api->queues);
    for (size_t i = 0; i < map->n; i++)
        queue(cc, &map->pairs[i], &api->queues[api->nqueues++]);
    for (size_t i = 0; i < map->n; i++)
        redrive(cc, map->pairs[i].value, &api->queues[i]);
}

/* A policy SNS would refuse (more than 5 keys, over 150 combinations, a bad condition,
 * nesting in the MessageAttributes scope) is a load error, so `validate` sees what
 * Subscribe would answer; the text is SNS's InvalidParameter one. */
static bool filter_policy_ok(gh_cc *cc, const gh_node *v, const char *text,
                             const gh_node *scope)
{
    char err[512];
    gh_filter_policy *fp = gh_filter_policy_compile(text, err, sizeof err);
    const char *sc = scope ? gh_node_str(scope) : NULL;
    bool nested = fp && gh_filter_policy_nested(fp) && !(sc && strcmp(sc, "MessageBody") == 0);
    gh_filter_policy_free(fp);
    if (!fp)
        gh_diag_error(cc->d, gh_cc_mark(cc, v),
                      "SNS refuses this filterPolicy: %s; fix it as docs/sim.md (Filter "
                      "policies) describes",
                      err);
    else if (nested)
        gh_diag_error(cc->d, gh_cc_mark(cc, v),
                      "this filterPolicy nests keys, which SNS allows only with "
                      "filterPolicyScope: MessageBody; add it, or flatten the policy");
    return fp && !nested;
}

/* A function named by name or Lambda ARN (its name part), declared in this API. */
static bool function_known(gh_cc *cc, const char *fn)
{
    const char *f = strstr(fn, ":function:");
    if (f) {
        f += strlen(":function:");
        const char *colon = strchr(f, ':');
        fn = gh_arena_strndup(cc->a, f, colon ? (size_t)(colon - f) : strlen(f));
    }
    return gh_api_function(cc->api, fn) != NULL;
}

static void subscription(gh_cc *cc, const gh_node *n, gh_subscription_decl *s)
{
    s->mark = gh_cc_mark(cc, n);
    if (n->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, s->mark, "a subscription must be a map {%s}", SUB_KEYS);
        return;
    }
    unknown_keys(cc, n, "subscription", SUB_KEYS);
    const gh_node *pn = gh_node_get(n, "protocol"), *en = gh_node_get(n, "endpoint");
    s->protocol = gh_node_str(pn) ? gh_arena_strdup(cc->a, gh_node_str(pn)) : NULL;
    s->endpoint = gh_node_str(en) ? gh_arena_strdup(cc->a, gh_node_str(en)) : NULL;
    if (!s->protocol || (strcmp(s->protocol, "sqs") && strcmp(s->protocol, "lambda") &&
                         strcmp(s->protocol, "http") && strcmp(s->protocol, "https"))) {
        gh_diag_error(cc->d, gh_cc_mark(cc, pn ? pn : n),
                      "subscription protocol must be one "
                      "of sqs, lambda, http, https; got '%s'",
                      s->protocol ? s->protocol
                      : pn        ? gh_node_kind_name(pn->kind)
                                  : "nothing");
        s->protocol = NULL;
        return;
    }
    if (!s->endpoint) {
        gh_diag_error(cc->d, gh_cc_mark(cc, en ? en : n),
                      "subscription needs an endpoint: a "
                      "queue name or ARN (sqs), a function name or ARN (lambda), a URL "
                      "(http, https)");
        return;
    }
    bool sqs = strcmp(s->protocol, "sqs") == 0, lambda = strcmp(s->protocol, "lambda") == 0;
    if (sqs && !queue_named(cc->api, s->endpoint))
        gh_diag_error(cc->d, gh_cc_mark(cc, en),
                      "subscription endpoint '%s' is not a queue "
                      "declared in x-gatehouse.queues (declared: %s); declare it, or fix the "
                      "name",
                      s->endpoint, declared_list(cc));
    else if (lambda && !function_known(cc, s->endpoint))
        gh_diag_error(cc->d, gh_cc_mark(cc, en),
                      "subscription endpoint '%s' is not a function "
                      "in x-gatehouse.functions; add it with a Lua handler",
                      s->endpoint);
    else if (!sqs && !lambda && strncmp(s->endpoint, s->protocol, strlen(s->protocol)) != 0)
        gh_diag_error(cc->d, gh_cc_mark(cc, en),
                      "a %s subscription's endpoint must be a %s:// "
                      "URL; got '%s'",
                      s->protocol, s->protocol, s->endpoint);
    s->attributes.items = gh_arena_calloc(cc->a, 4 * sizeof *s->attributes.items);
    const gh_node *v;
    if ((v = gh_node_get(n, "rawMessageDelivery"))) {
        int raw = boolean(cc, v, "rawMessageDelivery");
        /* Raw delivery exists for SQS, HTTP/S and Firehose endpoints only (SNS Developer
         * Guide, sns-large-payload-raw-message-delivery). */
        if (raw >= 0 && lambda)
            gh_diag_error(cc->d, gh_cc_mark(cc, v),
                          "rawMessageDelivery applies to sqs, http "
                          "and https subscriptions, not lambda; drop it");
        else if (raw >= 0)
            add(cc, &s->attributes, "RawMessageDelivery", raw ? "true" : "false", v);
    }
    if ((v = gh_node_get(n, "filterPolicy"))) {
        if (v->kind != GH_NODE_MAP) {
            gh_diag_error(cc->d, gh_cc_mark(cc, v),
                          "filterPolicy must be a map, like "
                          "{store: [example_corp], price_usd: [{numeric: ['>=', 100]}]}");
        } else {
            json_t *j = gh_cc_node_json(cc, v);
            char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            if (text && filter_policy_ok(cc, v, text, gh_node_get(n, "filterPolicyScope")))
                add(cc, &s->attributes, "FilterPolicy", text, v);
            free(text);
            json_decref(j);
        }
    }
    if ((v = gh_node_get(n, "filterPolicyScope"))) {
        const char *sc = gh_node_str(v);
        if (!sc || (strcmp(sc, "MessageAttributes") && strcmp(sc, "MessageBody")))
            gh_diag_error(cc->d, gh_cc_mark(cc, v),
                          "filterPolicyScope must be "
                          "MessageAttributes (the default) or MessageBody");
        else
            add(cc, &s->attributes, "FilterPolicyScope", sc, v);
    }
}

static void topic(gh_cc *cc, const gh_pair *p, gh_topic_decl *t)
{
    t->name = gh_arena_strdup(cc->a, p->key->text);
    t->mark = gh_cc_mark(cc, p->key);
    const gh_node *v = p->value;
    if (!valid_name(t->name, 256))
        gh_diag_error(cc->d, t->mark,
                      "invalid topic name '%s'; SNS topic names are 1 to 256 "
                      "letters, digits, '-' and '_' (a FIFO topic's ending in '.fifo')",
                      t->name);
    if (v && v->kind != GH_NODE_MAP && v->kind != GH_NODE_NULL) {
        gh_diag_error(cc->d, gh_cc_mark(cc, v), "topic '%s' must be a map of settings (%s)",
                      t->name, TOPIC_KEYS);
        return;
    }
    unknown_keys(cc, v, "topic", TOPIC_KEYS);
    t->attributes.items = gh_arena_calloc(cc->a, 4 * sizeof *t->attributes.items);
    bool fifo = fifo_setting(cc, v, "topic", t->name, p->key);
    if (fifo)
        add(cc, &t->attributes, "FifoTopic", "true",
            gh_node_get(v, "fifo") ? gh_node_get(v, "fifo") : p->key);
    content_dedup(cc, v, fifo, "topic", &t->attributes);
    const gh_node *dn = gh_node_get(v, "displayName");
    if (dn) {
        const char *s = gh_node_scalar(dn);
        if (!s || dn->kind == GH_NODE_MAP || dn->kind == GH_NODE_SEQ || strlen(s) > 100)
            gh_diag_error(cc->d, gh_cc_mark(cc, dn),
                          "displayName must be text of at most 100 "
                          "characters");
        else
            add(cc, &t->attributes, "DisplayName", s, dn);
    }
    const gh_node *subs = gh_node_get(v, "subscriptions");
    if (!subs || subs->kind == GH_NODE_NULL)
        return;
    if (subs->kind != GH_NODE_SEQ) {
        gh_diag_error(cc->d, gh_cc_mark(cc, subs), "subscriptions must be a list of {%s}",
                      SUB_KEYS);
        return;
    }
    t->subscriptions = gh_arena_calloc(cc->a, (subs->n + 1) * sizeof *t->subscriptions);
    for (size_t i = 0; i < subs->n; i++) {
        gh_subscription_decl *s = &t->subscriptions[t->nsubscriptions];
        subscription(cc, subs->items[i], s);
        if (s->protocol && s->endpoint)
            t->nsubscriptions++;
    }
}

static void topics(gh_cc *cc, const gh_node *xs)
{
    const gh_node *map = gh_node_get(xs, "topics");
    if (!map || map->kind == GH_NODE_NULL)
        return;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map),
                      "x-gatehouse.topics must be a map of topic "
                      "name to settings (%s)",
                      TOPIC_KEYS);
        return;
    }
    gh_api *api = cc->api;
    api->topics = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *api->topics);
    for (size_t i = 0; i < map->n; i++)
        topic(cc, &map->pairs[i], &api->topics[api->ntopics++]);
}

static void event_source(gh_cc *cc, const gh_node *n, gh_event_source_decl *e)
{
    e->mark = gh_cc_mark(cc, n);
    e->batch_size = 10;
    e->enabled = true;
    if (n->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, e->mark, "an event source must be a map {%s}", SOURCE_KEYS);
        return;
    }
    unknown_keys(cc, n, "event source", SOURCE_KEYS);
    const gh_node *qn = gh_node_get(n, "queue"), *fn = gh_node_get(n, "function");
    e->queue = gh_node_str(qn) ? gh_arena_strdup(cc->a, gh_node_str(qn)) : NULL;
    e->function = gh_node_str(fn) ? gh_arena_strdup(cc->a, gh_node_str(fn)) : NULL;
    const gh_queue_decl *q = e->queue ? queue_named(cc->api, e->queue) : NULL;
    if (!e->queue)
        gh_diag_error(cc->d, gh_cc_mark(cc, qn ? qn : n),
                      "event source needs 'queue: NAME', a "
                      "queue declared in x-gatehouse.queues");
    else if (!q)
        gh_diag_error(cc->d, gh_cc_mark(cc, qn),
                      "event source queue '%s' is not declared in "
                      "x-gatehouse.queues (declared: %s); declare it, or fix the name",
                      e->queue, declared_list(cc));
    if (!e->function)
        gh_diag_error(cc->d, gh_cc_mark(cc, fn ? fn : n),
                      "event source needs 'function: "
                      "NAME', a function declared in x-gatehouse.functions");
    else if (!function_known(cc, e->function))
        gh_diag_error(cc->d, gh_cc_mark(cc, fn),
                      "event source function '%s' is not declared in "
                      "x-gatehouse.functions; add it with a Lua handler",
                      e->function);
    bool fifo = q && fifo_name(q->name);
    const gh_node *v;
    long x;
    /* Lambda's services-sqs-parameters: BatchSize 1-10000 for standard queues and 1-10
     * for FIFO; MaximumBatchingWindowInSeconds 0-300, not supported for FIFO queues. */
    if ((v = gh_node_get(n, "batchSize")) &&
        number(cc, v, fifo ? "batchSize (FIFO queue)" : "batchSize", 1, fifo ? 10 : 10000, &x))
        e->batch_size = (int)x;
    const gh_node *wn = gh_node_get(n, "maximumBatchingWindowInSeconds");
    if (wn && fifo)
        gh_diag_error(cc->d, gh_cc_mark(cc, wn),
                      "maximumBatchingWindowInSeconds is not "
                      "supported for FIFO queues (Lambda's rule); drop it");
    else if (wn && number(cc, wn, "maximumBatchingWindowInSeconds", 0, 300, &x))
        e->batching_window_s = (int)x;
    /* CreateEventSourceMapping refuses a batch over 10 without a batching window. */
    if (e->batch_size > 10 && e->batching_window_s < 1 && !(wn && fifo))
        gh_diag_error(cc->d, gh_cc_mark(cc, gh_node_get(n, "batchSize")),
                      "batchSize %d needs "
                      "maximumBatchingWindowInSeconds of at least 1, as Lambda requires for "
                      "batches over 10",
                      e->batch_size);
    if ((v = gh_node_get(n, "functionResponseTypes"))) {
        bool ok = v->kind == GH_NODE_SEQ;
        for (size_t i = 0; ok && i < v->n; i++) {
            const char *s = gh_node_str(v->items[i]);
            ok = s && strcmp(s, "ReportBatchItemFailures") == 0;
        }
        if (!ok)
            gh_diag_error(cc->d, gh_cc_mark(cc, v),
                          "functionResponseTypes must be a list "
                          "holding only ReportBatchItemFailures, like "
                          "[ReportBatchItemFailures]");
        else
            e->report_batch_item_failures = v->n > 0;
    }
    if ((v = gh_node_get(n, "enabled"))) {
        int on = boolean(cc, v, "enabled");
        if (on >= 0)
            e->enabled = on;
    }
}

static void event_sources(gh_cc *cc, const gh_node *xs)
{
    const gh_node *seq = gh_node_get(xs, "eventSources");
    if (!seq || seq->kind == GH_NODE_NULL)
        return;
    if (seq->kind != GH_NODE_SEQ) {
        gh_diag_error(cc->d, gh_cc_mark(cc, seq),
                      "x-gatehouse.eventSources must be a list of "
                      "{%s}",
                      SOURCE_KEYS);
        return;
    }
    gh_api *api = cc->api;
    api->event_sources = gh_arena_calloc(cc->a, (seq->n + 1) * sizeof *api->event_sources);
    for (size_t i = 0; i < seq->n; i++)
        event_source(cc, seq->items[i], &api->event_sources[api->nevent_sources++]);
}

void gh_cc_sim_settings(gh_cc *cc, const gh_node *xs)
{
    queues(cc, xs);
    topics(cc, xs);
    event_sources(cc, xs);
}
