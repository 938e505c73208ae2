/* template/vtl: the VTL engine (lexer, parser, evaluator) as AWS's Velocity 1.7 renders.
 * Tables of template + globals (JSON) -> exact output; syntax errors with their line:col;
 * runtime limits; a host object for get/call/print dispatch. None of these cases uses a
 * Java string/list/map method (those are vtl_methods.c's, tested there). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "template/vtl.h"
#include "util/clock.h"

/* ---- a host object: $obj.name, $obj.inner (a map), $obj.twice(n), $obj.boom() ---- */
typedef struct {
    gh_vval inner;
} test_host;

static bool host_get(gh_vtl_rt *rt, void *self, const char *name, gh_vval *out)
{
    (void)rt;
    test_host *h = self;
    if (!strcmp(name, "name")) {
        *out = gh_v_str("widget");
        return true;
    }
    if (!strcmp(name, "inner")) {
        *out = h->inner;
        return true;
    }
    return false;
}

static bool host_call(gh_vtl_rt *rt, void *self, const char *name, const gh_vval *args,
                      size_t nargs, gh_vval *out)
{
    (void)self;
    if (!strcmp(name, "twice") && nargs == 1 && args[0].kind == GH_V_INT) {
        *out = gh_v_int(args[0].u.i * 2);
        return true;
    }
    if (!strcmp(name, "boom"))
        return gh_vtl_fail(rt, "boom called");
    if (!strcmp(name, "slow") && nargs == 1 && args[0].kind == GH_V_INT) {
        gh_clock_advance(args[0].u.i); /* a call that takes that long */
        *out = gh_v_str("s");
        return true;
    }
    return false;
}

static void host_print(gh_vtl_rt *rt, void *self, gh_buf *out)
{
    (void)rt, (void)self;
    gh_buf_puts(out, "<obj>");
}

static const gh_vhost_class HOST = {"obj", host_get, host_call, host_print};

typedef struct {
    int rc;
    char out[4096];
    gh_vtl_rt rt;
    gh_vtl_error err;
    bool compiled;
} result;

static size_t run_max_steps; /* rt.max_steps of the next run (0: the default) */

static result run(const char *tpl, const char *globals_json, size_t max_output)
{
    static result r;
    memset(&r, 0, sizeof r);
    gh_arena *model = gh_arena_new(4096), *req = gh_arena_new(4096);
    gh_vtl *t = gh_vtl_compile(model, tpl, strlen(tpl), &r.err);
    r.compiled = t != NULL;
    if (t) {
        json_t *j = json_loads(globals_json ? globals_json : "{}", 0, NULL);
        assert_non_null(j);
        gh_vval g = gh_v_from_json(req, j);
        json_decref(j);
        test_host *h = gh_arena_calloc(req, sizeof *h);
        h->inner = gh_v_map(req, 0, false);
        gh_vmap_put(req, g.u.map, "obj", 3, gh_v_host(&HOST, h));
        r.rt.arena = req;
        r.rt.globals = g.u.map;
        r.rt.max_output = max_output;
        r.rt.max_steps = run_max_steps;
        gh_buf out = GH_BUF_INIT;
        r.rc = gh_vtl_render(t, &r.rt, &out);
        assert_non_null(out.data);
        snprintf(r.out, sizeof r.out, "%s", out.data);
        gh_buf_free(&out);
    }
    gh_arena_free(req);
    gh_arena_free(model);
    return r;
}

typedef struct {
    const char *tpl, *globals, *want;
} render_case;

static void check_renders(const render_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        result r = run(c[i].tpl, c[i].globals, 0);
        if (!r.compiled)
            fail_msg("case %zu %s: syntax error %u:%u %s", i, c[i].tpl, r.err.line, r.err.col,
                     r.err.message);
        if (r.rc != 0)
            fail_msg("case %zu %s: runtime error %s", i, c[i].tpl, r.rt.error);
        if (strcmp(r.out, c[i].want) != 0)
            fail_msg("case %zu %s: got [%s] want [%s]", i, c[i].tpl, r.out, c[i].want);
    }
}

#define CHECK(table) check_renders(table, sizeof table / sizeof *table)

