/* The variables API Gateway gives mapping templates (reference §5.1-5.4), as VTL values
 * built per render from the invocation: $input and $util and $context are host objects
 * (vtl_value.h), $stageVariables a plain map. mapping.c puts them in a render's globals
 * and reads the overrides back afterwards; Lua templates reach the same objects. */
#ifndef GH_AWS_VARS_H
#define GH_AWS_VARS_H
#include <stdbool.h>
#include <stddef.h>

#include "integration/invocation.h"
#include "template/mapping.h"
#include "template/vtl.h"

extern const gh_vhost_class gh_aws_input_class;
extern const gh_vhost_class gh_aws_util_class;
extern const gh_vhost_class gh_aws_context_class;

/* $input over body (len bytes; empty renders as "{}", §5.1). response: the body is an
 * integration response (only changes the wording of a parse error). From inv->arena. */
gh_vval gh_aws_input_new(gh_invocation *inv, const char *body, size_t len, bool response);
/* After a render: "Could not parse request body into json: <why>" when the template read
 * a request body that is not JSON (AWS answers that with a 400), else NULL. */
const char *gh_aws_input_client_error(gh_vtl_rt *rt, gh_vval v);

/* A body as $input.json / $input.path read it (AWS's JSON library in its permissive
 * mode): JSON, or text that does not open a JSON value as one trimmed string. NULL with
 * *root set, or why it is not readable (a body that opens JSON and breaks). From a. */
const char *gh_aws_body_parse(gh_arena *a, const char *body, size_t len, gh_vval *root);

/* $util (stateless). */
gh_vval gh_aws_util(void);

/* $context: leaf values from gh_context_get; identity, authorizer, error (and their
 * nested objects) as host objects; requestOverride / responseOverride as real maps that
 * #set writes into. The maps live in *ctx so the caller reads them after the render. */
typedef struct gh_aws_context {
    gh_invocation *inv;
    /* Built on the template's first read of $context.requestOverride / .responseOverride
     * (most templates never touch them); NULL until then. */
    gh_vmap *request_override;  /* {header={}, querystring={}, path={}} */
    gh_vmap *response_override; /* {header={}}, plus status once a template sets it */
} gh_aws_context;
gh_vval gh_aws_context_new(gh_invocation *inv, gh_aws_context **ctx);

/* After a render: copies what the template set in the override maps into out (header,
 * querystring, path and response header lists in the order set, a list value giving one
 * entry per element; status_override when a status in 100-599 was set). */
void gh_aws_context_overrides(gh_vtl_rt *rt, gh_aws_context *ctx, gh_mapping_out *out);

/* $stageVariables: the stage's variables as a map (empty map when none). */
gh_vval gh_aws_stage_variables(gh_invocation *inv);

/* $util.escapeJavaScript: commons-lang 2.6 StringEscapeUtils.escapeJavaScript over the
 * UTF-16 units of s (UTF-8 in, malformed bytes read as U+FFFD). Appends to out. */
void gh_aws_escape_javascript(const char *s, size_t len, gh_buf *out);

/* $util.urlDecode: java.net.URLDecoder.decode(s, "UTF-8"). NULL (with *error) where
 * Java throws IllegalArgumentException on a malformed escape. */
char *gh_aws_url_decode(gh_arena *a, const char *s, size_t len, size_t *out_len,
                        const char **error);

#endif
