/* SQS's operations on the wire (the SQS API Reference, 2012-11-05): arguments read
 * through aws_wire.h whichever protocol carried them, checks the engine cannot make
 * (parameter ranges, batch rules), the engine (sim/sqs.h) called, and the result built
 * in the JSON protocol's shape with members in the order the XML answers list them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/aws_ops.h"
#include "util/base64.h"

/* Batch limits (API_SendMessageBatch): 10 entries; ids of alphanumerics, '-' and '_' up
 * to 80 characters; the whole batch no larger than a message may be (1 MiB). */
#define MAX_BATCH 10
#define MAX_BATCH_BYTES 1048576

typedef void (*sqs_op)(gh_aws_call *c, const char *queue);

/* The queue's name from a QueueUrl (http://host/ACCOUNT/NAME), an ARN or a bare name:
 * queues are found by name whatever account the client wrote. */
static const char *queue_name(gh_aws_call *c, const char *url)
{
    if (!url)
        return c->path_queue;
    const char *end = url + strcspn(url, "?#");
    const char *start = end;
    while (start > url && start[-1] != '/' && start[-1] != ':')
        start--;
    return gh_arena_strndup(c->arena, start, (size_t)(end - start));
}

static const char *queue_url(gh_aws_call *c, const char *name)
{
    const char *host = gh_headers_get(&c->req->headers, "Host");
    if (!host || !*host)
        host = c->req->local_port ? gh_arena_printf(c->arena, "127.0.0.1:%d", c->req->local_port)
                                  : "localhost";
    return gh_arena_printf(c->arena, "http://%s/%s/%s", host, gh_sqs_account(c->sim->sqs), name);
}

static json_t *jstr_n(const char *s, size_t n)
{
    json_t *v = json_stringn(s, n);
    return v ? v : json_stringn_nocheck(s, n);
}

static int missing(gh_aws_call *c, const char *name)
{
    gh_aws_fail(c, "MissingParameter", "The request must contain the parameter %s.", name);
    return -1;
}

/* An optional integer argument within [lo, hi]: 0 absent, 1 read, -1 answered. */
static int int_arg(gh_aws_call *c, const gh_aws_args *a, const char *name, long lo, long hi,
                   const char *reason, long *out)
{
    int rc = gh_aws_arg_int(a, name, out);
    if (rc == 0)
        return 0;
    if (rc < 0 || *out < lo || *out > hi) {
        gh_aws_fail(c, "InvalidParameterValue", "Value %s for parameter %s is invalid. Reason: %s",
                    gh_aws_arg_str(a, name), name, reason);
        return -1;
    }
    return 1;
}

/* ---- queues --------------------------------------------------------------------- */

static void op_create_queue(gh_aws_call *c, const char *queue)
{
    (void)queue;
    const char *name = gh_aws_arg_str(&c->args, "QueueName");
    if (!name) {
        missing(c, "QueueName");
        return;
    }
    gh_kv *attrs;
    size_t n = gh_aws_arg_map(&c->args, "Attributes", "Attribute", "Name", "Value", &attrs);
    gh_sqs_error err = {0};
    if (gh_sqs_create_queue(c->sim->sqs, name, attrs, n, &err) != 0) {
        gh_aws_fail_with(c, &err);
        return;
    }
    json_t *r = json_object();
    gh_aws_set_str(r, "QueueUrl", queue_url(c, name));
    gh_aws_ok(c, r);
}

static void op_get_queue_url(gh_aws_call *c, const char *queue)
{
    (void)queue;
    const char *name = gh_aws_arg_str(&c->args, "QueueName");
    if (!name) {
        missing(c, "QueueName");
        return;
    }
    if (!gh_sqs_exists(c->sim->sqs, name)) {
        gh_sqs_error err = {.code = "AWS.SimpleQueueService.NonExistentQueue", .status = 400,
                            .sender = true};
        snprintf(err.message, sizeof err.message,
                 "The specified queue does not exist for this wsdl version.");
        gh_aws_fail_with(c, &err);
        return;
    }
    json_t *r = json_object();
    gh_aws_set_str(r, "QueueUrl", queue_url(c, name));
    gh_aws_ok(c, r);
}