static void references(void **state)
{
    (void)state;
    static const render_case c[] = {
        {"$x", "{\"x\":\"a\"}", "a"},
        {"${x}y", "{\"x\":\"a\"}", "ay"},
        {"$!x|$!{x}|$x|${x}", "{}", "|||"},
        {"[$missing]", "{}", "[]"},
        {"$a.b.c", "{\"a\":{\"b\":{\"c\":7}}}", "7"},
        {"$a.b.nope.deeper", "{\"a\":{\"b\":{}}}", ""},
        {"$a[0]-$a[-1]", "{\"a\":[1,2,3]}", "1-3"}, /* '-' ends nothing: ident stops at ']' */
        {"$m['k'] $m[\"k\"] $m.k", "{\"m\":{\"k\":\"v\"}}", "v v v"},
        {"$l[1].n", "{\"l\":[{\"n\":1},{\"n\":2}]}", "2"},
        {"$a.b", "{\"a\":\"str\"}", ""},         /* string has no getter here (shim) */
        {"$x.", "{\"x\":1}", "1."},               /* DOT needs a letter after it */
        {"$x.1", "{\"x\":1}", "1.1"},
        {"$foo-bar", "{\"foo-bar\":\"h\",\"foo\":\"no\"}", "h"}, /* 1.7 idents allow '-' */
        {"${foo}-bar", "{\"foo\":\"f\"}", "f-bar"},
        {"$ 5 $5 $ $", "{}", "$ 5 $5 $ $"},
        {"\"price\": \"$5\"", "{}", "\"price\": \"$5\""},
        {"${x", "{\"x\":1}", "${x"},
        {"$n $d $b $l $m", "{\"n\":-3,\"d\":1.5,\"b\":true,\"l\":[1,\"a\"],\"m\":{\"a\":1}}",
         "-3 1.5 true [1,\"a\"] {a=1}"},
        {"$obj|$obj.name|$obj.twice(21)|$obj.nope|$obj.nope()", "{}", "<obj>|widget|42||"},
        {"$obj['name']", "{}", "widget"},
        {"$nothing.method('x').more()", "{}", ""},
        {"$s.anyMethod()", "{\"s\":\"x\"}", ""},
        {"email@example.com", "{}", "email@example.com"},
    };
    CHECK(c);
}

static void text_comments_escapes(void **state)
{
    (void)state;
    static const render_case c[] = {
        {"#1 a#b # c #", "{}", "#1 a#b # c #"},
        {"#notadirective and #foo(1, 2)", "{}", "#notadirective and #foo(1, 2)"},
        {"#foo(unclosed", "{}", "#foo(unclosed"},
        {"#a([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ #a([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "{}",
         "#a([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ #a([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["},
        {"a## comment\nb", "{}", "ab"},
        {"a##c", "{}", "a"},
        {"a#* block\n comment *#b", "{}", "ab"},
        {"a#* c *#\nb", "{}", "a\nb"},
        {"#[[$x #if(]]#", "{\"x\":1}", "$x #if("},
        {"\\$x \\$y", "{\"x\":1}", "$x \\$y"},
        {"\\\\$x", "{\"x\":1}", "\\1"},
        {"\\\\\\$x", "{\"x\":1}", "\\$x"},
        {"\\#if(true)x\\#end", "{}", "#if(true)x#end"},
        {"\\\\#if(true)x#end", "{}", "\\x"},
        {"\\#foo \\n a\\b", "{}", "\\#foo \\n a\\b"},
    };
    CHECK(c);
}

