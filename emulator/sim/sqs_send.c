/* SendMessage of the simulated SQS: the checks AWS makes on a message (SQS API Reference,
 * SendMessage: body characters and size, message attributes, delay, FIFO group and
 * deduplication ids), 5-minute FIFO deduplication, and the observer call. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sqs_internal.h"
#include "util/clock.h"
#include "util/ids.h"

#define DEDUP_WINDOW_MS (5 * 60 * 1000)

static int invalid_value(gh_sqs_error *err, const char *value, const char *param,
                         const char *reason)
{
    return gh_sqsi_fail(err, "InvalidParameterValue",
                        "Value %s for parameter %s is invalid. Reason: %s", value, param, reason);
}

/* SQS accepts #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF
 * (XML 1.0's Char production); anything else, or bytes that are not UTF-8, fail the
 * send with InvalidMessageContents. */
static int check_body(const char *s, size_t n, gh_sqs_error *err)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        uint32_t c = *p;
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len > 0 && p + len <= end;
        if (ok && len > 1) {
            c &= 0x7f >> len;
            for (int i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                    ok = false;
                c = (c << 6) | (p[i] & 0x3f);
            }
            static const uint32_t min_of[5] = {0, 0, 0x80, 0x800, 0x10000};
            if (c < min_of[len])
                ok = false;
        }
        bool allowed = ok && (c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
                              (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF));
        if (!allowed)
            return gh_sqsi_fail(err, "InvalidMessageContents",
                                "Invalid binary character '#x%X' was found in the message body, "
                                "the set of allowed characters is #x9 | #xA | #xD | #x20 to "
                                "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
                                ok ? c : *p);
        p += len;
    }
    return 0;
}

/* MessageGroupId and MessageDeduplicationId: 1..128 alphanumeric or punctuation. */
static bool valid_fifo_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 128)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !ispunct((unsigned char)*p))
            return false;
    return true;
}

static bool valid_attr_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 256 || s[0] == '.' || s[n - 1] == '.' || strstr(s, ".."))
        return false;
    /* Names starting with AWS. or Amazon. are reserved. */
    if (strncasecmp(s, "AWS.", 4) == 0 || strncasecmp(s, "Amazon.", 7) == 0)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    return true;
}

static bool is_number(const char *s)
{
    char *end;
    if (!*s)
        return false;
    strtod(s, &end);
    return *end == '\0';
}

/* Checks MessageAttributes (kind "user") or MessageSystemAttributes (kind "system") and
 * adds their size (name + type + value, as AWS counts it) to *size. */
static int check_attrs(const gh_sqs_attr *a, size_t n, const char *kind, size_t *size,
                       gh_sqs_error *err)
{
    if (n > 10)
        return gh_sqsi_fail(err, "InvalidParameterValue",
                            "Number of message attributes [%zu] exceeds the allowed maximum [10].",
                            n);
    bool system = strcmp(kind, "system") == 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = a[i].name ? a[i].name : "";
        if (system ? strcmp(name, "AWSTraceHeader") != 0 : !valid_attr_name(name))
            return gh_sqsi_fail(err, "InvalidParameterValue",
                                "Message (%s) attribute name '%s' is invalid.", kind, name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(a[j].name, name) == 0)
                return gh_sqsi_fail(err, "InvalidParameterValue",
                                    "Message (%s) attribute name '%s' is already in use.", kind,
                                    name);
        const char *t = a[i].data_type ? a[i].data_type : "";
        if (!*t)
            return gh_sqsi_fail(err, "InvalidParameterValue",
                                "The message (%s) attribute '%s' must contain a non-empty "
                                "attribute type.",
                                kind, name);
        const char *base = strncmp(t, "String", 6) == 0   ? "String"
                           : strncmp(t, "Number", 6) == 0 ? "Number"
                           : strncmp(t, "Binary", 6) == 0 ? "Binary"
                                                          : NULL;
        if (!base || (t[6] && t[6] != '.') || strlen(t) > 256 ||
            (system && strcmp(t, "String") != 0))
            return gh_sqsi_fail(err, "InvalidParameterValue",
                                "The type of message (%s) attribute '%s' is invalid. You must "
                                "use only the following supported type prefixes: Binary, "
                                "Number, String.",
                                kind, name);
        bool binary = base[0] == 'B';
        size_t vlen = binary ? a[i].binary_len : a[i].string_value ? strlen(a[i].string_value) : 0;
        if ((binary && !a[i].binary_value) || vlen == 0)
            return gh_sqsi_fail(err, "InvalidParameterValue",
                                "Message (%s) attribute '%s' must contain a non-empty value of "
                                "type '%s'.",
                                kind, name, base);
        if (base[0] == 'N' && !is_number(a[i].string_value))
            return gh_sqsi_fail(err, "InvalidParameterValue",
                                "Can't cast the value of message (%s) attribute '%s' to a number.",
                                kind, name);
        *size += strlen(name) + strlen(t) + vlen;
    }
    return 0;
}

