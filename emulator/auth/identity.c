/* Identity sources and the validation expression of Lambda authorizers (identity.h).
 * Values are resolved through integration/context.h's gh_param_source, the same
 * resolver parameter mappings use, so a header or $context name means the same thing
 * in both places. */
#include "auth/identity.h"

#include <stdio.h>
#include <string.h>

#include "integration/context.h"
#include "util/jregex.h"

static const struct {
    const char *prefix;
    gh_idsrc_kind kind;
} prefixes[] = {
    {"method.request.header.", GH_IDSRC_HEADER},
    {"method.request.querystring.", GH_IDSRC_QUERY},
    {"stageVariables.", GH_IDSRC_STAGE_VAR},
    {"context.", GH_IDSRC_CONTEXT},
};

static const char *fail(gh_arena *a, const char *what, const char *s, size_t n)
{
    size_t len = strlen(what) + n + 64;
    char *msg = gh_arena_alloc(a, len);
    snprintf(msg, len, "identitySource '%.*s': %s", (int)n, s, what);
    return msg;
}

/* One comma-separated piece, blanks trimmed, into *out; NULL or an error message. */
static const char *parse_one(gh_arena *a, const char *s, size_t n, bool token, gh_idsrc *out)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return "identitySource: empty source in the list";
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t plen = strlen(prefixes[i].prefix);
        if (n < plen || strncmp(s, prefixes[i].prefix, plen) != 0)
            continue;
        if (n == plen)
            return fail(a, "the name after the prefix is missing", s, n);
        if (token && prefixes[i].kind != GH_IDSRC_HEADER)
            return fail(a,
                        "a TOKEN authorizer takes its token from one header "
                        "(method.request.header.NAME)",
                        s, n);
        out->kind = prefixes[i].kind;
        out->expr = gh_arena_strndup(a, s, n);
        out->name = out->expr + plen;
        return NULL;
    }
    /* Path parameters may be passed to the authorizer but are not identity sources
     * (reference §4.1), so they get their own message. */
    if (n > 20 && strncmp(s, "method.request.path.", 20) == 0)
        return fail(a, "path parameters cannot be identity sources", s, n);
    return fail(a,
                "expected method.request.header.NAME, method.request.querystring.NAME, "
                "stageVariables.NAME or context.NAME",
                s, n);
}

int gh_identity_parse(gh_arena *a, const char *text, bool token, gh_idsrcs *out, const char **error)
{
    *out = (gh_idsrcs){0};
    if (!text || !*text) {
        *error = "identitySource: empty";
        return -1;
    }
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    if (token && cap > 1) {
        *error = fail(a, "a TOKEN authorizer takes exactly one source", text, strlen(text));
        return -1;
    }
    gh_idsrc *items = gh_arena_alloc(a, cap * sizeof *items);
    size_t n = 0;
    for (const char *p = text;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *msg = parse_one(a, p, len, token, &items[n]);
        if (msg) {
            *error = msg;
            return -1;
        }
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = (gh_idsrcs){items, n};
    return 0;
}

gh_identity_result gh_identity_values(const gh_invocation *inv, const gh_idsrcs *srcs,
                                      const char ***values)
{
    const char **v = gh_arena_alloc(inv->arena, (srcs->n ? srcs->n : 1) * sizeof *v);
    gh_identity_result r = GH_IDENTITY_OK;
    for (size_t i = 0; i < srcs->n; i++) {
        const char *s = gh_param_source(inv, srcs->items[i].expr);
        /* "present and non-empty" (reference §4.1): an empty header counts as missing. */
        if (!s || !*s) {
            s = NULL;
            r = GH_IDENTITY_UNAUTHORIZED;
        }
        v[i] = s;
    }
    *values = v;
    return r;
}

int gh_identity_check_expression(const char *expr, const char **error)
{
    if (!expr || !*expr)
        return 0;
    const char *why = NULL;
    if (!gh_jregex_get(expr, strlen(expr), &why)) {
        *error = why ? why : "identityValidationExpression: not a valid Java regex";
        return -1;
    }
    return 0;
}

gh_identity_result gh_identity_validate_token(const char *expr, const char *token)
{
    if (!token)
        return GH_IDENTITY_UNAUTHORIZED;
    if (!expr || !*expr)
        return GH_IDENTITY_OK;
    const gh_jregex *re = gh_jregex_get(expr, strlen(expr), NULL);
    if (!re || !gh_jregex_matches(re, token, strlen(token)))
        return GH_IDENTITY_UNAUTHORIZED;
    return GH_IDENTITY_OK;
}
