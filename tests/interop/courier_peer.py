#!/usr/bin/python3
"""A Courier wire protocol (version 1) peer in Python, written from docs/protocol.md alone.

It exists to prove that the document is the whole contract: the TypeScript test suite
(tests/interop/python-peer.test.ts) runs it against the reference implementation.
Section numbers in comments ("§9.1") point into docs/protocol.md.

Needs Debian's python3-zmq and python3-msgpack (apt-get install python3-zmq python3-msgpack).

Command line:
  courier_peer.py client <endpoint> <method> <json> [<json> ...] [--meta k=v] [--deadline-ms N]
      Calls <method> once per <json> argument (all requests batched in one message) and
      prints each reply as one JSON line, in argument order.
  courier_peer.py server <bind-endpoint> [--interval-ms N] [--liveness N]
      Binds, prints the bound endpoint on stdout, serves until stdin closes or SIGTERM.
  courier_peer.py probe <endpoint> <case>
      Sends a deliberately unusual message (see PROBES) and prints the replies as a JSON array.
  courier_peer.py decode <hex-frame> [<hex-frame> ...]
      Decodes one request/reply message and prints its packets as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import msgpack
import zmq

import courier_curve  # noqa: E402  (next to this file; CURVE set-up and the caller proof)

# --- §4, §5: constants -------------------------------------------------------------

SIGNATURE = b"CRR\x01"
VERSION = 1

REQUEST, REPLY, CANCEL, HEARTBEAT, DISCONNECT = 1, 2, 3, 4, 5
FLAG_DRAINING = 1

# §7: the closed set of statuses.
STATUS_NAMES = {
    200: "OK",
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    413: "TOO_LARGE",
    429: "OVERLOADED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNSUPPORTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
OK, BAD_REQUEST, NOT_FOUND, TOO_LARGE = 200, 400, 404, 413
CANCELLED, INTERNAL, UNSUPPORTED, UNAVAILABLE, DEADLINE_EXCEEDED = 499, 500, 501, 503, 504

# §10: limits.
MAX_FRAME_BYTES = 16 * 1024 * 1024 + 64 * 1024
MAX_ENVELOPE_BYTES = 64 * 1024
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_PACKETS = 4096
MAX_ID = 2**32 - 1
MAX_STRING = 1024
MAX_META_ENTRIES = 64
MAX_METHOD = 256
MAX_DEADLINE = 2**31 - 1


def now_ms() -> float:
    return time.monotonic() * 1000.0


# --- §3: encoding --------------------------------------------------------------------


def pack(value: Any) -> bytes:
    # str stays str, bytes become bin (§3).
    return msgpack.packb(value, use_bin_type=True)


def _no_ext(code: int, data: bytes) -> Any:
    # Only the timestamp extension (-1) is in the subset (§3); msgpack decodes that one itself.
    raise ValueError(f"MessagePack extension type {code} is not in the subset")


def unpack(frame: bytes) -> Any:
    # unpackb raises ExtraData on trailing bytes: a body is exactly one value (§6.6).
    return msgpack.unpackb(frame, raw=False, strict_map_key=False, ext_hook=_no_ext)


def unpack_envelopes(frame: bytes):
    """Yields (envelope, size in bytes) for each value of the envelopes frame (§3, §4.1).

    Raises (msgpack.OutOfData, ValueError, ...) where the frame stops being valid MessagePack;
    the values before that point have been yielded by then.
    """
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=max(len(frame), 1), ext_hook=_no_ext)
    unpacker.feed(frame)
    start = 0
    while start < len(frame):
        # unpack() raises OutOfData on a truncated value, unlike iteration, which would just stop.
        env = unpacker.unpack()
        end = unpacker.tell()
        yield env, end - start
        start = end


def is_int(v: Any, lo: int, hi: int) -> bool:
    # bool is an int subclass in Python, but MessagePack true is not an integer.
    return type(v) is int and lo <= v <= hi


def code_units(s: str) -> int:
    """String length as §3 counts it: UTF-16 code units."""
    return len(s.encode("utf-16-le")) // 2


def opt_str(v: Any, limit: int = MAX_STRING) -> bool:
    return v is None or (isinstance(v, str) and code_units(v) <= limit)


def is_meta(v: Any) -> bool:
    if v is None:
        return True
    if not isinstance(v, dict) or len(v) > MAX_META_ENTRIES:
        return False
    return all(
        isinstance(k, str) and isinstance(x, str) and code_units(k) <= MAX_STRING and code_units(x) <= MAX_STRING
        for k, x in v.items()
    )


# --- §5: packets -------------------------------------------------------------------------
# A packet is a dict with "cmd", the command's fields and "body" (a list of frames).


def encode_packet(p: dict) -> list[bytes]:
    body = list(p.get("body", []))
    cmd = p["cmd"]
    if cmd == REQUEST:
        env = [REQUEST, len(body), p["id"], p["method"], p["deadline_ms"], p.get("meta"), p.get("content_type")]
    elif cmd == REPLY:
        env = [
            REPLY,
            len(body),
            p["id"],
            p["status"],
            p.get("message"),
            p.get("details"),
            p.get("meta"),
            p.get("content_type"),
        ]
    elif cmd == CANCEL:
        env, body = [CANCEL, 0, p["id"]], []
    elif cmd == HEARTBEAT:
        env, body = [HEARTBEAT, 0, p["interval_ms"], p["liveness"], FLAG_DRAINING if p.get("draining") else 0], []
    elif cmd == DISCONNECT:
        env, body = [DISCONNECT, 0, p.get("reason")], []
    else:
        raise ValueError(f"cannot encode command {cmd}")
    return [pack(env), *body]


def encode_message(packets: list[dict]) -> list[bytes]:
    # §4.1: signature, the envelopes back to back in one frame, then every body frame in packet order.
    envelopes: list[bytes] = []
    bodies: list[bytes] = []
    for p in packets:
        envelope, *body = encode_packet(p)
        envelopes.append(envelope)
        bodies += body
    return [SIGNATURE, b"".join(envelopes), *bodies]


@dataclass
class BadInput:
    """One entry of the §8 table."""

    code: str
    status: int | None
    id: int
    message: str

    def reply(self) -> dict:
        return {
            "cmd": REPLY,
            "id": self.id,
            "status": self.status,
            "message": self.message,
            "details": {"code": self.code},
            "body": [],
        }


def _to_packet(env: list, body: list[bytes]) -> dict | BadInput:
    def at(i: int) -> Any:
        # A missing trailing field is nil; extra fields are ignored (§3).
        return env[i] if i < len(env) else None

    cmd = env[0]
    # §8: the packet's id is element 2, except for HEARTBEAT and DISCONNECT, which have none.
    eid = at(2) if cmd not in (HEARTBEAT, DISCONNECT) and is_int(at(2), 0, MAX_ID) else 0

    def invalid(name: str) -> BadInput:
        return BadInput("INVALID_FIELD", BAD_REQUEST, eid, f'invalid field "{name}" for command {cmd}')

    def too_large() -> BadInput | None:
        if sum(len(f) for f in body) > MAX_BODY_BYTES:
            return BadInput("TOO_LARGE", TOO_LARGE, eid, f"body exceeds {MAX_BODY_BYTES} bytes")
        return None

    if cmd == REQUEST:
        if not is_int(at(2), 1, MAX_ID):
            return invalid("id")
        if not isinstance(at(3), str) or not 1 <= code_units(at(3)) <= MAX_METHOD:
            return invalid("method")
        if not is_int(at(4), 0, MAX_DEADLINE):
            return invalid("deadline_ms")
        if not is_meta(at(5)):
            return invalid("meta")
        if not opt_str(at(6)):
            return invalid("content_type")
        return too_large() or {
            "cmd": REQUEST,
            "id": at(2),
            "method": at(3),
            "deadline_ms": at(4),
            "meta": at(5),
            "content_type": at(6),
            "body": body,
        }
    if cmd == REPLY:
        if not is_int(at(2), 0, MAX_ID):
            return invalid("id")
        if not is_int(at(3), 0, 999):
            return invalid("status")
        if not opt_str(at(4)):
            return invalid("message")
        if not is_meta(at(6)):
            return invalid("meta")
        if not opt_str(at(7)):
            return invalid("content_type")
        return too_large() or {
            "cmd": REPLY,
            "id": at(2),
            "status": at(3),
            "message": at(4),
            "details": at(5),
            "meta": at(6),
            "content_type": at(7),
            "body": body,
        }
    if cmd == CANCEL:
        if not is_int(at(2), 1, MAX_ID):
            return invalid("id")
        return {"cmd": CANCEL, "id": at(2)}
    if cmd == HEARTBEAT:
        if not is_int(at(2), 1, 3_600_000):
            return invalid("interval_ms")
        if not is_int(at(3), 1, 1000):
            return invalid("liveness")
        if at(4) is not None and not is_int(at(4), 0, MAX_ID):
            return invalid("flags")
        # Unknown flag bits are ignored (§5.4).
        return {
            "cmd": HEARTBEAT,
            "interval_ms": at(2),
            "liveness": at(3),
            "draining": bool((at(4) or 0) & FLAG_DRAINING),
        }
    if cmd == DISCONNECT:
        if not opt_str(at(2)):
            return invalid("reason")
        return {"cmd": DISCONNECT, "reason": at(2)}
    return BadInput("UNKNOWN_COMMAND", UNSUPPORTED, eid, f"unknown command {cmd}; this peer knows 1-5")


def decode_message(frames: list[bytes]) -> tuple[list[dict], list[BadInput]]:
    """Decodes one request/reply message (without a routing-id frame), following §4.1 and §8."""
    packets: list[dict] = []
    errors: list[BadInput] = []
    sig = frames[0] if frames else b""
    if len(sig) != 4 or sig[:3] != b"CRR":
        return packets, [BadInput("NOT_COURIER", None, 0, "missing Courier signature")]
    if sig[3] != VERSION:
        return packets, [BadInput("UNSUPPORTED_VERSION", UNSUPPORTED, 0, f"unsupported version {sig[3]}")]
    if len(frames) < 2:
        return packets, [BadInput("MALFORMED_ENVELOPE", BAD_REQUEST, 0, "no envelope frame")]
    i = 2  # the next unread body frame
    n = 0
    try:
        for env, size in unpack_envelopes(frames[1]):
            n += 1
            if n > MAX_PACKETS:
                errors.append(BadInput("TOO_MANY_PACKETS", BAD_REQUEST, 0, f"more than {MAX_PACKETS} packets"))
                return packets, errors
            if size > MAX_ENVELOPE_BYTES:
                errors.append(BadInput("TOO_LARGE", TOO_LARGE, 0, f"envelope exceeds {MAX_ENVELOPE_BYTES} bytes"))
                return packets, errors
            if (
                not isinstance(env, list)
                or len(env) < 2
                or not is_int(env[0], 0, 255)
                or not is_int(env[1], 0, len(frames) - i)
            ):
                # The frame count is unknown, so later packets cannot be found (§8).
                errors.append(BadInput("MALFORMED_ENVELOPE", BAD_REQUEST, 0, f"envelope {n} is not valid"))
                return packets, errors
            body = frames[i : i + env[1]]
            i += env[1]
            result = _to_packet(env, body)
            (errors if isinstance(result, BadInput) else packets).append(result)
    except Exception:
        errors.append(BadInput("MALFORMED_ENVELOPE", BAD_REQUEST, 0, f"envelope {n + 1} is not valid MessagePack"))
        return packets, errors
    if n == 0:
        errors.append(BadInput("MALFORMED_ENVELOPE", BAD_REQUEST, 0, "empty envelopes frame"))
    elif i < len(frames):
        errors.append(BadInput("MALFORMED_ENVELOPE", BAD_REQUEST, 0, f"{len(frames) - i} frames no envelope claims"))
    return packets, errors


# --- §6.6: bodies ------------------------------------------------------------------------


def encode_body(value: Any, content_type: str | None) -> list[bytes]:
    if content_type in (None, "application/msgpack"):
        return [pack(value)]
    if content_type == "application/json":
        return [json.dumps(value).encode()]
    raise ValueError(f"this peer cannot encode {content_type}")


def decode_body(frames: list[bytes], content_type: str | None) -> Any:
    if content_type in (None, "application/msgpack"):
        return unpack(frames[0]) if frames else None
    if content_type == "application/json":
        return json.loads(frames[0]) if frames else None
    return [f.hex() for f in frames]


def to_json(value: Any) -> Any:
    """Makes a decoded MessagePack value printable as JSON."""
    if isinstance(value, (bytes, bytearray)):
        return {"$bin": bytes(value).hex()}
    if isinstance(value, msgpack.Timestamp):
        return {"$timestamp_ns": value.to_unix_nano()}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


# --- client (§2, §6, §9.2) ---------------------------------------------------------------


@dataclass
class Pending:
    deadline_at: float
    reply: dict | None = None


class Client:
    """A DEALER connected to one server; many requests in flight, matched by id."""

    def __init__(self, endpoint: str, interval_ms: int = 1000, liveness: int = 3, curve: dict | None = None) -> None:
        self.endpoint = endpoint
        self.interval_ms = interval_ms
        self.liveness = liveness
        self.sock = zmq.Context.instance().socket(zmq.DEALER)
        if curve is not None:
            courier_curve.secure_client(self.sock, curve["server_key"], curve["secret_key"])
        # No ZMQ_IMMEDIATE, so nothing received is lost when the connection drops (§2.2);
        # linger 0 so that purge() really discards what is queued.
        self.sock.setsockopt(zmq.SNDTIMEO, interval_ms)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RECONNECT_IVL, 100)
        self.sock.setsockopt(zmq.RECONNECT_IVL_MAX, 2000)
        self.sock.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME_BYTES)
        self.sock.connect(endpoint)
        self.state = "connecting"
        self.pending: dict[int, Pending] = {}
        self.next_id = 1
        self.last_seen = now_ms()
        self.last_sent = 0.0
        self.peer_interval = interval_ms  # until the server's first HEARTBEAT (§9.1 rule 2)
        self.server_heartbeat: dict | None = None
        self.unmatched: list[dict] = []  # replies for no request in flight, kept for probes
        self.dropped = 0
        # §9.1 rule 3: introduce ourselves.
        self.send([self._heartbeat()])

    def _heartbeat(self) -> dict:
        return {"cmd": HEARTBEAT, "interval_ms": self.interval_ms, "liveness": self.liveness}

    def send_frames(self, frames: list[bytes]) -> bool:
        try:
            self.sock.send_multipart(frames)
        except zmq.Again:
            return False
        self.last_sent = now_ms()
        return True

    def send(self, packets: list[dict]) -> bool:
        return self.send_frames(encode_message(packets))

    def allocate_id(self) -> int:
        # Sequential, wrapping to 1, skipping ids in flight (§6.1).
        while True:
            rid = self.next_id
            self.next_id = 1 if rid >= MAX_ID else rid + 1
            if rid not in self.pending:
                return rid

    def call_many(self, calls: list[dict], deadline_ms: int) -> list[dict]:
        """Sends every call in one message (batching) and waits for every outcome."""
        if self.state in ("draining", "dead", "closed"):
            return [local_reply(UNAVAILABLE, f"server is {self.state}") for _ in calls]
        ids = [self.allocate_id() for _ in calls]
        at = now_ms() + deadline_ms
        packets = []
        for rid, call in zip(ids, calls):
            self.pending[rid] = Pending(at)
            packets.append({"cmd": REQUEST, "id": rid, "deadline_ms": deadline_ms, **call})
        if not self.send(packets):
            for rid in ids:
                self._settle(rid, local_reply(UNAVAILABLE, "could not send: no connection"))
        while any(self.pending[rid].reply is None for rid in ids):
            self.step()
        return [self.pending.pop(rid).reply for rid in ids]

    def wait_unmatched(self, count: int, timeout_ms: float) -> list[dict]:
        """For probes: waits for `count` replies that match no request in flight."""
        end = now_ms() + timeout_ms
        while len(self.unmatched) < count and now_ms() < end:
            self.step(min(50.0, max(0.0, end - now_ms())))
        return self.unmatched[:count]

    def step(self, max_wait_ms: float = 50.0) -> None:
        """Receives what arrives within max_wait_ms, then runs the timers."""
        if self.sock.poll(max(1, int(max_wait_ms)), zmq.POLLIN):
            while True:
                try:
                    frames = self.sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                self.on_message(frames)
        self.tick()

    def on_message(self, frames: list[bytes]) -> None:
        packets, errors = decode_message(frames)
        self.dropped += len(errors)  # a client never answers bad input (§8)
        if not packets:
            return
        self.last_seen = now_ms()
        if self.state in ("connecting", "dead"):
            self.state = "alive"
        for p in packets:
            if p["cmd"] == HEARTBEAT:
                self.peer_interval = p["interval_ms"]
                self.server_heartbeat = {k: p[k] for k in ("interval_ms", "liveness", "draining")}
                self.state = "draining" if p["draining"] else "alive"
            elif p["cmd"] == DISCONNECT:
                self.state = "draining"
            elif p["cmd"] == REPLY:
                reply = {**p, "local": False}
                if p["id"] == 0:
                    print(f"courier_peer: server rejected a message: {p['status']} {p['message']}", file=sys.stderr)
                if not self._settle(p["id"], reply):
                    self.unmatched.append(reply)
            else:
                self.dropped += 1

    def _settle(self, rid: int, reply: dict) -> bool:
        pending = self.pending.get(rid)
        if pending is None or pending.reply is not None:
            return False
        pending.reply = reply
        return True

    def tick(self) -> None:
        now = now_ms()
        for rid, pending in self.pending.items():
            if pending.reply is None and now >= pending.deadline_at:
                pending.reply = local_reply(DEADLINE_EXCEEDED, "no reply within the deadline")
                self.send([{"cmd": CANCEL, "id": rid}])
        if self.state != "dead" and now - self.last_seen > self.liveness * self.peer_interval:
            self.state = "dead"
            for pending in self.pending.values():
                if pending.reply is None:
                    pending.reply = local_reply(UNAVAILABLE, "server stopped answering")
            # Drop what libzmq still queues, so it never reaches a restarted server (§9.2).
            self.sock.disconnect(self.endpoint)
            self.sock.connect(self.endpoint)
        # Keep heartbeating while dead too: that is how a restarted server finds us (§9.2).
        if now - self.last_sent >= self.interval_ms:
            self.send([self._heartbeat()])

    def close(self) -> None:
        if self.state != "closed":
            if self.state != "dead":  # a dead server cannot hear it
                try:
                    self.sock.send_multipart(encode_message([{"cmd": DISCONNECT, "reason": "client closed"}]), zmq.NOBLOCK)
                except zmq.ZMQError:
                    pass
            self.state = "closed"
            self.sock.setsockopt(zmq.LINGER, 100)
            self.sock.close()
            # term() waits (up to the linger) until the DISCONNECT has left.
            self.sock.context.term()


def local_reply(status: int, message: str) -> dict:
    return {"id": None, "status": status, "message": message, "details": None, "meta": None,
            "content_type": None, "body": [], "local": True}


def reply_json(reply: dict, server_heartbeat: dict | None) -> dict:
    status = reply["status"]
    try:
        body = to_json(decode_body(reply["body"], reply.get("content_type")))
    except Exception as err:  # a body this peer cannot read is reported, not fatal
        body = {"$undecodable": str(err)}
    return {
        "id": reply.get("id"),
        "status": status,
        # §7: a status outside the set is treated as INTERNAL.
        "status_name": STATUS_NAMES.get(status, "INTERNAL"),
        "message": reply.get("message"),
        "details": to_json(reply.get("details")),
        "meta": reply.get("meta"),
        "content_type": reply.get("content_type"),
        "body": body,
        "local": reply["local"],
        "server_heartbeat": server_heartbeat,
    }


# --- server (§2, §6, §8, §9.3) -----------------------------------------------------------


@dataclass
class Peer:
    route: bytes
    last_seen: float
    interval_ms: int  # the peer's advertised interval; ours until its first HEARTBEAT
    last_sent: float = 0.0
    held: dict[int, dict] = field(default_factory=dict)  # requests in flight (py.hold)


class Server:
    """A ROUTER serving a few test methods:

    - py.echo   replies 200 with the request's body frames, content type and meta, as they are
    - py.types  replies 200 with {types, value}: each body element's Python type, and the value re-encoded
    - py.fail   replies with the status and message given in its msgpack body {status, message}
    - py.hold   never replies; held until CANCEL, DISCONNECT or the peer's death (to observe CANCEL)
    - py.drain  body true: start draining (§9.3); false: take new requests again
    - py.stats  replies with counters (msgpack map)

    The replies to one incoming message go out together in one message, in reverse order,
    on purpose: clients must handle batches and match replies by id.
    """

    def __init__(self, endpoint: str, interval_ms: int = 1000, liveness: int = 3, curve: dict | None = None) -> None:
        self.interval_ms = interval_ms
        self.liveness = liveness
        self.sock = zmq.Context.instance().socket(zmq.ROUTER)
        if curve is not None:
            self.zap = courier_curve.secure_server(self.sock, curve["secret_key"], curve["allow"])
        self.sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        self.sock.setsockopt(zmq.LINGER, 1000)
        self.sock.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME_BYTES)
        self.sock.bind(endpoint)
        self.endpoint = self.sock.getsockopt(zmq.LAST_ENDPOINT).decode()
        self.peers: dict[bytes, Peer] = {}
        self.draining = False
        self.stopping = False
        self.stats = {
            "requests": 0,
            "cancelled": 0,
            "aborted": 0,
            "max_packets_per_message": 0,
            "heartbeats_sent": 0,
            "dropped": 0,
        }

    def serve(self, stdin_fd: int | None) -> None:
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        if stdin_fd is not None:
            poller.register(stdin_fd, zmq.POLLIN)
        wait = max(5, self.interval_ms // 4)
        while not self.stopping:
            events = dict(poller.poll(wait))
            if stdin_fd is not None and stdin_fd in events and not os.read(stdin_fd, 4096):
                break  # stdin closed
            if self.sock in events:
                while True:
                    try:
                        frames = self.sock.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    self.on_message(frames)
            self.tick()
        # Closing (§9.3): tell every peer, abandon held work.
        for peer in list(self.peers.values()):
            self.send(peer, [{"cmd": DISCONNECT, "reason": "closed"}])
        self.sock.close()
        # term() waits (up to the linger) until the DISCONNECTs have left.
        self.sock.context.term()

    def send(self, peer: Peer | None, packets: list[dict], route: bytes | None = None) -> None:
        target = route if peer is None else peer.route
        try:
            # Non-blocking: a slow or vanished peer must not block the others (§2.2).
            self.sock.send_multipart([target, *encode_message(packets)], zmq.NOBLOCK)
        except zmq.ZMQError:
            self.stats["dropped"] += 1
            return
        if peer is not None:
            peer.last_sent = now_ms()

    def heartbeat(self) -> dict:
        return {"cmd": HEARTBEAT, "interval_ms": self.interval_ms, "liveness": self.liveness, "draining": self.draining}

    def forget(self, peer: Peer) -> None:
        self.stats["aborted"] += len(peer.held)
        self.peers.pop(peer.route, None)

    def on_message(self, frames: list[bytes]) -> None:
        route, rest = frames[0], frames[1:]
        packets, errors = decode_message(rest)
        now = now_ms()
        out: list[dict] = []
        peer = self.peers.get(route)
        if peer is None and packets:
            # §9.1 rule 3: answer a new peer at once.
            peer = Peer(route, now, self.interval_ms)
            self.peers[route] = peer
            out.append(self.heartbeat())
            if self.draining:
                out.append({"cmd": DISCONNECT, "reason": "draining"})
            self.stats["heartbeats_sent"] += 1
        if peer is not None:
            peer.last_seen = now
        self.stats["max_packets_per_message"] = max(self.stats["max_packets_per_message"], len(packets) + len(errors))
        replies: list[dict | list[dict]] = []
        for p in packets:
            if p["cmd"] == REQUEST:
                answer = self.on_request(peer, p)
                if answer is not None:
                    replies.append(answer)
            elif p["cmd"] == CANCEL:
                if peer.held.pop(p["id"], None) is not None:
                    self.stats["cancelled"] += 1
            elif p["cmd"] == HEARTBEAT:
                peer.interval_ms = p["interval_ms"]
            elif p["cmd"] == DISCONNECT:
                self.forget(peer)
                peer = None
                break
            else:
                self.stats["dropped"] += 1  # a REPLY from a client
        for e in errors:
            if e.code == "NOT_COURIER":
                self.stats["dropped"] += 1  # dropped silently (§8)
                continue
            replies.append(e.reply())
            if peer is not None and e.id in peer.held:
                # The error is that request's outcome; nothing else is sent for it (§8).
                del peer.held[e.id]
                self.stats["aborted"] += 1
        for answer in reversed(replies):
            out += answer if isinstance(answer, list) else [answer]
        if out:
            self.send(peer, out, route)

    def on_request(self, peer: Peer, p: dict) -> dict | list[dict] | None:
        self.stats["requests"] += 1
        rid = p["id"]
        if rid in peer.held:
            return None  # duplicate id in flight: dropped, the first is still answered (§6.1)
        method = p["method"]
        if method == "py.echo":
            return {"cmd": REPLY, "id": rid, "status": OK, "meta": p["meta"], "content_type": p["content_type"],
                    "body": p["body"]}
        if method == "py.types":
            # Decodes the body strictly and answers {types, value}: the Python type name of each
            # element, and the value as Python re-encodes it (integers as integers, §3).
            try:
                value = unpack(p["body"][0]) if p["body"] else None
            except Exception as e:
                return {"cmd": REPLY, "id": rid, "status": BAD_REQUEST, "message": f"py.types: {e}"}
            items = value if isinstance(value, list) else [value]
            reply = {"types": [type(v).__name__ for v in items], "value": value}
            return {"cmd": REPLY, "id": rid, "status": OK, "body": [pack(reply)]}
        if method == "py.fail":
            try:
                args = decode_body(p["body"], p["content_type"]) or {}
                status, message = int(args.get("status", INTERNAL)), args.get("message", "failed on purpose")
            except Exception:
                return {"cmd": REPLY, "id": rid, "status": BAD_REQUEST, "message": "py.fail takes {status, message}"}
            return {"cmd": REPLY, "id": rid, "status": status, "message": message,
                    "details": {"method": method, "peer": "python"}}
        if method == "py.hold":
            peer.held[rid] = p
            return None
        if method == "py.drain":
            draining = decode_body(p["body"], p["content_type"]) is True
            started = draining and not self.draining
            self.draining = draining
            if started:
                for other in self.peers.values():
                    if other is not peer:
                        self.send(other, [{"cmd": DISCONNECT, "reason": "draining"}])
                # The caller's own DISCONNECT travels with its reply.
                return [{"cmd": REPLY, "id": rid, "status": OK}, {"cmd": DISCONNECT, "reason": "draining"}]
            return {"cmd": REPLY, "id": rid, "status": OK}
        if method == "py.stats":
            stats = {**self.stats, "peers": len(self.peers), "held": sum(len(x.held) for x in self.peers.values())}
            return {"cmd": REPLY, "id": rid, "status": OK, "body": [pack(stats)]}
        return {"cmd": REPLY, "id": rid, "status": NOT_FOUND, "message": f"no method {method}"}

    def tick(self) -> None:
        now = now_ms()
        for peer in list(self.peers.values()):
            if now - peer.last_seen > self.liveness * peer.interval_ms:
                self.forget(peer)  # dead (§9.1 rule 2)
            elif now - peer.last_sent >= self.interval_ms:
                self.send(peer, [self.heartbeat()])
                self.stats["heartbeats_sent"] += 1


# --- probes: unusual messages and the replies §8 promises ---------------------------------


def _request(rid: int, method: str, value: Any, *extra: Any) -> list[bytes]:
    return [pack([REQUEST, 1, rid, method, 5000, None, None, *extra]), pack(value)]


def _message(*packets: list[bytes]) -> list[bytes]:
    """A message from per-packet frames [envelope, *body], laid out as §4.1 says."""
    return [SIGNATURE, b"".join(p[0] for p in packets), *(f for p in packets for f in p[1:])]


PROBES: dict[str, tuple[list[list[bytes]], int]] = {
    # case: (messages to send after the HEARTBEAT introduction, replies to wait for)
    "unknown-command": ([[SIGNATURE, pack([9, 0, 42, "from the future"])]], 1),
    "bad-version": ([[b"CRR\x02", *_message(_request(5, "ts.echo", "v2"))[1:]]], 1),
    "invalid-field": ([[SIGNATURE, pack([REQUEST, 0, 9, "", 5000, None, None])]], 1),
    "malformed": ([[SIGNATURE, pack({"not": "an array"})]], 1),
    # Dropped silently, so the first reply is the one to the valid request that follows.
    "not-courier": ([[b"hello"], _message(_request(11, "ts.echo", "after garbage"))], 1),
    # Extra trailing fields and unknown flag bits are ignored (§14).
    "future-fields": (
        [_message([pack([HEARTBEAT, 0, 1000, 3, 0b110, "extra"])], _request(12, "ts.echo", "hi", "extra", 7))],
        1,
    ),
    # One bad packet does not spoil its neighbours (§8).
    "mixed-batch": (
        [_message(_request(21, "ts.echo", "a"), [pack([9, 0, 22])], _request(23, "ts.echo", "c"))],
        3,
    ),
    "too-large": ([[SIGNATURE, pack([REQUEST, 2, 31, "ts.echo", 5000, None, "application/octet-stream"]),
                    b"\0" * (9 * 1024 * 1024), b"\0" * (9 * 1024 * 1024)]], 1),
}


# --- command line ----------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="courier_peer.py", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("client")
    c.add_argument("endpoint")
    c.add_argument("method")
    c.add_argument("values", nargs="+", help="JSON values, one request each")
    c.add_argument("--meta", action="append", default=[], help="key=value, repeatable")
    c.add_argument("--deadline-ms", type=int, default=5000)
    c.add_argument("--content-type", default=None)
    c.add_argument("--interval-ms", type=int, default=1000)
    c.add_argument("--liveness", type=int, default=3)
    c.add_argument("--server-key", default=None, help="CURVE: the server's public key (Z85)")
    c.add_argument("--secret-key", default=None, help="CURVE: this client's secret key (Z85)")
    s = sub.add_parser("server")
    s.add_argument("endpoint")
    s.add_argument("--interval-ms", type=int, default=1000)
    s.add_argument("--liveness", type=int, default=3)
    s.add_argument("--secret-key", default=None, help="CURVE: this server's secret key (Z85)")
    s.add_argument("--allow", action="append", default=[], help="CURVE: an allowed client key, repeatable")
    p = sub.add_parser("probe")
    p.add_argument("endpoint")
    p.add_argument("case", choices=sorted(PROBES))
    d = sub.add_parser("decode")
    d.add_argument("frames", nargs="+", help="hex, one argument per frame")
    args = ap.parse_args(argv)

    if args.mode == "client":
        curve = {"server_key": args.server_key, "secret_key": args.secret_key} if args.server_key else None
        client = Client(args.endpoint, args.interval_ms, args.liveness, curve)
        meta = dict(kv.split("=", 1) for kv in args.meta) or None
        calls = [
            {"method": args.method, "meta": meta, "content_type": args.content_type,
             "body": encode_body(json.loads(v), args.content_type)}
            for v in args.values
        ]
        replies = client.call_many(calls, args.deadline_ms)
        for reply in replies:
            print(json.dumps(reply_json(reply, client.server_heartbeat)))
        client.close()
        return 0
    if args.mode == "server":
        curve = {"secret_key": args.secret_key, "allow": args.allow} if args.secret_key else None
        server = Server(args.endpoint, args.interval_ms, args.liveness, curve)

        def stop(_signum: int, _frame: Any) -> None:
            server.stopping = True

        signal.signal(signal.SIGTERM, stop)
        print(server.endpoint, flush=True)
        server.serve(sys.stdin.fileno())
        return 0
    if args.mode == "probe":
        client = Client(args.endpoint)
        messages, expected = PROBES[args.case]
        for frames in messages:
            client.send_frames(frames)
        replies = client.wait_unmatched(expected, 5000)
        print(json.dumps([reply_json(r, client.server_heartbeat) for r in replies]))
        client.close()
        return 0
    if args.mode == "decode":
        packets, errors = decode_message([bytes.fromhex(h) for h in args.frames])
        out = []
        for p in packets:
            item = {**to_json({k: v for k, v in p.items() if k != "body"}), "body": [f.hex() for f in p.get("body", [])]}
            if p["cmd"] in (REQUEST, REPLY):
                item["value"] = to_json(decode_body(p["body"], p["content_type"]))
            out.append(item)
        print(json.dumps({"packets": out, "errors": [e.code for e in errors]}))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
