#include "util/http.h"

#include <string.h>
#include <strings.h>

#include "util/clock.h"

void gh_headers_add(gh_arena *a, gh_headers *h, const char *name, const char *value)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        gh_header *items = gh_arena_alloc(a, cap * sizeof *items);
        if (h->n)
            memcpy(items, h->items, h->n * sizeof *items);
        h->items = items;
        h->cap = cap;
    }
    h->items[h->n].name = name;
    h->items[h->n].value = value ? value : "";
    h->n++;
}

void gh_headers_remove(gh_headers *h, const char *name)
{
    size_t j = 0;
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->items[i].name, name) != 0)
            h->items[j++] = h->items[i];
    h->n = j;
}

void gh_headers_set(gh_arena *a, gh_headers *h, const char *name, const char *value)
{
    gh_headers_remove(h, name);
    gh_headers_add(a, h, name, value);
}

const char *gh_headers_get(const gh_headers *h, const char *name)
{
    for (size_t i = h->n; i-- > 0;)
        if (strcasecmp(h->items[i].name, name) == 0)
            return h->items[i].value;
    return NULL;
}

bool gh_headers_has(const gh_headers *h, const char *name)
{
    return gh_headers_get(h, name) != NULL;
}

void gh_request_stamp(gh_request *r)
{
    r->time_ms = gh_clock_now_ms();
    r->start_ns = gh_clock_mono_ns();
    gh_uuid4(r->request_id);
    gh_extended_request_id(r->extended_id);
}

const char *gh_http_reason(int s)
{
    switch (s) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 418: return "I'm a teapot";
    case 421: return "Misdirected Request";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    case 511: return "Network Authentication Required";
    default: return "Unknown";
    }
}
