/* `gatehouse token`: prints a token a simulated Cognito user pool (x-gatehouse.userPools)
 * issues to one of its users, signed with the pool's key, or with --jwks the pool's
 * public JWKS. What a client would get from Cognito's sign-in, without Cognito: the bare
 * JWT goes in the Authorization header as is, as with a real pool. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/cognito.h"
#include "auth/jwt.h"
#include "server/commands.h"
#include "spec/load.h"
#include "util/clock.h"
#include "util/diag.h"

static const gh_user_pool *find_pool(const gh_model *m, const char *id)
{
    for (size_t i = 0; i < m->napis; i++) {
        const gh_user_pool *p = gh_api_user_pool(&m->apis[i], id);
        if (p)
            return p;
    }
    return NULL;
}

static void list_pools(const gh_model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->napis; i++)
        for (size_t k = 0; k < m->apis[i].nuser_pools; k++)
            fprintf(stderr, "%s%s", n++ ? ", " : "", m->apis[i].user_pools[k].id);
    if (!n)
        fputs("none (declare them under x-gatehouse.userPools; see docs/authorization.md)", stderr);
    fputc('\n', stderr);
}

static int print_jwks(const gh_user_pool *p)
{
    if (p->jwks) { /* a real pool's cached JWKS, as it was saved */
        json_t *set = json_loads(p->jwks, 0, NULL);
        char *text = set ? json_dumps(set, JSON_COMPACT) : NULL;
        json_decref(set);
        if (!text) {
            fprintf(stderr, "gatehouse: user pool %s: its JWKS is not JSON\n", p->id);
            return GH_EXIT_FAILURE;
        }
        printf("%s\n", text);
        free(text);
        return GH_EXIT_OK;
    }
    const char *why = NULL;
    gh_jwt_key *k = p->signing_pem ? gh_jwt_key_from_pem(p->signing_pem, &why) : NULL;
    if (!k) {
        fprintf(stderr, "gatehouse: user pool %s: %s\n", p->id, why ? why : "no signing key");
        return GH_EXIT_FAILURE;
    }
    json_t *set = json_pack("{s:[o]}", "keys", gh_jwt_key_public_jwk(k));
    char *text = json_dumps(set, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(set);
    gh_jwt_key_free(k);
    return GH_EXIT_OK;
}

static int mint(const gh_cli *cli, const gh_user_pool *p)
{
    bool known = false;
    for (size_t i = 0; i < p->nusers; i++)
        known = known || !strcmp(p->users[i].name, cli->pool_user);
    if (!known) {
        fprintf(stderr, "gatehouse: user pool %s has no user '%s'; its users: ", p->id,
                cli->pool_user);
        for (size_t i = 0; i < p->nusers; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", p->users[i].name);
        fputs(p->nusers ? "\n" : "none (add some under users)\n", stderr);
        return GH_EXIT_FAILURE;
    }
    gh_cognito_mint_opts o = {
        .pool = p,
        .user = cli->pool_user,
        .access = cli->access_token,
        .scopes = cli->scopes,
        .nscopes = cli->nscopes,
        .now_s = gh_clock_now_ms() / 1000,
        .ttl_s = cli->ttl_s > 0 ? cli->ttl_s : 3600,
    };
    char *err = NULL;
    char *jwt = gh_cognito_mint(&o, &err);
    if (!jwt) {
        fprintf(stderr, "gatehouse: %s\n", err ? err : "cannot mint a token");
        free(err);
        return GH_EXIT_FAILURE;
    }
    printf("%s\n", jwt);
    free(jwt);
    return GH_EXIT_OK;
}

int gh_cmd_token(const gh_cli *cli)
{
    if (cli->has_clock)
        gh_clock_freeze_wall(cli->clock_ms);
    gh_load_options opt;
    gh_cli_load_options(cli, &opt, 1);
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = gh_model_load(&opt, &d);
    gh_diags_print(&d, stderr);
    gh_diags_free(&d);
    if (!m)
        return GH_EXIT_FAILURE;
    const gh_user_pool *p = find_pool(m, cli->pool);
    int rc;
    if (!p) {
        fprintf(stderr, "gatehouse: no user pool '%s'; the definitions declare: ", cli->pool);
        list_pools(m);
        rc = GH_EXIT_FAILURE;
    } else {
        rc = cli->jwks ? print_jwks(p) : mint(cli, p);
    }
    gh_model_unref(m);
    return rc;
}
