/* A simulated user pool's signing key (pool_key.h): read the PEM beside the definition,
 * or have OpenSSL generate a 2048-bit RSA key (the size Cognito's own keys have) and
 * write it atomically, so a crash never leaves half a key that every later load would
 * refuse, and with mode 0600 since it is a private key. */
#include "auth/pool_key.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

/* NULL when text is an RSA private key PEM (PKCS#1 or PKCS#8), else why not. */
static const char *check_rsa(const char *text, size_t len)
{
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    if (!bio)
        return "out of memory";
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!k)
        return "not an RSA private key (expected a PEM \"PRIVATE KEY\" or \"RSA PRIVATE KEY\")";
    bool rsa = EVP_PKEY_is_a(k, "RSA");
    EVP_PKEY_free(k);
    return rsa ? NULL : "not an RSA private key (a PEM key of another type)";
}

/* A new key's PKCS#8 PEM (malloc'd), or NULL. */
static char *generate_pem(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (!k)
        return NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;
    if (bio && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0 && (out = malloc((size_t)n + 1))) {
            memcpy(out, data, (size_t)n);
            out[n] = '\0';
        }
    }
    BIO_free(bio);
    EVP_PKEY_free(k);
    return out;
}

/* Writes text to path through a temporary file in the same folder published with
 * link(2), so readers see no file or the whole key, and when two processes generate at
 * once (a server and `gatehouse token`, two tests sharing an example) only the first
 * key lands: link fails with EEXIST for the second, where rename would replace a key
 * the first may already have signed with. 0, or -1 with errno set. */
static int write_exclusive(const char *path, const char *text)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return -1;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp); /* created 0600 */
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    size_t len = strlen(text), off = 0;
    int rc = fchmod(fd, S_IRUSR | S_IWUSR);
    while (rc == 0 && off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = -1;
        else
            off += (size_t)w;
    }
    if (rc == 0)
        rc = fsync(fd);
    int saved = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && link(tmp, path) != 0) {
        rc = -1;
        saved = errno;
    }
    unlink(tmp);
    free(tmp);
    errno = saved;
    return rc;
}

/* The key at path (malloc'd), NULL with *err set when it is not an RSA private key or
 * cannot be read; NULL without *err when there is no file. */
static char *load(const char *path, char **err)
{
    size_t len = 0;
    char *text = gh_read_file(path, &len);
    if (text) {
        const char *why = check_rsa(text, len);
        if (!why)
            return text;
        free(text);
        *err = gh_strprintf("%s: %s; delete it to have a new key generated", path, why);
        return NULL;
    }
    if (errno != ENOENT)
        *err = gh_strprintf("cannot read %s: %s", path, strerror(errno));
    return NULL;
}

char *gh_pool_key_load_or_create(const char *path, char **err)
{
    *err = NULL;
    char *text = load(path, err);
    if (text || *err)
        return text;
    char *pem = generate_pem();
    if (!pem) {
        *err = gh_strprintf("cannot write %s: OpenSSL could not generate an RSA key", path);
        return NULL;
    }
    if (write_exclusive(path, pem) != 0) {
        if (errno == EEXIST) { /* another process got there first: use its key */
            free(pem);
            char *theirs = load(path, err);
            if (!theirs && !*err)
                *err = gh_strprintf("cannot read %s: it vanished as it was made", path);
            return theirs;
        }
        *err = gh_strprintf("cannot write %s: %s", path, strerror(errno));
        free(pem);
        return NULL;
    }
    return pem;
}
