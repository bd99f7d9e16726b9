#!/usr/bin/env python3
"""Rich messages and moderation in Magpie (message types, media, replies, mentions, reactions, edits,
the per-user rate limit, the operator's admin API and word filter), checked by a client written only
from README.md, docs/PROTOCOL.md (§1.3, §5, §7, §8, §9.3, §9.7, §9.10, §9.18-§9.22), docs/operations.md
("Admin API", `logic`, `media`) and the OpenAPI document accounts.yaml (tags media, admin).
Python 3 standard library only; reuses the codec, frames, transports and Device of conversation_state.py
and the group schemas of social.py (same directory), and extends them.

Usage: rich.py [--api URL] [--lsb URL] [--admin-token T | $MAGPIE_LOGIC_ADMIN_TOKEN]
               [--filter-action reject|mask|none] [--filter-word W] [--edit-window S] [--url-ttl S]
               [--max-reaction-emoji N] [--rate-per-second N]

The server's settings the checks depend on are given as options (their defaults are the server's
defaults); README.md in this directory says how to start a standalone server with small ones.
Exits 0 when every check passed, 1 otherwise. Prints one PASS/FAIL line per check with evidence.
"""
import argparse
import math
import os
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conversation_state as cs  # noqa: E402
import social  # noqa: E402  (adds the §7 group, friend and presence tables)

from conversation_state import (I, S, B, BY, SCHEMAS, CMD, CMD_NAME, BODY, ERR, DEFAULTS,  # noqa: E402
                                enc_varint, dec_varint, to_int64, Device, TcpTransport, WsTransport,
                                Http, MagpieError, RESULTS, check)

OS = social.OS
D = social.D

# ---- §7.3, §7.7, §9.18 field tables added since social.py --------------------------------------
SCHEMAS["Location"] = {1: ("latitude", D), 2: ("longitude", D), 3: ("name", S), 4: ("address", S)}
SCHEMAS["ReplyRef"] = {1: ("seq", I), 2: ("msg_id", I), 3: ("sender_uid", I), 4: ("type", I), 5: ("preview", S),
                       6: ("recalled", B)}
SCHEMAS["SystemNotice"] = {1: ("title", S), 2: ("text", S), 3: ("broadcast_id", I)}
SCHEMAS["MessageContent"].update({5: ("location", "Location"), 6: ("custom_type", S), 7: ("reply_to", "ReplyRef"),
                                  8: ("mentioned_uids", [I]), 9: ("mention_all", B),
                                  31: ("system_notice", "SystemNotice")})
SCHEMAS["SendAck"][6] = ("content", "MessageContent")
SCHEMAS["ReactionCount"] = {1: ("emoji", S), 2: ("count", I), 3: ("uids", [I])}
SCHEMAS["Message"].update({13: ("reactions", ["ReactionCount"]), 14: ("edited_at", I)})
SCHEMAS["Notice"].update({12: ("message", "Message"), 40: ("system_notice", "SystemNotice")})
SCHEMAS["ReactRequest"] = {1: ("conversation_id", S), 2: ("seq", I), 3: ("emoji", S), 4: ("remove", B)}
SCHEMAS["ReactAck"] = {1: ("conversation_id", S), 2: ("seq", I), 3: ("version", I),
                       4: ("reactions", ["ReactionCount"])}
SCHEMAS["EditRequest"] = {1: ("conversation_id", S), 2: ("seq", I), 3: ("content", "MessageContent")}
SCHEMAS["EditAck"] = {1: ("conversation_id", S), 2: ("seq", I), 3: ("version", I), 4: ("edited_at", I),
                      5: ("content", "MessageContent")}

CMD.update(REACT=31, REACT_ACK=32, EDIT=33, EDIT_ACK=34)
CMD_NAME.update({v: k for k, v in CMD.items()})
BODY.update({31: "ReactRequest", 32: "ReactAck", 33: "EditRequest", 34: "EditAck"})
ERR.update({2018: "APP_NOT_SERVED", 2019: "MUTED", 2020: "CONTENT_REJECTED", 2021: "HOOK_REJECTED",
            2030: "MENTION_ALL_NOT_ALLOWED", 2031: "REACTION_LIMIT", 2032: "EDIT_WINDOW_PASSED",
            2033: "MENTION_ALL_LIMITED"})

SINGLE, GROUP = 1, 2
TEXT, EMOJI, IMAGE, FILE, AUDIO, VIDEO, CUSTOM, SYSTEM, LOCATION = 1, 2, 3, 4, 5, 6, 7, 8, 9
TYPE_NAME = {1: "TEXT", 2: "EMOJI", 3: "IMAGE", 4: "FILE", 5: "AUDIO", 6: "VIDEO", 7: "CUSTOM", 8: "SYSTEM",
             9: "LOCATION"}
NORMAL, RECALLED = 0, 1
N_RECALLED, N_REACTED, N_EDITED, N_BROADCAST = 3, 6, 7, 40
KICK_ADMIN = 2
GE_CREATED, GE_DISMISSED = 1, 8
MiB = 1 << 20


# ---- codec: social.py's (proto3 optional strings and doubles), installed into conversation_state ----
encode, decode = social.encode, social.decode


# ---- helpers --------------------------------------------------------------------------------------
brief, notice, expect_error, err_s = social.brief, social.notice, social.expect_error, social.err_s


def content_brief(c):
    """A MessageContent without its defaults, for evidence lines."""
    if c is None:
        return None
    out = {}
    for k, v in c.items():
        if isinstance(v, dict):
            v = content_brief(v)
        if v not in (0, 0.0, "", False, [], None, b"", {}):
            out[k] = v if not isinstance(v, bytes) else v[:40]
    return out


def same_content(got, sent):
    """Every field the client set in `sent` arrives with the same value (server-filled fields aside)."""
    for k, v in sent.items():
        g = got.get(k) if got else None
        if isinstance(v, dict):
            if not isinstance(g, dict) or not same_content(g, v):
                return False
        elif isinstance(v, float):
            if g is None or abs(g - v) > 1e-12:
                return False
        elif g != v:
            return False
    return True


def send(dev, ctype, target, content, cmid=None, resend_on_rate_limit=True):
    """SEND; a RATE_LIMITED answer is resent after retry_after_ms with the same client_msg_id (§9.3)."""
    req = {"client_msg_id": cmid or str(uuid.uuid4()), "conversation_type": ctype, "target_id": target,
           "content": content}
    for _ in range(6):
        try:
            return dev.request("SEND", "SendRequest", req, "SEND_ACK")
        except MagpieError as e:
            if not (resend_on_rate_limit and e.name == "RATE_LIMITED"):
                raise
            time.sleep(max(e.err["retry_after_ms"], 50) / 1000.0 + 0.05)
    return dev.request("SEND", "SendRequest", req, "SEND_ACK")


def field_named(message, field):
    """PROTOCOL.md §7.3: the refusal names the field first: `<field> must be ..., got ...`."""
    return re.match(r"(content\.)?%s\b" % re.escape(field), message) is not None


def refused(step, fn, name, command, field=None, retryable=False):
    err = expect_error(fn)
    ok = (ERR.get(err["code"]) == name and err["command"] == CMD[command] and err["retryable"] == retryable
          and (field is None or field_named(err["message"], field)))
    check(step, ok, err_s(err) if len(err["message"]) <= 120 else "%s ... %r" % (err_s(err), err["message"][120:240]))
    return err


def react(dev, cid, seq, emoji="", remove=False):
    return dev.request("REACT", "ReactRequest", {"conversation_id": cid, "seq": seq, "emoji": emoji,
                                                 "remove": remove}, "REACT_ACK")


def edit(dev, cid, seq, content):
    return dev.request("EDIT", "EditRequest", {"conversation_id": cid, "seq": seq, "content": content},
                       "EDIT_ACK")


def recall(dev, cid, seq):
    return dev.request("RECALL", "MessageActionRequest", {"conversation_id": cid, "seq": seq}, "RECALL_ACK")


def read(dev, cid, seq):
    return dev.request("READ", "ReadRequest", {"conversation_id": cid, "read_seq": seq}, "READ_ACK")


def pull_seq(dev, cid, seq):
    ack = dev.pull(cid, from_seq=seq, to_seq=seq)
    return ack["messages"][0] if ack["messages"] else None


def sync_row(dev, cid):
    rows, _, total = dev.sync_all(0)
    return rows.get(cid), total


def rx(dev, cid, seq, timeout=10):
    """The PUSHed message (cid, seq) as the device holds it, or None."""
    dev.wait_messages([(cid, seq)], timeout)
    with dev.cv:
        return dev.messages.get((cid, seq))


def reactions_brief(rs):
    return [(r["emoji"], r["count"], r["uids"]) for r in rs]


def png(width, height):
    """A valid RGB PNG (stdlib zlib), a gradient so it is not trivially compressible."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, (x ^ y) & 0xFF))
                    for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", data[16:24])


class Raw:
    """HTTP with headers and raw bytes (media upload and download)."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, headers=None, data=None):
        url = path if path.startswith("http") else self.base + path
        req = urllib.request.Request(url, data=data, method=method)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def json(self, method, path, headers=None, data=None):
        import json
        st, h, body = self.call(method, path, headers, data)
        try:
            return st, h, json.loads(body) if body else None
        except ValueError:
            return st, h, body[:200]

    def upload(self, token, conversation_id, filename, ctype, payload, extra_fields=None):
        boundary = "docrich" + uuid.uuid4().hex
        parts = []
        fields = {"conversationId": conversation_id} if conversation_id is not None else {}
        fields.update(extra_fields or {})
        for k, v in fields.items():
            parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                          % (boundary, k, v)).encode())
        if payload is not None:
            head = "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n" % (boundary, filename)
            if ctype:
                head += "Content-Type: %s\r\n" % ctype
            parts.append(head.encode() + b"\r\n" + payload + b"\r\n")
        body = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
        return self.json("POST", "/v1/media", {"Authorization": "Bearer " + token,
                                                "Content-Type": "multipart/form-data; boundary=" + boundary}, body)


# =====================================================================================================
# The scenario
# =====================================================================================================
class Ctx:
    """Users, sessions, devices and the server settings the checks depend on."""


def setup(x):
    """Accounts A (sender), B (peer), C (group member), D (outsider), N (notice account), K (moderated),
    R (rate limit), M (muted); sessions; LOGIN over TCP (A also over WebSocket); group G = {A owner, B, C}."""
    x.sfx = uuid.uuid4().hex[:8]
    x.pw = "pw-" + x.sfx + "-secret"
    x.U = {}
    for who in "abcdnkrm":
        name = "rich%s_%s" % (who, x.sfx)
        st, body = x.api.call("POST", "/v1/accounts", {"username": name, "password": x.pw,
                                                       "nickname": "Rich " + who.upper()})
        if st != 201:
            raise SystemExit("register %s failed: %s %s" % (name, st, body))
        x.U[who] = {"name": name, "uid": body["uid"]}
    x.A, x.B, x.C, x.D, x.N, x.K, x.R, x.M = (x.U[w]["uid"] for w in "abcdnkrm")
    x.sess = {}
    x.tok = {}

    def session(who, device, platform):
        st, body = x.api.call("POST", "/v1/sessions", {"username": x.U[who]["name"], "password": x.pw,
                                                       "deviceId": device, "platform": platform})
        if st != 200:
            raise SystemExit("session %s/%s failed: %s %s" % (who, device, st, body))
        x.sess[(who, device)] = body
        x.tok.setdefault(body["uid"], body["token"])
        return body

    x.session = session
    for who, device, platform in (("a", "a-phone", "ANDROID"), ("a", "a-web", "WEB"), ("b", "b-phone", "IOS"),
                                  ("c", "c-desk", "DESKTOP"), ("d", "d-phone", "ANDROID"), ("n", "n-desk", "DESKTOP"),
                                  ("k", "k-phone", "ANDROID"), ("k", "k-web", "WEB"), ("r", "r-phone", "IOS"),
                                  ("m", "m-phone", "ANDROID")):
        session(who, device, platform)

    def connect(label, sess, ws=False):
        st, gate = x.lsb.call("GET", "/v1/gate")  # ask on every connect (§1.2)
        if st != 200 or gate.get("tls"):
            raise SystemExit("no plaintext gate: %s %s" % (st, gate))
        d = Device(label, WsTransport(gate["ws"]) if ws else TcpTransport(gate["tcp"]))
        d.login(sess["token"])
        return d

    x.connect = connect
    x.a1 = connect("A/tcp", x.sess[("a", "a-phone")])
    x.a2 = connect("A/ws", x.sess[("a", "a-web")], ws=True)
    x.b1 = connect("B/tcp", x.sess[("b", "b-phone")])
    x.c1 = connect("C/tcp", x.sess[("c", "c-desk")])
    x.d1 = connect("D/tcp", x.sess[("d", "d-phone")])
    x.n1 = connect("N/tcp", x.sess[("n", "n-desk")])
    x.devices = [x.a1, x.a2, x.b1, x.c1, x.d1, x.n1]
    x.cid = "s_%d_%d" % (min(x.A, x.B), max(x.A, x.B))
    st, g = x.api.call("POST", "/v1/groups", {"name": "rich " + x.sfx, "members": [x.B, x.C]}, token=x.tok[x.A])
    check("setup: 8 accounts, LOGIN A (TCP + WebSocket), B, C, D, N; group G {A owner, B, C}",
          st == 201 and all(d.uid for d in x.devices),
          "uids A=%d B=%d C=%d D=%d N=%d K=%d R=%d M=%d; POST /v1/groups -> %s %s"
          % (x.A, x.B, x.C, x.D, x.N, x.K, x.R, x.M, st, g))
    x.G = g["groupId"]
    x.gcid = "g_%d" % x.G
    # the message whose edit window is checked at the end (§9.22)
    x.early = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": "sent early, edited too late"})
    x.early_at = time.time()


