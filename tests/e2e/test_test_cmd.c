/* `gatehouse test` end to end: the real binary runs fixture files against
 * examples/petstore/api.yaml served in-process. A passing and a failing file (exit codes
 * and the diff), the JUnit report validated against tests/e2e/data/junit.xsd with
 * xmllint, TAP 13, --shard (disjoint and complete), --jobs 2 (same output), --update
 * (rewrites only the values that differed), --seed and --clock (repeatable ids, a
 * frozen requestTimeEpoch), usage errors, and every fixture file of the repository
 * against fixtures/fixture.schema.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e.h"

#define API "examples/petstore/api.yaml"
#define PASSING "specs/tests/fixtures/petstore.yaml"
#define FAILING "specs/tests/fixtures-failing/petstore-wrong.yaml"

typedef struct run {
    char *out, *err;
    int code;
} run;

static run gh(const char *const argv[])
{
    run r = {0};
    assert_int_equal(e2e_run(argv, &r.out, &r.err, &r.code), 0);
    if (e2e_has_sanitizer_report(r.err))
        fail_msg("sanitizer report:\n%s", r.err);
    return r;
}

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static char *temp_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/gh_testcmd_XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            remove(p);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

static void passing(void **state)
{
    (void)state;
    run r = gh((const char *const[]){"test", API, PASSING, NULL});
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "ok   " PASSING ": health answers\n"));
    assert_non_null(strstr(r.out, "ok   " PASSING ": read the captured pet\n"));
    assert_non_null(strstr(r.out, "3 fixtures in 1 file: 3 passed, 0 failed\n"));
    assert_null(strstr(r.out, "\033[")); /* not a terminal: no colour */
    run_free(&r);
}

/* The project eats its own food: the petstore example's contract passes. */
static void petstore_suite(void **state)
{
    (void)state;
    run r = gh((const char *const[]){"test", API, "examples/petstore/fixtures", NULL});
    if (r.code != 0)
        fail_msg("exit %d:\n%s", r.code, r.out);
    assert_non_null(strstr(r.out, " passed, 0 failed\n"));
    run_free(&r);
}

static void failing(void **state)
{
    (void)state;
    run r = gh((const char *const[]){"test", API, "--fixtures", FAILING, NULL});
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.out, "FAIL " FAILING ": wrong status and member\n"
                                  "    status\n      expected: 404\n      actual:   200\n"
                                  "    header Content-Type\n      expected: text/plain\n"
                                  "      actual:   application/json\n"
                                  "    json $.type\n      expected: \"cat\"\n"
                                  "      actual:   \"dog\"\n"));
    assert_non_null(strstr(r.out, "ok   " FAILING ": still passes\n"));
    assert_non_null(strstr(r.out, "why:      unknown variable 'nope'"));
    assert_non_null(strstr(r.out, "3 fixtures in 1 file: 1 passed, 2 failed\n"));
    run_free(&r);
}

static void junit_and_tap(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char xml[128];
    snprintf(xml, sizeof xml, "%s/report.xml", dir);
    run r = gh((const char *const[]){"test", API, PASSING, FAILING, "--junit", xml, "--tap", NULL});
    assert_int_equal(r.code, 1);
    /* TAP on stdout, the readable report on stderr; files in sorted order ("-" < "/"). */
    assert_int_equal(strncmp(r.out, "TAP version 13\n1..6\n", 20), 0);
    assert_int_equal(count(r.out, "\nok "), 4);
    assert_int_equal(count(r.out, "\nnot ok "), 2);
    assert_non_null(strstr(r.out, "not ok 1 - " FAILING ": wrong status and member\n  ---\n"
                                  "  failures:\n    - check: \"status\"\n"
                                  "      expected: \"404\"\n      actual: \"200\"\n"));
    assert_non_null(strstr(r.err, "FAIL " FAILING));

    char *x = e2e_read_file(xml, NULL);
    assert_non_null(x);
    assert_non_null(strstr(x, "<testsuites name=\"gatehouse test\" tests=\"6\" failures=\"2\" "
                              "errors=\"0\""));
    assert_int_equal(count(x, "<testsuite "), 2);
    assert_int_equal(count(x, "<testcase "), 6);
    assert_int_equal(count(x, "<failure "), 2);
    assert_non_null(strstr(x, "<testsuite name=\"petstore basics\" tests=\"3\" failures=\"0\""));
    free(x);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "xmllint --noout --schema tests/e2e/data/junit.xsd %s 2>&1", xml);
    int rc = system(cmd);
    if (WEXITSTATUS(rc) == 127)
        fail_msg("xmllint is missing: install Debian's libxml2-utils (.ci/install-deps)");
    assert_int_equal(WEXITSTATUS(rc), 0);
    run_free(&r);
    remove_dir(dir);
}

