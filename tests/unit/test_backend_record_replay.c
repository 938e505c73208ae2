/* integration/backend_record.c and backend_replay.c: exchanges recorded through a fake
 * inner backend come back from the recordings file byte for byte (text, binary, awkward
 * strings, failures); secrets are redacted; replay matches query parameters in any
 * order and JSON bodies as JSON, answers repeated requests in recorded order, explains
 * a miss with the closest recording, and imports HAR files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integration/backend_impl.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

#define B(s) s, sizeof(s) - 1
#define NONE NULL, 0

/* One exchange: the request, and what the (fake) backend answers. */
typedef struct row {
    const char *method, *url;
    const char *rq_headers[7]; /* name, value, ..., NULL */
    const char *rq_body;
    size_t rq_len;
    gh_backend_status st;
    int status;
    const char *rs_headers[7];
    const char *rs_body;
    size_t rs_len;
} row;

static const row rows[] = {
    {"GET", "https://api.example.com/v1/pets/7?x=1", {"Accept", "application/json", NULL},
     NONE, GH_BACKEND_OK, 200, {"Content-Type", "application/json", NULL}, B("{\"id\":7}")},
    {"POST", "https://api.example.com/v1/pets", {"Content-Type", "application/json", NULL},
     B("{\"name\":\"rex\",\"tags\":[1,2]}"), GH_BACKEND_OK, 201,
     {"Location", "/v1/pets/8", "Set-Cookie", "a=1", "Set-Cookie", "b=2"}, B("")},
    /* Bytes that are not text: base64 both ways, NULs kept. */
    {"PUT", "https://files.example.com/blob", {"Content-Type", "application/octet-stream", NULL},
     B("\x00\x01\xff\xfe"), GH_BACKEND_OK, 200, {"Content-Type", "image/png", NULL},
     B("\x89PNG\r\n\x1a\n\x00")},
    /* Strings YAML would misread if written plainly. */
    {"GET", "https://api.example.com/odd?q=a%20b#frag",
     {"X-Yes", "yes", "X-Colon", "a: b # c", "X-Quote", "\"'\\", NULL}, NONE, GH_BACKEND_OK,
     200, {"X-Num", "007", "X-Null", "~", NULL},
     B("line1\nline2\t\"q\" \xe2\x80\xa8 \xef\xbb\xbf \xc2\x85 \x7f \x01 caf\xc3\xa9 \xf0\x9f\x90\xb6")},
    {"GET", "https://slow.example.com/wait", {NULL}, NONE, GH_BACKEND_TIMEOUT, 0, {NULL}, NONE},
    {"DELETE", "http://down.example.com:8080/x", {NULL}, NONE, GH_BACKEND_UNREACHABLE, 0,
     {NULL}, NONE},
};

typedef struct fake {
    gh_backend base;
    const row *answer;
    int calls;
} fake;

static gh_backend_status fake_exchange(gh_backend *self, gh_arena *a,
                                       const gh_backend_request *rq, gh_backend_response *rs,
                                       const char **detail)
{
    fake *f = (fake *)self;
    const row *r = f->answer;
    (void)rq;
    f->calls++;
    if (r->st != GH_BACKEND_OK) {
        *detail = r->st == GH_BACKEND_TIMEOUT ? "no answer in 29000 ms" : "connection refused";
        return r->st;
    }
    memset(rs, 0, sizeof *rs);
    rs->status = r->status;
    for (size_t i = 0; r->rs_headers[i]; i += 2)
        gh_headers_add(a, &rs->headers, r->rs_headers[i], r->rs_headers[i + 1]);
    rs->body = r->rs_body;
    rs->body_len = r->rs_len;
    return GH_BACKEND_OK;
}

static void request_of(gh_arena *a, const row *r, gh_backend_request *rq)
{
    memset(rq, 0, sizeof *rq);
    rq->method = r->method;
    rq->url = r->url;
    for (size_t i = 0; r->rq_headers[i]; i += 2)
        gh_headers_add(a, &rq->headers, r->rq_headers[i], r->rq_headers[i + 1]);
    rq->body = r->rq_body;
    rq->body_len = r->rq_len;
    rq->timeout_ms = 29000;
}

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/gh_record_replay_XXXXXX");
    gh_clock_fake(1795856591000); /* 2026-11-28 09:03:11 UTC */
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            char path[600];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
    gh_clock_fake(-1);
    return 0;
}

