/* The values VTL templates compute with, modelled on the Java objects AWS's Velocity
 * engine sees: null, Boolean, Integer/Long, Double, String, ArrayList / JSONArray,
 * LinkedHashMap, and "host" objects ($input, $util, $context) whose properties and
 * methods are C callbacks. Values are small structs passed by value; strings, lists and
 * maps live in the render's arena. Lists and maps are mutable (Velocity's .add/.put
 * change them in place, visible through every reference), strings are immutable.
 *
 * Two flavours of list and map exist because AWS prints them differently (reference
 * §5.1, recorded): what JSONPath and parseJson return prints as JSON for arrays
 * (json-smart's JSONArray) and as Java's Map.toString for objects ({a=b, c=d}), while a
 * list literal [1, 2] in a template is an ArrayList and prints "[1, 2]". */
#ifndef GH_VTL_VALUE_H
#define GH_VTL_VALUE_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"

typedef enum {
    GH_V_NULL,
    GH_V_BOOL,
    GH_V_INT,    /* Java Integer/Long */
    GH_V_DOUBLE, /* Java Double */
    GH_V_STRING,
    GH_V_LIST,
    GH_V_MAP,
    GH_V_HOST,
} gh_vkind;

typedef struct gh_vlist gh_vlist;
typedef struct gh_vmap gh_vmap;
typedef struct gh_vhost_class gh_vhost_class;
typedef struct gh_vtl_rt gh_vtl_rt;

typedef struct gh_vval {
    gh_vkind kind;
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            const char *s; /* not necessarily NUL-terminated; may hold any bytes */
            size_t len;
        } str;
        gh_vlist *list;
        gh_vmap *map;
        struct {
            const gh_vhost_class *cls;
            void *self;
        } host;
    } u;
} gh_vval;

struct gh_vlist {
    gh_vval *items;
    size_t n, cap;
    bool json; /* came from JSON (JSONArray): prints as compact JSON */
};

typedef struct gh_vmap_entry {
    const char *key;
    size_t klen;
    gh_vval value;
} gh_vmap_entry;

struct gh_vmap {
    gh_vmap_entry *items; /* insertion order, keys unique (LinkedHashMap) */
    size_t n, cap;
    bool json; /* came from JSON; prints as Map.toString all the same (recorded) */
    /* A template may give each key a value once (AWS's override maps: "an override may
     * only be applied to each parameter once", §5.8): the evaluator's #set and the Map
     * methods fail the render on a second write (gh_vmap_conflict). fold_case: keys that
     * differ only in ASCII case count as the same key (HTTP header names). */
    bool write_once, fold_case;
    /* A hash index of items (positions + 1, open addressing) once a map has more than a
     * few keys, so a body of 100,000 keys parses in linear time; NULL below that, or
     * after a removal until the next put rebuilds it. Maintained by the functions
     * below: change items only through them. */
    uint32_t *index;
    size_t index_cap;
};

/* An object implemented in C ($input, $util, $context, ...). Any callback may be NULL.
 * get: the property `name` ($x.name), false when there is none (renders as null).
 * call: the method `name` with args, false when there is none. Both may report a
 * runtime error through gh_vtl_fail(rt, ...) and return false.
 * print: the text the object renders as when printed; NULL prints nothing. */
struct gh_vhost_class {
    const char *name;
    bool (*get)(gh_vtl_rt *rt, void *self, const char *name, gh_vval *out);
    bool (*call)(gh_vtl_rt *rt, void *self, const char *name, const gh_vval *args,
                 size_t nargs, gh_vval *out);
    void (*print)(gh_vtl_rt *rt, void *self, gh_buf *out);
};

