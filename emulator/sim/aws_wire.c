/* Reading arguments from and writing results to the SQS/SNS wire forms (aws_wire.h).
 * The XML follows what the services send: SQS one line after <?xml version="1.0"?> with
 * flattened lists (<QueueUrl> repeated, <Attribute><Name/><Value/></Attribute>), SNS
 * indented by two spaces with <member> lists and <entry><key/><value/></entry> maps. */
#include "sim/aws_wire.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/buf.h"
#include "util/json_text.h"

#define SQS_NS "http://queue.amazonaws.com/doc/2012-11-05/"
#define SNS_NS "http://sns.amazonaws.com/doc/2010-03-31/"

/* ---- arguments ---------------------------------------------------------------- */

/* Form lookups are binary searches over the fields sorted by name (gh_aws_form_sort):
 * a hostile form of a million fields costs N log N to read, not a scan per field. */
static size_t lower_bound(const gh_headers *form, const char *key)
{
    size_t lo = 0, hi = form->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(form->items[mid].name, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const char *form_get(const gh_aws_args *a, const char *name)
{
    const char *key = a->prefix && *a->prefix ? gh_arena_printf(a->arena, "%s%s", a->prefix, name)
                                              : name;
    size_t i = lower_bound(a->form, key);
    return i < a->form->n && !strcmp(a->form->items[i].name, key) ? a->form->items[i].value
                                                                   : NULL;
}

static bool form_has_prefix(const gh_aws_args *a, const char *prefix)
{
    size_t i = lower_bound(a->form, prefix);
    return i < a->form->n && !strncmp(a->form->items[i].name, prefix, strlen(prefix));
}

/* How many entries entry.1., entry.2., ... the form has, up to the first number missing. */
static size_t form_entries(const gh_aws_args *a, const char *entry)
{
    size_t n = 0;
    while (form_has_prefix(a, gh_arena_printf(a->arena, "%s%s.%zu.", a->prefix, entry, n + 1)))
        n++;
    return n;
}

typedef struct ranked {
    gh_header h;
    size_t arrival;
} ranked;

static int by_name_then_arrival(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    int c = strcmp(a->h.name, b->h.name);
    return c ? c : (a->arrival > b->arrival) - (a->arrival < b->arrival);
}

void gh_aws_form_sort(gh_arena *arena, gh_headers *form)
{
    if (form->n < 2)
        return;
    ranked *r = gh_arena_alloc(arena, form->n * sizeof *r);
    for (size_t i = 0; i < form->n; i++)
        r[i] = (ranked){form->items[i], i};
    qsort(r, form->n, sizeof *r, by_name_then_arrival);
    for (size_t i = 0; i < form->n; i++)
        form->items[i] = r[i].h;
}

const char *gh_aws_arg_str(const gh_aws_args *a, const char *name)
{
    if (!a->obj)
        return form_get(a, name);
    const json_t *v = json_object_get(a->obj, name);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return gh_arena_printf(a->arena, "%lld", (long long)json_integer_value(v));
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    if (json_is_real(v)) {
        gh_buf b = GH_BUF_INIT;
        gh_json_number(json_real_value(v), &b);
        char *s = gh_arena_strdup(a->arena, b.data);
        gh_buf_free(&b);
        return s;
    }
    return NULL;
}

int gh_aws_arg_int(const gh_aws_args *a, const char *name, long *out)
{
    const char *s = gh_aws_arg_str(a, name);
    if (!s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end)
        return -1;
    *out = v;
    return 1;
}

/* "entry.N." + field, in the arena. */
static const char *nth(const gh_aws_args *a, const char *entry, size_t n, const char *field)
{
    return gh_arena_printf(a->arena, "%s.%zu%s%s", entry, n, field ? "." : "", field ? field : "");
}

size_t gh_aws_arg_list(const gh_aws_args *a, const char *json_name, const char *query_name,
                       const char ***out)
{
    size_t n = 0;
    if (a->obj) {
        const json_t *arr = json_object_get(a->obj, json_name);
        size_t len = json_is_array(arr) ? json_array_size(arr) : 0;
        *out = gh_arena_alloc(a->arena, (len + 1) * sizeof **out);
        for (size_t i = 0; i < len; i++)
            if (json_is_string(json_array_get(arr, i)))
                (*out)[n++] = json_string_value(json_array_get(arr, i));
        return n;
    }
    size_t cap = 8;
    *out = gh_arena_alloc(a->arena, cap * sizeof **out);
    for (size_t i = 1;; i++) {
        const char *v = form_get(a, nth(a, query_name, i, NULL));
        if (!v)
            break;
        if (n == cap) {
            const char **grown = gh_arena_alloc(a->arena, 2 * cap * sizeof *grown);
            memcpy(grown, *out, cap * sizeof *grown);
            *out = grown;
            cap *= 2;
        }
        (*out)[n++] = v;
    }
    return n;
}

size_t gh_aws_arg_map(const gh_aws_args *a, const char *json_name, const char *entry,
                      const char *key_field, const char *value_field, gh_kv **out)
{
    size_t n = 0;
    if (a->obj) {
        const json_t *m = json_object_get(a->obj, json_name);
        size_t len = json_is_object(m) ? json_object_size(m) : 0;
        *out = gh_arena_calloc(a->arena, (len + 1) * sizeof **out);
        const char *k;
        const json_t *v;
        if (len)
            json_object_foreach((json_t *)m, k, v) {
                gh_aws_args one = {a->arena, m, NULL, ""};
                const char *s = gh_aws_arg_str(&one, k);
                (*out)[n].key = k;
                (*out)[n++].value = s ? s : "";
            }
        return n;
    }
    size_t count = form_entries(a, entry);
    *out = gh_arena_calloc(a->arena, (count + 1) * sizeof **out);
    for (size_t i = 1; i <= count; i++) {
        const char *k = form_get(a, nth(a, entry, i, key_field));
        const char *v = form_get(a, nth(a, entry, i, value_field));
        if (!k)
            continue;
        (*out)[n].key = k;
        (*out)[n++].value = v ? v : "";
    }
    return n;
}

static int attr_value(const gh_aws_args *v, const char *name, gh_sqs_attr *at, const char **bad)
{
    at->name = name;
    at->data_type = gh_aws_arg_str(v, "DataType");
    at->string_value = gh_aws_arg_str(v, "StringValue");
    const char *b64 = gh_aws_arg_str(v, "BinaryValue");
    if (b64) {
        char *bytes;
        size_t len;
        if (gh_base64_decode(v->arena, b64, strlen(b64), &bytes, &len) != 0) {
            *bad = name;
            return -1;
        }
        at->binary_value = (const unsigned char *)bytes;
        at->binary_len = len;
    }
    return 0;
}

long gh_aws_arg_msg_attrs(const gh_aws_args *a, const char *json_name, const char *entry,
                          gh_sqs_attr **out, const char **bad)
{
    size_t n = 0;
    if (a->obj) {
        const json_t *m = json_object_get(a->obj, json_name);
        size_t len = json_is_object(m) ? json_object_size(m) : 0;
        *out = gh_arena_calloc(a->arena, (len + 1) * sizeof **out);
        const char *k;
        const json_t *v;
        if (len)
            json_object_foreach((json_t *)m, k, v) {
                gh_aws_args one = {a->arena, json_is_object(v) ? v : json_object(), NULL, ""};
                int rc = attr_value(&one, k, &(*out)[n++], bad);
                if (!json_is_object(v))
                    json_decref((json_t *)one.obj);
                if (rc)
                    return -1;
            }
        return (long)n;
    }
    size_t count = form_entries(a, entry);
    *out = gh_arena_calloc(a->arena, (count + 1) * sizeof **out);
    for (size_t i = 1; i <= count; i++) {
        const char *name = form_get(a, nth(a, entry, i, "Name"));
        if (!name)
            continue;
        gh_aws_args v = {a->arena, NULL, a->form,
                         gh_arena_printf(a->arena, "%s%s.%zu.Value.", a->prefix, entry, i)};
        if (attr_value(&v, name, &(*out)[n++], bad))
            return -1;
    }
    return (long)n;
}

size_t gh_aws_arg_entries(const gh_aws_args *a, const char *json_name, const char *entry,
                          gh_aws_args **out)
{
    size_t n = 0;
    if (a->obj) {
        const json_t *arr = json_object_get(a->obj, json_name);
        size_t len = json_is_array(arr) ? json_array_size(arr) : 0;
        *out = gh_arena_calloc(a->arena, (len + 1) * sizeof **out);
        for (size_t i = 0; i < len; i++)
            if (json_is_object(json_array_get(arr, i)))
                (*out)[n++] = (gh_aws_args){a->arena, json_array_get(arr, i), NULL, ""};
        return n;
    }
    n = form_entries(a, entry);
    *out = gh_arena_calloc(a->arena, (n + 1) * sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = (gh_aws_args){a->arena, NULL, a->form,
                                  gh_arena_printf(a->arena, "%s%s.%zu.", a->prefix, entry, i + 1)};
    return n;
}

void gh_aws_set_str(json_t *obj, const char *key, const char *value)
{
    if (value)
        json_object_set_new(obj, key, gh_json_str_lossy(value));
}

/* ---- XML ------------------------------------------------------------------------ */

typedef struct xml_out {
    gh_buf b;
    bool pretty; /* SNS */
    gh_aws_service svc;
    const char *op;
} xml_out;

static void xml_escape(gh_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': gh_buf_puts(b, "&amp;"); break;
        case '<': gh_buf_puts(b, "&lt;"); break;
        case '>': gh_buf_puts(b, "&gt;"); break;
        case '"': gh_buf_puts(b, "&quot;"); break;
        case '\'': gh_buf_puts(b, "&apos;"); break;
        /* Line breaks survive an XML parser only as references (SQS writes them so). */
        case '\r': gh_buf_puts(b, "&#xD;"); break;
        default: gh_buf_putc(b, *s);
        }
    }
}

static void indent(xml_out *x, int depth)
{
    if (!x->pretty)
        return;
    gh_buf_putc(&x->b, '\n');
    for (int i = 0; i < depth; i++)
        gh_buf_puts(&x->b, "  ");
}

static void open_tag(xml_out *x, int depth, const char *name)
{
    indent(x, depth);
    gh_buf_printf(&x->b, "<%s>", name);
}

static void close_tag(xml_out *x, int depth, const char *name)
{
    indent(x, depth);
    gh_buf_printf(&x->b, "</%s>", name);
}

static void leaf(xml_out *x, int depth, const char *name, const char *text)
{
    indent(x, depth);
    gh_buf_printf(&x->b, "<%s>", name);
    xml_escape(&x->b, text);
    gh_buf_printf(&x->b, "</%s>", name);
}

static void xml_members(xml_out *x, int depth, const json_t *obj);

static const char *scalar_text(gh_buf *tmp, const json_t *v)
{
    gh_buf_reset(tmp);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_true(v))
        return "true";
    if (json_is_false(v))
        return "false";
    if (json_is_integer(v)) {
        gh_buf_printf(tmp, "%lld", (long long)json_integer_value(v));
        return tmp->data;
    }
    gh_json_number(json_real_value(v), tmp);
    return tmp->data;
}