# ---- 1. every message type of §7.3, valid and malformed ------------------------------------------
def message_types(x):
    big_png = "https://cdn.example.com/img/cat.png"
    valid = [
        ("TEXT", {"type": TEXT, "text": "hello, rich world \u00e9\U0001F600"}),
        ("EMOJI (emoji sequence)", {"type": EMOJI, "text": "\U0001F44D\U0001F3FD"}),
        ("EMOJI (sticker code + image)", {"type": EMOJI, "text": ":party-parrot:", "media": {
            "url": "https://stickers.example.com/parrot.gif", "mime_type": "image/gif", "width": 128, "height": 128}}),
        ("IMAGE (absolute URL, caption)", {"type": IMAGE, "text": "a cat", "media": {
            "url": big_png, "mime_type": "image/png", "size_bytes": 48213, "width": 1000, "height": 500,
            "thumbnail_url": "https://cdn.example.com/img/cat-thumb.png", "file_name": "cat.png"}}),
        ("FILE", {"type": FILE, "text": "the report", "media": {
            "url": "https://files.example.com/r.pdf", "file_name": "report Q3.pdf", "size_bytes": 1234567,
            "mime_type": "application/pdf"}}),
        ("AUDIO", {"type": AUDIO, "media": {"url": "https://files.example.com/v.ogg", "duration_ms": 12500,
                                            "size_bytes": 40000, "mime_type": "audio/ogg", "file_name": "v.ogg"}}),
        ("VIDEO", {"type": VIDEO, "text": "clip", "media": {
            "url": "https://files.example.com/c.mp4", "duration_ms": 61000, "size_bytes": 5 * MiB,
            "thumbnail_url": "https://files.example.com/c.jpg", "mime_type": "video/mp4", "width": 1280,
            "height": 720, "file_name": "c.mp4"}}),
        ("LOCATION", {"type": LOCATION, "text": "meet here", "location": {
            "latitude": 48.858370, "longitude": -2.294481, "name": "Tour Eiffel", "address": "Champ de Mars, Paris"}}),
        ("LOCATION (lat 0, lon -180: edge values)", {"type": LOCATION, "location": {"latitude": 0.0,
                                                                                    "longitude": -180.0}}),
        ("CUSTOM", {"type": CUSTOM, "custom_type": "com.example.poll", "text": "a poll (update your app)",
                    "custom": b'{"q":"lunch?","options":["pizza","sushi"]}'}),
        ("CUSTOM (binary payload, no caption)", {"type": CUSTOM, "custom_type": "app:v2/state_1",
                                                 "custom": bytes(range(256))}),
    ]
    x.type_seqs = {}
    for label, content in valid:
        try:
            ack = send(x.a1, SINGLE, x.B, content)
        except Exception as e:  # noqa
            check("SEND %s" % label, False, "refused: %r" % (e,))
            continue
        m = rx(x.b1, x.cid, ack["seq"])
        ok = (m is not None and m["content"]["type"] == content["type"] and same_content(m["content"], content)
              and m["sender_uid"] == x.A and m["msg_id"] == ack["msg_id"] and ack["content"] is None)
        check("SEND %s -> SEND_ACK; B's PUSH carries every field as sent" % label, ok,
              "seq=%s pushed content=%s" % (ack["seq"], content_brief(m and m["content"])))
        x.type_seqs[label] = ack["seq"]
    # the same fields through PULL (§9.5)
    pulled = {m["seq"]: m for m in x.b1.pull_all(x.cid)}
    bad = [l for l, s in x.type_seqs.items() if not same_content(pulled.get(s, {}).get("content"),
                                                                  dict(valid)[l])]
    check("PULL returns every type with the fields as sent", not bad and x.type_seqs, "mismatched: %s" % bad)

    media = {"url": big_png, "mime_type": "image/png", "size_bytes": 10, "width": 5, "height": 5}
    cases = [
        ("TEXT empty", {"type": TEXT, "text": ""}, "text"),
        ("TEXT only white space", {"type": TEXT, "text": " \t\n "}, "text"),
        ("TEXT over 5000 code points", {"type": TEXT, "text": "\U0001F600" * 5001}, "text"),
        ("TEXT with media", {"type": TEXT, "text": "x", "media": media}, "media"),
        ("TEXT with custom_type", {"type": TEXT, "text": "x", "custom_type": "a.b"}, "custom"),
        ("TEXT with location", {"type": TEXT, "text": "x", "location": {"latitude": 1.0, "longitude": 1.0}},
         "location"),
        ("EMOJI empty", {"type": EMOJI, "text": ""}, "text"),
        ("EMOJI over 64 code points", {"type": EMOJI, "text": "x" * 65}, "text"),
        ("EMOJI sticker not an image", {"type": EMOJI, "text": ":x:", "media": {"url": big_png,
                                                                               "mime_type": "video/mp4"}},
         "media.mime_type"),
        ("IMAGE without media", {"type": IMAGE}, "media"),
        ("IMAGE mime_type text/plain", {"type": IMAGE, "media": dict(media, mime_type="text/plain")},
         "media.mime_type"),
        ("IMAGE without width", {"type": IMAGE, "media": dict(media, width=0)}, "media.width"),
        ("IMAGE height over 30000", {"type": IMAGE, "media": dict(media, height=30001)}, "media.height"),
        ("IMAGE size over 20 MiB", {"type": IMAGE, "media": dict(media, size_bytes=20 * MiB + 1)},
         "media.size_bytes"),
        ("IMAGE with duration_ms", {"type": IMAGE, "media": dict(media, duration_ms=5)}, "media.duration_ms"),
        ("IMAGE url ftp://", {"type": IMAGE, "media": dict(media, url="ftp://x.example/y.png")}, "media.url"),
        ("IMAGE url with a space", {"type": IMAGE, "media": dict(media, url="https://x.example/a b.png")},
         "media.url"),
        ("IMAGE url neither absolute nor /v1/media/", {"type": IMAGE, "media": dict(media, url="/v2/a.png")},
         "media.url"),
        ("IMAGE url over 2048", {"type": IMAGE, "media": dict(media, url="https://x.example/" + "a" * 2040)},
         "media.url"),
        ("IMAGE caption over 1000", {"type": IMAGE, "text": "c" * 1001, "media": media}, "text"),
        ("FILE name with /", {"type": FILE, "media": {"url": big_png, "file_name": "a/b.txt", "size_bytes": 3,
                                                      "mime_type": "text/plain"}}, "media.file_name"),
        ("FILE without file_name", {"type": FILE, "media": {"url": big_png, "size_bytes": 3,
                                                            "mime_type": "text/plain"}}, "media.file_name"),
        ("FILE mime_type not type/subtype", {"type": FILE, "media": {"url": big_png, "file_name": "a",
                                                                     "size_bytes": 3, "mime_type": "pdf"}},
         "media.mime_type"),
        ("FILE size 0", {"type": FILE, "media": {"url": big_png, "file_name": "a", "mime_type": "text/plain"}},
         "media.size_bytes"),
        ("AUDIO without duration_ms", {"type": AUDIO, "media": {"url": big_png}}, "media.duration_ms"),
        ("AUDIO over 3 h", {"type": AUDIO, "media": {"url": big_png, "duration_ms": 3 * 3600 * 1000 + 1}},
         "media.duration_ms"),
        ("AUDIO mime_type image/png", {"type": AUDIO, "media": {"url": big_png, "duration_ms": 10,
                                                                "mime_type": "image/png"}}, "media.mime_type"),
        ("AUDIO size over 50 MiB", {"type": AUDIO, "media": {"url": big_png, "duration_ms": 10,
                                                             "size_bytes": 50 * MiB + 1}}, "media.size_bytes"),
        ("VIDEO without thumbnail_url", {"type": VIDEO, "media": {"url": big_png, "duration_ms": 10,
                                                                  "size_bytes": 10}}, "media.thumbnail_url"),
        ("VIDEO without size_bytes", {"type": VIDEO, "media": {"url": big_png, "duration_ms": 10,
                                                               "thumbnail_url": big_png}}, "media.size_bytes"),
        ("VIDEO width over 30000", {"type": VIDEO, "media": {"url": big_png, "duration_ms": 10, "size_bytes": 10,
                                                             "thumbnail_url": big_png, "width": 30001}},
         "media.width"),
        ("LOCATION without location", {"type": LOCATION}, "location"),
        ("LOCATION latitude 91", {"type": LOCATION, "location": {"latitude": 91.0, "longitude": 1.0}},
         "location.latitude"),
        ("LOCATION longitude -181", {"type": LOCATION, "location": {"latitude": 1.0, "longitude": -181.0}},
         "location.longitude"),
        ("LOCATION latitude NaN", {"type": LOCATION, "location": {"latitude": float("nan"), "longitude": 1.0}},
         "location.latitude"),
        ("LOCATION longitude +Infinity", {"type": LOCATION, "location": {"latitude": 1.0,
                                                                         "longitude": float("inf")}},
         "location.longitude"),
        ("LOCATION name with a control character", {"type": LOCATION, "location": {
            "latitude": 1.0, "longitude": 1.0, "name": "a\x01b"}}, "location.name"),
        ("LOCATION address over 512", {"type": LOCATION, "location": {
            "latitude": 1.0, "longitude": 1.0, "address": "a" * 513}}, "location.address"),
        ("LOCATION with media", {"type": LOCATION, "location": {"latitude": 1.0, "longitude": 1.0},
                                 "media": media}, "media"),
        ("CUSTOM without custom_type", {"type": CUSTOM, "custom": b"{}"}, "custom_type"),
        ("CUSTOM custom_type starting with -", {"type": CUSTOM, "custom_type": "-poll"}, "custom_type"),
        ("CUSTOM custom_type with a space", {"type": CUSTOM, "custom_type": "my poll"}, "custom_type"),
        ("CUSTOM custom_type over 64", {"type": CUSTOM, "custom_type": "a" * 65}, "custom_type"),
        ("CUSTOM payload over 8192 bytes", {"type": CUSTOM, "custom_type": "a", "custom": b"x" * 8193}, "custom"),
        ("CUSTOM caption over 1000", {"type": CUSTOM, "custom_type": "a", "text": "t" * 1001}, "text"),
        ("IMAGE with custom bytes", {"type": IMAGE, "media": media, "custom": b"x"}, "custom"),
        ("type SYSTEM", {"type": SYSTEM, "text": "x"}, "type"),
        ("type MESSAGE_TYPE_UNSPECIFIED", {"type": 0, "text": "x"}, "type"),
        ("type unknown (99)", {"type": 99, "text": "x"}, "type"),
        ("TEXT with group_event", {"type": TEXT, "text": "x", "group_event": {"type": 1}}, "group_event"),
        ("TEXT with system_notice", {"type": TEXT, "text": "x", "system_notice": {"text": "y"}}, "system_notice"),
    ]
    for label, content, field in cases:
        refused("SEND %s -> BAD_REQUEST naming %s" % (label, field),
                lambda: send(x.a1, SINGLE, x.B, content, resend_on_rate_limit=False), "BAD_REQUEST", "SEND",
                field)
    time.sleep(0.5)
    last = max(pulled) if pulled else 0
    after = x.b1.pull(x.cid, from_seq=last + 1, to_seq=0)["messages"]
    check("none of the refused SENDs was stored", not after, "messages after seq %d: %d" % (last, len(after)))