static void op_delete_queue(gh_aws_call *c, const char *queue)
{
    gh_sqs_error err = {0};
    if (gh_sqs_delete_queue(c->sim->sqs, queue, &err) != 0)
        gh_aws_fail_with(c, &err);
    else
        gh_aws_ok(c, NULL);
}

static void op_purge_queue(gh_aws_call *c, const char *queue)
{
    gh_sqs_error err = {0};
    if (gh_sqs_purge(c->sim->sqs, queue, &err) != 0)
        gh_aws_fail_with(c, &err);
    else
        gh_aws_ok(c, NULL);
}

static void op_list_queues(gh_aws_call *c, const char *queue)
{
    (void)queue;
    long max = 1000;
    int has_max = int_arg(c, &c->args, "MaxResults", 1, 1000,
                          "MaxResults must be an integer between 1 and 1000.", &max);
    if (has_max < 0)
        return;
    const char *token = gh_aws_arg_str(&c->args, "NextToken");
    char **names;
    size_t n = gh_sqs_list_queues(c->sim->sqs, gh_aws_arg_str(&c->args, "QueueNamePrefix"), &names);
    json_t *r = json_object();
    json_t *urls = json_array();
    /* NextToken: the name the next page starts at (queues are listed sorted). */
    size_t i = 0;
    if (token)
        while (i < n && strcmp(names[i], token) < 0)
            i++;
    for (; i < n && json_array_size(urls) < (size_t)max; i++)
        json_array_append_new(urls, json_string(queue_url(c, names[i])));
    /* An empty listing has no QueueUrls at all (<ListQueuesResult/>, {}). */
    if (json_array_size(urls))
        json_object_set_new(r, "QueueUrls", urls);
    else
        json_decref(urls);
    if (has_max && i < n)
        gh_aws_set_str(r, "NextToken", names[i]);
    gh_sqs_names_free(names, n);
    gh_aws_ok(c, r);
}

static void op_get_queue_attributes(gh_aws_call *c, const char *queue)
{
    const char **which;
    size_t n = gh_aws_arg_list(&c->args, "AttributeNames", "AttributeName", &which);
    gh_sqs_error err = {0};
    json_t *attrs = NULL;
    if (n == 0) {
        /* No names asked: AWS answers no attributes (but still for a queue that exists). */
        if (!gh_sqs_exists(c->sim->sqs, queue)) {
            attrs = gh_sqs_get_attributes(c->sim->sqs, queue, which, 0, &err);
            json_decref(attrs);
            gh_aws_fail_with(c, &err);
            return;
        }
        gh_aws_ok(c, json_object());
        return;
    }
    bool all = false;
    for (size_t i = 0; i < n; i++)
        all |= !strcmp(which[i], "All");
    attrs = gh_sqs_get_attributes(c->sim->sqs, queue, all ? NULL : which, all ? 0 : n, &err);
    if (!attrs) {
        gh_aws_fail_with(c, &err);
        return;
    }
    json_t *r = json_object();
    if (json_object_size(attrs))
        json_object_set(r, "Attributes", attrs);
    json_decref(attrs);
    gh_aws_ok(c, r);
}

static void op_set_queue_attributes(gh_aws_call *c, const char *queue)
{
    gh_kv *attrs;
    size_t n = gh_aws_arg_map(&c->args, "Attributes", "Attribute", "Name", "Value", &attrs);
    gh_sqs_error err = {0};
    if (gh_sqs_set_attributes(c->sim->sqs, queue, attrs, n, &err) != 0)
        gh_aws_fail_with(c, &err);
    else
        gh_aws_ok(c, NULL);
}

/* ---- sending -------------------------------------------------------------------- */

