/* `gatehouse queues` and `gatehouse topics`: a client of a running server's admin API
 * (server/admin.h) over libcurl. Lists queues with their visible, in-flight and delayed
 * counts, shows one queue, peeks at or purges its messages, lists topics with their
 * subscriptions; as a table, or the API's JSON with --json. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server/admin.h"
#include "server/commands.h"
#include "spec/load.h"
#include "util/buf.h"
#include "util/json_text.h"

/* Local calls answer in milliseconds; a server that takes this long is stuck. */
#define ADMIN_TIMEOUT_MS 10000

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    gh_buf_append(ud, p, size * n);
    return size * n;
}

static bool is_definition(const char *p)
{
    size_t n = strlen(p);
    struct stat st;
    bool ext = (n > 5 && !strcmp(p + n - 5, ".yaml")) || (n > 4 && !strcmp(p + n - 4, ".yml")) ||
               (n > 5 && !strcmp(p + n - 5, ".json"));
    return ext && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* --url, else the definitions' host and port (x-gatehouse.host/port), else 8080. */
static char *base_url(const gh_cli *cli, const char **defs, size_t ndefs)
{
    if (cli->admin_url) {
        size_t n = strlen(cli->admin_url);
        while (n && cli->admin_url[n - 1] == '/')
            n--;
        return strndup(cli->admin_url, n);
    }
    const char *host = "127.0.0.1";
    int port = 8080;
    gh_model *m = NULL;
    if (ndefs) {
        gh_cli own = *cli;
        own.defs = defs;
        own.ndefs = ndefs;
        gh_load_options opt;
        gh_cli_load_options(&own, &opt, 1);
        gh_diags d = GH_DIAGS_INIT;
        m = gh_model_load(&opt, &d);
        if (!m)
            gh_diags_print(&d, stderr);
        gh_diags_free(&d);
        if (!m)
            return NULL;
        if (m->host)
            host = m->host;
        if (m->port > 0)
            port = m->port;
    }
    char *url = gh_strprintf("http://%s:%d", host, port);
    gh_model_unref(m);
    return url;
}

/* One call. Returns the parsed answer (and its status), or NULL after saying why. */
static json_t *admin_call(const char *base, const char *method, const char *path, long *status)
{
    CURL *c = curl_easy_init();
    if (!c) {
        fprintf(stderr, "gatehouse: cannot start an HTTP client (libcurl)\n");
        return NULL;
    }
    char *url = gh_strprintf("%s%s", base, path);
    gh_buf body = GH_BUF_INIT;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ADMIN_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    CURLcode rc = curl_easy_perform(c);
    json_t *j = NULL;
    if (rc == CURLE_COULDNT_CONNECT) {
        fprintf(stderr,
                "gatehouse: nothing listens at %s; start `gatehouse serve` first, or "
                "give its address with --url http://127.0.0.1:PORT\n",
                base);
    } else if (rc != CURLE_OK) {
        fprintf(stderr, "gatehouse: %s %s: %s\n", method, url, curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        j = json_loadb(body.data ? body.data : "", body.len, 0, NULL);
        if (!j || !json_is_object(j)) {
            fprintf(stderr,
                    "gatehouse: %s answered %ld without the admin API's JSON; is it "
                    "a gatehouse server of this version?\n",
                    url, *status);
            json_decref(j);
            j = NULL;
        } else if (*status < 200 || *status > 299) {
            const char *msg = json_string_value(json_object_get(j, "message"));
            fprintf(stderr, "gatehouse: %s\n", msg ? msg : "the server refused the call");
            json_decref(j);
            j = NULL;
        }
    }
    gh_buf_free(&body);
    free(url);
    curl_easy_cleanup(c);
    return j;
}

static void print_json(const json_t *j)
{
    gh_buf b = GH_BUF_INIT;
    gh_json_text_indented(j, false, 2, &b);
    gh_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stdout);
    gh_buf_free(&b);
}

static json_int_t num(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_queue_rows(const json_t *list)
{
    int w = 5;
    size_t i;
    json_t *q;
    json_array_foreach(list, i, q) if ((int)strlen(str(q, "name")) > w) w =
        (int)strlen(str(q, "name"));
    printf("%-*s  %8s  %9s  %7s\n", w, "QUEUE", "VISIBLE", "IN FLIGHT", "DELAYED");
    json_array_foreach(list, i, q)
        printf("%-*s  %8lld  %9lld  %7lld\n", w, str(q, "name"), (long long)num(q, "visible"),
               (long long)num(q, "inFlight"), (long long)num(q, "delayed"));
}

static void print_attrs(const json_t *attrs, const char *indent)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        const char *s = json_string_value(json_object_get(v, "stringValue"));
        if (json_is_string(v))
            printf("%s%s: %s\n", indent, k, json_string_value(v));
        else
            printf("%s%s (%s): %s\n", indent, k, str(v, "dataType"), s ? s : str(v, "binaryValue"));
    }
}

static void print_messages(const json_t *answer)
{
    json_t *list = json_object_get(answer, "messages");
    if (!json_array_size(list))
        printf("%s: no messages\n", str(answer, "queue"));
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        printf("%s  sent %s  received %lld time%s\n", str(m, "messageId"), str(m, "sentTime"),
               (long long)num(m, "receiveCount"), num(m, "receiveCount") == 1 ? "" : "s");
        print_attrs(json_object_get(m, "messageAttributes"), "  ");
        printf("  %s\n", str(m, "body"));
    }
}