# ---- 2. media: upload, send, signed URLs, download (§1.3) -----------------------------------------
def media(x):
    raw = x.raw
    data = png(640, 400)
    st, _, up = raw.upload(x.tok[x.A], x.cid, "cat \u00e9t\u00e9.png", "image/png", data)
    ok = (st == 201 and isinstance(up, dict) and re.fullmatch(r"[A-Za-z0-9_-]{22}", up.get("mediaId", ""))
          and up["conversationId"] == x.cid and up["mimeType"] == "image/png" and up["sizeBytes"] == len(data)
          and up.get("width") == 640 and up.get("height") == 400 and up.get("fileName") == "cat \u00e9t\u00e9.png"
          and up["url"] == "/v1/media/" + up["mediaId"] and up.get("thumbnailUrl") == up["url"] + "/thumbnail")
    check("A POST /v1/media (multipart, PNG 640x400) -> 201 UploadedMedia", ok, "%s %s" % (st, up))
    if not ok:
        return
    mid = up["mediaId"]
    info = {"url": up["url"], "mime_type": up["mimeType"], "size_bytes": up["sizeBytes"], "width": up["width"],
            "height": up["height"], "file_name": up["fileName"], "thumbnail_url": up["thumbnailUrl"]}
    ack = send(x.a1, SINGLE, x.B, {"type": IMAGE, "text": "uploaded", "media": info})
    m = rx(x.b1, x.cid, ack["seq"])
    check("SEND IMAGE referencing the upload; B's PUSH carries the MediaInfo",
          m and same_content(m["content"], {"type": IMAGE, "media": info}), "media=%s" % (m and m["content"]["media"]))
    x.image_seq = ack["seq"]

    # the member B exchanges the stable reference (§1.3)
    t0 = time.time()
    st, h, urls = raw.json("GET", info["url"] + "/url", {"Authorization": "Bearer " + x.tok[x.B]})
    ok = (st == 200 and urls["mediaId"] == mid and urls["url"].startswith("/v1/media/%s?" % mid)
          and urls.get("thumbnailUrl", "").startswith("/v1/media/%s/thumbnail?" % mid))
    q = urllib.parse.parse_qs(urllib.parse.urlparse(urls["url"]).query) if ok else {}
    exp_ok = ok and int(q["exp"][0]) * 1000 == urls["expiresAt"] and abs(urls["expiresAt"] / 1000.0
                                                                          - (t0 + x.url_ttl)) < 3
    check("B GET /v1/media/{id}/url -> 200 signed url + thumbnailUrl, expiresAt = exp*1000 = now + url-ttl",
          ok and exp_ok and "no-store" in h.get("cache-control", ""),
          "%s %s cache-control=%s" % (st, urls, h.get("cache-control")))
    if not ok:
        return
    st, h, body = raw.call("GET", urls["url"])
    check("download the signed url without a token -> 200, the same bytes, Content-Type image/png, nosniff, "
          "no attachment", st == 200 and body == data and h.get("content-type", "").startswith("image/png")
          and h.get("x-content-type-options") == "nosniff" and "attachment" not in h.get("content-disposition", ""),
          "%s %d bytes type=%s nosniff=%s disposition=%s" % (st, len(body), h.get("content-type"),
                                                              h.get("x-content-type-options"),
                                                              h.get("content-disposition")))
    st, h, body = raw.call("GET", urls["thumbnailUrl"])
    check("download the signed thumbnailUrl -> 200 PNG, longer edge 320 (640x400 -> 320x200)",
          st == 200 and h.get("content-type", "").startswith("image/png") and png_size(body) == (320, 200),
          "%s type=%s size=%s" % (st, h.get("content-type"), png_size(body)))
    st, h, body = raw.call("GET", urls["url"], {"Range": "bytes=8-23"})
    check("Range bytes=8-23 -> 206 with Content-Range", st == 206 and body == data[8:24]
          and h.get("content-range") == "bytes 8-23/%d" % len(data), "%s %r" % (st, h.get("content-range")))
    st, h, body = raw.call("GET", urls["url"], {"Range": "bytes=%d-" % (len(data) + 10)})
    check("Range past the end -> 416 RANGE_NOT_SATISFIABLE, Content-Range bytes */size",
          st == 416 and b"RANGE_NOT_SATISFIABLE" in body and h.get("content-range") == "bytes */%d" % len(data),
          "%s %s %r" % (st, body[:80], h.get("content-range")))

    # refusals
    st, _, e = raw.json("GET", info["url"] + "/url", {"Authorization": "Bearer " + x.tok[x.D]})
    check("non-member D GET /v1/media/{id}/url -> 403 FORBIDDEN", st == 403 and e.get("code") == "FORBIDDEN",
          "%s %s" % (st, e))
    st, _, e = raw.json("GET", "/v1/media/%s/url" % ("A" * 22), {"Authorization": "Bearer " + x.tok[x.B]})
    check("unknown mediaId -> 404 NOT_FOUND", st == 404 and e.get("code") == "NOT_FOUND", "%s %s" % (st, e))
    st, _, e = raw.json("GET", info["url"] + "/url")
    check("GET /url without a token -> 401 UNAUTHORIZED", st == 401 and e.get("code") == "UNAUTHORIZED",
          "%s %s" % (st, e))
    st, _, e = raw.json("GET", info["url"])
    check("download the stable url (no exp/sig) -> 403 SIGNATURE_REQUIRED",
          st == 403 and e.get("code") == "SIGNATURE_REQUIRED", "%s %s" % (st, e))
    sig = q["sig"][0]
    tampered = urls["url"].replace("sig=" + sig, "sig=" + ("A" if sig[0] != "A" else "B") + sig[1:])
    st, _, e = raw.json("GET", tampered)
    check("tampered sig -> 403 BAD_SIGNATURE", st == 403 and e.get("code") == "BAD_SIGNATURE", "%s %s" % (st, e))
    st, _, e = raw.json("GET", urls["url"].replace("sig=" + sig, "sig=" + sig[:-4]))
    check("truncated sig -> 403 BAD_SIGNATURE", st == 403 and e.get("code") == "BAD_SIGNATURE", "%s %s" % (st, e))
    exp = q["exp"][0]
    st, _, e = raw.json("GET", urls["url"].replace("exp=" + exp, "exp=" + str(int(exp) + 3600)))
    check("exp moved 1 h later (same sig) -> 403 BAD_SIGNATURE", st == 403 and e.get("code") == "BAD_SIGNATURE",
          "%s %s" % (st, e))
    tq = urllib.parse.urlparse(urls["thumbnailUrl"]).query
    st, _, e = raw.json("GET", "/v1/media/%s?%s" % (mid, tq))
    check("the thumbnail's exp/sig on the original -> 403 BAD_SIGNATURE",
          st == 403 and e.get("code") == "BAD_SIGNATURE", "%s %s" % (st, e))
    st, _, e = raw.json("GET", "/v1/media/%s?%s" % ("B" * 22, urllib.parse.urlparse(urls["url"]).query))
    check("another media id with this exp/sig -> 403 BAD_SIGNATURE (existence not revealed)",
          st == 403 and e.get("code") == "BAD_SIGNATURE", "%s %s" % (st, e))

    # uploads refused
    st, _, e = raw.upload(x.tok[x.D], x.cid, "x.png", "image/png", data)
    check("non-member D uploads to s_A_B -> 403 FORBIDDEN", st == 403 and e.get("code") == "FORBIDDEN",
          "%s %s" % (st, e))
    st, _, e = raw.upload(x.tok[x.A], x.cid, "x.html", "text/html", b"<p>hi</p>")
    check("upload text/html -> 415 UNSUPPORTED_MEDIA_TYPE", st == 415 and e.get("code") == "UNSUPPORTED_MEDIA_TYPE",
          "%s %s" % (st, e))
    st, _, e = raw.upload(x.tok[x.A], x.cid, "x.jpg", "image/jpeg", data)
    check("PNG bytes declared image/jpeg -> 415 MEDIA_TYPE_MISMATCH",
          st == 415 and e.get("code") == "MEDIA_TYPE_MISMATCH", "%s %s" % (st, e))
    bomb = png(1, 1)
    bomb = bomb[:16] + struct.pack(">II", 100000, 100000) + bomb[24:]
    bomb = bomb[:29] + struct.pack(">I", zlib.crc32(bomb[12:29]) & 0xFFFFFFFF) + bomb[33:]
    st, _, e = raw.upload(x.tok[x.A], x.cid, "bomb.png", "image/png", bomb)
    check("PNG header claiming 100000x100000 -> 413 IMAGE_TOO_LARGE", st == 413 and e.get("code") == "IMAGE_TOO_LARGE",
          "%s %s" % (st, e))
    st, _, e = raw.upload(x.tok[x.A], "s_1_x", "a.txt", "text/plain", b"hi")
    check("malformed conversationId -> 400 BAD_REQUEST", st == 400 and e.get("code") == "BAD_REQUEST",
          "%s %s" % (st, e))
    st, _, e = raw.upload(x.tok[x.A], x.cid, None, None, None)
    check("no file part -> 400 BAD_REQUEST", st == 400 and e.get("code") == "BAD_REQUEST", "%s %s" % (st, e))

    # a non-image file: no dimensions, no thumbnail, downloaded as an attachment
    text = "r\u00e9sum\u00e9 of the day\n".encode("utf-8")
    st, _, fu = raw.upload(x.tok[x.A], x.cid, "notes r\u00e9sum\u00e9.txt", "text/plain", text)
    ok = (st == 201 and fu["mimeType"] == "text/plain" and fu["sizeBytes"] == len(text)
          and not any(k in fu for k in ("width", "height", "thumbnailUrl")))
    check("upload text/plain -> 201 without width, height, thumbnailUrl", ok, "%s %s" % (st, fu))
    if ok:
        fack = send(x.a1, SINGLE, x.B, {"type": FILE, "media": {"url": fu["url"], "file_name": fu["fileName"],
                                                                "size_bytes": fu["sizeBytes"],
                                                                "mime_type": fu["mimeType"]}})
        fm = rx(x.b1, x.cid, fack["seq"])
        st, _, fl = raw.json("GET", fm["content"]["media"]["url"] + "/url", {"Authorization": "Bearer " + x.tok[x.B]})
        st2, h, body = raw.call("GET", fl["url"]) if st == 200 else (st, {}, b"")
        cd = h.get("content-disposition", "")
        check("FILE message; B downloads it: attachment; filename*=UTF-8''<name>, nosniff, no thumbnailUrl",
              st == 200 and "thumbnailUrl" not in fl and st2 == 200 and body == text
              and cd.startswith("attachment") and "filename*=UTF-8''" + urllib.parse.quote(fu["fileName"]) in cd
              and h.get("x-content-type-options") == "nosniff",
              "url answer %s %s; download %s disposition=%r" % (st, sorted(fl) if isinstance(fl, dict) else fl,
                                                                 st2, cd))
        st, _, e = raw.json("GET", fu["url"] + "/thumbnail?" + urllib.parse.urlparse(fl["url"]).query)
        check("thumbnail of a file with the original's signature -> 403 BAD_SIGNATURE",
              st == 403 and e.get("code") == "BAD_SIGNATURE", "%s %s" % (st, e))

    # group media: a member who leaves loses access (membership at exchange time)
    st, _, gu = raw.upload(x.tok[x.C], x.gcid, "g.png", "image/png", png(50, 20))
    check("C uploads to the group g_G -> 201 (thumbnail not enlarged: 50x20)", st == 201 and gu.get("width") == 50,
          "%s %s" % (st, gu))
    x.group_media = gu if st == 201 else None
    if st == 201:
        st1, _, e1 = raw.json("GET", gu["url"] + "/url", {"Authorization": "Bearer " + x.tok[x.B]})
        st2, _, e2 = raw.json("GET", gu["url"] + "/url", {"Authorization": "Bearer " + x.tok[x.D]})
        check("group media: member B exchanges it (200), non-member D -> 403 FORBIDDEN",
              st1 == 200 and st2 == 403 and e2.get("code") == "FORBIDDEN", "B %s, D %s %s" % (st1, st2, e2))

    # expiry (media.url-ttl)
    wait = urls["expiresAt"] / 1000.0 - time.time() + 1.2
    if wait > 60:
        print("      note: URL_EXPIRED not checked: the URLs live %.0f s; start the server with "
              "MAGPIE_MEDIA_URL_TTL=10s and pass --url-ttl 10" % (wait - 1.2))
        return
    time.sleep(max(wait, 0))
    st, _, e = raw.json("GET", urls["url"])
    check("after expiresAt the signed URL -> 403 URL_EXPIRED", st == 403 and e.get("code") == "URL_EXPIRED",
          "%s %s (waited %.1f s)" % (st, e, wait))
    st, _, e = raw.json("GET", urls["thumbnailUrl"])
    check("the expired thumbnail URL -> 403 URL_EXPIRED", st == 403 and e.get("code") == "URL_EXPIRED",
          "%s %s" % (st, e))