/* Reads one message's arguments (SendMessage or a batch entry); -1 with *err set. */
static int read_send(gh_aws_call *c, const gh_aws_args *a, gh_sqs_send *m, size_t *bytes,
                     gh_sqs_error *err)
{
    err->status = 400;
    err->sender = true;
    m->body = gh_aws_arg_str(a, "MessageBody");
    if (!m->body) {
        err->code = "MissingParameter";
        snprintf(err->message, sizeof err->message,
                 "The request must contain the parameter MessageBody.");
        return -1;
    }
    m->body_len = strlen(m->body);
    long delay = -1;
    int rc = gh_aws_arg_int(a, "DelaySeconds", &delay);
    if (rc < 0 || (rc && (delay < 0 || delay > 900))) {
        err->code = "InvalidParameterValue";
        snprintf(err->message, sizeof err->message,
                 "Value %s for parameter DelaySeconds is invalid. Reason: DelaySeconds must be "
                 ">= 0 and <= 900.", gh_aws_arg_str(a, "DelaySeconds"));
        return -1;
    }
    m->delay_seconds = rc ? (int)delay : -1;
    const char *bad = NULL;
    gh_sqs_attr *attrs, *sys;
    long na = gh_aws_arg_msg_attrs(a, "MessageAttributes", "MessageAttribute", &attrs, &bad);
    long ns = na < 0 ? 0
                     : gh_aws_arg_msg_attrs(a, "MessageSystemAttributes", "MessageSystemAttribute",
                                            &sys, &bad);
    if (na < 0 || ns < 0) {
        err->code = "InvalidParameterValue";
        snprintf(err->message, sizeof err->message,
                 "The message attribute '%s' has an invalid binary value.", bad);
        return -1;
    }
    m->attrs = attrs;
    m->nattrs = (size_t)na;
    m->system_attrs = sys;
    m->nsystem_attrs = (size_t)ns;
    m->group_id = gh_aws_arg_str(a, "MessageGroupId");
    m->dedup_id = gh_aws_arg_str(a, "MessageDeduplicationId");
    m->sender_id = NULL;
    /* What counts against the batch size: body, attribute names, types and values. */
    *bytes = m->body_len;
    for (size_t i = 0; i < m->nattrs; i++)
        *bytes += strlen(attrs[i].name) + (attrs[i].data_type ? strlen(attrs[i].data_type) : 0) +
                  (attrs[i].string_value ? strlen(attrs[i].string_value) : 0) + attrs[i].binary_len;
    (void)c;
    return 0;
}

static void sent_members(json_t *r, const gh_sqs_sent *s)
{
    gh_aws_set_str(r, "MD5OfMessageBody", s->md5_body);
    if (s->md5_attrs[0])
        gh_aws_set_str(r, "MD5OfMessageAttributes", s->md5_attrs);
    if (s->md5_system_attrs[0])
        gh_aws_set_str(r, "MD5OfMessageSystemAttributes", s->md5_system_attrs);
}

static void op_send_message(gh_aws_call *c, const char *queue)
{
    gh_sqs_send m = {0};
    gh_sqs_sent s = {0};
    gh_sqs_error err = {0};
    size_t bytes;
    if (read_send(c, &c->args, &m, &bytes, &err) != 0 ||
        gh_sqs_send_message(c->sim->sqs, queue, &m, &s, &err) != 0) {
        gh_aws_fail_with(c, &err);
        return;
    }
    json_t *r = json_object();
    sent_members(r, &s);
    gh_aws_set_str(r, "MessageId", s.message_id);
    if (s.sequence_number[0])
        gh_aws_set_str(r, "SequenceNumber", s.sequence_number);
    gh_aws_ok(c, r);
}

static bool id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 80)
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
    return true;
}

/* The checks every SQS batch shares (API_SendMessageBatch, Errors): entries present and
 * at most 10, ids well formed and distinct. 0, or -1 when answered. */
