/* server/api_record: each observed exchange becomes a fixture that reads back (through
 * the same YAML reader fixtures are loaded with) as what was sent and answered: awkward
 * strings intact, "${" escaped, JSON bodies as JSON values, other text exact, bytes in a
 * bodyFile, secrets as ${env.REDACTED_*}, connection headers dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/api_record.h"
#include "spec/node.h"
#include "util/clock.h"
#include "util/log.h"

#define B(s) s, sizeof(s) - 1
#define NONE NULL, 0

typedef struct exchange {
    const char *method, *path, *query;
    const char *headers[9]; /* name, value, ..., NULL */
    const char *body;
    size_t body_len;
    int status;
    const char *content_type;
    const char *rs_body;
    size_t rs_len;
} exchange;

static const exchange exchanges[] = {
    {"POST", "/dev/pets", "tag=a&limit=2&tag=b&x=%24%7Bv%7D&%24%7Bq%7D=1",
     {"Host", "127.0.0.1:8080", "Content-Type", "application/json", "Authorization", "Bearer s",
      "Content-Length", "20", NULL},
     B("{\"name\":\"${petName}\"}"), 201, "application/json", B("{\"id\":7,\"tags\":[\"a\",null,1.5,true]}")},
    {"GET", "/dev/odd%20path", NULL,
     {"Host", "abc123.execute-api.localhost:9000", "X-Api-Key", "k", "Accept", "a", "accept", "b",
      NULL},
     NONE, 200, "text/plain", B("line1\nline2 \"q\" # not a comment: yes \xe2\x80\xa8 ${x}")},
    {"PUT", "/dev/blob", NULL, {"Content-Type", "application/octet-stream", NULL},
     B("\x00\x01\xff"), 200, "image/png", B("\x89PNG\x00")},
    {"GET", "/dev/empty", NULL, {NULL}, NONE, 204, NULL, NONE},
};

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/gh_api_record_XXXXXX");
    gh_clock_fake(1795856591000); /* 2026-11-28 09:03:11 UTC */
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int remove_dir(void **state)
{
    (void)state;
    gh_clock_fake(-1);
    return nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *str(const gh_node *map, const char *key)
{
    const char *s = gh_node_str(gh_node_get(map, key));
    if (!s)
        fail_msg("no string at %s", key);
    return s;
}

static void read_bytes(const char *path, char *out, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    *len = fread(out, 1, cap, f);
    fclose(f);
}

static void fixtures_read_back(void **state)
{
    (void)state;
    static const char *const redact[] = {"Authorization", "X-Api-Key", NULL};
    gh_api_recorder *r = gh_api_recorder_new(dir, redact);
    gh_arena *a = gh_arena_new(4096);
    size_t n = sizeof exchanges / sizeof *exchanges;
    for (size_t i = 0; i < n; i++) {
        const exchange *e = &exchanges[i];
        gh_request req = {.arena = a, .method = e->method, .path = e->path, .query = e->query,
                          .body = e->body, .body_len = e->body_len};
        for (size_t k = 0; e->headers[k]; k += 2)
            gh_headers_add(a, &req.headers, e->headers[k], e->headers[k + 1]);
        gh_response resp = {.status = e->status, .body = e->rs_body, .body_len = e->rs_len};
        if (e->content_type)
            gh_headers_add(a, &resp.headers, "Content-Type", e->content_type);
        gh_api_recorder_observe(r, &req, &resp);
    }
    gh_api_recorder_free(r);
    gh_arena_free(a);

    char path[256];
    snprintf(path, sizeof path, "%s/api-20261128-090311.yaml", dir);
    gh_doc *doc;
    gh_diags d = GH_DIAGS_INIT;
    if (gh_doc_load_file(path, &doc, &d) != 0)
        fail_msg("%s", d.items[0].text);
    const gh_node *list = gh_node_get(doc->root, "fixtures");
    assert_int_equal(list->n, n);

    static const struct {
        const char *name, *headers; /* headers: "Name=value;..." in order */
        const char *query;          /* "name=v|v;..." */
    } want[] = {
        {"1 POST /dev/pets",
         "Content-Type=application/json;Authorization=${env.REDACTED_AUTHORIZATION};",
         "tag=a|b;limit=2;x=$${v};${q}=1;"},
        {"2 GET /dev/odd%20path",
         "Host=abc123.execute-api.localhost:9000;X-Api-Key=${env.REDACTED_X_API_KEY};"
         "Accept=a, b;", ""},
        {"3 PUT /dev/blob", "Content-Type=application/octet-stream;", ""},
        {"4 GET /dev/empty", "", ""},
    };
    for (size_t i = 0; i < n; i++) {
        const gh_node *f = list->items[i];
        const gh_node *rq = gh_node_get(f, "request"), *ex = gh_node_get(f, "expect");
        assert_string_equal(str(f, "name"), want[i].name);
        assert_string_equal(str(rq, "method"), exchanges[i].method);
        assert_string_equal(str(rq, "path"), exchanges[i].path);
        char got[512] = "";
        const gh_node *h = gh_node_get(rq, "headers");
        for (size_t k = 0; h && k < h->n; k++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s=%s;", h->pairs[k].key->text,
                     h->pairs[k].value->text);
        assert_string_equal(got, want[i].headers);
        got[0] = '\0';
        const gh_node *q = gh_node_get(rq, "query");
        for (size_t k = 0; q && k < q->n; k++) {
            const gh_node *v = q->pairs[k].value;
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s=", q->pairs[k].key->text);
            for (size_t m = 0; m < (v->kind == GH_NODE_SEQ ? v->n : 1); m++)
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", m ? "|" : "",
                         (v->kind == GH_NODE_SEQ ? v->items[m] : v)->text);
            snprintf(got + strlen(got), sizeof got - strlen(got), ";");
        }
        assert_string_equal(got, want[i].query);
        assert_int_equal(gh_node_get(ex, "status")->v.i, exchanges[i].status);
        const char *ct = gh_node_str(gh_node_get(gh_node_get(ex, "headers"), "Content-Type"));
        if (exchanges[i].content_type)
            assert_string_equal(ct, exchanges[i].content_type);
        else
            assert_null(ct);
    }
    /* Bodies: text with ${ escaped; JSON as a value; bytes in files. */
    assert_string_equal(str(gh_node_get(list->items[0], "request"), "body"),
                        "{\"name\":\"$${petName}\"}");
    const gh_node *json = gh_node_get(gh_node_get(list->items[0], "expect"), "json");
    assert_int_equal(gh_node_get(json, "id")->v.i, 7);
    const gh_node *tags = gh_node_get(json, "tags");
    assert_int_equal(tags->n, 4);
    assert_int_equal(tags->items[1]->kind, GH_NODE_NULL);
    assert_true(tags->items[2]->v.r == 1.5);
    assert_int_equal(tags->items[3]->kind, GH_NODE_BOOL);
    assert_string_equal(str(gh_node_get(list->items[1], "expect"), "body"),
                        "line1\nline2 \"q\" # not a comment: yes \xe2\x80\xa8 $${x}");
    static const struct {
        size_t fixture;
        const char *side, *file, *bytes;
        size_t len;
    } files[] = {
        {2, "request", "api-20261128-090311-bodies/3-request.bin", B("\x00\x01\xff")},
        {2, "expect", "api-20261128-090311-bodies/3-response.bin", B("\x89PNG\x00")},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        const gh_node *side = gh_node_get(list->items[files[i].fixture], files[i].side);
        assert_string_equal(str(side, "bodyFile"), files[i].file);
        assert_null(gh_node_get(side, "body"));
        char full[256], bytes[64];
        size_t len;
        snprintf(full, sizeof full, "%s/%s", dir, files[i].file);
        read_bytes(full, bytes, sizeof bytes, &len);
        assert_int_equal(len, files[i].len);
        assert_memory_equal(bytes, files[i].bytes, len);
    }
    /* An empty answer is checked as empty; no request body, no body key. */
    assert_string_equal(str(gh_node_get(list->items[3], "expect"), "body"), "");
    assert_null(gh_node_get(gh_node_get(list->items[3], "request"), "body"));
    gh_doc_free(doc);
    gh_diags_free(&d);
}

/* No exchange, no file. */
static void nothing_recorded(void **state)
{
    (void)state;
    gh_api_recorder_free(gh_api_recorder_new(dir, NULL));
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t files = 0;
    while ((e = readdir(d)))
        files += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 0);
}

int main(void)
{
    gh_log_set_level(GH_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fixtures_read_back, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(nothing_recorded, make_dir, remove_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
