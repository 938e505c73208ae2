/* auth/pool_key: a missing key file is generated (RSA, 0600, no temporary left beside
 * it) and read back unchanged; processes creating it at once agree on one key; a file that is not
 * an RSA private key, or a folder that cannot be written, is refused with a message naming the
 * path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "auth/pool_key.h"
#include "scratch.h"

static void creates_then_reads_back(void **state)
{
    (void)state;
    scratch s = {0};
    put(&s, "placeholder", ""); /* makes the folder */
    char path[160];
    snprintf(path, sizeof path, "%s/pool.pem", s.dir);

    char *err = NULL;
    char *pem = gh_pool_key_load_or_create(path, &err);
    assert_null(err);
    assert_non_null(pem);
    assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* Only the key and the placeholder: the temporary file was linked into place and removed. */
    DIR *d = opendir(s.dir);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));)
        files += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 2);

    const char *why = NULL;
    gh_jwt_key *k = gh_jwt_key_from_pem(pem, &why);
    assert_non_null(k);
    assert_int_equal(strlen(gh_jwt_key_kid(k)), 43); /* base64url of 32 bytes, unpadded */

    char *again = gh_pool_key_load_or_create(path, &err);
    assert_null(err);
    assert_string_equal(again, pem);
    gh_jwt_key *k2 = gh_jwt_key_from_pem(again, &why);
    assert_string_equal(gh_jwt_key_kid(k2), gh_jwt_key_kid(k)); /* kid is stable */

    gh_jwt_key_free(k);
    gh_jwt_key_free(k2);
    free(pem);
    free(again);
    unlink(path);
    scratch_free(&s);
}

/* Processes that find no key at once (a server and `gatehouse token`, two tests sharing
 * an example) all end with the same key, the one on disk: a later writer replacing the
 * file would invalidate tokens the first had signed. */
static void concurrent_creators_agree(void **state)
{
    (void)state;
    scratch s = {0};
    put(&s, "placeholder", "");
    char path[160];
    snprintf(path, sizeof path, "%s/pool.pem", s.dir);
    enum { N = 4 };
    int pipes[N][2];
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        assert_int_equal(pipe(pipes[i]), 0);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            char *err = NULL, *pem = gh_pool_key_load_or_create(path, &err);
            const char *out = pem ? pem : err ? err : "?";
            ssize_t w = write(pipes[i][1], out, strlen(out));
            _exit(pem && w == (ssize_t)strlen(out) ? 0 : 1);
        }
        close(pipes[i][1]);
    }
    char *err = NULL, *disk = NULL;
    for (int i = 0; i < N; i++) {
        char got[8192];
        size_t n = 0;
        for (ssize_t r;
             n < sizeof got - 1 && (r = read(pipes[i][0], got + n, sizeof got - 1 - n)) > 0;)
            n += (size_t)r;
        got[n] = '\0';
        close(pipes[i][0]);
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("creator %d failed: %s", i, got);
        if (!disk)
            disk = gh_pool_key_load_or_create(path, &err);
        assert_non_null(disk);
        assert_string_equal(got, disk);
    }
    DIR *d = opendir(s.dir);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));)
        files += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 2); /* no temporary left by the losers */
    free(disk);
    unlink(path);
    scratch_free(&s);
}

/* A P-256 private key's PKCS#8 PEM (malloc'd), made by OpenSSL. */
static char *ec_key_pem(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(k);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *out = strndup(data, (size_t)n);
    BIO_free(bio);
    EVP_PKEY_free(k);
    return out;
}

static void refuses_bad_files(void **state)
{
    (void)state;
    /* An EC private key: a valid PEM, the wrong type. */
    char *ec_pem = ec_key_pem();
    const struct {
        const char *name, *text, *message;
    } cases[] = {
        {"garbage.pem", "hello, not a key\n", "garbage.pem: not an RSA private key"},
        {"ec.pem", ec_pem, "ec.pem: not an RSA private key (a PEM key of another type)"},
        {"empty.pem", "", "empty.pem: not an RSA private key"},
    };
    scratch s = {0};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = put(&s, cases[i].name, cases[i].text);
        char *err = NULL;
        char *pem = gh_pool_key_load_or_create(path, &err);
        assert_null(pem);
        assert_non_null(err);
        if (!strstr(err, cases[i].message))
            fail_msg("%s: got '%s'", cases[i].name, err);
        free(err);
    }
    scratch_free(&s);
    free(ec_pem);

    char *err = NULL;
    assert_null(gh_pool_key_load_or_create("/nonexistent-gh-dir/pool.pem", &err));
    assert_string_equal(err,
                        "cannot write /nonexistent-gh-dir/pool.pem: No such file or directory");
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(creates_then_reads_back),
        cmocka_unit_test(concurrent_creators_agree),
        cmocka_unit_test(refuses_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