/* Scalars; strings are borrowed (they must outlive the render: arena or model). */
gh_vval gh_v_null(void);
gh_vval gh_v_bool(bool b);
gh_vval gh_v_int(int64_t i);
gh_vval gh_v_double(double d);
gh_vval gh_v_str(const char *s); /* NULL gives null */
gh_vval gh_v_strn(const char *s, size_t len);
gh_vval gh_v_host(const gh_vhost_class *cls, void *self);
/* A copy of s in a: for text built in a temporary buffer. */
gh_vval gh_v_strdup(gh_arena *a, const char *s, size_t len);

/* Containers (from a). */
gh_vval gh_v_list(gh_arena *a, size_t hint, bool json);
gh_vval gh_v_map(gh_arena *a, size_t hint, bool json);
void gh_vlist_add(gh_arena *a, gh_vlist *l, gh_vval v);
/* Inserts or replaces (keeping the key's position, as LinkedHashMap does). The key is
 * borrowed. Returns the previous value (null if none), as Map.put does. */
gh_vval gh_vmap_put(gh_arena *a, gh_vmap *m, const char *key, size_t klen, gh_vval v);
/* The entry for key, or NULL. */
gh_vmap_entry *gh_vmap_find(const gh_vmap *m, const char *key, size_t klen);
/* For a write_once map: the entry a write of key would replace (compared ignoring
 * case when fold_case), or NULL when the write is allowed. Always NULL for other maps. */
gh_vmap_entry *gh_vmap_conflict(const gh_vmap *m, const char *key, size_t klen);
/* Removes key if present; returns its value (null if none). */
gh_vval gh_vmap_remove(gh_vmap *m, const char *key, size_t klen);
/* Removes every entry (Map.clear). */
void gh_vmap_clear(gh_vmap *m);

/* Velocity truthiness (1.7, as AWS runs it): null and false are false, everything else
 * (0, "", empty lists included) is true. */
bool gh_v_truthy(gh_vval v);
/* Velocity's ==: numbers compare by value (1 == 1.0), same kinds by Java equals (string
 * bytes, element-wise lists and maps, host identity), different kinds by their printed
 * text, and null equals only null — except the AWS quirk the reference records: a null
 * also equals "" (reference §5.1). */
bool gh_v_equal(gh_vval a, gh_vval b);
/* <, <=, >, >= for numbers (and strings by Java compareTo). Sets *cmp to -1/0/1 and
 * returns true, false when the two are not comparable (Velocity logs and yields false). */
bool gh_v_compare(gh_vval a, gh_vval b, int *cmp);

/* Appends the value's text as a template prints it (Java toString): null nothing,
 * booleans true/false, integers in decimal, doubles as Java's Double.toString ("1.0",
 * "1.5E10"), strings raw, ArrayList "[a, b]", JSON lists compact JSON, maps "{k=v, ...}"
 * (nested values by the same rules; a string inside a JSON list is quoted), hosts through
 * their print callback. rt may be NULL when no host object can occur. */
void gh_v_print(gh_vtl_rt *rt, gh_vval v, gh_buf *out);
/* The same into a (NUL-terminated), returning the text and its length in *len. */
const char *gh_v_to_text(gh_vtl_rt *rt, gh_arena *a, gh_vval v, size_t *len);
/* Java's Double.toString of d. */
void gh_v_print_double(double d, gh_buf *out);

/* JSON text of v, compact (no spaces), the way AWS's $input.json serialises values:
 * strings quoted and escaped, numbers as written by Java (integers plain, doubles via
 * Double.toString), maps and lists recursively, null as null. Host objects print null. */
void gh_v_print_json(gh_vval v, gh_buf *out);

/* jansson -> values (JSON flavour: lists print as JSON), allocated from a. Integers
 * become GH_V_INT, reals GH_V_DOUBLE. */
gh_vval gh_v_from_json(gh_arena *a, const json_t *j);
/* values -> jansson (new reference; host objects become null). */
json_t *gh_v_to_json(gh_vval v);

/* "null", "a string", "a list", ... for error messages. */
const char *gh_v_kind_name(gh_vkind k);

#endif