static void record_rows(const row *list, size_t n, const gh_backend_options *opt)
{
    fake f = {{fake_exchange, NULL}, NULL, 0};
    const char *error;
    gh_backend *rec = gh_backend_record_wrap(&f.base, opt, &error);
    assert_non_null(rec);
    gh_arena *a = gh_arena_new(4096);
    for (size_t i = 0; i < n; i++) {
        f.answer = &list[i];
        gh_backend_request rq;
        gh_backend_response rs;
        const char *detail;
        request_of(a, &list[i], &rq);
        assert_int_equal(gh_backend_exchange(rec, a, &rq, &rs, &detail), list[i].st);
    }
    assert_int_equal(f.calls, (int)n);
    gh_arena_free(a);
    gh_backend_free(rec);
}

static gh_backend *replay(bool match_body, const char *const *match_headers)
{
    gh_backend_options opt = {.dir = dir, .match_body = match_body,
                              .match_headers = match_headers};
    const char *error = NULL;
    gh_backend *b = gh_backend_replay(&opt, &error);
    if (!b)
        fail_msg("%s", error);
    return b;
}

/* The text of every file in dir whose name starts with prefix, concatenated. */
static char *read_files(const char *prefix)
{
    gh_buf all = GH_BUF_INIT;
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (!strncmp(names[i]->d_name, prefix, strlen(prefix))) {
            char path[600], chunk[4096];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            FILE *f = fopen(path, "r");
            size_t got;
            while (f && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
                gh_buf_append(&all, chunk, got);
            if (f)
                fclose(f);
        }
        free(names[i]);
    }
    free(names);
    gh_buf_putc(&all, '\0');
    return gh_buf_steal(&all, NULL);
}

static void replays_what_was_recorded(void **state)
{
    (void)state;
    gh_backend_options opt = {.dir = dir};
    record_rows(rows, sizeof rows / sizeof *rows, &opt);
    gh_backend *b = replay(true, NULL);
    gh_arena *a = gh_arena_new(4096);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const row *r = &rows[i];
        gh_backend_request rq;
        gh_backend_response rs;
        const char *detail;
        request_of(a, r, &rq);
        gh_backend_status st = gh_backend_exchange(b, a, &rq, &rs, &detail);
        if (st != r->st)
            fail_msg("row %zu: status %d, detail %s", i, st, detail ? detail : "-");
        if (st != GH_BACKEND_OK) {
            assert_non_null(strstr(detail, st == GH_BACKEND_TIMEOUT ? "recorded timeout"
                                                                    : "recorded unreachable"));
            continue;
        }
        assert_int_equal(rs.status, r->status);
        size_t nh = 0;
        while (r->rs_headers[nh])
            nh += 2;
        /* Set-Cookie is redacted by default; everything else comes back as sent. */
        assert_int_equal(rs.headers.n, nh / 2);
        for (size_t k = 0; k < nh / 2; k++) {
            assert_string_equal(rs.headers.items[k].name, r->rs_headers[2 * k]);
            const char *want = strcmp(r->rs_headers[2 * k], "Set-Cookie") ? r->rs_headers[2 * k + 1]
                                                                         : "<redacted>";
            assert_string_equal(rs.headers.items[k].value, want);
        }
        assert_int_equal(rs.body_len, r->rs_len);
        if (r->rs_len)
            assert_memory_equal(rs.body, r->rs_body, r->rs_len);
    }
    gh_arena_free(a);
    gh_backend_free(b);
    /* One file per host; binary bodies as base64; failures as errors. */
    char *text = read_files("api.example.com-20261128-090311.yaml");
    assert_non_null(strstr(text, "recordings:\n  - request:\n      method: \"GET\"\n"));
    assert_non_null(strstr(text, "\"Set-Cookie\": [\"<redacted>\", \"<redacted>\"]"));
    assert_non_null(strstr(text, "\\u2028 \\uFEFF \\u0085 \\u007F \\u0001 caf\xc3\xa9"));
    free(text);
    text = read_files("files.example.com-");
    assert_non_null(strstr(text, "bodyBase64: \"AAH//g==\""));
    assert_non_null(strstr(text, "bodyBase64: \"iVBORw0KGgoA\""));
    free(text);
    text = read_files("slow.example.com-");
    assert_non_null(strstr(text, "    error: timeout\n    detail: \"no answer in 29000 ms\"\n"));
    free(text);
    text = read_files("down.example.com_8080-");
    assert_non_null(strstr(text, "    error: unreachable\n"));
    free(text);
}

