/* Integration request mapping for non-proxy integrations (see request_mapping.h).
 * Passthrough table: integration-passthrough-behaviors (AWS developer guide); content
 * handling: api-gateway-payload-encodings-workflow. */
#include "integration/request_mapping.h"

#include <string.h>
#include <strings.h>

#include "integration/media.h"
#include "integration/param_map.h"
#include "integration/runners.h"
#include "integration/template_pick.h"
#include "util/base64.h"

void gh_request_overrides_apply(gh_invocation *inv, const gh_mapping_out *out)
{
    const gh_headers *h = &out->request_header_overrides;
    for (size_t i = 0; i < h->n; i++)
        gh_headers_set(inv->arena, &inv->integ_headers, h->items[i].name, h->items[i].value);
    h = &out->request_query_overrides;
    for (size_t i = 0; i < h->n; i++)
        gh_headers_set(inv->arena, &inv->integ_query, h->items[i].name, h->items[i].value);
    h = &out->request_path_overrides;
    for (size_t i = 0; i < h->n; i++)
        gh_param_set_path(inv, h->items[i].name, h->items[i].value);
}

static int is(const char *handling, const char *name)
{
    return handling && strcmp(handling, name) == 0;
}

/* CONVERT_TO_BINARY: the text is base64 and goes on as the bytes it encodes. */
static int to_binary(gh_invocation *inv, const char *text, size_t len)
{
    char *bin;
    size_t blen;
    if (gh_base64_decode(inv->arena, text, len, &bin, &blen) < 0)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0, GH_INTERNAL_ERROR_MESSAGE,
                                   "%s", "contentHandling CONVERT_TO_BINARY: the integration "
                                   "request body is not base64");
    inv->integ_body = bin;
    inv->integ_body_len = blen;
    return 0;
}

int gh_request_mapping_apply(gh_invocation *inv, bool *templated)
{
    const gh_integration *in = inv->integration;
    const gh_request *req = inv->req;
    *templated = false;
    gh_param_map_request(inv);

    const gh_template *t;
    const char *type;
    /* A WebSocket integration's templates are keyed by the value of its template
     * selection expression, not by a media type; gatehouse reads none, so the template
     * under AWS's fallback key `$default` is the one that applies (docs/websocket.md). */
    const char *ct = inv->ws ? "$default"
                             : req ? gh_headers_get(&req->headers, "Content-Type") : NULL;
    if (gh_template_pick_request(in, ct, inv->arena, &t, &type) == GH_PICK_REJECT)
        return gh_integration_fail(inv, GH_GW_UNSUPPORTED_MEDIA_TYPE, 0, NULL,
                                   "no request template for Content-Type %s and "
                                   "passthroughBehavior forbids passing the body through",
                                   type);
    const char *body = req && req->body ? req->body : "";
    size_t len = req && req->body ? req->body_len : 0;
    /* A body whose type is one of binaryMediaTypes is binary for API Gateway. */
    int binary = len && gh_media_is_binary(inv->api, type);
    const char *handling = in->content_handling;

    if (!t) {
        if (binary && is(handling, "CONVERT_TO_TEXT")) {
            inv->integ_body = gh_base64_encode(inv->arena, body, len);
            inv->integ_body_len = strlen(inv->integ_body);
            return 0;
        }
        if (!binary && is(handling, "CONVERT_TO_BINARY"))
            return to_binary(inv, body, len);
        inv->integ_body = body;
        inv->integ_body_len = len;
        return 0;
    }

    /* A template sees a binary body only as base64 text ($input.body, §5.5). */
    if (binary) {
        body = gh_base64_encode(inv->arena, body, len);
        len = strlen(body);
    }
    gh_mapping_out out;
    if (gh_mapping_render(inv, t, GH_MAPPING_REQUEST, body, len, &out) < 0) {
        /* A body that is not JSON for a template that reads it: AWS's 400 with the
         * parser's message, not a 500 (serverless/serverless#2270, fluct/fluct#33). */
        if (out.client_error)
            return gh_integration_fail(inv, GH_GW_DEFAULT_4XX, 400, out.client_error,
                                       "request template for %s: %s",
                                       t->media_type ? t->media_type : "?", out.error);
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0, GH_INTERNAL_ERROR_MESSAGE,
                                   "request template for %s failed: %s",
                                   t->media_type ? t->media_type : "?",
                                   out.error ? out.error : "unknown error");
    }
    *templated = true;
    gh_request_overrides_apply(inv, &out);
    if (is(handling, "CONVERT_TO_BINARY"))
        return to_binary(inv, out.body, out.len);
    inv->integ_body = out.body;
    inv->integ_body_len = out.len;
    return 0;
}
