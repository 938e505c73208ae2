/* Ends a TCP connection of this process that we hold no descriptor for: civetweb 1.15
 * keeps a WebSocket's socket private and its read loop waits on the client, so a client
 * that ignores our close frame would keep the connection (and a worker thread) for as
 * long as it likes, where API Gateway drops it. The socket is found by its two ends
 * among the process's descriptors and shut down, which ends civetweb's read loop as if
 * the client had hung up. Linux (/proc/self/fd). */
#ifndef GH_PEER_SOCKET_H
#define GH_PEER_SOCKET_H

/* shutdown(2)s the socket whose peer is remote_addr:remote_port (as civetweb prints
 * them) and whose local port is local_port. 0 when found, -1 when none is open. The
 * caller must know the connection is still open (its descriptor not yet closed and
 * reused), e.g. by holding off civetweb's close handler. */
int gh_peer_socket_shutdown(const char *remote_addr, int remote_port, int local_port);

#endif