static void xml_value(xml_out *x, int depth, const char *name, const json_t *v)
{
    if (json_is_null(v))
        return;
    if (json_is_object(v)) {
        if (!json_object_size(v)) {
            indent(x, depth);
            gh_buf_printf(&x->b, "<%s/>", name);
            return;
        }
        open_tag(x, depth, name);
        xml_members(x, depth + 1, v);
        close_tag(x, depth, name);
        return;
    }
    gh_buf tmp = GH_BUF_INIT;
    leaf(x, depth, name, scalar_text(&tmp, v));
    gh_buf_free(&tmp);
}

/* SQS's flattened list items: one element per item, named after the item. */
static const char *sqs_item_name(const xml_out *x, const char *key)
{
    if (!strcmp(key, "QueueUrls"))
        return "QueueUrl";
    if (!strcmp(key, "Messages"))
        return "Message";
    if (!strcmp(key, "Failed"))
        return "BatchResultErrorEntry";
    if (!strcmp(key, "Successful"))
        return strcmp(x->op, "SendMessageBatch") == 0   ? "SendMessageBatchResultEntry"
               : strcmp(x->op, "DeleteMessageBatch") == 0 ? "DeleteMessageBatchResultEntry"
                                                          : "ChangeMessageVisibilityBatchResultEntry";
    return key;
}