/* A folder of n small fixture files. */
static char *suite(size_t n)
{
    char *dir = temp_dir();
    char p[256], text[512];
    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/f%02zu.yaml", dir, i);
        snprintf(text, sizeof text, "fixtures:\n  - name: health %zu\n    request: {path: /dev/health}\n"
                 "    expect: {status: %d}\n", i, i % 5 == 4 ? 500 : 200);
        write_file(p, text);
    }
    return dir;
}

static void shards(void **state)
{
    (void)state;
    enum { FILES = 12, SHARDS = 3 };
    char *dir = suite(FILES);
    size_t seen[FILES] = {0}, total = 0;
    for (int s = 1; s <= SHARDS; s++) {
        char shard[16];
        snprintf(shard, sizeof shard, "%d/%d", s, SHARDS);
        run r = gh((const char *const[]){"test", API, dir, "--shard", shard, "--tap", NULL});
        for (size_t i = 0; i < FILES; i++) {
            char name[64];
            snprintf(name, sizeof name, ": health %zu\n", i);
            seen[i] += count(r.out, name);
        }
        total += count(r.out, "ok ");
        run_free(&r);
    }
    for (size_t i = 0; i < FILES; i++)
        assert_int_equal(seen[i], 1); /* every file in exactly one shard */
    assert_int_equal(total, FILES);
    remove_dir(dir);
}

static void jobs(void **state)
{
    (void)state;
    char *dir = suite(10);
    run one = gh((const char *const[]){"test", API, "--fixtures", dir, NULL});
    run two = gh((const char *const[]){"test", API, "--fixtures", dir, "--jobs", "2", NULL});
    assert_int_equal(one.code, 1);
    assert_int_equal(two.code, 1);
    assert_string_equal(one.out, two.out);
    assert_non_null(strstr(one.out, "10 fixtures in 10 files: 8 passed, 2 failed\n"));
    run_free(&one);
    run_free(&two);
    remove_dir(dir);
}

static void update(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/wrong.yaml", dir);
    char *orig = e2e_read_file(FAILING, NULL);
    write_file(path, orig);
    run r = gh((const char *const[]){"test", API, path, "--update", "wrong status and member", NULL});
    assert_int_equal(r.code, 1); /* "unknown variable" was not named: still fails */
    assert_non_null(strstr(r.out, ":8:15: fixture 'wrong status and member' status: 404 -> 200\n"));
    assert_non_null(strstr(r.out, "header Content-Type: text/plain -> \"application/json\"\n"));
    char *now = e2e_read_file(path, NULL);
    /* Only the three values changed; every other byte is where it was. */
    char *want = strdup(orig);
    const char *from[] = {"status: 404", "Content-Type: text/plain", "json: {type: cat}"};
    const char *to[] = {"status: 200", "Content-Type: \"application/json\"",
                        "json: {\"id\": 1, \"price\": 250, \"type\": \"dog\"}"};
    for (size_t i = 0; i < 3; i++) {
        char *at = strstr(want, from[i]);
        assert_non_null(at);
        size_t head = (size_t)(at - want);
        char *next = malloc(strlen(want) + strlen(to[i]) + 1);
        snprintf(next, strlen(want) + strlen(to[i]) + 1, "%.*s%s%s", (int)head, want, to[i],
                 at + strlen(from[i]));
        free(want);
        want = next;
    }
    assert_string_equal(now, want);
    run_free(&r);
    r = gh((const char *const[]){"test", API, path, NULL});
    assert_non_null(strstr(r.out, "ok   "));
    assert_non_null(strstr(r.out, ": wrong status and member\n"));
    assert_non_null(strstr(r.out, "3 fixtures in 1 file: 2 passed, 1 failed\n"));
    run_free(&r);
    free(want);
    free(now);
    free(orig);
    remove_dir(dir);
}

/* --seed makes request ids repeatable: --update-all records one run's id, a second run
 * with the same seed matches it. --clock freezes requestTimeEpoch. */
static void seed_and_clock(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/ids.yaml", dir);
    write_file(path, "fixtures:\n  - name: echo\n    request: {path: /dev/echo/x}\n"
                     "    expect:\n      headers: {x-amzn-RequestId: 'unknown'}\n"
                     "      jsonpath: {$.event.requestContext.requestTimeEpoch: 1700000000000}\n");
    const char *const argv[] = {"test", API, path, "--seed", "42", "--clock", "1700000000000",
                                "--update-all", NULL};
    run r = gh(argv);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "header x-amzn-RequestId: 'unknown' -> \""));
    run_free(&r);
    r = gh((const char *const[]){"test", API, path, "--seed", "42", "--clock", "1700000000000", NULL});
    assert_int_equal(r.code, 0);
    run_free(&r);
    r = gh((const char *const[]){"test", API, path, "--seed", "43", "--clock", "1700000000000", NULL});
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.out, "header x-amzn-RequestId"));
    run_free(&r);
    remove_dir(dir);
}

