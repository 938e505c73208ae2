/* SHIM: drop at merge. Throwaway stand-ins for sim/sqs.h, sim/sns.h, sim/event_source.h
 * and sim/aws_protocol.h (sim-sqs, sim-sns, sim-events, sim-proto implement them), just
 * enough for sim.c and the aws service integration to be tested: queues are names with
 * a list of bodies, SendMessage (query form or JSON protocol) answers like SQS. */
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/aws_protocol.h"
#include "sim/event_source.h"
#include "sim/sim.h"
#include "util/ids.h"
#include "util/url.h"

typedef struct shim_queue {
    char *name;
    char *bodies[64];
    size_t nbodies;
} shim_queue;

struct gh_sqs {
    char region[64], account[16];
    shim_queue q[32];
    size_t n;
    pthread_mutex_t lock;
};

gh_sqs *gh_sqs_new(const char *region, const char *account)
{
    gh_sqs *s = calloc(1, sizeof *s);
    snprintf(s->region, sizeof s->region, "%s", region);
    snprintf(s->account, sizeof s->account, "%s", account);
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void gh_sqs_free(gh_sqs *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->q[i].name);
        for (size_t k = 0; k < s->q[i].nbodies; k++)
            free(s->q[i].bodies[k]);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static shim_queue *find(gh_sqs *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->q[i].name, name) == 0)
            return &s->q[i];
    return NULL;
}

int gh_sqs_exists(gh_sqs *s, const char *name) { return find(s, name) != NULL; }

int gh_sqs_create_queue(gh_sqs *s, const char *name, const gh_kv *attrs, size_t nattrs,
                        gh_sqs_error *err)
{
    (void)attrs;
    (void)nattrs;
    (void)err;
    if (!find(s, name) && s->n < 32)
        s->q[s->n++].name = strdup(name);
    return 0;
}

int gh_sqs_set_attributes(gh_sqs *s, const char *name, const gh_kv *attrs, size_t nattrs,
                          gh_sqs_error *err)
{
    (void)s, (void)name, (void)attrs, (void)nattrs, (void)err;
    return 0;
}

const char *gh_sqs_region(const gh_sqs *s) { return s->region; }
const char *gh_sqs_account(const gh_sqs *s) { return s->account; }

void gh_sqs_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int gh_sqs_peek(gh_sqs *s, const char *queue, size_t max, gh_sqs_message **out, size_t *n)
{
    pthread_mutex_lock(&s->lock);
    shim_queue *q = find(s, queue);
    *n = 0;
    *out = calloc(max + 1, sizeof **out);
    for (size_t i = 0; q && i < q->nbodies && i < max; i++) {
        (*out)[i].body = strdup(q->bodies[i]);
        (*out)[i].body_len = strlen(q->bodies[i]);
        (*n)++;
    }
    pthread_mutex_unlock(&s->lock);
    return q ? 0 : -1;
}

void gh_sqs_messages_free(gh_sqs_message *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].body);
    free(m);
}

struct gh_sns {
    char region[64], account[16];
    char *topics[32];
    size_t n;
};

gh_sns *gh_sns_new(const char *region, const char *account, gh_sqs *sqs)
{
    (void)sqs;
    gh_sns *s = calloc(1, sizeof *s);
    snprintf(s->region, sizeof s->region, "%s", region);
    snprintf(s->account, sizeof s->account, "%s", account);
    return s;
}

void gh_sns_free(gh_sns *s)
{
    for (size_t i = 0; s && i < s->n; i++)
        free(s->topics[i]);
    free(s);
}

size_t gh_sns_list_topics(gh_sns *s, char ***arns)
{
    *arns = calloc(s->n + 1, sizeof **arns);
    for (size_t i = 0; i < s->n; i++)
        (*arns)[i] = strdup(s->topics[i]);
    return s->n;
}

int gh_sns_create_topic(gh_sns *s, const char *name, const gh_kv *attrs, size_t nattrs,
                        char **arn, gh_sns_error *err)
{
    (void)attrs, (void)nattrs, (void)err;
    char buf[512];
    snprintf(buf, sizeof buf, "arn:aws:sns:%s:%s:%s", s->region, s->account, name);
    if (s->n < 32)
        s->topics[s->n++] = strdup(buf);
    *arn = strdup(buf);
    return 0;
}

int gh_sns_set_topic_attribute(gh_sns *s, const char *topic_arn, const char *name,
                               const char *value, gh_sns_error *err)
{
    (void)s, (void)topic_arn, (void)name, (void)value, (void)err;
    return 0;
}

int gh_sns_subscribe(gh_sns *s, const char *topic_arn, const char *protocol,
                     const char *endpoint, const gh_kv *attrs, size_t nattrs, char **sub_arn,
                     gh_sns_error *err)
{
    (void)s, (void)protocol, (void)endpoint, (void)attrs, (void)nattrs, (void)err;
    size_t n = strlen(topic_arn) + 8;
    *sub_arn = malloc(n);
    snprintf(*sub_arn, n, "%s:sub", topic_arn);
    return 0;
}

