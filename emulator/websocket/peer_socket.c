/* See peer_socket.h. One scan of /proc/self/fd per forced close: rare (a client that
 * ignored a close frame), so a few thousand getpeername calls are cheap enough. */
#include "websocket/peer_socket.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The address and port of sa as text and number; false for a non-IP socket. */
static bool ends(const struct sockaddr_storage *sa, char *addr, size_t addrlen, int *port)
{
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        *port = ntohs(in->sin_port);
        return inet_ntop(AF_INET, &in->sin_addr, addr, (socklen_t)addrlen) != NULL;
    }
    if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        *port = ntohs(in6->sin6_port);
        return inet_ntop(AF_INET6, &in6->sin6_addr, addr, (socklen_t)addrlen) != NULL;
    }
    return false;
}

int gh_peer_socket_shutdown(const char *remote_addr, int remote_port, int local_port)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int found = -1;
    for (struct dirent *e; found < 0 && (e = readdir(d));) {
        char *end = NULL;
        long fd = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end || fd < 0 || fd == dirfd(d))
            continue;
        struct sockaddr_storage peer, local;
        socklen_t pl = sizeof peer, ll = sizeof local;
        char addr[INET6_ADDRSTRLEN];
        int pport = 0, lport = 0;
        if (getpeername((int)fd, (struct sockaddr *)&peer, &pl) != 0 ||
            getsockname((int)fd, (struct sockaddr *)&local, &ll) != 0 ||
            !ends(&peer, addr, sizeof addr, &pport) || pport != remote_port ||
            strcmp(addr, remote_addr) != 0)
            continue;
        char laddr[INET6_ADDRSTRLEN];
        if (!ends(&local, laddr, sizeof laddr, &lport) || lport != local_port)
            continue;
        if (shutdown((int)fd, SHUT_RDWR) == 0)
            found = 0;
    }
    closedir(d);
    return found;
}