static void redaction(void **state)
{
    (void)state;
    static const row secret[] = {
        {"GET", "https://api.example.com/me",
         {"Authorization", "Bearer s3cret", "x-api-KEY", "k3y", "X-Trace", "t1"}, NONE,
         GH_BACKEND_OK, 200, {"X-Token", "tok", NULL}, B("{}")},
    };
    static const char *const mine[] = {"x-trace", "X-TOKEN", NULL};
    static const struct {
        const char *const *list; /* NULL: the defaults */
        const char *present, *absent;
    } cases[] = {
        {NULL, "\"Authorization\": \"<redacted>\", \"x-api-KEY\": \"<redacted>\", "
               "\"X-Trace\": \"t1\"", "s3cret"},
        {mine,
         "\"Authorization\": \"Bearer s3cret\", \"x-api-KEY\": \"k3y\", "
         "\"X-Trace\": \"<redacted>\"}", "\"tok\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char sub[128];
        snprintf(sub, sizeof sub, "%s/case%zu", dir, i);
        gh_backend_options opt = {.dir = sub, .redact = cases[i].list};
        record_rows(secret, 1, &opt);
        char *saved = strdup(dir);
        strcpy(dir, sub);
        char *text = read_files("api.example.com-");
        assert_non_null(strstr(text, cases[i].present));
        assert_null(strstr(text, cases[i].absent));
        free(text);
        remove_dir(NULL);
        strcpy(dir, saved);
        free(saved);
        gh_clock_fake(1795856591000);
    }
}

/* Requests against one recording set: what matches, and what a miss says. */
static void matching(void **state)
{
    (void)state;
    static const row recorded[] = {
        {"GET", "https://api.example.com/v1/pets?limit=2&tag=a&tag=b", {"X-Tenant", "t1", NULL},
         NONE, GH_BACKEND_OK, 200, {NULL}, B("first")},
        {"POST", "https://api.example.com/v1/pets", {"X-Tenant", "t1", NULL},
         B("{\"name\":\"rex\",\"age\":3}"), GH_BACKEND_OK, 201, {NULL}, B("created")},
        {"POST", "https://api.example.com/v1/text", {NULL}, B("hello world"), GH_BACKEND_OK,
         200, {NULL}, B("text")},
    };
    gh_backend_options opt = {.dir = dir};
    record_rows(recorded, 3, &opt);

    static const struct {
        bool match_body;
        bool match_tenant;
        const char *method, *url, *tenant, *body;
        gh_backend_status st;
        const char *expect; /* the body, or a part of the miss's detail */
    } cases[] = {
        {1, 0, "GET", "https://api.example.com/v1/pets?tag=b&limit=2&tag=a", NULL, NULL,
         GH_BACKEND_OK, "first"},
        {1, 0, "get", "HTTPS://API.example.com:443/v1/pets?tag=b&tag=a&limit=2", NULL, NULL,
         GH_BACKEND_OK, "first"},
        {1, 0, "GET", "https://api.example.com/v1/pets?tag=b&limit=3&tag=c", NULL, NULL,
         GH_BACKEND_NO_RECORDING,
         "no recording matches GET https://api.example.com/v1/pets?tag=b&limit=3&tag=c; "
         "closest is DIR/api.example.com-20261128-090311.yaml:3; query tag: sent \"b\", \"c\", "
         "recorded \"a\", \"b\"; query limit: sent \"3\", recorded \"2\""},
        {1, 0, "GET", "https://api.example.com/v1/pets?limit=2&tag=a", NULL, NULL,
         GH_BACKEND_NO_RECORDING, "query tag: sent \"a\", recorded \"a\", \"b\""},
        {1, 0, "POST", "https://api.example.com/v1/pets", NULL, "{ \"age\": 3, \"name\": \"rex\" }",
         GH_BACKEND_OK, "created"},
        {1, 0, "POST", "https://api.example.com/v1/pets", NULL, "{\"age\":4,\"name\":\"rex\"}",
         GH_BACKEND_NO_RECORDING,
         "closest is DIR/api.example.com-20261128-090311.yaml:11; body differs at $.age: "
         "sent 4, recorded 3"},
        {0, 0, "POST", "https://api.example.com/v1/pets", NULL, "{\"age\":4}", GH_BACKEND_OK,
         "created"},
        {1, 0, "POST", "https://api.example.com/v1/text", NULL, "hello World",
         GH_BACKEND_NO_RECORDING, "body differs from byte 6 (sent 11 bytes, recorded 11)"},
        {1, 0, "PUT", "https://api.example.com/v1/text", NULL, "hello world",
         GH_BACKEND_NO_RECORDING, ":20; method: sent PUT, recorded POST"},
        {1, 0, "GET", "https://api.example.com/v1/pets/1?limit=2&tag=a&tag=b", NULL, NULL,
         GH_BACKEND_NO_RECORDING, ":3; path: sent /v1/pets/1, recorded /v1/pets"},
        {1, 0, "GET", "http://api.example.com/v1/pets?limit=2&tag=a&tag=b", NULL, NULL,
         GH_BACKEND_NO_RECORDING,
         ":3; host: sent http://api.example.com, recorded https://api.example.com"},
        {1, 1, "GET", "https://api.example.com/v1/pets?limit=2&tag=a&tag=b", "t1", NULL,
         GH_BACKEND_OK, "first"},
        {1, 1, "GET", "https://api.example.com/v1/pets?limit=2&tag=a&tag=b", "t2", NULL,
         GH_BACKEND_NO_RECORDING, ":3; header x-tenant: sent \"t2\", recorded \"t1\""},
        {1, 1, "GET", "https://api.example.com/v1/pets?limit=2&tag=a&tag=b", NULL, NULL,
         GH_BACKEND_NO_RECORDING, "header x-tenant: sent absent, recorded \"t1\""},
    };
    static const char *const tenant[] = {"x-tenant", NULL};
    gh_arena *a = gh_arena_new(4096);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_backend *b = replay(cases[i].match_body, cases[i].match_tenant ? tenant : NULL);
        gh_backend_request rq = {.method = cases[i].method, .url = cases[i].url};
        if (cases[i].tenant)
            gh_headers_add(a, &rq.headers, "X-Tenant", cases[i].tenant);
        if (cases[i].body) {
            rq.body = cases[i].body;
            rq.body_len = strlen(cases[i].body);
        }
        gh_backend_response rs;
        const char *detail = NULL;
        gh_backend_status st = gh_backend_exchange(b, a, &rq, &rs, &detail);
        if (st != cases[i].st)
            fail_msg("case %zu: status %d, detail %s", i, st, detail ? detail : "-");
        if (st == GH_BACKEND_OK) {
            assert_int_equal(rs.body_len, strlen(cases[i].expect));
            assert_memory_equal(rs.body, cases[i].expect, rs.body_len);
        } else {
            /* DIR stands for the temporary folder. */
            char want[600];
            const char *dirpos = strstr(cases[i].expect, "DIR");
            if (dirpos)
                snprintf(want, sizeof want, "%.*s%s%s", (int)(dirpos - cases[i].expect),
                         cases[i].expect, dir, dirpos + 3);
            else
                snprintf(want, sizeof want, "%s", cases[i].expect);
            if (!strstr(detail, want))
                fail_msg("case %zu: detail\n  %s\nlacks\n  %s", i, detail, want);
        }
        gh_backend_free(b);
    }
    gh_arena_free(a);
}

