/* Internal to spec/: the state one definition is compiled with, shared by the compiler's
 * parts (load.c orchestrates; settings.c, settings_auth.c, settings_ws.c, extensions.c, compile_auth.c,
 * compile_paths.c, compile_integration.c, compile_policy.c, intrinsics.c and scripts.c
 * each do one step). Nothing outside
 * spec/ includes this header; the public surface is spec/load.h. */
#ifndef GH_COMPILE_H
#define GH_COMPILE_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "spec/load.h"
#include "spec/model.h"
#include "spec/node.h"

/* Growable arrays the loader fills while it goes; copied into the model's arena at the
 * end so the model holds exactly what it needs. */
typedef struct gh_loader {
    gh_model *m;
    gh_diags *d;
    gh_script *scripts;
    size_t nscripts, capscripts;
    const char **files;
    size_t nfiles, capfiles;
    /* Every document read (definitions, then overlays): their sources map positions
     * inside a scalar back to the file (gh_cc_text_mark). */
    gh_doc *const *docs;
    size_t ndocs;
} gh_loader;

typedef struct gh_cc {
    gh_loader *ld;
    gh_arena *a;      /* the model's arena */
    gh_diags *d;
    const gh_doc *doc;
    gh_api *api;
    bool swagger2;
    /* Distinct things already warned about in this API (unresolved intrinsics, security
     * schemes, per-operation extensions), so a file warns once per thing, not per use. */
    char **warned;
    size_t nwarned, capwarned;
    /* While compiling an integration that is already known to be unservable, warnings
     * about unresolved intrinsics inside it are noise: its one "broken" warning says it. */
    bool mute_intrinsics;
    /* Warnings that repeat across operations (the same unservable integration kind, the
     * same missing piece) are grouped: one per distinct reason, with the count. */
    struct gh_cc_group {
        char *reason;
        const char *noun; /* "integration", "method" */
        gh_mark mark;     /* the first place */
        size_t count;
    } *groups;
    size_t ngroups, capgroups;
    bool intrinsic_unresolved; /* set when a resolution left text unresolved */
} gh_cc;

/* load.c */
/* The model-owned copy of a file name (every file read is recorded once in model->files). */
const char *gh_cc_file(gh_loader *ld, const char *path);
/* A node's mark with its file name owned by the model. */
gh_mark gh_cc_mark(gh_cc *cc, const gh_node *n);
/* True the first time `key` is seen in this API. */
bool gh_cc_first(gh_cc *cc, const char *key);
/* Records one more place for a grouped warning (see gh_cc.groups). */
void gh_cc_group(gh_cc *cc, gh_mark at, const char *noun, const char *reason);
/* Follows a local $ref (one level at a time, up to a small depth); reports dangling refs
 * at the $ref. Returns the node itself when it is no $ref, NULL when it names nothing. */
const gh_node *gh_cc_deref(gh_cc *cc, const gh_node *n);

/* scripts.c: reads, records and syntax-checks a Lua file named at `at` (relative to the
 * definition's folder). Returns its index in model->scripts, -1 after an error. */
int gh_cc_script(gh_cc *cc, const char *path, const gh_node *at);

/* scripts.c: an inline Lua template (the body of a function of input, context,
 * stageVariables, util) recorded as a model script and syntax-checked, its errors at
 * their line in the definition. `node` is the scalar it was read from, `what` names it
 * in messages ("x-gatehouse-requestTemplates 'application/json'"). */
int gh_cc_inline_script(gh_cc *cc, const char *text, const gh_node *node, const char *what);

/* templates.c: the file position of byte `offset` of text, the value of scalar `n` (the
 * scalar's own start when text is not n's text, e.g. built by an intrinsic). */
gh_mark gh_cc_text_mark(gh_cc *cc, const gh_node *n, const char *text, size_t offset);
/* A map of media type -> mapping template (requestTemplates, responseTemplates), each
 * compiled as VTL into the model; a syntax error is an error at its position. */
gh_template *gh_cc_templates(gh_cc *cc, const gh_node *map, size_t *n, const char *what);
/* x-gatehouse-requestTemplates / -responseTemplates (`map`, may be NULL): Lua templates
 * added to *list; one for a media type the AWS map (`aws_what`) has replaces it there,
 * with a warning. */
void gh_cc_lua_templates(gh_cc *cc, const gh_node *map, gh_template **list, size_t *n,
                         const char *what, const char *aws_what);

