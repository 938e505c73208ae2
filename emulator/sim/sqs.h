/* The simulated SQS: standard and FIFO queues of one server, in memory, with the
 * semantics tests depend on (reference aws-api-gateway.md §10.2-10.3; the SQS Developer
 * Guide): visibility timeout and ChangeMessageVisibility, receipt handles that expire
 * when the message becomes visible again, ApproximateReceiveCount, long polling that
 * wakes as soon as a message arrives, per-queue and per-message delay, retention,
 * redrive to a dead-letter queue after maxReceiveCount, FIFO order per message group
 * (one group's messages in flight block that group) and 5-minute deduplication, MD5s
 * of body and attributes as AWS computes them. Time comes only from util/clock.h, so a
 * fake clock drives every timer. Thread-safe: every server thread and the event-source
 * pollers call it at once.
 *
 * Queues are named, never addressed by account: a URL or ARN with any account id finds
 * the queue by its name (the protocol layer extracts it). Errors carry AWS's code and
 * the query protocol's message text, which the protocol layer renders per protocol. */
#ifndef GH_SQS_H
#define GH_SQS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/model.h"

typedef struct gh_sqs gh_sqs;

typedef struct gh_sqs_error {
    const char *code;  /* "AWS.SimpleQueueService.NonExistentQueue", "InvalidParameterValue",
                        * "MissingParameter", "QueueAlreadyExists", "ReceiptHandleIsInvalid",
                        * "AWS.SimpleQueueService.PurgeQueueInProgress", ... (static) */
    char message[512]; /* the query protocol's text ("Value 11 for parameter
                        * MaxNumberOfMessages is invalid. Reason: ...") */
    int status;        /* HTTP status, 400 unless AWS says otherwise */
    bool sender;       /* <Type>Sender</Type> (client's fault) or Receiver */
} gh_sqs_error;

/* A message attribute (user attribute or system attribute such as AWSTraceHeader). */
typedef struct gh_sqs_attr {
    const char *name;
    const char *data_type;     /* "String", "Number", "Binary", or with a ".custom" suffix */
    const char *string_value;  /* String and Number types */
    const unsigned char *binary_value; /* Binary: the decoded bytes */
    size_t binary_len;
} gh_sqs_attr;

/* Queue attributes travel as AWS's names and string values (VisibilityTimeout "30",
 * RedrivePolicy "{...}", FifoQueue "true", ContentBasedDeduplication "true",
 * DelaySeconds, MessageRetentionPeriod, ReceiveMessageWaitTimeSeconds,
 * MaximumMessageSize, RedriveAllowPolicy, Policy, KmsMasterKeyId (kept, not used), ...),
 * because every protocol carries them so. */

/* region and account make the ARNs (arn:aws:sqs:REGION:ACCOUNT:NAME) and the
 * DeadLetterQueueSourceArn attribute. NULL when out of memory. */
gh_sqs *gh_sqs_new(const char *region, const char *account);
void gh_sqs_free(gh_sqs *q);

/* CreateQueue: validates the name (80 chars of [A-Za-z0-9_-], ".fifo" exactly when
 * FifoQueue is "true") and every attribute (AWS's ranges and texts). Idempotent when
 * the queue exists with the same attributes; QueueAlreadyExists when they differ. */
int gh_sqs_create_queue(gh_sqs *q, const char *name, const gh_kv *attrs, size_t nattrs,
                        gh_sqs_error *err);
/* DeleteQueue: its messages go too; NonExistentQueue when absent. */
int gh_sqs_delete_queue(gh_sqs *q, const char *name, gh_sqs_error *err);
/* ListQueues: names starting with prefix (NULL: all), sorted, malloc'd array of
 * malloc'd strings; returns the count. */
size_t gh_sqs_list_queues(gh_sqs *q, const char *prefix, char ***names);
void gh_sqs_names_free(char **names, size_t n);
/* 1 when the queue exists. */
int gh_sqs_exists(gh_sqs *q, const char *name);
/* GetQueueAttributes: an object name -> string value of the attributes asked for
 * (NULL or "All": every one, including the computed ApproximateNumberOfMessages,
 * ApproximateNumberOfMessagesNotVisible, ApproximateNumberOfMessagesDelayed,
 * CreatedTimestamp, LastModifiedTimestamp, QueueArn). New reference, or NULL + err
 * (InvalidAttributeName for an unknown name). */
json_t *gh_sqs_get_attributes(gh_sqs *q, const char *name, const char *const *which,
                              size_t nwhich, gh_sqs_error *err);
int gh_sqs_set_attributes(gh_sqs *q, const char *name, const gh_kv *attrs, size_t nattrs,
                          gh_sqs_error *err);
/* PurgeQueue: AWS allows one per 60 s per queue (PurgeQueueInProgress). */
int gh_sqs_purge(gh_sqs *q, const char *name, gh_sqs_error *err);

typedef struct gh_sqs_send {
    const char *body;
    size_t body_len;
    int delay_seconds;              /* -1: the queue's DelaySeconds */
    const gh_sqs_attr *attrs;       /* MessageAttributes */
    size_t nattrs;
    const gh_sqs_attr *system_attrs;/* MessageSystemAttributes (AWSTraceHeader) */
    size_t nsystem_attrs;
    const char *group_id;           /* FIFO: MessageGroupId (required there) */
    const char *dedup_id;           /* FIFO: MessageDeduplicationId */
    const char *sender_id;          /* SenderId: the caller's access key id or account;
                                     * NULL: the queue's account */
} gh_sqs_send;

