/* Reference counting and lookups on the compiled model. */
#include "spec/model.h"

#include <stdlib.h>
#include <string.h>

gh_model *gh_model_ref(gh_model *m)
{
    if (m)
        atomic_fetch_add(&m->refs, 1);
    return m;
}

void gh_model_unref(gh_model *m)
{
    if (!m || atomic_fetch_sub(&m->refs, 1) != 1)
        return;
    /* JSON documents the model owns live outside its arena. */
    for (size_t i = 0; i < m->napis; i++) {
        gh_api *api = &m->apis[i];
        json_decref(api->resource_policy);
        for (size_t k = 0; k < api->nuser_pools; k++)
            for (size_t u = 0; u < api->user_pools[k].nusers; u++)
                json_decref(api->user_pools[k].users[u].attributes);
        for (size_t k = 0; k < api->ncredentials; k++)
            json_decref(api->credentials[k].policy);
    }
    gh_arena *a = m->arena;
    gh_arena_free(a); /* the model itself lives in its arena */
}

const gh_api *gh_model_api(const gh_model *m, const char *api_id)
{
    for (size_t i = 0; i < m->napis; i++)
        if (strcmp(m->apis[i].id, api_id) == 0)
            return &m->apis[i];
    return NULL;
}

const gh_stage *gh_api_stage(const gh_api *api, const char *name)
{
    for (size_t i = 0; i < api->nstages; i++)
        if (strcmp(api->stages[i].name, name) == 0)
            return &api->stages[i];
    return NULL;
}

static int function_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const gh_function *)elem)->name);
}

const gh_function *gh_api_function(const gh_api *api, const char *name)
{
    if (!api->nfunctions)
        return NULL;
    return bsearch(name, api->functions, api->nfunctions, sizeof *api->functions, function_cmp);
}

static int pool_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const gh_user_pool *)elem)->id);
}

const gh_user_pool *gh_api_user_pool(const gh_api *api, const char *id)
{
    if (!api->nuser_pools || !id)
        return NULL;
    return bsearch(id, api->user_pools, api->nuser_pools, sizeof *api->user_pools, pool_cmp);
}

static int credential_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const gh_credential *)elem)->access_key);
}

const gh_credential *gh_api_credential(const gh_api *api, const char *access_key)
{
    if (!api->ncredentials || !access_key)
        return NULL;
    return bsearch(access_key, api->credentials, api->ncredentials, sizeof *api->credentials,
                   credential_cmp);
}

static int ws_route_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const gh_ws_route *)elem)->key);
}

const gh_ws_route *gh_ws_api_route(const gh_ws_api *ws, const char *key)
{
    if (!ws || !ws->nroutes || !key)
        return NULL;
    return bsearch(key, ws->routes, ws->nroutes, sizeof *ws->routes, ws_route_cmp);
}

const char *gh_kvs_get(const gh_kvs *kv, const char *key)
{
    for (size_t i = 0; i < kv->n; i++)
        if (strcmp(kv->items[i].key, key) == 0)
            return kv->items[i].value;
    return NULL;
}

static const char *const gw_names[GH_GW__COUNT] = {
    [GH_GW_ACCESS_DENIED] = "ACCESS_DENIED",
    [GH_GW_API_CONFIGURATION_ERROR] = "API_CONFIGURATION_ERROR",
    [GH_GW_AUTHORIZER_CONFIGURATION_ERROR] = "AUTHORIZER_CONFIGURATION_ERROR",
    [GH_GW_AUTHORIZER_FAILURE] = "AUTHORIZER_FAILURE",
    [GH_GW_BAD_REQUEST_PARAMETERS] = "BAD_REQUEST_PARAMETERS",
    [GH_GW_BAD_REQUEST_BODY] = "BAD_REQUEST_BODY",
    [GH_GW_DEFAULT_4XX] = "DEFAULT_4XX",
    [GH_GW_DEFAULT_5XX] = "DEFAULT_5XX",
    [GH_GW_EXPIRED_TOKEN] = "EXPIRED_TOKEN",
    [GH_GW_INTEGRATION_FAILURE] = "INTEGRATION_FAILURE",
    [GH_GW_INTEGRATION_TIMEOUT] = "INTEGRATION_TIMEOUT",
    [GH_GW_INVALID_API_KEY] = "INVALID_API_KEY",
    [GH_GW_INVALID_SIGNATURE] = "INVALID_SIGNATURE",
    [GH_GW_MISSING_AUTHENTICATION_TOKEN] = "MISSING_AUTHENTICATION_TOKEN",
    [GH_GW_QUOTA_EXCEEDED] = "QUOTA_EXCEEDED",
    [GH_GW_REQUEST_TOO_LARGE] = "REQUEST_TOO_LARGE",
    [GH_GW_RESOURCE_NOT_FOUND] = "RESOURCE_NOT_FOUND",
    [GH_GW_THROTTLED] = "THROTTLED",
    [GH_GW_UNAUTHORIZED] = "UNAUTHORIZED",
    [GH_GW_UNSUPPORTED_MEDIA_TYPE] = "UNSUPPORTED_MEDIA_TYPE",
    [GH_GW_WAF_FILTERED] = "WAF_FILTERED",
};

const char *gh_gw_type_name(gh_gw_type t)
{
    return (unsigned)t < GH_GW__COUNT ? gw_names[t] : "UNKNOWN";
}

bool gh_gw_type_from_name(const char *name, gh_gw_type *out)
{
    for (int i = 0; i < GH_GW__COUNT; i++)
        if (strcmp(gw_names[i], name) == 0) {
            *out = (gh_gw_type)i;
            return true;
        }
    return false;
}
