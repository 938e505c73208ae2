/* Checking expect.queues: waiting on the arrival log and matching what arrived. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/queue_expect.h"
#include "template/vtl_json.h"
#include "util/base64.h"
#include "util/buf.h"

/* How many arrived bodies a failure quotes. */
#define QUOTE_MAX 5

long gh_fx_duration_ms(const gh_node *n)
{
    if (!n)
        return -1;
    if (n->kind == GH_NODE_INT)
        return n->v.i >= 0 && n->v.i <= 86400 ? (long)n->v.i * 1000 : -1;
    if (n->kind == GH_NODE_REAL)
        return n->v.r >= 0 && n->v.r <= 86400 ? (long)(n->v.r * 1000 + 0.5) : -1;
    if (n->kind != GH_NODE_STR)
        return -1;
    char *end;
    double d = strtod(n->text, &end);
    if (end == n->text || d < 0 || d > 86400 || isspace((unsigned char)n->text[0]))
        return -1;
    if (!strcmp(end, "ms"))
        return (long)(d + 0.5);
    if (!strcmp(end, "s") || !*end)
        return (long)(d * 1000 + 0.5);
    return -1;
}

/* The message's attributes as the JSON a fixture compares: a Number attribute as a
 * number (so {amount: 5} matches "5"), a Binary one as its base64 text, the rest as
 * text. */
static gh_vval attr_value(gh_arena *a, const gh_sqs_message *m)
{
    gh_vval map = gh_v_map(a, m->nattrs, true);
    for (size_t i = 0; i < m->nattrs; i++) {
        const gh_sqs_attr *at = &m->attrs[i];
        gh_vval val;
        const char *type = at->data_type ? at->data_type : "String";
        if (at->binary_value) {
            val = gh_v_str(gh_base64_encode(a, at->binary_value, at->binary_len));
        } else if (!strncmp(type, "Number", 6)) {
            const char *s = at->string_value ? at->string_value : "";
            if (gh_vjson_parse(a, s, strlen(s), &val))
                val = gh_v_strdup(a, s, strlen(s));
        } else {
            const char *s = at->string_value ? at->string_value : "";
            val = gh_v_strdup(a, s, strlen(s));
        }
        gh_vmap_put(a, map.u.map, at->name, strlen(at->name), val);
    }
    return map;
}

/* Does m hold what the matcher says? Mismatches go to why. */
static bool matches(gh_arena *a, const gh_vars *v, const gh_node *matcher, const gh_sqs_message *m,
                    gh_fx_result *why)
{
    const gh_node *body = gh_node_get(matcher, "body");
    const gh_node *json = gh_node_get(matcher, "json");
    const gh_node *attrs = gh_node_get(matcher, "attributes");
    if (body) {
        const char *err = NULL;
        size_t len;
        const char *want = gh_vars_subst(v, a, body->text, body->len, &len, NULL, &err);
        if (!want)
            gh_fx_fail(a, why, GH_FX_OTHER, "body", body->text, NULL, err);
        else if (len != m->body_len || memcmp(want, m->body, len))
            gh_fx_fail(a, why, GH_FX_OTHER, "body", want, gh_arena_strndup(a, m->body, m->body_len),
                       NULL);
    }
    if (json) {
        gh_vval got;
        const char *err = gh_vjson_parse(a, m->body, m->body_len, &got);
        if (err)
            gh_fx_fail(a, why, GH_FX_OTHER, "json", NULL, gh_arena_strndup(a, m->body, m->body_len),
                       gh_arena_printf(a, "the body is not JSON: %s", err));
        else
            gh_fx_match_json(a, v, json, got, true, GH_FX_OTHER, "json $", why);
    }
    if (attrs)
        gh_fx_match_json(a, v, attrs, attr_value(a, m), true, GH_FX_OTHER, "attributes $", why);
    return why->nfails == 0;
}

typedef struct verdict {
    gh_arena *a;
    const gh_vars *v;
    const gh_node *matchers; /* the messages list, or NULL */
    long count;
    bool passed;
    size_t got;
    const char **bodies;    /* the first QUOTE_MAX arrived, copied */
    const char **unmatched; /* per matcher: why the first unclaimed arrival missed, or
                             * "" when it matched one; NULL when never checked */
} verdict;

