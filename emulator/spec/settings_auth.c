/* x-gatehouse settings for authorization: `userPools` (simulated Cognito user pools that
 * cognito_user_pools authorizers verify tokens against, and `gatehouse token` mints
 * tokens from) and `credentials` (IAM identities SigV4 requests may sign as). Both are
 * sorted so the model's bsearch lookups (gh_api_user_pool, gh_api_credential) work. The
 * signing key of a pool is read, or generated beside the definition, at load
 * (auth/pool_key.h) and recorded for --watch like every other file loading reads. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/pool_key.h"
#include "spec/compile.h"
#include "util/ids.h"

static bool pool_id_ok(const char *id)
{
    /* REGION_ID as Cognito writes it: us-east-1_AbC123. */
    const char *us = strchr(id, '_');
    if (!us || us == id || strchr(us + 1, '_') || !us[1] || strlen(us + 1) > 55)
        return false;
    bool dash = false;
    for (const char *p = id; p < us; p++) {
        if (*p == '-')
            dash = true;
        else if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p))
            return false;
    }
    if (!dash || id[0] == '-' || us[-1] == '-')
        return false;
    for (const char *p = us + 1; *p; p++)
        if (!isalnum((unsigned char)*p))
            return false;
    return true;
}

/* A path relative to the definition's folder, made absolute (the pool key's path is
 * shown to users and handed to `gatehouse token`, which may run from elsewhere). */
static const char *beside(gh_cc *cc, const char *rel)
{
    if (rel[0] == '/')
        return gh_arena_strdup(cc->a, rel);
    const char *dir = cc->api->dir;
    if (dir[0] == '/')
        return gh_arena_printf(cc->a, "%s/%s", dir, rel);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return gh_arena_printf(cc->a, "%s/%s", dir, rel);
    if (strcmp(dir, ".") == 0)
        return gh_arena_printf(cc->a, "%s/%s", cwd, rel);
    return gh_arena_printf(cc->a, "%s/%s/%s", cwd, dir, rel);
}

static const char *string_setting(gh_cc *cc, const gh_node *n, const char *what)
{
    const char *s = gh_node_scalar(n);
    if (!n)
        return NULL;
    if (!s || !*s) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "%s must be a non-empty string, not %s; write "
                      "it as text (quote it in YAML if needed)",
                      what, s ? "an empty one" : gh_node_kind_name(n->kind));
        return NULL;
    }
    return gh_arena_strdup(cc->a, s);
}

static void unknown_keys(gh_cc *cc, const gh_node *map, const char *const *known, size_t nknown,
                         const char *what, const char *list)
{
    for (size_t i = 0; map && map->kind == GH_NODE_MAP && i < map->n; i++) {
        bool ok = false;
        for (size_t k = 0; k < nknown; k++)
            ok = ok || strcmp(map->pairs[i].key->text, known[k]) == 0;
        if (!ok)
            gh_diag_warn(cc->d, gh_cc_mark(cc, map->pairs[i].key), "unknown %s setting '%s' "
                         "is ignored; known: %s",
                         what, map->pairs[i].key->text, list);
    }
}

/* ---- userPools ----------------------------------------------------------------------- */

static void signing_key(gh_cc *cc, gh_user_pool *p, const gh_node *n, const gh_node *at)
{
    const char *rel =
        n ? string_setting(cc, n, gh_arena_printf(cc->a, "user pool '%s': signingKey", p->id))
          : gh_arena_printf(cc->a, "%s.pem", p->id);
    if (!rel)
        return;
    p->signing_key = beside(cc, rel);
    gh_cc_file(cc->ld, p->signing_key);
    char *err = NULL;
    char *pem = gh_pool_key_load_or_create(p->signing_key, &err);
    if (!pem) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n ? n : at), "user pool '%s': signing key: %s; "
                      "point signingKey at an RSA private key PEM, or at a path gatehouse may "
                      "create one",
                      p->id, err ? err : "cannot read or create it");
        free(err);
        return;
    }
    p->signing_pem = gh_arena_strdup(cc->a, pem);
    free(pem);
}

