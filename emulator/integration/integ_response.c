/* Integration response selection and mapping (see integ_response.h).
 *
 * Selection patterns are Java regexes matched against the whole string
 * (api-gateway-integration-settings-integration-response). Until PCRE2 arrives, they run
 * through POSIX regcomp(REG_EXTENDED) anchored as ^(...)$ after translating the Java
 * escapes that real definitions use (\d, \w, \s and their negations, \n, \t). */
#include "integration/integ_response.h"

#include <regex.h>
#include <string.h>
#include <strings.h>

#include "integration/context.h"
#include "integration/media.h"
#include "util/buf.h"

static void translate(gh_buf *b, const char *p)
{
    gh_buf_puts(b, "^(");
    for (; *p; p++) {
        if (*p != '\\' || !p[1]) {
            gh_buf_putc(b, *p);
            continue;
        }
        p++;
        switch (*p) {
        case 'd': gh_buf_puts(b, "[0-9]"); break;
        case 'D': gh_buf_puts(b, "[^0-9]"); break;
        case 'w': gh_buf_puts(b, "[[:alnum:]_]"); break;
        case 'W': gh_buf_puts(b, "[^[:alnum:]_]"); break;
        case 's': gh_buf_puts(b, "[[:space:]]"); break;
        case 'S': gh_buf_puts(b, "[^[:space:]]"); break;
        case 'n': gh_buf_putc(b, '\n'); break;
        case 't': gh_buf_putc(b, '\t'); break;
        default:
            gh_buf_putc(b, '\\');
            gh_buf_putc(b, *p);
        }
    }
    gh_buf_puts(b, ")$");
}

int gh_selection_pattern_matches(const char *pattern, const char *text)
{
    gh_buf b = GH_BUF_INIT;
    translate(&b, pattern);
    regex_t re;
    int ok = regcomp(&re, b.data, REG_EXTENDED | REG_NOSUB) == 0;
    gh_buf_free(&b);
    if (!ok)
        return 0;
    int m = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return m;
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
    if (!r->ntemplates)
        return NULL;
    const char *accept = inv->req ? gh_headers_get(&inv->req->headers, "Accept") : NULL;
    const char *want = gh_media_first_accept(inv->arena, accept);
    if (!want)
        want = "application/json";
    for (size_t i = 0; i < r->ntemplates; i++)
        if (r->templates[i].media_type && strcasecmp(r->templates[i].media_type, want) == 0)
            return &r->templates[i];
    return &r->templates[0];
}

void gh_integ_response_apply(gh_invocation *inv, const gh_integ_response *r)
{
    gh_response *resp = inv->resp;
    resp->status = r->status;
    static const char prefix[] = "method.response.header.";
    for (size_t i = 0; i < r->parameters.n; i++) {
        const gh_kv *kv = &r->parameters.items[i];
        if (strncmp(kv->key, prefix, sizeof prefix - 1) != 0)
            continue;
        const char *v = gh_param_source(inv, kv->value);
        if (v)
            gh_headers_set(inv->arena, &resp->headers, kv->key + sizeof prefix - 1, v);
    }
    const gh_template *t = response_template(inv, r);
    if (t) {
        size_t len = 0;
        resp->body = gh_template_render_simple(inv, t->text ? t->text : "", t->len, &len);
        resp->body_len = len;
    } else {
        resp->body = "";
        resp->body_len = 0;
    }
    if (!gh_headers_has(&resp->headers, "Content-Type"))
        gh_headers_add(inv->arena, &resp->headers, "Content-Type",
                       t && t->media_type ? t->media_type : "application/json");
}
