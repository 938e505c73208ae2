/* MOCK integration as AWS runs it (how-to-mock-integration): the request template for
 * the request's Content-Type renders JSON whose integer statusCode selects the
 * integration response; the body comes only from that response's template. Without a
 * request template the passthrough rules apply and the default response answers. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "integration/context.h"
#include "integration/integ_response.h"
#include "integration/media.h"
#include "integration/runners.h"

static const gh_template *request_template(gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    const char *ct = inv->req ? gh_headers_get(&inv->req->headers, "Content-Type") : NULL;
    /* A missing Content-Type counts as application/json (§5.5). */
    const char *type = gh_media_type(inv->arena, ct);
    if (!type)
        type = "application/json";
    for (size_t i = 0; i < in->nrequest_templates; i++)
        if (in->request_templates[i].media_type &&
            strcasecmp(in->request_templates[i].media_type, type) == 0)
            return &in->request_templates[i];
    return NULL;
}

/* The integer statusCode of a JSON object, as text; NULL when absent or not an integer
 * (LocalStack's AWS-validated mock accepts only a JSON integer, and AWS's guide only
 * ever shows {"statusCode": 200}). */
static const char *status_of(gh_invocation *inv, const char *json, size_t len)
{
    json_t *j = json_loadb(json, len, 0, NULL);
    const json_t *s = json_is_object(j) ? json_object_get(j, "statusCode") : NULL;
    const char *out = s && json_is_integer(s)
                          ? gh_arena_printf(inv->arena, "%lld", (long long)json_integer_value(s))
                          : NULL;
    json_decref(j);
    return out;
}

int gh_mock_run(gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    const gh_template *t = request_template(inv);
    const char *status = NULL;
    if (t) {
        size_t len = 0;
        char *body = gh_template_render_simple(inv, t->text ? t->text : "", t->len, &len);
        status = status_of(inv, body, len);
        if (!status)
            return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0,
                                       GH_INTERNAL_ERROR_MESSAGE,
                                       "Unable to parse statusCode. It should be an integer "
                                       "that is defined in the request template (got: %.200s)",
                                       body);
    } else {
        /* integration-passthrough-behaviors: NEVER rejects any unmapped Content-Type;
         * WHEN_NO_TEMPLATES rejects it only when templates exist. */
        if (in->passthrough == GH_PASSTHROUGH_NEVER ||
            (in->passthrough == GH_PASSTHROUGH_WHEN_NO_TEMPLATES && in->nrequest_templates))
            return gh_integration_fail(inv, GH_GW_UNSUPPORTED_MEDIA_TYPE, 0, NULL,
                                       "no request template for this Content-Type and "
                                       "passthroughBehavior forbids passing the body through");
        /* The body passes through; a JSON body may still choose the status. */
        if (inv->req && inv->req->body && inv->req->body_len)
            status = status_of(inv, inv->req->body, inv->req->body_len);
    }
    const gh_integ_response *r = gh_integ_response_select(in, status);
    if (!r)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0,
                                   GH_INTERNAL_ERROR_MESSAGE,
                                   "no integration response matches status %s and none is the "
                                   "default",
                                   status ? status : "(none)");
    gh_integ_response_apply(inv, r);
    return 0;
}