static int batch_checks(gh_aws_call *c, const char *entry_name, gh_aws_args *entries, size_t n)
{
    if (n == 0) {
        gh_aws_fail(c, "AWS.SimpleQueueService.EmptyBatchRequest",
                    "There should be at least one %s in the request.", entry_name);
        return -1;
    }
    if (n > MAX_BATCH) {
        gh_aws_fail(c, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                    "Maximum number of entries per request are %d. You have sent %zu.", MAX_BATCH, n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *id = gh_aws_arg_str(&entries[i], "Id");
        if (!id) {
            gh_aws_fail(c, "MissingParameter", "The request must contain the parameter %s.%zu.Id.",
                        entry_name, i + 1);
            return -1;
        }
        if (!id_valid(id)) {
            gh_aws_fail(c, "AWS.SimpleQueueService.InvalidBatchEntryId",
                        "A batch entry id can only contain alphanumeric characters, hyphens and "
                        "underscores. It can be at most 80 letters long.");
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(id, gh_aws_arg_str(&entries[j], "Id"))) {
                gh_aws_fail(c, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                            "Id %s repeated.", id);
                return -1;
            }
    }
    return 0;
}

static void add_failed(json_t *failed, const char *id, const gh_sqs_error *err)
{
    json_t *f = json_object();
    gh_aws_set_str(f, "Id", id);
    json_object_set_new(f, "SenderFault", json_boolean(err->sender));
    gh_aws_set_str(f, "Code", err->code);
    gh_aws_set_str(f, "Message", err->message);
    json_array_append_new(failed, f);
}

/* Successful and Failed (Failed only when some entry failed, as AWS writes it). */
static void batch_answer(gh_aws_call *c, json_t *ok, json_t *failed)
{
    json_t *r = json_object();
    json_object_set_new(r, "Successful", ok);
    if (json_array_size(failed))
        json_object_set_new(r, "Failed", failed);
    else
        json_decref(failed);
    gh_aws_ok(c, r);
}

static void op_send_message_batch(gh_aws_call *c, const char *queue)
{
    gh_aws_args *entries;
    size_t n = gh_aws_arg_entries(&c->args, "Entries", "SendMessageBatchRequestEntry", &entries);
    if (batch_checks(c, "SendMessageBatchRequestEntry", entries, n) != 0)
        return;
    gh_sqs_send *m = gh_arena_calloc(c->arena, n * sizeof *m);
    gh_sqs_error *errs = gh_arena_calloc(c->arena, n * sizeof *errs);
    bool *bad = gh_arena_calloc(c->arena, n * sizeof *bad);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t bytes = 0;
        bad[i] = read_send(c, &entries[i], &m[i], &bytes, &errs[i]) != 0;
        total += bytes;
    }
    if (total > MAX_BATCH_BYTES) {
        gh_aws_fail(c, "AWS.SimpleQueueService.BatchRequestTooLong",
                    "Batch requests cannot be longer than %d bytes. You have sent %zu bytes.",
                    MAX_BATCH_BYTES, total);
        return;
    }
    if (!gh_sqs_exists(c->sim->sqs, queue)) {
        gh_sqs_send one = {.body = "", .delay_seconds = -1};
        gh_sqs_sent s;
        gh_sqs_error err = {0};
        gh_sqs_send_message(c->sim->sqs, queue, &one, &s, &err);
        gh_aws_fail_with(c, &err);
        return;
    }
    json_t *ok = json_array(), *failed = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *id = gh_aws_arg_str(&entries[i], "Id");
        gh_sqs_sent s = {0};
        if (bad[i] || gh_sqs_send_message(c->sim->sqs, queue, &m[i], &s, &errs[i]) != 0) {
            add_failed(failed, id, &errs[i]);
            continue;
        }
        json_t *e = json_object();
        gh_aws_set_str(e, "Id", id);
        gh_aws_set_str(e, "MessageId", s.message_id);
        sent_members(e, &s);
        if (s.sequence_number[0])
            gh_aws_set_str(e, "SequenceNumber", s.sequence_number);
        json_array_append_new(ok, e);
    }
    batch_answer(c, ok, failed);
}

/* ---- receiving ------------------------------------------------------------------ */