# ---- 3a. replies (§9.19) ---------------------------------------------------------------------------
def replies(x):
    long_text = "".join(chr(0x1F600 + i % 50) if i % 3 == 0 else "ab"[i % 2] for i in range(150))  # 150 code points
    q = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": long_text})
    r = send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "agreed", "reply_to": {"seq": q["seq"]}})
    rr = r["content"] and r["content"]["reply_to"]
    ok = (rr and rr["seq"] == q["seq"] and rr["msg_id"] == q["msg_id"] and rr["sender_uid"] == x.A
          and rr["type"] == TEXT and rr["preview"] == long_text[:100] and not rr["recalled"]
          and r["content"]["text"] == "agreed")
    check("B replies to A's seq: SEND_ACK.content carries reply_to {msg_id, sender_uid, type, preview = 100 "
          "code points}", ok, "reply_to=%s (preview %s code points)" % (brief(rr, ["seq", "msg_id", "sender_uid",
                                                                                  "type", "recalled"]),
                                                                      rr and len(rr["preview"])))
    m = rx(x.a1, x.cid, r["seq"])
    check("A receives the reply with the same reply_to", m and m["content"]["reply_to"] == rr,
          "pushed reply_to=%s" % (m and brief(m["content"]["reply_to"], ["seq", "msg_id", "sender_uid", "type"])))
    # a reply to media quotes the caption; a reply with the right msg_id/sender_uid is accepted
    img = send(x.a1, SINGLE, x.B, {"type": IMAGE, "text": "a cat \U0001F431 " + "m" * 120, "media": {
        "url": "https://cdn.example.com/c.png", "mime_type": "image/png", "size_bytes": 9, "width": 3, "height": 3}})
    ri = send(x.b1, SINGLE, x.A, {"type": EMOJI, "text": "\U0001F602", "reply_to": {"seq": img["seq"]}})
    rri = ri["content"]["reply_to"] if ri["content"] else None
    check("an EMOJI reply to an IMAGE: type IMAGE, preview = the caption's first 100 code points",
          rri and rri["type"] == IMAGE and rri["preview"] == ("a cat \U0001F431 " + "m" * 120)[:100],
          "reply_to=%s" % brief(rri, ["type", "seq", "sender_uid"]))
    ok2 = send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "me too", "reply_to": {"seq": q["seq"], "msg_id": q["msg_id"],
                                                                               "sender_uid": x.A}})
    check("reply naming the right msg_id and sender_uid -> accepted", ok2["content"] is not None,
          "seq=%s" % ok2["seq"])
    refused("reply with another msg_id -> BAD_REQUEST naming reply_to.msg_id",
            lambda: send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "x", "reply_to": {"seq": q["seq"],
                                                                                     "msg_id": q["msg_id"] + 1}}),
            "BAD_REQUEST", "SEND", "reply_to.msg_id")
    refused("reply with another sender_uid -> BAD_REQUEST naming reply_to.sender_uid",
            lambda: send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "x", "reply_to": {"seq": q["seq"],
                                                                                     "sender_uid": x.B}}),
            "BAD_REQUEST", "SEND", "reply_to.sender_uid")
    refused("reply_to.seq 0 -> BAD_REQUEST naming reply_to.seq",
            lambda: send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "x", "reply_to": {}}), "BAD_REQUEST", "SEND",
            "reply_to.seq")
    refused("reply_to a seq with no message -> NOT_FOUND",
            lambda: send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "x", "reply_to": {"seq": 999999}}), "NOT_FOUND",
            "SEND")
    # a reply to a SYSTEM message: preview ""
    gs = send(x.b1, GROUP, x.G, {"type": TEXT, "text": "re: the group", "reply_to": {"seq": 1}})
    grr = gs["content"] and gs["content"]["reply_to"]
    check("a group reply to the GROUP_CREATED SYSTEM message (seq 1): type SYSTEM, preview \"\"",
          grr and grr["type"] == SYSTEM and grr["preview"] == "" and grr["sender_uid"] == x.A,
          "reply_to=%s" % brief(grr))

    # recall the quoted message: the stored replies are rewritten
    before = pull_seq(x.b1, x.cid, r["seq"])
    rc = recall(x.a1, x.cid, q["seq"])
    after = pull_seq(x.b1, x.cid, r["seq"])
    ar = after and after["content"]["reply_to"]
    check("A recalls the quoted message: the reply's reply_to.recalled true, preview \"\", new version above "
          "the recall's, status NORMAL", ar and ar["recalled"] and ar["preview"] == "" and after["status"] == NORMAL
          and after["version"] > rc["version"] > before["version"] and after["content"]["text"] == "agreed",
          "reply_to=%s version %d -> %d (recall %d)" % (brief(ar), before["version"], after["version"],
                                                         rc["version"]))
    ch = x.b1.pull(x.cid, since_version=before["version"])
    seqs = {m["seq"]: m for m in ch["messages"]}
    check("since_version PULL returns the recalled message and the rewritten replies",
          q["seq"] in seqs and seqs[q["seq"]]["status"] == RECALLED and r["seq"] in seqs
          and seqs[r["seq"]]["content"]["reply_to"]["recalled"] and ok2["seq"] in seqs,
          "changed seqs=%s" % sorted(seqs))
    r2 = send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "what did you say?", "reply_to": {"seq": q["seq"]}})
    r2r = r2["content"] and r2["content"]["reply_to"]
    check("a reply to the recalled message -> stored with recalled true and no preview",
          r2r and r2r["recalled"] and r2r["preview"] == "" and r2r["msg_id"] == q["msg_id"], "reply_to=%s" % brief(r2r))


# ---- 3b. mentions (§9.20) ----------------------------------------------------------------------------
def mentions(x):
    for d in (x.a1, x.b1, x.c1):  # everyone reads the group up to now
        last = sync_row(d, x.gcid)[0]
        if last and last["last_seq"]:
            read(d, x.gcid, last["last_seq"])
    m1 = send(x.b1, GROUP, x.G, {"type": TEXT, "text": "@C look", "mentioned_uids": [x.C, x.C]})
    pm = rx(x.c1, x.gcid, m1["seq"])
    check("B mentions [C, C]: C's PUSH carries mentioned_uids as sent, repeats kept",
          pm and pm["content"]["mentioned_uids"] == [x.C, x.C],
          "mentioned_uids=%s mention_all=%s" % (pm and pm["content"]["mentioned_uids"],
                                                pm and pm["content"]["mention_all"]))
    rc, ra, rb = sync_row(x.c1, x.gcid)[0], sync_row(x.a1, x.gcid)[0], sync_row(x.b1, x.gcid)[0]
    check("SYNC: C's row mentioned=true; A (not mentioned) and B (the sender) false",
          rc and rc["mentioned"] and ra and not ra["mentioned"] and rb and not rb["mentioned"],
          "C=%s A=%s B=%s" % (rc and rc["mentioned"], ra and ra["mentioned"], rb and rb["mentioned"]))
    filler = send(x.a1, GROUP, x.G, {"type": TEXT, "text": "unrelated"})
    read(x.c1, x.gcid, m1["seq"] - 1)
    rc = sync_row(x.c1, x.gcid)[0]
    check("a READ below the mention keeps the mark", rc and rc["mentioned"], "read_seq=%s mentioned=%s"
          % (rc and rc["read_seq"], rc and rc["mentioned"]))
    read(x.c1, x.gcid, m1["seq"])
    rc = sync_row(x.c1, x.gcid)[0]
    check("C READs past the mention: mentioned=false (unread %s remains)" % (rc and rc["unread_count"]),
          rc and not rc["mentioned"] and rc["unread_count"] == filler["seq"] - m1["seq"],
          "read_seq=%s mentioned=%s unread=%s" % (rc and rc["read_seq"], rc and rc["mentioned"],
                                                 rc and rc["unread_count"]))
    refused("plain member B sends mention_all -> MENTION_ALL_NOT_ALLOWED",
            lambda: send(x.b1, GROUP, x.G, {"type": TEXT, "text": "@all", "mention_all": True}),
            "MENTION_ALL_NOT_ALLOWED", "SEND")
    last = sync_row(x.a1, x.gcid)[0]["last_seq"]
    check("... and nothing was stored", last == filler["seq"], "last_seq=%d" % last)
    ma = send(x.a1, GROUP, x.G, {"type": TEXT, "text": "@all meeting at 3", "mention_all": True})
    pm = rx(x.b1, x.gcid, ma["seq"])
    rb, rc, ra = sync_row(x.b1, x.gcid)[0], sync_row(x.c1, x.gcid)[0], sync_row(x.a1, x.gcid)[0]
    check("owner A sends mention_all: pushed with mention_all; B and C mentioned=true, A (sender) false",
          pm and pm["content"]["mention_all"] and rb["mentioned"] and rc["mentioned"] and not ra["mentioned"],
          "B=%s C=%s A=%s" % (rb["mentioned"], rc["mentioned"], ra["mentioned"]))
    x.c1.request("CLEAR", "ClearRequest", {"conversation_id": x.gcid, "up_to_seq": 0}, "CLEAR_ACK")
    rc = sync_row(x.c1, x.gcid)[0]
    check("C CLEARs the group: mentioned=false", rc and not rc["mentioned"], "cleared_seq=%s mentioned=%s"
          % (rc and rc["cleared_seq"], rc and rc["mentioned"]))
    refused("mention of non-member D -> BAD_REQUEST naming mentioned_uids",
            lambda: send(x.b1, GROUP, x.G, {"type": TEXT, "text": "x", "mentioned_uids": [x.C, x.D]}),
            "BAD_REQUEST", "SEND", "mentioned_uids")
    refused("mentioned uid 0 -> BAD_REQUEST naming mentioned_uids",
            lambda: send(x.b1, GROUP, x.G, {"type": TEXT, "text": "x", "mentioned_uids": [0]}),
            "BAD_REQUEST", "SEND", "mentioned_uids")
    refused("51 distinct mentioned uids -> BAD_REQUEST naming mentioned_uids",
            lambda: send(x.b1, GROUP, x.G, {"type": TEXT, "text": "x",
                                            "mentioned_uids": list(range(x.A, x.A + 51))}),
            "BAD_REQUEST", "SEND", "mentioned_uids")
    refused("SINGLE SEND with mentioned_uids -> BAD_REQUEST",
            lambda: send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "x", "mentioned_uids": [x.A]}),
            "BAD_REQUEST", "SEND", "mentioned_uids")
    refused("SINGLE SEND with mention_all -> BAD_REQUEST",
            lambda: send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "x", "mention_all": True}),
            "BAD_REQUEST", "SEND")
    b = encode("MessageContent", {"type": TEXT, "text": "ok", "reply_to": {"seq": 3}, "mentioned_uids": [10002]})
    b2 = encode("MessageContent", {"type": TEXT, "text": "ok", "reply_to": {"seq": 3}, "mentioned_uids": [10002],
                                   "mention_all": True})
    check("§9.19's bytes: MessageContent{TEXT, ok, reply_to{3}, mentioned_uids[10002]} (+ mention_all)",
          b.hex() == "080112026f6b3a0208034202924e" and b2.hex() == b.hex() + "4801", b2.hex(" "))