static void directives(void **state)
{
    (void)state;
    static const render_case c[] = {
        {"#set($x = 1)$x", "{}", "1"},
        {"#set( $x = \"a\" )#set($y = $x)$y", "{}", "a"},
        {"#{set}($x = 2)$x", "{}", "2"},
        {"#set($m = {})#set($m.k = 'v')$m.k $m", "{}", "v {k=v}"},
        {"#set($a.b.c = 5)$a", "{\"a\":{\"b\":{}}}", "{b={c=5}}"},
        {"#set($m['k'] = 1)$m", "{\"m\":{}}", "{k=1}"},
        {"#set($l[1] = 9)$l", "{\"l\":[1,2]}", "[1,9]"},
        {"#set($obj.inner.k = 'x')$obj.inner", "{}", "{k=x}"},
        {"#set($x = 1)#set($x = $nothing)$x", "{}", "1"}, /* null RHS: unchanged */
        {"#set($nothing.k = 1)ok", "{}", "ok"},
        {"#if(true)y#end", "{}", "y"},
        {"#if($x)y#{else}n#end", "{}", "n"},
        {"#if($x == 1)a#elseif($x == 2)b#elseif($x == 3)c#else d#end", "{\"x\":3}", "c"},
        {"#if($x == 1)a#elseif($x == 2)b#else d#end", "{\"x\":9}", " d"},
        {"#{if}(true)a#{end}b", "{}", "ab"},
        {"#if(false)a#else#if(true)b#end#end", "{}", "b"},
        {"#if($e)e#end#if($z)z#end#if($s)s#end", "{\"e\":[],\"z\":0,\"s\":\"\"}", "ezs"},
        {"#if(!$x)no#end#if(not $x)no#end", "{}", "nono"},
        {"#foreach($i in [1..3])$i#end", "{}", "123"},
        {"#foreach($i in [3..1])$i#end", "{}", "321"},
        {"#foreach($i in [-1..1])$i,#end", "{}", "-1,0,1,"},
        {"#set($n = 2)#foreach($i in [0..$n])$i#end", "{}", "012"},
        {"#foreach($v in $m)$v;#end", "{\"m\":{\"a\":1,\"b\":2}}", "1;2;"},
        {"#foreach($x in $l)$foreach.index/$foreach.count/$velocityCount/$foreach.hasNext/"
         "$foreach.first/$foreach.last #end",
         "{\"l\":[\"a\",\"b\"]}",
         "0/1/1/true/true/false 1/2/2/false/false/true "},
        {"#foreach($x in $l)$x#if($foreach.hasNext),#end#end", "{\"l\":[1,2,3]}", "1,2,3"},
        {"#foreach($x in $nothing)x#end.", "{}", "."},
        {"#foreach($x in [1..5])#if($x == 3)#break#end$x#end", "{}", "12"},
        {"#set($x = 'keep')#foreach($x in [1..2])$x#end$x", "{}", "12keep"},
        {"#foreach($x in [1..2])#end[$x]", "{}", "[]"},
        {"#foreach($a in [1..2])#foreach($b in [1..2])$a$b $foreach.parent.index #end#end", "{}",
         "11 0 12 0 21 1 22 1 "},
        {"a#stop b", "{}", "a"},
        {"#foreach($i in [1..3])$i#if($i == 2)#stop#end#end after", "{}", "12"},
        {"#define($b)[$x]#end#set($x = 1)$b#set($x = 2)$b", "{}", "[1][2]"},
        {"#macro(hi $who $n)Hi $who $n!#end#hi('Bob' 3)#hi($name, 4)", "{\"name\":\"Al\"}",
         "Hi Bob 3!Hi Al 4!"},
        {"#later()#macro(later)L#end", "{}", "L"},
        {"#macro(m $a)[$a]#end#m()", "{}", "[]"},
        {"#macro(m $a)#set($a = 'in')#set($g = 'global')$a#end#m(1)$g|$!a|", "{}", "inglobal||"},
        {"#macro(fact $n)#if($n > 0)$n#set($m = $n - 1)#fact($m)#end#end#fact(3)", "{}", "321"},
    };
    CHECK(c);
}

