/* Internals shared by the vtl_methods*.c files: one entry point per receiver kind, and
 * the argument checks that stand in for Java's overload resolution (Velocity 1.7 finds a
 * method by name and argument count and kinds, with no conversions: an int parameter
 * takes an Integer, a String parameter a String). */
#ifndef GH_VTL_METHODS_IMPL_H
#define GH_VTL_METHODS_IMPL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template/vtl.h"

bool gh_vtl_string_method(gh_vtl_rt *rt, gh_vval self, const char *name, const gh_vval *args,
                          size_t nargs, gh_vval *out);
bool gh_vtl_list_method(gh_vtl_rt *rt, gh_vlist *self, const char *name, const gh_vval *args,
                        size_t nargs, gh_vval *out);
bool gh_vtl_map_method(gh_vtl_rt *rt, gh_vmap *self, const char *name, const gh_vval *args,
                       size_t nargs, gh_vval *out);

/* Java's Object.equals between two values: same kind and value (Integer 1 does not
 * equal Double 1.0, unlike Velocity's ==), lists element-wise, maps as sets of entries. */
bool gh_vtl_java_equals(gh_vval a, gh_vval b);

/* An int parameter: an integer within Java's int range. */
bool gh_vtl_arg_int(gh_vval v, int32_t *out);

/* Java's NullPointerException for a null argument where Java dereferences it. */
bool gh_vtl_fail_null(gh_vtl_rt *rt, const char *method);

#endif
