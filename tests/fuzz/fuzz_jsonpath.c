/* Fuzz target: AWS's JSONPath subset (template/jsonpath.h). The input is a path,
 * optionally followed by "\0" and a JSON document (a fixed one when absent or invalid).
 * The syntax check and the evaluator must agree on which paths parse, a failure must
 * say why, and a result must print as JSON. */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "template/jsonpath.h"
#include "util/log.h"

static const char fixed_doc[] =
    "{\"store\":{\"book\":[{\"category\":\"fiction\",\"author\":\"Evelyn\",\"price\":8.95,"
    "\"isbn\":\"0-553\"},{\"category\":\"ref\",\"author\":\"Nigel\",\"price\":12,"
    "\"tags\":[\"a\",\"b\",null,true]}],\"bicycle\":{\"color\":\"red\",\"price\":19.95}},"
    "\"expensive\":10,\"a\":{\"a\":{\"a\":[1,[2,[3]]]}},\"\":\"empty\",\"x.y\":1}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gh_log_set_level(GH_LOG_ERROR);
    const char *path = (const char *)data;
    const char *nul = memchr(data, 0, size);
    size_t plen = nul ? (size_t)(nul - path) : size;
    json_t *doc = NULL;
    if (nul)
        doc = json_loadb(nul + 1, size - plen - 1, JSON_DECODE_ANY, NULL);
    if (!doc)
        doc = json_loads(fixed_doc, 0, NULL);

    gh_arena *a = gh_arena_new(4096);
    gh_vval root = gh_v_from_json(a, doc), out;
    const char *error = NULL;
    const char *bad = gh_jsonpath_check(path, plen);
    bool ok = gh_jsonpath_eval(a, root, path, plen, &out, &error);
    if (ok != (bad == NULL))
        __builtin_trap(); /* check and eval disagree on the syntax */
    if (!ok && (!error || !error[0]))
        __builtin_trap();
    if (ok) {
        gh_buf b = GH_BUF_INIT;
        gh_v_print_json(out, &b);
        if (b.len == 0)
            __builtin_trap(); /* even a miss prints "null" or "[]" */
        gh_buf_free(&b);
    }
    gh_arena_free(a);
    json_decref(doc);
    return 0;
}
