/* util/base64: RFC 4648 test vectors both ways, binary bytes, invalid input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/arena.h"
#include "util/base64.h"

static const struct {
    const char *plain;
    const char *encoded;
} vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
    {"{\"a\":1}", "eyJhIjoxfQ=="},
};

static void rfc4648_vectors(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        const char *p = vectors[i].plain, *e = vectors[i].encoded;
        assert_string_equal(gh_base64_encode(a, p, strlen(p)), e);
        char *out;
        size_t n;
        assert_int_equal(gh_base64_decode(a, e, strlen(e), &out, &n), 0);
        assert_int_equal(n, strlen(p));
        assert_memory_equal(out, p, n);
    }
    gh_arena_free(a);
}

static void binary_round_trip(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    unsigned char bytes[256];
    for (int i = 0; i < 256; i++)
        bytes[i] = (unsigned char)(255 - i);
    char *enc = gh_base64_encode(a, bytes, sizeof bytes);
    assert_int_equal(strlen(enc), 344);
    char *out;
    size_t n;
    assert_int_equal(gh_base64_decode(a, enc, strlen(enc), &out, &n), 0);
    assert_int_equal(n, 256);
    assert_memory_equal(out, bytes, 256);
    gh_arena_free(a);
}

static const struct {
    const char *in;
    int rc;
    const char *out;
} decode_cases[] = {
    {"Zm8", 0, "fo"},     /* padding optional */
    {"Zg", 0, "f"},
    {"Z", -1, NULL},      /* a lone sextet is not a byte */
    {"Zm9v!", -1, NULL},  /* outside the alphabet */
    {"Zm 9v", -1, NULL},  /* no whitespace */
    {"Zg=", -1, NULL},    /* padding must complete the quantum */
    {"Zg===", -1, NULL},
    {"Zm-_", -1, NULL},   /* base64url is not accepted */
};

static void decode_edge_cases(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof decode_cases / sizeof *decode_cases; i++) {
        char *out = NULL;
        size_t n = 0;
        int rc = gh_base64_decode(a, decode_cases[i].in, strlen(decode_cases[i].in), &out, &n);
        assert_int_equal(rc, decode_cases[i].rc);
        if (rc == 0) {
            assert_int_equal(n, strlen(decode_cases[i].out));
            assert_memory_equal(out, decode_cases[i].out, n);
        }
    }
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4648_vectors),
        cmocka_unit_test(binary_round_trip),
        cmocka_unit_test(decode_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
