#!/usr/bin/env python3
"""Conversation-state client for Magpie, written only from README.md, docs/PROTOCOL.md and the
OpenAPI documents (accounts.yaml, lsb.yaml). Python 3 standard library only.

Usage: conversation_state.py [--api http://127.0.0.1:8081] [--lsb http://127.0.0.1:8080]

Exits 0 when every step passed, 1 otherwise. Prints one PASS/FAIL line per check.
"""
import argparse
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

# --------------------------------------------------------------------------------------------
# Minimal protobuf 3 (PROTOCOL.md §7). int64/int32 are plain varints (no zigzag); negative
# numbers are 10-byte two's complement. Repeated scalars are accepted packed or unpacked and
# sent packed (proto3's default).
# --------------------------------------------------------------------------------------------
I, S, B, BY = "int", "string", "bool", "bytes"

SCHEMAS = {
    "LoginRequest": {1: ("token", S), 2: ("client_version", S)},
    "LoginAck": {1: ("uid", I), 2: ("device_id", S), 3: ("server_time", I),
                 4: ("heartbeat_seconds", I), 5: ("gate_id", S)},
    "Ping": {},
    "Pong": {1: ("server_time", I)},
    "Kick": {1: ("reason", I), 2: ("message", S)},
    "Reconnect": {1: ("reason", S), 2: ("delay_ms", I)},
    "Error": {1: ("code", I), 2: ("message", S), 3: ("command", I), 4: ("retryable", B),
              5: ("retry_after_ms", I)},
    "MediaInfo": {1: ("url", S), 2: ("mime_type", S), 3: ("size_bytes", I), 4: ("width", I),
                  5: ("height", I), 6: ("duration_ms", I), 7: ("file_name", S),
                  8: ("thumbnail_url", S)},
    "MessageContent": {1: ("type", I), 2: ("text", S), 3: ("media", "MediaInfo"),
                       4: ("custom", BY)},
    "SendRequest": {1: ("client_msg_id", S), 2: ("conversation_type", I), 3: ("target_id", I),
                    4: ("content", "MessageContent")},
    "SendAck": {1: ("client_msg_id", S), 2: ("conversation_id", S), 3: ("msg_id", I),
                4: ("seq", I), 5: ("server_time", I)},
    "Message": {1: ("msg_id", I), 2: ("conversation_id", S), 3: ("conversation_type", I),
                4: ("seq", I), 5: ("sender_uid", I), 6: ("sender_device_id", S),
                7: ("client_msg_id", S), 8: ("content", "MessageContent"), 9: ("server_time", I),
                10: ("version", I), 11: ("target_id", I), 12: ("status", I)},
    "Push": {1: ("messages", ["Message"])},
    "MessageRef": {1: ("conversation_id", S), 2: ("seq", I)},
    "PushAck": {1: ("acked", ["MessageRef"])},
    "SyncRequest": {1: ("since_version", I), 2: ("limit", I)},
    "ConversationInfo": {1: ("conversation_id", S), 2: ("conversation_type", I),
                         3: ("target_id", I), 4: ("last_seq", I), 5: ("read_seq", I),
                         6: ("cleared_seq", I), 7: ("version", I), 8: ("muted", B),
                         9: ("deleted", B), 10: ("last_message", "Message"),
                         11: ("unread_count", I), 12: ("peer_read_seq", I), 13: ("pinned_at", I),
                         14: ("mentioned", B)},
    "SyncAck": {1: ("conversations", ["ConversationInfo"]), 2: ("version", I),
                3: ("has_more", B), 4: ("total_unread", I)},
    "PullRequest": {1: ("conversation_id", S), 2: ("from_seq", I), 3: ("to_seq", I),
                    4: ("limit", I), 5: ("backward", B), 6: ("since_version", I)},
    "PullAck": {1: ("conversation_id", S), 2: ("messages", ["Message"]), 3: ("has_more", B),
                4: ("version", I)},
    "ReadRequest": {1: ("conversation_id", S), 2: ("read_seq", I)},
    "MessageActionRequest": {1: ("conversation_id", S), 2: ("seq", I), 3: ("more_seqs", [I])},
    "ClearRequest": {1: ("conversation_id", S), 2: ("up_to_seq", I)},
    "ActionAck": {1: ("conversation_id", S), 2: ("version", I), 3: ("seq", I),
                  4: ("unread_count", I), 5: ("last_seq", I)},
    "Notice": {1: ("type", I), 2: ("conversation_id", S), 3: ("seq", I), 4: ("uid", I),
               5: ("version", I), 6: ("msg_id", I), 7: ("seqs", [I]), 8: ("unread_count", I),
               9: ("sender_uid", I)},
}

DEFAULTS = {I: 0, S: "", B: False, BY: b""}


def enc_varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def dec_varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def to_int64(n):
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >= 1 << 63 else n


def encode(schema_name, msg):
    schema = SCHEMAS[schema_name]
    out = bytearray()
    for num in sorted(schema):
        name, typ = schema[num]
        if name not in msg or msg[name] is None:
            continue
        val = msg[name]
        if isinstance(typ, list):
            inner = typ[0]
            if not val:
                continue
            if inner == I:  # packed
                payload = b"".join(enc_varint(v) for v in val)
                out += enc_varint(num << 3 | 2) + enc_varint(len(payload)) + payload
            else:
                for item in val:
                    payload = encode(inner, item)
                    out += enc_varint(num << 3 | 2) + enc_varint(len(payload)) + payload
            continue
        if typ == I:
            if val == 0:
                continue
            out += enc_varint(num << 3 | 0) + enc_varint(int(val))
        elif typ == B:
            if not val:
                continue
            out += enc_varint(num << 3 | 0) + b"\x01"
        elif typ in (S, BY):
            data = val.encode("utf-8") if typ == S else bytes(val)
            if not data:
                continue
            out += enc_varint(num << 3 | 2) + enc_varint(len(data)) + data
        else:  # nested message (always encoded when given, even if empty)
            payload = encode(typ, val)
            out += enc_varint(num << 3 | 2) + enc_varint(len(payload)) + payload
    return bytes(out)


