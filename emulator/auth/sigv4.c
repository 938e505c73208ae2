/* SigV4 verification (see sigv4.h). The canonical request follows the IAM User Guide's
 * "Create a canonical request" for every service but S3: the path has its dot segments
 * and repeated slashes removed and is then URI-encoded once more (so a path sent as
 * "/%20/foo" is canonically "/%2520/foo", the test suite's get-space), query names and
 * values are decoded, re-encoded with only A-Z a-z 0-9 - _ . ~ left bare and sorted by
 * name then value, header values are trimmed with inner runs of spaces collapsed and
 * repeated headers joined with ','. */
#include "auth/sigv4.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/url.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
/* AWS's longest presigned validity (7 days). */
#define MAX_EXPIRES 604800

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(data ? data : "", len, md, &mdlen, EVP_sha256(), NULL);
    hex_encode(md, mdlen, out);
}

static void hmac(const void *key, size_t keylen, const char *msg, unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), out, &len);
}

const char *gh_sigv4_signature(gh_arena *a, const char *secret, const char *date8,
                               const char *region, const char *service,
                               const char *string_to_sign)
{
    char *k0 = gh_arena_printf(a, "AWS4%s", secret);
    unsigned char k[32], k2[32];
    hmac(k0, strlen(k0), date8, k);
    hmac(k, 32, region, k2);
    hmac(k2, 32, service, k);
    hmac(k, 32, "aws4_request", k2);
    hmac(k2, 32, string_to_sign, k);
    OPENSSL_cleanse(k0, strlen(k0));
    char *hex = gh_arena_alloc(a, 65);
    hex_encode(k, 32, hex);
    return hex;
}

/* ---- encoding ------------------------------------------------------------------- */

static int unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

static void encode(gh_buf *b, const char *s, size_t n, int keep_slash)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/'))
            gh_buf_putc(b, (char)c);
        else
            gh_buf_printf(b, "%%%02X", c);
    }
}

/* RFC 3986 dot-segment removal plus collapsing of empty segments, as AWS services and
 * botocore's remove_dot_segments do; "" becomes "/". */
static char *normalize_path(gh_arena *a, const char *path)
{
    if (!path || !*path)
        return "/";
    size_t n = strlen(path);
    const char **segs = gh_arena_alloc(a, (n + 1) * sizeof *segs);
    size_t *lens = gh_arena_alloc(a, (n + 1) * sizeof *lens);
    size_t nseg = 0;
    for (const char *p = path; *p;) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (nseg)
                nseg--;
        } else if (len && !(len == 1 && p[0] == '.')) {
            segs[nseg] = p;
            lens[nseg++] = len;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    gh_buf b = GH_BUF_INIT;
    if (path[0] == '/')
        gh_buf_putc(&b, '/');
    for (size_t i = 0; i < nseg; i++) {
        if (i)
            gh_buf_putc(&b, '/');
        gh_buf_append(&b, segs[i], lens[i]);
    }
    if (path[n - 1] == '/' && nseg)
        gh_buf_putc(&b, '/');
    char *out = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return out;
}

static void canonical_uri(gh_arena *a, gh_buf *b, const char *path)
{
    const char *norm = normalize_path(a, path);
    encode(b, norm, strlen(norm), 1);
}

typedef struct {
    char *name, *value; /* canonically encoded */
} qpair;

static int qpair_cmp(const void *x, const void *y)
{
    const qpair *p = x, *q = y;
    int c = strcmp(p->name, q->name);
    return c ? c : strcmp(p->value, q->value);
}

static char *reencode(gh_arena *a, const char *s, size_t n)
{
    size_t dlen = 0;
    char *d = gh_url_decode_n(a, s, n, 0, &dlen);
    gh_buf b = GH_BUF_INIT;
    encode(&b, d, dlen, 0);
    char *out = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return out;
}

