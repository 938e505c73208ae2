/* The Java methods templates call on strings, lists, maps and numbers (java.lang.String,
 * java.util.List/Map, Integer/Double), with Java's results: indexOf gives -1, substring
 * out of range is a runtime error (Java throws StringIndexOutOfBoundsException, and AWS
 * fails the template), replaceAll/matches/split use Java regex semantics
 * (util/jregex.h), split drops trailing empty strings, and so on.
 *
 * Velocity also reaches these through properties: $s.empty calls isEmpty(), $l.size is
 * not a property (only $l.size()); the evaluator asks here with the getter name. */
#ifndef GH_VTL_METHODS_H
#define GH_VTL_METHODS_H
#include <stdbool.h>
#include <stddef.h>

#include "template/vtl.h"

/* Calls method `name` on self (any kind but GH_V_HOST and GH_V_NULL) with args. Returns
 * true with *out set (a void method such as List.add's effect still returns its Java
 * result: add gives true, put the previous value). Returns false when the kind has no
 * such method with that many arguments (the reference renders as null), or after
 * gh_vtl_fail for a runtime error (check rt->failed). */
bool gh_vtl_method(gh_vtl_rt *rt, gh_vval self, const char *name, const gh_vval *args,
                   size_t nargs, gh_vval *out);

#endif