/* The same request recorded three times answers in order, then the last repeats. */
static void repeated_requests_in_order(void **state)
{
    (void)state;
    static const row thrice[] = {
        {"GET", "https://api.example.com/count", {NULL}, NONE, GH_BACKEND_OK, 200, {NULL}, B("1")},
        {"GET", "https://api.example.com/other", {NULL}, NONE, GH_BACKEND_OK, 200, {NULL}, B("x")},
        {"GET", "https://api.example.com/count", {NULL}, NONE, GH_BACKEND_OK, 200, {NULL}, B("2")},
        {"GET", "https://api.example.com/count", {NULL}, NONE, GH_BACKEND_OK, 500, {NULL}, B("3")},
    };
    gh_backend_options opt = {.dir = dir};
    record_rows(thrice, 4, &opt);
    gh_backend *b = replay(true, NULL);
    gh_arena *a = gh_arena_new(1024);
    static const struct {
        int status;
        const char *body;
    } answers[] = {{200, "1"}, {200, "2"}, {500, "3"}, {500, "3"}, {500, "3"}};
    for (size_t i = 0; i < sizeof answers / sizeof *answers; i++) {
        gh_backend_request rq = {.method = "GET", .url = "https://api.example.com/count"};
        gh_backend_response rs;
        const char *detail;
        assert_int_equal(gh_backend_exchange(b, a, &rq, &rs, &detail), GH_BACKEND_OK);
        assert_int_equal(rs.status, answers[i].status);
        assert_memory_equal(rs.body, answers[i].body, rs.body_len);
    }
    gh_arena_free(a);
    gh_backend_free(b);
}

