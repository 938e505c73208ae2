/* Reports of a `gatehouse test` run: human, JUnit XML, TAP 13 (see report.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/report.h"
#include "util/buf.h"
#include "util/utf8.h"

/* Bodies longer than this are cut in the diff (the JUnit file gets the same text). */
#define DIFF_MAX 2000

#define RED "\033[31m"
#define GREEN "\033[32m"
#define DIM "\033[2m"
#define RESET "\033[0m"

bool gh_report_use_color(FILE *out)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(out)) && !(nc && *nc);
}

/* Text fit for a terminal line or an XML/YAML value: valid UTF-8, cut at DIFF_MAX. */
static char *clean(const char *s)
{
    size_t n = s ? strlen(s) : 0, cut = n > DIFF_MAX ? DIFF_MAX : n;
    char *out = malloc(3 * cut + 64);
    size_t len = gh_utf8_repair(s ? s : "", cut, out);
    if (cut < n)
        snprintf(out + len, 64, "... (%zu more bytes)", n - cut);
    return out;
}

/* Writes text, continuation lines indented to line up under the first. */
static void put_indented(FILE *out, const char *text, const char *indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, out);
        if (*p == '\n' && p[1])
            fputs(indent, out);
    }
}

static void put_failure(FILE *out, const gh_fx_failure *f, bool color)
{
    fprintf(out, "    %s%s%s\n", color ? DIM : "", f->what && *f->what ? f->what : "check",
            color ? RESET : "");
    if (f->expected) {
        char *e = clean(f->expected);
        fprintf(out, "      expected: %s", color ? GREEN : "");
        put_indented(out, e, "                ");
        fprintf(out, "%s\n", color ? RESET : "");
        free(e);
    }
    if (f->actual) {
        char *a = clean(f->actual);
        fprintf(out, "      actual:   %s", color ? RED : "");
        put_indented(out, a, "                ");
        fprintf(out, "%s\n", color ? RESET : "");
        free(a);
    }
    if (f->message) {
        fputs("      why:      ", out);
        put_indented(out, f->message, "                ");
        fputc('\n', out);
    }
}

void gh_report_file(FILE *out, const gh_fx_file_result *fr, bool color)
{
    if (!fr->file) {
        fprintf(out, color ? RED "✗" RESET " %s: does not load\n" : "FAIL %s: does not load\n",
                fr->path);
        fputs("    ", out);
        put_indented(out, fr->load_error ? fr->load_error : "", "    ");
        return;
    }
    for (size_t i = 0; i < fr->n; i++) {
        const gh_fx_result *r = &fr->results[i];
        if (color)
            fprintf(out, "%s %s: %s\n", r->passed ? GREEN "✓" RESET : RED "✗" RESET, fr->path,
                    r->fixture->name);
        else
            fprintf(out, "%s %s: %s\n", r->passed ? "ok  " : "FAIL", fr->path, r->fixture->name);
        for (size_t k = 0; k < r->nfails; k++)
            put_failure(out, &r->fails[k], color);
    }
}

void gh_report_summary(FILE *out, const gh_fx_file_result *frs, size_t n, bool color)
{
    size_t total = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        total += frs[i].file ? frs[i].n : 1;
        failed += frs[i].failed;
    }
    fprintf(out, "%s%zu fixture%s in %zu file%s: %zu passed, %zu failed%s\n",
            color ? (failed ? RED : GREEN) : "", total, total == 1 ? "" : "s", n,
            n == 1 ? "" : "s", total - failed, failed, color ? RESET : "");
}

/* attr: inside an attribute value, where line breaks must be written as references to
 * survive attribute-value normalisation. */
static void xml_esc(gh_buf *b, const char *s, bool attr)
{
    char *c = clean(s);
    for (const unsigned char *p = (const unsigned char *)c; *p; p++) {
        switch (*p) {
        case '&': gh_buf_puts(b, "&amp;"); break;
        case '<': gh_buf_puts(b, "&lt;"); break;
        case '>': gh_buf_puts(b, "&gt;"); break;
        case '"': gh_buf_puts(b, "&quot;"); break;
        case '\n': gh_buf_puts(b, attr ? "&#10;" : "\n"); break;
        case '\t': gh_buf_puts(b, attr ? "&#9;" : "\t"); break;
        case '\r': gh_buf_puts(b, "&#13;"); break;
        default:
            /* XML 1.0 has no way to write the other control characters. */
            gh_buf_putc(b, *p < 0x20 ? '?' : (char)*p);
        }
    }
    free(c);
}

static void xml_text(gh_buf *b, const char *s)
{
    xml_esc(b, s, true);
}

/* One line per failed check, for the failure's message attribute and text. */
static void failure_text(gh_buf *b, const gh_fx_result *r)
{
    for (size_t k = 0; k < r->nfails; k++) {
        const gh_fx_failure *f = &r->fails[k];
        gh_buf_printf(b, "%s%s", k ? "\n" : "", f->what && *f->what ? f->what : "check");
        if (f->expected)
            gh_buf_printf(b, "\n  expected: %s", f->expected);
        if (f->actual)
            gh_buf_printf(b, "\n  actual:   %s", f->actual);
        if (f->message)
            gh_buf_printf(b, "\n  why:      %s", f->message);
    }
}