typedef struct args {
    const char **defs;
    size_t ndefs;
    const char *name;
} args;

static int split(const gh_cli *cli, args *a, bool takes_name)
{
    a->defs = calloc(cli->ndefs + 1, sizeof *a->defs);
    for (size_t i = 0; i < cli->ndefs; i++) {
        if (is_definition(cli->defs[i])) {
            a->defs[a->ndefs++] = cli->defs[i];
        } else if (takes_name && !a->name) {
            a->name = cli->defs[i];
        } else {
            fprintf(stderr, "gatehouse: unexpected argument '%s'; %s\n", cli->defs[i],
                    takes_name ? "name one queue (definitions are existing .yaml/.yml/.json "
                                 "files)"
                               : "topics takes only definitions and options");
            return GH_EXIT_USAGE;
        }
    }
    if ((cli->peek || cli->purge) && !a->name) {
        fprintf(stderr, "gatehouse: --peek and --purge act on one queue: name it "
                        "(gatehouse queues NAME --peek 5)\n");
        return GH_EXIT_USAGE;
    }
    if (cli->peek && cli->purge) {
        fprintf(stderr, "gatehouse: give --peek or --purge, not both (peek first, then "
                        "purge)\n");
        return GH_EXIT_USAGE;
    }
    return -1;
}

int gh_cmd_queues(const gh_cli *cli)
{
    args a = {0};
    int rc = split(cli, &a, true);
    char *base = rc < 0 ? base_url(cli, a.defs, a.ndefs) : NULL;
    if (rc < 0 && !base)
        rc = GH_EXIT_FAILURE;
    if (rc >= 0) {
        free(a.defs);
        free(base);
        return rc;
    }
    char *path;
    char *name = a.name ? curl_easy_escape(NULL, a.name, 0) : NULL;
    const char *method = "GET";
    if (!name)
        path = gh_strprintf(GH_ADMIN_PREFIX "/queues");
    else if (cli->purge)
        method = "DELETE", path = gh_strprintf(GH_ADMIN_PREFIX "/queues/%s/messages", name);
    else if (cli->peek)
        path = gh_strprintf(GH_ADMIN_PREFIX "/queues/%s/messages?max=%d", name, cli->peek);
    else
        path = gh_strprintf(GH_ADMIN_PREFIX "/queues/%s", name);
    long status = 0;
    json_t *j = admin_call(base, method, path, &status);
    rc = j ? GH_EXIT_OK : GH_EXIT_FAILURE;
    if (j && cli->json) {
        print_json(j);
    } else if (j && !name) {
        json_t *list = json_object_get(j, "queues");
        if (json_array_size(list))
            print_queue_rows(list);
        else
            printf("no queues (declare them in x-gatehouse.queues, or create them with the "
                   "AWS CLI)\n");
    } else if (j && cli->purge) {
        printf("purged %lld message%s from %s\n", (long long)num(j, "purged"),
               num(j, "purged") == 1 ? "" : "s", a.name);
    } else if (j && cli->peek) {
        print_messages(j);
    } else if (j) {
        json_t *one = json_pack("[O]", j);
        print_queue_rows(one);
        json_decref(one);
        printf("\nurl: %s\narn: %s\n", str(j, "url"), str(j, "arn"));
        print_attrs(json_object_get(j, "attributes"), "  ");
    }
    json_decref(j);
    curl_free(name);
    free(path);
    free(base);
    free(a.defs);
    return rc;
}

int gh_cmd_topics(const gh_cli *cli)
{
    args a = {0};
    int rc = split(cli, &a, false);
    char *base = rc < 0 ? base_url(cli, a.defs, a.ndefs) : NULL;
    if (rc < 0 && !base)
        rc = GH_EXIT_FAILURE;
    if (rc >= 0) {
        free(a.defs);
        free(base);
        return rc;
    }
    long status = 0;
    json_t *j = admin_call(base, "GET", GH_ADMIN_PREFIX "/topics", &status);
    json_t *list = json_object_get(j, "topics");
    if (j && cli->json)
        print_json(j);
    else if (j && !json_array_size(list))
        printf("no topics\n");
    size_t i;
    json_t *t;
    json_array_foreach(cli->json ? NULL : list, i, t)
    {
        json_t *subs = json_object_get(t, "subscriptions");
        printf("%s%s  %zu subscription%s\n", i ? "\n" : "", str(t, "name"), json_array_size(subs),
               json_array_size(subs) == 1 ? "" : "s");
        size_t k;
        json_t *s;
        json_array_foreach(subs, k, s)
        {
            printf("  %-6s %s", str(s, "protocol"), str(s, "endpoint"));
            if (json_is_true(json_object_get(s, "rawMessageDelivery")))
                printf("  raw");
            json_t *fp = json_object_get(s, "filterPolicy");
            if (fp && !json_is_null(fp)) {
                gh_buf b = GH_BUF_INIT;
                gh_json_text(fp, false, &b);
                printf("  filter (%s) %.*s", str(s, "filterPolicyScope"), (int)b.len, b.data);
                gh_buf_free(&b);
            }
            printf("\n");
        }
    }
    rc = j ? GH_EXIT_OK : GH_EXIT_FAILURE;
    json_decref(j);
    free(base);
    free(a.defs);
    return rc;
}