static bool wanted(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (!strcmp(names[i], "All") || !strcmp(names[i], ".*") || !strcmp(names[i], name))
            return true;
        /* "prefix.*" takes every attribute whose name starts with "prefix." */
        if (len > 2 && !strcmp(names[i] + len - 2, ".*") && !strncmp(names[i], name, len - 1))
            return true;
    }
    return false;
}

static json_t *attr_value_json(gh_aws_call *c, const gh_sqs_attr *at)
{
    json_t *v = json_object();
    if (at->binary_value || !at->string_value) {
        gh_aws_set_str(v, "BinaryValue",
                       gh_base64_encode(c->arena, at->binary_value, at->binary_len));
    } else {
        gh_aws_set_str(v, "StringValue", at->string_value);
    }
    gh_aws_set_str(v, "DataType", at->data_type ? at->data_type : "String");
    return v;
}

static void put_attr(json_t *out, const char *const *names, size_t n, const char *name,
                     const char *value)
{
    if (value && wanted(names, n, name))
        gh_aws_set_str(out, name, value);
}

static void system_attrs(json_t *out, const gh_sqs_message *m, const char *const *names,
                         size_t n)
{
    char sent[32], count[32], first[32];
    snprintf(sent, sizeof sent, "%lld", (long long)m->sent_ms);
    snprintf(count, sizeof count, "%d", m->receive_count);
    snprintf(first, sizeof first, "%lld", (long long)m->first_receive_ms);
    put_attr(out, names, n, "SenderId", m->sender_id);
    put_attr(out, names, n, "SentTimestamp", sent);
    put_attr(out, names, n, "ApproximateReceiveCount", count);
    put_attr(out, names, n, "ApproximateFirstReceiveTimestamp", m->first_receive_ms ? first : NULL);
    put_attr(out, names, n, "SequenceNumber", m->sequence_number);
    put_attr(out, names, n, "MessageDeduplicationId", m->dedup_id);
    put_attr(out, names, n, "MessageGroupId", m->group_id);
    for (size_t i = 0; i < m->nsystem_attrs; i++)
        put_attr(out, names, n, m->system_attrs[i].name, m->system_attrs[i].string_value);
    put_attr(out, names, n, "DeadLetterQueueSourceArn", m->dead_letter_source_arn);
}

static json_t *message_json(gh_aws_call *c, const gh_sqs_message *m, const char *const *sys,
                            size_t nsys, const char *const *user, size_t nuser)
{
    json_t *o = json_object();
    gh_aws_set_str(o, "MessageId", m->message_id);
    gh_aws_set_str(o, "ReceiptHandle", m->receipt_handle);
    gh_aws_set_str(o, "MD5OfBody", m->md5_body);
    json_object_set_new(o, "Body", jstr_n(m->body ? m->body : "", m->body_len));
    json_t *a = json_object();
    system_attrs(a, m, sys, nsys);
    if (json_object_size(a))
        json_object_set_new(o, "Attributes", a);
    else
        json_decref(a);
    /* The returned attributes' MD5 is over the ones returned, so a client that checks
     * it (botocore does) agrees; with none asked, the message's own MD5 stays. */
    gh_sqs_attr *picked = gh_arena_calloc(c->arena, (m->nattrs + 1) * sizeof *picked);
    size_t np = 0;
    for (size_t i = 0; i < m->nattrs; i++)
        if (wanted(user, nuser, m->attrs[i].name))
            picked[np++] = m->attrs[i];
    if (np) {
        char md5[33];
        gh_sqs_md5_of_attributes(picked, np, md5);
        gh_aws_set_str(o, "MD5OfMessageAttributes", md5);
        json_t *ma = json_object();
        for (size_t i = 0; i < np; i++)
            json_object_set_new(ma, picked[i].name, attr_value_json(c, &picked[i]));
        json_object_set_new(o, "MessageAttributes", ma);
    } else if (m->md5_attrs[0]) {
        gh_aws_set_str(o, "MD5OfMessageAttributes", m->md5_attrs);
    }
    return o;
}