static void expressions(void **state)
{
    (void)state;
    static const render_case c[] = {
        {"#set($x = 1 + 2 * 3)$x", "{}", "7"},
        {"#set($x = (1 + 2) * 3)$x", "{}", "9"},
        {"#set($x = 7 / 2)$x #set($y = -7 / 2)$y #set($z = 7 % 3)$z", "{}", "3-31"}, /* #set eats the blank after a reference */
        {"#set($x = 7.0 / 2)$x #set($y = 1.5 * 2)$y", "{}", "3.53.0"},
        {"#set($x = 1 / 0)[$x]#set($y = 1 % 0)[$y]", "{}", "[][]"},
        {"#set($x = 5 - 2 - 1)$x", "{}", "2"},
        {"#set($x = $n + 1)$x", "{\"n\":41}", "42"},
        {"#set($x = 9223372036854775807 + 1)$x", "{}", "9.223372036854776E18"},
        {"#set($x = 'a' + 1)$x #set($y = 1 + \"b\")$y #set($z = 'a' + 'b')$z", "{}", "a11bab"},
        {"#set($x = $nothing + 1)[$x]", "{}", "[]"},
        {"#if(1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3)y#end", "{}", "y"},
        {"#if(1 lt 2 and 2 le 2 and 3 gt 2 and 3 ge 3)y#end", "{}", "y"},
        {"#if(1 == 1.0 && 'a' != 'b' && 1 eq 1 && 1 ne 2)y#end", "{}", "y"},
        {"#if(false || true)y#end#if(false or false)n#end", "{}", "y"},
        {"#if($u == $null)null#end#if($u == '')empty#end", "{}", "nullempty"},
        {"#if('a' < 'b')lt#end", "{}", "lt"},
        {"#if(!true || !!true)y#end", "{}", "y"},
        {"#set($s = \"v=$x\")$s", "{\"x\":5}", "v=5"},
        {"#set($s = 'v=$x')$s", "{\"x\":5}", "v=$x"},
        {"#set($s = \"#if($x)yes#end\")$s", "{\"x\":1}", "yes"},
        {"#set($s = \"a\\\"b\")$s", "{}", "a\\\"b"},
        {"#set($l = [1, 'two', [3], $x])$l", "{\"x\":true}", "[1, two, [3], true]"},
        {"#set($l = [])$l|#set($r = [1..3])$r", "{}", "[]|[1, 2, 3]"},
        {"#set($m = {\"k\": 1, 'j': [2], 3: $x})$m", "{\"x\":\"y\"}", "{k=1, j=[2], 3=y}"},
        {"#set($d = 1.5e3)$d|#set($e = .5)$e", "{}", "1500.0|0.5"},
        {"#set($x = true)$x|#set($y = !$x)$y", "{}", "true|false"},
        {"#set($x = $obj.twice($n))$x", "{\"n\":4}", "8"},
    };
    CHECK(c);
}

/* Velocity 1.7's whitespace rules (Parser.jjt): see vtl_parse.c. */
static void whitespace_gobbling(void **state)
{
    (void)state;
    static const render_case c[] = {
        {"#set($a = 1)\nx", "{}", "x"},
        {"#set($a = 1)  \nx", "{}", "x"},
        {"#set($a = 1) x", "{}", " x"},
        {"#set($a = 1)\r\nx", "{}", "x"},
        {"{\n  #set($a = 1)\n  \"a\": $a\n}", "{}", "{\n    \"a\": 1\n}"},
        {"#set($a = 1)\n  #set($b = 2)\n$a$b", "{}", "12"},
        {"x  #set($a = 1)y", "{}", "x  y"},
        {"$a  #set($b = 1)|", "{\"a\":\"A\"}", "A|"},
        {"#if(true)\nyes\n#end\nafter", "{}", "yes\nafter"},
        {"  #if(true)\n  yes\n  #end\n", "{}", "    yes\n  "},
        {"#if(false)\na\n#else\nb\n#end\n", "{}", "b\n"},
        {"#if(false)\na\n#elseif(true)\nb\n#end\n", "{}", "b\n"},
        {"#if(true) x #end y", "{}", " x  y"},
        {"#foreach($i in [1..2])\n$i\n#end\n", "{}", "1\n2\n"},
        {"[\n#foreach($i in [1..2])\n  {\"i\": $i}#if($foreach.hasNext),#end\n\n#end\n]", "{}",
         "[\n  {\"i\": 1},\n  {\"i\": 2}\n]"},
        {"#foreach($i in [1..2])\n  #set($x = $i)\n  $x\n#end", "{}", "  1\n  2\n"},
        {"a\n## comment\nb", "{}", "a\nb"},
        {"a\n  ## comment\nb", "{}", "a\n  b"},
        {"#stop\nx", "{}", ""},
        {"#foreach($i in [1..3])#if($i == 2)#break\n#end$i#end", "{}", "1"},
        {"#macro(m)M#end\n#m()\nx", "{}", "Mx"},
        {"#define($b)B#end\n$b", "{}", "B"},
        {"#end", NULL, NULL}, /* sentinel: never reached (see syntax_errors) */
    };
    check_renders(c, sizeof c / sizeof *c - 1);
}

typedef struct {
    const char *tpl;
    unsigned line, col;
    const char *msg;
} error_case;

