/* The simulated SNS's internals, shared by its files (sns.c: topics and subscriptions;
 * sns_publish.c: Publish and fan-out; sns_envelope.c: the delivered JSON;
 * sns_delivery.c: the Lambda/HTTP delivery thread). Nothing else includes it. */
#ifndef GH_SNS_IMPL_H
#define GH_SNS_IMPL_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/filter_policy.h"
#include "sim/sns.h"
#include "sim/store.h"

typedef struct sns_attr {
    char *name, *value;
} sns_attr;

typedef struct sns_sub {
    char *arn, *topic_arn, *protocol, *endpoint;
    bool raw;          /* RawMessageDelivery */
    bool body_scope;   /* FilterPolicyScope MessageBody */
    char *filter_json; /* FilterPolicy as given, NULL when none */
    gh_filter_policy *filter;
    sns_attr *attrs; /* other kept attributes (RedrivePolicy, DeliveryPolicy, ...) */
    size_t nattrs;
} sns_sub;

typedef struct sns_dedup {
    char *id;
    int64_t expires_mono_ms;
    char message_id[37];
    char sequence_number[21];
} sns_dedup;

typedef struct sns_topic {
    char *name, *arn;
    bool fifo, content_dedup;
    sns_attr *attrs; /* as given to CreateTopic / SetTopicAttributes */
    size_t nattrs;
    sns_sub **subs;
    size_t nsubs;
    uint64_t next_seq; /* FIFO SequenceNumber */
    sns_dedup *dedup;  /* FIFO: ids seen in the last 5 minutes */
    size_t ndedup;
} sns_topic;

typedef struct sns_job {
    struct sns_job *next;
    bool lambda;
    char *target;   /* function or URL */
    char *body;     /* event JSON or HTTP body */
    char **headers; /* HTTP: "Name: value", NULL-terminated */
} sns_job;

struct gh_sns {
    pthread_mutex_t mu; /* topics and subscriptions */
    char *region, *account;
    gh_sqs *sqs;
    sns_topic **topics;
    size_t ntopics;

    /* The delivery thread: jobs in order; drain waits until done reaches what was
     * queued when it was called. Lock order: mu, then dmu (never the other way). */
    pthread_mutex_t dmu;
    pthread_cond_t dwake, ddone;
    sns_job *head, *tail;
    uint64_t queued, done;
    bool stop;
    pthread_t thread;
    gh_sns_delivery delivery;
    bool has_delivery;
    gh_store *store; /* --state: topic changes are written here (sns_persist.c) */
};

/* Errors: SNS codes with their query-protocol texts. */
void gh_sns_fail(gh_sns_error *err, const char *code, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define SNS_INVALID "InvalidParameter"
#define SNS_NOT_FOUND "NotFound"

/* The name part of arn:aws:sns:REGION:ACCOUNT:NAME (or of a subscription ARN, its id);
 * NULL when the text is not such an ARN. */
const char *gh_sns_arn_last(const char *arn, size_t parts);
/* The topic a TopicArn names (by name, whatever the account), or NULL. Under mu. */
sns_topic *gh_sns_topic_find(gh_sns *s, const char *arn);

/* Shared helpers of sns.c and sns_subscribe.c. The topic of a TopicArn parameter, or
 * NULL with SNS's error (under mu); a subscription by its ARN's id (under mu). */
sns_topic *gh_sns_topic_or_fail(gh_sns *s, const char *arn, gh_sns_error *err);
sns_sub *gh_sns_sub_find(gh_sns *s, const char *sub_arn, sns_topic **topic, size_t *index);
void gh_sns_attr_put(sns_attr **a, size_t *n, const char *name, const char *value);
void gh_sns_attrs_free(sns_attr *a, size_t n);
const char *gh_sns_kv_get(const gh_kv *kv, size_t n, const char *name);
bool gh_sns_is_true(const char *v);
void gh_sns_sub_free(sns_sub *u);

/* sns_persist.c: writes t (attributes, subscriptions, counter) to s->store, which the
 * caller tests first. Under mu. */
void gh_sns_save_topic(gh_sns *s, const sns_topic *t);
/* sns_subscribe.c: a stored subscription back on t, its ARN kept (restoring). */
int gh_sns_sub_restore(sns_topic *t, const char *arn, const char *protocol,
                       const char *endpoint, const gh_kv *attrs, size_t nattrs);

/* The delivery thread. */
int gh_sns_delivery_start(gh_sns *s);
void gh_sns_delivery_stop(gh_sns *s);
/* Takes ownership of the job. */
void gh_sns_delivery_enqueue(gh_sns *s, sns_job *job);

/* ISO-8601 UTC with milliseconds and Z, as SNS stamps notifications. */
void gh_sns_timestamp(int64_t epoch_ms, char out[32]);

#endif
