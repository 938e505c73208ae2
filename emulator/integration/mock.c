/* MOCK integration as AWS runs it (how-to-mock-integration): the request template for
 * the request's Content-Type renders JSON whose integer statusCode selects the
 * integration response; the body comes only from that response's template. Without a
 * request template the passthrough rules apply and the default response answers. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "integration/integ_response.h"
#include "integration/request_mapping.h"
#include "integration/runners.h"
#include "template/vtl_json.h"

/* The integer statusCode of a JSON object, as text; NULL when absent or not an integer
 * (LocalStack's AWS-validated mock accepts only a JSON integer, and AWS's guide only
 * ever shows {"statusCode": 200}). Read with the template layer's JSON reader, which
 * types numbers as jansson does; text with a \u0000 escape, which that reader accepts
 * and jansson without JSON_ALLOW_NUL refuses, still goes to jansson. */
static const char *status_of(gh_invocation *inv, const char *json, size_t len)
{
    if (memmem(json, len, "\\u0000", 6)) {
        json_t *j = json_loadb(json, len, 0, NULL);
        const json_t *s = json_is_object(j) ? json_object_get(j, "statusCode") : NULL;
        const char *out = s && json_is_integer(s)
                              ? gh_arena_printf(inv->arena, "%lld",
                                                (long long)json_integer_value(s))
                              : NULL;
        json_decref(j);
        return out;
    }
    gh_vval v;
    if (gh_vjson_parse(inv->arena, json, len, &v) || v.kind != GH_V_MAP)
        return NULL;
    const gh_vmap_entry *e = gh_vmap_find(v.u.map, "statusCode", 10);
    if (!e || e->value.kind != GH_V_INT)
        return NULL;
    /* the integer in decimal, without printf on every request */
    char digits[24], *p = digits + sizeof digits;
    int64_t i = e->value.u.i;
    uint64_t m = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    *--p = '\0';
    do {
        *--p = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    if (i < 0)
        *--p = '-';
    return gh_arena_strdup(inv->arena, p);
}

int gh_mock_run(gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    bool templated;
    if (gh_request_mapping_apply(inv, &templated) < 0)
        return -1;
    const char *status = NULL;
    if (templated) {
        status = status_of(inv, inv->integ_body, inv->integ_body_len);
        if (!status)
            return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0,
                                       GH_INTERNAL_ERROR_MESSAGE,
                                       "Unable to parse statusCode. It should be an integer "
                                       "that is defined in the request template (got: %.200s)",
                                       inv->integ_body);
    } else if (inv->integ_body_len) {
        /* The body passed through; a JSON body may still choose the status. */
        status = status_of(inv, inv->integ_body, inv->integ_body_len);
    }
    const gh_integ_response *r = gh_integ_response_select(in, status);
    if (!r)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0,
                                   GH_INTERNAL_ERROR_MESSAGE,
                                   "no integration response matches status %s and none is the "
                                   "default",
                                   status ? status : "(none)");
    /* A mock has no integration response body: only a response template makes one. */
    return gh_integ_response_apply(inv, r, "", 0, NULL);
}