/* params.c: requestParameters (integration) and responseParameters (integration
 * responses) keys and sources checked against AWS's forms (reference §5.7);
 * cacheKeyParameters parsed. */
void gh_cc_request_parameters(gh_cc *cc, const gh_node *map);
void gh_cc_response_parameters(gh_cc *cc, const gh_node *map);
void gh_cc_cache_key_parameters(gh_cc *cc, gh_integration *in, const gh_node *seq);

/* settings.c: x-gatehouse (apiId, region, stages, functions, ...). Runs first. */
void gh_cc_settings(gh_cc *cc, const gh_load_options *opt, bool first);

/* intrinsics.c: the string a node stands for, CloudFormation intrinsics resolved (NULL
 * when the node is no scalar and no intrinsic). Numbers and booleans give their text. */
const char *gh_cc_string(gh_cc *cc, const gh_node *n);

/* extensions.c: one pass over the whole document for x-amazon-apigateway-* keys, plus
 * the root extensions we emulate (gateway responses, binary media types). */
void gh_cc_extensions(gh_cc *cc);

/* compile_paths.c: paths -> resource tree and methods. */
void gh_cc_paths(gh_cc *cc);

/* compile_integration.c: an x-amazon-apigateway-integration (or NULL) -> integration.
 * `op` is the operation, for x-gatehouse-mock on it and for positions. */
gh_integration *gh_cc_integration(gh_cc *cc, const gh_node *integ, const gh_node *op);
/* compile_integration.c: a Lambda invocation URI (or bare function ARN) -> the function
 * name (may hold ${stageVariables.x}) and qualifier (NULL if none), both from the model
 * arena. False when `uri` is no Lambda URI. Integrations and authorizers share it. */
bool gh_cc_lambda_uri(gh_cc *cc, const char *uri, const char **function, const char **qualifier);
/* The first ${...} in s that is not API Gateway's own ${stageVariables.x} (an unfilled
 * template variable or CloudFormation reference), NULL when there is none. */
const char *gh_cc_placeholder(gh_cc *cc, const char *s);

/* settings_auth.c: x-gatehouse.userPools and x-gatehouse.credentials (`xs` is the
 * x-gatehouse map, may be NULL). Run after gh_cc_settings, once the API's id is known. */
void gh_cc_user_pools(gh_cc *cc, const gh_node *xs);
void gh_cc_credentials(gh_cc *cc, const gh_node *xs);

/* settings_sim.c: x-gatehouse.queues, topics and eventSources (`xs` may be NULL) ->
 * api->queues, topics, event_sources, as SQS/SNS attribute names and values. After
 * gh_cc_settings (event sources and subscriptions name functions). */
void gh_cc_sim_settings(gh_cc *cc, const gh_node *xs);

/* settings_ws.c: x-gatehouse.websocket (`xs` may be NULL) -> api->websocket. After the
 * paths: its routes' integrations are compiled as REST's are, and name functions. */
void gh_cc_websocket(gh_cc *cc, const gh_node *xs);

/* compile_auth.c: every security scheme some operation's `security` names that is an
 * authorizer (x-amazon-apigateway-authorizer, or authtype awsSigv4 for IAM) ->
 * api->authorizers, sorted by name. Runs after the settings, before the paths. */
void gh_cc_authorizers(gh_cc *cc);
/* The security scheme `name` (components.securitySchemes or securityDefinitions, $ref
 * followed), NULL when undeclared. */
const gh_node *gh_cc_security_scheme(gh_cc *cc, const char *name);
/* compile_auth.c: an operation's `security` (may be NULL) -> m->authorizer,
 * m->authorization_scopes and m->api_key_required, warning about what AWS ignores. */
void gh_cc_method_security(gh_cc *cc, gh_method *m, const gh_node *sec);

/* compile_policy.c: root x-amazon-apigateway-policy -> api->resource_policy, shape
 * checked, execute-api:/ shorthand expanded. Runs after the api's id is known. */
void gh_cc_resource_policy(gh_cc *cc);
/* An IAM policy document (map, or JSON text in a string) checked for shape and
 * converted; `what` names it in messages. NULL after an error. The caller owns it. */
json_t *gh_cc_policy_document(gh_cc *cc, const gh_node *n, const char *what);
/* A node tree as JSON (CloudFormation intrinsics resolved to strings); caller owns it. */
json_t *gh_cc_node_json(gh_cc *cc, const gh_node *n);

#endif