int gh_report_junit(const char *path, const gh_fx_file_result *frs, size_t n)
{
    gh_buf b = GH_BUF_INIT;
    size_t tests = 0, failures = 0, errors = 0;
    double secs = 0;
    for (size_t i = 0; i < n; i++) {
        tests += frs[i].file ? frs[i].n : 1;
        failures += frs[i].file ? frs[i].failed : 0;
        errors += frs[i].file ? 0 : 1;
        secs += frs[i].seconds;
    }
    gh_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    gh_buf_printf(&b, "<testsuites name=\"gatehouse test\" tests=\"%zu\" failures=\"%zu\" "
                  "errors=\"%zu\" time=\"%.3f\">\n", tests, failures, errors, secs);
    for (size_t i = 0; i < n; i++) {
        const gh_fx_file_result *fr = &frs[i];
        gh_buf_puts(&b, "  <testsuite name=\"");
        xml_text(&b, fr->file ? fr->file->name : fr->path);
        gh_buf_printf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" skipped=\"0\" "
                      "time=\"%.3f\" file=\"", fr->file ? fr->n : 1,
                      fr->file ? fr->failed : 0, fr->file ? 0 : 1, fr->seconds);
        xml_text(&b, fr->path);
        gh_buf_puts(&b, "\">\n");
        if (!fr->file) {
            gh_buf_puts(&b, "    <testcase name=\"(load)\" classname=\"");
            xml_text(&b, fr->path);
            gh_buf_puts(&b, "\" time=\"0.000\">\n      <error message=\"the fixture file does "
                        "not load\" type=\"load\">");
            xml_esc(&b, fr->load_error, false);
            gh_buf_puts(&b, "</error>\n    </testcase>\n  </testsuite>\n");
            continue;
        }
        for (size_t k = 0; k < fr->n; k++) {
            const gh_fx_result *r = &fr->results[k];
            gh_buf_puts(&b, "    <testcase name=\"");
            xml_text(&b, r->fixture->name);
            gh_buf_puts(&b, "\" classname=\"");
            xml_text(&b, fr->path);
            gh_buf_printf(&b, "\" time=\"%.3f\"", r->seconds);
            if (r->passed) {
                gh_buf_puts(&b, "/>\n");
                continue;
            }
            gh_buf t = GH_BUF_INIT;
            failure_text(&t, r);
            const gh_fx_failure *f = &r->fails[0];
            gh_buf m = GH_BUF_INIT;
            gh_buf_printf(&m, "%s", f->what && *f->what ? f->what : "check");
            if (f->expected && f->actual)
                gh_buf_printf(&m, ": expected %s, got %s", f->expected, f->actual);
            else if (f->message)
                gh_buf_printf(&m, ": %s", f->message);
            if (r->nfails > 1)
                gh_buf_printf(&m, " (and %zu more)", r->nfails - 1);
            gh_buf_puts(&b, ">\n      <failure message=\"");
            xml_text(&b, m.data);
            gh_buf_puts(&b, "\" type=\"mismatch\">");
            xml_esc(&b, t.data, false);
            gh_buf_puts(&b, "</failure>\n    </testcase>\n");
            gh_buf_free(&t);
            gh_buf_free(&m);
        }
        gh_buf_puts(&b, "  </testsuite>\n");
    }
    gh_buf_puts(&b, "</testsuites>\n");
    FILE *fp = fopen(path, "wb");
    int rc = -1;
    if (fp) {
        rc = fwrite(b.data, 1, b.len, fp) == b.len ? 0 : -1;
        rc = fclose(fp) == 0 ? rc : -1;
    }
    gh_buf_free(&b);
    return rc;
}

/* A YAML double-quoted scalar (JSON string syntax is valid YAML). */
static void yaml_str(FILE *out, const char *s)
{
    char *c = clean(s);
    json_t *j = json_string(c);
    char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    fputs(q ? q : "\"\"", out);
    free(q);
    json_decref(j);
    free(c);
}

void gh_report_tap(FILE *out, const gh_fx_file_result *frs, size_t n)
{
    size_t total = 0, num = 0;
    for (size_t i = 0; i < n; i++)
        total += frs[i].file ? frs[i].n : 1;
    fprintf(out, "TAP version 13\n1..%zu\n", total);
    for (size_t i = 0; i < n; i++) {
        const gh_fx_file_result *fr = &frs[i];
        if (!fr->file) {
            fprintf(out, "not ok %zu - %s: does not load\n  ---\n  message: ", ++num, fr->path);
            yaml_str(out, fr->load_error);
            fputs("\n  ...\n", out);
            continue;
        }
        for (size_t k = 0; k < fr->n; k++) {
            const gh_fx_result *r = &fr->results[k];
            /* '#' starts a TAP directive: keep it out of the description. */
            gh_buf d = GH_BUF_INIT;
            gh_buf_printf(&d, "%s: %s", fr->path, r->fixture->name);
            for (size_t c = 0; c < d.len; c++)
                if (d.data[c] == '#' || d.data[c] == '\n')
                    d.data[c] = ' ';
            fprintf(out, "%s %zu - %s\n", r->passed ? "ok" : "not ok", ++num, d.data);
            gh_buf_free(&d);
            if (r->passed)
                continue;
            fputs("  ---\n  failures:\n", out);
            for (size_t c = 0; c < r->nfails; c++) {
                const gh_fx_failure *f = &r->fails[c];
                fputs("    - check: ", out);
                yaml_str(out, f->what && *f->what ? f->what : "check");
                if (f->expected) {
                    fputs("\n      expected: ", out);
                    yaml_str(out, f->expected);
                }
                if (f->actual) {
                    fputs("\n      actual: ", out);
                    yaml_str(out, f->actual);
                }
                if (f->message) {
                    fputs("\n      message: ", out);
                    yaml_str(out, f->message);
                }
                fputc('\n', out);
            }
            fputs("  ...\n", out);
        }
    }
}