int gh_sns_set_subscription_attribute(gh_sns *s, const char *sub_arn, const char *name,
                                      const char *value, gh_sns_error *err)
{
    (void)s, (void)sub_arn, (void)name, (void)value, (void)err;
    return 0;
}

struct gh_event_sources {
    gh_sim *sim;
};

gh_event_sources *gh_event_sources_new(gh_sim *sim)
{
    gh_event_sources *es = calloc(1, sizeof *es);
    es->sim = sim;
    return es;
}

void gh_event_sources_free(gh_event_sources *es) { free(es); }

int gh_event_sources_apply(gh_event_sources *es, const gh_model *m, gh_diags *d)
{
    (void)es, (void)m, (void)d;
    return 0;
}

void gh_event_sources_start(gh_event_sources *es) { (void)es; }
void gh_event_sources_stop(gh_event_sources *es) { (void)es; }

bool gh_aws_protocol_claims(const gh_request *req)
{
    (void)req;
    return false;
}

/* A form value (query string then body), decoded. */
static const char *param(gh_arena *a, const char *form, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = form; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=')
            return gh_url_decode(a, p + n + 1, len - n - 1, 1);
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

void gh_aws_protocol_handle(gh_sim *sim, const gh_request *req, gh_response *resp)
{
    gh_arena *a = req->arena;
    const char *target = gh_headers_get(&req->headers, "X-Amz-Target");
    const char *body = req->body ? gh_arena_strndup(a, req->body, req->body_len) : "";
    const char *action = param(a, req->query, "Action");
    if (!action)
        action = param(a, body, "Action");
    const char *msg = NULL, *queue = NULL;
    if (target && strcmp(target, "AmazonSQS.SendMessage") == 0) {
        json_t *j = json_loads(body, 0, NULL);
        msg = gh_arena_strdup(a, json_string_value(json_object_get(j, "MessageBody")) ?: "");
        const char *url = json_string_value(json_object_get(j, "QueueUrl"));
        queue = url && strrchr(url, '/') ? gh_arena_strdup(a, strrchr(url, '/') + 1) : NULL;
        json_decref(j);
        action = "SendMessage";
    } else if (action && strcmp(action, "SendMessage") == 0) {
        msg = param(a, req->query, "MessageBody");
        if (!msg)
            msg = param(a, body, "MessageBody");
        queue = strrchr(req->path, '/') + 1;
    }
    resp->status = 200;
    char id[GH_UUID_LEN + 1];
    gh_uuid4(id);
    gh_headers_add(a, &resp->headers, "x-amzn-RequestId", gh_arena_strdup(a, id));
    if (!msg) {
        resp->status = 400;
        resp->body = "{\"__type\":\"shim\",\"message\":\"not in the shim\"}";
        resp->body_len = strlen(resp->body);
        return;
    }
    pthread_mutex_lock(&sim->sqs->lock);
    shim_queue *q = queue ? find(sim->sqs, queue) : NULL;
    if (q && q->nbodies < 64)
        q->bodies[q->nbodies++] = strdup(msg);
    pthread_mutex_unlock(&sim->sqs->lock);
    unsigned char md[16];
    unsigned int mdlen = 0;
    EVP_Digest(msg, strlen(msg), md, &mdlen, EVP_md5(), NULL);
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    char mid[GH_UUID_LEN + 1];
    gh_uuid4(mid);
    const char *accept = gh_headers_get(&req->headers, "Accept");
    if (accept && strstr(accept, "xml")) {
        gh_headers_add(a, &resp->headers, "Content-Type", "text/xml");
        resp->body = gh_arena_printf(a, "<SendMessageResponse xmlns=\"http://queue.amazonaws.com"
                                     "/doc/2012-11-05/\"><SendMessageResult><MD5OfMessageBody>%s"
                                     "</MD5OfMessageBody><MessageId>%s</MessageId>"
                                     "</SendMessageResult><ResponseMetadata><RequestId>%s"
                                     "</RequestId></ResponseMetadata></SendMessageResponse>",
                                     hex, mid, id);
    } else {
        gh_headers_add(a, &resp->headers, "Content-Type", "application/json");
        resp->body = gh_arena_printf(a, "{\"SendMessageResponse\":{\"ResponseMetadata\":{"
                                     "\"RequestId\":\"%s\"},\"SendMessageResult\":{"
                                     "\"MD5OfMessageAttributes\":null,\"MD5OfMessageBody\":\"%s\","
                                     "\"MD5OfMessageSystemAttributes\":null,\"MessageId\":\"%s\","
                                     "\"SequenceNumber\":null}}}",
                                     id, hex, mid);
    }
    resp->body_len = strlen(resp->body);
}
