/* The digests the simulated SQS returns: MD5OfMessageBody, MD5OfMessageAttributes /
 * MD5OfMessageSystemAttributes, and the SHA-256 of content-based deduplication. All
 * through OpenSSL's EVP; the attribute encoding is the one AWS documents in the SQS
 * Developer Guide ("Calculating the MD5 message digest for message attributes"), which
 * the SDKs re-compute to verify every SendMessage and ReceiveMessage answer. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sqs_internal.h"

static void hex(const unsigned char *d, unsigned n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static void digest_hex(const EVP_MD *md, const void *data, size_t n, char *out)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!EVP_Digest(data, n, d, &len, md, NULL))
        len = 0;
    hex(d, len, out);
}

void gh_sqsi_md5_hex(const void *data, size_t n, char out[33])
{
    digest_hex(EVP_md5(), data, n, out);
}

void gh_sqsi_sha256_hex(const void *data, size_t n, char out[65])
{
    digest_hex(EVP_sha256(), data, n, out);
}

/* Each field is a 4-byte big-endian length then the bytes. */
static void put_field(EVP_MD_CTX *c, const void *p, size_t n)
{
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n};
    EVP_DigestUpdate(c, len, 4);
    if (n)
        EVP_DigestUpdate(c, p, n);
}

static int by_name(const void *a, const void *b)
{
    const gh_sqs_attr *x = *(const gh_sqs_attr *const *)a, *y = *(const gh_sqs_attr *const *)b;
    return strcmp(x->name, y->name);
}

void gh_sqs_md5_of_attributes(const gh_sqs_attr *attrs, size_t n, char out[33])
{
    out[0] = '\0';
    if (!n)
        return;
    const gh_sqs_attr **sorted = malloc(n * sizeof *sorted);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!sorted || !c || !EVP_DigestInit_ex(c, EVP_md5(), NULL)) {
        free(sorted);
        EVP_MD_CTX_free(c);
        return;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = &attrs[i];
    /* AWS sorts by name (byte order of the UTF-8 names). */
    qsort(sorted, n, sizeof *sorted, by_name);
    for (size_t i = 0; i < n; i++) {
        const gh_sqs_attr *a = sorted[i];
        put_field(c, a->name, strlen(a->name));
        put_field(c, a->data_type, strlen(a->data_type));
        /* The transport type byte: 1 for String and Number (string values), 2 for
         * Binary (the decoded bytes, not the base64 text). */
        bool binary = strncmp(a->data_type, "Binary", 6) == 0;
        unsigned char transport = binary ? 2 : 1;
        EVP_DigestUpdate(c, &transport, 1);
        if (binary)
            put_field(c, a->binary_value, a->binary_len);
        else
            put_field(c, a->string_value ? a->string_value : "",
                      a->string_value ? strlen(a->string_value) : 0);
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!EVP_DigestFinal_ex(c, d, &len))
        len = 0;
    hex(d, len, out);
    EVP_MD_CTX_free(c);
    free(sorted);
}