static void syntax_errors(void **state)
{
    (void)state;
    static const error_case c[] = {
        {"#if(true)\nx", 1, 1, "#if at 1:1 is never closed; add #end"},
        {"a\n\n#if($x)\nb", 3, 1, "#if at 3:1 is never closed; add #end"},
        {"ok\n  #foreach($i in $l)", 2, 3, "#foreach at 2:3 is never closed; add #end"},
        {"x #end", 1, 3, "unexpected #end"},
        {"#else", 1, 1, "unexpected #else"},
        {"#set($x = )", 1, 11, "unexpected ')'"},
        {"#set($x = 'abc)", 1, 11, "unterminated string literal"},
        {"#set($x = \"abc)", 1, 11, "unterminated string literal"},
        {"line\n#set($x 1)", 2, 9, "#set needs '='"},
        {"#if $x", 1, 1, "#if needs its arguments in parentheses"},
        {"#foreach($i $l)#end", 1, 13, "#foreach needs 'in'"},
        {"$a.b(1", 1, 5, "'(' is never closed"},
        {"#set($x = [1, 2)", 1, 16, "unexpected ')'"},
        {"#set($x = (1 + 2)", 1, 1, "#set( is never closed"},
        {"#* open", 1, 1, "comment #* is never closed"},
        {"#[[ open", 1, 1, "#[[ is never closed"},
        {"#set($x.m() = 1)", 1, 8, "cannot assign to a method call"},
        {"#foreach($i in [1..2])#else#end", 1, 23, "#else is only allowed inside #if"},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        result r = run(c[i].tpl, NULL, 0);
        if (r.compiled)
            fail_msg("case %zu %s: compiled", i, c[i].tpl);
        if (r.err.line != c[i].line || r.err.col != c[i].col || !strstr(r.err.message, c[i].msg))
            fail_msg("case %zu %s: got %u:%u %s; want %u:%u %s", i, c[i].tpl, r.err.line,
                     r.err.col, r.err.message, c[i].line, c[i].col, c[i].msg);
    }
}

static char *repeat(const char *prefix, const char *unit, size_t n, const char *suffix)
{
    size_t pl = strlen(prefix), ul = strlen(unit), sl = strlen(suffix);
    char *s = malloc(pl + ul * n + sl + 1);
    memcpy(s, prefix, pl);
    for (size_t i = 0; i < n; i++)
        memcpy(s + pl + i * ul, unit, ul);
    memcpy(s + pl + ul * n, suffix, sl + 1);
    return s;
}

static void limits(void **state)
{
    (void)state;
    /* 100k '(' or '[' or nested #if: a syntax error, not a blown stack */
    const char *units[] = {"(", "[", "#if(true)", "$a.b(", "!", "{1:", "#foreach($i in $l)"};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        const char *prefix = units[i][0] == '#' ? "" : "#set($x = ";
        char *s = repeat(prefix, units[i], 300000 / strlen(units[i]) - 10, "");
        gh_arena *a = gh_arena_new(1024);
        gh_vtl_error err;
        gh_vtl *t = gh_vtl_compile(a, s, strlen(s), &err);
        bool ok = !t && strstr(err.message, "nesting deeper than 64");
        gh_arena_free(a);
        free(s);
        if (!ok)
            fail_msg("unit %s: %s", units[i], t ? "compiled" : err.message);
    }
    /* too big to be a mapping template */
    char *big = repeat("", "x", GH_VTL_MAX_TEMPLATE_BYTES + 1, "");
    gh_arena *a = gh_arena_new(1024);
    gh_vtl_error err;
    assert_null(gh_vtl_compile(a, big, strlen(big), &err));
    assert_non_null(strstr(err.message, "300 KB"));
    gh_arena_free(a);
    free(big);

    result r = run("ok\n#macro(r $n)#r($n)#end#r(1)", NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_true(r.rt.failed);
    assert_non_null(strstr(r.rt.error, "macro #r nests more than 64"));
    assert_int_equal(r.rt.error_line, 2);

    r = run("#define($b)$b#end$b", NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.rt.error, "refers to itself"));

    r = run("#foreach($i in [1..5000])x#end", NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_int_equal(strlen(r.out), GH_VTL_MAX_FOREACH); /* truncated, not an error */

    r = run("#foreach($i in [1..100])0123456789#end", NULL, 500);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.rt.error, "output exceeds 500 bytes"));
    assert_true(strlen(r.out) <= 500);

    r = run("a\n  $obj.boom()", NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.rt.error, "boom called");
    assert_int_equal(r.rt.error_line, 2);
    assert_int_equal(r.rt.error_col, 7);

    r = run("#set($l = [1])\n$l[3]", NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.rt.error, "index 3 is out of range"));
    assert_int_equal(r.rt.error_line, 2);

    r = run("#set($obj.k = 1)", NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.rt.error, "read-only"));

    r = run("#set($r = [1..2000000])", NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.rt.error, "range has more than"));
}