/* A cached JWKS ({"keys": [...]}, as https://cognito-idp.REGION.amazonaws.com/POOL/
 * .well-known/jwks.json serves it), so real Cognito tokens verify offline. */
static void jwks(gh_cc *cc, gh_user_pool *p, const gh_node *n)
{
    const char *rel =
        string_setting(cc, n, gh_arena_printf(cc->a, "user pool '%s': jwks", p->id));
    if (!rel)
        return;
    const char *path = beside(cc, rel);
    const char *file = gh_cc_file(cc->ld, path);
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        if (je.line <= 0)
            gh_diag_error(cc->d, gh_cc_mark(cc, n), "user pool '%s': cannot read jwks file "
                          "%s (%s); save the pool's .well-known/jwks.json there",
                          p->id, path, je.text);
        else
            gh_diag_error(cc->d, ((gh_mark){file, (unsigned)je.line, (unsigned)je.column}),
                          "%s; the jwks file must be JSON like {\"keys\": [{\"kid\": ..., "
                          "\"kty\": \"RSA\", \"n\": ..., \"e\": ...}]}",
                          je.text);
        return;
    }
    json_t *keys = json_object_get(doc, "keys");
    if (!json_is_array(keys) || json_array_size(keys) == 0) {
        gh_diag_error(cc->d, ((gh_mark){file, 1, 1}), "the jwks file has no \"keys\" list; "
                      "save the user pool's .well-known/jwks.json as it is served");
        json_decref(doc);
        return;
    }
    char *text = json_dumps(doc, JSON_COMPACT);
    p->jwks = gh_arena_strdup(cc->a, text ? text : "{}");
    free(text);
    json_decref(doc);
}

static void user(gh_cc *cc, const gh_user_pool *p, gh_pool_user *u, const gh_pair *pair)
{
    u->name = gh_arena_strdup(cc->a, pair->key->text);
    u->attributes = json_object();
    const gh_node *v = pair->value;
    if (v && v->kind != GH_NODE_MAP && v->kind != GH_NODE_NULL) {
        gh_diag_error(cc->d, gh_cc_mark(cc, v), "user '%s' of pool '%s' must be a map "
                      "{attributes: {...}, groups: [...]}",
                      u->name, p->id);
        return;
    }
    static const char *const known[] = {"attributes", "groups"};
    unknown_keys(cc, v, known, 2, "user", "attributes, groups");
    const gh_node *attrs = gh_node_get(v, "attributes");
    if (attrs && attrs->kind != GH_NODE_MAP)
        gh_diag_error(cc->d, gh_cc_mark(cc, attrs), "attributes of user '%s' must be a map of "
                      "attribute name to string value, like {email: a@example.com}",
                      u->name);
    for (size_t i = 0; attrs && attrs->kind == GH_NODE_MAP && i < attrs->n; i++) {
        const gh_node *av = attrs->pairs[i].value;
        const char *s = gh_node_scalar(av);
        /* Cognito stores every attribute as a string ("email_verified": "true"). */
        if (!s || av->kind == GH_NODE_NULL)
            gh_diag_error(cc->d, gh_cc_mark(cc, av), "attribute '%s' of user '%s' must be a "
                          "string, not %s",
                          attrs->pairs[i].key->text, u->name, gh_node_kind_name(av->kind));
        else
            json_object_set_new(u->attributes, attrs->pairs[i].key->text, json_string(s));
    }
    const gh_node *groups = gh_node_get(v, "groups");
    if (groups && groups->kind != GH_NODE_SEQ) {
        gh_diag_error(cc->d, gh_cc_mark(cc, groups), "groups of user '%s' must be a list of "
                      "group names",
                      u->name);
        return;
    }
    u->groups = gh_arena_calloc(cc->a, (groups ? groups->n : 0) * sizeof(char *) + 1);
    for (size_t i = 0; groups && i < groups->n; i++) {
        const char *g = gh_node_scalar(groups->items[i]);
        if (g && *g)
            u->groups[u->ngroups++] = gh_arena_strdup(cc->a, g);
        else
            gh_diag_error(cc->d, gh_cc_mark(cc, groups->items[i]), "a group name must be a "
                          "non-empty string");
    }
}

