/* Reads YAML and JSON (through libyaml: JSON is a subset of YAML for what definitions
 * contain) into a gh_node tree whose every value remembers file:line:col. Also the tree
 * operations loading needs: lookups, deep copy, RFC 7386 merge patch and local $ref. */
#include "spec/node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "util/buf.h"

/* Definitions beyond this are not hand-written APIs; refusing them keeps a hostile or
 * broken file from exhausting memory. AWS's own import limit is 6 MB. */
#define MAX_FILE_BYTES (64u << 20)
/* Bounds recursion on deeply nested input (the builder is recursive). */
#define MAX_DEPTH 512
/* An alias shares its anchor's node, so every later walk of the tree (overlays, $ref,
 * compiling, the extension scan) visits it once per alias: nested aliases make a few
 * lines expand to billions of nodes ("billion laughs") and hang loading. Documents may
 * expand to this many nodes, or to ten times their own size, whichever is more. */
#define MAX_EXPANDED_NODES ((size_t)2 << 20)
#define MAX_EXPANSION_RATIO 10

typedef struct anchor {
    char *name;
    gh_node *node;
    size_t expanded; /* nodes a walk visits under node, aliases counted in full */
    struct anchor *next;
} anchor;

typedef struct reader {
    yaml_parser_t parser;
    gh_doc *doc;
    gh_diags *diags;
    anchor *anchors;
    size_t nodes;    /* nodes built */
    size_t expanded; /* nodes a walk of the tree so far visits */
    int failed;
} reader;

static gh_mark mark_at(const gh_doc *doc, yaml_mark_t m)
{
    gh_mark at = {doc->path, (unsigned)m.line + 1, (unsigned)m.column + 1};
    return at;
}

gh_node *gh_node_new(gh_doc *doc, gh_node_kind kind, gh_mark at)
{
    gh_node *n = gh_arena_calloc(doc->arena, sizeof *n);
    n->kind = kind;
    n->mark = at;
    return n;
}

gh_node *gh_node_new_str(gh_doc *doc, const char *s, gh_mark at)
{
    gh_node *n = gh_node_new(doc, GH_NODE_STR, at);
    n->len = strlen(s);
    n->text = gh_arena_strndup(doc->arena, s, n->len);
    n->quoted = true;
    return n;
}

/* ---- scalar resolution (YAML 1.2 core schema) ---- */

static bool is_int(const char *s, long long *out)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!*p)
        return false;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o') && p[2]) {
        base = p[1] == 'x' ? 16 : 8;
        p += 2;
    }
    for (const char *q = p; *q; q++) {
        int c = (unsigned char)*q;
        bool ok = base == 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                (c >= 'A' && c <= 'F'))
                  : base == 8 ? (c >= '0' && c <= '7')
                              : (c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    errno = 0;
    long long v = strtoll(p, NULL, base);
    if (errno == ERANGE)
        return false; /* too big for an integer: a float, as YAML says; text keeps it exact */
    *out = s[0] == '-' ? -v : v;
    return true;
}

static bool is_float(const char *s, double *out)
{
    if (!strcmp(s, ".inf") || !strcmp(s, "+.inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF")) {
        *out = 1.0 / 0.0;
        return true;
    }
    if (!strcmp(s, "-.inf") || !strcmp(s, "-.Inf") || !strcmp(s, "-.INF")) {
        *out = -1.0 / 0.0;
        return true;
    }
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    bool digits = false, dot = false;
    while ((*p >= '0' && *p <= '9') || *p == '.') {
        if (*p == '.') {
            if (dot)
                return false;
            dot = true;
        } else {
            digits = true;
        }
        p++;
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    *out = strtod(s, NULL);
    return true;
}

static void resolve_plain(gh_node *n)
{
    const char *s = n->text;
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL")) {
        n->kind = GH_NODE_NULL;
    } else if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
        n->kind = GH_NODE_BOOL;
        n->v.b = true;
    } else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
        n->kind = GH_NODE_BOOL;
        n->v.b = false;
    } else if (is_int(s, &n->v.i)) {
        n->kind = GH_NODE_INT;
    } else if (is_float(s, &n->v.r)) {
        n->kind = GH_NODE_REAL;
    }
}

