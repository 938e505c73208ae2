/* util/base64: RFC 4648 vectors both ways, whitespace and missing padding tolerated,
 * garbage rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/base64.h"

static void encodes_rfc4648_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len;
        assert_string_equal(gh_base64_encode(a, cases[i].in, strlen(cases[i].in), &len),
                            cases[i].out);
        assert_int_equal(len, strlen(cases[i].out));
        char *dec;
        size_t dlen;
        assert_true(gh_base64_decode(a, cases[i].out, strlen(cases[i].out), &dec, &dlen));
        assert_int_equal(dlen, strlen(cases[i].in));
        assert_memory_equal(dec, cases[i].in, dlen);
    }
    gh_arena_free(a);
}

static void decodes_leniently_but_rejects_garbage(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int ok;
        const char *out;
    } cases[] = {
        {"Zm9vYg", 1, "foob"},        /* missing padding */
        {"Zm9v\r\nYmFy", 1, "foobar"}, /* MIME line break */
        {"dGVzdC1kYXRh", 1, "test-data"},
        {"Zm9v!", 0, NULL},    {"Z", 0, NULL},       {"Zg==Zg==", 0, NULL},
        {"=Zg", 0, NULL},      {"Zm9vY", 0, NULL},
    };
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *dec = NULL;
        size_t dlen = 0;
        bool ok = gh_base64_decode(a, cases[i].in, strlen(cases[i].in), &dec, &dlen);
        assert_int_equal(ok, cases[i].ok);
        if (ok)
            assert_string_equal(dec, cases[i].out);
    }
    char bin[3] = {0, 'x', 0};
    size_t len;
    char *enc = gh_base64_encode(a, bin, 3, &len);
    assert_string_equal(enc, "AHgA");
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_rfc4648_vectors),
        cmocka_unit_test(decodes_leniently_but_rejects_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