static int user_cmp(const void *a, const void *b)
{
    return strcmp(((const gh_pool_user *)a)->name, ((const gh_pool_user *)b)->name);
}

static int pool_cmp(const void *a, const void *b)
{
    return strcmp(((const gh_user_pool *)a)->id, ((const gh_user_pool *)b)->id);
}

static void pool(gh_cc *cc, gh_user_pool *p, const gh_pair *pair)
{
    p->id = gh_arena_strdup(cc->a, pair->key->text);
    p->mark = gh_cc_mark(cc, pair->key);
    const char *us = strchr(p->id, '_');
    p->region = gh_arena_strndup(cc->a, p->id, us ? (size_t)(us - p->id) : 0);
    const gh_node *v = pair->value;
    if (v && v->kind != GH_NODE_MAP && v->kind != GH_NODE_NULL) {
        gh_diag_error(cc->d, gh_cc_mark(cc, v), "user pool '%s' must be a map {signingKey, "
                      "clientId, jwks, users}",
                      p->id);
        return;
    }
    static const char *const known[] = {"signingKey", "clientId", "jwks", "users"};
    unknown_keys(cc, v, known, 4, "user pool", "signingKey, clientId, jwks, users");
    const gh_node *cid = gh_node_get(v, "clientId");
    p->client_id =
        string_setting(cc, cid, gh_arena_printf(cc->a, "user pool '%s': clientId", p->id));
    if (!cid) {
        /* Cognito app client ids are 26 lowercase alphanumerics; a stable one keeps tokens
         * minted yesterday valid today. */
        char id[27];
        gh_stable_id(gh_arena_printf(cc->a, "client %s", p->id), 26, id);
        p->client_id = gh_arena_strdup(cc->a, id);
    }
    signing_key(cc, p, gh_node_get(v, "signingKey"), pair->key);
    if (gh_node_get(v, "jwks"))
        jwks(cc, p, gh_node_get(v, "jwks"));
    const gh_node *users = gh_node_get(v, "users");
    if (users && users->kind != GH_NODE_MAP && users->kind != GH_NODE_NULL) {
        gh_diag_error(cc->d, gh_cc_mark(cc, users), "users of pool '%s' must be a map of user "
                      "name to {attributes, groups}",
                      p->id);
        return;
    }
    size_t n = users && users->kind == GH_NODE_MAP ? users->n : 0;
    p->users = gh_arena_calloc(cc->a, (n + 1) * sizeof *p->users);
    for (size_t i = 0; i < n; i++)
        user(cc, p, &p->users[p->nusers++], &users->pairs[i]);
    if (p->nusers)
        qsort(p->users, p->nusers, sizeof *p->users, user_cmp);
}

void gh_cc_user_pools(gh_cc *cc, const gh_node *xs)
{
    const gh_node *map = gh_node_get(xs, "userPools");
    if (!map || map->kind == GH_NODE_NULL)
        return;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "x-gatehouse.userPools must be a map of pool "
                      "id (like us-east-1_AbC123) to {signingKey, clientId, jwks, users}");
        return;
    }
    gh_api *api = cc->api;
    api->user_pools = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *api->user_pools);
    for (size_t i = 0; i < map->n; i++) {
        const gh_pair *p = &map->pairs[i];
        if (!pool_id_ok(p->key->text)) {
            gh_diag_error(cc->d, gh_cc_mark(cc, p->key), "user pool id '%s' is not a Cognito "
                          "pool id; write REGION_ID, like us-east-1_AbC123 (the id providerARNs "
                          "names after userpool/)",
                          p->key->text);
            continue;
        }
        pool(cc, &api->user_pools[api->nuser_pools++], p);
    }
    if (api->nuser_pools)
        qsort(api->user_pools, api->nuser_pools, sizeof *api->user_pools, pool_cmp);
}

/* ---- credentials --------------------------------------------------------------------- */

/* The account id in arn:aws:iam::ACCOUNT:user/X (or role/X) or
 * arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION; NULL when the ARN is none of those. */