static bool check(void *ud, const gh_sqs_message *const *msgs, size_t n)
{
    verdict *vd = ud;
    gh_arena *a = vd->a;
    vd->got = n;
    for (size_t i = 0; i < n && i < QUOTE_MAX; i++)
        vd->bodies[i] = gh_arena_strndup(a, msgs[i]->body, msgs[i]->body_len);
    size_t nm = vd->matchers ? vd->matchers->n : 0;
    bool *used = gh_arena_calloc(a, n + 1);
    bool all = true;
    /* Each matcher takes the first message it matches that no earlier matcher took. */
    for (size_t k = 0; k < nm; k++) {
        const gh_node *mt = vd->matchers->items[k];
        const char *why = NULL;
        bool found = false;
        for (size_t i = 0; i < n && !found; i++) {
            if (used[i])
                continue;
            gh_fx_result r = {.passed = true};
            if (matches(a, vd->v, mt, msgs[i], &r)) {
                used[i] = found = true;
            } else if (!why && r.nfails) {
                const gh_fx_failure *f = &r.fails[0];
                why = gh_arena_printf(a, "message %zu: %s: expected %s, got %s%s%s", i + 1, f->what,
                                      f->expected ? f->expected : "-",
                                      f->actual ? f->actual : "(absent)", f->message ? "; " : "",
                                      f->message ? f->message : "");
            }
        }
        vd->unmatched[k] = found ? "" : why ? why : "no message to match";
        all = all && found;
    }
    if ((long)n > vd->count) {
        vd->passed = false;
        return true; /* too many already: more cannot help */
    }
    vd->passed = all && (long)n == vd->count;
    return vd->passed && vd->count > 0;
}

static const char *node_json_text(gh_arena *a, const gh_vars *v, const gh_node *n)
{
    const char *err = NULL;
    json_t *j = gh_fx_node_json(a, v, n, &err);
    if (!j)
        return n->text;
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(j);
    const char *out = gh_arena_strdup(a, s);
    free(s);
    return out;
}

static void expect_one(gh_arena *a, const gh_vars *v, const char *queue, const gh_node *spec,
                       gh_fx_queues *w, uint64_t mark, int64_t sent_ms, gh_fx_result *r)
{
    const gh_node *within = gh_node_get(spec, "within");
    const gh_node *count = gh_node_get(spec, "count");
    const gh_node *msgs = gh_node_get(spec, "messages");
    long t = within ? gh_fx_duration_ms(within) : GH_FX_QUEUE_WITHIN_MS;
    verdict vd = {
        .a = a,
        .v = v,
        .matchers = msgs,
        .count = count  ? (long)count->v.i
                 : msgs ? (long)msgs->n
                        : 1,
    };
    size_t nm = msgs ? msgs->n : 0;
    vd.bodies = gh_arena_calloc(a, QUOTE_MAX * sizeof *vd.bodies);
    vd.unmatched = gh_arena_calloc(a, (nm + 1) * sizeof *vd.unmatched);
    gh_fx_queues_wait(w, queue, mark, sent_ms + t, check, &vd);
    if (vd.passed)
        return;
    gh_buf b = GH_BUF_INIT;
    for (size_t i = 0; i < vd.got && i < QUOTE_MAX; i++)
        gh_buf_printf(&b, "%s%s", i ? " | " : "", vd.bodies[i]);
    if (vd.got > QUOTE_MAX)
        gh_buf_printf(&b, " | ... (%zu in all)", vd.got);
    const char *arrived = vd.got ? gh_arena_strndup(a, b.data, b.len) : "(none)";
    gh_buf_free(&b);
    const char *what = gh_arena_printf(a, "queue %s", queue);
    if ((long)vd.got != vd.count)
        gh_fx_fail(
            a, r, GH_FX_OTHER, what,
            gh_arena_printf(a, "%ld message%s within %ldms", vd.count, vd.count == 1 ? "" : "s", t),
            gh_arena_printf(a, "%zu: %s", vd.got, arrived), NULL);
    for (size_t k = 0; k < nm; k++)
        if (vd.unmatched[k] && *vd.unmatched[k])
            gh_fx_fail(
                a, r, GH_FX_OTHER, gh_arena_printf(a, "queue %s messages[%zu]", queue, k),
                node_json_text(a, v, msgs->items[k]), arrived,
                gh_arena_printf(a, "no message that arrived matches it (%s)", vd.unmatched[k]));
}

void gh_fx_expect_queues(gh_arena *a, const gh_vars *v, const gh_fixture *f, gh_fx_queues *w,
                         uint64_t mark, int64_t sent_ms, gh_fx_result *r)
{
    const gh_node *q = f->exp_queues;
    for (size_t i = 0; q && i < q->n; i++) {
        const char *name = q->pairs[i].key->text;
        if (!w) {
            gh_fx_fail(a, r, GH_FX_OTHER, gh_arena_printf(a, "queue %s", name), NULL, NULL,
                       "expect.queues watches the simulated SQS of the in-process emulator: "
                       "run gatehouse test with the definitions, not --target");
            continue;
        }
        expect_one(a, v, name, q->pairs[i].value, w, mark, sent_ms, r);
    }
}