def decode(schema_name, buf):
    schema = SCHEMAS[schema_name]
    msg = {}
    for num, (name, typ) in schema.items():
        if isinstance(typ, list):
            msg[name] = []
        elif typ in DEFAULTS:
            msg[name] = DEFAULTS[typ]
        else:
            msg[name] = None
    pos = 0
    while pos < len(buf):
        key, pos = dec_varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            raw, pos = dec_varint(buf, pos)
            data = None
        elif wt == 2:
            ln, pos = dec_varint(buf, pos)
            data = bytes(buf[pos:pos + ln])
            pos += ln
            raw = None
        elif wt == 1:
            raw = struct.unpack_from("<Q", buf, pos)[0]
            pos += 8
            data = None
        elif wt == 5:
            raw = struct.unpack_from("<I", buf, pos)[0]
            pos += 4
            data = None
        else:
            raise ValueError("unsupported wire type %d" % wt)
        if num not in schema:
            continue  # unknown field: ignore (§11)
        name, typ = schema[num]
        if isinstance(typ, list):
            inner = typ[0]
            if inner == I:
                if data is not None:  # packed
                    p = 0
                    while p < len(data):
                        v, p = dec_varint(data, p)
                        msg[name].append(to_int64(v))
                else:
                    msg[name].append(to_int64(raw))
            else:
                msg[name].append(decode(inner, data))
        elif typ == I:
            msg[name] = to_int64(raw)
        elif typ == B:
            msg[name] = bool(raw)
        elif typ == S:
            msg[name] = data.decode("utf-8")
        elif typ == BY:
            msg[name] = data
        else:
            msg[name] = decode(typ, data)
    return msg


# --------------------------------------------------------------------------------------------
# Frames (§3, §6)
# --------------------------------------------------------------------------------------------
MAGIC, VERSION, HEADER = 0x4D47, 1, 14
CMD = dict(LOGIN=1, LOGIN_ACK=2, PING=3, PONG=4, SEND=5, SEND_ACK=6, PUSH=7, PUSH_ACK=8, SYNC=9,
           SYNC_ACK=10, PULL=11, PULL_ACK=12, READ=13, READ_ACK=14, RECALL=15, RECALL_ACK=16,
           DELETE=17, DELETE_ACK=18, CLEAR=19, CLEAR_ACK=20, KICK=21, RECONNECT=22, ERROR=23,
           LOGOUT=24, NOTICE=25)
CMD_NAME = {v: k for k, v in CMD.items()}
BODY = {1: "LoginRequest", 2: "LoginAck", 3: "Ping", 4: "Pong", 5: "SendRequest", 6: "SendAck",
        7: "Push", 8: "PushAck", 9: "SyncRequest", 10: "SyncAck", 11: "PullRequest",
        12: "PullAck", 13: "ReadRequest", 14: "ActionAck", 15: "MessageActionRequest",
        16: "ActionAck", 17: "MessageActionRequest", 18: "ActionAck", 19: "ClearRequest",
        20: "ActionAck", 21: "Kick", 22: "Reconnect", 23: "Error", 25: "Notice"}
ERR = {1001: "BAD_MAGIC", 1002: "UNSUPPORTED_VERSION", 1003: "FRAME_TOO_LARGE",
       1004: "UNKNOWN_COMMAND", 1005: "BAD_REQUEST", 1006: "WRONG_STATE", 1007: "NOT_SUPPORTED",
       2001: "INVALID_TOKEN", 2002: "LOGIN_TIMEOUT", 2003: "FORBIDDEN", 2004: "NOT_FOUND",
       2005: "CLIENT_MSG_ID_REUSED", 2006: "RECALL_WINDOW_PASSED", 3001: "RATE_LIMITED",
       3002: "SERVER_BUSY", 3003: "INTERNAL", 3004: "SLOW_CONSUMER"}
SINGLE, GROUP = 1, 2
TEXT = 1
NORMAL, RECALLED, DELETED = 0, 1, 2
NOTICE_READ, NOTICE_PEER_READ, NOTICE_RECALLED, NOTICE_DELETED, NOTICE_CLEARED = 1, 2, 3, 4, 5


def frame(cmd, rid, body=b""):
    return struct.pack(">HBBHII", MAGIC, VERSION, 0, cmd, rid, len(body)) + body