/* The tree is immutable: one compile, many renders with different globals. */
/* Templates that build what no JSON body can (found by fuzz_vtl; its corpus keeps each
 * as a seed): each renders as Java prints it, or fails with a message, within the output
 * limit and without recursing forever. want: the exact output, or the error's text. */
typedef struct {
    const char *tpl;
    size_t max_output;
    int rc;
    const char *want;
} runaway_case;

static const runaway_case runaway[] = {
    /* AbstractCollection / AbstractMap.toString print a self-reference by name */
    {"#set($l = [1])#set($x = $l.add($l))$l", 0, 0, "[1, (this Collection)]"},
    {"#set($m = {})#set($x = $m.put('me', $m))$m", 0, 0, "{me=(this Map)}"},
    {"#set($l = [])#set($x = $l.add($l))#if($l == $l)same#end $l.equals($l)", 0, 0, "same true"},
    /* through another list, Java overflows its stack: a clear error */
    {"#set($a = [])#set($b = [$a])#set($x = $a.add($b))$a", 0, -1, "nested more than 2100 deep"},
    {"#set($l = [])#foreach($i in [1..1000])#foreach($j in [1..3])#set($l = [$l])#end#end$l",
     0, -1, "nested more than 2100 deep"},
    /* a tree of shared lists doubles its text per level: stopped at the output limit */
    {"#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end$l", 4096, -1,
     "output exceeds 4096 bytes"},
    {"#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end#set($s = \"$l\")", 4096, -1,
     "output exceeds 4096 bytes"},
    {"#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end#if($l == 'x')y#end", 4096, 0,
     ""},
    /* strings doubled by +, by interpolation, by methods */
    {"#set($s = 'ab')#foreach($i in [1..40])#set($s = $s + $s)#end", 4096, -1,
     "string concatenation exceeds the 4096-byte output limit"},
    {"#set($s = 'ab')#foreach($i in [1..40])#set($s = \"$s$s\")#end", 4096, -1,
     "output exceeds 4096 bytes"},
    {"#set($s = 'ab')#foreach($i in [1..40])#set($s = $s.concat($s))#end", 4096, -1,
     "concat() returned a string longer than the 4096-byte output limit"},
    {"#set($s = 'ab')#foreach($i in [1..40])#set($s = $s.replace('', 'xy'))#end", 4096, -1,
     "String.replace: the result exceeds the 4096-byte output limit"},
    {"#set($s = 'ab')#foreach($i in [1..40])#set($s = $s.replaceAll('.', '$0$0'))#end", 4096, -1,
     "replaceAll() returned a string longer than the 4096-byte output limit"},
    {"#set($s = 'ab')$s.replace('', '-')", 4096, 0, "-a-b-"},
    /* catastrophic backtracking: the first match limit fails the render, not each of
     * a thousand retries */
    {"#set($s = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')"
     "#foreach($i in [1..1000])$s.matches('(a|aa)+')#end",
     0, -1, "String.matches: the regex \"(a|aa)+\" backtracks too much on this text"},
    {"#set($s = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')"
     "#foreach($i in [1..1000])$s.split('(a|aa)+$')#end",
     0, -1, "String.split: the regex \"(a|aa)+$\" backtracks too much on this text"},
    /* loops nested four deep run 10^12 times: stopped by the step budget (here 10^5) */
    {"#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])"
     "#foreach($d in [1..1000])#end#end#end#end",
     0, -1, "template runs more than 100000 steps"},
    {"#macro(t $n)#if($n != '')#t($n.substring(1))#t($n.substring(1))#end#end"
     "#t('123456789012345678901234567890123456789012345678901234567890')",
     0, -1,
     "template runs more than 100000 steps"},
    {"#foreach($a in [1..300])#foreach($b in [1..300])#end#end done", 0, 0, " done"},
    /* found by review: a range spanning all of int64 is no signed overflow (the loop
     * stops at AWS's 1000); a long number literal keeps its value; addAll(0, big) is
     * one move, not one per element; lastIndexOf on "aaa..." is linear */
    {"#foreach($i in [-9223372036854775807..9223372036854775807])#end$foreach.count", 0, 0, ""},
    {"#set($x = 10000000000000000000000000000000000000000000000000000000000000000000000.5)$x",
     0, 0, "1.0E70"},
    {"#set($a = [1..200000])#set($b = [1..200000])#set($ok = $a.addAll(0, $b))$a.size() $a[0]"
     " $a[199999] $a[200000]", 0, 0, "400000 1 200000 1"},
    {"#set($h = 'x')#foreach($i in [1..19])#set($h = \"$h$h\")#end$h.lastIndexOf($h.substring(1))",
     0, 0, "1"},
};