typedef struct gh_sqs_sent {
    char message_id[37];
    char md5_body[33];
    char md5_attrs[33];             /* "" when the message has no attributes */
    char md5_system_attrs[33];      /* "" when none */
    char sequence_number[21];       /* FIFO only, else "" */
} gh_sqs_sent;

/* SendMessage: body checks as AWS (size against MaximumMessageSize, characters allowed
 * by SQS: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF), attribute checks,
 * FIFO group and deduplication (a duplicate within 5 minutes succeeds with the first
 * message's id and is not queued again). Wakes long-polling receivers. */
int gh_sqs_send_message(gh_sqs *q, const char *queue, const gh_sqs_send *m, gh_sqs_sent *out,
                        gh_sqs_error *err);

typedef struct gh_sqs_receive {
    int max_messages;               /* 1..10; 0 means 1 */
    int visibility_timeout;         /* -1: the queue's */
    int wait_seconds;               /* -1: the queue's ReceiveMessageWaitTimeSeconds; 0..20 */
    const char *attempt_id;         /* FIFO ReceiveRequestAttemptId, or NULL */
} gh_sqs_receive;

/* A message as received (or peeked): the caller's own copy. */
typedef struct gh_sqs_message {
    char *message_id;
    char *receipt_handle;           /* NULL when peeked */
    char *body;
    size_t body_len;
    char md5_body[33];
    char md5_attrs[33];             /* "" when no attributes */
    gh_sqs_attr *attrs;             /* copies */
    size_t nattrs;
    gh_sqs_attr *system_attrs;
    size_t nsystem_attrs;
    int64_t sent_ms;                /* SentTimestamp, wall clock */
    int64_t first_receive_ms;       /* ApproximateFirstReceiveTimestamp, 0 if never */
    int receive_count;              /* ApproximateReceiveCount after this receive */
    char *sender_id;
    char *group_id, *dedup_id, *sequence_number; /* FIFO, else NULL */
    char *dead_letter_source_arn;   /* set once moved to a DLQ by redrive */
} gh_sqs_message;

/* ReceiveMessage: up to max_messages visible messages (FIFO: in order, one group's
 * messages never in flight twice), each made invisible for the visibility timeout with a
 * new receipt handle and its receive count raised; a message whose count would pass the
 * redrive policy's maxReceiveCount moves to the dead-letter queue instead. Long poll:
 * blocks up to wait_seconds of util/clock.h time until at least one message is there,
 * waking as soon as one is sent (it re-checks the clock at least every 50 ms of real
 * time, so a fake clock advanced by a test ends the wait). *out is malloc'd (NULL when
 * none). */
int gh_sqs_receive_messages(gh_sqs *q, const char *queue, const gh_sqs_receive *r,
                            gh_sqs_message **out, size_t *n, gh_sqs_error *err);
void gh_sqs_messages_free(gh_sqs_message *m, size_t n);

/* DeleteMessage: the receipt handle of the latest receive deletes the message (AWS
 * also accepts an older handle of a message still in flight: so do we); a malformed
 * handle is ReceiptHandleIsInvalid; a handle of a message already deleted succeeds. */
int gh_sqs_delete_message(gh_sqs *q, const char *queue, const char *receipt, gh_sqs_error *err);
/* ChangeMessageVisibility (0..43200 s from now); a handle whose message became visible
 * again is InvalidParameterValue "... Reason: The receipt handle has expired." */
int gh_sqs_change_visibility(gh_sqs *q, const char *queue, const char *receipt, int seconds,
                             gh_sqs_error *err);

typedef struct gh_sqs_counts {
    size_t visible, in_flight, delayed;
} gh_sqs_counts;
int gh_sqs_counts_of(gh_sqs *q, const char *queue, gh_sqs_counts *out);

/* Inspection (admin API, fixtures): up to max messages in queue order, visible or not,
 * without changing visibility or counts. */
int gh_sqs_peek(gh_sqs *q, const char *queue, size_t max, gh_sqs_message **out, size_t *n);

/* The admin API's purge (DELETE /_gatehouse/queues/NAME/messages): every message goes
 * at once, in flight and delayed ones too, without PurgeQueue's one-per-60-s limit and
 * without starting that period. *removed (may be NULL) gets how many went. -1 when the
 * queue does not exist. */
int gh_sqs_purge_now(gh_sqs *q, const char *name, size_t *removed);

/* Called after every message stored (not for a FIFO duplicate), outside the queue's
 * lock, on the sending thread: fixtures wait for "a message matching X on queue Q".
 * One observer; NULL removes it. Returns once calls to the replaced observer that are
 * under way have ended, so its ud may be freed then (not from inside the observer). */
typedef void (*gh_sqs_observer)(void *ud, const char *queue, const gh_sqs_message *m);
void gh_sqs_set_observer(gh_sqs *q, gh_sqs_observer fn, void *ud);

/* MD5OfMessageAttributes as AWS computes it (names sorted; length-prefixed name, type,
 * transport byte 1 string / 2 binary, length-prefixed value), lowercase hex into out[33];
 * "" for no attributes. */
void gh_sqs_md5_of_attributes(const gh_sqs_attr *attrs, size_t n, char out[33]);

/* The queue's ARN and name checks, for the protocol layer. */
const char *gh_sqs_region(const gh_sqs *q);
const char *gh_sqs_account(const gh_sqs *q);

#endif
