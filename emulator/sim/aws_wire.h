/* The two wire forms of AWS's SQS and SNS APIs, read and written through one interface
 * so each operation is written once (sim/aws_sqs_api.c, sim/aws_sns_api.c):
 *   - arguments: the query protocol's flat form fields ("Attribute.1.Name",
 *     "MessageAttributes.entry.2.Value.DataType") or the JSON protocol's object;
 *   - results: a jansson object in the JSON protocol's shape, written as the JSON
 *     protocol's body, as the query protocol's XML (AWS's element names, flattened SQS
 *     lists, SNS <member>/<entry> lists) or as the query protocol's JSON form
 *     ({"<Op>Response": {...}}, what API Gateway's aws integrations receive).
 * Internal to sim/aws_*. */
#ifndef GH_AWS_WIRE_H
#define GH_AWS_WIRE_H
#include <jansson.h>
#include <stddef.h>

#include "sim/sqs.h"
#include "util/arena.h"
#include "util/http.h"

typedef enum { GH_AWS_SQS, GH_AWS_SNS } gh_aws_service;

typedef enum {
    GH_WIRE_XML,        /* query protocol, XML answer */
    GH_WIRE_QUERY_JSON, /* query protocol with Accept: application/json */
    GH_WIRE_JSON,       /* SQS JSON protocol (X-Amz-Target) */
} gh_wire_format;

/* One request's (or one batch entry's) arguments. */
typedef struct gh_aws_args {
    gh_arena *arena;
    const json_t *obj;      /* JSON protocol; NULL for the query protocol */
    const gh_headers *form; /* query protocol: decoded fields, sorted (gh_aws_form_sort) */
    const char *prefix;     /* query protocol: "" or an entry's "SendMessageBatchRequestEntry.3." */
} gh_aws_args;

/* Sorts a query form's fields by name, fields of one name kept in arrival order (the
 * first is the argument), so arguments are found by binary search. Once, before any
 * gh_aws_arg_* on the form. */
void gh_aws_form_sort(gh_arena *arena, gh_headers *form);

/* A scalar argument as text (JSON numbers and booleans as their text); NULL if absent. */
const char *gh_aws_arg_str(const gh_aws_args *a, const char *name);
/* An integer argument: 0 absent, 1 read into *out, -1 present but not an integer. */
int gh_aws_arg_int(const gh_aws_args *a, const char *name, long *out);
/* A list of strings: JSON json_name's array; query query_name.1, query_name.2, ... */
size_t gh_aws_arg_list(const gh_aws_args *a, const char *json_name, const char *query_name,
                       const char ***out);
/* A string map: JSON json_name's object; query entry.N.<key_field> / entry.N.<value_field>. */
size_t gh_aws_arg_map(const gh_aws_args *a, const char *json_name, const char *entry,
                      const char *key_field, const char *value_field, gh_kv **out);
/* Message attributes: JSON {name: {DataType, StringValue, BinaryValue(base64)}}; query
 * entry.N.Name and entry.N.Value.{DataType,StringValue,BinaryValue}. -1 with *bad the
 * attribute's name when a BinaryValue is not base64. */
long gh_aws_arg_msg_attrs(const gh_aws_args *a, const char *json_name, const char *entry,
                          gh_sqs_attr **out, const char **bad);
/* Batch entries: JSON json_name's array of objects; query entry.1., entry.2., ... up to
 * the first number with no field. Each out[i] reads one entry. */
size_t gh_aws_arg_entries(const gh_aws_args *a, const char *json_name, const char *entry,
                          gh_aws_args **out);

/* Fills resp with a success answer. result: the JSON protocol's result object (borrowed;
 * NULL for operations without a result element). */
void gh_aws_render_result(gh_arena *arena, gh_response *resp, gh_aws_service svc,
                          gh_wire_format fmt, const char *op, const json_t *result,
                          const char *request_id);
/* Fills resp with an error answer in the protocol's shape: the query protocol's
 * <ErrorResponse> (or its JSON form), or the JSON protocol's {"__type","message"} whose
 * type is the modelled shape of e->code, with x-amzn-query-error "CODE;Sender". */
void gh_aws_render_error(gh_arena *arena, gh_response *resp, gh_aws_service svc,
                         gh_wire_format fmt, const gh_sqs_error *e, const char *request_id);

/* A result object's member from a C string (NULL: no member). */
void gh_aws_set_str(json_t *obj, const char *key, const char *value);

#endif