static void xml_members(xml_out *x, int depth, const json_t *obj)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        bool map = json_is_object(v) &&
                   (!strcmp(key, "Attributes") || !strcmp(key, "MessageAttributes") ||
                    (x->svc == GH_AWS_SQS && !strcmp(key, "Tags")));
        if (map && x->svc == GH_AWS_SQS) {
            /* <Attribute><Name>k</Name><Value>v</Value></Attribute>, one per entry. */
            const char *item = !strcmp(key, "Attributes")          ? "Attribute"
                               : !strcmp(key, "MessageAttributes") ? "MessageAttribute"
                                                                   : "Tag";
            const char *kname = !strcmp(item, "Tag") ? "Key" : "Name";
            const char *mk;
            const json_t *mv;
            json_object_foreach((json_t *)v, mk, mv) {
                open_tag(x, depth, item);
                leaf(x, depth + 1, kname, mk);
                xml_value(x, depth + 1, "Value", mv);
                close_tag(x, depth, item);
            }
        } else if (map) {
            const char *mk;
            const json_t *mv;
            open_tag(x, depth, key);
            json_object_foreach((json_t *)v, mk, mv) {
                open_tag(x, depth + 1, "entry");
                leaf(x, depth + 2, "key", mk);
                xml_value(x, depth + 2, "value", mv);
                close_tag(x, depth + 1, "entry");
            }
            close_tag(x, depth, key);
        } else if (json_is_array(v) && x->svc == GH_AWS_SQS) {
            size_t i;
            const json_t *item;
            json_array_foreach(v, i, item)
                xml_value(x, depth, sqs_item_name(x, key), item);
        } else if (json_is_array(v)) {
            if (!json_array_size(v)) {
                indent(x, depth);
                gh_buf_printf(&x->b, "<%s/>", key);
                continue;
            }
            open_tag(x, depth, key);
            size_t i;
            const json_t *item;
            json_array_foreach(v, i, item)
                xml_value(x, depth + 1, "member", item);
            close_tag(x, depth, key);
        } else {
            xml_value(x, depth, key, v);
        }
    }
}

