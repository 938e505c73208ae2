/* Integration response selection and mapping (see integ_response.h).
 *
 * Selection patterns are Java regexes matched against the whole string
 * (api-gateway-integration-settings-integration-response): util/jregex.h, so `.` does not
 * match a line break and Invalid* does not match "Invalid input", as on AWS. */
#include "integration/integ_response.h"

#include <string.h>
#include <strings.h>

#include "integration/context.h"
#include "integration/media.h"
#include "integration/param_map.h"
#include "integration/runners.h"
#include "integration/template_pick.h"
#include "template/mapping.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/jregex.h"

int gh_selection_pattern_matches(const char *pattern, const char *text)
{
    const gh_jregex *re = gh_jregex_get(pattern, strlen(pattern), NULL);
    return re && gh_jregex_matches(re, text, strlen(text));
}

static int is_default(const gh_integ_response *r)
{
    return !r->pattern || !r->pattern[0];
}

const gh_integ_response *gh_integ_response_select(const gh_integration *in, const char *text)
{
    const gh_integ_response *def = NULL;
    for (size_t i = 0; i < in->nresponses; i++) {
        const gh_integ_response *r = &in->responses[i];
        if (is_default(r)) {
            if (!def)
                def = r;
        } else if (text && gh_selection_pattern_matches(r->pattern, text)) {
            return r;
        }
    }
    return def;
}

static const gh_template *response_template(gh_invocation *inv, const gh_integ_response *r)
{
    const char *accept = inv->req ? gh_headers_get(&inv->req->headers, "Accept") : NULL;
    return gh_template_pick_response(r, accept, inv->arena);
}

static int is(const char *handling, const char *name)
{
    return handling && strcmp(handling, name) == 0;
}

/* contentHandling on the way out (api-gateway-payload-encodings-workflow):
 * CONVERT_TO_TEXT base64-encodes a binary payload (its Content-Type one of
 * binaryMediaTypes) and leaves text alone; CONVERT_TO_BINARY decodes base64 text, and a
 * body that is not base64 is AWS's 500 configuration error. */
static int convert(gh_invocation *inv, const gh_integ_response *r, const gh_headers *integ_headers)
{
    gh_response *resp = inv->resp;
    if (is(r->content_handling, "CONVERT_TO_BINARY")) {
        char *bin;
        size_t blen;
        if (gh_base64_decode(inv->arena, resp->body, resp->body_len, &bin, &blen) < 0)
            return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0,
                                       GH_INTERNAL_ERROR_MESSAGE, "%s",
                                       "contentHandling CONVERT_TO_BINARY: the response body is "
                                       "not base64");
        resp->body = bin;
        resp->body_len = blen;
    } else if (is(r->content_handling, "CONVERT_TO_TEXT") && resp->body_len && integ_headers) {
        const char *ct = gh_headers_get(integ_headers, "Content-Type");
        if (gh_media_is_binary(inv->api, gh_media_type(inv->arena, ct))) {
            resp->body = gh_base64_encode(inv->arena, resp->body, resp->body_len);
            resp->body_len = strlen(resp->body);
        }
    }
    return 0;
}

int gh_integ_response_apply(gh_invocation *inv, const gh_integ_response *r, const char *body,
                            size_t len, const gh_headers *integ_headers)
{
    gh_response *resp = inv->resp;
    if (!body) {
        body = "";
        len = 0;
    }
    resp->status = r->status;
    static const char prefix[] = "method.response.header.";
    for (size_t i = 0; i < r->parameters.n; i++) {
        const gh_kv *kv = &r->parameters.items[i];
        if (strncmp(kv->key, prefix, sizeof prefix - 1) != 0)
            continue;
        const char *v = gh_param_response_source(inv, kv->value, integ_headers, body, len);
        if (v)
            gh_headers_set(inv->arena, &resp->headers, kv->key + sizeof prefix - 1, v);
    }
    const gh_template *t = response_template(inv, r);
    gh_mapping_out out;
    memset(&out, 0, sizeof out);
    if (t) {
        if (gh_mapping_render(inv, t, GH_MAPPING_RESPONSE, body, len, &out) < 0)
            return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0,
                                       GH_INTERNAL_ERROR_MESSAGE,
                                       "response template for %s failed: %s",
                                       t->media_type ? t->media_type : "?",
                                       out.error ? out.error : "unknown error");
        resp->body = out.body;
        resp->body_len = out.len;
    } else {
        /* No template: the integration's body goes out as it is (§5.5). */
        resp->body = gh_arena_strndup(inv->arena, body, len);
        resp->body_len = len;
    }
    if (!gh_headers_has(&resp->headers, "Content-Type"))
        gh_headers_add(inv->arena, &resp->headers, "Content-Type",
                       t && t->media_type ? t->media_type : "application/json");
    /* Overrides apply after the whole template rendered (§5.8); AWS ignores a status
     * outside 100-599. */
    if (out.status_override >= 100 && out.status_override <= 599)
        resp->status = out.status_override;
    for (size_t i = 0; i < out.response_header_overrides.n; i++)
        gh_headers_set(inv->arena, &resp->headers, out.response_header_overrides.items[i].name,
                       out.response_header_overrides.items[i].value);
    return convert(inv, r, integ_headers);
}
