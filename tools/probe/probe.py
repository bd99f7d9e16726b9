#!/usr/bin/env python3
"""Magpie attacker probe: an independent black-box test of a running `magpie standalone`.

Written from the public documents only (README.md, docs/PROTOCOL.md, docs/operations.md,
docs/guarantees.md, the two OpenAPI files). Python 3 standard library only: its own protobuf
encoder/decoder (from PROTOCOL.md §7 field tables) and its own WebSocket client.

    python3 tools/probe/probe.py --log /tmp/probe/standalone.log            # every check
    python3 tools/probe/probe.py --log ... --only 2,3                       # some checks
    python3 tools/probe/probe.py --log ... --slow-count 20000 --out r.json

Checks: 1 raw frames / HTTP auth, 2 cross-user reach, 3 tokens, 4 memory and floods,
5 other (WebSocket size/fragmentation, ping floods, slowloris, big HTTP bodies, many groups,
protobuf nesting). Every result line is PASS, FAIL or INFO (an observation, not a promise).
See README.md beside this file.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid

# ----------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------

RESULTS = []
_print_lock = threading.Lock()


def log(*a):
    with _print_lock:
        print(time.strftime('%H:%M:%S'), *a, flush=True)


def record(check, name, status, evidence):
    """status: True = PASS, False = FAIL, None = INFO."""
    s = {True: 'PASS', False: 'FAIL', None: 'INFO'}[status]
    RESULTS.append({'check': check, 'name': name, 'status': s, 'evidence': evidence})
    log(f'[{s}] {check} {name}: {evidence}')


# ----------------------------------------------------------------------------------------------
# protobuf (PROTOCOL.md §7)
# ----------------------------------------------------------------------------------------------

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


def pkey(field, wt):
    return enc_varint((field << 3) | wt)


def f_int(field, v):
    return pkey(field, 0) + enc_varint(int(v)) if v else b''


def f_bytes(field, v):
    if v is None:
        return b''
    if isinstance(v, str):
        v = v.encode()
    return pkey(field, 2) + enc_varint(len(v)) + v if v else b''


def f_msg(field, body):  # always present, even when empty
    return pkey(field, 2) + enc_varint(len(body)) + body


def dec_varint(b, i):
    shift = 0
    n = 0
    while True:
        if i >= len(b):
            raise ValueError('truncated varint')
        c = b[i]
        i += 1
        n |= (c & 0x7F) << shift
        if not c & 0x80:
            return n, i
        shift += 7
        if shift > 70:
            raise ValueError('varint too long')


def pb_parse(b):
    i = 0
    out = []
    while i < len(b):
        k, i = dec_varint(b, i)
        f, wt = k >> 3, k & 7
        if wt == 0:
            v, i = dec_varint(b, i)
        elif wt == 1:
            v = b[i:i + 8]
            i += 8
        elif wt == 2:
            ln, i = dec_varint(b, i)
            v = bytes(b[i:i + ln])
            if len(v) != ln:
                raise ValueError('truncated bytes')
            i += ln
        elif wt == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError(f'wire type {wt}')
        out.append((f, wt, v))
    return out


def signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


S = {
    'LoginAck': {1: ('uid', 'int', 0), 2: ('device_id', 'str', 0), 3: ('server_time', 'int', 0),
                 4: ('heartbeat_seconds', 'int', 0), 5: ('gate_id', 'str', 0)},
    'Pong': {1: ('server_time', 'int', 0)},
    'Kick': {1: ('reason', 'int', 0), 2: ('message', 'str', 0)},
    'Reconnect': {1: ('reason', 'str', 0), 2: ('delay_ms', 'int', 0)},
    'Error': {1: ('code', 'int', 0), 2: ('message', 'str', 0), 3: ('command', 'int', 0),
              4: ('retryable', 'bool', 0), 5: ('retry_after_ms', 'int', 0)},
    'SendAck': {1: ('client_msg_id', 'str', 0), 2: ('conversation_id', 'str', 0), 3: ('msg_id', 'int', 0),
                4: ('seq', 'int', 0), 5: ('server_time', 'int', 0)},
    'MessageContent': {1: ('type', 'int', 0), 2: ('text', 'str', 0), 3: ('media', 'bytes', 0),
                       4: ('custom', 'bytes', 0)},
    'Message': {1: ('msg_id', 'int', 0), 2: ('conversation_id', 'str', 0), 3: ('conversation_type', 'int', 0),
                4: ('seq', 'int', 0), 5: ('sender_uid', 'int', 0), 6: ('sender_device_id', 'str', 0),
                7: ('client_msg_id', 'str', 0), 8: ('content', 'MessageContent', 0),
                9: ('server_time', 'int', 0), 10: ('version', 'int', 0), 11: ('target_id', 'int', 0),
                12: ('status', 'int', 0)},
    'Push': {1: ('messages', 'Message', 1)},
    'ConversationInfo': {1: ('conversation_id', 'str', 0), 2: ('conversation_type', 'int', 0),
                         3: ('target_id', 'int', 0), 4: ('last_seq', 'int', 0), 5: ('read_seq', 'int', 0),
                         6: ('cleared_seq', 'int', 0), 7: ('version', 'int', 0), 8: ('muted', 'bool', 0),
                         9: ('deleted', 'bool', 0), 10: ('last_message', 'Message', 0)},
    'SyncAck': {1: ('conversations', 'ConversationInfo', 1), 2: ('version', 'int', 0), 3: ('has_more', 'bool', 0)},
    'PullAck': {1: ('conversation_id', 'str', 0), 2: ('messages', 'Message', 1), 3: ('has_more', 'bool', 0)},
    'ActionAck': {1: ('conversation_id', 'str', 0), 2: ('version', 'int', 0)},
    'LinkChallenge': {1: ('gate_nonce', 'bytes', 0), 2: ('gate_id', 'str', 0), 3: ('gate_proof', 'bytes', 0),
                      4: ('max_frame_bytes', 'int', 0)},
    'GatePushAck': {1: ('written', 'int', 0), 2: ('missing_connection_ids', 'int', 1)},
}


def pb_decode(name, data):
    sch = S[name]
    out = {}
    for f, wt, v in pb_parse(data):
        if f not in sch:
            out.setdefault('_unknown_fields', []).append(f)
            continue
        n, t, rep = sch[f]
        if t in ('int', 'bool'):
            if wt == 0:
                vals = [signed64(v)]
            elif wt == 2:  # packed
                vals = []
                j = 0
                while j < len(v):
                    x, j = dec_varint(v, j)
                    vals.append(signed64(x))
            else:
                vals = [v]
            if t == 'bool':
                vals = [bool(x) for x in vals]
        elif t == 'str':
            vals = [v.decode('utf-8', 'replace')]
        elif t == 'bytes':
            vals = [v]
        else:
            vals = [pb_decode(t, v)]
        if rep:
            out.setdefault(n, []).extend(vals)
        else:
            out[n] = vals[-1]
    return out


# commands (§6, §13)
LOGIN, LOGIN_ACK, PING, PONG, SEND, SEND_ACK, PUSH, PUSH_ACK = 1, 2, 3, 4, 5, 6, 7, 8
SYNC, SYNC_ACK, PULL, PULL_ACK, READ, READ_ACK, RECALL = 9, 10, 11, 12, 13, 14, 15
KICK, RECONNECT, ERROR, LOGOUT = 21, 22, 23, 24
GATE_PUSH, GATE_PUSH_ACK, LINK_HELLO, LINK_CHALLENGE, LINK_PROOF, LINK_READY = 4097, 4098, 4099, 4100, 4101, 4102
BODY_OF = {LOGIN_ACK: 'LoginAck', PONG: 'Pong', SEND_ACK: 'SendAck', PUSH: 'Push', SYNC_ACK: 'SyncAck',
           PULL_ACK: 'PullAck', 14: 'ActionAck', 16: 'ActionAck', 18: 'ActionAck', 20: 'ActionAck',
           KICK: 'Kick', RECONNECT: 'Reconnect', ERROR: 'Error', GATE_PUSH_ACK: 'GatePushAck',
           LINK_CHALLENGE: 'LinkChallenge'}
ERR = {1001: 'BAD_MAGIC', 1002: 'UNSUPPORTED_VERSION', 1003: 'FRAME_TOO_LARGE', 1004: 'UNKNOWN_COMMAND',
       1005: 'BAD_REQUEST', 1006: 'WRONG_STATE', 1007: 'NOT_SUPPORTED', 2001: 'INVALID_TOKEN',
       2002: 'LOGIN_TIMEOUT', 2003: 'FORBIDDEN', 2004: 'NOT_FOUND', 2005: 'CLIENT_MSG_ID_REUSED',
       3001: 'RATE_LIMITED', 3002: 'SERVER_BUSY', 3003: 'INTERNAL', 3004: 'SLOW_CONSUMER'}
SINGLE, GROUP = 1, 2


def header(cmd, rid, length, magic=0x4D47, version=1, flags=0):
    return struct.pack('>HBBHII', magic, version, flags, cmd, rid & 0xFFFFFFFF, length & 0xFFFFFFFF)


def frame(cmd, rid, body=b'', **kw):
    return header(cmd, rid, len(body), **kw) + body


def login_body(token, ver='magpie-probe/1'):
    return f_bytes(1, token) + f_bytes(2, ver)


def content_body(text=None, custom=None, mtype=1):
    return f_int(1, mtype) + f_bytes(2, text) + f_bytes(4, custom)


def send_body(cmid, ctype, target, text='hello', custom=None, mtype=1):
    return f_bytes(1, cmid) + f_int(2, ctype) + f_int(3, target) + f_msg(4, content_body(text, custom, mtype))


def sync_body(since=0, limit=0):
    return f_int(1, since) + f_int(2, limit)


def pull_body(conv, from_seq=1, to_seq=0, limit=0):
    return f_bytes(1, conv) + f_int(2, from_seq) + f_int(3, to_seq) + f_int(4, limit)


def pushack_body(refs):
    return b''.join(f_msg(1, f_bytes(1, c) + f_int(2, s)) for c, s in refs)


def message_body(msg_id, conv, ctype, seq, sender, text, target):
    return (f_int(1, msg_id) + f_bytes(2, conv) + f_int(3, ctype) + f_int(4, seq) + f_int(5, sender)
            + f_bytes(6, 'spoof-dev') + f_bytes(7, 'spoof-' + uuid.uuid4().hex[:8])
            + f_msg(8, content_body(text)) + f_int(9, int(time.time() * 1000)) + f_int(11, target))


def gatepush_body(refs, cmd, rid, body):
    return (b''.join(f_msg(1, f_int(1, cid) + f_int(2, uid)) for cid, uid in refs)
            + f_int(2, cmd) + f_int(3, rid) + f_bytes(4, body))


# ----------------------------------------------------------------------------------------------
# connections: TCP or WebSocket, with a recording reader thread
# ----------------------------------------------------------------------------------------------

def ws_frame(opcode, payload, fin=True, mask=True, rsv=0, declared_len=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload) if declared_len is None else declared_len
    if n < 126:
        hdr = bytes([b0, (0x80 if mask else 0) | n])
    elif n < 65536:
        hdr = bytes([b0, (0x80 if mask else 0) | 126]) + struct.pack('>H', n)
    else:
        hdr = bytes([b0, (0x80 if mask else 0) | 127]) + struct.pack('>Q', n)
    if not mask:
        return hdr + payload
    mk = os.urandom(4)
    if payload:
        pl = bytes(b ^ mk[i & 3] for i, b in enumerate(payload)) if len(payload) < 4096 else _mask_fast(payload, mk)
    else:
        pl = b''
    return hdr + mk + pl


def _mask_fast(payload, mk):
    n = len(payload)
    m = int.from_bytes((mk * ((n + 3) // 4))[:n], 'big')
    return (int.from_bytes(payload, 'big') ^ m).to_bytes(n, 'big')


class Conn:
    def __init__(self, port, ws=False, path='/ws', src=None, rcvbuf=None, name='', auto_ack=False,
                 reader=True, connect_timeout=10, host='127.0.0.1', ws_upgrade=True):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if src:
            s.bind((src, 0))
        s.settimeout(connect_timeout)
        s.connect((host, port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.local_port = s.getsockname()[1]
        self.server_port = port
        self.name = name or f'conn:{self.local_port}'
        self.ws = ws
        self.auto_ack = auto_ack
        self.send_lock = threading.Lock()
        self.cv = threading.Condition()
        self.frames = []
        self.ws_events = []
        self.closed_at = None
        self.close_kind = None
        self.bytes_in = 0
        self.rid = 0
        self.uid = None
        self.hooks = []
        self._buf = bytearray()
        self._wsbuf = bytearray()
        self._paused = threading.Event()
        self._resume = threading.Event()
        self.http_status = None
        if ws and ws_upgrade:
            self._ws_handshake(host, port, path)
        s.settimeout(None)
        self._thread = None
        if reader:
            self.start_reader()

    def start_reader(self):
        self._thread = threading.Thread(target=self._loop, daemon=True, name=self.name)
        self._thread.start()

    # -- WebSocket
    def _ws_handshake(self, host, port, path):
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f'GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
               f'Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n')
        self.sock.sendall(req.encode())
        data = b''
        while b'\r\n\r\n' not in data:
            c = self.sock.recv(4096)
            if not c:
                raise ConnectionError(f'websocket upgrade: closed after {data[:200]!r}')
            data += c
        head, rest = data.split(b'\r\n\r\n', 1)
        status = head.split(b'\r\n')[0]
        self.http_status = status.decode(errors='replace')
        if b' 101 ' not in status + b' ':
            raise ConnectionError(f'websocket upgrade refused: {status!r}')
        acc = base64.b64encode(hashlib.sha1((key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').encode()).digest())
        if acc not in head:
            raise ConnectionError('bad Sec-WebSocket-Accept')
        self._wsbuf += rest

    def send_ws(self, opcode, payload, fin=True, mask=True, rsv=0, declared_len=None):
        self._sendall(ws_frame(opcode, payload, fin, mask, rsv, declared_len))

    def _sendall(self, data):
        with self.send_lock:
            self.sock.sendall(data)

    def send_raw(self, data):
        """Bytes of the Magpie stream: as-is over TCP, as one binary message over WebSocket."""
        if self.ws:
            self.send_ws(2, data)
        else:
            self._sendall(data)

    def send_raw_socket(self, data):
        self._sendall(data)

    def next_rid(self):
        self.rid = (self.rid % 0xFFFFFFFF) + 1
        return self.rid

    def send(self, cmd, body=b'', rid=None):
        if rid is None:
            rid = self.next_rid()
        self.send_raw(frame(cmd, rid, body))
        return rid

    # -- reader
    def pause(self):
        self._resume.clear()
        self._paused.set()

    def resume(self):
        self._paused.clear()
        self._resume.set()

    def _loop(self):
        kind = 'eof'
        try:
            while True:
                if self._paused.is_set():
                    self._resume.wait()
                try:
                    data = self.sock.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    break
                self.bytes_in += len(data)
                self._on_data(data)
        except ConnectionResetError:
            kind = 'reset'
        except OSError as e:
            kind = f'oserror:{e.errno}'
        except Exception as e:  # a parse error in the probe itself
            kind = f'probe-error:{e!r}'
        with self.cv:
            self.closed_at = time.time()
            self.close_kind = kind
            self.cv.notify_all()

    def _on_data(self, data):
        if self.ws:
            self._wsbuf += data
            b = self._wsbuf
            while len(b) >= 2:
                op = b[0] & 0x0F
                masked = b[1] >> 7
                ln = b[1] & 0x7F
                off = 2
                if ln == 126:
                    if len(b) < 4:
                        return
                    ln = struct.unpack('>H', b[2:4])[0]
                    off = 4
                elif ln == 127:
                    if len(b) < 10:
                        return
                    ln = struct.unpack('>Q', b[2:10])[0]
                    off = 10
                mk = None
                if masked:
                    mk = b[off:off + 4]
                    off += 4
                if len(b) < off + ln:
                    return
                pl = bytes(b[off:off + ln])
                if mk:
                    pl = bytes(x ^ mk[i & 3] for i, x in enumerate(pl))
                del b[:off + ln]
                if op in (0, 2):
                    self._feed(pl)
                elif op == 1:
                    self._event(('text', pl[:200]))
                elif op == 8:
                    code = struct.unpack('>H', pl[:2])[0] if len(pl) >= 2 else None
                    self._event(('close', code, pl[2:200]))
                elif op == 9:
                    try:
                        self.send_ws(10, pl)
                    except OSError:
                        pass
                elif op == 10:
                    self._event(('pong', len(pl)))
        else:
            self._feed(data)

    def _event(self, ev):
        with self.cv:
            self.ws_events.append((time.time(),) + ev)
            self.cv.notify_all()

    def _feed(self, data):
        self._buf += data
        b = self._buf
        new = []
        while len(b) >= 14:
            magic, ver, flags, cmd, rid, ln = struct.unpack('>HBBHII', b[:14])
            if len(b) < 14 + ln:
                break
            body = bytes(b[14:14 + ln])
            del b[:14 + ln]
            dec = None
            if cmd in BODY_OF:
                try:
                    dec = pb_decode(BODY_OF[cmd], body)
                except Exception as e:
                    dec = {'_decode_error': repr(e)}
            fr = {'t': time.time(), 'cmd': cmd, 'rid': rid, 'magic': magic, 'len': ln, 'body': dec,
                  'raw': body if cmd not in (PUSH,) else None}
            new.append(fr)
        if not new:
            return
        for fr in new:
            for h in self.hooks:
                try:
                    h(fr)
                except Exception as e:
                    log(f'{self.name}: hook error {e!r}')
            if self.auto_ack and fr['cmd'] == PUSH and fr['body'] and 'messages' in fr['body']:
                refs = [(m.get('conversation_id', ''), m.get('seq', 0)) for m in fr['body']['messages']]
                try:
                    self.send(PUSH_ACK, pushack_body(refs))
                except OSError:
                    pass
        with self.cv:
            self.frames.extend(new)
            self.cv.notify_all()

    # -- waiting
    def wait_for(self, pred, timeout=10.0, start=0):
        end = time.time() + timeout
        with self.cv:
            while True:
                for fr in self.frames[start:]:
                    if pred(fr):
                        return fr
                left = end - time.time()
                if left <= 0 or self.closed_at is not None:
                    # one last scan after close
                    for fr in self.frames[start:]:
                        if pred(fr):
                            return fr
                    return None
                self.cv.wait(min(left, 0.5))

    def wait_rid(self, rid, timeout=10.0):
        return self.wait_for(lambda f: f['rid'] == rid, timeout)

    def wait_closed(self, timeout=10.0):
        end = time.time() + timeout
        with self.cv:
            while self.closed_at is None:
                left = end - time.time()
                if left <= 0:
                    return False
                self.cv.wait(min(left, 0.5))
            return True

    def errors(self, code=None):
        return [f for f in list(self.frames) if f['cmd'] == ERROR and (code is None or (f['body'] or {}).get('code') == code)]

    def of(self, cmd):
        return [f for f in list(self.frames) if f['cmd'] == cmd]

    def request(self, cmd, body=b'', timeout=15.0):
        rid = self.send(cmd, body)
        return self.wait_rid(rid, timeout)

    def login(self, token, timeout=10.0):
        fr = self.request(LOGIN, login_body(token), timeout)
        if fr and fr['cmd'] == LOGIN_ACK:
            self.uid = fr['body'].get('uid')
        return fr

    def keepalive(self, every=20.0):
        def run():
            while self.closed_at is None:
                time.sleep(every)
                if self.closed_at is not None:
                    return
                try:
                    self.send(PING)
                except OSError:
                    return
        threading.Thread(target=run, daemon=True).start()
        return self

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def desc(fr):
    if fr is None:
        return 'nothing'
    b = fr['body'] or {}
    if fr['cmd'] == ERROR:
        return f"ERROR {ERR.get(b.get('code'), b.get('code'))} rid={fr['rid']} ({b.get('message', '')[:80]})"
    if fr['cmd'] == KICK:
        return f"KICK reason={b.get('reason')} {b.get('message', '')[:60]}"
    names = {LOGIN_ACK: 'LOGIN_ACK', PONG: 'PONG', SEND_ACK: 'SEND_ACK', PUSH: 'PUSH', SYNC_ACK: 'SYNC_ACK',
             PULL_ACK: 'PULL_ACK', GATE_PUSH_ACK: 'GATE_PUSH_ACK', LINK_CHALLENGE: 'LINK_CHALLENGE',
             LINK_READY: 'LINK_READY'}
    return f"{names.get(fr['cmd'], fr['cmd'])} rid={fr['rid']} {json.dumps(b, default=str)[:160]}"


def err_code(fr):
    return (fr['body'] or {}).get('code') if fr and fr['cmd'] == ERROR else None


# ----------------------------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------------------------

class HttpResult:
    def __init__(self, status, headers, text):
        self.status = status
        self.headers = headers
        self.text = text
        try:
            self.json = json.loads(text) if text else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        return self.json.get('code') if isinstance(self.json, dict) else None

    def __repr__(self):
        return f'{self.status} {self.text[:120]!r}'


def http_req(method, port, path, body=None, auth=None, headers=None, src=None, timeout=30):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout, source_address=(src, 0) if src else None)
    h = {}
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
        h['Content-Type'] = 'application/json'
    if auth is not None:
        h['Authorization'] = auth
    h.update(headers or {})
    try:
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        text = r.read().decode('utf-8', 'replace')
        return HttpResult(r.status, dict(r.getheaders()), text)
    finally:
        c.close()


def bearer(t):
    return 'Bearer ' + t


class Env:
    def __init__(self, a):
        self.a = a
        self.api = a.api
        self.lsb = a.lsb
        self.tcp = a.tcp
        self.ws = a.ws
        self.ws_path = a.ws_path
        self.internal = a.internal
        self.health = a.health
        self.pid = a.pid
        self.run = uuid.uuid4().hex[:6]
        r1, r2 = random.randint(1, 254), random.randint(1, 254)
        self.net = f'127.{r1}.{r2}'  # per-run source addresses, so per-address limits start at 0
        self._src_i = 1
        self._login_src_i = 100
        self._u = 0
        self.lock = threading.Lock()

    def src(self):
        with self.lock:
            self._src_i += 1
            return f'{self.net}.{self._src_i}'

    def login_src(self):
        with self.lock:
            self._login_src_i = 100 + (self._login_src_i - 99) % 150
            return f'{self.net}.{self._login_src_i}'

    def uname(self, tag):
        with self.lock:
            self._u += 1
            return f'p{self.run}-{tag}{self._u}'[:32]

    def register(self, tag, password=None):
        name = self.uname(tag)
        pw = password or ('pw-' + uuid.uuid4().hex)
        r = http_req('POST', self.api, '/v1/accounts', {'username': name, 'password': pw, 'nickname': tag})
        if r.status != 201:
            raise RuntimeError(f'register {name}: {r}')
        return {'name': name, 'pw': pw, 'uid': r.json['uid']}

    def login_http(self, user, device, platform='DESKTOP', src=None, pw=None):
        return http_req('POST', self.api, '/v1/sessions',
                        {'username': user['name'], 'password': pw or user['pw'], 'deviceId': device,
                         'platform': platform}, src=src or self.login_src())

    def session(self, user, device, platform='DESKTOP'):
        r = self.login_http(user, device, platform)
        if r.status != 200:
            raise RuntimeError(f'login {user["name"]}/{device}: {r}')
        return r.json

    def connect(self, user=None, device='d1', ws=False, token=None, auto_ack=True, name=None, src=None, **kw):
        if token is None:
            token = self.session(user, device)['token']
        c = Conn(self.ws if ws else self.tcp, ws=ws, path=self.ws_path, name=name or f'{(user or {}).get("name", "?")}/{device}',
                 auto_ack=auto_ack, src=src, **kw)
        fr = c.login(token)
        if not fr or fr['cmd'] != LOGIN_ACK:
            raise RuntimeError(f'gate login {c.name}: {desc(fr)}')
        c.keepalive(20)
        return c


def server_pid(env):
    if env.pid:
        return env.pid
    try:
        out = subprocess.run(['ss', '-ltnpH', f'sport = :{env.tcp}'], capture_output=True, text=True).stdout
        m = re.search(r'pid=(\d+)', out)
        if m:
            env.pid = int(m.group(1))
    except OSError:
        pass
    return env.pid


def rss_kb(pid):
    try:
        return int(subprocess.run(['ps', '-o', 'rss=', '-p', str(pid)], capture_output=True, text=True).stdout.strip())
    except (OSError, ValueError):
        return None


def heap_used_kb(pid, gc=False):
    try:
        if gc:
            subprocess.run(['jcmd', str(pid), 'GC.run'], capture_output=True, text=True, timeout=60)
        out = subprocess.run(['jcmd', str(pid), 'GC.heap_info'], capture_output=True, text=True, timeout=60).stdout
        m = re.search(r'total (\d+)K, used (\d+)K', out)
        return int(m.group(2)) if m else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def server_side_state(server_port, client_port):
    """State of the server's end of a loopback connection, seen with ss (operator-side evidence)."""
    out = subprocess.run(['ss', '-tanH', f'sport = :{server_port} and dport = :{client_port}'],
                         capture_output=True, text=True).stdout.split()
    if not out:
        return 'GONE', 0
    return out[0], int(out[2]) if len(out) > 2 and out[2].isdigit() else 0