# ---- 3c. reactions (§9.21) ---------------------------------------------------------------------------
def reactions(x):
    t = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": "react to me"})
    v0 = t["msg_id"]
    r1 = react(x.b1, x.cid, t["seq"], "\U0001F44D")
    ok = (r1["conversation_id"] == x.cid and r1["seq"] == t["seq"] and r1["version"] > v0
          and reactions_brief(r1["reactions"]) == [("\U0001F44D", 1, [x.B])])
    check("B REACTs thumbs-up -> REACT_ACK new version, reactions [(emoji, 1, [B])]", ok,
          "version %d -> %d reactions=%s" % (v0, r1["version"], reactions_brief(r1["reactions"])))
    got = []
    for d in (x.a1, x.a2):
        ev = d.wait_event(notice(N_REACTED, conversation_id=x.cid, seq=t["seq"]))
        got.append(ev and ev[1])
    ok = all(n and n["uid"] == x.B and n["version"] == r1["version"] and n["msg_id"] == t["msg_id"]
             and n["sender_uid"] == x.A and n["message"] and n["message"]["version"] == r1["version"]
             and reactions_brief(n["message"]["reactions"]) == reactions_brief(r1["reactions"]) for n in got)
    check("both of A's devices get NOTICE_REACTED {uid=B, version, msg_id, sender_uid=A, message with reactions}",
          ok, "notices=%s" % [n and brief(n, ["uid", "version", "msg_id", "sender_uid"]) for n in got])
    no_own = x.b1.wait_event(notice(N_REACTED, conversation_id=x.cid, seq=t["seq"]), timeout=1)
    check("the reacting connection itself gets no NOTICE_REACTED", no_own is None, "got %s" % (no_own,))
    r2 = react(x.a1, x.cid, t["seq"], "\u2764\ufe0f")
    check("A reacts heart: two entries in first-chosen order", reactions_brief(r2["reactions"]) ==
          [("\U0001F44D", 1, [x.B]), ("\u2764\ufe0f", 1, [x.A])] and r2["version"] > r1["version"],
          "reactions=%s" % reactions_brief(r2["reactions"]))
    x.a2.wait_event(notice(N_REACTED, conversation_id=x.cid, seq=t["seq"]), timeout=3)
    x.b1.wait_event(notice(N_REACTED, conversation_id=x.cid, seq=t["seq"]), timeout=3)
    r3 = react(x.b1, x.cid, t["seq"], "\U0001F44D")
    quiet = x.a1.wait_event(notice(N_REACTED, conversation_id=x.cid, seq=t["seq"]), timeout=1.5)
    check("B reacts thumbs-up again: same version, no NOTICE", r3["version"] == r2["version"] and quiet is None,
          "version %d (was %d), notice=%s" % (r3["version"], r2["version"], quiet and brief(quiet[1], ["uid"])))
    r4 = react(x.b1, x.cid, t["seq"], "\u2764\ufe0f")
    check("B switches to heart: one reaction per user, replaced", reactions_brief(r4["reactions"]) ==
          [("\u2764\ufe0f", 2, [x.A, x.B])], "reactions=%s" % reactions_brief(r4["reactions"]))
    r5 = react(x.b1, x.cid, t["seq"], remove=True)
    check("B removes its reaction", reactions_brief(r5["reactions"]) == [("\u2764\ufe0f", 1, [x.A])]
          and r5["version"] > r4["version"], "reactions=%s" % reactions_brief(r5["reactions"]))
    r6 = react(x.b1, x.cid, t["seq"], remove=True)
    check("removing nothing: same version", r6["version"] == r5["version"], "version %d" % r6["version"])
    pm = pull_seq(x.b1, x.cid, t["seq"])
    check("PULL: Message.reactions and version as the last REACT_ACK", pm and pm["version"] == r5["version"]
          and reactions_brief(pm["reactions"]) == reactions_brief(r5["reactions"]),
          "version=%s reactions=%s" % (pm and pm["version"], pm and reactions_brief(pm["reactions"])))
    ch = x.b1.pull(x.cid, since_version=t["msg_id"])
    check("since_version PULL returns the reacted message", any(m["seq"] == t["seq"] and m["version"] == r5["version"]
                                                                for m in ch["messages"]),
          "changed seqs=%s" % [m["seq"] for m in ch["messages"]])
    # the distinct-emoji cap (logic.max-reaction-emoji)
    if x.max_reaction_emoji <= 3:
        gm = send(x.a1, GROUP, x.G, {"type": TEXT, "text": "vote"})
        emojis = ["\U0001F600", "\U0001F601", "\U0001F602", "\U0001F603"]
        devs = [x.a1, x.b1, x.c1]
        for i in range(x.max_reaction_emoji):
            react(devs[i], x.gcid, gm["seq"], emojis[i])
        n = x.max_reaction_emoji
        refused("a new emoji beyond logic.max-reaction-emoji=%d -> REACTION_LIMIT" % n,
                lambda: react(devs[n], x.gcid, gm["seq"], emojis[n]), "REACTION_LIMIT", "REACT")
        rr = react(devs[n], x.gcid, gm["seq"], emojis[0])
        check("... reacting with one it carries works", rr["reactions"][0]["count"] == 2,
              "reactions=%s" % reactions_brief(rr["reactions"]))
    else:
        print("      note: REACTION_LIMIT not checked (needs --max-reaction-emoji <= 3 and the server started with it)")
    refused("REACT emoji with white space -> BAD_REQUEST naming emoji",
            lambda: react(x.b1, x.cid, t["seq"], "\U0001F44D \U0001F44D"), "BAD_REQUEST", "REACT", "emoji")
    refused("REACT emoji of 33 code points -> BAD_REQUEST naming emoji",
            lambda: react(x.b1, x.cid, t["seq"], "a" * 33), "BAD_REQUEST", "REACT", "emoji")
    refused("REACT empty emoji -> BAD_REQUEST naming emoji", lambda: react(x.b1, x.cid, t["seq"], ""),
            "BAD_REQUEST", "REACT", "emoji")
    refused("REACT seq 0 -> BAD_REQUEST naming seq", lambda: react(x.b1, x.cid, 0, "x"), "BAD_REQUEST", "REACT",
            "seq")
    refused("REACT on a seq with no message -> NOT_FOUND", lambda: react(x.b1, x.cid, 999999, "x"), "NOT_FOUND",
            "REACT")
    refused("REACT on the group's SYSTEM message -> FORBIDDEN", lambda: react(x.b1, x.gcid, 1, "x"), "FORBIDDEN",
            "REACT")
    refused("REACT by non-member D in the group -> FORBIDDEN", lambda: react(x.d1, x.gcid, 2, "x"), "FORBIDDEN",
            "REACT")
    refused("REACT by D in A and B's one-to-one conversation -> BAD_REQUEST naming conversation_id (§8, §10)",
            lambda: react(x.d1, x.cid, t["seq"], "x"), "BAD_REQUEST", "REACT", "conversation_id")
    rc = recall(x.a1, x.cid, t["seq"])
    pm = pull_seq(x.b1, x.cid, t["seq"])
    check("a recall drops the reactions", pm["status"] == RECALLED and not pm["reactions"],
          "status=%d reactions=%s" % (pm["status"], pm["reactions"]))
    refused("REACT on a recalled message -> FORBIDDEN", lambda: react(x.b1, x.cid, t["seq"], "x"), "FORBIDDEN",
            "REACT")


# ---- 3d. edits (§9.22) --------------------------------------------------------------------------------
def edits(x):
    t = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": "helo"})
    r0 = send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "what?", "reply_to": {"seq": t["seq"]}})
    unread0 = sync_row(x.b1, x.cid)[0]["unread_count"]
    e1 = edit(x.a1, x.cid, t["seq"], {"type": TEXT, "text": "hello"})
    ok = (e1["conversation_id"] == x.cid and e1["seq"] == t["seq"] and e1["version"] > t["msg_id"]
          and e1["edited_at"] > 0 and e1["content"] and e1["content"]["text"] == "hello")
    check("A EDITs its TEXT -> EDIT_ACK {version, edited_at, content}", ok,
          "version=%d edited_at=%d content=%s" % (e1["version"], e1["edited_at"], content_brief(e1["content"])))
    got = []
    for d in (x.b1, x.a2):
        ev = d.wait_event(notice(N_EDITED, conversation_id=x.cid, seq=t["seq"]))
        got.append(ev and ev[1])
    ok = all(n and n["uid"] == x.A and n["version"] == e1["version"] and n["msg_id"] == t["msg_id"]
             and n["sender_uid"] == x.A and n["message"]["content"]["text"] == "hello"
             and n["message"]["edited_at"] == e1["edited_at"] for n in got)
    check("B and A's other device get NOTICE_EDITED with the whole message (edited_at, new content)", ok,
          "notices=%s" % [n and brief(n, ["uid", "version", "msg_id", "sender_uid"]) for n in got])
    pm = pull_seq(x.b1, x.cid, t["seq"])
    check("PULL: the new content, edited_at and version", pm and pm["content"]["text"] == "hello"
          and pm["edited_at"] == e1["edited_at"] and pm["version"] == e1["version"],
          "text=%r edited_at=%s version=%s" % (pm and pm["content"]["text"], pm and pm["edited_at"],
                                               pm and pm["version"]))
    e2 = edit(x.a1, x.cid, t["seq"], {"type": TEXT, "text": "hello!"})
    check("a second edit: a higher version, edited_at not earlier", e2["version"] > e1["version"]
          and e2["edited_at"] >= e1["edited_at"], "version %d -> %d" % (e1["version"], e2["version"]))
    row = sync_row(x.b1, x.cid)[0]
    check("an edit is not unread: B's SYNC unread_count unchanged by the edits", row["unread_count"] == unread0,
          "unread_count %s -> %s" % (unread0, row["unread_count"]))
    p0 = pull_seq(x.a1, x.cid, r0["seq"])
    check("a reply stored before the edits keeps its preview \"helo\"",
          p0["content"]["reply_to"]["preview"] == "helo", "preview=%r" % p0["content"]["reply_to"]["preview"])
    # a reply keeps its reference, mentions are ignored
    r = send(x.b1, SINGLE, x.A, {"type": TEXT, "text": "yes", "reply_to": {"seq": t["seq"]}})
    er = edit(x.b1, x.cid, r["seq"], {"type": TEXT, "text": "yes!", "reply_to": {"seq": 1}})
    check("editing a reply keeps its reply_to (the one in EditRequest is ignored)",
          er["content"]["reply_to"] and er["content"]["reply_to"]["seq"] == t["seq"] and er["content"]["text"] == "yes!",
          "reply_to=%s" % brief(er["content"]["reply_to"]))
    pm = pull_seq(x.b1, x.cid, r["seq"])
    check("a reply sent after the edits quotes the current text",
          pm["content"]["reply_to"]["preview"] == "hello!", "preview=%r" % pm["content"]["reply_to"]["preview"])
    g = send(x.b1, GROUP, x.G, {"type": TEXT, "text": "hi @C", "mentioned_uids": [x.C]})
    eg = edit(x.b1, x.gcid, g["seq"], {"type": TEXT, "text": "hi @C!", "mentioned_uids": [x.A], "mention_all": True})
    check("editing a group message keeps its mentions (new ones ignored, no MENTION_ALL_NOT_ALLOWED)",
          eg["content"]["mentioned_uids"] == [x.C] and not eg["content"]["mention_all"],
          "mentioned_uids=%s mention_all=%s" % (eg["content"]["mentioned_uids"], eg["content"]["mention_all"]))
    # other types
    loc = send(x.a1, SINGLE, x.B, {"type": LOCATION, "location": {"latitude": 1.5, "longitude": 2.5}})
    el = edit(x.a1, x.cid, loc["seq"], {"type": LOCATION, "text": "moved",
                                         "location": {"latitude": 1.25, "longitude": 2.75, "name": "here"}})
    check("EDIT of a LOCATION with a new location", el["content"]["location"]["latitude"] == 1.25
          and el["content"]["location"]["name"] == "here", "content=%s" % content_brief(el["content"]))
    refused("EDIT someone else's message -> FORBIDDEN",
            lambda: edit(x.b1, x.cid, t["seq"], {"type": TEXT, "text": "mine now"}), "FORBIDDEN", "EDIT")
    refused("EDIT with another type -> BAD_REQUEST",
            lambda: edit(x.a1, x.cid, t["seq"], {"type": EMOJI, "text": "x"}), "BAD_REQUEST", "EDIT", "type")
    refused("EDIT to an empty text -> BAD_REQUEST naming content.text",
            lambda: edit(x.a1, x.cid, t["seq"], {"type": TEXT, "text": ""}), "BAD_REQUEST", "EDIT", "text")
    refused("EDIT a LOCATION to latitude 100 -> BAD_REQUEST naming location.latitude",
            lambda: edit(x.a1, x.cid, loc["seq"], {"type": LOCATION, "location": {"latitude": 100.0,
                                                                                  "longitude": 1.0}}),
            "BAD_REQUEST", "EDIT", "location.latitude")
    refused("EDIT without content -> BAD_REQUEST",
            lambda: x.a1.request("EDIT", "EditRequest", {"conversation_id": x.cid, "seq": t["seq"]}, "EDIT_ACK"),
            "BAD_REQUEST", "EDIT", "content")
    refused("EDIT seq 0 -> BAD_REQUEST", lambda: edit(x.a1, x.cid, 0, {"type": TEXT, "text": "x"}), "BAD_REQUEST",
            "EDIT", "seq")
    refused("EDIT a seq with no message -> NOT_FOUND", lambda: edit(x.a1, x.cid, 999999, {"type": TEXT, "text": "x"}),
            "NOT_FOUND", "EDIT")
    refused("EDIT the group's SYSTEM message (owner A) -> FORBIDDEN",
            lambda: edit(x.a1, x.gcid, 1, {"type": SYSTEM, "text": "x"}), "FORBIDDEN", "EDIT")
    gm = send(x.b1, GROUP, x.G, {"type": TEXT, "text": "admins cannot edit this"})
    refused("group owner A edits B's group message -> FORBIDDEN",
            lambda: edit(x.a1, x.gcid, gm["seq"], {"type": TEXT, "text": "x"}), "FORBIDDEN", "EDIT")
    refused("EDIT by D in A and B's one-to-one conversation -> BAD_REQUEST naming conversation_id (§8, §10)",
            lambda: edit(x.d1, x.cid, t["seq"], {"type": TEXT, "text": "x"}), "BAD_REQUEST", "EDIT", "conversation_id")
    recall(x.a1, x.cid, t["seq"])
    refused("EDIT a recalled message -> FORBIDDEN", lambda: edit(x.a1, x.cid, t["seq"], {"type": TEXT, "text": "x"}),
            "FORBIDDEN", "EDIT")
    print("      note: edit history (table message_edit) is for operators; no client or admin route exposes it "
          "(§9.22)")


