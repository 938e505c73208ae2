/* The simulated SNS and its store (sim/store.h, sim/persist.h): each topic is one JSON
 * document of its attributes and subscriptions (ARNs kept), rewritten whenever a topic or
 * one of its subscriptions changes (rare: Publish only moves the FIFO counter, a column of
 * its own), and read back at start. The 5-minute FIFO deduplication window of topics is
 * not kept (docs/sim.md, Persistence). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/persist.h"
#include "sim/sns_impl.h"
#include "util/log.h"

static json_t *attrs_json(const sns_attr *a, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++)
        json_object_set_new(o, a[i].name, json_string(a[i].value));
    return o;
}

void gh_sns_save_topic(gh_sns *s, const sns_topic *t)
{
    json_t *doc = json_object(), *subs = json_array();
    json_object_set_new(doc, "fifo", json_boolean(t->fifo));
    json_object_set_new(doc, "attrs", attrs_json(t->attrs, t->nattrs));
    for (size_t i = 0; i < t->nsubs; i++) {
        const sns_sub *u = t->subs[i];
        json_t *a = attrs_json(u->attrs, u->nattrs);
        /* The attributes Subscribe took apart, in the form it takes them. */
        if (u->raw)
            json_object_set_new(a, "RawMessageDelivery", json_string("true"));
        if (u->body_scope)
            json_object_set_new(a, "FilterPolicyScope", json_string("MessageBody"));
        if (u->filter_json)
            json_object_set_new(a, "FilterPolicy", json_string(u->filter_json));
        json_array_append_new(subs, json_pack("{s:s, s:s, s:s, s:o}", "arn", u->arn, "protocol",
                                              u->protocol, "endpoint", u->endpoint, "attrs", a));
    }
    json_object_set_new(doc, "subs", subs);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text || gh_store_topic_put(s->store, t->name, text, t->next_seq) != 0)
        gh_log(GH_LOG_WARN, "topic %s: not written to the state store", t->name);
    free(text);
}

/* gh_kv pairs pointing into an attributes object (valid while it lives). */
static gh_kv *kv_of(json_t *o, size_t *n)
{
    *n = 0;
    gh_kv *kv = calloc(json_object_size(o) + 1, sizeof *kv);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (kv && json_is_string(v)) {
            kv[*n].key = k;
            kv[*n].value = json_string_value(v);
            (*n)++;
        }
    }
    return kv;
}

typedef struct restore {
    gh_sns *s;
    char *err;
    size_t errlen;
} restore;

static int restore_topic(void *ud, const char *name, const char *doc_text, uint64_t next_seq)
{
    restore *rs = ud;
    json_t *doc = json_loads(doc_text ? doc_text : "", 0, NULL);
    size_t n;
    gh_kv *kv = kv_of(json_object_get(doc, "attrs"), &n);
    char *arn = NULL;
    gh_sns_error err = {0};
    int rc = doc && kv ? gh_sns_create_topic(rs->s, name, kv, n, &arn, &err) : -1;
    free(kv);
    if (rc != 0) {
        snprintf(rs->err, rs->errlen, "topic %s cannot be read back%s%s", name,
                 err.code ? ": " : "", err.code ? err.message : "");
        json_decref(doc);
        return -1;
    }
    pthread_mutex_lock(&rs->s->mu);
    sns_topic *t = gh_sns_topic_find(rs->s, arn);
    if (t)
        t->next_seq = next_seq > t->next_seq ? next_seq : t->next_seq;
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(doc, "subs"), i, u)
    {
        const char *sarn = json_string_value(json_object_get(u, "arn"));
        const char *proto = json_string_value(json_object_get(u, "protocol"));
        const char *endpoint = json_string_value(json_object_get(u, "endpoint"));
        gh_kv *skv = kv_of(json_object_get(u, "attrs"), &n);
        if (!t || !sarn || !proto || !endpoint || !skv ||
            gh_sns_sub_restore(t, sarn, proto, endpoint, skv, n) != 0) {
            snprintf(rs->err, rs->errlen, "a subscription of topic %s cannot be read back", name);
            rc = -1;
        }
        free(skv);
        if (rc)
            break;
    }
    pthread_mutex_unlock(&rs->s->mu);
    free(arn);
    json_decref(doc);
    return rc;
}

int gh_sns_restore(gh_sns *s, gh_store *st, char *err, size_t errlen)
{
    err[0] = '\0';
    restore rs = {s, err, errlen};
    int rc = gh_store_each_topic(st, restore_topic, &rs);
    if (rc != 0 && !err[0])
        snprintf(err, errlen, "the stored topics cannot be read back");
    pthread_mutex_lock(&s->mu);
    s->store = st;
    size_t n = s->ntopics;
    pthread_mutex_unlock(&s->mu);
    if (rc == 0)
        gh_log(GH_LOG_INFO, "state: %zu topic(s) restored", n);
    return rc == 0 ? 0 : -1;
}
