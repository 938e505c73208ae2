/* Rewriting expected values in a fixture file from actual answers (update.h). */
#include <stdlib.h>
#include <string.h>

#include "harness/update.h"
#include "template/vtl_json.h"
#include "util/buf.h"

bool gh_fx_update_selected(const char *name, const char *const *names, size_t nnames, bool all)
{
    if (all)
        return true;
    for (size_t i = 0; i < nnames; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

/* libyaml counts columns in characters; the file is UTF-8. */
static size_t offset_of(const char *src, size_t len, gh_mark m)
{
    size_t i = 0;
    for (unsigned line = 1; line < m.line && i < len; i++)
        if (src[i] == '\n')
            line++;
    for (unsigned col = 1; col < m.col && i < len && src[i] != '\n'; col++) {
        i++;
        while (i < len && ((unsigned char)src[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

static size_t quoted_end(const char *s, size_t len, size_t i)
{
    char q = s[i++];
    while (i < len) {
        if (q == '"' && s[i] == '\\') {
            i += 2;
            continue;
        }
        if (s[i] == q) {
            if (q == '\'' && i + 1 < len && s[i + 1] == '\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return 0;
}

static size_t flow_end(const char *s, size_t len, size_t i)
{
    int depth = 0;
    while (i < len) {
        char c = s[i];
        if (c == '"' || c == '\'') {
            size_t e = quoted_end(s, len, i);
            if (!e)
                return 0;
            i = e;
            continue;
        }
        if (c == '#' && i && (s[i - 1] == ' ' || s[i - 1] == '\n')) {
            while (i < len && s[i] != '\n')
                i++;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
        i++;
    }
    return 0;
}

/* A block collection whose first entry starts at column col0 (0-based): the lines
 * after it that are indented deeper (or, for a list, as deep and starting with "- ")
 * belong to it; blank and comment lines in between go with it only if more follow. */
static size_t block_end(const char *s, size_t len, size_t i, size_t col0, bool seq)
{
    size_t end = i;
    while (end < len && s[end] != '\n')
        end++;
    size_t p = end;
    while (p < len) {
        size_t line = p + 1, k = line, indent = 0;
        while (k < len && s[k] == ' ')
            k++, indent++;
        size_t eol = k;
        while (eol < len && s[eol] != '\n')
            eol++;
        bool blank = k >= len || s[k] == '\n' || s[k] == '#' || s[k] == '\r';
        if (!blank) {
            /* A map's entries sit at col0 or deeper; a list's items may sit at col0 only
             * as "- " entries (a list under a key may be as deep as the key). */
            bool dash = s[k] == '-' && (k + 1 >= len || s[k + 1] == ' ' || s[k + 1] == '\n');
            bool inside = indent > col0 || (indent == col0 && (!seq || dash));
            if (!inside)
                break;
            end = eol;
        }
        p = eol;
        if (p >= len)
            break;
    }
    return end;
}

bool gh_fx_value_span(const char *src, size_t len, const gh_node *n, size_t *start, size_t *end)
{
    if (!src || !n->mark.line)
        return false;
    size_t i = offset_of(src, len, n->mark);
    if (i >= len)
        return false;
    size_t e = 0;
    char c = src[i];
    if (c == '"' || c == '\'')
        e = quoted_end(src, len, i);
    else if (c == '{' || c == '[')
        e = flow_end(src, len, i);
    else if (c == '|' || c == '>')
        return false;
    else if (n->kind == GH_NODE_MAP || n->kind == GH_NODE_SEQ) {
        size_t ls = i;
        while (ls && src[ls - 1] != '\n')
            ls--;
        e = block_end(src, len, i, i - ls, n->kind == GH_NODE_SEQ);
    } else if (n->text && !strchr(n->text, '\n') && i + n->len <= len &&
               !memcmp(src + i, n->text, n->len))
        e = i + n->len;
    if (!e)
        return false;
    *start = i;
    *end = e;
    return true;
}

typedef struct edit {
    size_t start, end;
    char *text;
} edit;

typedef struct editor {
    const gh_fx_file_result *fr;
    edit *items;
    size_t n, cap;
    FILE *log;
} editor;

static bool uses_var(const gh_node *n)
{
    if (n->text && strstr(n->text, "${"))
        return true;
    for (size_t i = 0; n->kind == GH_NODE_SEQ && i < n->n; i++)
        if (uses_var(n->items[i]))
            return true;
    for (size_t i = 0; n->kind == GH_NODE_MAP && i < n->n; i++)
        if (uses_var(n->pairs[i].value))
            return true;
    return false;
}

static char *quoted(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    char *q = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    return q;
}

/* Queues the rewrite of node n to text (ownership of text moves); false when n cannot
 * be rewritten (said on the log). */
static bool replace(editor *ed, const char *fixture, const char *what, const gh_node *n,
                    char *text)
{
    const gh_doc *doc = ed->fr->file->doc;
    size_t s, e;
    if (!text) {
        fprintf(ed->log, "not updated %s:%u:%u: fixture '%s' %s: the actual value is not UTF-8 "
                "text (check it with bodyFile); edit it by hand\n",
                doc->path, n->mark.line, n->mark.col, fixture, what);
        return false;
    }
    if (uses_var(n)) {
        fprintf(ed->log, "not updated %s:%u:%u: fixture '%s' %s uses a ${variable}; edit it "
                "by hand\n", doc->path, n->mark.line, n->mark.col, fixture, what);
        free(text);
        return false;
    }
    if (!gh_fx_value_span(doc->source, doc->source_len, n, &s, &e)) {
        fprintf(ed->log, "not updated %s:%u:%u: fixture '%s' %s is a block scalar or spans "
                "lines; write it on one line (quoted) to let --update rewrite it\n",
                doc->path, n->mark.line, n->mark.col, fixture, what);
        free(text);
        return false;
    }
    fprintf(ed->log, "updated %s:%u:%u: fixture '%s' %s: %.*s -> %s\n", doc->path,
            n->mark.line, n->mark.col, fixture, what, (int)(e - s), doc->source + s, text);
    if (ed->n == ed->cap) {
        ed->cap = ed->cap ? ed->cap * 2 : 8;
        ed->items = realloc(ed->items, ed->cap * sizeof *ed->items);
    }
    ed->items[ed->n++] = (edit){s, e, text};
    return true;
}

/* The new text of expect.json. A block list may sit as deep as its key ("json:\n- 1"),
 * where a flow value would be too shallow: it stays a block list of one-line JSON items
 * (or, when the body is no list, the JSON moves two columns deeper). Anything else is
 * one line of JSON, which YAML reads as a flow value. */
static char *block_list_text(const gh_node *old, const gh_doc *doc, const json_t *j)
{
    size_t s, e;
    bool block = old->kind == GH_NODE_SEQ &&
                 gh_fx_value_span(doc->source, doc->source_len, old, &s, &e) &&
                 doc->source[s] == '-';
    if (!block)
        return json_dumps(j, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    gh_buf b = GH_BUF_INIT;
    if (!json_is_array(j) || json_array_size(j) == 0) {
        char *t = json_dumps(j, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
        gh_buf_printf(&b, "  %s", t);
        free(t);
    }
    size_t i;
    json_t *item;
    json_array_foreach(j, i, item) {
        char *t = json_dumps(item, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
        if (i)
            gh_buf_printf(&b, "\n%*s", (int)(old->mark.col - 1), "");
        gh_buf_printf(&b, "- %s", t);
        free(t);
    }
    return gh_buf_steal(&b, NULL);
}

/* The value of header `what` ("header Name") among the expected ones. */
static const gh_node *expected_header(const gh_fixture *f, const char *what)
{
    for (size_t i = 0; f->exp_headers && i < f->exp_headers->n; i++)
        if (!strcmp(what + 7, f->exp_headers->pairs[i].key->text))
            return f->exp_headers->pairs[i].value;
    return NULL;
}

/* Every failure of r rewritten? */
static bool update_fixture(editor *ed, const gh_fx_result *r)
{
    const gh_fixture *f = r->fixture;
    const char *name = f->name;
    if (!r->sent) {
        fprintf(ed->log, "not updated: fixture '%s' got no response\n", name);
        return false;
    }
    bool all = true, json_done = false;
    for (size_t i = 0; i < r->nfails; i++) {
        const gh_fx_failure *fl = &r->fails[i];
        const gh_fx_response *resp = &r->resp;
        switch (fl->check) {
        case GH_FX_STATUS: {
            char *t = malloc(24);
            snprintf(t, 24, "%ld", resp->status);
            all = replace(ed, name, "status", f->status, t) && all;
            break;
        }
        case GH_FX_HEADER: {
            const gh_node *h = expected_header(f, fl->what);
            if (!h || gh_fixture_matcher(h) || !fl->actual || !strcmp(fl->actual, "(absent)")) {
                fprintf(ed->log, "not updated: fixture '%s' %s is a regex or absent check, or "
                        "the header is missing; edit it by hand\n", name, fl->what);
                all = false;
                break;
            }
            all = replace(ed, name, fl->what, h, quoted(fl->actual, strlen(fl->actual))) && all;
            break;
        }
        case GH_FX_BODY:
            all = replace(ed, name, "body", f->exp_body, quoted(resp->body, resp->body_len)) &&
                  all;
            break;
        case GH_FX_JSON: {
            if (json_done)
                break;
            json_done = true;
            json_error_t err;
            json_t *j = json_loadb(resp->body, resp->body_len, JSON_DECODE_ANY, &err);
            if (!j) {
                fprintf(ed->log, "not updated: fixture '%s' json: the body is not JSON\n", name);
                all = false;
                break;
            }
            char *t = block_list_text(f->exp_json, ed->fr->file->doc, j);
            json_decref(j);
            all = replace(ed, name, "json", f->exp_json, t) && all;
            break;
        }
        default:
            fprintf(ed->log, "not updated: fixture '%s' %s: only status, headers, body and json "
                    "are rewritten; edit it by hand\n", name, fl->what);
            all = false;
        }
    }
    return all;
}

static int by_start(const void *a, const void *b)
{
    const edit *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

long gh_fx_update_file(const gh_fx_file_result *fr, const char *const *names, size_t nnames,
                       bool all, FILE *log)
{
    if (!fr->file)
        return (long)fr->failed;
    editor ed = {fr, NULL, 0, 0, log};
    long still = 0;
    for (size_t i = 0; i < fr->n; i++) {
        const gh_fx_result *r = &fr->results[i];
        if (r->passed)
            continue;
        if (!gh_fx_update_selected(r->fixture->name, names, nnames, all) ||
            !update_fixture(&ed, r))
            still++;
    }
    if (!ed.n) {
        free(ed.items);
        return still;
    }
    qsort(ed.items, ed.n, sizeof *ed.items, by_start);
    const gh_doc *doc = fr->file->doc;
    gh_buf out = GH_BUF_INIT;
    size_t at = 0;
    for (size_t i = 0; i < ed.n; i++) {
        if (ed.items[i].start < at) /* nested in an earlier edit: cannot happen, be safe */
            continue;
        gh_buf_append(&out, doc->source + at, ed.items[i].start - at);
        gh_buf_puts(&out, ed.items[i].text);
        at = ed.items[i].end;
    }
    gh_buf_append(&out, doc->source + at, doc->source_len - at);
    for (size_t i = 0; i < ed.n; i++)
        free(ed.items[i].text);
    free(ed.items);
    FILE *fp = fopen(doc->path, "wb");
    bool ok = fp && fwrite(out.data, 1, out.len, fp) == out.len;
    ok = fp && fclose(fp) == 0 && ok;
    gh_buf_free(&out);
    if (!ok) {
        fprintf(log, "error: cannot write %s\n", doc->path);
        return -1;
    }
    return still;
}