/* ---- reader ---- */

static void parser_error(reader *r)
{
    if (r->failed)
        return;
    r->failed = 1;
    const yaml_parser_t *p = &r->parser;
    gh_mark at = mark_at(r->doc, p->problem_mark);
    if (p->error == YAML_MEMORY_ERROR) {
        gh_diag_error(r->diags, at, "out of memory while reading the definition");
        return;
    }
    char ctx[256] = "";
    if (p->context)
        snprintf(ctx, sizeof ctx, " (%s at line %zu)", p->context, p->context_mark.line + 1);
    gh_diag_error(r->diags, at,
                  "YAML/JSON syntax error: %s%s; check indentation, quoting and brackets here",
                  p->problem ? p->problem : "cannot parse", ctx);
}

static bool next_event(reader *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->parser, ev)) {
        parser_error(r);
        return false;
    }
    return true;
}

/* expanded_before: r->expanded when the node started, so the anchor knows its weight. */
static void remember_anchor(reader *r, const yaml_char_t *name, gh_node *n, size_t expanded_before)
{
    if (!name)
        return;
    anchor *a = gh_arena_alloc(r->doc->arena, sizeof *a);
    a->name = gh_arena_strdup(r->doc->arena, (const char *)name);
    a->node = n;
    a->expanded = r->expanded - expanded_before;
    a->next = r->anchors;
    r->anchors = a;
}

static gh_node *parse_node(reader *r, yaml_event_t *ev, int depth);

static void map_put(reader *r, gh_node *map, gh_node *key, gh_node *value, gh_pair **pairs,
                    size_t *cap, bool warn_duplicates)
{
    for (size_t i = 0; i < map->n; i++) {
        if (strcmp((*pairs)[i].key->text, key->text) == 0) {
            if (warn_duplicates)
                gh_diag_warn(r->diags, key->mark,
                             "duplicate key '%s' (first at line %u); the last one is used, "
                             "remove the other",
                             key->text, (*pairs)[i].key->mark.line);
            (*pairs)[i].value = value;
            return;
        }
    }
    if (map->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        gh_pair *np = gh_arena_alloc(r->doc->arena, ncap * sizeof *np);
        if (map->n)
            memcpy(np, *pairs, map->n * sizeof *np);
        *pairs = np;
        *cap = ncap;
    }
    (*pairs)[map->n].key = key;
    (*pairs)[map->n].value = value;
    map->n++;
}

/* YAML merge keys ("<<: *base"): keys already present win over merged ones. */
static void merge_key(reader *r, gh_node *map, gh_node *src, gh_pair **pairs, size_t *cap)
{
    if (src->kind == GH_NODE_SEQ) {
        for (size_t i = 0; i < src->n; i++)
            merge_key(r, map, src->items[i], pairs, cap);
        return;
    }
    if (src->kind != GH_NODE_MAP) {
        gh_diag_error(r->diags, src->mark,
                      "a '<<' merge key needs a mapping or a list of mappings, found %s",
                      gh_node_kind_name(src->kind));
        r->failed = 1;
        return;
    }
    for (size_t i = 0; i < src->n; i++) {
        bool present = false;
        for (size_t j = 0; j < map->n && !present; j++)
            present = strcmp((*pairs)[j].key->text, src->pairs[i].key->text) == 0;
        if (!present)
            map_put(r, map, src->pairs[i].key, src->pairs[i].value, pairs, cap, false);
    }
}

