/* End to end: what docs/authorization.md and docs/troubleshooting.md show the binary
 * printing is what it prints. The `gatehouse routes examples/auth/api.yaml` transcript is
 * compared byte for byte; the quoted load warnings of resource-policy and identity-policy
 * conditions are compared after their position (the docs name the file api.yaml); a
 * policy whose IP range does not parse fails `validate` at that value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

static char *read_doc(const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", e2e_source_dir(), rel);
    char *text = e2e_read_file(path, NULL);
    assert_non_null(text);
    return text;
}

/* The text between `after` and the next "\n```" in doc, malloc'ed; fails when absent. */
static char *block_after(const char *doc, const char *after)
{
    const char *start = strstr(doc, after);
    assert_non_null(start);
    start += strlen(after);
    const char *end = strstr(start, "\n```");
    assert_non_null(end);
    size_t n = (size_t)(end - start) + 1; /* keep the last line's newline */
    char *out = malloc(n + 1);
    assert_non_null(out);
    memcpy(out, start, n);
    out[n] = '\0';
    return out;
}

static void run(const char *const argv[], char **out, char **err, int *code)
{
    assert_int_equal(e2e_run(argv, out, err, code), 0);
    assert_false(e2e_has_sanitizer_report(*err));
}

static void routes_transcript_is_true(void **state)
{
    (void)state;
    char *doc = read_doc("docs/authorization.md");
    char *want = block_after(doc, "$ gatehouse routes examples/auth/api.yaml\n");
    const char *const argv[] = {"routes", "examples/auth/api.yaml", NULL};
    char *out, *err;
    int code;
    run(argv, &out, &err, &code);
    assert_int_equal(code, 0);
    if (strcmp(out, want) != 0)
        fprintf(stderr, "docs/authorization.md shows:\n%s\ngatehouse prints:\n%s\n", want, out);
    assert_string_equal(out, want);
    free(out);
    free(err);
    free(want);
    free(doc);
}

/* Whether some line of `got` is "file:LINE:COL: " followed by exactly message. */
static bool has_message(const char *got, const char *file, const char *message)
{
    size_t fl = strlen(file), ml = strlen(message);
    for (const char *line = got; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > fl && strncmp(line, file, fl) == 0) {
            const char *p = line + fl;
            for (int colons = 0; colons < 3 && p < line + len;)
                colons += *p++ == ':';
            if (p < line + len && *p == ' ' && (size_t)(line + len - p - 1) == ml &&
                strncmp(p + 1, message, ml) == 0)
                return true;
        }
        line = nl ? nl + 1 : NULL;
    }
    return false;
}

static void quoted_condition_warnings_are_true(void **state)
{
    (void)state;
    static const char *const docs[] = {"docs/troubleshooting.md", "docs/authorization.md"};
    static const char *const quoted[] = {
        "warning: x-amazon-apigateway-policy: Statement[1] uses condition operator "
        "NumericLessThan, which gatehouse does not evaluate: calls this statement applies to "
        "are denied, as by an explicit Deny, whatever its Effect (use a supported operator "
        "and key, see docs/authorization.md)",
        "warning: credentials 'AKIAGATEHOUSEEXAMPLE' policy: Statement[0] uses condition "
        "operator DateLessThan, which gatehouse does not evaluate: calls this statement "
        "applies to are denied, as by an explicit Deny, whatever its Effect (use a supported "
        "operator and key, see docs/authorization.md)",
    };
    const char *const argv[] = {"validate", "specs/tests/auth-conditions.yaml", NULL};
    char *out, *err;
    int code;
    run(argv, &out, &err, &code);
    assert_int_equal(code, 0); /* warnings only */
    for (size_t i = 0; i < sizeof quoted / sizeof *quoted; i++) {
        if (!has_message(err, "specs/tests/auth-conditions.yaml", quoted[i]))
            fprintf(stderr, "not printed: %s\nstderr:\n%s\n", quoted[i], err);
        assert_true(has_message(err, "specs/tests/auth-conditions.yaml", quoted[i]));
    }
    /* the first is quoted in both documents, the second in troubleshooting.md */
    for (size_t d = 0; d < 2; d++) {
        char *doc = read_doc(docs[d]);
        for (size_t i = 0; i < (d == 0 ? 2u : 1u); i++) {
            if (!strstr(doc, quoted[i]))
                fprintf(stderr, "%s does not quote: %s\n", docs[d], quoted[i]);
            assert_non_null(strstr(doc, quoted[i]));
        }
        free(doc);
    }
    free(out);
    free(err);
}

static void unparsable_ip_range_fails_at_the_value(void **state)
{
    (void)state;
    char dir[] = "/tmp/gh_authdocs_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/api.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("openapi: 3.0.1\n"
          "info: {title: ip, version: '1'}\n"
          "paths: {}\n"
          "x-amazon-apigateway-policy:\n"
          "  Statement:\n"
          "  - Effect: Deny\n"
          "    Principal: '*'\n"
          "    Action: execute-api:Invoke\n"
          "    Resource: execute-api:/*\n"
          "    Condition: {NotIpAddress: {aws:SourceIp: [127.0.0.0/8, 10.0.0.0/33]}}\n",
          f);
    fclose(f);
    const char *const argv[] = {"validate", path, NULL};
    char *out, *err;
    int code;
    run(argv, &out, &err, &code);
    assert_int_equal(code, 1);
    char want[512];
    snprintf(want, sizeof want,
             "%s:10:60: error: x-amazon-apigateway-policy: Statement[0].Condition.NotIpAddress."
             "aws:SourceIp: 10.0.0.0/33 is not an IP address or CIDR",
             path);
    if (!strstr(err, want))
        fprintf(stderr, "want %s\nstderr:\n%s\n", want, err);
    assert_non_null(strstr(err, want));
    free(out);
    free(err);
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes_transcript_is_true),
        cmocka_unit_test(quoted_condition_warnings_are_true),
        cmocka_unit_test(unparsable_ip_range_fails_at_the_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