gh_sqs_attr *gh_sqsi_attrs_dup(const gh_sqs_attr *a, size_t n)
{
    if (!n)
        return NULL;
    gh_sqs_attr *c = calloc(n, sizeof *c);
    for (size_t i = 0; c && i < n; i++) {
        c[i].name = strdup(a[i].name);
        c[i].data_type = strdup(a[i].data_type);
        c[i].string_value = a[i].string_value ? strdup(a[i].string_value) : NULL;
        if (a[i].binary_value) {
            unsigned char *b = malloc(a[i].binary_len ? a[i].binary_len : 1);
            if (b)
                memcpy(b, a[i].binary_value, a[i].binary_len);
            c[i].binary_value = b;
            c[i].binary_len = a[i].binary_len;
        }
    }
    return c;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The message as the sender gave it, digests computed (outside any lock). */
static sqs_msg *build(const gh_sqs_send *m, const char *account)
{
    sqs_msg *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->body = malloc(m->body_len + 1);
    if (s->body) {
        memcpy(s->body, m->body, m->body_len);
        s->body[m->body_len] = '\0';
    }
    s->body_len = m->body_len;
    s->attrs = gh_sqsi_attrs_dup(m->attrs, m->nattrs);
    s->nattrs = s->attrs ? m->nattrs : 0;
    s->sys = gh_sqsi_attrs_dup(m->system_attrs, m->nsystem_attrs);
    s->nsys = s->sys ? m->nsystem_attrs : 0;
    s->sender_id = strdup(m->sender_id ? m->sender_id : account);
    s->group_id = dup_or_null(m->group_id);
    s->dedup_id = dup_or_null(m->dedup_id);
    if (!s->body || !s->sender_id || (m->nattrs && !s->attrs) || (m->nsystem_attrs && !s->sys) ||
        (m->group_id && !s->group_id) || (m->dedup_id && !s->dedup_id)) {
        gh_sqsi_msg_free(s);
        return NULL;
    }
    gh_uuid4(s->id);
    gh_sqsi_md5_hex(m->body, m->body_len, s->md5_body);
    gh_sqs_md5_of_attributes(m->attrs, m->nattrs, s->md5_attrs);
    gh_sqs_md5_of_attributes(m->system_attrs, m->nsystem_attrs, s->md5_sys);
    return s;
}

/* FIFO sequence numbers: 20 digits, increasing within the queue. */
static void next_seqno(sqs_queue *qu, int64_t wall_ms, char out[21])
{
    uint64_t base = 10000000000000000000ull + (uint64_t)(wall_ms > 0 ? wall_ms : 0) * 1000;
    uint64_t v = base > qu->last_seqno ? base : qu->last_seqno + 1;
    qu->last_seqno = v;
    snprintf(out, 21, "%020llu", (unsigned long long)v);
}

int gh_sqs_send_message(gh_sqs *q, const char *queue, const gh_sqs_send *m, gh_sqs_sent *out,
                        gh_sqs_error *err)
{
    gh_sqs_observer fn = NULL;
    void *ud = NULL;
    sqs_queue *qu = gh_sqsi_get(q, queue, err, &fn, &ud);
    if (!qu)
        return -1;
    pthread_mutex_lock(&qu->mu);
    bool fifo = qu->fifo, cbd = qu->cbd, scope_group = qu->scope_group;
    int max_size = qu->max_size, delay = qu->delay;
    pthread_mutex_unlock(&qu->mu);

    int rc = 0;
    size_t size = m->body_len;
    char buf[32];
    sqs_msg *s = NULL;
    if (!m->body || m->body_len == 0) {
        rc = gh_sqsi_fail(err, "MissingParameter",
                          "The request must contain the parameter MessageBody.");
        goto done;
    }
    if ((rc = check_body(m->body, m->body_len, err)) != 0 ||
        (rc = check_attrs(m->attrs, m->nattrs, "user", &size, err)) != 0 ||
        (rc = check_attrs(m->system_attrs, m->nsystem_attrs, "system", &size, err)) != 0)
        goto done;
    if (size > (size_t)max_size) {
        rc = gh_sqsi_fail(err, "InvalidParameterValue",
                          "One or more parameters are invalid. Reason: Message must be shorter "
                          "than %d bytes.",
                          max_size);
        goto done;
    }
    if (m->delay_seconds >= 0) {
        snprintf(buf, sizeof buf, "%d", m->delay_seconds);
        /* FIFO queues take only the queue's delay (SendMessage: "DelaySeconds ... you
         * can't set this parameter per message" on FIFO queues). */
        if (fifo && m->delay_seconds > 0) {
            rc = invalid_value(err, buf, "DelaySeconds",
                               "The request include parameter that is not valid for this queue "
                               "type.");
            goto done;
        }
        if (m->delay_seconds > 900) {
            rc = invalid_value(err, buf, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.");
            goto done;
        }
        delay = m->delay_seconds;
    } else if (m->delay_seconds < -1) {
        snprintf(buf, sizeof buf, "%d", m->delay_seconds);
        rc = invalid_value(err, buf, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.");
        goto done;
    }
    if (fifo) {
        if (!m->group_id) {
            rc = gh_sqsi_fail(err, "MissingParameter",
                              "The request must contain the parameter MessageGroupId.");
            goto done;
        }
        if (!m->dedup_id && !cbd) {
            rc = gh_sqsi_fail(err, "InvalidParameterValue",
                              "The queue should either have ContentBasedDeduplication enabled "
                              "or MessageDeduplicationId provided explicitly");
            goto done;
        }
    } else if (m->dedup_id) {
        rc = invalid_value(err, m->dedup_id, "MessageDeduplicationId",
                           "The request include parameter that is not valid for this queue "
                           "type.");
        goto done;
    }
    /* Standard queues accept MessageGroupId too (fair queues, 2025) and keep it. */
    if (m->group_id && !valid_fifo_id(m->group_id)) {
        rc = invalid_value(err, m->group_id, "MessageGroupId",
                           "MessageGroupId can only include alphanumeric and punctuation "
                           "characters. 1 to 128 in length.");
        goto done;
    }
    if (m->dedup_id && !valid_fifo_id(m->dedup_id)) {
        rc = invalid_value(err, m->dedup_id, "MessageDeduplicationId",
                           "MessageDeduplicationId can only include alphanumeric and "
                           "punctuation characters. 1 to 128 in length.");
        goto done;
    }

    s = build(m, q->account);
    char *dkey = NULL;
    if (s && fifo) {
        /* The deduplication id, or the SHA-256 of the body with ContentBasedDeduplication;
         * with DeduplicationScope messageGroup it counts within the group only. */
        char sha[65];
        const char *id = m->dedup_id;
        if (!id) {
            gh_sqsi_sha256_hex(m->body, m->body_len, sha);
            id = sha;
            s->dedup_id = strdup(sha);
        }
        size_t n = strlen(id) + (scope_group ? strlen(m->group_id) + 2 : 1);
        dkey = malloc(n);
        if (dkey)
            snprintf(dkey, n, "%s%s%s", scope_group ? m->group_id : "", scope_group ? "\n" : "",
                     id);
    }
    if (!s || (fifo && (!dkey || !s->dedup_id))) {
        free(dkey);
        rc = gh_sqsi_fail(err, "InternalError", "out of memory");
        goto done;
    }
    memcpy(out->md5_body, s->md5_body, sizeof out->md5_body);
    memcpy(out->md5_attrs, s->md5_attrs, sizeof out->md5_attrs);
    memcpy(out->md5_system_attrs, s->md5_sys, sizeof out->md5_system_attrs);
    out->sequence_number[0] = '\0';

    gh_sqs_message copy = {0};
    bool notify = false;
    int64_t now = gh_clock_mono_ms();
    pthread_mutex_lock(&qu->mu);
    if (qu->deleted) {
        rc = gh_sqsi_fail(err, GH_SQS_NO_QUEUE,
                          "The specified queue does not exist for this wsdl version.");
    } else {
        gh_sqsi_settle(qu, now);
        const sqs_dedup *dup = dkey ? gh_sqsi_dedup_find(qu, dkey) : NULL;
        if (dup) {
            /* A duplicate within 5 minutes succeeds with the first message's id and is
             * not queued again. */
            memcpy(out->message_id, dup->message_id, sizeof out->message_id);
            memcpy(out->sequence_number, dup->seqno, sizeof out->sequence_number);
        } else {
            s->sent_ms = gh_clock_now_ms();
            s->born = now;
            if (fifo)
                next_seqno(qu, s->sent_ms, s->seqno);
            if (gh_sqsi_store(qu, s, now, delay) != 0 ||
                (dkey && gh_sqsi_dedup_add(qu, dkey, s->id, s->seqno, now + DEDUP_WINDOW_MS))) {
                if (s->all_prev || qu->all_head == s)
                    gh_sqsi_unstore(qu, s);
                rc = gh_sqsi_fail(err, "InternalError", "out of memory");
            } else if (qu->store && gh_sqsi_save_sent(qu, s, dkey, now + DEDUP_WINDOW_MS) != 0) {
                /* Not acknowledged unless written: with --state a send that returned
                 * survives a crash. */
                gh_sqsi_unstore(qu, s);
                rc = gh_sqsi_fail(err, "InternalError",
                                  "The message could not be written to the state store.");
                if (err)
                    err->status = 500, err->sender = false;
            } else {
                memcpy(out->message_id, s->id, sizeof out->message_id);
                memcpy(out->sequence_number, s->seqno, sizeof out->sequence_number);
                if (fn)
                    notify = gh_sqsi_copy_out(qu, s, false, &copy) == 0;
                s = NULL; /* the queue owns it */
            }
        }
    }
    pthread_mutex_unlock(&qu->mu);
    free(dkey);
    if (notify) {
        gh_sqsi_notify(q, qu->name, &copy);
        gh_sqsi_message_clear(&copy);
    }
done:
    gh_sqsi_msg_free(s);
    gh_sqsi_put(q, qu);
    return rc;
}