static gh_node *parse_mapping(reader *r, yaml_event_t *start, int depth)
{
    size_t expanded_before = r->expanded;
    r->nodes++;
    r->expanded++;
    gh_node *map = gh_node_new(r->doc, GH_NODE_MAP, mark_at(r->doc, start->start_mark));
    const yaml_char_t *anchor_name = start->data.mapping_start.anchor;
    char *anchor_copy = anchor_name ? gh_arena_strdup(r->doc->arena, (const char *)anchor_name) : NULL;
    gh_pair *pairs = NULL;
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(r, &ev))
            return NULL;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        gh_node *key = parse_node(r, &ev, depth + 1);
        if (!key)
            return NULL;
        if (key->kind == GH_NODE_SEQ || key->kind == GH_NODE_MAP) {
            gh_diag_error(r->diags, key->mark,
                          "a mapping key must be a plain value, not %s; quote the key",
                          gh_node_kind_name(key->kind));
            r->failed = 1;
            return NULL;
        }
        bool is_merge = key->kind == GH_NODE_STR && !key->quoted && !strcmp(key->text, "<<");
        key->kind = GH_NODE_STR; /* keys are names: `200:` and `true:` are the strings */
        yaml_event_t vev;
        if (!next_event(r, &vev))
            return NULL;
        gh_node *value = parse_node(r, &vev, depth + 1);
        if (!value)
            return NULL;
        if (is_merge)
            merge_key(r, map, value, &pairs, &cap);
        else
            map_put(r, map, key, value, &pairs, &cap, true);
        if (r->failed)
            return NULL;
    }
    map->pairs = pairs;
    if (anchor_copy)
        remember_anchor(r, (const yaml_char_t *)anchor_copy, map, expanded_before);
    return map;
}

static gh_node *parse_sequence(reader *r, yaml_event_t *start, int depth)
{
    size_t expanded_before = r->expanded;
    r->nodes++;
    r->expanded++;
    gh_node *seq = gh_node_new(r->doc, GH_NODE_SEQ, mark_at(r->doc, start->start_mark));
    const yaml_char_t *anchor_name = start->data.sequence_start.anchor;
    char *anchor_copy = anchor_name ? gh_arena_strdup(r->doc->arena, (const char *)anchor_name) : NULL;
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(r, &ev))
            return NULL;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        gh_node *item = parse_node(r, &ev, depth + 1);
        if (!item)
            return NULL;
        if (seq->n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            gh_node **items = gh_arena_alloc(r->doc->arena, ncap * sizeof *items);
            if (seq->n)
                memcpy(items, seq->items, seq->n * sizeof *items);
            seq->items = items;
            cap = ncap;
        }
        seq->items[seq->n++] = item;
    }
    if (anchor_copy)
        remember_anchor(r, (const yaml_char_t *)anchor_copy, seq, expanded_before);
    return seq;
}

