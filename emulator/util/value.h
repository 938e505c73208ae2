/* A small immutable value tree (null, bool, integer, string, array, object) allocated
 * from a gh_arena: what a per-request document such as the Lambda proxy event is built
 * as, so it can be handed to Lua (script/convert.h) without building and freeing a
 * jansson tree, and turned into jansson only where a caller needs JSON.
 *
 * Strings and keys are borrowed, not copied: they must live as long as the tree (the
 * same arena, or the model). Strings carry their length and may hold any bytes. The
 * fields are public for readers (the converters); build only through the functions. */
#ifndef GH_VALUE_H
#define GH_VALUE_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef enum {
    GH_VALUE_NULL,
    GH_VALUE_BOOL,
    GH_VALUE_INT,
    GH_VALUE_STRING,
    GH_VALUE_ARRAY,
    GH_VALUE_OBJECT,
} gh_value_kind;

typedef struct gh_value gh_value;

typedef struct gh_value_member {
    const char *key;
    size_t klen;
    const gh_value *value;
} gh_value_member;

struct gh_value {
    gh_value_kind kind;
    union {
        bool b;
        int64_t i;
        struct {
            const char *s;
            size_t len;
        } str;
        struct {
            const gh_value **items;
            size_t n, cap;
        } arr;
        struct {
            gh_value_member *members; /* in insertion order */
            size_t n, cap;
        } obj;
    } u;
};

/* Scalars. null and bool return shared constants; the others come from a. */
const gh_value *gh_value_null(void);
const gh_value *gh_value_bool(bool b);
const gh_value *gh_value_int(gh_arena *a, int64_t i);
const gh_value *gh_value_str(gh_arena *a, const char *s);  /* NULL s gives null */
const gh_value *gh_value_strn(gh_arena *a, const char *s, size_t len);

/* Containers, built by appending; hint is the expected size (0 if unknown), they grow
 * from the arena past it. */
gh_value *gh_value_array(gh_arena *a, size_t hint);
void gh_value_append(gh_arena *a, gh_value *arr, const gh_value *v);
gh_value *gh_value_object(gh_arena *a, size_t hint);
/* Appends key: v. No duplicate check (callers build objects with distinct keys). */
void gh_value_set(gh_arena *a, gh_value *obj, const char *key, const gh_value *v);
void gh_value_setn(gh_arena *a, gh_value *obj, const char *key, size_t klen, const gh_value *v);

/* The member named key (exact bytes), or NULL; objects only. */
const gh_value *gh_value_get(const gh_value *obj, const char *key);

/* The same tree as jansson values; new reference, never NULL. Keys and strings are
 * taken as they are (the _nocheck setters): callers put valid UTF-8 there. */
json_t *gh_value_to_json(const gh_value *v);

#endif