def edit_window(x):
    wait = x.early_at + x.edit_window + 1.0 - time.time()
    if wait > 90:
        print("      note: EDIT_WINDOW_PASSED not checked: --edit-window %.0f s is too long to wait; start the server "
              "with MAGPIE_LOGIC_EDIT_WINDOW=20s and pass --edit-window 20" % x.edit_window)
        return
    if wait > 0:
        time.sleep(wait)
    refused("EDIT %.0f s after sending (logic.edit-window=%ss) -> EDIT_WINDOW_PASSED"
            % (time.time() - x.early_at, x.edit_window),
            lambda: edit(x.a1, x.cid, x.early["seq"], {"type": TEXT, "text": "too late"}), "EDIT_WINDOW_PASSED",
            "EDIT")


# ---- 4. the per-user message budget (§5, §9.3) -------------------------------------------------------
RATE_MSG = re.compile(r"message over your budget of (\d+) per second and (\d+) per minute "
                      r"\(logic\.rate-limits\.messages-per-second=(\d+), logic\.rate-limits\.messages-per-minute=(\d+)\)"
                      r", counted across all your devices; not sent, resend it after retry_after_ms=(\d+)$")


def rate_limit(x):
    r1 = x.connect("R/tcp", x.sess[("r", "r-phone")])
    x.devices.append(r1)
    n = x.rate + 5
    cmids = [str(uuid.uuid4()) for _ in range(n)]
    rids = []
    for i in range(n):  # a burst: every SEND written before any answer is read
        rid = r1._next_rid()
        r1._write(CMD["SEND"], rid, encode("SendRequest", {
            "client_msg_id": cmids[i], "conversation_type": SINGLE, "target_id": x.A,
            "content": {"type": TEXT, "text": "burst %d" % i}}))
        rids.append(rid)
    answers = [social.wait_response(r1, rid, 15) for rid in rids]
    acks = [(i, a[1]) for i, a in enumerate(answers) if a and a[0] == CMD["SEND_ACK"]]
    errs = [(i, a[1]) for i, a in enumerate(answers) if a and a[0] == CMD["ERROR"]]
    limited = [(i, e) for i, e in errs if ERR.get(e["code"]) == "RATE_LIMITED"]
    check("a burst of %d SENDs by one user: %d SEND_ACK, the rest RATE_LIMITED (logic.rate-limits."
          "messages-per-second=%d)" % (n, x.rate, x.rate), len(acks) == x.rate and len(limited) == n - x.rate,
          "acks=%d refused=%s" % (len(acks), sorted(set(ERR.get(e["code"]) for _, e in errs))))
    if not limited:
        return
    e = limited[0][1]
    mm = RATE_MSG.match(e["message"])
    check("RATE_LIMITED: code 3001, command SEND, retryable, 0 < retry_after_ms <= 1000, the documented message",
          e["code"] == 3001 and e["command"] == CMD["SEND"] and e["retryable"] and 0 < e["retry_after_ms"] <= 1000
          and mm and int(mm.group(1)) == x.rate and int(mm.group(3)) == x.rate
          and int(mm.group(5)) == e["retry_after_ms"], err_s(e) + " ... " + e["message"][120:])
    time.sleep(e["retry_after_ms"] / 1000.0 + 0.05)
    i = limited[0][0]
    again = r1.request("SEND", "SendRequest", {"client_msg_id": cmids[i], "conversation_type": SINGLE,
                                               "target_id": x.A, "content": {"type": TEXT, "text": "burst %d" % i}},
                       "SEND_ACK")
    top = max(a["seq"] for _, a in acks)
    check("resent after retry_after_ms with the same client_msg_id -> SEND_ACK, stored once",
          again["seq"] == top + 1, "seq=%d (last accepted %d)" % (again["seq"], top))
    dup = r1.request("SEND", "SendRequest", {"client_msg_id": cmids[acks[0][0]], "conversation_type": SINGLE,
                                             "target_id": x.A, "content": {"type": TEXT, "text": "x"}}, "SEND_ACK")
    check("a resend of a stored message is answered (does not count, §5)", dup["seq"] == acks[0][1]["seq"],
          "seq=%d" % dup["seq"])
    time.sleep(1.1)
    for j in range(x.rate + 5):
        expect_error(lambda: r1.request("SEND", "SendRequest", {
            "client_msg_id": str(uuid.uuid4()), "conversation_type": SINGLE, "target_id": x.A,
            "content": {"type": TEXT, "text": ""}}, "SEND_ACK"))
    ok = expect_error(lambda: r1.request("SEND", "SendRequest", {
        "client_msg_id": str(uuid.uuid4()), "conversation_type": SINGLE, "target_id": x.A,
        "content": {"type": TEXT, "text": "after %d refused ones" % (x.rate + 5)}}, "SEND_ACK"))
    check("%d SENDs refused by the content rules do not count: the next valid SEND is accepted" % (x.rate + 5),
          ok["code"] == 0, ok["message"][:100])
    r1.close()
    x.devices.remove(r1)


# ---- 6. the word filter (§9.3, operations.md logic.word-filter.*) --------------------------------------
def word_filter(x):
    w = x.filter_word
    if x.filter_action == "none":
        print("      note: word filter not checked (--filter-action none)")
        return
    text = "\U0001F600 say %s now" % w.upper()  # the emoji is 2 UTF-16 units: the word starts at index 7
    first, last = 7, 7 + len(w) - 1
    if x.filter_action == "reject":
        e = refused("word filter (reject): TEXT containing %r (other case) -> CONTENT_REJECTED" % w,
                    lambda: send(x.a1, SINGLE, x.B, {"type": TEXT, "text": text}), "CONTENT_REJECTED", "SEND")
        check("CONTENT_REJECTED names the UTF-16 characters %d-%d, not the word" % (first, last),
              "characters %d-%d" % (first, last) in e["message"] and w.lower() not in e["message"].lower(),
              repr(e["message"]))
        refused("word filter (reject): an IMAGE caption containing it -> CONTENT_REJECTED",
                lambda: send(x.a1, SINGLE, x.B, {"type": IMAGE, "text": "look: " + w, "media": {
                    "url": "https://x.example/a.png", "mime_type": "image/png", "size_bytes": 9, "width": 3,
                    "height": 3}}), "CONTENT_REJECTED", "SEND")
        t = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": "clean"})
        refused("word filter (reject): EDIT to a text containing it -> CONTENT_REJECTED",
                lambda: edit(x.a1, x.cid, t["seq"], {"type": TEXT, "text": "now " + w}), "CONTENT_REJECTED", "EDIT")
        loc = expect_error(lambda: send(x.a1, SINGLE, x.B, {"type": LOCATION, "location": {
            "latitude": 1.0, "longitude": 1.0, "name": w}}))
        check("the filter reads content.text only: a LOCATION named %r is accepted" % w, loc["code"] == 0,
              loc["message"][:100])
    else:
        cmid = str(uuid.uuid4())
        ack = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": text}, cmid=cmid)
        masked = text.replace(w.upper(), "*" * len(w))
        check("word filter (mask): SEND_ACK.content carries the stored, masked text",
              ack["content"] and ack["content"]["text"] == masked, "content=%s" % content_brief(ack["content"]))
        m = rx(x.b1, x.cid, ack["seq"])
        check("B receives the masked text", m and m["content"]["text"] == masked, "text=%r" % (m and m["content"]["text"]))
        again = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": text}, cmid=cmid)
        check("a resend gets the same SEND_ACK with the stored content", again["seq"] == ack["seq"]
              and again["content"] and again["content"]["text"] == masked, "content=%s" % content_brief(again["content"]))
        ci = send(x.a1, SINGLE, x.B, {"type": IMAGE, "text": "look: " + w, "media": {
            "url": "https://x.example/a.png", "mime_type": "image/png", "size_bytes": 9, "width": 3, "height": 3}})
        check("an IMAGE caption is masked too, the media kept", ci["content"] and ci["content"]["text"] ==
              "look: " + "*" * len(w) and ci["content"]["media"]["width"] == 3, "content=%s" % content_brief(ci["content"]))
        t = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": "clean"})
        check("a clean SEND: SEND_ACK.content absent", t["content"] is None, "content=%s" % t["content"])
        e = edit(x.a1, x.cid, t["seq"], {"type": TEXT, "text": "now " + w})
        check("EDIT to a text containing it: EDIT_ACK.content masked", e["content"]["text"] == "now " + "*" * len(w),
              "content=%s" % content_brief(e["content"]))
        if x.filter_phrase:
            p = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": "a %s here" % x.filter_phrase})
            check("a listed phrase is masked code point by code point (spaces in it too)",
                  p["content"] and p["content"]["text"] == "a %s here" % ("*" * len(x.filter_phrase)),
                  "content=%s" % content_brief(p["content"]))


# ---- 5. the operator's admin API (operations.md "Admin API", accounts.yaml tag admin, §9.7, §9.18) ------
ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"


def iso_instant(ms):
    """An instant as the server writes it (ISO-8601 UTC; milliseconds only when the instant has them)."""
    frac = ".%03d" % (ms % 1000) if ms % 1000 else ""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + frac + "Z"


def wait_kick(dev, timeout=10):
    ev = dev.wait_event(lambda c, m: c == CMD["KICK"], timeout)
    deadline = time.time() + timeout
    while dev.closed is None and time.time() < deadline:
        time.sleep(0.1)
    return ev and ev[1]


