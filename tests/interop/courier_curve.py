"""CURVE for the Python peer: socket set-up both ways and Courier's caller proof.

Written from docs/security.md. A Courier client proves its key to the server
in its routing id (see packages/transport/src/security/caller-id.ts):

    routing id = "C1" + Z85(public key) + Z85(8-byte nonce) + Z85(tag)
    tag        = HMAC-SHA256(X25519(client secret, server public), b"courier-caller-v1:" + nonce)[:16]

pyzmq has no X25519, so it is here in pure Python (RFC 7748, section 5):
slow, but it runs once per socket.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading

import zmq
from zmq.utils import z85

P = 2**255 - 19
A24 = 121665


def x25519(k: bytes, u: bytes) -> bytes:
    """The X25519 function of RFC 7748: scalar k (clamped) times point u."""
    kb = bytearray(k)
    kb[0] &= 248
    kb[31] &= 127
    kb[31] |= 64
    scalar = int.from_bytes(kb, "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        bit = (scalar >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + A24 * e) % P
    if swap:
        x2, x3, z2, z3 = x3, x2, z3, z2
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def caller_routing_id(public_key: bytes, secret_key: bytes, server_key: bytes) -> bytes:
    """The routing id that proves our (Z85) public key to a Courier server."""
    nonce = os.urandom(8)
    shared = x25519(z85.decode(secret_key), z85.decode(server_key))
    tag = hmac.new(shared, b"courier-caller-v1:" + nonce, hashlib.sha256).digest()[:16]
    return b"C1" + public_key + z85.encode(nonce) + z85.encode(tag)


def secure_client(sock: zmq.Socket, server_key: str, secret_key: str) -> None:
    """CURVE client options and the caller proof; call before connect."""
    secret = secret_key.encode()
    public = zmq.curve_public(secret)
    sock.curve_serverkey = server_key.encode()
    sock.curve_publickey = public
    sock.curve_secretkey = secret
    sock.setsockopt(zmq.ROUTING_ID, caller_routing_id(public, secret, server_key.encode()))


class Zap:
    """A minimal ZAP handler (RFC 27) answering from an allow set; fail closed."""

    def __init__(self, ctx: zmq.Context, allowed: set[bytes], domain: bytes) -> None:
        self.allowed = allowed
        self.domain = domain
        self.sock = ctx.socket(zmq.REP)
        self.sock.linger = 0
        self.sock.bind("inproc://zeromq.zap.01")
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                msg = self.sock.recv_multipart()
            except zmq.ZMQError:
                return
            version, request_id, domain, _address, _identity, mechanism = msg[:6]
            creds = msg[6:]
            ok = (
                version == b"1.0"
                and domain == self.domain
                and mechanism == b"CURVE"
                and len(creds) == 1
                and z85.encode(creds[0]) in self.allowed
            )
            code, text = (b"200", b"OK") if ok else (b"400", b"not allowed")
            self.sock.send_multipart([b"1.0", request_id, code, text, b"py" if ok else b"", b""])


def secure_server(sock: zmq.Socket, secret_key: str, allowed: list[str]) -> Zap:
    """CURVE server options and a ZAP handler for `allowed`; call before bind."""
    zap = Zap(zmq.Context.instance(), {k.encode() for k in allowed}, b"courier-py")
    sock.curve_server = True
    sock.curve_secretkey = secret_key.encode()
    sock.zap_domain = b"courier-py"
    sock.setsockopt(zmq.ZAP_ENFORCE_DOMAIN, 1)
    return zap