static void usage_errors(void **state)
{
    (void)state;
    static const char *const cases[][8] = {
        {"test", PASSING, NULL},                       /* no definition */
        {"test", API, NULL},                           /* no fixtures */
        {"test", API, PASSING, "--shard", "0/2", NULL},
        {"test", API, PASSING, "--shard", "3/2", NULL},
        {"test", API, PASSING, "--jobs", "0", NULL},
        {"test", "--target", "ftp://x", PASSING, NULL},
        {"test", "--target", "http://127.0.0.1:1", API, PASSING, NULL},
        /* --record/--replay set the in-process emulator's backends (found by review) */
        {"test", "--target", "http://127.0.0.1:1", PASSING, "--replay", "/nonexistent", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run r = gh(cases[i]);
        if (r.code != 2)
            fail_msg("case %zu: exit %d\n%s", i, r.code, r.err);
        run_free(&r);
    }
    /* A request body with a NUL is sent whole (found by review: it was cut at the NUL). */
    run nul = gh((const char *const[]){"test", API, "specs/tests/nul-body.yaml", NULL});
    if (nul.code != 0)
        fail_msg("nul-body.yaml: exit %d\n%s%s", nul.code, nul.out, nul.err);
    run_free(&nul);
    /* A target that does not answer fails every fixture, with curl's reason. */
    run r = gh((const char *const[]){"test", "--target", "http://127.0.0.1:1", PASSING, NULL});
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.out, "no response: "));
    run_free(&r);
}

/* A fixture file that does not load: its problems at their positions, one failure, and
 * the other files still run. */
static void broken_file(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/broken.yaml", dir);
    write_file(path, "fixtures:\n  - name: a\n    request:\n      path: dev/x\n"
                     "    expect: {status: 9}\n");
    run r = gh((const char *const[]){"test", API, path, PASSING, NULL});
    assert_int_equal(r.code, 1);
    char want[1024];
    snprintf(want, sizeof want, "FAIL %s: does not load\n    %s:4:13: request.path 'dev/x' "
             "must start with '/'; write /dev/x\n    %s:5:22: expect.status", path, path, path);
    if (!strstr(r.out, want))
        fail_msg("missing:\n%s\nin:\n%s", want, r.out);
    assert_non_null(strstr(r.out, "4 fixtures in 2 files: 3 passed, 1 failed\n"));
    run_free(&r);
    r = gh((const char *const[]){"test", API, "--fixtures", "no/such/dir", NULL});
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.err, "no/such/dir: error: cannot open"));
    run_free(&r);
    remove_dir(dir);
}

/* Every fixture file in the repository validates against the JSON Schema of the format.
 * Debian's python3 first: .ci/install-deps puts python3-jsonschema there, and a python3
 * earlier on PATH (pyenv, a venv) may not have it. */
#define PYTHON "if [ -x /usr/bin/python3 ]; then /usr/bin/python3 \"$@\"; else python3 \"$@\"; fi"
static void schema(void **state)
{
    (void)state;
    int rc = system(
        "sh -c '" PYTHON "' python -c '\n"
        "import glob, json, sys, yaml, jsonschema\n"
        "s = json.load(open(\"fixtures/fixture.schema.json\"))\n"
        "jsonschema.Draft202012Validator.check_schema(s)\n"
        "v = jsonschema.Draft202012Validator(s)\n"
        "n = 0\n"
        "for f in glob.glob(\"**/*.y*ml\", recursive=True) + glob.glob(\"**/*.json\", recursive=True):\n"
        "    if f.startswith((\"build\", \".git\", \"tests/fuzz\")): continue\n"
        "    t = open(f, errors=\"replace\").read()\n"
        "    if not (t.startswith(\"fixtures:\") or \"\\nfixtures:\" in t): continue\n"
        "    v.validate(yaml.safe_load(t)); n += 1\n"
        "sys.exit(0 if n >= 2 else 3)\n'");
    if (WEXITSTATUS(rc) == 1 &&
        system("sh -c '" PYTHON "' python -c 'import jsonschema, yaml'") != 0)
        fail_msg("python3-jsonschema and python3-yaml are missing (.ci/install-deps)");
    assert_int_equal(WEXITSTATUS(rc), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passing),        cmocka_unit_test(petstore_suite),
        cmocka_unit_test(failing),
        cmocka_unit_test(junit_and_tap),  cmocka_unit_test(shards),
        cmocka_unit_test(jobs),           cmocka_unit_test(update),
        cmocka_unit_test(seed_and_clock), cmocka_unit_test(usage_errors),
        cmocka_unit_test(broken_file),    cmocka_unit_test(schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