/* Consumes *ev (deleting it) and everything nested in it. */
static gh_node *parse_node(reader *r, yaml_event_t *ev, int depth)
{
    gh_node *n = NULL;
    if (depth > MAX_DEPTH) {
        gh_diag_error(r->diags, mark_at(r->doc, ev->start_mark),
                      "nesting deeper than %d levels; flatten the document", MAX_DEPTH);
        r->failed = 1;
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        n = gh_node_new(r->doc, GH_NODE_STR, mark_at(r->doc, ev->start_mark));
        n->len = ev->data.scalar.length;
        n->text = gh_arena_strndup(r->doc->arena, (const char *)ev->data.scalar.value, n->len);
        const char *tag = (const char *)ev->data.scalar.tag;
        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        if (tag && !strcmp(tag, YAML_STR_TAG))
            n->quoted = true;
        if (!n->quoted && ev->data.scalar.plain_implicit)
            resolve_plain(n);
        r->nodes++;
        r->expanded++;
        remember_anchor(r, ev->data.scalar.anchor, n, r->expanded - 1);
        yaml_event_delete(ev);
        return n;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        for (anchor *a = r->anchors; a; a = a->next)
            if (!strcmp(a->name, name)) {
                n = a->node;
                r->expanded += a->expanded;
                break;
            }
        if (n && r->expanded > MAX_EXPANDED_NODES && r->expanded / MAX_EXPANSION_RATIO > r->nodes) {
            gh_diag_error(r->diags, mark_at(r->doc, ev->start_mark),
                          "aliases expand the document past %zu nodes (here, alias *%s "
                          "brings it to %zu); use fewer nested aliases",
                          MAX_EXPANDED_NODES, name, r->expanded);
            r->failed = 1;
            n = NULL;
        } else if (!n) {
            gh_diag_error(r->diags, mark_at(r->doc, ev->start_mark),
                          "alias *%s names no anchor defined before it; define &%s first", name,
                          name);
            r->failed = 1;
        }
        yaml_event_delete(ev);
        return n;
    }
    case YAML_MAPPING_START_EVENT: {
        yaml_event_t start = *ev; /* keep the marks; the anchor is copied inside */
        n = parse_mapping(r, &start, depth);
        yaml_event_delete(ev);
        return n;
    }
    case YAML_SEQUENCE_START_EVENT: {
        yaml_event_t start = *ev;
        n = parse_sequence(r, &start, depth);
        yaml_event_delete(ev);
        return n;
    }
    default:
        gh_diag_error(r->diags, mark_at(r->doc, ev->start_mark), "unexpected YAML structure");
        r->failed = 1;
        yaml_event_delete(ev);
        return NULL;
    }
}

static const char *dir_of(gh_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    if (slash == path)
        return "/";
    return gh_arena_strndup(a, path, (size_t)(slash - path));
}

int gh_doc_load_buffer(const char *name, const char *text, size_t len, gh_doc **out, gh_diags *d)
{
    *out = NULL;
    gh_arena *arena = gh_arena_new(64 * 1024);
    gh_doc *doc = gh_arena_calloc(arena, sizeof *doc);
    doc->arena = arena;
    doc->path = gh_arena_strdup(arena, name);
    doc->dir = dir_of(arena, doc->path);
    doc->source = gh_arena_strndup(arena, text, len);
    doc->source_len = len;

    reader r = {.doc = doc, .diags = d};
    if (!yaml_parser_initialize(&r.parser)) {
        gh_arena_free(arena);
        gh_mark at = {name, 0, 0};
        gh_diag_error(d, at, "cannot initialise the YAML parser (out of memory)");
        return -1;
    }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);

    yaml_event_t ev;
    gh_node *root = NULL;
    bool seen_doc = false;
    while (!r.failed && next_event(&r, &ev)) {
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT) {
            if (seen_doc) {
                gh_diag_warn(d, mark_at(doc, ev.start_mark),
                             "a second YAML document in the file is ignored; one definition "
                             "per file");
                yaml_event_delete(&ev);
                break;
            }
            seen_doc = true;
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        root = parse_node(&r, &ev, 0);
    }
    yaml_parser_delete(&r.parser);
    if (r.failed) {
        gh_arena_free(arena);
        return -1;
    }
    if (!root) {
        gh_mark at = {doc->path, 1, 1};
        root = gh_node_new(doc, GH_NODE_NULL, at);
    }
    doc->root = root;
    *out = doc;
    return 0;
}

int gh_doc_load_file(const char *path, gh_doc **out, gh_diags *d)
{
    *out = NULL;
    gh_mark at = {path, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        gh_diag_error(d, at, "cannot open: %s; check the path", strerror(errno));
        return -1;
    }
    gh_buf b = GH_BUF_INIT;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + got > MAX_FILE_BYTES) {
            fclose(f);
            gh_buf_free(&b);
            gh_diag_error(d, at, "file is larger than %u MiB; is this an API definition?",
                          MAX_FILE_BYTES >> 20);
            return -1;
        }
        gh_buf_append(&b, chunk, got);
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        gh_buf_free(&b);
        gh_diag_error(d, at, "read error; check the file");
        return -1;
    }
    int rc = gh_doc_load_buffer(path, b.data ? b.data : "", b.len, out, d);
    gh_buf_free(&b);
    return rc;
}