static void finish(gh_arena *arena, gh_response *resp, gh_buf *b, const char *type,
                   const char *request_id)
{
    resp->body = gh_arena_memdup(arena, b->data ? b->data : "", b->len + 1);
    resp->body_len = b->len;
    gh_buf_free(b);
    gh_headers_set(arena, &resp->headers, "x-amzn-RequestId", request_id);
    gh_headers_set(arena, &resp->headers, "Content-Type", type);
}

static void render_xml(gh_arena *arena, gh_response *resp, gh_aws_service svc, const char *op,
                       const json_t *result, const char *request_id)
{
    xml_out x = {GH_BUF_INIT, svc == GH_AWS_SNS, svc, op};
    if (svc == GH_AWS_SQS)
        gh_buf_puts(&x.b, "<?xml version=\"1.0\"?>");
    gh_buf_printf(&x.b, "<%sResponse xmlns=\"%s\">", op, svc == GH_AWS_SQS ? SQS_NS : SNS_NS);
    if (result) {
        char *rname = gh_arena_printf(arena, "%sResult", op);
        if (json_object_size(result) == 0) {
            indent(&x, 1);
            gh_buf_printf(&x.b, "<%s/>", rname);
        } else {
            open_tag(&x, 1, rname);
            xml_members(&x, 2, result);
            close_tag(&x, 1, rname);
        }
    }
    open_tag(&x, 1, "ResponseMetadata");
    leaf(&x, 2, "RequestId", request_id);
    close_tag(&x, 1, "ResponseMetadata");
    close_tag(&x, 0, gh_arena_printf(arena, "%sResponse", op));
    if (x.pretty)
        gh_buf_putc(&x.b, '\n');
    finish(arena, resp, &x.b, "text/xml", request_id);
}

