#!/usr/bin/env python3
"""One WebSocket session against a running `gatehouse serve` of
tests/data/websocket-e2e/api.yaml, for tests/valgrind.sh (standard library only, no
network beyond 127.0.0.1): a refused and an unauthorised handshake, a connection that
sends a routed message, a fragmented one, a ping and a one-way message; @connections
POST, GET and DELETE as the AWS CLI sends them; a close from each side; then it prints
`ok` and holds a last connection open until the caller stops the server, which must
close it with 1001. Every answer is checked; exits 0 when all match, 1 with the first
mismatch on stderr.

Usage: tests/ws_session.py PORT"""
import base64
import json
import os
import socket
import struct
import sys
import urllib.error
import urllib.request

PORT = int(sys.argv[1])
TIMEOUT = 60  # valgrind makes the server slow


def fail(msg):
    sys.stderr.write("ws_session: %s\n" % msg)
    sys.exit(1)


def handshake(path):
    """Opens a connection; returns (socket, status line, rest of the answer)."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\nUser-Agent: ws_session\r\n\r\n"
               % (path, PORT, key)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            break
        head += chunk
    status = head.split(b"\r\n", 1)[0].decode()
    return s, status, head


def send_frame(s, opcode, payload, fin=True):
    mask = os.urandom(4)
    n = len(payload)
    hdr = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        hdr += bytes([0x80 | n])
    elif n < 65536:
        hdr += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        hdr += bytes([0x80 | 127]) + struct.pack("!Q", n)
    s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def recv_exact(s, n):
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            fail("connection dropped mid-frame")
        out += chunk
    return out


def recv_frame(s):
    b0, b1 = recv_exact(s, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exact(s, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", recv_exact(s, 8))[0]
    return b0 & 0x0F, recv_exact(s, n)


def expect_frame(s, opcode, what):
    op, data = recv_frame(s)
    if op != opcode:
        fail("%s: opcode %d, want %d (%r)" % (what, op, opcode, data))
    return data


def mgmt(method, conn_id, body=None):
    """@connections as the AWS CLI calls it: %40 and the id's '=' as %3D."""
    url = "http://127.0.0.1:%d/default/%%40connections/%s" % (
        PORT, conn_id.replace("=", "%3D"))
    r = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(r, timeout=TIMEOUT) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    # Refused by $connect (400) and by the authorizer (no token: 401).
    s, status, _ = handshake("/default?token=t&deny=1")
    s.close()
    if " 400 " not in status:
        fail("deny=1: %s" % status)
    s, status, _ = handshake("/default")
    s.close()
    if " 401 " not in status:
        fail("no token: %s" % status)

    # A connection: a two-way route, whose answer names the connection.
    a, status, _ = handshake("/default?token=alice")
    if " 101 " not in status:
        fail("alice: %s" % status)
    send_frame(a, 1, b'{"action":"echo","n":1}')
    reply = expect_frame(a, 1, "echo").decode()
    parts = reply.split("|")
    if parts[0] != "echo" or parts[4] != "user-alice":
        fail("echo reply %r" % reply)
    conn_a = parts[-1]
    # A message in three fragments, reassembled to the $default route.
    send_frame(a, 1, b'{"act', fin=False)
    send_frame(a, 0, b'ion":"nope",', fin=False)
    send_frame(a, 0, b'"x":2}')
    if not expect_frame(a, 1, "fragments").decode().startswith("$default|"):
        fail("fragments did not reach $default")
    # A ping gets its pong; a one-way message gets nothing (the next frame is the pong).
    send_frame(a, 1, b'{"action":"oneway"}')
    send_frame(a, 9, b"hi")
    if expect_frame(a, 10, "pong") != b"hi":
        fail("pong payload")
    # A failing route: AWS's error frame.
    send_frame(a, 1, b'{"action":"fail"}')
    err = json.loads(expect_frame(a, 1, "fail"))
    if err.get("message") != "Internal server error":
        fail("fail frame %r" % err)

    # @connections: POST reaches the client, GET answers its info, unknown ids are gone.
    st, body = mgmt("POST", conn_a, b"pushed")
    if st != 200 or expect_frame(a, 1, "posted") != b"pushed":
        fail("POST @connections: %d %r" % (st, body))
    st, body = mgmt("GET", conn_a)
    if st != 200 or json.loads(body)["identity"]["userAgent"] != "ws_session":
        fail("GET @connections: %d %r" % (st, body))
    st, _ = mgmt("POST", "AAAAAAAAAAAAAAA=", b"x")
    if st != 410:
        fail("POST to an unknown id: %d" % st)

    # A second connection closed by DELETE: a close frame 1000, then 410 for it.
    b, status, _ = handshake("/default?token=bob")
    if " 101 " not in status:
        fail("bob: %s" % status)
    send_frame(b, 1, b'{"action":"echo"}')
    conn_b = expect_frame(b, 1, "bob echo").decode().split("|")[-1]
    st, _ = mgmt("DELETE", conn_b)
    if st != 204:
        fail("DELETE @connections: %d" % st)
    close = expect_frame(b, 8, "close after DELETE")
    if struct.unpack("!H", close[:2])[0] != 1000:
        fail("DELETE close code %r" % close)
    send_frame(b, 8, struct.pack("!H", 1000))
    b.close()
    st, _ = mgmt("POST", conn_b, b"late")
    if st != 410:
        fail("POST after DELETE: %d" % st)

    # The client closes the first: the server echoes the code.
    send_frame(a, 8, struct.pack("!H", 1000) + b"bye")
    close = expect_frame(a, 8, "close echo")
    if struct.unpack("!H", close[:2])[0] != 1000:
        fail("close echo %r" % close)
    a.close()
    # A third connection is left open: the server's stop closes it (1001).
    c, status, _ = handshake("/default?token=carol")
    if " 101 " not in status:
        fail("carol: %s" % status)
    send_frame(c, 1, b'{"action":"echo"}')
    expect_frame(c, 1, "carol echo")
    # Ready: the caller stops the server now, which must close this one with 1001.
    print("ok")
    sys.stdout.flush()
    close = expect_frame(c, 8, "close at the server's stop")
    if struct.unpack("!H", close[:2])[0] != 1001:
        fail("stop close code %r" % close)
    send_frame(c, 8, struct.pack("!H", 1001))
    c.close()

main()
