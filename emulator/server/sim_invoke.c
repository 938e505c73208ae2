/* The simulator's way into the Lua Lambdas and out to HTTP subscribers (see
 * sim_invoke.h). */
#include "server/sim_invoke.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "integration/lambda_target.h"
#include "sim/event_source.h"
#include "script/module.h"
#include "script/pool.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/log.h"

/* SNS gives an HTTP endpoint 15 s to answer (the SNS Developer Guide's HTTP/S delivery
 * policy); a loopback endpoint that takes longer fails the delivery. */
#define HTTP_TIMEOUT_MS 15000
#define HTTP_CONNECT_TIMEOUT_MS 5000

struct gh_sim_invoker {
    gh_sim *sim;
    gh_live *live;
    const gh_runtime *rt;
    bool loopback_only;
};

static const gh_runtime *acquire(gh_sim_invoker *v)
{
    return v->live ? gh_live_acquire(v->live) : v->rt;
}

static void release(gh_sim_invoker *v, const gh_runtime *rt)
{
    if (v->live)
        gh_live_release(v->live, rt);
}

/* The function's name in a name, a partial ARN or a full ARN with a qualifier. */
static void function_name(const char *s, char *out, size_t size)
{
    const char *f = strstr(s, "function:");
    if (f)
        s = f + strlen("function:");
    snprintf(out, size, "%.*s", (int)strcspn(s, ":"), s);
}

static char *error_text(const char *type, const char *message)
{
    json_t *e =
        json_pack("{s:s, s:s, s:[]}", "errorMessage", message, "errorType", type, "stackTrace");
    char *text = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    return text;
}

/* Lambda names a log stream "YYYY/MM/DD/[$LATEST]" and 32 hex digits. */
static void log_stream(char out[64])
{
    time_t t = (time_t)(gh_clock_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    unsigned char rnd[16];
    gh_random_bytes(rnd, sizeof rnd);
    int n =
        snprintf(out, 64, "%04d/%02d/%02d/[$LATEST]", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    for (int i = 0; i < 16 && n + 2 < 64; i++, n += 2)
        snprintf(out + n, 3, "%02x", rnd[i]);
}

int gh_sim_invoker_call(void *ud, const char *function, const char *event_json, char **result)
{
    gh_sim_invoker *v = ud;
    *result = NULL;
    char name[256];
    function_name(function, name, sizeof name);
    const gh_runtime *rt = acquire(v);
    const gh_api *api = NULL;
    const gh_function *fn = NULL;
    for (size_t i = 0; rt && rt->model && i < rt->model->napis && !fn; i++) {
        api = &rt->model->apis[i];
        fn = gh_api_function(api, name);
    }
    if (!fn || !rt->scripts) {
        release(v, rt);
        return -1;
    }
    json_error_t jerr;
    json_t *event = json_loads(event_json ? event_json : "{}", JSON_DECODE_ANY, &jerr);
    if (!event) {
        /* Lambda's Invoke refuses a payload that is not JSON before any code runs. */
        release(v, rt);
        *result =
            error_text("InvalidRequestContentException", "Could not parse request body into json");
        return 1;
    }
    char request_id[GH_UUID_LEN + 1], arn[512], group[300], stream[64];
    gh_uuid4(request_id);
    snprintf(arn, sizeof arn, "arn:aws:lambda:%s:%s:function:%s", api->region, api->account_id,
             fn->name);
    snprintf(group, sizeof group, "/aws/lambda/%s", fn->name);
    log_stream(stream);
    gh_lambda_context ctx = {
        .function_name = fn->name,
        .function_version = "$LATEST",
        .invoked_function_arn = arn,
        .aws_request_id = request_id,
        .log_group_name = group,
        .log_stream_name = stream,
        .memory_limit_mb = fn->memory_mb > 0 ? fn->memory_mb : 128,
        .environment = &fn->environment,
    };
    gh_script_result res;
    int timeout = fn->timeout_ms > 0 ? fn->timeout_ms : 3000;
    gh_script_call(rt->scripts, fn->script, event, &ctx, timeout, &res);
    json_decref(event);
    int rc = 0;
    if (res.status == GH_SCRIPT_OK) {
        *result = json_dumps(res.value, JSON_COMPACT | JSON_ENCODE_ANY);
    } else {
        json_t *err = gh_lambda_error_payload(&res, request_id);
        *result = json_dumps(err, JSON_COMPACT);
        json_decref(err);
        if (res.traceback)
            gh_log(GH_LOG_INFO, "function %s failed: %s", fn->name, res.traceback);
        rc = 1;
    }
    if (!*result)
        *result = strdup("null");
    gh_script_result_free(&res);
    release(v, rt);
    return rc;
}

/* ---- SNS deliveries ---- */

static int deliver_lambda(void *ud, const char *function, const char *event_json)
{
    char *result = NULL;
    int rc = gh_sim_invoker_call(ud, function, event_json, &result);
    /* SNS invokes asynchronously: the result is not used, a failure is only logged. */
    if (rc != 0)
        gh_log(GH_LOG_WARN, "SNS delivery to function %s failed: %s", function,
               result ? result : "no such function");
    free(result);
    return rc == 0 ? 0 : -1;
}

static bool loopback_url(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
    ok = ok &&
         (!strcmp(host, "127.0.0.1") || !strcasecmp(host, "localhost") || !strcmp(host, "[::1]"));
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p, (void)ud;
    return size * n;
}

int gh_sim_invoker_http(void *ud, const char *url, const char *body, const char *const *headers)
{
    gh_sim_invoker *v = ud;
    if (v->loopback_only && !loopback_url(url)) {
        gh_log(GH_LOG_WARN, "SNS delivery to %s skipped: only loopback endpoints here", url);
        return -1;
    }
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    struct curl_slist *h = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        h = curl_slist_append(h, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)HTTP_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK || status < 200 || status > 299) {
        gh_log(GH_LOG_WARN, "SNS delivery to %s failed: %s (status %ld)", url,
               rc != CURLE_OK ? curl_easy_strerror(rc) : "not a 2xx answer", status);
        return -1;
    }
    return 0;
}

gh_sim_invoker *gh_sim_invoker_install(gh_sim *sim, gh_live *live, const gh_runtime *rt,
                                       bool loopback_only)
{
    gh_sim_invoker *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->sim = sim;
    v->live = live;
    v->rt = rt;
    v->loopback_only = loopback_only;
    gh_sim_set_invoker(sim, gh_sim_invoker_call, v);
    gh_sns_delivery d = {.lambda = deliver_lambda, .http = gh_sim_invoker_http, .ud = v};
    gh_sns_set_delivery(sim->sns, &d);
    gh_module_set_sim(sim);
    return v;
}

void gh_sim_invoker_free(gh_sim_invoker *v)
{
    if (!v)
        return;
    /* Nothing may call through v once it is gone: the poller stops, queued SNS
     * deliveries finish. */
    gh_event_sources_stop(v->sim->sources);
    gh_sns_drain(v->sim->sns);
    gh_sns_set_delivery(v->sim->sns, NULL);
    gh_sim_set_invoker(v->sim, NULL, NULL);
    gh_module_set_sim(NULL);
    free(v);
}