static void op_receive_message(gh_aws_call *c, const char *queue)
{
    long max = 1, vis = -1, wait = -1;
    if (int_arg(c, &c->args, "MaxNumberOfMessages", 1, 10, "Must be between 1 and 10, if provided.",
                &max) < 0 ||
        int_arg(c, &c->args, "VisibilityTimeout", 0, 43200,
                "Must be >= 0 and <= 43200, if provided.", &vis) < 0 ||
        int_arg(c, &c->args, "WaitTimeSeconds", 0, 20, "Must be >= 0 and <= 20, if provided.",
                &wait) < 0)
        return;
    const char **legacy, **sysn, **user;
    size_t nl = gh_aws_arg_list(&c->args, "AttributeNames", "AttributeName", &legacy);
    size_t ns = gh_aws_arg_list(&c->args, "MessageSystemAttributeNames",
                                "MessageSystemAttributeName", &sysn);
    size_t nu = gh_aws_arg_list(&c->args, "MessageAttributeNames", "MessageAttributeName", &user);
    const char **sys = gh_arena_alloc(c->arena, (nl + ns + 1) * sizeof *sys);
    memcpy(sys, legacy, nl * sizeof *sys);
    memcpy(sys + nl, sysn, ns * sizeof *sys);
    gh_sqs_receive r = {(int)max, (int)vis, (int)wait,
                        gh_aws_arg_str(&c->args, "ReceiveRequestAttemptId")};
    gh_sqs_message *msgs = NULL;
    size_t n = 0;
    gh_sqs_error err = {0};
    if (gh_sqs_receive_messages(c->sim->sqs, queue, &r, &msgs, &n, &err) != 0) {
        gh_aws_fail_with(c, &err);
        return;
    }
    json_t *res = json_object();
    if (n) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, message_json(c, &msgs[i], sys, nl + ns, user, nu));
        json_object_set_new(res, "Messages", arr);
    }
    gh_sqs_messages_free(msgs, n);
    gh_aws_ok(c, res);
}

/* ---- deleting and visibility ------------------------------------------------------ */

static void op_delete_message(gh_aws_call *c, const char *queue)
{
    const char *handle = gh_aws_arg_str(&c->args, "ReceiptHandle");
    if (!handle) {
        missing(c, "ReceiptHandle");
        return;
    }
    gh_sqs_error err = {0};
    if (gh_sqs_delete_message(c->sim->sqs, queue, handle, &err) != 0)
        gh_aws_fail_with(c, &err);
    else
        gh_aws_ok(c, NULL);
}

static void op_change_visibility(gh_aws_call *c, const char *queue)
{
    const char *handle = gh_aws_arg_str(&c->args, "ReceiptHandle");
    long secs;
    if (!handle) {
        missing(c, "ReceiptHandle");
        return;
    }
    int rc = int_arg(c, &c->args, "VisibilityTimeout", 0, 43200,
                     "Must be >= 0 and <= 43200, if provided.", &secs);
    if (rc <= 0) {
        if (rc == 0)
            missing(c, "VisibilityTimeout");
        return;
    }
    gh_sqs_error err = {0};
    if (gh_sqs_change_visibility(c->sim->sqs, queue, handle, (int)secs, &err) != 0)
        gh_aws_fail_with(c, &err);
    else
        gh_aws_ok(c, NULL);
}

