/* Lambda authorizer policy evaluation (see policy.h). Validation runs over every
 * statement before any decision, so a malformed document is reported the same way
 * whatever the request; evaluation then follows IAM's order: an explicit Deny anywhere
 * wins, else a matching Allow, else the implicit deny.
 * IAM grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html */
#include "auth/policy.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int gh_policy_fail(gh_policy_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int same_char(char p, char s, int nocase)
{
    if (nocase)
        return tolower((unsigned char)p) == tolower((unsigned char)s);
    return p == s;
}

/* Iterative glob with one backtrack point (the last '*'): linear memory, and
 * O(pattern x subject) time in the worst case, so a hostile policy cannot blow the stack. */
int gh_policy_glob(const char *pattern, const char *subject, int nocase)
{
    const char *p = pattern, *s = subject;
    const char *star = NULL, *star_s = NULL;
    while (*s) {
        if (*p == '*') {
            star = ++p;
            star_s = s;
        } else if (*p && (*p == '?' || same_char(*p, *s, nocase))) {
            p++;
            s++;
        } else if (star) {
            p = star;
            s = ++star_s;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

/* Action/NotAction/Resource/NotResource: IAM takes a string or an array of strings. */
static int check_list(const json_t *v, int idx, const char *key, gh_policy_error *err)
{
    if (json_is_string(v))
        return 0;
    if (!json_is_array(v))
        return gh_policy_fail(
            err, "policy: Statement[%d].%s must be a string or an array of strings", idx, key);
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return gh_policy_fail(err, "policy: Statement[%d].%s[%zu] must be a string", idx, key,
                                  i);
    }
    return 0;
}

/* Exactly one of `pos` / `neg` (Action or NotAction; Resource or NotResource), as the
 * IAM grammar requires. */
static int check_pair(const json_t *st, int idx, const char *pos, const char *neg,
                      gh_policy_error *err)
{
    const json_t *a = json_object_get(st, pos), *b = json_object_get(st, neg);
    if (a && b)
        return gh_policy_fail(err, "policy: Statement[%d] has both %s and %s; use one", idx, pos,
                              neg);
    if (!a && !b)
        return gh_policy_fail(err, "policy: Statement[%d] has neither %s nor %s", idx, pos, neg);
    return check_list(a ? a : b, idx, a ? pos : neg, err);
}

static int check_statement(const json_t *st, int idx, gh_policy_error *err)
{
    if (!json_is_object(st))
        return gh_policy_fail(err, "policy: Statement[%d] must be an object", idx);
    const json_t *eff = json_object_get(st, "Effect");
    if (!eff)
        return gh_policy_fail(err, "policy: Statement[%d] has no Effect", idx);
    /* The grammar spells the two values exactly; anything else is not a statement IAM
     * can evaluate. */
    const char *e = json_string_value(eff);
    if (!e || (strcmp(e, "Allow") != 0 && strcmp(e, "Deny") != 0))
        return gh_policy_fail(err, "policy: Statement[%d].Effect must be \"Allow\" or \"Deny\"",
                              idx);
    if (check_pair(st, idx, "Action", "NotAction", err) != 0)
        return -1;
    return check_pair(st, idx, "Resource", "NotResource", err);
}

static int list_matches(const json_t *v, const char *subject, int nocase)
{
    if (json_is_string(v))
        return gh_policy_glob(json_string_value(v), subject, nocase);
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        if (gh_policy_glob(json_string_value(e), subject, nocase))
            return 1;
    }
    return 0;
}

/* Element `pos` matches when a pattern matches; `neg` (NotX) when none does. */
static int element_applies(const json_t *st, const char *pos, const char *neg, const char *subject,
                           int nocase)
{
    const json_t *a = json_object_get(st, pos);
    if (a)
        return list_matches(a, subject, nocase);
    return !list_matches(json_object_get(st, neg), subject, nocase);
}

static int statement_applies(const json_t *st, const char *action, const char *arn)
{
    /* IAM: "action names are case insensitive" (execute-api:invoke == execute-api:Invoke);
     * resource ARNs are compared case-sensitively. */
    return element_applies(st, "Action", "NotAction", action, 1) &&
           element_applies(st, "Resource", "NotResource", arn, 0);
}

/* Statement may be one object or an array of them (IAM Statement element reference). */
static size_t statement_count(const json_t *stmts)
{
    return json_is_array(stmts) ? json_array_size(stmts) : 1;
}

static const json_t *statement_at(const json_t *stmts, size_t i)
{
    return json_is_array(stmts) ? json_array_get(stmts, i) : stmts;
}

int gh_policy_evaluate(const json_t *doc, const char *action, const char *resource_arn,
                       gh_policy_result *out, gh_policy_error *err)
{
    return gh_policy_evaluate_hooked(doc, action, resource_arn, NULL, out, err);
}

int gh_policy_evaluate_hooked(const json_t *doc, const char *action, const char *resource_arn,
                              const gh_policy_hooks *hooks, gh_policy_result *out,
                              gh_policy_error *err)
{
    if (!json_is_object(doc))
        return gh_policy_fail(err, "policy: the policy document must be a JSON object");
    const json_t *stmts = json_object_get(doc, "Statement");
    if (!stmts)
        return gh_policy_fail(err, "policy: the policy document has no Statement");
    if (!json_is_array(stmts) && !json_is_object(stmts))
        return gh_policy_fail(err, "policy: Statement must be an object or an array of objects");
    size_t n = statement_count(stmts);
    for (size_t i = 0; i < n; i++) {
        if (check_statement(statement_at(stmts, i), (int)i, err) != 0)
            return -1;
        if (hooks && hooks->check &&
            hooks->check(statement_at(stmts, i), (int)i, hooks->ud, err) != 0)
            return -1;
    }

    int first_allow = -1;
    for (size_t i = 0; i < n; i++) {
        const json_t *st = statement_at(stmts, i);
        if (!statement_applies(st, action, resource_arn))
            continue;
        int extra = hooks && hooks->applies ? hooks->applies(st, (int)i, hooks->ud) : 1;
        if (extra == 0)
            continue;
        /* extra < 0: the statement cannot be decided; failing closed means treating it
         * as a Deny that applies, whatever its Effect. */
        if (extra < 0 || strcmp(json_string_value(json_object_get(st, "Effect")), "Deny") == 0) {
            out->decision = GH_POLICY_EXPLICIT_DENY;
            out->statement = (int)i;
            return 0;
        }
        if (first_allow < 0)
            first_allow = (int)i;
    }
    out->decision = first_allow >= 0 ? GH_POLICY_ALLOW : GH_POLICY_IMPLICIT_DENY;
    out->statement = first_allow;
    return 0;
}

char *gh_policy_method_arn(gh_arena *a, const char *region, const char *account, const char *api_id,
                           const char *stage, const char *verb, const char *path)
{
    if (!path)
        path = "";
    if (*path == '/')
        path++;
    return gh_arena_concat(a, "arn:aws:execute-api:", region, ":", account, ":", api_id, "/",
                           stage, "/", verb, "/", path, (char *)NULL);
}

/* AWS masks the account in the resource ARN of its denial texts, keeping the last four
 * digits ("arn:aws:execute-api:us-west-2:********2543:vd2gh6uqw3/api/GET/", a real
 * 2024 body). */
const char *gh_policy_masked_arn(gh_arena *a, const char *arn)
{
    char *out = gh_arena_strdup(a, arn);
    char *p = out;
    for (int colons = 0; *p && colons < 4; p++)
        colons += *p == ':';
    char *end = strchr(p, ':');
    if (!end || end - p <= 4)
        return out;
    for (char *q = p; q < end - 4; q++)
        *q = '*';
    return out;
}