/* Sorted, re-encoded name=value pairs; X-Amz-Signature left out when presigned. */
static void canonical_query(gh_arena *a, gh_buf *b, const char *query, int presigned)
{
    if (!query || !*query)
        return;
    size_t cap = 1;
    for (const char *p = query; *p; p++)
        cap += *p == '&';
    qpair *pairs = gh_arena_alloc(a, cap * sizeof *pairs);
    size_t n = 0;
    for (const char *p = query; *p;) {
        const char *e = strchr(p, '&');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len) {
            const char *eq = memchr(p, '=', len);
            size_t nlen = eq ? (size_t)(eq - p) : len;
            char *name = reencode(a, p, nlen);
            if (!(presigned && strcmp(name, "X-Amz-Signature") == 0)) {
                pairs[n].name = name;
                pairs[n].value = eq ? reencode(a, eq + 1, len - nlen - 1) : "";
                n++;
            }
        }
        p += len;
        if (*p == '&')
            p++;
    }
    qsort(pairs, n, sizeof *pairs, qpair_cmp);
    for (size_t i = 0; i < n; i++)
        gh_buf_printf(b, "%s%s=%s", i ? "&" : "", pairs[i].name, pairs[i].value);
}

/* Trimall: leading and trailing blanks dropped, inner runs collapsed to one space. */
static void put_trimmed(gh_buf *b, const char *v)
{
    int pending = 0, started = 0;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            pending = started;
            continue;
        }
        if (pending)
            gh_buf_putc(b, ' ');
        pending = 0;
        started = 1;
        gh_buf_putc(b, *v);
    }
}

static void canonical_headers(gh_buf *b, const gh_headers *h, const char *signed_headers)
{
    for (const char *p = signed_headers; *p;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        gh_buf_append(b, p, len);
        gh_buf_putc(b, ':');
        int first = 1;
        for (size_t i = 0; h && i < h->n; i++) {
            if (strlen(h->items[i].name) != len || strncasecmp(h->items[i].name, p, len) != 0)
                continue;
            if (!first)
                gh_buf_putc(b, ',');
            put_trimmed(b, h->items[i].value);
            first = 0;
        }
        gh_buf_putc(b, '\n');
        p += len;
        if (*p == ';')
            p++;
    }
}

static int name_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* SignedHeaders as the canonical request holds it: lower case, sorted, each name once.
 * A well-behaved client already sends it so (the signature is unchanged); a hostile list
 * naming one header thousands of times would otherwise repeat its value in the canonical
 * request, the mismatch body and the log as often. */
static const char *normalized_signed_headers(gh_arena *a, const char *list)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ';';
    char **names = gh_arena_alloc(a, n * sizeof *names);
    char *copy = gh_arena_strdup(a, list);
    size_t k = 0;
    for (char *save = NULL, *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        for (char *c = t; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        names[k++] = t;
    }
    qsort(names, k, sizeof *names, name_cmp);
    gh_buf b = GH_BUF_INIT;
    for (size_t i = 0; i < k; i++) {
        if (i && strcmp(names[i], names[i - 1]) == 0)
            continue;
        if (b.len)
            gh_buf_putc(&b, ';');
        gh_buf_puts(&b, names[i]);
    }
    const char *out = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return out;
}