/* DeleteMessageBatch and ChangeMessageVisibilityBatch: per entry, one engine call. */
static void handle_batch(gh_aws_call *c, const char *queue, bool visibility)
{
    const char *entry_name = visibility ? "ChangeMessageVisibilityBatchRequestEntry"
                                        : "DeleteMessageBatchRequestEntry";
    gh_aws_args *entries;
    size_t n = gh_aws_arg_entries(&c->args, "Entries", entry_name, &entries);
    if (batch_checks(c, entry_name, entries, n) != 0)
        return;
    if (!gh_sqs_exists(c->sim->sqs, queue)) {
        gh_sqs_error err = {0};
        gh_sqs_delete_message(c->sim->sqs, queue, "x", &err);
        gh_aws_fail_with(c, &err);
        return;
    }
    json_t *ok = json_array(), *failed = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *id = gh_aws_arg_str(&entries[i], "Id");
        const char *handle = gh_aws_arg_str(&entries[i], "ReceiptHandle");
        gh_sqs_error err = {.code = "MissingParameter", .status = 400, .sender = true};
        int rc = -1;
        long secs = 0;
        if (!handle) {
            snprintf(err.message, sizeof err.message,
                     "The request must contain the parameter ReceiptHandle.");
        } else if (!visibility) {
            rc = gh_sqs_delete_message(c->sim->sqs, queue, handle, &err);
        } else if (gh_aws_arg_int(&entries[i], "VisibilityTimeout", &secs) != 1 || secs < 0 ||
                   secs > 43200) {
            err.code = "InvalidParameterValue";
            snprintf(err.message, sizeof err.message,
                     "Value %s for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 "
                     "and <= 43200, if provided.",
                     gh_aws_arg_str(&entries[i], "VisibilityTimeout")
                         ? gh_aws_arg_str(&entries[i], "VisibilityTimeout") : "null");
        } else {
            rc = gh_sqs_change_visibility(c->sim->sqs, queue, handle, (int)secs, &err);
        }
        if (rc != 0) {
            add_failed(failed, id, &err);
            continue;
        }
        json_array_append_new(ok, json_pack("{s:s}", "Id", id));
    }
    batch_answer(c, ok, failed);
}

static void op_delete_message_batch(gh_aws_call *c, const char *queue)
{
    handle_batch(c, queue, false);
}

static void op_change_visibility_batch(gh_aws_call *c, const char *queue)
{
    handle_batch(c, queue, true);
}

/* ---- dispatch ------------------------------------------------------------------- */

static const struct {
    const char *action;
    sqs_op fn;     /* NULL: an SQS operation the simulator does not offer */
    bool by_queue; /* needs QueueUrl */
} ops[] = {
    {"CreateQueue", op_create_queue, false},
    {"DeleteQueue", op_delete_queue, true},
    {"ListQueues", op_list_queues, false},
    {"GetQueueUrl", op_get_queue_url, false},
    {"SendMessage", op_send_message, true},
    {"SendMessageBatch", op_send_message_batch, true},
    {"ReceiveMessage", op_receive_message, true},
    {"DeleteMessage", op_delete_message, true},
    {"DeleteMessageBatch", op_delete_message_batch, true},
    {"ChangeMessageVisibility", op_change_visibility, true},
    {"ChangeMessageVisibilityBatch", op_change_visibility_batch, true},
    {"PurgeQueue", op_purge_queue, true},
    {"GetQueueAttributes", op_get_queue_attributes, true},
    {"SetQueueAttributes", op_set_queue_attributes, true},
    {"AddPermission", NULL, true},
    {"RemovePermission", NULL, true},
    {"ListDeadLetterSourceQueues", NULL, true},
    {"ListQueueTags", NULL, true},
    {"TagQueue", NULL, true},
    {"UntagQueue", NULL, true},
    {"StartMessageMoveTask", NULL, false},
    {"CancelMessageMoveTask", NULL, false},
    {"ListMessageMoveTasks", NULL, false},
};

bool gh_aws_sqs_knows(const char *action)
{
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(ops[i].action, action))
            return true;
    return false;
}

void gh_aws_sqs_call(gh_aws_call *c)
{
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (strcmp(ops[i].action, c->action) != 0)
            continue;
        if (!ops[i].fn) {
            gh_aws_fail(c, "AWS.SimpleQueueService.UnsupportedOperation",
                        "gatehouse's simulated SQS does not offer %s.", c->action);
            return;
        }
        const char *queue = NULL;
        if (ops[i].by_queue) {
            queue = queue_name(c, gh_aws_arg_str(&c->args, "QueueUrl"));
            if (!queue || !*queue) {
                missing(c, "QueueUrl");
                return;
            }
        }
        ops[i].fn(c, queue);
        return;
    }
    gh_aws_fail(c, "InvalidAction", "The action %s is not valid for this endpoint.", c->action);
}