class FrameParser:
    """Buffers bytes and yields whole frames (a frame may be split or several may arrive)."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= HEADER:
            magic, ver, _flags, cmd, rid, ln = struct.unpack_from(">HBBHII", self.buf, 0)
            if magic != MAGIC or ver != VERSION:
                raise ValueError("bad header %r" % bytes(self.buf[:HEADER]))
            if len(self.buf) < HEADER + ln:
                break
            body = bytes(self.buf[HEADER:HEADER + ln])
            del self.buf[:HEADER + ln]
            out.append((cmd, rid, body))
        return out


# --------------------------------------------------------------------------------------------
# Transports: TCP and a minimal WebSocket client (RFC 6455, client side)
# --------------------------------------------------------------------------------------------
class TcpTransport:
    def __init__(self, hostport):
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        self.sock.settimeout(None)
        self.lock = threading.Lock()

    def send(self, data):
        with self.lock:
            self.sock.sendall(data)

    def recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("closed")
        return data

    def close(self):
        try:  # shutdown first: close() alone does not send FIN while the reader thread sits in recv()
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


class WsTransport:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        if u.scheme != "ws":
            raise ValueError("only ws:// is implemented (got %s)" % url)
        host, port = u.hostname, u.port or 80
        self.sock = socket.create_connection((host, port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
               % (u.path or "/", host, port, key))
        self.sock.sendall(req.encode())
        resp = b""
        while b"\r\n\r\n" not in resp:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("closed during upgrade")
            resp += chunk
        head, self.pending = resp.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise IOError("upgrade refused: %s" % lines[0])
        hdrs = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip()
                for l in lines[1:] if ":" in l}
        expect = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if hdrs.get("sec-websocket-accept") != expect:
            raise IOError("bad Sec-WebSocket-Accept")
        self.sock.settimeout(None)
        self.lock = threading.Lock()
        self.frag = bytearray()

    def _send_ws(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            hdr = struct.pack(">BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack(">BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            hdr = struct.pack(">BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
        with self.lock:
            self.sock.sendall(hdr + mask + masked)

    def send(self, data):
        self._send_ws(0x2, data)  # one binary message = one or more whole frames

    def _read_exact(self, n):
        while len(self.pending) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed")
            self.pending += chunk
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def recv(self):
        while True:
            b0, b1 = self._read_exact(2)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read_exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read_exact(8))[0]
            mask = self._read_exact(4) if b1 & 0x80 else None
            payload = self._read_exact(n)
            if mask:
                payload = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
            if opcode == 0x9:
                self._send_ws(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                raise EOFError("websocket close %r" % payload[:2])
            if opcode == 0x1:
                raise IOError("unexpected text message")
            self.frag += payload
            if fin:
                data, self.frag = bytes(self.frag), bytearray()
                return data

    def close(self):
        try:
            self._send_ws(0x8, struct.pack(">H", 1000))
        except OSError:
            pass
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------------------------
# A logged-in device
# --------------------------------------------------------------------------------------------
class MagpieError(Exception):
    def __init__(self, err):
        self.err = err
        super().__init__("%s(%d): %s" % (ERR.get(err["code"], "?"), err["code"], err["message"]))

    @property
    def name(self):
        return ERR.get(self.err["code"], str(self.err["code"]))


class Device:
    def __init__(self, label, transport):
        self.label = label
        self.t = transport
        self.parser = FrameParser()
        self.rid = 0
        self.cv = threading.Condition()
        self.responses = {}      # rid -> (cmd, decoded)
        self.events = []         # unsolicited frames: (cmd, decoded)
        self.messages = {}       # (conversation_id, seq) -> Message (dedupe, §9.4)
        self.closed = None
        self.uid = None
        threading.Thread(target=self._reader, daemon=True).start()
        threading.Thread(target=self._heartbeat, daemon=True).start()

    def _reader(self):
        try:
            while True:
                for cmd, rid, body in self.parser.feed(self.t.recv()):
                    self._dispatch(cmd, rid, body)
        except Exception as e:  # noqa
            with self.cv:
                self.closed = e
                self.cv.notify_all()

    def _dispatch(self, cmd, rid, body):
        schema = BODY.get(cmd)
        if schema is None:
            return  # unknown server-to-client command: ignore (§11)
        msg = decode(schema, body)
        if cmd == CMD["NOTICE"]:
            msg["_raw"] = body
        if cmd == CMD["PUSH"]:
            acked = [{"conversation_id": m["conversation_id"], "seq": m["seq"]}
                     for m in msg["messages"]]
            self._write(CMD["PUSH_ACK"], self._next_rid(), encode("PushAck", {"acked": acked}))
            with self.cv:
                for m in msg["messages"]:
                    self.messages[(m["conversation_id"], m["seq"])] = m
        with self.cv:
            if rid != 0 and cmd not in (CMD["PUSH"], CMD["NOTICE"], CMD["KICK"], CMD["RECONNECT"]):
                self.responses[rid] = (cmd, msg)
            else:
                self.events.append((cmd, msg))
            self.cv.notify_all()

    def _heartbeat(self):
        while self.closed is None:
            time.sleep(10)
            if self.uid is not None and self.closed is None:
                try:
                    self._write(CMD["PING"], self._next_rid())
                except OSError:
                    return

    def _next_rid(self):
        with self.cv:
            self.rid = self.rid + 1 if self.rid < 0xFFFFFFFF else 1
            return self.rid

    def _write(self, cmd, rid, body=b""):
        self.t.send(frame(cmd, rid, body))

    def request(self, cmd_name, schema, msg, expect, timeout=10):
        rid = self._next_rid()
        self._write(CMD[cmd_name], rid, encode(schema, msg))
        deadline = time.time() + timeout
        with self.cv:
            while rid not in self.responses:
                if self.closed is not None:
                    raise IOError("%s: connection closed: %s" % (self.label, self.closed))
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError("%s: no answer to %s" % (self.label, cmd_name))
                self.cv.wait(left)
            cmd, resp = self.responses.pop(rid)
        if cmd == CMD["ERROR"]:
            raise MagpieError(resp)
        if cmd != CMD[expect]:
            raise IOError("%s: %s answered by %s" % (self.label, cmd_name, CMD_NAME.get(cmd)))
        return resp

    def wait_event(self, pred, timeout=10):
        """Wait for (and consume) the first unsolicited frame that matches pred(cmd, msg)."""
        deadline = time.time() + timeout
        with self.cv:
            while True:
                for i, (cmd, msg) in enumerate(self.events):
                    if pred(cmd, msg):
                        del self.events[i]
                        return cmd, msg
                left = deadline - time.time()
                if left <= 0 or self.closed is not None:
                    return None
                self.cv.wait(min(left, 0.5))

    def events_of(self, cmd_name):
        with self.cv:
            return [m for c, m in self.events if c == CMD[cmd_name]]

    def wait_messages(self, keys, timeout=10):
        deadline = time.time() + timeout
        with self.cv:
            while not all(k in self.messages for k in keys):
                left = deadline - time.time()
                if left <= 0:
                    return False
                self.cv.wait(min(left, 0.5))
            return True

    # ---- protocol operations ----
    def login(self, token):
        ack = self.request("LOGIN", "LoginRequest",
                           {"token": token, "client_version": "doc-client-py/1.0"}, "LOGIN_ACK")
        self.uid = ack["uid"]
        return ack

    def send_text(self, ctype, target, text, cmid=None):
        return self.request("SEND", "SendRequest", {
            "client_msg_id": cmid or str(uuid.uuid4()), "conversation_type": ctype,
            "target_id": target, "content": {"type": TEXT, "text": text}}, "SEND_ACK")

    def sync_all(self, since=0, limit=100):
        rows, version, total = {}, since, None
        while True:
            ack = self.request("SYNC", "SyncRequest", {"since_version": version, "limit": limit},
                               "SYNC_ACK")
            for c in ack["conversations"]:
                rows[c["conversation_id"]] = c  # overwrite, never append (§9.5)
            version, total = ack["version"], ack["total_unread"]
            if not ack["has_more"]:
                return rows, version, total

    def pull(self, cid, **kw):
        req = {"conversation_id": cid}
        req.update(kw)
        return self.request("PULL", "PullRequest", req, "PULL_ACK")

    def pull_all(self, cid, from_seq=1):
        out = []
        while True:
            ack = self.pull(cid, from_seq=from_seq, to_seq=0, limit=200)
            out += ack["messages"]
            if not ack["has_more"] or not ack["messages"]:
                return out
            from_seq = ack["messages"][-1]["seq"] + 1

    def close(self):
        self.t.close()


# --------------------------------------------------------------------------------------------
# HTTP (account API, LSB). JSON ints are parsed by Python's json as arbitrary-precision ints,
# so int64 ids above 2^53 keep every digit (a JavaScript client would not).
# --------------------------------------------------------------------------------------------
class Http:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, body=None, token=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw.decode("latin-1")


# --------------------------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------------------------
RESULTS = []


def check(step, ok, evidence):
    RESULTS.append((step, bool(ok), evidence))
    print("%s  %-58s %s" % ("PASS" if ok else "FAIL", step, evidence), flush=True)
    return ok


def attempt(step, fn):
    try:
        return fn()
    except Exception as e:  # noqa
        check(step, False, "exception: %r" % (e,))
        return None


def is_notice(ntype, cid, seq=None):
    return lambda c, m: (c == CMD["NOTICE"] and m["type"] == ntype and m["conversation_id"] == cid
                         and (seq is None or m["seq"] == seq))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", default="http://127.0.0.1:8081")
    ap.add_argument("--lsb", default="http://127.0.0.1:8080")
    args = ap.parse_args()
    api, lsb = Http(args.api), Http(args.lsb)
    t0 = time.time()

    # ---- 1. accounts, sessions, gate, LOGIN (§1, §9.1) ----
    sfx = uuid.uuid4().hex[:8]
    users = {}
    for who in ("a", "b"):
        name = "doc%s_%s" % (who, sfx)
        st, body = api.call("POST", "/v1/accounts", {"username": name, "password": "pw-" + sfx + "-secret"})
        check("register %s" % who.upper(), st == 201 and isinstance(body.get("uid"), int),
              "POST /v1/accounts -> %s %s" % (st, body))
        users[who] = {"name": name, "uid": body["uid"]}
    A, Bu = users["a"]["uid"], users["b"]["uid"]

    def session(who, device, platform):
        st, body = api.call("POST", "/v1/sessions", {
            "username": users[who]["name"], "password": "pw-" + sfx + "-secret",
            "deviceId": device, "platform": platform})
        check("session %s/%s" % (who.upper(), device), st == 200 and body["uid"] == users[who]["uid"],
              "POST /v1/sessions -> %s uid=%s expiresAt=%s" % (st, body.get("uid"), body.get("expiresAt")))
        return body

    sa1, sa2, sb = (session("a", "a-phone", "ANDROID"), session("a", "a-web", "WEB"),
                    session("b", "b-phone", "IOS"))

    st, gate = lsb.call("GET", "/v1/gate")
    check("LSB GET /v1/gate", st == 200 and gate.get("tcp") and gate.get("ws"),
          "-> %s %s" % (st, gate))
    if gate.get("tls"):
        print("gate requires TLS; this client speaks plaintext only")
        return 1

    a1 = Device("A/tcp", TcpTransport(gate["tcp"]))
    la1 = a1.login(sa1["token"])
    st, gate2 = lsb.call("GET", "/v1/gate")  # ask again on every connect (§1.2)
    a2 = Device("A/ws", WsTransport(gate2["ws"]))
    la2 = a2.login(sa2["token"])
    st, gate3 = lsb.call("GET", "/v1/gate")
    b1 = Device("B/tcp", TcpTransport(gate3["tcp"]))
    lb1 = b1.login(sb["token"])
    check("LOGIN A over TCP", la1["uid"] == A and la1["device_id"] == "a-phone",
          "LOGIN_ACK uid=%d device=%s hb=%ds gate=%s" % (la1["uid"], la1["device_id"],
                                                          la1["heartbeat_seconds"], la1["gate_id"]))
    check("LOGIN A over WebSocket", la2["uid"] == A and la2["device_id"] == "a-web",
          "LOGIN_ACK uid=%d device=%s" % (la2["uid"], la2["device_id"]))
    check("LOGIN B over TCP", lb1["uid"] == Bu, "LOGIN_ACK uid=%d device=%s" % (lb1["uid"], lb1["device_id"]))
    pong = a2.request("PING", "Ping", {}, "PONG")
    check("PING/PONG over WebSocket", pong["server_time"] > 0, "server_time=%d" % pong["server_time"])
    # first SYNC after login (§9.5)
    for d in (a1, a2, b1):
        rows, ver, tot = d.sync_all(0)
        check("initial SYNC %s" % d.label, not rows and tot == 0, "rows=%d version=%d total_unread=%d"
              % (len(rows), ver, tot))

    # ---- 2. A sends 5 messages to B (§9.3, §9.4) ----
    cid = "s_%d_%d" % (min(A, Bu), max(A, Bu))
    acks = []
    for i in range(1, 6):
        acks.append(a1.send_text(SINGLE, Bu, "hello %d" % i))
    check("SEND x5 -> SEND_ACK", [a["seq"] for a in acks] == [1, 2, 3, 4, 5]
          and all(a["conversation_id"] == cid for a in acks),
          "seqs=%s conv=%s msg_ids=%s" % ([a["seq"] for a in acks], acks[0]["conversation_id"],
                                          [a["msg_id"] for a in acks]))
    msg_ids = {a["seq"]: a["msg_id"] for a in acks}
    got = b1.wait_messages([(cid, s) for s in range(1, 6)])
    bm = [b1.messages.get((cid, s)) for s in range(1, 6)]
    check("B receives PUSH of 5 (and PUSH_ACKs them)", got and all(
        m["sender_uid"] == A and m["content"]["text"] == "hello %d" % m["seq"] and m["msg_id"] == msg_ids[m["seq"]]
        for m in bm), "seqs=%s versions=%s" % ([m and m["seq"] for m in bm], [m and m["version"] for m in bm]))
    got2 = a2.wait_messages([(cid, s) for s in range(1, 6)])
    check("A's other device (WS) gets its own messages as PUSH (§9.3)", got2,
          "A/ws holds %d of 5" % sum((cid, s) in a2.messages for s in range(1, 6)))
    # a message's first version is its msg_id (§7.4 PullRequest.since_version)
    check("Message.version == msg_id for a new message", all(m and m["version"] == m["msg_id"] for m in bm),
          "version/msg_id pairs=%s" % [(m["version"], m["msg_id"]) for m in bm if m])
    big = [v for v in msg_ids.values() if v > 2 ** 53]
    print("      note: %d of 5 msg_ids are above 2^53 (e.g. %d; 2^53=%d); Python ints keep them exact"
          % (len(big), msg_ids[1], 2 ** 53))
    b_known_version = max(m["version"] for m in bm if m)  # for the since_version catch-up later

    # ---- 3. unread counts, READ, receipts (§9.9) ----
    rows, bver, btot = b1.sync_all(0)
    r = rows.get(cid)
    check("B SYNC unread_count=5 total_unread=5", r and r["unread_count"] == 5 and btot == 5,
          "row=%s total_unread=%d" % (r and {k: r[k] for k in ("last_seq", "read_seq", "unread_count", "version",
                                                                   "peer_read_seq")}, btot))
    check("SYNC last_message preview is seq 5", r and r["last_message"] and r["last_message"]["seq"] == 5,
          "last_message.seq=%s text=%r" % (r and r["last_message"] and r["last_message"]["seq"],
                                          r and r["last_message"] and r["last_message"]["content"]["text"]))
    rows_a, _, atot = a1.sync_all(0)
    ra = rows_a.get(cid)
    check("A SYNC: own messages not unread, read_seq=5", ra and ra["unread_count"] == 0 and ra["read_seq"] == 5
          and atot == 0, "A row read_seq=%s unread=%s total=%d" % (ra and ra["read_seq"], ra and ra["unread_count"], atot))

    rack = b1.request("READ", "ReadRequest", {"conversation_id": cid, "read_seq": 3}, "READ_ACK")
    check("B READ 3 -> READ_ACK", rack["seq"] == 3 and rack["unread_count"] == 2 and rack["last_seq"] == 5
          and rack["version"] > 0 and rack["conversation_id"] == cid, "READ_ACK=%s" % rack)
    for d in (a1, a2):
        ev = d.wait_event(is_notice(NOTICE_PEER_READ, cid, 3))
        check("%s gets NOTICE_PEER_READ seq 3 uid B" % d.label,
              ev and ev[1]["seq"] == 3 and ev[1]["uid"] == Bu, "NOTICE=%s" % (ev and ev[1]))
    rows, bver2, btot = b1.sync_all(0)
    r = rows.get(cid)
    check("B SYNC after READ: unread 2, version == READ_ACK.version",
          r and r["unread_count"] == 2 and btot == 2 and r["read_seq"] == 3 and r["version"] == rack["version"],
          "unread=%s total=%d read_seq=%s row.version=%s ack.version=%d" % (
              r and r["unread_count"], btot, r and r["read_seq"], r and r["version"], rack["version"]))
    rows_a, _, _ = a1.sync_all(0)
    check("A SYNC shows peer_read_seq 3", rows_a[cid]["peer_read_seq"] == 3,
          "peer_read_seq=%d" % rows_a[cid]["peer_read_seq"])
    rack2 = b1.request("READ", "ReadRequest", {"conversation_id": cid, "read_seq": 2}, "READ_ACK")
    check("READ below the stored position: READ_ACK, position kept", rack2["seq"] == 3
          and rack2["version"] == rack["version"], "READ_ACK=%s" % rack2)
    st, rc = api.call("GET", "/v1/conversations/%s/messages/3/receipts" % cid, token=sa1["token"])
    check("HTTP receipts seq 3 (read by B)", st == 200 and rc["readCount"] == 1 and rc["unreadCount"] == 0
          and rc.get("readers") == [Bu], "%s %s" % (st, rc))
    st, rc = api.call("GET", "/v1/conversations/%s/messages/4/receipts" % cid, token=sa1["token"])
    check("HTTP receipts seq 4 (not read)", st == 200 and rc["readCount"] == 0 and rc["unreadCount"] == 1,
          "%s %s" % (st, rc))

    # ---- 4. A's WS device READs; A's TCP device gets NOTICE_READ ----
    back = b1.send_text(SINGLE, A, "from B")
    check("B sends seq 6 to A", back["seq"] == 6, "SEND_ACK=%s" % back)
    a1.wait_messages([(cid, 6)])
    a2.wait_messages([(cid, 6)])
    peer_after_send = a1.wait_event(is_notice(NOTICE_PEER_READ, cid), timeout=1.5)
    print("      note: B's own SEND moved B's read position to 6; NOTICE_PEER_READ to A: %s"
          % (peer_after_send and peer_after_send[1]))
    st, rc = api.call("GET", "/v1/conversations/%s/messages/4/receipts" % cid, token=sa1["token"])
    print("      note: receipts of seq 4 after B's own SEND (B's read_seq now 6): %s %s" % (st, rc))
    rows_a, _, _ = a2.sync_all(0)
    print("      note: A's row after B's SEND: peer_read_seq=%d (B's read position moved to 6 by sending)"
          % rows_a[cid]["peer_read_seq"])
    check("A SYNC: unread 1 (B's message)", rows_a[cid]["unread_count"] == 1,
          "unread=%d read_seq=%d" % (rows_a[cid]["unread_count"], rows_a[cid]["read_seq"]))
    wack = a2.request("READ", "ReadRequest", {"conversation_id": cid, "read_seq": 6}, "READ_ACK")
    check("A/ws READ 6 -> READ_ACK unread 0", wack["seq"] == 6 and wack["unread_count"] == 0, "READ_ACK=%s" % wack)
    ev = a1.wait_event(is_notice(NOTICE_READ, cid))
    check("A/tcp gets NOTICE_READ", ev and ev[1]["seq"] == 6 and ev[1]["uid"] == A
          and ev[1]["version"] == wack["version"] and ev[1]["unread_count"] == 0, "NOTICE=%s" % (ev and ev[1]))
    ev = a2.wait_event(is_notice(NOTICE_READ, cid), timeout=1)
    check("A/ws (the reader) gets no NOTICE_READ", ev is None, "NOTICE=%s" % (ev and ev[1]))
    ev = b1.wait_event(is_notice(NOTICE_PEER_READ, cid, 6))
    check("B gets NOTICE_PEER_READ seq 6 uid A", ev and ev[1]["seq"] == 6 and ev[1]["uid"] == A,
          "NOTICE=%s" % (ev and ev[1]))

    # ---- 5. RECALL (§9.10) ----
    rec = a1.request("RECALL", "MessageActionRequest", {"conversation_id": cid, "seq": 2}, "RECALL_ACK")
    check("A RECALL 2 -> RECALL_ACK", rec["conversation_id"] == cid and rec["version"] > 0, "RECALL_ACK=%s" % rec)
    ev = b1.wait_event(is_notice(NOTICE_RECALLED, cid))
    check("B gets NOTICE_RECALLED", ev and ev[1]["seq"] == 2 and ev[1]["uid"] == A and ev[1]["msg_id"] == msg_ids[2]
          and ev[1]["version"] == rec["version"] and ev[1]["sender_uid"] == A, "NOTICE=%s" % (ev and ev[1]))
    ev = a2.wait_event(is_notice(NOTICE_RECALLED, cid))
    check("A/ws (other device of recaller) gets NOTICE_RECALLED", ev and ev[1]["seq"] == 2, "NOTICE=%s" % (ev and ev[1]))
    ev = a1.wait_event(is_notice(NOTICE_RECALLED, cid), timeout=1)
    check("A/tcp (the recalling connection) gets none", ev is None, "NOTICE=%s" % (ev and ev[1]))
    pm = {m["seq"]: m for m in b1.pull_all(cid)}
    m2 = pm.get(2)
    check("B PULL: seq 2 is RECALLED placeholder without text",
          m2 and m2["status"] == RECALLED and m2["content"] and m2["content"]["type"] == TEXT
          and m2["content"]["text"] == "" and m2["version"] == rec["version"],
          "seq2=%s" % (m2 and {k: m2[k] for k in ("status", "content", "version", "msg_id")}))
    rec2 = a1.request("RECALL", "MessageActionRequest", {"conversation_id": cid, "seq": 2}, "RECALL_ACK")
    check("RECALL again: same version", rec2["version"] == rec["version"], "RECALL_ACK=%s" % rec2)
    try:
        b1.request("RECALL", "MessageActionRequest", {"conversation_id": cid, "seq": 1}, "RECALL_ACK")
        check("B RECALL of A's message -> FORBIDDEN", False, "was acknowledged")
    except MagpieError as e:
        check("B RECALL of A's message -> FORBIDDEN", e.name == "FORBIDDEN" and e.err["command"] == CMD["RECALL"]
              and not e.err["retryable"], "ERROR=%s" % e.err)
    rows, _, btot = b1.sync_all(0)
    check("B SYNC after recall: unread counts only non-recalled (4,5 -> but B sent 6: 0)",
          rows[cid]["unread_count"] == 0, "unread=%d read_seq=%d" % (rows[cid]["unread_count"], rows[cid]["read_seq"]))

    # ---- 6. DELETE for me, CLEAR (§9.11) ----
    dack = b1.request("DELETE", "MessageActionRequest", {"conversation_id": cid, "seq": 4}, "DELETE_ACK")
    check("B DELETE 4 -> DELETE_ACK", dack["conversation_id"] == cid and dack["version"] > 0, "DELETE_ACK=%s" % dack)
    pm = {m["seq"]: m for m in b1.pull_all(cid)}
    check("B PULL: seq 4 DELETED, text gone", pm.get(4) and pm[4]["status"] == DELETED and pm[4]["content"]["text"] == ""
          and pm[4]["content"]["type"] == TEXT, "seq4=%s" % (pm.get(4) and {k: pm[4][k] for k in ("status", "content", "version")}))
    pa = {m["seq"]: m for m in a1.pull_all(cid)}
    check("A PULL: seq 4 still NORMAL", pa.get(4) and pa[4]["status"] == NORMAL and pa[4]["content"]["text"] == "hello 4",
          "A seq4 status=%s text=%r" % (pa.get(4) and pa[4]["status"], pa.get(4) and pa[4]["content"]["text"]))
    dack2 = b1.request("DELETE", "MessageActionRequest", {"conversation_id": cid, "seq": 4}, "DELETE_ACK")
    check("DELETE again: acknowledged with current version", dack2["version"] == dack["version"], "DELETE_ACK=%s" % dack2)
    cack = b1.request("CLEAR", "ClearRequest", {"conversation_id": cid, "up_to_seq": 1}, "CLEAR_ACK")
    check("B CLEAR up to 1 -> CLEAR_ACK seq 1", cack["seq"] == 1 and cack["version"] > 0, "CLEAR_ACK=%s" % cack)
    seqs = [m["seq"] for m in b1.pull_all(cid)]
    check("B PULL after CLEAR: nothing at or below 1", seqs and min(seqs) == 2, "seqs=%s" % seqs)
    seqs_a = [m["seq"] for m in a1.pull_all(cid)]
    check("A PULL unaffected by B's CLEAR", seqs_a[:1] == [1], "seqs=%s" % seqs_a)
    rows, _, _ = b1.sync_all(0)
    check("B SYNC: cleared_seq 1", rows[cid]["cleared_seq"] == 1 and rows[cid]["version"] == cack["version"],
          "cleared_seq=%d version=%d" % (rows[cid]["cleared_seq"], rows[cid]["version"]))

    # ---- 7. pin / hide over HTTP (§9.12) ----
    _, v_before, _ = b1.sync_all(0)
    st, _ = api.call("PUT", "/v1/conversations/%s/pin" % cid, {"pinned": True}, token=sb["token"])
    rows, v_pin, _ = b1.sync_all(v_before)
    check("PUT pin -> SYNC pinned_at", st == 204 and cid in rows and rows[cid]["pinned_at"] > 0,
          "HTTP %s; incremental SYNC(since=%d) rows=%s pinned_at=%s" % (
              st, v_before, list(rows), cid in rows and rows[cid]["pinned_at"]))
    st, _ = api.call("PUT", "/v1/conversations/%s/hide" % cid, {"hidden": True}, token=sb["token"])
    rows, v_hide, _ = b1.sync_all(v_pin)
    check("PUT hide -> SYNC deleted=true", st == 204 and cid in rows and rows[cid]["deleted"] is True,
          "HTTP %s; SYNC(since=%d) deleted=%s" % (st, v_pin, cid in rows and rows[cid]["deleted"]))
    a1.send_text(SINGLE, Bu, "wake up")  # seq 7: a new message shows the conversation again
    b1.wait_messages([(cid, 7)])
    rows, _, _ = b1.sync_all(0)
    check("new message un-hides (deleted=false), pin kept", rows[cid]["deleted"] is False and rows[cid]["pinned_at"] > 0,
          "deleted=%s pinned_at=%d" % (rows[cid]["deleted"], rows[cid]["pinned_at"]))
    st, _ = api.call("PUT", "/v1/conversations/%s/pin" % cid, {"pinned": False}, token=sb["token"])
    rows, _, _ = b1.sync_all(0)
    check("unpin -> pinned_at 0", st == 204 and rows[cid]["pinned_at"] == 0, "pinned_at=%d" % rows[cid]["pinned_at"])

    # ---- 8. history backwards, since_version catch-up (§9.5) ----
    pages, to_seq, hist = [], 0, []
    for _ in range(10):
        ack = b1.pull(cid, from_seq=1, to_seq=to_seq, limit=2, backward=True)
        s = [m["seq"] for m in ack["messages"]]
        pages.append((s, ack["has_more"]))
        hist = ack["messages"] + hist
        if not ack["has_more"] or not s:
            break
        to_seq = s[0] - 1
    hs = [m["seq"] for m in hist]
    check("B PULL backward pages", hs == list(range(2, 8)) and all(p[0] == sorted(p[0]) for p in pages)
          and pages[-1][1] is False, "pages=%s" % pages)
    st2 = {m["seq"]: m["status"] for m in hist}
    check("history shows placeholders (2 RECALLED, 4 DELETED)", st2.get(2) == RECALLED and st2.get(4) == DELETED,
          "statuses=%s" % st2)

    changes, since, vers = [], b_known_version, []
    for _ in range(20):
        ack = b1.pull(cid, since_version=since, limit=2)
        changes += ack["messages"]
        vers.append(ack["version"])
        if ack["version"] > 0:
            since = ack["version"]
        if not ack["has_more"]:
            break
    ch = {}
    for m in changes:
        ch[m["seq"]] = m  # later (higher version) overwrites
    cv = [m["version"] for m in changes]
    check("PULL since_version (B's highest held version) pages by PullAck.version",
          all(v > 0 for v in vers), "since=%d PullAck.versions=%s change seqs=%s" % (
              b_known_version, vers, [(m["seq"], m["status"]) for m in changes]))
    check("catch-up has recall of 2 (RECALLED, version == RECALL_ACK)", ch.get(2) and ch[2]["status"] == RECALLED
          and ch[2]["version"] == rec["version"], "seq2=%r" % ((ch.get(2) and (ch[2]["status"], ch[2]["version"])),))
    check("catch-up has deletion of 4 (DELETED, version == DELETE_ACK)", ch.get(4) and ch[4]["status"] == DELETED
          and ch[4]["version"] == dack["version"], "seq4=%r dack=%d" % ((ch.get(4) and (ch[4]["status"], ch[4]["version"])),
                                                                     dack["version"]))
    check("catch-up has new messages 6 and 7", 6 in ch and 7 in ch, "seqs=%s" % sorted(ch))
    check("catch-up ascending by version", cv == sorted(cv), "versions=%s" % cv)
    ack = b1.pull(cid, since_version=since, limit=100)
    again = [(m["seq"], m["status"], m["version"], m["content"]["text"] if m["content"] else None)
             for m in ack["messages"]]
    final = {}
    for s, stt, _v, _t in again:
        final[s] = stt
    check("PULL again since the last (held-back) PullAck.version: a replay, no seq <= cleared_seq",
          all(s >= 2 for s in final), "again=%s has_more=%s version=%d" % (again, ack["has_more"], ack["version"]))
    check("replay ends in the current state (2 RECALLED, 4 DELETED)",
          final.get(2, RECALLED) == RECALLED and final.get(4, DELETED) == DELETED, "final statuses=%s" % final)
    check("replay never hands B the text of the message B deleted (seq 4)",
          not any(s == 4 and t for s, _st, _v, t in again), "seq 4 entries=%s" % [e for e in again if e[0] == 4])

    # ---- 9. group (accounts.yaml /v1/groups, receipts) ----
    st, g = api.call("POST", "/v1/groups", {"name": "doc group " + sfx, "members": [Bu]}, token=sa1["token"])
    check("A POST /v1/groups with B", st == 201 and sorted(g["members"]) == sorted([A, Bu]) and g["ownerUid"] == A,
          "%s %s" % (st, g))
    gid = g["groupId"]
    gcid = "g_%d" % gid
    gack = a1.send_text(GROUP, gid, "hello group")
    check("A SEND to group -> SEND_ACK seq 2 (seq 1 is GROUP_CREATED)", gack["conversation_id"] == gcid and gack["seq"] == 2, "SEND_ACK=%s" % gack)
    check("B receives group PUSH", b1.wait_messages([(gcid, 2)]), "B holds g seq2=%s" % ((gcid, 2) in b1.messages))
    rows, _, btot = b1.sync_all(0)
    check("B SYNC: group row unread 1", rows.get(gcid) and rows[gcid]["unread_count"] == 1 and rows[gcid]["target_id"] == gid,
          "group row=%s total_unread=%d" % (rows.get(gcid) and {k: rows[gcid][k] for k in ("unread_count", "target_id", "last_seq")}, btot))
    st, rc = api.call("GET", "/v1/conversations/%s/messages/2/receipts" % gcid, token=sa1["token"])
    check("group receipts before read: 0 read, 1 unread", st == 200 and rc["readCount"] == 0 and rc["unreadCount"] == 1,
          "%s %s" % (st, rc))
    grack = b1.request("READ", "ReadRequest", {"conversation_id": gcid, "read_seq": 2}, "READ_ACK")
    check("B READ group 2 -> READ_ACK", grack["seq"] == 2 and grack["unread_count"] == 0, "READ_ACK=%s" % grack)
    ev = a1.wait_event(is_notice(NOTICE_PEER_READ, gcid), timeout=1.5)
    check("no NOTICE_PEER_READ for a group (receipts are asked for)", ev is None, "NOTICE=%s" % (ev and ev[1]))
    st, rc = None, None
    for _ in range(20):  # READs are applied in batches; poll briefly
        st, rc = api.call("GET", "/v1/conversations/%s/messages/2/receipts" % gcid, token=sa1["token"])
        if st == 200 and rc["readCount"] == 1:
            break
        time.sleep(0.2)
    check("group receipts after read: readers [B]", st == 200 and rc["readCount"] == 1 and rc["unreadCount"] == 0
          and rc.get("readers") == [Bu], "%s %s" % (st, rc))
    st, rc = api.call("GET", "/v1/conversations/%s/messages/2/receipts" % gcid, token=sb["token"])
    print("      note: B (not the sender) asks the same receipts -> %s %s" % (st, rc))

    # ---- 10. DELETE with more_seqs and CLEAR seen from B's second device (§9.11) ----
    sb2 = session("b", "b-tablet", "DESKTOP")
    st, gate4 = lsb.call("GET", "/v1/gate")
    b2 = Device("B/tcp2", TcpTransport(gate4["tcp"]))
    b2.login(sb2["token"])
    d3 = b1.request("DELETE", "MessageActionRequest", {"conversation_id": cid, "seq": 5, "more_seqs": [6]},
                    "DELETE_ACK")
    ev = b2.wait_event(is_notice(NOTICE_DELETED, cid))
    raw = ev and ev[1]["_raw"]
    packed = raw is not None and b"\x3a" in raw  # field 7, wire type 2
    check("DELETE seq 5 + more_seqs [6] (sent packed) -> B's other device NOTICE_DELETED",
          ev and ev[1]["seqs"] == [5, 6] and ev[1]["version"] == d3["version"],
          "DELETE_ACK.version=%d NOTICE seqs=%s version=%s; server encoded seqs %s" % (
              d3["version"], ev and ev[1]["seqs"], ev and ev[1]["version"],
              "packed" if packed else "unpacked"))
    c2 = b1.request("CLEAR", "ClearRequest", {"conversation_id": cid, "up_to_seq": 0}, "CLEAR_ACK")
    ev = b2.wait_event(is_notice(NOTICE_CLEARED, cid))
    check("CLEAR up_to_seq 0 (= newest) -> B's other device NOTICE_CLEARED", c2["seq"] == 7 and ev
          and ev[1]["seq"] == 7 and ev[1]["version"] == c2["version"],
          "CLEAR_ACK=%s NOTICE=%s" % (c2, ev and {k: v for k, v in ev[1].items() if k != "_raw"}))
    left = b1.pull(cid, from_seq=1)
    check("B PULL after CLEAR to newest: empty", left["messages"] == [], "messages=%d" % len(left["messages"]))
    b2.close()

    time.sleep(1)
    for d in (a1, a2, b1):
        left = [(CMD_NAME[c], m) for c, m in d.events if c == CMD["NOTICE"]]
        print("      note: %s NOTICEs not consumed by a check: %s" % (d.label, left))
    for d in (a1, a2, b1):
        check("%s still connected, no KICK/ERROR(0)" % d.label, d.closed is None and not d.events_of("KICK")
              and not d.events_of("ERROR"), "closed=%s errors=%s" % (d.closed, d.events_of("ERROR")))
        d.close()

    fails = [r for r in RESULTS if not r[1]]
    print("\n%d checks, %d failed, %.1f s" % (len(RESULTS), len(fails), time.time() - t0))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