static void runaway_values(void **state)
{
    (void)state;
    run_max_steps = 100000;
    for (size_t i = 0; i < sizeof runaway / sizeof *runaway; i++) {
        const runaway_case *c = &runaway[i];
        result r = run(c->tpl, NULL, c->max_output);
        if (!r.compiled)
            fail_msg("case %zu: syntax error %s", i, r.err.message);
        size_t cap = c->max_output ? c->max_output : GH_VTL_MAX_OUTPUT;
        if (strlen(r.out) > cap)
            fail_msg("case %zu: %zu bytes of output over a cap of %zu", i, strlen(r.out), cap);
        if (r.rc != c->rc)
            fail_msg("case %zu %s: rc %d (%s) want %d", i, c->tpl, r.rc, r.rt.error, c->rc);
        if (c->rc == 0 && strcmp(r.out, c->want) != 0)
            fail_msg("case %zu: got [%s] want [%s]", i, r.out, c->want);
        if (c->rc != 0 && (!strstr(r.rt.error, c->want) || r.rt.error_line == 0))
            fail_msg("case %zu: error [%s] at %u:%u, want [%s] with a position", i, r.rt.error,
                     r.rt.error_line, r.rt.error_col, c->want);
    }
    run_max_steps = 0;
    /* the default budget lets two nested loops of AWS's 1000 run in full */
    result r = run("#foreach($a in [1..1000])#foreach($b in [1..1000])#end#end ok", NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, " ok");
    /* a map of 100,000 keys is indexed: a linear scan per put would take minutes */
    r = run("#set($m = {})#foreach($i in [1..1000])#foreach($j in [1..100])#set($k = \"${i}-${j}\")"
            "#set($x = $m.put($k, $j))#end#end$m.size() $m.get('999-99')",
            NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "100000 99");
}

/* Wall time is bounded too (GH_VTL_MAX_RENDER_MS): a step can be a slow call (a regex
 * near PCRE2's match limit), so the clock is read after each call and every 256 steps.
 * The fake clock stands in for the slow calls. */
/* An #elseif chain is parsed in a loop (found by review: one recursion per #elseif
 * overflowed a small stack): 20,000 of them, which fit in AWS's 300 KB, parse and run. */
static void long_elseif_chains(void **state)
{
    (void)state;
    gh_buf b = GH_BUF_INIT;
    gh_buf_puts(&b, "#if(false)");
    for (int i = 0; i < 20000; i++)
        gh_buf_puts(&b, "#elseif(false)");
    gh_buf_puts(&b, "#else ok#end");
    result r = run(b.data, NULL, 0);
    gh_buf_free(&b);
    assert_true(r.compiled);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, " ok");
}

/* 64 arguments and 64 parameters, the most a call and a macro take: copying them read
 * one byte past the array (found by the bounded fuzz run in CI). */
static void sixty_four_arguments(void **state)
{
    (void)state;
    gh_buf b = GH_BUF_INIT;
    gh_buf_puts(&b, "#macro(m");
    for (int i = 0; i < 64; i++)
        gh_buf_printf(&b, " $p%d", i);
    gh_buf_puts(&b, ")$p0$p63#end#m(");
    for (int i = 0; i < 64; i++)
        gh_buf_printf(&b, "%s%d", i ? " " : "", i);
    gh_buf_puts(&b, ")");
    result r = run(b.data, NULL, 0);
    gh_buf_free(&b);
    assert_true(r.compiled);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "063");
}

static void renders_are_time_bounded(void **state)
{
    (void)state;
    gh_clock_fake(1781013791000);
    result r = run("#foreach($i in [1..10])$obj.slow(1000)#end", NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.rt.error, "template ran longer than 5000 ms"));
    assert_int_equal(r.rt.error_line, 1);
    assert_string_equal(r.out, "sssss"); /* the sixth call crossed the 5 s line */
    r = run("#foreach($i in [1..4])$obj.slow(1000)#end", NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "ssss");
    gh_clock_fake(-1);
}