/* Server threads record and replay at once: every entry lands whole, and each recorded
 * exchange is answered exactly once before any repeats. */
enum { THREADS = 4, PER_THREAD = 40 };

typedef struct worker {
    gh_backend *b;
    int id;
    int answered[PER_THREAD];
} worker;

static gh_backend_status echo_exchange(gh_backend *self, gh_arena *a,
                                       const gh_backend_request *rq, gh_backend_response *rs,
                                       const char **detail)
{
    (void)self, (void)detail;
    memset(rs, 0, sizeof *rs);
    rs->status = 200;
    rs->body = gh_arena_strdup(a, rq->url);
    rs->body_len = strlen(rq->url);
    return GH_BACKEND_OK;
}

static void *work(void *arg)
{
    worker *w = arg;
    gh_arena *a = gh_arena_new(1024);
    for (int i = 0; i < PER_THREAD; i++) {
        char url[128];
        snprintf(url, sizeof url, "https://api.example.com/t/%d?i=%d", w->id, i);
        gh_backend_request rq = {.method = "GET", .url = url};
        gh_backend_response rs;
        const char *detail;
        if (gh_backend_exchange(w->b, a, &rq, &rs, &detail) == GH_BACKEND_OK &&
            rs.body_len == strlen(url) && !memcmp(rs.body, url, rs.body_len))
            w->answered[i] = 1;
        gh_arena_reset(a);
    }
    gh_arena_free(a);
    return NULL;
}

static void run_workers(gh_backend *b)
{
    worker w[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.b = b, .id = i};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        for (int k = 0; k < PER_THREAD; k++)
            assert_int_equal(w[i].answered[k], 1);
    }
}

static void concurrent(void **state)
{
    (void)state;
    gh_backend_options opt = {.dir = dir};
    const char *error;
    static gh_backend echo = {echo_exchange, NULL};
    gh_backend *rec = gh_backend_record_wrap(&echo, &opt, &error);
    assert_non_null(rec);
    run_workers(rec);
    gh_backend_free(rec);
    char *text = read_files("api.example.com-");
    size_t entries = 0;
    for (const char *p = text; (p = strstr(p, "\n  - request:\n")); p++)
        entries++;
    assert_int_equal(entries, THREADS * PER_THREAD);
    free(text);
    gh_backend *b = replay(true, NULL);
    run_workers(b);
    gh_backend_free(b);
}

static void copy_file(const char *from, const char *to_name)
{
    char src[600], dst[600], chunk[4096];
    snprintf(src, sizeof src, "%s/%s", getenv("GH_SOURCE_DIR") ? getenv("GH_SOURCE_DIR") : ".",
             from);
    snprintf(dst, sizeof dst, "%s/%s", dir, to_name);
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    assert_non_null(in);
    assert_non_null(out);
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, in)) > 0)
        fwrite(chunk, 1, got, out);
    fclose(in);
    fclose(out);
}

