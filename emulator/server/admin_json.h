/* The JSON shapes of the admin API (server/admin.h), apart from its routing so the
 * fixtures' reports and the unit tests build the same objects: a queue with its counts
 * and attributes, a message as peeked, a topic with its subscriptions. Every function
 * returns a new jansson reference. */
#ifndef GH_ADMIN_JSON_H
#define GH_ADMIN_JSON_H
#include <jansson.h>

#include "sim/sns.h"
#include "sim/sqs.h"

/* {name, url, arn, fifo, visible, inFlight, delayed, attributes}; url is
 * http://HOST/ACCOUNT/NAME as the AWS protocol endpoints answer it (host: the request's
 * Host header with its port). NULL when the queue does not exist. */
json_t *gh_admin_queue_json(gh_sqs *q, const char *name, const char *host);

/* {messageId, body, md5OfBody, messageAttributes, systemAttributes, receiveCount,
 * sentTimestamp, sentTime, firstReceiveTimestamp (once received), senderId, and
 * messageGroupId, messageDeduplicationId, sequenceNumber, deadLetterSourceArn when set}.
 * Attributes are {Name: {dataType, stringValue | binaryValue (base64)}}, SQS's own
 * shape for MessageAttributes. */
json_t *gh_admin_message_json(const gh_sqs_message *m);

/* {name, arn, fifo, attributes, subscriptions: [{arn, protocol, endpoint,
 * rawMessageDelivery, filterPolicy (parsed, or null), filterPolicyScope}]}. NULL when
 * the topic does not exist. */
json_t *gh_admin_topic_json(gh_sns *s, const char *topic_arn);

#endif