def admin(x):
    api, tok = x.api, x.admin_token
    adm = Raw(x.api_url)
    H = {"Authorization": "Bearer " + tok} if tok else {}
    if not tok:
        st, _, e = adm.json("GET", "/v1/admin/stats", {"Authorization": "Bearer " + "x" * 40})
        check("admin API without --admin-token: the server answers 403 ADMIN_DISABLED (or 401 if it has one)",
              (st, e.get("code")) in ((403, "ADMIN_DISABLED"), (401, "UNAUTHORIZED")), "%s %s" % (st, e))
        print("      note: admin checks skipped: pass --admin-token (the server's logic.admin-token)")
        return

    def call(method, path, body=None, headers=None):
        import json
        h = dict(H if headers is None else headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        return adm.json(method, path, h, data)

    # authentication
    st, h, e = call("GET", "/v1/admin/stats", headers={})
    check("no token -> 401 UNAUTHORIZED with WWW-Authenticate: Bearer", st == 401 and e.get("code") == "UNAUTHORIZED"
          and h.get("www-authenticate", "").startswith("Bearer"), "%s %s %s" % (st, e, h.get("www-authenticate")))
    st, _, e = call("GET", "/v1/admin/stats", headers={"Authorization": "Bearer " + x.tok[x.A]})
    check("a user's access token -> 401 UNAUTHORIZED", st == 401 and e.get("code") == "UNAUTHORIZED", "%s %s" % (st, e))
    st, _, e = call("GET", "/v1/admin/stats", headers={"Authorization": "Bearer " + tok[:-1] + ("x" if tok[-1] != "x"
                                                                                                  else "y")})
    check("a wrong admin token -> 401 UNAUTHORIZED", st == 401 and e.get("code") == "UNAUTHORIZED", "%s %s" % (st, e))

    # stats and lookup
    k1 = x.connect("K/tcp", x.sess[("k", "k-phone")])
    k2 = x.connect("K/ws", x.sess[("k", "k-web")], ws=True)
    st, _, s = call("GET", "/v1/admin/stats")
    ok = (st == 200 and s["onlineUsers"] >= 6 and s["connections"] >= 8 and s["gates"]
          and sum(g["connections"] for g in s["gates"]) == s["connections"]
          and all({"gateId", "connections", "onlineUsers"} <= set(g) for g in s["gates"]))
    check("GET /v1/admin/stats -> 200 {onlineUsers >= 6, connections >= 8 (A twice, B, C, D, N, K twice), gates[]}", ok, "%s %s" % (st, s))
    st, _, u = call("GET", "/v1/admin/users/%d" % x.K)
    devs = {d["deviceId"]: d for d in (u or {}).get("devices", [])} if st == 200 else {}
    ok = (st == 200 and u["uid"] == x.K and u["username"] == x.U["k"]["name"] and u["nickname"] == "Rich K"
          and u["createdAt"] > 0 and "banned" not in u and "muted" not in u
          and sorted(devs) == ["k-phone", "k-web"] and all(d["session"] and d["online"] and d.get("gateId")
                                                           and d.get("connectionId") is not None
                                                           and d.get("connectedAt") for d in devs.values())
          and devs["k-phone"]["platform"] == "ANDROID")
    check("GET /v1/admin/users/{K} -> profile, no ban/mute, both devices with session, online, gate, connection",
          ok, "%s %s" % (st, u))
    st, _, u2 = call("GET", "/v1/admin/users?username=" + x.U["k"]["name"])
    check("GET /v1/admin/users?username= -> the same user", st == 200 and u2["uid"] == x.K, "%s uid=%s"
          % (st, u2 and u2.get("uid")))
    st, _, e = call("GET", "/v1/admin/users/987654321")
    check("unknown uid -> 404 NOT_FOUND", st == 404 and e.get("code") == "NOT_FOUND", "%s %s" % (st, e))

    # force logout of one device
    st, _, kk = call("POST", "/v1/admin/kick", {"uid": x.K, "deviceId": "k-phone", "message": "lost phone"})
    check("POST /v1/admin/kick {uid, deviceId, message} -> 200 {uid, devices: [k-phone]}",
          st == 200 and kk == {"uid": x.K, "devices": ["k-phone"]}, "%s %s" % (st, kk))
    kick = wait_kick(k1)
    check("the device gets KICK ADMIN with the operator's message, then the connection is closed",
          kick and kick["reason"] == KICK_ADMIN and "lost phone" in kick["message"] and k1.closed is not None,
          "KICK=%s closed=%r" % (kick, k1.closed))
    check("... K's other device (WebSocket) stays connected", k2.closed is None
          and k2.wait_event(lambda c, m: c == CMD["KICK"], 1) is None, "closed=%r" % k2.closed)
    err = expect_error(lambda: x.connect("K/tcp again", x.sess[("k", "k-phone")]))
    check("the kicked device's token: LOGIN -> INVALID_TOKEN", ERR.get(err["code"]) == "INVALID_TOKEN", err_s(err))
    st, e = x.api.call("GET", "/v1/friends", token=x.sess[("k", "k-phone")]["token"])
    check("... and the account API answers it 401", st == 401, "%s %s" % (st, e))
    k1 = x.connect("K/tcp", x.session("k", "k-phone", "ANDROID"))
    check("after a force logout the device logs in again at once", k1.uid == x.K, "uid=%s" % k1.uid)

    # ban and unban
    until = int(time.time() * 1000) + 3600 * 1000
    st, _, bn = call("PUT", "/v1/admin/users/%d/ban" % x.K, {"until": until, "reason": "spam reports 17"})
    ok = (st == 200 and bn["uid"] == x.K and bn["ban"]["until"] == until and bn["ban"]["reason"] == "spam reports 17"
          and bn["ban"]["since"] > 0 and sorted(bn["devices"]) == ["k-phone", "k-web"])
    check("PUT /v1/admin/users/{K}/ban {until, reason} -> 200 {uid, ban, devices}", ok, "%s %s" % (st, bn))
    kicks = [wait_kick(d) for d in (k1, k2)]
    iso = iso_instant(until)
    check("every connection of K gets KICK ADMIN 'an operator banned this account until <ISO> (reason: ...)' "
          "and is closed", all(k and k["reason"] == KICK_ADMIN and k["message"].startswith(
              "an operator banned this account until %s (reason: spam reports 17)" % iso) for k in kicks)
          and k1.closed is not None and k2.closed is not None, "KICKs=%s" % kicks)
    check("... the WebSocket device's connection ends with close code 1000 after the KICK (§2)",
          "\\x03\\xe8" in str(k2.closed), "closed=%r" % (k2.closed,))
    st, e = x.api.call("POST", "/v1/sessions", {"username": x.U["k"]["name"], "password": x.pw,
                                                "deviceId": "k-phone", "platform": "ANDROID"})
    want = ("an operator banned this account until %s (reason: spam reports 17); logging in is refused" % iso)
    check("a banned login -> 403 BANNED with the exact message of §1.1", st == 403 and e.get("code") == "BANNED"
          and e.get("message") == want, "%s %s" % (st, e))
    st, e = x.api.call("POST", "/v1/sessions/refresh", {"refreshToken": x.sess[("k", "k-web")]["refreshToken"]})
    check("the banned user's refresh token -> 401 INVALID_REFRESH_TOKEN",
          st == 401 and e.get("code") == "INVALID_REFRESH_TOKEN", "%s %s" % (st, e))
    st, _, u = call("GET", "/v1/admin/users/%d" % x.K)
    check("lookup shows the ban, no device with a session or online",
          st == 200 and u.get("banned", {}).get("until") == until and not any(d["session"] or d["online"]
                                                                              for d in u["devices"]),
          "banned=%s devices=%s" % (u.get("banned"), u.get("devices")))
    st, _, lf = call("DELETE", "/v1/admin/users/%d/ban" % x.K)
    check("DELETE .../ban -> 200 {uid, lifted: true}", st == 200 and lf == {"uid": x.K, "lifted": True},
          "%s %s" % (st, lf))
    st, _, lf = call("DELETE", "/v1/admin/users/%d/ban" % x.K)
    check("lifting again -> lifted: false", st == 200 and lf == {"uid": x.K, "lifted": False}, "%s %s" % (st, lf))
    s2 = x.session("k", "k-phone", "ANDROID")
    k1 = x.connect("K/tcp", s2)
    check("after the ban is lifted K logs in again", k1.uid == x.K, "uid=%s" % k1.uid)
    st, _, bn = call("PUT", "/v1/admin/users/%d/ban" % x.K)
    kick = wait_kick(k1)
    st2, e = x.api.call("POST", "/v1/sessions", {"username": x.U["k"]["name"], "password": x.pw,
                                                 "deviceId": "k-phone", "platform": "ANDROID"})
    check("a ban with an empty body: until 0, no reason; 403 'an operator banned this account until it is lifted; "
          "logging in is refused'", st == 200 and bn["ban"]["until"] == 0 and bn["ban"]["reason"] == ""
          and kick and kick["message"].startswith("an operator banned this account until it is lifted")
          and st2 == 403 and e.get("message") == "an operator banned this account until it is lifted; logging in is refused",
          "ban=%s; KICK=%s; login %s %s" % (bn and bn.get("ban"), kick and kick["message"], st2, e))
    call("DELETE", "/v1/admin/users/%d/ban" % x.K)
    k1 = x.connect("K/tcp", x.session("k", "k-phone", "ANDROID"))
    k2 = x.connect("K/ws", x.session("k", "k-web", "WEB"), ws=True)
    st, _, kk = call("POST", "/v1/admin/kick", {"uid": x.K})
    kicks = [wait_kick(d) for d in (k1, k2)]
    check("POST /v1/admin/kick {uid} without deviceId -> every device: both KICK ADMIN and closed",
          st == 200 and sorted(kk["devices"]) == ["k-phone", "k-web"] and all(
              k and k["reason"] == KICK_ADMIN for k in kicks) and k1.closed is not None and k2.closed is not None,
          "%s %s KICKs=%s" % (st, kk, [k and k["message"] for k in kicks]))
    st, _, e = call("POST", "/v1/admin/kick", {"uid": 987654321})
    check("kick of an unknown uid -> 404 NOT_FOUND", st == 404 and e.get("code") == "NOT_FOUND", "%s %s" % (st, e))
    st, _, e = call("PUT", "/v1/admin/users/%d/ban" % x.K, {"until": 1000})
    check("a ban whose until is in the past -> 400 BAD_REQUEST", st == 400 and e.get("code") == "BAD_REQUEST",
          "%s %s" % (st, e))

    # global mute
    m1 = x.connect("M/tcp", x.sess[("m", "m-phone")])
    x.devices.append(m1)
    x.m_seq = send(m1, SINGLE, x.A, {"type": TEXT, "text": "before the mute"})["seq"]
    st, _, mu = call("PUT", "/v1/admin/users/%d/mute" % x.M, {"reason": "flooding"})
    check("PUT /v1/admin/users/{M}/mute {reason} -> 200 {uid, mute {until 0, reason, since}}",
          st == 200 and mu["uid"] == x.M and mu["mute"]["until"] == 0 and mu["mute"]["reason"] == "flooding",
          "%s %s" % (st, mu))
    want = "an operator muted you until an operator lifts it (reason: flooding); the message was not sent"
    err, t0 = None, time.time()
    while time.time() - t0 < 8:
        err = expect_error(lambda: send(m1, SINGLE, x.A, {"type": TEXT, "text": "can I talk?"}))
        if err["code"] != 0:
            break
        time.sleep(0.5)
    check("within 5 s every SEND of M -> MUTED (2019) with the exact message (1:1)", ERR.get(err["code"]) == "MUTED"
          and err["message"] == want and not err["retryable"] and time.time() - t0 < 6.5,
          "%s after %.1f s" % (err_s(err), time.time() - t0))
    gm = x.api.call("POST", "/v1/groups", {"name": "muted " + x.sfx, "members": [x.A]}, token=x.tok[x.M])
    refused("... to a group too -> MUTED",
            lambda: send(m1, GROUP, gm[1]["groupId"], {"type": TEXT, "text": "hello group"}), "MUTED", "SEND")
    rd = expect_error(lambda: m1.pull("s_%d_%d" % (min(x.A, x.M), max(x.A, x.M)), from_seq=1))
    st, _, u = call("GET", "/v1/admin/users/%d" % x.M)
    check("everything but SEND and EDIT keeps working (PULL); lookup shows the mute", rd["code"] == 0 and
          u.get("muted", {}).get("reason") == "flooding", "pull=%s muted=%s" % (rd["message"][:60], u.get("muted")))
    me = expect_error(lambda: edit(m1, "s_%d_%d" % (min(x.A, x.M), max(x.A, x.M)), x.m_seq,
                                   {"type": TEXT, "text": "edited while muted"}))
    check("... an EDIT of M's earlier message too -> MUTED, '...; no edits while muted; nothing changed' (§8, §9.22)",
          me["code"] == 2019 and me["message"].endswith("; no edits while muted; nothing changed"), err_s(me))
    mu_until = int(time.time() * 1000) + 7200 * 1000
    call("PUT", "/v1/admin/users/%d/mute" % x.M, {"until": mu_until})
    want2 = "an operator muted you until %s; the message was not sent" % iso_instant(mu_until)
    err, t0 = None, time.time()
    while time.time() - t0 < 8:
        err = expect_error(lambda: send(m1, SINGLE, x.A, {"type": TEXT, "text": "now?"}))
        if err.get("message") == want2:
            break
        time.sleep(0.5)
    check("a mute with until and no reason replaces it: 'an operator muted you until <ISO>; ...'",
          err.get("message") == want2, err_s(err))
    st, _, lf = call("DELETE", "/v1/admin/users/%d/mute" % x.M)
    check("DELETE .../mute -> 200 {uid, lifted: true}", st == 200 and lf == {"uid": x.M, "lifted": True},
          "%s %s" % (st, lf))
    ok, t0 = None, time.time()
    while time.time() - t0 < 8:
        ok = expect_error(lambda: send(m1, SINGLE, x.A, {"type": TEXT, "text": "free again"}))
        if ok["code"] == 0:
            break
        time.sleep(0.5)
    check("within 5 s of the lifting M sends again", ok["code"] == 0, "after %.1f s: %s" % (time.time() - t0,
                                                                                          ok["message"][:80]))

    # delete for everyone
    t = send(x.a1, SINGLE, x.B, {"type": TEXT, "text": "to be deleted by the operator"})
    rx(x.b1, x.cid, t["seq"])
    st, _, dw = call("DELETE", "/v1/admin/conversations/%s/messages/%d" % (x.cid, t["seq"]))
    ok = (st == 200 and dw["applied"] is True and dw["conversationId"] == x.cid and dw["seq"] == t["seq"]
          and dw["msgId"] == t["msg_id"] and dw["version"] > t["msg_id"] and dw["opId"].startswith("admin-"))
    check("DELETE /v1/admin/conversations/{cid}/messages/{seq} -> 200 AdminWrite applied", ok, "%s %s" % (st, dw))
    ns = []
    for d in (x.a1, x.a2, x.b1):
        ev = d.wait_event(notice(N_RECALLED, conversation_id=x.cid, seq=t["seq"]))
        ns.append(ev and ev[1])
    check("A's two devices and B get NOTICE_RECALLED {uid 0, sender_uid A, msg_id, version}",
          all(n and n["uid"] == 0 and n["sender_uid"] == x.A and n["msg_id"] == t["msg_id"]
              and n["version"] == dw.get("version") for n in ns), "notices=%s" % [brief(n) for n in ns if n])
    pm = pull_seq(x.b1, x.cid, t["seq"])
    check("PULL: the RECALLED placeholder (content reduced to its type)", pm["status"] == RECALLED
          and pm["content"]["text"] == "" and pm["content"]["type"] == TEXT, "status=%d content=%s"
          % (pm["status"], content_brief(pm["content"])))
    st, _, dw2 = call("DELETE", "/v1/admin/conversations/%s/messages/%d" % (x.cid, t["seq"]))
    check("deleting it again -> 200 with its version and an empty opId", st == 200 and dw2["opId"] == ""
          and dw2["version"] == dw["version"], "%s %s" % (st, dw2))
    st, _, e = call("DELETE", "/v1/admin/conversations/%s/messages/999999" % x.cid)
    check("no message at that seq -> 404 NOT_FOUND", st == 404 and e.get("code") == "NOT_FOUND", "%s %s" % (st, e))
    st, _, e = call("DELETE", "/v1/admin/conversations/%s/messages/1" % x.gcid)
    check("the GROUP_CREATED SYSTEM message -> 403 FORBIDDEN", st == 403 and e.get("code") == "FORBIDDEN",
          "%s %s" % (st, e))

    # a SYSTEM message to one user, from the notice account N
    ncid = "s_%d_%d" % (min(x.N, x.B), max(x.N, x.B))
    st, _, sw = call("POST", "/v1/admin/users/%d/messages" % x.B, {"fromUid": x.N, "title": "Security",
                                                                    "text": "A new device signed in."})
    check("POST /v1/admin/users/{B}/messages {fromUid N, title, text} -> 201 AdminWrite in s_N_B",
          st == 201 and sw["applied"] and sw["conversationId"] == ncid and sw["seq"] >= 1, "%s %s" % (st, sw))
    pb = rx(x.b1, ncid, sw.get("seq", 0))
    pn = rx(x.n1, ncid, sw.get("seq", 0))
    ok = all(m and m["conversation_type"] == SINGLE and m["sender_uid"] == x.N and m["sender_device_id"] == ""
             and m["client_msg_id"] == sw["opId"] and m["content"]["type"] == SYSTEM
             and m["content"]["system_notice"] == {"title": "Security", "text": "A new device signed in.",
                                                   "broadcast_id": 0} for m in (pb, pn))
    check("B and N get the PUSH: SINGLE, sender N, sender_device_id \"\", client_msg_id = opId, SYSTEM "
          "system_notice", ok, "B's: %s" % (pb and brief(pb, ["sender_uid", "client_msg_id", "target_id",
                                                              "sender_device_id"])))
    check("... target_id = the other member (B)", pb and pb["target_id"] == x.B, "target_id=%s" % (pb and pb["target_id"]))
    row = sync_row(x.b1, ncid)[0]
    check("the notice is not unread (SYNC)", row and row["unread_count"] == 0, "row unread=%s" % (row and row["unread_count"]))
    refused("RECALL of the SYSTEM notice by N -> FORBIDDEN", lambda: recall(x.n1, ncid, sw["seq"]), "FORBIDDEN", "RECALL")
    ans = send(x.b1, SINGLE, x.N, {"type": TEXT, "text": "was it me?"})
    check("B answers in that conversation (an ordinary account)", rx(x.n1, ncid, ans["seq"]) is not None,
          "seq=%d" % ans["seq"])
    st, _, e = call("POST", "/v1/admin/users/%d/messages" % x.B, {"fromUid": x.N, "text": ""})
    check("text \"\" -> 400 BAD_REQUEST", st == 400 and e.get("code") == "BAD_REQUEST", "%s %s" % (st, e))
    st, _, e = call("POST", "/v1/admin/users/%d/messages" % x.B, {"fromUid": x.B, "text": "to myself"})
    check("fromUid = the recipient -> 400 BAD_REQUEST", st == 400 and e.get("code") == "BAD_REQUEST", "%s %s" % (st, e))
    st, _, e = call("POST", "/v1/admin/users/987654321/messages", {"fromUid": x.N, "text": "x"})
    check("unknown recipient -> 404 NOT_FOUND", st == 404 and e.get("code") == "NOT_FOUND", "%s %s" % (st, e))

    # a SYSTEM message to the group
    st, _, gw = call("POST", "/v1/admin/groups/%d/messages" % x.G, {"title": "Notice", "text": "Under review."})
    check("POST /v1/admin/groups/{G}/messages -> 201 AdminWrite in g_G", st == 201 and gw["applied"]
          and gw["conversationId"] == x.gcid, "%s %s" % (st, gw))
    ms = [rx(d, x.gcid, gw.get("seq", 0)) for d in (x.a1, x.b1, x.c1)]
    check("every member gets it: sender_uid 0, sender_device_id \"\", target_id G, SYSTEM system_notice",
          all(m and m["sender_uid"] == 0 and m["sender_device_id"] == "" and m["target_id"] == x.G
              and m["client_msg_id"] == gw["opId"] and m["content"]["system_notice"]["text"] == "Under review."
              for m in ms), "A's: %s" % (ms[0] and brief(ms[0], ["sender_uid", "target_id", "client_msg_id"])))
    st, _, e = call("POST", "/v1/admin/groups/987654321/messages", {"text": "x"})
    check("unknown group -> 404 NOT_FOUND", st == 404 and e.get("code") == "NOT_FOUND", "%s %s" % (st, e))

    # broadcast
    st, _, bc = call("POST", "/v1/admin/broadcasts", {"title": "Maintenance", "text": "Restart at 02:00 UTC."})
    ok = st == 202 and bc["state"] in ("QUEUED", "RUNNING", "DONE") and bc["id"] > 0
    check("POST /v1/admin/broadcasts -> 202 Broadcast {id, state, sent, total, ratePerSecond, ...}", ok,
          "%s %s" % (st, bc))
    if ok:
        bid = int(bc["id"])
        print("      note: Broadcast.id %r and AdminWrite msgId/version are JSON numbers (accounts.yaml: integer "
              "int64), snowflakes above 2^53: %s" % (bc["id"], bc["id"] > 2 ** 53))
        got = []
        for d in x.devices:
            ev = d.wait_event(lambda c, m: c == CMD["NOTICE"] and m["type"] == N_BROADCAST, 10)
            got.append((d.label, ev and ev[1]["system_notice"]))
        check("every connected device gets NOTICE_SYSTEM_BROADCAST {title, text, broadcast_id = id}",
              all(n and n["title"] == "Maintenance" and n["text"] == "Restart at 02:00 UTC." and n["broadcast_id"] == bid
                  for _, n in got), "%s" % [(l, n and n["broadcast_id"]) for l, n in got])
        job, t0 = None, time.time()
        while time.time() - t0 < 10:
            st, _, job = call("GET", "/v1/admin/broadcasts/%s" % bc["id"])
            if st == 200 and job["state"] == "DONE":
                break
            time.sleep(0.3)
        check("GET /v1/admin/broadcasts/{id} -> DONE, sent = total >= the online users", st == 200
              and job["state"] == "DONE" and job["sent"] == job["total"] >= 6 and job["error"] == "",
              "%s %s" % (st, job))
        st, _, e = call("GET", "/v1/admin/broadcasts/1")
        check("an unknown broadcast -> 404 NOT_FOUND", st == 404 and e.get("code") == "NOT_FOUND", "%s %s" % (st, e))
        rows = x.c1.pull(x.gcid, from_seq=1)["messages"]
        check("a broadcast is not stored (nothing in C's PULL)", not any(
            m["content"]["system_notice"] and m["content"]["system_notice"]["broadcast_id"] for m in rows), "ok")

    # dismiss a group
    st, g2 = x.api.call("POST", "/v1/groups", {"name": "doomed " + x.sfx, "members": [x.B]}, token=x.tok[x.A])
    G2 = g2["groupId"]
    st, _, dg = call("DELETE", "/v1/admin/groups/%d" % G2)
    check("DELETE /v1/admin/groups/{G2} -> 200 AdminWrite applied", st == 200 and dg["applied"]
          and dg["conversationId"] == "g_%d" % G2, "%s %s" % (st, dg))
    ms = [rx(d, "g_%d" % G2, dg.get("seq", 0)) for d in (x.a1, x.b1)]
    evs = [m and m["content"]["group_event"] for m in ms]
    check("members get GROUP_DISMISSED, sender_uid 0, operator_uid 0, member_count",
          all(m and m["sender_uid"] == 0 and e and e["type"] == GE_DISMISSED and e["operator_uid"] == 0
              for m, e in zip(ms, evs)), "events=%s" % [brief(e) for e in evs if e])
    refused("SEND to the dismissed group -> NOT_FOUND", lambda: send(x.b1, GROUP, G2, {"type": TEXT, "text": "x"}),
            "NOT_FOUND", "SEND")
    st, _, e = call("DELETE", "/v1/admin/groups/%d" % G2)
    check("dismissing it again -> 404 NOT_FOUND", st == 404 and e.get("code") == "NOT_FOUND", "%s %s" % (st, e))
    st, _, e = call("POST", "/v1/admin/groups/%d/messages" % G2, {"text": "x"})
    check("a SYSTEM message to a dismissed group -> 404 NOT_FOUND", st == 404 and e.get("code") == "NOT_FOUND",
          "%s %s" % (st, e))
    for d in (k1, k2):
        d.close()

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--api", default="http://127.0.0.1:8081")
    ap.add_argument("--lsb", default="http://127.0.0.1:8080")
    ap.add_argument("--admin-token", default=os.environ.get("MAGPIE_LOGIC_ADMIN_TOKEN", ""),
                    help="the server's logic.admin-token (default: $MAGPIE_LOGIC_ADMIN_TOKEN)")
    ap.add_argument("--filter-action", choices=["reject", "mask", "none"], default="none",
                    help="the server's logic.word-filter.action, none = no word list")
    ap.add_argument("--filter-word", default="badword", help="a word of the server's list (lower case)")
    ap.add_argument("--filter-phrase", default="forbidden phrase", help="a phrase of the list ('' = none)")
    ap.add_argument("--edit-window", type=float, default=900, help="logic.edit-window, s")
    ap.add_argument("--url-ttl", type=float, default=900, help="media.url-ttl, s")
    ap.add_argument("--max-reaction-emoji", type=int, default=20, help="logic.max-reaction-emoji")
    ap.add_argument("--rate-per-second", type=int, default=20, help="logic.rate-limits.messages-per-second")
    ap.add_argument("--only", default="", help="comma-separated sections to run (types,media,replies,mentions,"
                                               "reactions,edits,rate,admin,filter)")
    args = ap.parse_args()
    x = Ctx()
    x.api_url = args.api.rstrip("/")
    x.api, x.lsb, x.raw = Http(args.api), Http(args.lsb), Raw(args.api)
    x.admin_token, x.filter_action, x.filter_word = args.admin_token, args.filter_action, args.filter_word.lower()
    x.filter_phrase = args.filter_phrase.lower()
    x.edit_window, x.url_ttl, x.max_reaction_emoji = args.edit_window, args.url_ttl, args.max_reaction_emoji
    x.rate = args.rate_per_second
    t0 = time.time()
    setup(x)
    sections = [("types", message_types), ("media", media), ("replies", replies), ("mentions", mentions),
                ("reactions", reactions), ("edits", edits), ("rate", rate_limit), ("filter", word_filter),
                ("admin", admin), ("edits", edit_window)]
    only = set(filter(None, args.only.split(",")))
    for name, fn in sections:
        if only and name not in only:
            continue
        print("---- %s" % fn.__name__)
        try:
            fn(x)
        except Exception as e:  # noqa: a broken section is one FAIL, the others still run
            import traceback
            traceback.print_exc()
            check("section %s ran to its end" % fn.__name__, False, "exception: %r" % (e,))
    for d in x.devices:
        left = [(CMD_NAME.get(c), m.get("type")) for c, m in d.events if c != CMD["PUSH"]]
        check("%s still connected at the end" % d.label, d.closed is None, "closed=%s; unconsumed events %s"
              % (d.closed, left[:8]))
        d.close()
    fails = [r for r in RESULTS if not r[1]]
    print("\n%d checks, %d failed, %.1f s" % (len(RESULTS), len(fails), time.time() - t0))
    print("%d passed, %d failed" % (len(RESULTS) - len(fails), len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
