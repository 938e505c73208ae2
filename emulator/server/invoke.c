/* `gatehouse invoke FUNCTION --event FILE DEF...`: runs one Lua Lambda with an event, as
 * `sam local invoke` does, and prints its result (or Lambda's error object) as JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/pool.h"
#include "server/commands.h"
#include "server/runtime.h"
#include "util/ids.h"
#include "util/json_text.h"
#include "util/log.h"

static json_t *read_event(const char *file)
{
    json_error_t err;
    json_t *ev;
    if (!file)
        return json_object();
    if (!strcmp(file, "-"))
        ev = json_loadf(stdin, JSON_DECODE_ANY, &err);
    else
        ev = json_load_file(file, JSON_DECODE_ANY, &err);
    const char *name = strcmp(file, "-") ? file : "<stdin>";
    if (!ev && err.line < 1)
        gh_log(GH_LOG_ERROR, "%s: %s; check the --event path", name, err.text);
    else if (!ev)
        gh_log(GH_LOG_ERROR, "%s:%d:%d: the event is not valid JSON: %s", name, err.line,
               err.column, err.text);
    return ev;
}

int gh_cmd_invoke(const gh_cli *cli)
{
    json_t *event = read_event(cli->event_file);
    if (!event)
        return GH_EXIT_FAILURE;
    gh_runtime *rt = gh_cli_runtime(cli, 1);
    if (!rt) {
        json_decref(event);
        return GH_EXIT_FAILURE;
    }
    const gh_api *api = NULL;
    const gh_function *fn = NULL;
    for (size_t i = 0; i < rt->model->napis && !fn; i++) {
        api = &rt->model->apis[i];
        fn = gh_api_function(api, cli->function);
    }
    if (!fn) {
        gh_log(GH_LOG_ERROR, "no function '%s' in x-gatehouse.functions of %s", cli->function,
               cli->defs[0]);
        json_decref(event);
        gh_runtime_free(rt);
        return GH_EXIT_FAILURE;
    }
    char request_id[GH_UUID_LEN + 1], arn[512], group[300];
    gh_uuid4(request_id);
    snprintf(arn, sizeof arn, "arn:aws:lambda:%s:%s:function:%s", api->region, api->account_id,
             fn->name);
    snprintf(group, sizeof group, "/aws/lambda/%s", fn->name);
    gh_lambda_context ctx = {
        .function_name = fn->name,
        .function_version = "$LATEST",
        .invoked_function_arn = arn,
        .aws_request_id = request_id,
        .log_group_name = group,
        .log_stream_name = "gatehouse/invoke",
        .memory_limit_mb = fn->memory_mb,
        .environment = &fn->environment,
    };
    gh_script_result res;
    gh_script_call(rt->scripts, fn->script, event, &ctx, fn->timeout_ms, &res);
    int rc = GH_EXIT_OK;
    json_t *out;
    if (res.status == GH_SCRIPT_OK) {
        out = json_incref(res.value);
    } else {
        /* Lambda's error object, as `sam local invoke` prints it; the runtime already
         * words timeouts and memory kills as Lambda does. */
        const char *text = res.error_message ? res.error_message : "";
        const char *type = res.error_type ? res.error_type : "Error";
        out = json_pack("{s:s, s:s, s:[]}", "errorMessage", text, "errorType", type,
                        "stackTrace");
        if (res.traceback)
            fprintf(stderr, "%s\n", res.traceback);
        rc = GH_EXIT_FAILURE;
    }
    /* Lua tables have no key order; sorted keys make the output diffable. Numbers as a
     * Node function's result prints them (0.1, not 0.10000000000000001). */
    gh_buf text = GH_BUF_INIT;
    gh_json_text_indented(out, true, 2, &text);
    printf("%s\n", text.data);
    gh_buf_free(&text);
    json_decref(out);
    gh_script_result_free(&res);
    json_decref(event);
    gh_runtime_free(rt);
    return rc;
}