/* ---- JSON ----------------------------------------------------------------------- */

static void dump(gh_arena *arena, gh_response *resp, json_t *v, const char *type,
                 const char *request_id)
{
    gh_buf b = GH_BUF_INIT;
    gh_json_text(v, false, &b);
    finish(arena, resp, &b, type, request_id);
}

/* API Gateway receives SendMessage's and Publish's JSON form with every member present,
 * absent ones null (reference §10.1), in the order the service model lists them. */
static json_t *with_nulls(const json_t *result, const char *const *members)
{
    json_t *o = json_object();
    for (size_t i = 0; members[i]; i++) {
        json_t *v = json_object_get(result, members[i]);
        json_object_set_new(o, members[i], v ? json_incref(v) : json_null());
    }
    return o;
}

static void render_query_json(gh_arena *arena, gh_response *resp, gh_aws_service svc,
                              const char *op, const json_t *result, const char *request_id)
{
    static const char *const send_members[] = {"MD5OfMessageAttributes", "MD5OfMessageBody",
                                               "MD5OfMessageSystemAttributes", "MessageId",
                                               "SequenceNumber", NULL};
    static const char *const publish_members[] = {"MessageId", "SequenceNumber", NULL};
    json_t *res = NULL;
    if (result && svc == GH_AWS_SQS && !strcmp(op, "SendMessage"))
        res = with_nulls(result, send_members);
    else if (result && svc == GH_AWS_SNS && !strcmp(op, "Publish"))
        res = with_nulls(result, publish_members);
    else if (result)
        res = json_incref((json_t *)result);
    json_t *meta = json_pack("{s:s}", "RequestId", request_id);
    json_t *inner = json_object();
    /* SQS writes ResponseMetadata first (reference §10.1); SNS after the result, as
     * its XML does. */
    if (svc == GH_AWS_SQS)
        json_object_set_new(inner, "ResponseMetadata", meta);
    if (res)
        json_object_set_new(inner, gh_arena_printf(arena, "%sResult", op), res);
    if (svc == GH_AWS_SNS)
        json_object_set_new(inner, "ResponseMetadata", meta);
    json_t *outer = json_object();
    json_object_set_new(outer, gh_arena_printf(arena, "%sResponse", op), inner);
    dump(arena, resp, outer, "application/json", request_id);
    json_decref(outer);
}

void gh_aws_render_result(gh_arena *arena, gh_response *resp, gh_aws_service svc,
                          gh_wire_format fmt, const char *op, const json_t *result,
                          const char *request_id)
{
    resp->status = 200;
    if (fmt == GH_WIRE_XML) {
        render_xml(arena, resp, svc, op, result, request_id);
    } else if (fmt == GH_WIRE_QUERY_JSON) {
        render_query_json(arena, resp, svc, op, result, request_id);
    } else {
        json_t *empty = result ? NULL : json_object();
        dump(arena, resp, result ? (json_t *)result : empty, "application/x-amz-json-1.0",
             request_id);
        json_decref(empty);
    }
}

