/* Fuzz target: the document reader. The input is a YAML/JSON document, optionally
 * followed by a NUL byte and a second document used as an RFC 7386 merge patch (without
 * one the document is patched with itself). Every "$ref" string of the result, and
 * every string that starts with '#', is then resolved as a local reference. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "spec/node.h"

/* Aliases may make the tree a DAG whose walk is exponential; a bounded walk is enough
 * to reach every distinct reference in inputs of fuzzing size. */
#define MAX_VISITS 20000

static void resolve_all(const gh_doc *doc, const gh_node *n, int depth, size_t *visits)
{
    if (!n || depth > 200 || ++*visits > MAX_VISITS)
        return;
    switch (n->kind) {
    case GH_NODE_STR:
        if (n->text && n->text[0] == '#') {
            const gh_node *to = gh_doc_resolve_ref(doc, n->text);
            if (to && (int)to->kind < 0)
                __builtin_trap(); /* keeps the result used */
        }
        break;
    case GH_NODE_SEQ:
        for (size_t i = 0; i < n->n; i++)
            resolve_all(doc, n->items[i], depth + 1, visits);
        break;
    case GH_NODE_MAP:
        for (size_t i = 0; i < n->n; i++) {
            const gh_pair *p = &n->pairs[i];
            if (!p->key || p->key->kind != GH_NODE_STR)
                __builtin_trap(); /* node.h: keys are always strings */
            if (strcmp(p->key->text, "$ref") == 0 && gh_node_str(p->value))
                (void)gh_doc_resolve_ref(doc, gh_node_str(p->value));
            resolve_all(doc, p->value, depth + 1, visits);
        }
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t doc_len = nul ? (size_t)(nul - text) : size;
    const char *patch_text = nul ? nul + 1 : text;
    size_t patch_len = nul ? size - doc_len - 1 : size;

    gh_diags d = GH_DIAGS_INIT;
    gh_doc *doc = NULL, *patch = NULL;
    if (gh_doc_load_buffer("fuzz.yaml", text, doc_len, &doc, &d) == 0 &&
        gh_doc_load_buffer("patch.yaml", patch_text, patch_len, &patch, &d) == 0) {
        if (patch->root)
            gh_merge_patch(doc, patch->root);
        size_t visits = 0;
        resolve_all(doc, doc->root, 0, &visits);
        /* Resolving fixed shapes too: escapes, percent-encoding, indexes. */
        static const char *const refs[] = {"#", "#/", "#/a", "#/a~1b/0", "#/~0~1", "#/%25/x",
                                           "#/0/1/2", "#/components/schemas/Pet"};
        for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++)
            (void)gh_doc_resolve_ref(doc, refs[i]);
    }
    if (doc)
        gh_doc_free(doc);
    if (patch)
        gh_doc_free(patch);
    gh_diags_free(&d);
    return 0;
}
