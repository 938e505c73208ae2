/* Template selection and passthrough (see template_pick.h). */
#include "integration/template_pick.h"

#include <strings.h>

#include "integration/media.h"

gh_pick gh_template_pick_request(const gh_integration *in, const char *content_type, gh_arena *a,
                                 const gh_template **out, const char **media_type)
{
    /* A missing Content-Type counts as application/json (§5.5). */
    const char *type = gh_media_type(a, content_type);
    if (!type)
        type = "application/json";
    if (media_type)
        *media_type = type;
    *out = NULL;
    for (size_t i = 0; i < in->nrequest_templates; i++)
        if (in->request_templates[i].media_type &&
            strcasecmp(in->request_templates[i].media_type, type) == 0) {
            *out = &in->request_templates[i];
            return GH_PICK_TEMPLATE;
        }
    /* integration-passthrough-behaviors: NEVER rejects any unmapped Content-Type;
     * WHEN_NO_TEMPLATES rejects it only when templates exist; WHEN_NO_MATCH passes it. */
    if (in->passthrough == GH_PASSTHROUGH_NEVER ||
        (in->passthrough == GH_PASSTHROUGH_WHEN_NO_TEMPLATES && in->nrequest_templates))
        return GH_PICK_REJECT;
    return GH_PICK_PASSTHROUGH;
}

const gh_template *gh_template_pick_response(const gh_integ_response *r, const char *accept,
                                             gh_arena *a)
{
    if (!r || !r->ntemplates)
        return NULL;
    /* Only the first media type of Accept counts (api-gateway-known-issues). */
    const char *want = gh_media_first_accept(a, accept);
    if (!want)
        want = "application/json";
    for (size_t i = 0; i < r->ntemplates; i++)
        if (r->templates[i].media_type && strcasecmp(r->templates[i].media_type, want) == 0)
            return &r->templates[i];
    return &r->templates[0];
}

const char *gh_passthrough_name(gh_passthrough p)
{
    switch (p) {
    case GH_PASSTHROUGH_WHEN_NO_MATCH: return "WHEN_NO_MATCH";
    case GH_PASSTHROUGH_WHEN_NO_TEMPLATES: return "WHEN_NO_TEMPLATES";
    case GH_PASSTHROUGH_NEVER: return "NEVER";
    }
    return "?";
}