void gh_doc_free(gh_doc *doc)
{
    if (doc)
        gh_arena_free(doc->arena);
}

/* ---- lookups ---- */

gh_pair *gh_node_get_pair(const gh_node *map, const char *key)
{
    if (!map || map->kind != GH_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->pairs[i].key->text, key) == 0)
            return &map->pairs[i];
    return NULL;
}

gh_node *gh_node_get(const gh_node *map, const char *key)
{
    gh_pair *p = gh_node_get_pair(map, key);
    return p ? p->value : NULL;
}

const char *gh_node_str(const gh_node *n)
{
    return n && n->kind == GH_NODE_STR ? n->text : NULL;
}

const char *gh_node_scalar(const gh_node *n)
{
    if (!n || n->kind == GH_NODE_SEQ || n->kind == GH_NODE_MAP || n->kind == GH_NODE_NULL)
        return NULL;
    return n->text;
}

bool gh_node_truthy(const gh_node *n)
{
    if (!n)
        return false;
    if (n->kind == GH_NODE_BOOL)
        return n->v.b;
    return n->kind == GH_NODE_STR && strcasecmp(n->text, "true") == 0;
}

const char *gh_node_kind_name(gh_node_kind k)
{
    switch (k) {
    case GH_NODE_NULL: return "null";
    case GH_NODE_BOOL: return "a boolean";
    case GH_NODE_INT: return "an integer";
    case GH_NODE_REAL: return "a number";
    case GH_NODE_STR: return "a string";
    case GH_NODE_SEQ: return "a list";
    case GH_NODE_MAP: return "a map";
    }
    return "a value";
}

/* ---- building ---- */

typedef struct copier {
    gh_doc *doc;
    const char *from_file, *to_file; /* last file name copied, to share one string */
} copier;

static gh_mark copy_mark(copier *c, gh_mark m)
{
    if (m.file && m.file != c->from_file) {
        c->from_file = m.file;
        c->to_file = gh_arena_strdup(c->doc->arena, m.file);
    }
    if (m.file)
        m.file = c->to_file;
    return m;
}

static gh_node *copy_node(copier *c, const gh_node *src, int depth)
{
    if (depth > MAX_DEPTH)
        return gh_node_new(c->doc, GH_NODE_NULL, copy_mark(c, src->mark));
    gh_node *n = gh_node_new(c->doc, src->kind, copy_mark(c, src->mark));
    n->quoted = src->quoted;
    n->v = src->v;
    if (src->text) {
        n->text = gh_arena_strndup(c->doc->arena, src->text, src->len);
        n->len = src->len;
    }
    n->n = src->n;
    if (src->kind == GH_NODE_SEQ && src->n) {
        n->items = gh_arena_alloc(c->doc->arena, src->n * sizeof *n->items);
        for (size_t i = 0; i < src->n; i++)
            n->items[i] = copy_node(c, src->items[i], depth + 1);
    } else if (src->kind == GH_NODE_MAP && src->n) {
        n->pairs = gh_arena_alloc(c->doc->arena, src->n * sizeof *n->pairs);
        for (size_t i = 0; i < src->n; i++) {
            n->pairs[i].key = copy_node(c, src->pairs[i].key, depth + 1);
            n->pairs[i].value = copy_node(c, src->pairs[i].value, depth + 1);
        }
    }
    return n;
}

gh_node *gh_node_copy(gh_doc *doc, const gh_node *src)
{
    copier c = {doc, NULL, NULL};
    return copy_node(&c, src, 0);
}