/* ---- errors --------------------------------------------------------------------- */

/* The JSON protocol's error shapes (botocore's sqs service-2.json, awsQueryCompatible)
 * and the query codes x-amzn-query-error carries back to them; the SDKs rebuild the
 * query code from that header. Codes without a modelled shape keep their own name. */
static const struct {
    const char *code, *shape, *json_message;
} json_errors[] = {
    {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
     "The specified queue does not exist."},
    {"QueueAlreadyExists", "QueueNameExists", NULL},
    {"AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueueInProgress", NULL},
    {"AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently", NULL},
    {"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequest", NULL},
    {"AWS.SimpleQueueService.EmptyBatchRequest", "EmptyBatchRequest", NULL},
    {"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "BatchEntryIdsNotDistinct", NULL},
    {"AWS.SimpleQueueService.InvalidBatchEntryId", "InvalidBatchEntryId", NULL},
    {"AWS.SimpleQueueService.BatchRequestTooLong", "BatchRequestTooLong", NULL},
    {"AWS.SimpleQueueService.UnsupportedOperation", "UnsupportedOperation", NULL},
    {"AWS.SimpleQueueService.MessageNotInflight", "MessageNotInflight", NULL},
};

void gh_aws_render_error(gh_arena *arena, gh_response *resp, gh_aws_service svc,
                         gh_wire_format fmt, const gh_sqs_error *e, const char *request_id)
{
    resp->status = e->status ? e->status : 400;
    const char *type = e->sender ? "Sender" : "Receiver";
    if (fmt == GH_WIRE_JSON) {
        const char *shape = e->code, *message = e->message;
        for (size_t i = 0; i < sizeof json_errors / sizeof *json_errors; i++)
            if (!strcmp(json_errors[i].code, e->code)) {
                shape = json_errors[i].shape;
                if (json_errors[i].json_message)
                    message = json_errors[i].json_message;
            }
        /* Messages may quote the client's bytes (an unknown action, a bad value). */
        json_t *body = json_pack("{s:s,s:o}", "__type",
                                 gh_arena_printf(arena, "com.amazonaws.sqs#%s", shape),
                                 "message", gh_json_str_lossy(message));
        dump(arena, resp, body, "application/x-amz-json-1.0", request_id);
        json_decref(body);
        gh_headers_set(arena, &resp->headers, "x-amzn-query-error",
                       gh_arena_printf(arena, "%s;%s", e->code, type));
        return;
    }
    if (fmt == GH_WIRE_QUERY_JSON) {
        json_t *body = json_pack("{s:{s:s,s:s,s:o},s:s}", "Error", "Type", type, "Code", e->code,
                                 "Message", gh_json_str_lossy(e->message), "RequestId",
                                 request_id);
        dump(arena, resp, body, "application/json", request_id);
        json_decref(body);
        return;
    }
    xml_out x = {GH_BUF_INIT, svc == GH_AWS_SNS, svc, ""};
    if (svc == GH_AWS_SQS)
        gh_buf_puts(&x.b, "<?xml version=\"1.0\"?>");
    gh_buf_printf(&x.b, "<ErrorResponse xmlns=\"%s\">", svc == GH_AWS_SQS ? SQS_NS : SNS_NS);
    open_tag(&x, 1, "Error");
    leaf(&x, 2, "Type", type);
    leaf(&x, 2, "Code", e->code);
    leaf(&x, 2, "Message", e->message);
    if (svc == GH_AWS_SQS)
        gh_buf_puts(&x.b, "<Detail/>");
    close_tag(&x, 1, "Error");
    leaf(&x, 1, "RequestId", request_id);
    close_tag(&x, 0, "ErrorResponse");
    if (x.pretty)
        gh_buf_putc(&x.b, '\n');
    finish(arena, resp, &x.b, "text/xml", request_id);
}