static void compile_once_render_many(void **state)
{
    (void)state;
    gh_arena *model = gh_arena_new(1024);
    gh_vtl_error err;
    const char *src = "#set($y = $x * 2)$y";
    gh_vtl *t = gh_vtl_compile(model, src, strlen(src), &err);
    assert_non_null(t);
    for (int i = 0; i < 3; i++) {
        gh_arena *req = gh_arena_new(512);
        gh_vtl_rt rt = {.arena = req, .globals = gh_v_map(req, 1, false).u.map};
        gh_vmap_put(req, rt.globals, "x", 1, gh_v_int(i));
        gh_buf out = GH_BUF_INIT;
        assert_int_equal(gh_vtl_render(t, &rt, &out), 0);
        char want[8];
        snprintf(want, sizeof want, "%d", i * 2);
        assert_string_equal(out.data, want);
        gh_buf_free(&out);
        gh_arena_free(req);
    }
    gh_arena_free(model);
}

/* A write_once map (vtl_value.h; AWS's override maps) takes each key once through #set:
 * a second write is a runtime error at the #set's position, fold_case makes X and x one
 * key, a null right-hand side writes nothing, and reading back what was set works. */
static void write_once_maps(void **state)
{
    (void)state;
    static const struct {
        const char *tpl;
        bool fold_case;
        const char *want; /* output, or the start of the error after "fail:" */
        unsigned line, col;
    } cases[] = {
        {"#set($m.a = 1)#set($m.b = 2)$m.a$m.b", false, "12", 0, 0},
        {"#set($m.a = 1)$m.a#set($m['a'] = 2)", false, "fail:$m['a'] is already set", 1, 26},
        {"#set($m.a = 1)\n#set($m.a = 1)", false, "fail:$m.a is already set", 2, 8},
        {"#set($m.a = 1)#set($m.A = 2)$m.a$m.A", false, "12", 0, 0},
        {"#set($m.a = 1)#set($m.A = 2)", true, "fail:$m.A is already set", 1, 22},
        {"#set($m.a = $none)#set($m.a = 2)$m.a", false, "2", 0, 0},
        {"#set($v = 1)#set($v = 2)#set($m.a = $v)$m.a", false, "2", 0, 0},
        {"#set($m.a.b = 1)#set($m.a.b = 1)", false, "", 0, 0}, /* $m.a is null: no write */
        /* found by review: putIfAbsent is a write like put */
        {"#set($x = $m.put('X-A', 1))#set($x = $m.putIfAbsent('x-a', 2))", true,
         "fail:", 1, 40},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_arena *model = gh_arena_new(1024), *req = gh_arena_new(1024);
        gh_vtl_error err;
        gh_vtl *t = gh_vtl_compile(model, cases[i].tpl, strlen(cases[i].tpl), &err);
        assert_non_null(t);
        gh_vtl_rt rt = {.arena = req, .globals = gh_v_map(req, 1, false).u.map};
        gh_vval m = gh_v_map(req, 2, false);
        m.u.map->write_once = true;
        m.u.map->fold_case = cases[i].fold_case;
        gh_vmap_put(req, rt.globals, "m", 1, m);
        gh_buf out = GH_BUF_INIT;
        int rc = gh_vtl_render(t, &rt, &out);
        if (strncmp(cases[i].want, "fail:", 5) == 0) {
            if (rc != -1 || strncmp(rt.error, cases[i].want + 5, strlen(cases[i].want + 5)) != 0)
                fail_msg("case %zu: rc %d error [%s]", i, rc, rt.error);
            assert_int_equal(rt.error_line, cases[i].line);
            assert_int_equal(rt.error_col, cases[i].col);
        } else {
            if (rc != 0)
                fail_msg("case %zu: %s", i, rt.error);
            assert_string_equal(out.data, cases[i].want);
        }
        gh_buf_free(&out);
        gh_arena_free(req);
        gh_arena_free(model);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(references),          cmocka_unit_test(text_comments_escapes),
        cmocka_unit_test(directives),          cmocka_unit_test(expressions),
        cmocka_unit_test(whitespace_gobbling), cmocka_unit_test(syntax_errors),
        cmocka_unit_test(limits),              cmocka_unit_test(compile_once_render_many),
        cmocka_unit_test(write_once_maps),
        cmocka_unit_test(runaway_values),
        cmocka_unit_test(renders_are_time_bounded),
        cmocka_unit_test(long_elseif_chains),
        cmocka_unit_test(sixty_four_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