static int is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (; *s; s++)
        if (!isxdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* ---- time ----------------------------------------------------------------------- */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t to_epoch(int y, int mo, int d, int h, int mi, int s)
{
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* YYYYMMDDTHHMMSSZ -> epoch seconds; -1 when not that form. */
static int64_t parse_amz_date(const char *s)
{
    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    for (int i = 0; i < 15; i++)
        if (i != 8 && !isdigit((unsigned char)s[i]))
            return -1;
    int v[6];
    static const int off[6] = {0, 4, 6, 9, 11, 13}, len[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0; i < 6; i++) {
        v[i] = 0;
        for (int j = 0; j < len[i]; j++)
            v[i] = v[i] * 10 + (s[off[i] + j] - '0');
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
        return -1;
    return to_epoch(v[0], v[1], v[2], v[3], v[4], v[5]);
}

/* RFC 1123 "Mon, 09 Sep 2011 23:36:00 GMT" -> epoch seconds; -1 otherwise. */
static int64_t parse_http_date(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char wd[4], mon[4], zone[4];
    int d, y, h, mi, sec;
    /* Widths and ranges bound every field: a client's "Date: ..., 99999999999:00:00 GMT"
     * must not overflow the arithmetic below. */
    if (!s ||
        sscanf(s, "%3s, %2d %3s %4d %2d:%2d:%2d %3s", wd, &d, mon, &y, &h, &mi, &sec, zone) != 8
        || strcmp(zone, "GMT") != 0 || d < 1 || d > 31 || y < 0 || h < 0 || h > 23 || mi < 0
        || mi > 59 || sec < 0 || sec > 60)
        return -1;
    const char *m = strstr(months, mon);
    if (!m || (m - months) % 3)
        return -1;
    return to_epoch(y, (int)(m - months) / 3 + 1, d, h, mi, sec);
}

static char *fmt_amz(gh_arena *a, int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t rem = t - days * 86400;
    /* civil_from_days */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    return gh_arena_printf(a, "%04lld%02lld%02lldT%02lld%02lld%02lldZ", (long long)y,
                           (long long)m, (long long)d, (long long)(rem / 3600),
                           (long long)(rem / 60 % 60), (long long)(rem % 60));
}

/* ---- locating the signature ----------------------------------------------------- */

typedef struct {
    const char *credential, *signed_headers, *signature, *date, *expires, *token;
} sig_parts;

/* The decoded value of a query parameter, NULL if absent. */
static const char *query_param(gh_arena *a, const char *query, const char *name)
{
    if (!query)
        return NULL;
    size_t nlen = strlen(name);
    for (const char *p = query; *p;) {
        const char *e = strchr(p, '&');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        char *k = gh_url_decode(a, p, klen, 0);
        if (strlen(k) == nlen && strcmp(k, name) == 0)
            return eq ? gh_url_decode(a, eq + 1, len - klen - 1, 0) : "";
        p += len;
        if (*p == '&')
            p++;
    }
    return NULL;
}

static char *trim_dup(gh_arena *a, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return gh_arena_strndup(a, s, n);
}

/* Parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...". Returns
 * NULL, or AWS's IncompleteSignature text. */
static const char *parse_authorization(gh_arena *a, const char *value, int have_date,
                                       sig_parts *sp)
{
    size_t alen = strlen(ALGORITHM);
    if (strncmp(value, ALGORITHM, alen) == 0 && (value[alen] == ' ' || value[alen] == '\t')) {
        for (const char *p = value + alen + 1; *p;) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            char *part = trim_dup(a, p, len);
            p += len;
            if (*p == ',')
                p++;
            if (!*part)
                continue;
            char *eq = strchr(part, '=');
            if (!eq)
                return gh_arena_printf(a,
                                       "'%s' not a valid key=value pair (missing equal-sign) in "
                                       "Authorization header: '%s'.",
                                       part, value);
            *eq = '\0';
            if (strcmp(part, "Credential") == 0)
                sp->credential = eq + 1;
            else if (strcmp(part, "SignedHeaders") == 0)
                sp->signed_headers = eq + 1;
            else if (strcmp(part, "Signature") == 0)
                sp->signature = eq + 1;
        }
    }
    if (sp->credential && sp->signed_headers && sp->signature && have_date)
        return NULL;
    /* AWS lists every requirement not met, then echoes the header. */
    gh_buf b = GH_BUF_INIT;
    if (!sp->credential)
        gh_buf_puts(&b, "Authorization header requires 'Credential' parameter. ");
    if (!sp->signature)
        gh_buf_puts(&b, "Authorization header requires 'Signature' parameter. ");
    if (!sp->signed_headers)
        gh_buf_puts(&b, "Authorization header requires 'SignedHeaders' parameter. ");
    if (!have_date)
        gh_buf_puts(&b, "Authorization header requires existence of either a 'X-Amz-Date' or "
                        "a 'Date' header. ");
    gh_buf_printf(&b, "Authorization=%s", value);
    char *msg = gh_arena_strndup(a, b.data, b.len);
    gh_buf_free(&b);
    return msg;
}

static gh_sigv4_status fail(gh_sigv4_result *out, gh_sigv4_status st, const char *msg)
{
    out->status = st;
    out->message = msg;
    return st;
}

gh_sigv4_status gh_sigv4_verify(gh_arena *a, const gh_sigv4_request *req,
                                const gh_sigv4_expect *expect, gh_sigv4_lookup_fn lookup,
                                void *ctx, int64_t now_ms, gh_sigv4_result *out)
{
    memset(out, 0, sizeof *out);
    sig_parts sp = {0};
    const char *auth = gh_headers_get(req->headers, "Authorization");
    const char *amz_date_hdr = gh_headers_get(req->headers, "X-Amz-Date");
    const char *http_date = gh_headers_get(req->headers, "Date");
    const char *date_source = "X-Amz-Date";

    if (auth) {
        const char *err = parse_authorization(a, auth, amz_date_hdr || http_date, &sp);
        if (err)
            return fail(out, GH_SIGV4_MALFORMED, err);
        sp.date = amz_date_hdr;
        if (!sp.date) {
            date_source = "Date";
            int64_t t = parse_http_date(http_date);
            sp.date = t < 0 ? http_date : fmt_amz(a, t);
        }
        sp.token = gh_headers_get(req->headers, "X-Amz-Security-Token");
    } else if (query_param(a, req->query, "X-Amz-Algorithm")) {
        out->presigned = true;
        const char *alg = query_param(a, req->query, "X-Amz-Algorithm");
        sp.credential = query_param(a, req->query, "X-Amz-Credential");
        sp.signed_headers = query_param(a, req->query, "X-Amz-SignedHeaders");
        sp.signature = query_param(a, req->query, "X-Amz-Signature");
        sp.date = query_param(a, req->query, "X-Amz-Date");
        sp.expires = query_param(a, req->query, "X-Amz-Expires");
        sp.token = query_param(a, req->query, "X-Amz-Security-Token");
        if (strcmp(alg, ALGORITHM) != 0 || !sp.credential || !sp.signed_headers
            || !sp.signature || !sp.date)
            return fail(out, GH_SIGV4_MALFORMED,
                        "AWS query-string parameters must include 'X-Amz-Algorithm', "
                        "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', "
                        "'X-Amz-SignedHeaders', and 'X-Amz-Expires' parameters.");
    } else {
        out->status = GH_SIGV4_MISSING;
        return GH_SIGV4_MISSING;
    }
    sp.signed_headers = normalized_signed_headers(a, sp.signed_headers);
    out->signed_headers = sp.signed_headers;
    out->security_token = sp.token;

    int64_t t = parse_amz_date(sp.date);
    if (t < 0)
        return fail(out, GH_SIGV4_MALFORMED,
                    gh_arena_printf(a,
                                    "Date must be in ISO-8601 'basic format'. Got '%s'. See "
                                    "http://en.wikipedia.org/wiki/ISO_8601",
                                    sp.date ? sp.date : ""));
    out->amz_date = sp.date;

    /* Credential: AK/YYYYMMDD/REGION/SERVICE/aws4_request */
    char *parts[5] = {0};
    size_t np = 0;
    char *cred = gh_arena_strdup(a, sp.credential);
    for (char *p = cred; np < 5;) {
        parts[np++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    const char *last = parts[np - 1];
    if (np < 5 || strcmp(parts[4], "aws4_request") != 0 || !*parts[0])
        return fail(out, GH_SIGV4_MALFORMED,
                    gh_arena_printf(a,
                                    "Credential should be scoped with a valid terminator: "
                                    "'aws4_request', not '%s'. ",
                                    np == 5 ? parts[4] : last));
    out->access_key = parts[0];
    out->region = parts[2];
    out->service = parts[3];

    /* The scope must name this endpoint's region and service (IAM User Guide,
     * "Troubleshoot signed requests": credential scope errors). */
    if (strcmp(parts[2], expect->region) != 0)
        return fail(out, GH_SIGV4_SCOPE,
                    gh_arena_printf(a, "Credential should be scoped to a valid region, not '%s'. ",
                                    parts[2]));
    if (strcmp(parts[3], expect->service) != 0)
        return fail(out, GH_SIGV4_SCOPE,
                    gh_arena_printf(a, "Credential should be scoped to correct service: '%s'. ",
                                    expect->service));
    if (strncmp(parts[1], sp.date, 8) != 0 || strlen(parts[1]) != 8)
        return fail(out, GH_SIGV4_SCOPE,
                    gh_arena_printf(a,
                                    "Date in Credential scope does not match YYYYMMDD from "
                                    "ISO-8601 version of date from HTTP: '%s' != '%.8s', from "
                                    "'%s'.",
                                    parts[1], sp.date, date_source));

    /* Time: API Gateway's texts name the skew in minutes ("(20170215T150034Z - 5 min.)"). */
    int64_t now = now_ms / 1000;
    int skew = expect->skew_seconds;
    if (t > now + skew)
        return fail(out, GH_SIGV4_EXPIRED,
                    gh_arena_printf(a,
                                    "Signature not yet current: %s is still later than %s (%s + "
                                    "%d min.)",
                                    sp.date, fmt_amz(a, now + skew), fmt_amz(a, now), skew / 60));
    if (out->presigned && sp.expires) {
        char *end = NULL;
        long ex = strtol(sp.expires, &end, 10);
        if (!*sp.expires || *end || ex < 1 || ex > MAX_EXPIRES)
            return fail(out, GH_SIGV4_MALFORMED,
                        "X-Amz-Expires must be less than a week (in seconds) that is 604800");
        if (now > t + ex)
            return fail(out, GH_SIGV4_EXPIRED, "Request has expired");
    } else if (t < now - skew) {
        return fail(out, GH_SIGV4_EXPIRED,
                    gh_arena_printf(a,
                                    "Signature expired: %s is now earlier than %s (%s - %d min.)",
                                    sp.date, fmt_amz(a, now - skew), fmt_amz(a, now), skew / 60));
    }

    const char *secret = lookup(ctx, out->access_key, &out->credential);
    if (!secret) {
        out->status = GH_SIGV4_UNKNOWN_KEY;
        return GH_SIGV4_UNKNOWN_KEY;
    }

    gh_buf cr = GH_BUF_INIT;
    gh_buf_printf(&cr, "%s\n", req->method);
    canonical_uri(a, &cr, req->path);
    gh_buf_putc(&cr, '\n');
    canonical_query(a, &cr, req->query, out->presigned);
    gh_buf_putc(&cr, '\n');
    canonical_headers(&cr, req->headers, sp.signed_headers);
    gh_buf_printf(&cr, "\n%s\n", sp.signed_headers);
    /* X-Amz-Content-Sha256 may say UNSIGNED-PAYLOAD (or a streaming mode), which is then
     * what was signed; a hash in it is checked by signing the body's real hash, so a
     * tampered body fails like a wrong signature. */
    const char *declared = gh_headers_get(req->headers, "X-Amz-Content-Sha256");
    char body_hash[65];
    sha256_hex(req->body, req->body_len, body_hash);
    gh_buf_puts(&cr, declared && !is_hex64(declared) ? declared : body_hash);
    out->canonical_request = gh_arena_strndup(a, cr.data, cr.len);
    gh_buf_free(&cr);

    char cr_hash[65];
    sha256_hex(out->canonical_request, strlen(out->canonical_request), cr_hash);
    out->string_to_sign = gh_arena_printf(a, ALGORITHM "\n%s\n%s/%s/%s/aws4_request\n%s", sp.date,
                                          parts[1], parts[2], parts[3], cr_hash);
    const char *want =
        gh_sigv4_signature(a, secret, parts[1], parts[2], parts[3], out->string_to_sign);
    if (strlen(sp.signature) != 64 || CRYPTO_memcmp(want, sp.signature, 64) != 0) {
        out->status = GH_SIGV4_MISMATCH;
        return GH_SIGV4_MISMATCH;
    }
    out->status = GH_SIGV4_OK;
    return GH_SIGV4_OK;
}

const char *gh_sigv4_mismatch_message(gh_arena *a, const gh_sigv4_result *r)
{
    return gh_arena_printf(a,
                           GH_SIGV4_MISMATCH_TEXT
                           "\n\nThe Canonical String for this request should have been\n'%s'"
                           "\n\nThe String-to-Sign should have been\n'%s'\n",
                           r->canonical_request ? r->canonical_request : "",
                           r->string_to_sign ? r->string_to_sign : "");
}