static const char *account_of(gh_cc *cc, const char *arn)
{
    bool sts = strncmp(arn, "arn:aws:sts::", 13) == 0;
    if (!sts && strncmp(arn, "arn:aws:iam::", 13) != 0)
        return NULL;
    const char *acct = arn + 13;
    if (strspn(acct, "0123456789") != 12 || acct[12] != ':')
        return NULL;
    const char *res = acct + 13, *name;
    if (sts) {
        /* an assumed role names the role and the session: assumed-role/ROLE/SESSION */
        if (strncmp(res, "assumed-role/", 13) != 0)
            return NULL;
        name = res + 13;
        const char *slash = strchr(name, '/');
        if (!slash || slash == name || !slash[1])
            return NULL;
    } else if (strncmp(res, "user/", 5) == 0 || strncmp(res, "role/", 5) == 0) {
        name = res + 5;
        if (!*name)
            return NULL;
    } else {
        return NULL;
    }
    return gh_arena_strndup(cc->a, acct, 12);
}

static int credential_cmp(const void *a, const void *b)
{
    return strcmp(((const gh_credential *)a)->access_key, ((const gh_credential *)b)->access_key);
}

static void credential(gh_cc *cc, gh_credential *c, const gh_pair *pair)
{
    c->access_key = gh_arena_strdup(cc->a, pair->key->text);
    c->mark = gh_cc_mark(cc, pair->key);
    const gh_node *v = pair->value;
    if (!v || v->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, v ? v : pair->key), "credentials '%s' must be a "
                      "map {secretAccessKey, arn, policy}",
                      c->access_key);
        return;
    }
    static const char *const known[] = {"secretAccessKey", "arn", "policy"};
    unknown_keys(cc, v, known, 3, "credentials", "secretAccessKey, arn, policy");
    const gh_node *sk = gh_node_get(v, "secretAccessKey");
    c->secret_key = string_setting(
        cc, sk, gh_arena_printf(cc->a, "credentials '%s': secretAccessKey", c->access_key));
    if (!sk)
        gh_diag_error(cc->d, c->mark, "credentials '%s' need secretAccessKey (the secret the "
                      "client signs with)",
                      c->access_key);
    const gh_node *an = gh_node_get(v, "arn");
    c->arn =
        string_setting(cc, an, gh_arena_printf(cc->a, "credentials '%s': arn", c->access_key));
    if (!an)
        gh_diag_error(cc->d, c->mark, "credentials '%s' need arn, the IAM identity they "
                      "stand for, like arn:aws:iam::123456789012:user/alice",
                      c->access_key);
    else if (c->arn && !(c->account_id = account_of(cc, c->arn)))
        gh_diag_error(cc->d, gh_cc_mark(cc, an), "arn '%s' is not an IAM identity ARN; write "
                      "arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:role/NAME or "
                      "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (ACCOUNT: 12 digits)",
                      c->arn);
    const gh_node *pol = gh_node_get(v, "policy");
    if (pol)
        c->policy = gh_cc_policy_document(
            cc, pol, gh_arena_printf(cc->a, "credentials '%s' policy", c->access_key));
}

void gh_cc_credentials(gh_cc *cc, const gh_node *xs)
{
    const gh_node *map = gh_node_get(xs, "credentials");
    if (!map || map->kind == GH_NODE_NULL)
        return;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "x-gatehouse.credentials must be a map of "
                      "access key id to {secretAccessKey, arn, policy}");
        return;
    }
    gh_api *api = cc->api;
    api->credentials = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *api->credentials);
    for (size_t i = 0; i < map->n; i++) {
        const char *key = map->pairs[i].key->text;
        size_t n = strlen(key);
        bool ok = n >= 1 && n <= 128;
        for (size_t k = 0; ok && k < n; k++)
            ok = isalnum((unsigned char)key[k]);
        if (!ok) {
            gh_diag_error(cc->d, gh_cc_mark(cc, map->pairs[i].key), "access key id '%s' must "
                          "be 1 to 128 letters and digits, like AKIAIOSFODNN7EXAMPLE",
                          key);
            continue;
        }
        credential(cc, &api->credentials[api->ncredentials++], &map->pairs[i]);
    }
    if (api->ncredentials)
        qsort(api->credentials, api->ncredentials, sizeof *api->credentials, credential_cmp);
}