class Sampler:
    def __init__(self, pid, every=1.0):
        self.pid = pid
        self.every = every
        self.samples = []
        self._stop = threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            r = rss_kb(self.pid)
            if r:
                self.samples.append((time.time(), r))
            self._stop.wait(self.every)

    def start(self):
        self.t.start()
        return self

    def stop(self):
        self._stop.set()
        self.t.join(5)
        return self

    def peak(self):
        return max((r for _, r in self.samples), default=None)


class Control:
    """A bystander pair P -> Q that sends one message a second and checks ack and delivery."""

    def __init__(self, env, tag='ctl'):
        self.env = env
        self.p = env.register(tag + 'p')
        self.q = env.register(tag + 'q')
        self.cp = env.connect(self.p, 'ctl-p', name=f'control-P')
        self.cq = env.connect(self.q, 'ctl-q', name=f'control-Q')
        self.lat = []
        self.fail = []
        self.deliv = []
        self._stop = threading.Event()
        self.t = None

    def _run(self):
        i = 0
        while not self._stop.is_set():
            i += 1
            cmid = f'ctl-{uuid.uuid4().hex[:10]}'
            t0 = time.time()
            try:
                fr = self.cp.request(SEND, send_body(cmid, SINGLE, self.q['uid'], f'control {i}'), timeout=10)
            except OSError as e:
                self.fail.append(f'send error {e!r}')
                break
            if fr and fr['cmd'] == SEND_ACK:
                self.lat.append(time.time() - t0)
                got = self.cq.wait_for(lambda f: f['cmd'] == PUSH and any(
                    m.get('client_msg_id') == cmid for m in f['body'].get('messages', [])), 10)
                self.deliv.append(got is not None)
            else:
                self.fail.append(desc(fr))
            self._stop.wait(max(0, 1.0 - (time.time() - t0)))

    def start(self):
        self._stop.clear()
        self.lat, self.fail, self.deliv = [], [], []
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()
        return self

    def stop(self):
        self._stop.set()
        if self.t:
            self.t.join(15)
        n = len(self.lat)
        return {'acked': n, 'failed': len(self.fail), 'delivered': sum(self.deliv),
                'max_ack_ms': round(max(self.lat) * 1000) if n else None,
                'median_ack_ms': round(sorted(self.lat)[n // 2] * 1000) if n else None,
                'fail_samples': self.fail[:3]}

    def ok(self, st):
        return st['acked'] > 0 and st['failed'] == 0 and st['delivered'] == st['acked']


def raw_probe(port, data, wait=2.0, src=None, read_until_close=True):
    """Send bytes on a fresh socket, return (bytes received, closed?, seconds to close)."""
    s = socket.socket()
    if src:
        s.bind((src, 0))
    s.settimeout(5)
    s.connect(('127.0.0.1', port))
    t0 = time.time()
    if data:
        s.sendall(data)
    got = b''
    closed = False
    s.settimeout(0.2)
    while time.time() - t0 < wait:
        try:
            c = s.recv(65536)
            if not c:
                closed = True
                break
            got += c
        except socket.timeout:
            continue
        except ConnectionResetError:
            closed = True
            break
    s.close()
    return got, closed, round(time.time() - t0, 2)


def parse_frames(data):
    fb = Conn.__new__(Conn)
    fb._buf = bytearray()
    fb.frames = []
    fb.hooks = []
    fb.auto_ack = False
    fb.cv = threading.Condition()
    fb._feed(data)
    return fb.frames


# ----------------------------------------------------------------------------------------------
# shared world: A, B, C with B and C recording everything
# ----------------------------------------------------------------------------------------------

class World:
    def __init__(self, env):
        self.env = env
        self.A = env.register('a')
        self.B = env.register('b')
        self.C = env.register('c')
        self.cB = env.connect(self.B, 'b-phone', name='B(tcp)')
        self.cC = env.connect(self.C, 'c-web', ws=True, name='C(ws)')
        self.cA = env.connect(self.A, 'a-desk', name='A(tcp)')
        self.tokA = None
        # legitimate baseline: B -> C, group GB = {B, C}
        self.allowed_B = set()
        self.allowed_C = set()
        r = http_req('POST', env.api, '/v1/groups', {'name': 'bc-group', 'members': [self.C['uid']]},
                     auth=bearer(self.cB_token()))
        self.GB = r.json['groupId']
        lo, hi = sorted([self.B['uid'], self.C['uid']])
        self.conv_bc = f's_{lo}_{hi}'
        fr = self.cB.request(SEND, send_body('bc-1-' + env.run, SINGLE, self.C['uid'], 'B to C'))
        assert fr and fr['cmd'] == SEND_ACK, desc(fr)
        fr = self.cB.request(SEND, send_body('bgb-1-' + env.run, GROUP, self.GB, 'B to GB'))
        assert fr and fr['cmd'] == SEND_ACK, desc(fr)
        self.allowed_C |= {self.conv_bc, f'g_{self.GB}'}
        self.allowed_B |= {f'g_{self.GB}'}

    def cB_token(self):
        if not hasattr(self, '_tb'):
            self._tb = self.env.session(self.B, 'b-http')['token']
        return self._tb

    def leaks(self, since_b=0, since_c=0, foreign_uids=()):
        bad = []
        for who, c, allowed, since in (('B', self.cB, self.allowed_B, since_b), ('C', self.cC, self.allowed_C, since_c)):
            for fr in list(c.frames)[since:]:
                if fr['cmd'] == PUSH:
                    for m in fr['body'].get('messages', []):
                        if m.get('conversation_id') not in allowed or m.get('sender_uid') in foreign_uids:
                            bad.append(f"{who} got PUSH conv={m.get('conversation_id')} sender={m.get('sender_uid')} "
                                       f"text={(m.get('content') or {}).get('text', '')[:40]!r}")
                elif fr['cmd'] not in (PONG, LOGIN_ACK, SEND_ACK, SYNC_ACK, PULL_ACK):
                    bad.append(f'{who} got {desc(fr)}')
        return bad


# ----------------------------------------------------------------------------------------------
# check 1: raw frames and HTTP without credentials
# ----------------------------------------------------------------------------------------------

def check1(env, world):
    C = '1'
    B = world.B
    bc0, cc0 = len(world.cB.frames), len(world.cC.frames)
    fake_push = frame(PUSH, 0, f_msg(1, message_body(999, f"s_{world.A['uid']}_{B['uid']}", SINGLE, 1,
                                                        world.A['uid'], 'SPOOFED via client port', B['uid'])))
    refs = [(cid, B['uid']) for cid in range(0, 1500)] + [(cid, world.C['uid']) for cid in range(0, 500)]
    gp_body = gatepush_body(refs, PUSH, 0, fake_push[14:])
    kick_body = f_int(1, 1) + f_bytes(2, 'spoofed kick')

    # 1.1 fatal header violations on the TCP client port
    cases = [
        ('garbage (HTTP request)', b'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 1001),
        ('wrong magic', header(PING, 1, 0, magic=0x1234), 1001),
        ('wrong version', header(LOGIN, 1, 0, version=2), 1002),
        ('length 0xFFFFFFFF', header(LOGIN, 1, 0xFFFFFFFF), 1003),
        ('length 65537 (limit+1)', header(LOGIN, 1, 65537), 1003),
        ('first frame PING', frame(PING, 5), 1006),
        ('first frame KICK', frame(KICK, 5, kick_body), 1006),
        ('first frame GATE_PUSH (spoof to B)', frame(GATE_PUSH, 5, gp_body), 1006),
        ('first frame LINK_HELLO', frame(LINK_HELLO, 5, f_bytes(1, os.urandom(32)) + f_bytes(2, 'r1')), 1006),
        ('LOGIN with non-protobuf body', frame(LOGIN, 5, b'\xff\xff\xff\xff\xff'), 1005),
        ('LOGIN with empty token', frame(LOGIN, 5, b''), 2001),
    ]
    for name, data, code in cases:
        got, closed, secs = raw_probe(env.tcp, data, wait=3)
        frs = parse_frames(got)
        codes = [err_code(f) for f in frs]
        ok = closed and codes == [code]
        record(C, f'tcp {name}', ok, f'answered {[ERR.get(x, x) for x in codes]} closed={closed} in {secs}s '
                                     f'(expected ERROR {ERR[code]} + close)')

    # truncated headers / bodies: must be closed by the login deadline
    for name, data in (('1 byte', b'M'), ('13 of 14 header bytes', frame(LOGIN, 1, b'x')[:13]),
                       ('header announcing 65536 bytes, 10 sent', header(LOGIN, 1, 65536) + b'x' * 10)):
        got, closed, secs = raw_probe(env.tcp, data, wait=9)
        codes = [err_code(f) for f in parse_frames(got)]
        record(C, f'tcp truncated: {name}', closed and secs <= 7.5,
               f'answered {[ERR.get(x, x) for x in codes]}, closed={closed} after {secs}s (doc: login deadline 5 s)')

    # 1.2 after login: internal and server-to-client commands from a client
    cA = world.cA
    n0 = len(cA.frames)
    for name, cmd, body in (('GATE_PUSH', GATE_PUSH, gp_body), ('KICK', KICK, kick_body), ('PUSH', PUSH, fake_push[14:]),
                            ('LINK_HELLO', LINK_HELLO, f_bytes(1, os.urandom(32)) + f_bytes(2, 'r1')),
                            ('LINK_PROOF', LINK_PROOF, f_bytes(1, os.urandom(32))),
                            ('GATE_PUSH_ACK', GATE_PUSH_ACK, f_int(1, 5)),
                            ('unknown 999', 999, b'abc'), ('unknown 65535', 65535, b'')):
        fr = cA.request(cmd, body, 5)
        record(C, f'tcp logged-in client sends {name}', err_code(fr) == 1004 and cA.closed_at is None,
               f'{desc(fr)}; connection open={cA.closed_at is None}')
    fr = cA.request(PING, b'', 5)
    record(C, 'tcp connection usable after refused internal commands', fr is not None and fr['cmd'] == PONG, desc(fr))
    fr = cA.request(LOGIN, login_body('x'), 5)
    record(C, 'tcp second LOGIN on a logged-in connection', err_code(fr) == 1006 and cA.closed_at is None, desc(fr))

    # 1.3 WebSocket port
    ws_cases = [('garbage binary', b'GET / HTTP/1.1\r\n\r\n', 1001), ('wrong version', header(LOGIN, 1, 0, version=9), 1002),
                ('length 0xFFFFFFFF', header(LOGIN, 1, 0xFFFFFFFF), 1003),
                ('first frame GATE_PUSH', frame(GATE_PUSH, 5, gp_body), 1006)]
    for name, data, code in ws_cases:
        c = Conn(env.ws, ws=True, path=env.ws_path, name='ws-raw')
        c.send_raw(data)
        closed = c.wait_closed(4)
        codes = [err_code(f) for f in c.frames]
        record(C, f'ws {name}', closed and codes == [code],
               f'answered {[ERR.get(x, x) for x in codes]} closed={closed} ws_events={[e[1:] for e in c.ws_events][:2]}')
        c.close()
    c = Conn(env.ws, ws=True, path=env.ws_path, name='ws-text')
    c.send_ws(1, frame(PING, 1))
    closed = c.wait_closed(4)
    codes = [err_code(f) for f in c.frames]
    record(C, 'ws text message', closed and codes == [1005], f'answered {[ERR.get(x, x) for x in codes]} closed={closed} (doc: BAD_REQUEST + close)')
    c.close()
    c = Conn(env.ws, ws=True, path=env.ws_path, name='ws-unmasked')
    c.send_ws(2, frame(PING, 1), mask=False)
    closed = c.wait_closed(4)
    record(C, 'ws unmasked client frame (RFC 6455 violation)', closed, f'closed={closed} frames={[desc(f) for f in c.frames]} events={[e[1:] for e in c.ws_events][:2]}')
    c.close()
    got, closed, secs = raw_probe(env.ws, b'GET /other HTTP/1.1\r\nHost: x\r\n\r\n', wait=3)
    record(C, 'ws port: plain GET of another path', closed or got.startswith(b'HTTP/1.1 4'),
           f'{got[:60]!r} closed={closed}')
    cw = env.connect(world.A, 'a-ws', ws=True, name='A(ws)')
    fr = cw.request(GATE_PUSH, gp_body, 5)
    fr2 = cw.request(KICK, kick_body, 5)
    record(C, 'ws logged-in client sends GATE_PUSH / KICK', err_code(fr) == 1004 and err_code(fr2) == 1004 and cw.closed_at is None,
           f'{desc(fr)}; {desc(fr2)}')
    cw.close()

    # 1.4 internal port without the handshake / with a wrong secret
    ip = env.internal
    hello = lambda rid=1, nonce=None, rid_s='probe-router': frame(LINK_HELLO, rid, f_bytes(1, nonce or os.urandom(32)) + f_bytes(2, rid_s))
    gp = frame(GATE_PUSH, 7, gp_body)
    icases = [
        ('garbage', b'GET / HTTP/1.1\r\n\r\n' * 3),
        ('GATE_PUSH first (spoof to B and C)', gp),
        ('PING first', frame(PING, 1)),
        ('length 0xFFFFFFFF', header(LINK_HELLO, 1, 0xFFFFFFFF)),
        ('LINK_HELLO with 31-byte nonce', hello(nonce=os.urandom(31))),
        ('LINK_HELLO with 129-byte router id', hello(rid_s='r' * 129)),
        ('LINK_HELLO + pipelined GATE_PUSH', hello() + gp),
        ('LINK_PROOF without HELLO', frame(LINK_PROOF, 1, f_bytes(1, os.urandom(32))) + gp),
    ]
    for name, data in icases:
        try:
            got, closed, secs = raw_probe(ip, data, wait=7)
        except OSError as e:
            record(C, f'internal {name}', None, f'connect failed: {e!r}')
            continue
        frs = parse_frames(got)
        cmds = [f['cmd'] for f in frs]
        if name == 'LINK_HELLO + pipelined GATE_PUSH':
            ok = closed and GATE_PUSH_ACK not in cmds and LINK_READY not in cmds
        else:
            ok = closed and cmds == []
        record(C, f'internal {name}', ok, f'received cmds {cmds} ({len(got)} bytes), closed={closed} after {secs}s')
    # wrong proof, then pipelined GATE_PUSH
    for variant in ('random proof', 'gate proof reflected', 'no proof, GATE_PUSH instead'):
        try:
            s = socket.create_connection(('127.0.0.1', ip), timeout=5)
        except OSError as e:
            record(C, f'internal wrong secret: {variant}', None, f'connect failed {e!r}')
            continue
        s.sendall(hello(1))
        data = b''
        t0 = time.time()
        s.settimeout(0.5)
        while time.time() - t0 < 3 and len(parse_frames(data)) < 1:
            try:
                c = s.recv(4096)
                if not c:
                    break
                data += c
            except socket.timeout:
                pass
        frs = parse_frames(data)
        ch = frs[0]['body'] if frs and frs[0]['cmd'] == LINK_CHALLENGE else None
        if variant == 'random proof':
            s.sendall(frame(LINK_PROOF, 2, f_bytes(1, os.urandom(32))) + gp)
        elif variant == 'gate proof reflected':
            s.sendall(frame(LINK_PROOF, 2, f_bytes(1, (ch or {}).get('gate_proof', b'\0' * 32))) + gp)
        else:
            s.sendall(gp)
        rest = b''
        closed = False
        t0 = time.time()
        while time.time() - t0 < 6:
            try:
                c = s.recv(65536)
                if not c:
                    closed = True
                    break
                rest += c
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed = True
                break
        s.close()
        cmds = [f['cmd'] for f in parse_frames(rest)]
        record(C, f'internal wrong secret: {variant}', ch is not None and closed and cmds == [],
               f"challenge gate_id={(ch or {}).get('gate_id')!r} max_frame={(ch or {}).get('max_frame_bytes')}; "
               f'after proof: cmds {cmds}, closed={closed}')
    time.sleep(2)
    bad = world.leaks(bc0, cc0, foreign_uids=(world.A['uid'],))
    record(C, 'B and C received nothing from the spoof attempts', not bad, bad[:5] or 'no foreign frame on B or C')

    # 1.5 positive control with the real cluster secret (operator-side; proves the spoof above would be seen)
    if env.a.cluster_secret_file and os.path.exists(env.a.cluster_secret_file):
        secret = open(env.a.cluster_secret_file, 'rb').read().strip()
        try:
            s = socket.create_connection(('127.0.0.1', ip), timeout=5)
            rn = os.urandom(32)
            rid_s = b'probe-control'
            s.sendall(frame(LINK_HELLO, 1, f_bytes(1, rn) + f_bytes(2, rid_s)))
            conn = Conn.__new__(Conn)
            s.settimeout(3)
            data = b''
            while len(parse_frames(data)) < 1:
                data += s.recv(4096)
            ch = parse_frames(data)[0]['body']
            gid = ch['gate_id'].encode()
            msg = lambda label: label + rn + ch['gate_nonce'] + struct.pack('>H', len(gid)) + gid + struct.pack('>H', len(rid_s)) + rid_s
            gate_ok = hmac.compare_digest(hmac.new(secret, msg(b'magpie-link-v1 gate'), 'sha256').digest(), ch['gate_proof'])
            proof = hmac.new(secret, msg(b'magpie-link-v1 router'), 'sha256').digest()
            b0 = len(world.cB.frames)
            s.sendall(frame(LINK_PROOF, 2, f_bytes(1, proof)))
            ctl_refs = [(cid, B['uid']) for cid in range(0, 1500)]
            s.sendall(frame(GATE_PUSH, 3, gatepush_body(ctl_refs, PUSH, 0, fake_push[14:])))
            data = b''
            t0 = time.time()
            while time.time() - t0 < 5 and not any(f['cmd'] == GATE_PUSH_ACK for f in parse_frames(data)):
                try:
                    c = s.recv(65536)
                    if not c:
                        break
                    data += c
                except socket.timeout:
                    pass
            s.close()
            frs = parse_frames(data)
            ack = [f['body'] for f in frs if f['cmd'] == GATE_PUSH_ACK]
            got = world.cB.wait_for(lambda f: f['cmd'] == PUSH and any('SPOOFED' in ((m.get('content') or {}).get('text') or '')
                                                                      for m in f['body'].get('messages', [])), 5, start=b0)
            record(C, 'CONTROL: with the real cluster secret a GATE_PUSH does reach B (so the negative tests can see a leak)',
                   None, f'gate proof verifies={gate_ok}; cmds={[f["cmd"] for f in frs]}; written={(ack[0] if ack else {}).get("written")}; '
                         f'B received spoof={got is not None}')
            # B will now hold a spoofed message: tell the leak checks
            world.allowed_B.add(f"s_{min(world.A['uid'], B['uid'])}_{max(world.A['uid'], B['uid'])}")
            world.spoof_control_b_index = len(world.cB.frames)
        except Exception as e:
            record(C, 'CONTROL: real-secret GATE_PUSH', None, f'could not run: {e!r}')

    # 1.6 HTTP without / with bad tokens
    tokA = env.session(world.A, 'a-http')['token']
    world.tokA = tokA
    p, sig = tokA.split('.')
    forged_sig = p + '.' + ('A' if sig[0] != 'A' else 'B') + sig[1:]
    bad_auths = {'none': None, 'empty bearer': 'Bearer ', 'garbage': 'Bearer garbage', 'basic': 'Basic YTpi',
                 'forged signature': bearer(forged_sig), 'token without signature': bearer(p + '.'),
                 'token in lower-case scheme': 'bearer ' + 'x.y'}
    eps = [('GET', f'/v1/accounts?username={world.B["name"]}', None), ('GET', f'/v1/accounts/{world.B["uid"]}', None),
           ('DELETE', '/v1/sessions/current', None),
           ('PUT', '/v1/accounts/me/password', {'currentPassword': 'x' * 8, 'newPassword': 'y' * 12}),
           ('POST', '/v1/groups', {'name': 'g', 'members': []}), ('GET', f'/v1/groups/{world.GB}', None),
           ('GET', f'/v1/groups/{world.GB}/members', None),
           ('PUT', '/v1/devices/b-phone/push-token', {'provider': 'webhook', 'token': 'http://evil'}),
           ('PUT', f'/v1/conversations/{world.conv_bc}/mute', {'muted': True})]
    bad = []
    n = 0
    for m, path, body in eps:
        for an, auth in bad_auths.items():
            r = http_req(m, env.api, path, body, auth=auth)
            n += 1
            if r.status != 401 or 'Exception' in r.text or '\tat ' in r.text:
                bad.append(f'{m} {path} [{an}] -> {r}')
    record(C, 'account API: every authenticated route refuses no/bad tokens (401)', not bad, f'{n} requests; bad: {bad[:6]}')
    # admin kick
    res = []
    for an, auth in (('none', None), ('user token', bearer(tokA)), ('garbage', 'Bearer ' + 'x' * 40)):
        r = http_req('POST', env.api, '/v1/admin/kick', {'uid': world.B['uid']}, auth=auth)
        res.append(f'{an}: {r.status} {r.code}')
    time.sleep(1)
    kicked = [desc(f) for f in world.cB.of(KICK)]
    record(C, 'account API: admin kick without the admin token', all(x.split(': ')[1].split()[0] in ('401', '403') for x in res)
           and not kicked and world.cB.closed_at is None, f'{res}; B kicked={kicked}')
    # LSB
    r1 = http_req('GET', env.lsb, '/admin/v1/gates')
    r2 = http_req('GET', env.lsb, '/admin/v1/gates', auth='Bearer ' + 'x' * 32)
    r3 = http_req('GET', env.lsb, '/v1/gates')
    r4 = http_req('GET', env.lsb, '/v1/gate')
    leak = 'internalPort' in r3.text or re.search(rf'\b{env.internal}\b', r3.text) is not None
    record(C, 'LSB admin without token; public view hides the internal port',
           r1.status in (401, 404) and r2.status in (401, 404) and not leak and r4.status == 200,
           f'/admin/v1/gates: {r1.status} {r1.code}, with wrong token {r2.status} {r2.code}; /v1/gates leaks internal={leak}; /v1/gate {r4}')
    # misc HTTP robustness: no stack traces
    probes = [('POST', env.api, '/v1/accounts', b'{not json'), ('POST', env.api, '/v1/sessions', b'[]'),
              ('POST', env.api, '/v1/sessions/refresh', b'{"refreshToken": 12}'),
              ('GET', env.api, '/v1/accounts/-1', None), ('GET', env.api, '/v1/accounts/99999999999999999999999', None),
              ('GET', env.api, '/../../etc/passwd', None), ('TRACE', env.api, '/v1/accounts', None),
              ('GET', env.lsb, '/v1/gate?appId=' + 'a' * 5000, None), ('GET', env.api, '/nope', None)]
    bad = []
    outs = []
    for m, port, path, body in probes:
        r = http_req(m, port, path, body, auth=bearer(tokA) if 'accounts/' in path else None)
        outs.append(f'{m} {path[:30]} {r.status}')
        if r.status >= 500 or 'Exception' in r.text or '\tat ' in r.text or 'root:' in r.text:
            bad.append(f'{m} {path[:40]} -> {r}')
    record(C, 'HTTP malformed requests answered 4xx without stack traces', not bad, f'{outs}; bad={bad}')
    if env.health:
        r = http_req('GET', env.health, '/health/ready')
        record(C, 'health listener answers and reveals nothing else', r.status in (200, 503) and 'password' not in r.text,
               f'{r.status} {r.text[:160]}')


# ----------------------------------------------------------------------------------------------
# check 2: cross-user reach
# ----------------------------------------------------------------------------------------------

def check2(env, world):
    C = '2'
    A, Bu, Cu = world.A, world.B, world.C
    cA = world.cA
    bc0 = getattr(world, 'spoof_control_b_index', len(world.cB.frames))
    cc0 = len(world.cC.frames)
    tokA = world.tokA or env.session(A, 'a-http')['token']
    r = http_req('POST', env.api, '/v1/groups', {'name': 'a-alone', 'members': []}, auth=bearer(tokA))
    GA = r.json['groupId']
    record(C, 'A creates a group alone', r.status == 201, f'{r}')
    x = 'dup-' + env.run
    f1 = cA.request(SEND, send_body(x, GROUP, GA, 'A to own group'))
    record(C, 'A SEND x to own group', f1 and f1['cmd'] == SEND_ACK, desc(f1))
    f2 = cA.request(SEND, send_body(x, SINGLE, Bu['uid'], 'x reused toward B (must not arrive)'))
    record(C, 'A reuses x toward B 1:1', err_code(f2) == 2005, desc(f2) + ' (doc §9.3: CLIENT_MSG_ID_REUSED)')
    f3 = cA.request(SEND, send_body(x, GROUP, world.GB, 'x reused toward GB (must not arrive)'))
    record(C, 'A reuses x toward group GB it is not in', err_code(f3) in (2003, 2005), desc(f3))
    f4 = cA.request(SEND, send_body(x, GROUP, GA, 'A to own group'))
    same = f4 and f1 and f4['cmd'] == SEND_ACK and f4['body'].get('msg_id') == f1['body'].get('msg_id') and f4['body'].get('seq') == f1['body'].get('seq')
    record(C, 'A resends x to own group: original msg_id/seq', same, f'{desc(f4)}')
    f5 = cA.request(SEND, send_body('fresh-' + env.run, GROUP, world.GB, 'A into GB (must not arrive)'))
    record(C, 'A SEND fresh id to group GB it is not in', err_code(f5) == 2003, desc(f5))
    # guessed group ids around ours
    acked = []
    answers = {}
    for g in range(max(1, GA - 30), GA + 30):
        if g == GA:
            continue
        fr = cA.request(SEND, send_body(f'guess-{g}-{env.run}', GROUP, g, f'guess {g}'))
        k = desc(fr).split(' rid')[0]
        answers[k] = answers.get(k, 0) + 1
        if fr and fr['cmd'] == SEND_ACK:
            acked.append(g)
        time.sleep(0.012)
    record(C, 'A SEND to 59 guessed group ids (not a member)', not acked, f'answers {answers}; acked into {acked}')
    # x reused toward guessed groups too
    other = [g for g in range(1, GA + 30) if g not in (GA,)]
    got = []
    for g in other[:40]:
        fr = cA.request(SEND, send_body(x, GROUP, g, f'x toward group {g}'))
        got.append((g, desc(fr).split(' rid')[0]))
    record(C, "A reuses x toward other existing/guessed group ids", all(v.startswith('ERROR') for _, v in got), f'{got[:6]} ...')
    # single to nonexistent / self / negative
    for name, tgt in (('nonexistent uid', 9_000_000_000), ('self', A['uid']), ('negative', -5), ('zero', 0)):
        fr = cA.request(SEND, send_body(f'edge-{name}-{env.run}', SINGLE, tgt, 'edge'))
        record(C, f'A SEND SINGLE to {name}', None if name == 'self' else (fr is not None and fr['cmd'] == ERROR), desc(fr))
    fr = cA.request(SEND, send_body('c' * 65, SINGLE, Bu['uid'], 'too long id'))
    record(C, 'client_msg_id of 65 characters', err_code(fr) == 1005, desc(fr))
    fr = cA.request(SEND, send_body('ctype3-' + env.run, 3, Bu['uid'], 'unknown conversation type'))
    record(C, 'SEND with conversation_type 3', fr is not None and fr['cmd'] == ERROR, desc(fr))
    # PULL / SYNC of others' conversations
    lo, hi = sorted([Bu['uid'], Cu['uid']])
    for conv, exp in ((world.conv_bc, (1005, 2003)), (f'g_{world.GB}', (2003,)), (f's_{hi}_{lo}', (1005, 2003)),
                      (f's_{lo}_{hi}_', (1005,)), (f'g_{world.GB}x', (1005,)), (f's_0{lo}_{hi}', (1005, 2003)),
                      (f's_{lo}_{A["uid"]}' if lo < A['uid'] else f's_{A["uid"]}_{lo}', None)):
        fr = cA.request(PULL, pull_body(conv, 1, 0, 200))
        if exp is None:
            okv = not (fr and fr['cmd'] == PULL_ACK and fr['body'].get('messages'))
            record(C, f'A PULL {conv} (A with B, never used)', okv, desc(fr))
        else:
            record(C, f'A PULL {conv}', err_code(fr) in exp, desc(fr))
    fr = cA.request(SYNC, sync_body(0, 1000))
    convs = [c.get('conversation_id') for c in (fr['body'] or {}).get('conversations', [])] if fr and fr['cmd'] == SYNC_ACK else None
    record(C, "A SYNC lists only A's conversations", convs is not None and all(c == f'g_{GA}' or str(A['uid']) in c for c in convs),
           f'{convs}')
    # PUSH_ACK naming other users' conversations
    n0 = len(cA.frames)
    cA.send(PUSH_ACK, pushack_body([(world.conv_bc, 1), (f'g_{world.GB}', 1), (f'g_{world.GB}', 2), ('s_1_2', 1)]))
    fr = cA.request(PING)
    extra = [desc(f) for f in cA.frames[n0:] if f['cmd'] != PONG]
    record(C, "A PUSH_ACK naming other users' conversations", fr is not None and fr['cmd'] == PONG and cA.closed_at is None,
           f'extra answers {extra}')
    # HTTP reach
    for name, m, path, body, exp in (
            ('GET group GB', 'GET', f'/v1/groups/{world.GB}', None, 403),
            ('add self to GB', 'POST', f'/v1/groups/{world.GB}/members', {'uids': [A['uid']]}, 403),
            ('mute B-C conversation', 'PUT', f'/v1/conversations/{world.conv_bc}/mute', {'muted': True}, 403),
            ('mute GB', 'PUT', f'/v1/conversations/g_{world.GB}/mute', {'muted': True}, 403),
            ("register B's device push token", 'PUT', '/v1/devices/b-phone/push-token', {'provider': 'webhook', 'token': 'http://evil'}, 403)):
        r = http_req(m, env.api, path, body, auth=bearer(tokA))
        record(C, f'A over HTTP: {name}', r.status in (exp, 400, 404) and r.status < 500 and not (200 <= r.status < 300), f'{r}')
    # verify GB roster unchanged
    r = http_req('GET', env.api, f'/v1/groups/{world.GB}', auth=bearer(world.cB_token()))
    mem = [m['uid'] for m in (r.json or {}).get('members', [])]
    record(C, 'GB roster still {B, C}', sorted(mem) == sorted([Bu['uid'], Cu['uid']]), f'{mem}')
    # A can create a group containing B and C without their consent (documented)
    r = http_req('POST', env.api, '/v1/groups', {'name': 'unsolicited', 'members': [Bu['uid'], Cu['uid']]}, auth=bearer(tokA))
    record(C, 'A may put B and C into a new group without their consent', None,
           f'{r.status}: documented (POST /v1/groups "Members must be registered users"); an unsolicited-message vector')
    time.sleep(3)
    bad = world.leaks(bc0, cc0, foreign_uids=(A['uid'],))
    nb = len(world.cB.frames) - bc0
    nc = len(world.cC.frames) - cc0
    record(C, 'B and C received nothing they should not (every frame recorded)', not bad,
           f'B frames since start {nb}, C frames {nc}; offending: {bad[:5]}')


# ----------------------------------------------------------------------------------------------
# check 3: tokens
# ----------------------------------------------------------------------------------------------

def gate_login(env, token, ws=False):
    c = Conn(env.ws if ws else env.tcp, ws=ws, path=env.ws_path, name='tok')
    fr = c.login(token)
    ok = fr is not None and fr['cmd'] == LOGIN_ACK
    if not ok:
        c.wait_closed(3)
    res = (ok, desc(fr), c.closed_at is not None)
    c.close()
    return res


def api_ok(env, token):
    r = http_req('GET', env.api, '/v1/accounts/1', auth=bearer(token))
    return r.status in (200, 404), r.status


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))


def check3(env, world):
    C = '3'
    T = env.register('tok')
    # 3.1 LOGOUT on the gate
    s1 = env.session(T, 't1')
    c = Conn(env.tcp, name='t1')
    fr = c.login(s1['token'])
    c.send(LOGOUT)
    closed = c.wait_closed(5)
    c.close()
    time.sleep(0.5)
    g = gate_login(env, s1['token'])
    a = api_ok(env, s1['token'])
    rr = http_req('POST', env.api, '/v1/sessions/refresh', {'refreshToken': s1['refreshToken']}, src=env.login_src())
    record(C, 'token after gate LOGOUT', closed and not g[0] and not a[0] and rr.status == 401,
           f'logout closed={closed}; gate LOGIN again: {g[1]}; API status {a[1]}; refresh {rr.status} {rr.code}')
    # 3.2 HTTP logout, with a live connection
    s2 = env.session(T, 't2')
    c = Conn(env.tcp, name='t2')
    c.login(s2['token'])
    r = http_req('DELETE', env.api, '/v1/sessions/current', auth=bearer(s2['token']))
    k = c.wait_for(lambda f: f['cmd'] == KICK, 8)
    cl = c.wait_closed(5)
    c.close()
    g = gate_login(env, s2['token'])
    a = api_ok(env, s2['token'])
    rr = http_req('POST', env.api, '/v1/sessions/refresh', {'refreshToken': s2['refreshToken']}, src=env.login_src())
    record(C, 'token after HTTP logout', r.status == 204 and not g[0] and not a[0] and rr.status == 401 and cl,
           f'DELETE {r.status}; live conn got {desc(k)} closed={cl}; gate LOGIN {g[1]}; API {a[1]}; refresh {rr.status} {rr.code}')
    # 3.3 password change
    s3 = env.session(T, 't3')
    s4 = env.session(T, 't4')
    c4 = Conn(env.tcp, name='t4')
    c4.login(s4['token'])
    newpw = 'new-' + uuid.uuid4().hex
    r = http_req('PUT', env.api, '/v1/accounts/me/password', {'currentPassword': T['pw'], 'newPassword': newpw},
                 auth=bearer(s3['token']), src=env.login_src())
    k = c4.wait_for(lambda f: f['cmd'] == KICK, 8)
    cl = c4.wait_closed(5)
    c4.close()
    g4 = gate_login(env, s4['token'])
    a4 = api_ok(env, s4['token'])
    a3 = api_ok(env, s3['token'])
    rr = http_req('POST', env.api, '/v1/sessions/refresh', {'refreshToken': s4['refreshToken']}, src=env.login_src())
    old = env.login_http(T, 't5')
    new = env.login_http(T, 't5', pw=newpw)
    record(C, 'tokens after password change', r.status == 204 and not g4[0] and not a4[0] and a3[0] and rr.status == 401
           and old.status == 401 and new.status == 200 and cl,
           f'PUT {r.status}; other device live conn: {desc(k)} closed={cl}; its token: gate {g4[1]}, API {a4[1]}, refresh {rr.status}; '
           f'calling device API {a3[1]}; old password login {old.status}; new password login {new.status}')
    T['pw'] = newpw
    # 3.4 refresh token twice
    R = env.register('ref')
    s = env.session(R, 'r1')
    src = env.login_src()
    r1 = http_req('POST', env.api, '/v1/sessions/refresh', {'refreshToken': s['refreshToken']}, src=src)
    r2 = http_req('POST', env.api, '/v1/sessions/refresh', {'refreshToken': s['refreshToken']}, src=src)
    r3 = http_req('POST', env.api, '/v1/sessions/refresh', {'refreshToken': (r1.json or {}).get('refreshToken', '')}, src=src)
    tnew = (r1.json or {}).get('token', '')
    g = gate_login(env, tnew) if tnew else (None, 'no token', None)
    a = api_ok(env, tnew) if tnew else (None, None)
    record(C, 'refresh token presented twice', r1.status == 200 and r2.status == 401 and r2.code == 'REFRESH_TOKEN_REUSED'
           and r3.status == 401 and not g[0] and not a[0],
           f'first {r1.status}; replay {r2.status} {r2.code}; newest refresh token after replay {r3.status} {r3.code}; '
           f'access token of the stolen chain: gate {g[1]}, API {a[1]}')
    # concurrent double refresh (race)
    s = env.session(R, 'r2')
    outs = []

    def do():
        outs.append(http_req('POST', env.api, '/v1/sessions/refresh', {'refreshToken': s['refreshToken']}, src=src).status)
    ts = [threading.Thread(target=do) for _ in range(8)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    record(C, 'same refresh token 8 times concurrently', outs.count(200) <= 1, f'statuses {sorted(outs)}')
    # 3.5 new login of the same device
    s_a = env.session(R, 'r3')
    c = Conn(env.tcp, name='r3-old')
    c.login(s_a['token'])
    s_b = env.session(R, 'r3')
    k = c.wait_for(lambda f: f['cmd'] == KICK, 8)
    g = gate_login(env, s_a['token'])
    c.close()
    record(C, 'token after a new login of the same device', not g[0] and k is not None,
           f'old live conn: {desc(k)} (doc: live connections of ended sessions get KICK); old token at gate: {g[1]}')
    # 3.6 tampered tokens
    V = env.register('tamp')
    sv = env.session(V, 'v1')
    tok = sv['token']
    p64, sig = tok.split('.')
    payload = b64u_dec(p64).decode()
    parts = payload.split('|')
    record(C, 'token payload layout as documented', parts[0] == 'v2' and len(parts) == 7, f'{parts[:2]}|<uid>|... ({len(parts)} fields)')

    def with_parts(**ch):
        pp = list(parts)
        for i, v in ch.items():
            pp[int(i[1:])] = v
        return b64u('|'.join(pp).encode()) + '.' + sig
    forge = lambda key, pl: b64u(pl.encode()) + '.' + b64u(hmac.new(key, pl.encode(), 'sha256').digest())
    pl_b = '|'.join(['v2', 'default', str(world.B['uid']), 'b-phone', '1', str(int(time.time() * 1000) + 3600_000), '0'])
    variants = {
        'uid changed to B': with_parts(p2=str(world.B['uid'])),
        'kid changed': with_parts(p1='other'),
        'kid empty': with_parts(p1=''),
        'expiry +1 year': with_parts(p5=str(int(parts[5]) + 365 * 86400_000)),
        'session id 0 (non-revocable form)': with_parts(p6='0'),
        'v1 format': b64u('|'.join(['v1', parts[2], parts[3], parts[4], parts[5]]).encode()) + '.' + sig,
        'signature truncated to 16 chars': p64 + '.' + sig[:16],
        'signature empty': p64 + '.',
        'no dot': p64,
        'signature flipped last char': p64 + '.' + sig[:-1] + ('A' if sig[-1] != 'A' else 'B'),
        'standard base64 padding added': p64 + '==' + '.' + sig,
        'forged for B with the doc example secret': forge(b'magpie-example-secret-0123456789', pl_b),
        'forged for B with empty key': forge(b'', pl_b),
        '513 characters': 'A' * 513,
        'signature of another token': p64 + '.' + env.session(V, 'v2')['token'].split('.')[1],
        'trailing character': tok + 'A',
        'NUL inside': tok[:10] + '\0' + tok[10:],
    }
    bad = []
    lines = []
    for name, t in variants.items():
        g = gate_login(env, t)
        try:
            a = api_ok(env, t)
        except Exception as e:
            a = (False, f'client error {e!r}')
        lines.append(f'{name}: gate={"ACCEPTED" if g[0] else g[1].split(" rid")[0]}, api={a[1]}')
        if (g[0] or a[0]) and name != 'standard base64 padding added':
            bad.append(name)
        elif g[0] or a[0]:
            record(C, 'token malleability: base64 padding accepted', None,
                   f'{name}: gate accepted={g[0]}, API {a[1]}: same payload bytes and signature, another string (not a forgery)')
    g = gate_login(env, tok)
    record(C, 'tampered tokens refused at gate and API', not bad and g[0], f'untampered control accepted={g[0]}; accepted variants: {bad}; ' + '; '.join(lines))


# ----------------------------------------------------------------------------------------------
# check 4: memory and floods
# ----------------------------------------------------------------------------------------------

def paced_sender(conn, target, n, rate, size, prefix, stats, stop, window=40):
    """SEND n messages of `size` bytes at `rate`/s with at most `window` unacked, resending on retryable errors."""
    pending = {}
    retry = []
    lock = threading.Lock()
    text = ('x' * size)

    def hook(fr):
        if fr['cmd'] == SEND_ACK:
            with lock:
                if pending.pop(fr['rid'], None) is not None:
                    stats['acked'] += 1
        elif fr['cmd'] == ERROR and fr['rid'] in pending:
            code = fr['body'].get('code')
            with lock:
                cmid = pending.pop(fr['rid'])
                stats['errors'][code] = stats['errors'].get(code, 0) + 1
                if fr['body'].get('retryable'):
                    retry.append((time.time() + fr['body'].get('retry_after_ms', 500) / 1000, cmid))
    conn.hooks.append(hook)
    t0 = time.time()
    i = 0
    sent = 0
    while (i < n or retry or pending) and not stop.is_set() and conn.closed_at is None:
        now = time.time()
        with lock:
            inflight = len(pending)
            due = [r for r in retry if r[0] <= now]
            for r in due:
                retry.remove(r)
        for _, cmid in due:
            with lock:
                pending[conn.send(SEND, send_body(cmid, SINGLE, target, text))] = cmid
        if i < n and inflight < window and sent < (now - t0) * rate:
            cmid = f'{prefix}-{i}'
            rid = conn.next_rid()
            with lock:
                pending[rid] = cmid
            try:
                conn.send(SEND, send_body(cmid, SINGLE, target, text), rid=rid)
            except OSError:
                break
            i += 1
            sent += 1
        else:
            time.sleep(0.002)
        if i >= n and not retry and pending and time.time() - t0 > 600:
            break
    stats['sent'] += i


def check4(env, world):
    C = '4'
    pid = server_pid(env)
    ctl = Control(env, 'c4')
    # ---- 4.1 slow reader
    n = env.a.slow_count
    size = env.a.slow_size
    V = env.register('victim')
    Vw = env.register('victimws')
    Ss = [env.register(f'sender{k}') for k in range(env.a.senders)]
    senders = []
    for k in range(env.a.senders):
        senders.append(env.connect(Ss[k], f's{k}', auto_ack=True, name=f'S{k}'))
    def slow(user, ws):
        c = Conn(env.ws if ws else env.tcp, ws=ws, path=env.ws_path, rcvbuf=4096, name=f'slow-{"ws" if ws else "tcp"}')
        fr = c.login(env.session(user, 'slow')['token'])
        assert fr and fr['cmd'] == LOGIN_ACK, desc(fr)
        c.pause()
        c.send(PING)  # wakes the reader once so that it parks
        time.sleep(0.3)
        return c
    vt = slow(V, False)
    vw = slow(Vw, True)
    gc_before = heap_used_kb(pid, gc=True) if pid else None
    rss_before = rss_kb(pid) if pid else None
    sampler = Sampler(pid).start() if pid else None
    ctl.start()
    stop = threading.Event()
    stats = [{'acked': 0, 'sent': 0, 'errors': {}} for _ in senders]
    per = n // len(senders)
    rate = env.a.sender_rate
    ths = []
    for k, c in enumerate(senders):
        tgt = V['uid'] if k % 2 == 0 else Vw['uid']
        t = threading.Thread(target=paced_sender, args=(c, tgt, per, rate, size, f'slow{env.run}-{k}', stats[k], stop), daemon=True)
        t.start()
        ths.append(t)
    t0 = time.time()
    closed_t = {}
    heap_during = []
    last_log = 0
    while any(t.is_alive() for t in ths) and time.time() - t0 < env.a.slow_deadline:
        for name, c in (('tcp', vt), ('ws', vw)):
            if name not in closed_t:
                st, q = server_side_state(c.server_port, c.local_port)
                if st != 'ESTAB':
                    closed_t[name] = (round(time.time() - t0, 1), st, sum(s['acked'] for s in stats))
        # victims keep "heartbeating" by writing (never reading)
        for c in (vt, vw):
            if int(time.time() - t0) % 20 == 0:
                try:
                    c.send(PING)
                except OSError:
                    pass
        if time.time() - last_log > 10:
            last_log = time.time()
            hu = heap_used_kb(pid) if pid else None
            heap_during.append(hu)
            log(f'  slow reader: {round(time.time() - t0)}s acked {sum(s["acked"] for s in stats)}/{n} rss {rss_kb(pid)} KB heap {hu} KB closed {closed_t}')
        time.sleep(1)
    stop.set()
    [t.join(5) for t in ths]
    elapsed = round(time.time() - t0, 1)
    # the doc's second trigger: unwritable for 30 s; give it 40 s after the last send
    t1 = time.time()
    while time.time() - t1 < 40 and len(closed_t) < 2:
        for name, c in (('tcp', vt), ('ws', vw)):
            if name not in closed_t:
                st, q = server_side_state(c.server_port, c.local_port)
                if st != 'ESTAB':
                    closed_t[name] = (round(time.time() - t0, 1), st, sum(s['acked'] for s in stats))
        time.sleep(1)
    for name, c in (('tcp', vt), ('ws', vw)):
        if name not in closed_t:
            st, q = server_side_state(c.server_port, c.local_port)
            closed_t[name] = ('still ' + st if st == 'ESTAB' else 'at end', st, sum(s['acked'] for s in stats))
    cst = ctl.stop()
    # drain the victims
    drained = {}
    for name, c in (('tcp', vt), ('ws', vw)):
        c.resume()
        c.wait_closed(20)
        pushes = sum(len(f['body'].get('messages', [])) for f in c.of(PUSH))
        drained[name] = {'push_msgs_received': pushes, 'errors': [desc(f) for f in c.errors()][:2],
                         'closed': c.close_kind, 'kb_received': c.bytes_in // 1024}
        c.close()
    rss_peak = sampler.stop().peak() if sampler else None
    rss_after_now = rss_kb(pid) if pid else None
    time.sleep(2)
    gc_after = heap_used_kb(pid, gc=True) if pid else None
    rss_after = rss_kb(pid) if pid else None
    acked = sum(s['acked'] for s in stats)
    errs = {}
    for s in stats:
        for k, v in s['errors'].items():
            errs[ERR.get(k, k)] = errs.get(ERR.get(k, k), 0) + v
    both_closed = all(closed_t[k][1] != 'ESTAB' for k in closed_t)
    slow_ok = all('SLOW_CONSUMER' in ' '.join(drained[k]['errors']) or drained[k]['closed'] for k in drained)
    ev = {'messages': n, 'size': size, 'acked': acked, 'sender_errors': errs, 'elapsed_s': elapsed,
          'victim_server_side_closed_at(s, state, acked_so_far)': closed_t, 'victims_on_drain': drained,
          'rss_kb': {'before': rss_before, 'peak': rss_peak, 'after': rss_after_now, 'after_gc': rss_after},
          'heap_used_kb': {'before_gc': gc_before, 'during': heap_during, 'after_gc': gc_after},
          'control_pair': cst}
    record(C, 'slow reader (TCP and WS) closed, memory bounded, others served',
           both_closed and ctl.ok(cst) and all('SLOW_CONSUMER' in ' '.join(drained[k]['errors']) or drained[k]['closed'] for k in drained),
           json.dumps(ev, default=str))
    # nothing lost: the victim reconnects and SYNCs
    try:
        c = env.connect(V, 'slow', name='victim-again')
        fr = c.request(SYNC, sync_body(0, 100))
        rows = {x.get('conversation_id'): x.get('last_seq') for x in (fr['body'] or {}).get('conversations', [])}
        cmp = []
        for k in range(0, len(senders), 2):
            lo, hi = sorted([V['uid'], Ss[k]['uid']])
            cmp.append((f's_{lo}_{hi}', rows.get(f's_{lo}_{hi}'), stats[k]['acked']))
        record(C, 'slow reader loses nothing (SYNC after reconnect)', all(a == b for _, a, b in cmp),
               f'(conversation, last_seq, acked toward it): {cmp}')
        c.close()
    except Exception as e:
        record(C, 'slow reader loses nothing (SYNC after reconnect)', False, repr(e))
    for c in senders:
        c.close()

    # ---- 4.2 many unauthenticated connections from one address
    src = env.src()
    for port_name, port in (('tcp', env.tcp), ('ws', env.ws)):
        socks = []
        for i in range(100):
            s = socket.socket()
            s.bind((src, 0))
            s.settimeout(3)
            try:
                s.connect(('127.0.0.1', port))
                socks.append(s)
            except OSError:
                socks.append(None)
        time.sleep(1.0)
        closed = 0
        for s in socks:
            if s is None:
                closed += 1
                continue
            s.setblocking(False)
            try:
                d = s.recv(1, socket.MSG_PEEK)
                if d == b'':
                    closed += 1
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        # another address is still served meanwhile, and a login from it works
        other_ok = False
        try:
            c = env.connect(world.B, 'b-extra', src=env.src(), name='B-extra', ws=(port_name == 'ws'))
            other_ok = c.request(PING)['cmd'] == PONG
            c.close()
        except Exception as e:
            other_ok = repr(e)
        time.sleep(6)
        later = 0
        for s in socks:
            if s is None:
                later += 1
                continue
            try:
                d = s.recv(65536)
                if d == b'' or d:
                    later += 1  # data = the LOGIN_TIMEOUT ERROR, then EOF
            except BlockingIOError:
                pass
            except OSError:
                later += 1
            s.close()
        record(C, f'100 unauthenticated {port_name} connections from one address',
               36 <= closed <= 40 and other_ok is True and later >= 98,
               f'closed at once: {closed} (doc: all above 64); other address served: {other_ok}; closed/answered after 7 s: {later}/100')
    # slowloris on the WebSocket upgrade: partial request headers, one byte every 2 s
    socks = []
    src2 = env.src()
    for i in range(20):
        s = socket.create_connection(('127.0.0.1', env.ws), timeout=3, source_address=(src2, 0))
        s.sendall(b'GET /ws HTTP/1.1\r\nHost: x\r\n')
        socks.append(s)
    t0 = time.time()
    alive_after = None
    while time.time() - t0 < 12:
        for s in socks:
            try:
                s.sendall(b'X')
            except OSError:
                pass
        time.sleep(2)
    alive = 0
    for s in socks:
        s.setblocking(False)
        try:
            d = s.recv(4096)
            if d:
                pass
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
        s.close()
    record(C, 'slowloris on the WebSocket upgrade (headers dripped for 12 s)', alive == 0,
           f'{alive}/20 still open after 12 s (doc: login-timeout 5 s from connect)')

    # ---- 4.3 floods from one client, with the control pair running
    F = env.register('flood')
    G = env.register('floodtgt')
    cg = env.connect(G, 'g', name='flood-target')
    ctl.start()
    for name, cmd, mk, count in (('SEND', SEND, lambda i: send_body(f'fl-{env.run}-{i}', SINGLE, G['uid'], 'f'), 1000),
                                 ('SYNC', SYNC, lambda i: sync_body(0, 10), 400),
                                 ('PULL', PULL, lambda i: pull_body(f"s_{min(F['uid'], G['uid'])}_{max(F['uid'], G['uid'])}", 1, 0, 10), 600),
                                 ('PING', PING, lambda i: b'', 3000)):
        c = env.connect(F, f'flood-{name}', name=f'flood-{name}')
        t0 = time.time()
        buf = bytearray()
        for i in range(count):
            buf += frame(cmd, i + 1000, mk(i))
        try:
            c.send_raw_socket(bytes(buf))
        except OSError:
            pass
        c.wait_closed(20)
        ok_ans = sum(1 for f in c.frames if f['cmd'] in (SEND_ACK, SYNC_ACK, PULL_ACK, PONG))
        rl = c.errors(3001)
        busy = c.errors(3002)
        last = desc(c.frames[-1]) if c.frames else None
        record(C, f'{name} flood ({count} back to back)', c.closed_at is not None and len(rl) > 0,
               f'answered ok {ok_ans}, RATE_LIMITED {len(rl)}, SERVER_BUSY {len(busy)}, closed={c.closed_at is not None} '
               f'after {round((c.closed_at or time.time()) - t0, 1)}s; last frame: {last}')
        c.close()
    # pre-login pipelining: LOGIN + 100 PINGs in one write
    c = Conn(env.tcp, name='prelogin')
    tok = env.session(F, 'pre')['token']
    c.send_raw(frame(LOGIN, 1, login_body(tok)) + b''.join(frame(PING, 2 + i) for i in range(100)))
    c.wait_closed(8)
    record(C, 'LOGIN + 100 pipelined frames before LOGIN_ACK', c.closed_at is not None and bool(c.errors(3001)),
           f'PONGs {len(c.of(PONG))}, RATE_LIMITED {len(c.errors(3001))}, closed={c.closed_at is not None}')
    c.close()
    cst = ctl.stop()
    record(C, 'control pair served during the floods', ctl.ok(cst), json.dumps(cst))
    cg.close()

    # ---- 4.4 login brute force over HTTP
    Vb = env.register('brute')
    a1 = env.src()
    sts = []
    ra = None
    for i in range(15):
        r = http_req('POST', env.api, '/v1/sessions', {'username': Vb['name'], 'password': f'wrong-{i}-pw',
                                                        'deviceId': 'x', 'platform': 'WEB'}, src=a1)
        sts.append(r.status)
        if r.status == 429:
            ra = r.headers.get('Retry-After')
    good = env.login_http(Vb, 'real', src=env.src())
    record(C, 'password brute force on one account (15 tries)', sts.count(401) <= 10 and sts[-1] == 429,
           f'statuses {sts}; Retry-After {ra}')
    record(C, 'account lock-out side effect', None,
           f'the real owner logging in from another address now gets {good.status} {good.code}: 10 wrong guesses lock an account '
           f'for the window (documented: "Every attempt counts")')
    a2 = env.src()
    sts = []
    t0 = time.time()
    for i in range(110):
        r = http_req('POST', env.api, '/v1/sessions', {'username': f'nobody{i}{env.run}', 'password': 'whatever-pw',
                                                        'deviceId': 'x', 'platform': 'WEB'}, src=a2)
        sts.append(r.status)
    first429 = sts.index(429) if 429 in sts else None
    record(C, 'login spraying from one address (110 usernames)', first429 is not None and first429 <= 100,
           f'first 429 at attempt {first429 + 1 if first429 is not None else None}; 401s {sts.count(401)}; in {round(time.time() - t0, 1)}s')
    a3 = env.src()
    sts = []
    for i in range(30):
        sts.append(http_req('POST', env.api, '/v1/sessions/refresh', {'refreshToken': uuid.uuid4().hex + uuid.uuid4().hex}, src=a3).status)
    record(C, 'refresh-token guessing (30 random)', set(sts) <= {401, 429}, f'statuses {sorted(set(sts))}')
    # registration flood: PBKDF2 per registration, no documented limit
    ctl.start()
    a4 = env.src()
    regs = []
    t0 = time.time()

    def reg(i):
        t = time.time()
        r = http_req('POST', env.api, '/v1/accounts', {'username': f'r{env.run}x{i}', 'password': 'registration-pw'}, src=a4)
        regs.append((r.status, time.time() - t))
    ths = []
    for i in range(env.a.reg_flood):
        t = threading.Thread(target=reg, args=(i,))
        t.start()
        ths.append(t)
        if len(ths) % 8 == 0:
            [x.join() for x in ths[-8:]]
    [t.join() for t in ths]
    cst = ctl.stop()
    el = time.time() - t0
    stc = {}
    for s, _ in regs:
        stc[s] = stc.get(s, 0) + 1
    record(C, f'registration flood ({env.a.reg_flood} accounts from one address, 8 concurrent)', None,
           f'statuses {stc} in {round(el, 1)}s ({round(len(regs) / el, 1)}/s, mean {round(sum(x for _, x in regs) / len(regs) * 1000)} ms); '
           f'no limit documented for POST /v1/accounts; control pair meanwhile {cst}')
    ctl.cp.close()
    ctl.cq.close()


# ----------------------------------------------------------------------------------------------
# check 5: other growth vectors
# ----------------------------------------------------------------------------------------------

def check5(env, world):
    C = '5'
    pid = server_pid(env)
    U = env.register('ws5')
    tok = env.session(U, 'w')['token']

    def ws_logged():
        c = Conn(env.ws, ws=True, path=env.ws_path, name='ws5')
        fr = c.login(env.session(env.register('ws5u'), 'w')['token'])
        assert fr and fr['cmd'] == LOGIN_ACK, desc(fr)
        return c
    # 5.1 a WebSocket message far above max-frame-bytes, declared up front
    for pre in (True, False):
        c = Conn(env.ws, ws=True, path=env.ws_path, name='ws-big') if pre else ws_logged()
        r0 = rss_kb(pid)
        total = 64 * 1024 * 1024
        chunk = os.urandom(1 << 20)
        hdr = bytes([0x82, 0x80 | 127]) + struct.pack('>Q', total) + b'\0\0\0\0'
        c.sock.settimeout(5)
        sent = 0
        t0 = time.time()
        try:
            c.send_raw_socket(hdr)
            while sent < total and c.closed_at is None and time.time() - t0 < 20:
                c.send_raw_socket(chunk)
                sent += len(chunk)
        except OSError:
            pass
        c.wait_closed(5)
        record(C, f'ws one 64 MiB binary message ({"before" if pre else "after"} login)', c.closed_at is not None and sent < total,
               f'sent {sent >> 20} MiB before close={c.closed_at is not None}; frames {[desc(f) for f in c.frames[-2:]]}; '
               f'events {[e[1:] for e in c.ws_events][:2]}; rss {r0} -> {rss_kb(pid)} KB')
        c.close()
    # 64-bit length with the top bit set
    c = Conn(env.ws, ws=True, path=env.ws_path, name='ws-2^63')
    c.send_raw_socket(bytes([0x82, 0x80 | 127]) + struct.pack('>Q', (1 << 63) + 5) + b'\0\0\0\0' + b'x' * 100)
    cl = c.wait_closed(5)
    record(C, 'ws frame length with bit 63 set', cl, f'closed={cl} events={[e[1:] for e in c.ws_events][:2]}')
    c.close()
    # 5.2 fragmentation: first fragment, then continuation frames, never FIN
    for pre in (True, False):
        c = Conn(env.ws, ws=True, path=env.ws_path, name='ws-frag') if pre else ws_logged()
        r0 = rss_kb(pid)
        sent = 0
        t0 = time.time()
        piece = b'\x4d\x47' + os.urandom(4094)
        c.sock.settimeout(5)
        try:
            c.send_ws(2, frame(PING, 1)[:7], fin=False)
            while sent < (64 << 20) and c.closed_at is None and time.time() - t0 < 25:
                c.send_ws(0, piece, fin=False)
                sent += len(piece)
        except OSError:
            pass
        c.wait_closed(6)
        record(C, f'ws fragmented message never finished ({"before" if pre else "after"} login)',
               c.closed_at is not None and sent < (64 << 20),
               f'sent {sent >> 10} KiB in continuation frames before close={c.closed_at is not None} '
               f'({round(time.time() - t0, 1)}s); frames {[desc(f) for f in c.frames[-2:]]}; rss {r0} -> {rss_kb(pid)} KB')
        c.close()
    # a Magpie frame split across two WebSocket messages (doc: MUST NOT) -> no crash, close or error
    c = ws_logged()
    fr = frame(PING, 77)
    c.send_ws(2, fr[:6])
    c.send_ws(2, fr[6:])
    got = c.wait_for(lambda f: f['rid'] == 77 or f['cmd'] == ERROR, 4)
    record(C, 'ws Magpie frame split across two messages', None, f'answer: {desc(got)}; closed={c.closed_at is not None} (doc says MUST NOT; behaviour unspecified)')
    c.close()
    # control frame > 125 bytes, reserved bits
    for name, data in (('ping of 200 bytes', ws_frame(9, b'p' * 200)), ('RSV1 set', ws_frame(2, frame(PING, 1), rsv=4)),
                       ('opcode 3', ws_frame(3, b'abc'))):
        c = ws_logged()
        c.send_raw_socket(data)
        cl = c.wait_closed(4)
        record(C, f'ws {name}', cl, f'closed={cl} events={[e[1:] for e in c.ws_events][:2]}')
        c.close()
    # 5.3 WebSocket ping flood while never reading: are PONGs bounded like other output?
    c = ws_logged()
    c.pause()
    c.send(PING)
    time.sleep(0.3)
    r0 = rss_kb(pid)
    t0 = time.time()
    sent = 0
    pingf = ws_frame(9, b'p' * 125)
    blk = pingf * 512
    c.sock.settimeout(2)
    try:
        while time.time() - t0 < 20 and sent < 200_000:
            c.send_raw_socket(blk)
            sent += 512
    except (OSError, socket.timeout):
        pass
    st, q = server_side_state(env.ws, c.local_port)
    time.sleep(1)
    r1 = rss_kb(pid)
    record(C, 'ws ping flood (125-byte pings) from a client that never reads', st != 'ESTAB' or sent < 200_000,
           f'{sent} pings ({sent * 131 >> 20} MiB) written in {round(time.time() - t0, 1)}s; server side now {st} (send-q {q}); rss {r0} -> {r1} KB')
    c.close()
    # 5.4 HTTP slowloris and big bodies against the account API and the LSB
    for name, port in (('account API', env.api), ('LSB', env.lsb)):
        socks = []
        srcs = env.src()
        for i in range(200):
            try:
                s = socket.create_connection(('127.0.0.1', port), timeout=3, source_address=(srcs, 0))
                s.sendall(b'POST /v1/sessions HTTP/1.1\r\nHost: x\r\n')
                socks.append(s)
            except OSError:
                break
        t0 = time.time()
        lat = []
        while time.time() - t0 < 40:
            for s in socks:
                try:
                    s.sendall(b'X-a: b\r\n')
                except OSError:
                    pass
            t1 = time.time()
            try:
                r = http_req('GET', port, '/health/live', timeout=10)
                lat.append((r.status, round((time.time() - t1) * 1000)))
            except Exception as e:
                lat.append((repr(e)[:40], None))
            time.sleep(5)
        alive = 0
        for s in socks:
            s.setblocking(False)
            try:
                d = s.recv(4096)
                if not d:
                    continue
            except BlockingIOError:
                alive += 1
                continue
            except OSError:
                continue
            alive += 0
        [s.close() for s in socks]
        okl = all(isinstance(x[0], int) and x[0] == 200 for x in lat)
        record(C, f'{name}: slowloris (200 connections dripping headers for 40 s)', okl,
               f'legit /health/live answers during: {lat}; dripping connections still open at the end: {alive}/{len(socks)}')
    for name, port, path in (('account API', env.api, '/v1/accounts'), ('LSB', env.lsb, '/v1/gate')):
        r0 = rss_kb(pid)
        s = socket.create_connection(('127.0.0.1', port), timeout=10)
        s.sendall(f'POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {1 << 30}\r\n\r\n'.encode())
        sent = 0
        t0 = time.time()
        chunk = b'{"username":"' + b'a' * (1 << 20)
        resp = b''
        try:
            while sent < (200 << 20) and time.time() - t0 < 20:
                s.sendall(chunk)
                sent += len(chunk)
                chunk = b'a' * (1 << 20)
        except OSError:
            pass
        s.settimeout(3)
        try:
            resp = s.recv(300)
        except OSError:
            pass
        s.close()
        r1 = rss_kb(pid)
        record(C, f'{name}: 1 GiB declared request body', sent < (200 << 20) or resp.startswith(b'HTTP/1.1 4'),
               f'server took {sent >> 20} MiB before refusing/closing; response {resp[:60]!r}; rss {r0} -> {r1} KB')
    # chunked body without end
    s = socket.create_connection(('127.0.0.1', env.api), timeout=10)
    s.sendall(b'POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')
    sent = 0
    t0 = time.time()
    r0 = rss_kb(pid)
    try:
        while sent < (200 << 20) and time.time() - t0 < 20:
            s.sendall(b'100000\r\n' + b'a' * 0x100000 + b'\r\n')
            sent += 0x100000
    except OSError:
        pass
    s.settimeout(3)
    try:
        resp = s.recv(300)
    except OSError:
        resp = b''
    s.close()
    record(C, 'account API: endless chunked body', sent < (200 << 20) or resp.startswith(b'HTTP/1.1 4'),
           f'server took {sent >> 20} MiB; response {resp[:60]!r}; rss {r0} -> {rss_kb(pid)} KB')
    try:
        r = http_req('GET', env.api, '/v1/accounts/1', auth=bearer(tok), headers={'X-Big': 'a' * (1 << 20)})
        st = r.status
    except Exception as e:
        st = f'connection closed ({e!r:.60})'
    record(C, 'account API: 1 MiB header', not isinstance(st, int) or 400 <= st < 500, f'{st}')
    # 5.5 many groups
    M = env.register('groups')
    tm = env.session(M, 'g')['token']
    t0 = time.time()
    sts = {}
    n = env.a.groups
    r0 = rss_kb(pid)
    for i in range(n):
        r = http_req('POST', env.api, '/v1/groups', {'name': f'g{i}', 'members': []}, auth=bearer(tm))
        sts[r.status] = sts.get(r.status, 0) + 1
    el = time.time() - t0
    record(C, f'one user creates {n} groups', None,
           f'statuses {sts} in {round(el, 1)}s ({round(n / el)}/s); no per-user group limit or rate limit documented; rss {r0} -> {rss_kb(pid)} KB')
    # 5.6 protobuf abuse on forwarded bodies: nesting bomb, huge unknown field, then a normal SEND must still be acked
    c = env.connect(U, 'pb', name='pb')
    peer = env.register('pbpeer')
    bomb = send_body(f'bomb-{env.run}', SINGLE, peer['uid'], 'x') + (pkey(50, 3) * 15000) + (pkey(50, 4) * 15000)
    nest = b'x'
    for _ in range(3000):
        nest = f_msg(99, nest)
    nested = send_body(f'nest-{env.run}', SINGLE, peer['uid'], 'x') + nest[:60000]
    unknown = send_body(f'unk-{env.run}', SINGLE, peer['uid'], 'x') + f_bytes(77, b'u' * 60000)
    for name, body in (('start-group nesting bomb', bomb), ('3000-deep nested unknown field', nested),
                       ('60 KB unknown field', unknown)):
        fr = c.request(SEND, body, 15)
        record(C, f'SEND with {name}', fr is not None and c.closed_at is None and err_code(fr) != 3003,
               f'{desc(fr)}; open={c.closed_at is None}')
    fr = c.request(SEND, send_body(f'after-{env.run}', SINGLE, peer['uid'], 'still alive'), 15)
    record(C, 'a normal SEND is acked after the malformed ones (logic pipeline alive)', fr is not None and fr['cmd'] == SEND_ACK, desc(fr))
    fr = c.request(PULL, pull_body(f"s_{min(U['uid'], peer['uid'])}_{max(U['uid'], peer['uid'])}", 1, 0, 1_000_000), 15)
    nmsg = len((fr['body'] or {}).get('messages', [])) if fr and fr['cmd'] == PULL_ACK else None
    record(C, 'PULL with limit 1,000,000', fr is not None and (nmsg is None or nmsg <= 200), f'{desc(fr)[:200]}')
    big = pushack_body([(f'g_{i}', i) for i in range(1, 5000)])[:65000]
    n0 = len(c.frames)
    for _ in range(20):
        c.send(PUSH_ACK, big)
    fr = c.request(PING, b'', 10)
    record(C, '20 PUSH_ACKs of 64 KB naming 5,000 conversations', fr is not None and fr['cmd'] == PONG,
           f'extra frames {[desc(f) for f in c.frames[n0:] if f["cmd"] != PONG][:3]}')
    c.close()


# ----------------------------------------------------------------------------------------------

def discover(a):
    if not a.log or not os.path.exists(a.log):
        return
    t = open(a.log, errors='replace').read()

    def find(pat, cur):
        m = re.search(pat, t)
        return int(m.group(1)) if m and not cur else cur
    a.api = find(r'account API\s+https?://[\d.]+:(\d+)', a.api)
    a.lsb = find(r'LSB\s+https?://[\d.]+:(\d+)', a.lsb)
    a.tcp = find(r'gate\s+tcp\s+[\d.]+:(\d+)', a.tcp)
    a.ws = find(r'wss?://[\d.]+:(\d+)/', a.ws)
    m = re.search(r'wss?://[\d.]+:\d+(/\S*?)[,\s)]', t)
    if m and not a.ws_path:
        a.ws_path = m.group(1)
    a.internal = find(r'internal[^\n]*?[\d.]+:(\d+)', a.internal)
    a.health = find(r'\[health\] serving[^\n]*? on [\d.]+:(\d+)', a.health)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--log', help='standalone log to read the ports from')
    ap.add_argument('--api', type=int)
    ap.add_argument('--lsb', type=int)
    ap.add_argument('--tcp', type=int)
    ap.add_argument('--ws', type=int)
    ap.add_argument('--ws-path')
    ap.add_argument('--internal', type=int)
    ap.add_argument('--health', type=int)
    ap.add_argument('--pid', type=int, help='server pid (default: owner of the TCP port, via ss)')
    ap.add_argument('--cluster-secret-file', help='operator-side positive control for the internal port (optional)')
    ap.add_argument('--only', default='1,2,3,4,5')
    ap.add_argument('--slow-count', type=int, default=20000)
    ap.add_argument('--slow-size', type=int, default=1024)
    ap.add_argument('--senders', type=int, default=4)
    ap.add_argument('--sender-rate', type=float, default=90.0, help='SENDs per second per sender connection')
    ap.add_argument('--slow-deadline', type=float, default=600)
    ap.add_argument('--reg-flood', type=int, default=40)
    ap.add_argument('--groups', type=int, default=300)
    ap.add_argument('--out', help='write the results as JSON here')
    a = ap.parse_args()
    discover(a)
    a.api, a.lsb, a.tcp, a.ws = a.api or 8081, a.lsb or 8080, a.tcp or 7000, a.ws or 7001
    a.ws_path = a.ws_path or '/ws'
    a.internal = a.internal or 7002
    env = Env(a)
    log(f'ports: api {a.api} lsb {a.lsb} tcp {a.tcp} ws {a.ws}{a.ws_path} internal {a.internal} health {a.health}; '
        f'pid {server_pid(env)}; run {env.run}; source net {env.net}.x')
    world = World(env)
    log(f'world: A={world.A["uid"]} B={world.B["uid"]} C={world.C["uid"]} GB={world.GB}')
    only = set(a.only.split(','))
    for k, fn in (('1', check1), ('2', check2), ('3', check3), ('4', check4), ('5', check5)):
        if k in only:
            log(f'===== check {k} =====')
            try:
                fn(env, world)
            except Exception as e:
                import traceback
                traceback.print_exc()
                record(k, 'check aborted', False, f'probe exception {e!r}')
    final = world.leaks(getattr(world, 'spoof_control_b_index', 0), 0, foreign_uids=(world.A['uid'],))
    record('all', 'B and C over the whole run: no foreign frame', not final, final[:5] or
           f'B {len(world.cB.frames)} frames, C {len(world.cC.frames)} frames, none foreign')
    print('\n===== summary =====')
    for r in RESULTS:
        print(f"{r['status']:4} {r['check']:>3} {r['name']}")
    print(f"PASS {sum(r['status'] == 'PASS' for r in RESULTS)}  FAIL {sum(r['status'] == 'FAIL' for r in RESULTS)}  "
          f"INFO {sum(r['status'] == 'INFO' for r in RESULTS)}")
    if a.out:
        json.dump(RESULTS, open(a.out, 'w'), indent=1, default=str)


if __name__ == '__main__':
    main()