void gh_node_map_set(gh_doc *doc, gh_node *map, const char *key, gh_node *value, gh_mark at)
{
    gh_pair *p = gh_node_get_pair(map, key);
    if (p) {
        p->value = value;
        return;
    }
    gh_pair *pairs = gh_arena_alloc(doc->arena, (map->n + 1) * sizeof *pairs);
    if (map->n)
        memcpy(pairs, map->pairs, map->n * sizeof *pairs);
    pairs[map->n].key = gh_node_new_str(doc, key, at);
    pairs[map->n].value = value;
    map->pairs = pairs;
    map->n++;
}

void gh_node_map_remove(gh_node *map, const char *key)
{
    if (!map || map->kind != GH_NODE_MAP)
        return;
    size_t j = 0;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->pairs[i].key->text, key) != 0)
            map->pairs[j++] = map->pairs[i];
    map->n = j;
}

/* RFC 7386. Builds new map nodes instead of editing the target in place: YAML aliases
 * can share a node between several places, and a patch meant for one must not leak
 * into the others. */
static gh_node *merge(copier *c, gh_node *target, const gh_node *patch, int depth)
{
    if (patch->kind != GH_NODE_MAP || depth > MAX_DEPTH)
        return copy_node(c, patch, depth);
    gh_node *out;
    if (target && target->kind == GH_NODE_MAP) {
        out = gh_node_new(c->doc, GH_NODE_MAP, target->mark);
        out->n = target->n;
        out->pairs = gh_arena_alloc(c->doc->arena, (target->n + patch->n + 1) * sizeof *out->pairs);
        if (target->n)
            memcpy(out->pairs, target->pairs, target->n * sizeof *out->pairs);
    } else {
        out = gh_node_new(c->doc, GH_NODE_MAP, copy_mark(c, patch->mark));
        out->pairs = gh_arena_alloc(c->doc->arena, (patch->n + 1) * sizeof *out->pairs);
    }
    for (size_t i = 0; i < patch->n; i++) {
        const gh_pair *pp = &patch->pairs[i];
        const char *key = pp->key->text;
        if (pp->value->kind == GH_NODE_NULL) {
            gh_node_map_remove(out, key);
            continue;
        }
        gh_pair *existing = gh_node_get_pair(out, key);
        gh_node *merged = merge(c, existing ? existing->value : NULL, pp->value, depth + 1);
        if (existing) {
            existing->value = merged;
        } else {
            out->pairs[out->n].key = copy_node(c, pp->key, depth + 1);
            out->pairs[out->n].value = merged;
            out->n++;
        }
    }
    return out;
}

void gh_merge_patch(gh_doc *doc, const gh_node *patch)
{
    copier c = {doc, NULL, NULL};
    doc->root = merge(&c, doc->root, patch, 0);
}

/* ---- $ref ---- */

gh_node *gh_doc_resolve_ref(const gh_doc *doc, const char *ref)
{
    if (!ref || ref[0] != '#')
        return NULL;
    const char *p = ref + 1;
    gh_node *cur = doc->root;
    if (!*p)
        return cur;
    if (*p != '/')
        return NULL;
    char token[1024];
    while (*p == '/' && cur) {
        p++;
        size_t t = 0;
        while (*p && *p != '/') {
            char ch = *p++;
            if (ch == '~' && (*p == '0' || *p == '1')) {
                ch = *p == '0' ? '~' : '/';
                p++;
            } else if (ch == '%' && p[0] && p[1]) {
                char hex[3] = {p[0], p[1], 0};
                char *end;
                long v = strtol(hex, &end, 16);
                if (*end == '\0') {
                    ch = (char)v;
                    p += 2;
                }
            }
            if (t + 1 >= sizeof token)
                return NULL;
            token[t++] = ch;
        }
        token[t] = '\0';
        if (cur->kind == GH_NODE_MAP) {
            cur = gh_node_get(cur, token);
        } else if (cur->kind == GH_NODE_SEQ) {
            char *end;
            long idx = strtol(token, &end, 10);
            if (*end || idx < 0 || (size_t)idx >= cur->n)
                return NULL;
            cur = cur->items[idx];
        } else {
            return NULL;
        }
    }
    return cur;
}