static void write_file(const char *name, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void har_import(void **state)
{
    (void)state;
    copy_file("tests/unit/data/replay/browser.har", "browser.har");
    /* The same export saved as .json: its entries join (identical, so the answers are). */
    copy_file("tests/unit/data/replay/browser.har", "export.json");
    /* A fixture file beside recordings is skipped, not an error. */
    write_file("api-20261128.yaml", "fixtures:\n  - name: x\n    request: {path: /dev/x}\n");
    gh_backend *b = replay(true, NULL);
    gh_arena *a = gh_arena_new(1024);
    static const struct {
        const char *method, *url, *body;
        size_t body_len;
        gh_backend_status st;
        int status;
        const char *content_type, *rs_body;
        size_t rs_len;
    } cases[] = {
        {"GET", "https://api.example.com/v1/pets?tag=a&limit=2", NONE, GH_BACKEND_OK, 200,
         "application/json", B("[{\"id\":1},{\"id\":2}]")},
        {"POST", "https://api.example.com/v1/upload", B("\x00\x01\x02\xff"), GH_BACKEND_OK,
         201, "image/png", B("\x89PN")},
        {"GET", "https://api.example.com/v1/blocked", NONE, GH_BACKEND_UNREACHABLE, 0, NULL,
         NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_backend_request rq = {.method = cases[i].method, .url = cases[i].url,
                                 .body = cases[i].body, .body_len = cases[i].body_len};
        gh_backend_response rs;
        const char *detail;
        assert_int_equal(gh_backend_exchange(b, a, &rq, &rs, &detail), cases[i].st);
        if (cases[i].st != GH_BACKEND_OK)
            continue;
        assert_int_equal(rs.status, cases[i].status);
        /* The body is decoded: its coding and length headers are dropped. */
        assert_int_equal(rs.headers.n, 1);
        assert_string_equal(gh_headers_get(&rs.headers, "content-type"), cases[i].content_type);
        assert_int_equal(rs.body_len, cases[i].rs_len);
        assert_memory_equal(rs.body, cases[i].rs_body, rs.body_len);
    }
    gh_arena_free(a);
    gh_backend_free(b);
}

static void load_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text, *error; /* error after "DIR/name:" */
    } cases[] = {
        {"a.yaml", "pets: []\n", "1:1: not a recordings file"},
        {"b.yaml", "recordings:\n  - request: {method: GET}\n", "2:14: a recorded request "
                                                                "needs an absolute 'url'"},
        {"c.yaml", "recordings:\n  - request: {url: \"http://x/\"}\n    response: {status: 99}\n",
         "3:24: response status must be a number from 100 to 599"},
        {"d.yaml", "recordings:\n  - request: {url: \"http://x/\"}\n    error: lost\n",
         "3:12: error must be timeout or unreachable"},
        {"e.yaml", "recordings:\n  - request: {url: \"http://x/\", bodyBase64: \"!!\"}\n"
                   "    response: {status: 200}\n", "2:45: bodyBase64 is not valid base64"},
        {"f.har", "{\"log\": {}}", "1:1: not a HAR file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        write_file(cases[i].name, cases[i].text);
        gh_backend_options opt = {.dir = dir, .match_body = true};
        const char *error = NULL;
        assert_null(gh_backend_replay(&opt, &error));
        char want[600];
        snprintf(want, sizeof want, "%s/%s:%s", dir, cases[i].name, cases[i].error);
        if (strncmp(error, want, strlen(want)))
            fail_msg("case %zu: %s\nwanted %s", i, error, want);
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].name);
        unlink(path);
    }
    /* An empty folder replays (every request then misses). */
    gh_backend *b = replay(true, NULL);
    gh_arena *a = gh_arena_new(1024);
    gh_backend_request rq = {.method = "GET", .url = "http://x/"};
    gh_backend_response rs;
    const char *detail;
    assert_int_equal(gh_backend_exchange(b, a, &rq, &rs, &detail), GH_BACKEND_NO_RECORDING);
    char want[600];
    snprintf(want, sizeof want, "no recording matches GET http://x/; %s holds no recordings", dir);
    assert_string_equal(detail, want);
    gh_arena_free(a);
    gh_backend_free(b);
    const char *error;
    gh_backend_options bad = {.dir = "/proc/no/such/place"};
    assert_null(gh_backend_record(&bad, &error));
    assert_non_null(strstr(error, "cannot create the recordings folder '/proc/no/such/place'"));
}

int main(void)
{
    gh_log_set_level(GH_LOG_WARN); /* "recording ... into" lines are for users */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(replays_what_was_recorded, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(redaction, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(matching, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(repeated_requests_in_order, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(concurrent, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(har_import, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(load_errors, make_dir, remove_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
