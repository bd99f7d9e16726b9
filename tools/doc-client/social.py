#!/usr/bin/env python3
"""Social features of Magpie (friends, blocks, dm-policy, presence, typing, groups), checked by a
client written only from README.md, docs/PROTOCOL.md (§7, §8, §9.13-§9.16) and the OpenAPI documents
(accounts.yaml, lsb.yaml). Python 3 standard library only; reuses the protobuf codec, frame parser,
transports and Device of conversation_state.py (same directory) and extends its schemas.

Usage: social.py [--api http://127.0.0.1:8081] [--lsb http://127.0.0.1:8080] [--grace 5]

Exits 0 when every check passed, 1 otherwise. Prints one PASS/FAIL line per check with evidence.
"""
import argparse
import os
import math
import struct
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conversation_state as cs  # noqa: E402

from conversation_state import (I, S, B, BY, SCHEMAS, CMD, CMD_NAME, BODY, ERR, DEFAULTS,  # noqa: E402
                                enc_varint, dec_varint, to_int64, Device, TcpTransport, WsTransport,
                                Http, MagpieError, RESULTS, check)

OS = "optional string"  # proto3 `optional string`: presence is visible on the wire
D = "double"  # protobuf double: wire type 1, 8 bytes little-endian (rich.py's Location)

# ---- §7 field tables added since conversation_state.py ----------------------------------------
SCHEMAS["MessageContent"][30] = ("group_event", "GroupEvent")
SCHEMAS["GroupEvent"] = {1: ("type", I), 2: ("operator_uid", I), 3: ("target_uids", [I]), 4: ("role", I),
                         5: ("mute_until", I), 6: ("mute_all", B), 7: ("name", OS), 8: ("avatar_url", OS),
                         9: ("announcement", OS), 10: ("invite_policy", I), 11: ("join_policy", I),
                         12: ("max_members", I), 13: ("member_count", I)}
SCHEMAS["Notice"].update({10: ("friend_request", "FriendRequest"), 11: ("friends_version", I),
                          20: ("presence", "PresenceState"), 30: ("group_id", I),
                          31: ("requester_uid", I), 32: ("join_message", S)})
SCHEMAS["FriendRequest"] = {1: ("request_id", I), 2: ("from_uid", I), 3: ("to_uid", I), 4: ("message", S),
                            5: ("state", I), 6: ("created_at", I), 7: ("updated_at", I)}
SCHEMAS["TypingRequest"] = {1: ("conversation_id", S)}
SCHEMAS["PresenceRequest"] = {1: ("query_uids", [I]), 2: ("set_watch", B), 3: ("watch_uids", [I])}
SCHEMAS["PresenceAck"] = {1: ("states", ["PresenceState"]), 2: ("watching", I)}
SCHEMAS["PresenceState"] = {1: ("uid", I), 2: ("online", B), 3: ("platforms", [I]), 4: ("device_count", I),
                            5: ("last_seen", I), 6: ("status_text", S)}
SCHEMAS["GroupRequest"] = {1: ("group_id", I), 2: ("client_msg_id", S), 10: ("invite", "GroupUids"),
                           11: ("join", "GroupJoin"), 12: ("approve_join", "GroupUid"),
                           13: ("reject_join", "GroupUid"), 14: ("leave", "GroupNone"), 15: ("kick", "GroupUids"),
                           16: ("set_role", "GroupSetRole"), 17: ("transfer_owner", "GroupUid"),
                           18: ("dismiss", "GroupNone"), 19: ("mute_member", "GroupMute"),
                           20: ("unmute_member", "GroupUid"), 21: ("mute_all", "GroupMuteAll"),
                           22: ("update", "GroupProfile"), 23: ("settings", "GroupSettings")}
SCHEMAS["GroupUids"] = {1: ("uids", [I])}
SCHEMAS["GroupUid"] = {1: ("uid", I)}
SCHEMAS["GroupNone"] = {}
SCHEMAS["GroupJoin"] = {1: ("message", S)}
SCHEMAS["GroupSetRole"] = {1: ("uid", I), 2: ("role", I)}
SCHEMAS["GroupMute"] = {1: ("uid", I), 2: ("duration_ms", I)}
SCHEMAS["GroupMuteAll"] = {1: ("muted", B)}
SCHEMAS["GroupProfile"] = {1: ("name", OS), 2: ("avatar_url", OS), 3: ("announcement", OS)}
SCHEMAS["GroupSettings"] = {1: ("invite_policy", I), 2: ("join_policy", I), 3: ("max_members", I)}
SCHEMAS["GroupAck"] = {1: ("group_id", I), 2: ("client_msg_id", S), 3: ("seq", I), 4: ("msg_id", I),
                       5: ("version", I), 6: ("pending", B)}

CMD.update(TYPING=26, GROUP=27, GROUP_ACK=28, PRESENCE=29, PRESENCE_ACK=30)
CMD_NAME.update({v: k for k, v in CMD.items()})
BODY.update({26: "TypingRequest", 27: "GroupRequest", 28: "GroupAck", 29: "PresenceRequest", 30: "PresenceAck"})
ERR.update({2007: "BLOCKED", 2008: "NOT_FRIEND", 2010: "NOT_ADMIN", 2011: "NOT_OWNER", 2012: "MEMBER_MUTED",
            2013: "GROUP_MUTED", 2014: "GROUP_FULL", 2015: "BLOCKED_BY_USER", 2016: "JOIN_NOT_ALLOWED",
            2017: "OWNER_CANNOT_LEAVE"})

SINGLE, GROUP, TEXT, SYSTEM = 1, 2, 1, 8
ANDROID, IOS, DESKTOP, WEB = 1, 2, 3, 4
N_FRIEND_REQUEST, N_FRIEND_ACCEPTED, N_FRIEND_REJECTED, N_FRIEND_REMOVED = 10, 11, 12, 13
N_FRIENDS_CHANGED, N_BLOCKS_CHANGED, N_FRIEND_REQUEST_CANCELLED = 14, 15, 16
N_PRESENCE, N_TYPING, N_GROUP_JOIN_REQUEST, N_GROUP_JOIN_REJECTED = 20, 21, 30, 31
FR_PENDING, FR_ACCEPTED, FR_REJECTED, FR_CANCELLED = 1, 2, 3, 4
ROLE_MEMBER, ROLE_ADMIN, ROLE_OWNER = 0, 1, 2
INVITE_MEMBERS, INVITE_ADMINS = 1, 2
JOIN_APPROVAL, JOIN_FREE, JOIN_CLOSED = 1, 2, 3
(GE_CREATED, GE_INVITED, GE_JOINED, GE_LEFT, GE_KICKED, GE_ROLE, GE_OWNER, GE_DISMISSED, GE_MUTED,
 GE_UNMUTED, GE_MUTE_ALL, GE_PROFILE, GE_SETTINGS) = range(1, 14)


# ---- codec with proto3 `optional` strings (encoded even when "", decoded as None when absent) and doubles ---
def encode(schema_name, msg):
    schema = SCHEMAS[schema_name]
    out = bytearray()
    for num in sorted(schema):
        name, typ = schema[num]
        if name not in msg or msg[name] is None:
            continue
        val = msg[name]
        if isinstance(typ, list):
            if not val:
                continue
            if typ[0] == I:
                payload = b"".join(enc_varint(v) for v in val)
                out += enc_varint(num << 3 | 2) + enc_varint(len(payload)) + payload
            else:
                for item in val:
                    payload = encode(typ[0], item)
                    out += enc_varint(num << 3 | 2) + enc_varint(len(payload)) + payload
        elif typ == I:
            if val:
                out += enc_varint(num << 3) + enc_varint(int(val))
        elif typ == B:
            if val:
                out += enc_varint(num << 3) + b"\x01"
        elif typ == D:
            if val != 0.0 or math.copysign(1.0, val) < 0:  # proto3: 0.0 is not encoded (NaN is)
                out += enc_varint(num << 3 | 1) + struct.pack("<d", float(val))
        elif typ in (S, BY, OS):
            data = val.encode("utf-8") if typ != BY else bytes(val)
            if data or typ == OS:
                out += enc_varint(num << 3 | 2) + enc_varint(len(data)) + data
        else:
            payload = encode(typ, val)
            out += enc_varint(num << 3 | 2) + enc_varint(len(payload)) + payload
    return bytes(out)


def decode(schema_name, buf):
    schema = SCHEMAS[schema_name]
    msg = {}
    for num, (name, typ) in schema.items():
        msg[name] = [] if isinstance(typ, list) else (0.0 if typ == D else DEFAULTS.get(typ))
    pos = 0
    while pos < len(buf):
        key, pos = dec_varint(buf, pos)
        num, wt = key >> 3, key & 7
        raw = data = None
        if wt == 0:
            raw, pos = dec_varint(buf, pos)
        elif wt == 2:
            ln, pos = dec_varint(buf, pos)
            data = bytes(buf[pos:pos + ln])
            pos += ln
        elif wt == 1:
            raw = struct.unpack_from("<Q", buf, pos)[0]
            pos += 8
        elif wt == 5:
            raw = struct.unpack_from("<I", buf, pos)[0]
            pos += 4
        else:
            raise ValueError("unsupported wire type %d" % wt)
        if num not in schema:
            continue
        name, typ = schema[num]
        if isinstance(typ, list):
            if typ[0] == I:
                if data is not None:
                    p = 0
                    while p < len(data):
                        v, p = dec_varint(data, p)
                        msg[name].append(to_int64(v))
                else:
                    msg[name].append(to_int64(raw))
            else:
                msg[name].append(decode(typ[0], data))
        elif typ == I:
            msg[name] = to_int64(raw)
        elif typ == B:
            msg[name] = bool(raw)
        elif typ == D:
            msg[name] = struct.unpack("<d", struct.pack("<Q", raw))[0]
        elif typ in (S, OS):
            msg[name] = data.decode("utf-8")
        elif typ == BY:
            msg[name] = data
        else:
            msg[name] = decode(typ, data)
    return msg


cs.encode, cs.decode = encode, decode  # Device uses the module's globals


# ---- helpers ------------------------------------------------------------------------------------
def brief(m, keys=None):
    if m is None:
        return None
    return {k: v for k, v in m.items() if k != "_raw" and (keys is None or k in keys)
            and v not in (0, "", False, [], None)}


def notice(ntype, **fields):
    def pred(c, m):
        if c != CMD["NOTICE"] or m["type"] != ntype:
            return False
        return all(m.get(k) == v for k, v in fields.items())
    return pred


def expect_error(fn):
    """Run a request expected to be refused; return the Error dict (or a dict describing what came)."""
    try:
        res = fn()
        return {"code": 0, "message": "accepted: %s" % (brief(res),), "command": 0, "retryable": False}
    except MagpieError as e:
        return e.err
    except Exception as e:  # noqa
        return {"code": -1, "message": repr(e), "command": 0, "retryable": False}


def err_ok(err, name, command):
    return ERR.get(err["code"]) == name and err["command"] == CMD[command] and not err["retryable"]


def err_s(err):
    return "ERROR %s(%s) command=%s retryable=%s %r" % (ERR.get(err["code"], "?"), err["code"], err["command"],
                                                       err["retryable"], err["message"][:120])


def typing(dev, cid):
    rid = dev._next_rid()
    dev._write(CMD["TYPING"], rid, encode("TypingRequest", {"conversation_id": cid}))
    return rid


def wait_response(dev, rid, timeout):
    deadline = time.time() + timeout
    with dev.cv:
        while rid not in dev.responses:
            left = deadline - time.time()
            if left <= 0:
                return None
            dev.cv.wait(left)
        return dev.responses.pop(rid)


def presence(dev, query=None, watch=None):
    req = {"query_uids": query or []}
    if watch is not None:
        req.update(set_watch=True, watch_uids=watch)
    return dev.request("PRESENCE", "PresenceRequest", req, "PRESENCE_ACK")


def gop(dev, gid, op, body, cmid=None):
    return dev.request("GROUP", "GroupRequest", {"group_id": gid, "client_msg_id": cmid or str(uuid.uuid4()),
                                                 op: body}, "GROUP_ACK")


def ge(m):
    """The GroupEvent of a SYSTEM message, or None."""
    if m and m["content"] and m["content"]["type"] == SYSTEM:
        return m["content"]["group_event"]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api", default="http://127.0.0.1:8081")
    ap.add_argument("--lsb", default="http://127.0.0.1:8080")
    ap.add_argument("--grace", type=float, default=5.0, help="logic.presence.offline-grace of the server, s")
    args = ap.parse_args()
    api, lsb = Http(args.api), Http(args.lsb)
    t0 = time.time()

    # ================= 1. accounts, sessions, LOGIN =================
    sfx = uuid.uuid4().hex[:8]
    pw = "pw-" + sfx + "-secret"
    U = {}
    for who in "abcde":
        name = "soc%s_%s" % (who, sfx)
        st, body = api.call("POST", "/v1/accounts", {"username": name, "password": pw})
        check("register %s" % who.upper(), st == 201 and isinstance(body.get("uid"), int), "%s %s" % (st, body))
        U[who] = {"name": name, "uid": body["uid"]}
    A, Bu, C, D, E = (U[w]["uid"] for w in "abcde")

    def session(who, device, platform):
        st, body = api.call("POST", "/v1/sessions", {"username": U[who]["name"], "password": pw,
                                                     "deviceId": device, "platform": platform})
        if st != 200:
            check("session %s/%s" % (who.upper(), device), False, "%s %s" % (st, body))
        return body

    def connect(label, sess, ws=False):
        st, gate = lsb.call("GET", "/v1/gate")  # ask on every connect (§1.2)
        if gate.get("tls"):
            raise SystemExit("gate requires TLS; this client speaks plaintext only")
        d = Device(label, WsTransport(gate["ws"]) if ws else TcpTransport(gate["tcp"]))
        d.login(sess["token"])
        return d

    sa1, sa2 = session("a", "a-phone", "ANDROID"), session("a", "a-web", "WEB")
    sb1, sb2 = session("b", "b-phone", "IOS"), session("b", "b-web", "WEB")
    sc, sd, se = session("c", "c-desk", "DESKTOP"), session("d", "d-phone", "ANDROID"), session("e", "e-phone", "IOS")
    tok = {A: sa1["token"], Bu: sb1["token"], C: sc["token"], D: sd["token"], E: se["token"]}
    a1 = connect("A/tcp", sa1)
    a2 = connect("A/ws", sa2, ws=True)
    b1 = connect("B/tcp", sb1)
    c1 = connect("C/tcp", sc)
    d1 = connect("D/tcp", sd)
    check("LOGIN A/tcp, A/ws (WebSocket), B, C, D over TCP", all(x.uid for x in (a1, a2, b1, c1, d1)),
          "uids A=%d B=%d C=%d D=%d E=%d" % (A, Bu, C, D, E))

    # ================= 2. friends (§9.13) =================
    st, fr = api.call("POST", "/v1/friends/requests", {"toUid": Bu, "message": "hi B, it's A"}, token=tok[A])
    ok = st == 201 and isinstance(fr.get("requestId"), str) and fr["state"] == "PENDING"
    check("A POST /v1/friends/requests -> 201 PENDING, requestId a string", ok, "%s %s" % (st, fr))
    rid = int(fr["requestId"]) if ok else 0
    print("      note: requestId %s is %s 2^53" % (fr.get("requestId"), "above" if rid > 2 ** 53 else "NOT above"))
    ev = b1.wait_event(notice(N_FRIEND_REQUEST))
    f = ev and ev[1]["friend_request"]
    check("B gets NOTICE_FRIEND_REQUEST (uid=A, friend_request PENDING with message)",
          ev and ev[1]["uid"] == A and f and f["request_id"] == rid and f["state"] == FR_PENDING
          and f["message"] == "hi B, it's A" and f["from_uid"] == A and f["to_uid"] == Bu
          and ev[1]["friends_version"] == 0, "NOTICE=%s" % brief(ev and ev[1]))
    for d in (a1, a2):
        ev = d.wait_event(notice(N_FRIENDS_CHANGED))
        check("%s (caller's devices, calling one incl.) NOTICE_FRIENDS_CHANGED, friends_version 0" % d.label,
              ev and ev[1]["friend_request"] and ev[1]["friend_request"]["request_id"] == rid
              and ev[1]["friends_version"] == 0, "NOTICE=%s" % brief(ev and ev[1]))
    st, fr2 = api.call("POST", "/v1/friends/requests", {"toUid": Bu, "message": "hi again\nA"}, token=tok[A])
    check("A asks again while pending -> 200 same requestId, new message",
          st == 200 and fr2.get("requestId") == fr.get("requestId") and fr2.get("message") == "hi again\nA",
          "%s %s" % (st, fr2))
    ev = b1.wait_event(notice(N_FRIEND_REQUEST))
    check("B gets NOTICE_FRIEND_REQUEST again with the new message",
          ev and ev[1]["friend_request"]["message"] == "hi again\nA", "NOTICE=%s" % brief(ev and ev[1]))
    st, lst = api.call("GET", "/v1/friends/requests", token=tok[Bu])
    check("B GET /v1/friends/requests: incoming has it", st == 200 and [r["requestId"] for r in lst["incoming"]]
          == [fr.get("requestId")] and lst["outgoing"] == [], "%s %s" % (st, lst))
    st, acc = api.call("POST", "/v1/friends/requests/%s/accept" % fr.get("requestId"), token=tok[Bu])
    vb = acc.get("friendsVersion") if isinstance(acc, dict) else None
    check("B accepts -> 200 {request ACCEPTED, friendsVersion string}",
          st == 200 and acc["request"]["state"] == "ACCEPTED" and isinstance(vb, str) and int(vb) > 0,
          "%s %s" % (st, acc))
    ev = a1.wait_event(notice(N_FRIEND_ACCEPTED))
    va = ev[1]["friends_version"] if ev else 0
    check("A gets NOTICE_FRIEND_ACCEPTED (uid=B, friends_version)",
          ev and ev[1]["uid"] == Bu and ev[1]["friend_request"]["state"] == FR_ACCEPTED and va > 0,
          "NOTICE=%s" % brief(ev and ev[1]))
    ev2 = a2.wait_event(notice(N_FRIEND_ACCEPTED))
    check("A/ws also gets NOTICE_FRIEND_ACCEPTED", ev2 is not None, "NOTICE=%s" % brief(ev2 and ev2[1]))
    ev = b1.wait_event(notice(N_FRIENDS_CHANGED))
    check("B gets NOTICE_FRIENDS_CHANGED friends_version == accept's friendsVersion",
          ev and vb and ev[1]["friends_version"] == int(vb) and ev[1]["uid"] == Bu,
          "NOTICE=%s" % brief(ev and ev[1]))
    st, fa = api.call("GET", "/v1/friends?sinceVersion=0", token=tok[A])
    check("A GET /v1/friends?sinceVersion=0 -> [B], version string == NOTICE's friends_version",
          st == 200 and [(x["uid"], x["removed"]) for x in fa["friends"]] == [(Bu, False)]
          and fa["version"] == str(va) and isinstance(fa["friends"][0]["version"], str) and fa["hasMore"] is False,
          "%s %s" % (st, fa))
    st, fb = api.call("GET", "/v1/friends?sinceVersion=0&limit=10", token=tok[Bu])
    check("B GET /v1/friends -> [A], version == accept's friendsVersion",
          st == 200 and [x["uid"] for x in fb["friends"]] == [A] and fb["version"] == vb, "%s %s" % (st, fb))
    st, fa2 = api.call("GET", "/v1/friends?sinceVersion=%s" % fa.get("version"), token=tok[A])
    check("A GET /v1/friends since its version -> nothing new", st == 200 and fa2["friends"] == [],
          "%s %s" % (st, fa2))
    st, again = api.call("POST", "/v1/friends/requests/%s/accept" % fr.get("requestId"), token=tok[Bu])
    check("accept again -> 409 NOT_PENDING", st == 409 and again.get("code") == "NOT_PENDING", "%s %s" % (st, again))
    st, again = api.call("POST", "/v1/friends/requests", {"toUid": Bu}, token=tok[A])
    check("A asks B again -> 409 ALREADY_FRIENDS", st == 409 and again.get("code") == "ALREADY_FRIENDS",
          "%s %s" % (st, again))
    # reject and withdraw flows (C -> A rejected; C -> D withdrawn)
    st, frc = api.call("POST", "/v1/friends/requests", {"toUid": A, "message": ""}, token=tok[C])
    st2, rej = api.call("POST", "/v1/friends/requests/%s/reject" % frc.get("requestId"), token=tok[A])
    ev = c1.wait_event(notice(N_FRIEND_REJECTED))
    check("A rejects C's request -> 200 friendsVersion \"0\"; C gets NOTICE_FRIEND_REJECTED uid=A",
          st == 201 and st2 == 200 and rej.get("friendsVersion") == "0" and rej["request"]["state"] == "REJECTED"
          and ev and ev[1]["uid"] == A and ev[1]["friend_request"]["state"] == FR_REJECTED,
          "%s/%s %s NOTICE=%s" % (st, st2, rej, brief(ev and ev[1])))
    st, frd = api.call("POST", "/v1/friends/requests", {"toUid": D, "message": "yo"}, token=tok[C])
    st2, wd = api.call("DELETE", "/v1/friends/requests/%s" % frd.get("requestId"), token=tok[C])
    ev = d1.wait_event(notice(N_FRIEND_REQUEST_CANCELLED))
    check("C withdraws its request to D -> 200 CANCELLED; D gets NOTICE_FRIEND_REQUEST_CANCELLED uid=C",
          st2 == 200 and wd["request"]["state"] == "CANCELLED" and ev and ev[1]["uid"] == C
          and ev[1]["friend_request"]["state"] == FR_CANCELLED, "%s %s NOTICE=%s" % (st2, wd, brief(ev and ev[1])))
    d1.wait_event(notice(N_FRIEND_REQUEST), timeout=0.5)

    # ================= 3. dm-policy and blocks (§9.13) =================
    cid_bc = "s_%d_%d" % (min(Bu, C), max(Bu, C))
    st, _ = api.call("PUT", "/v1/me/settings/dm-policy", {"policy": "FRIENDS"}, token=tok[Bu])
    st2, pol = api.call("GET", "/v1/me/settings/dm-policy", token=tok[Bu])
    check("B PUT dm-policy FRIENDS -> 204; GET -> FRIENDS", st == 204 and pol == {"policy": "FRIENDS"},
          "%s / %s %s" % (st, st2, pol))
    err = expect_error(lambda: c1.send_text(SINGLE, Bu, "hello B from C"))
    check("C (not a friend) SEND to B -> ERROR NOT_FRIEND (2008)", err_ok(err, "NOT_FRIEND", "SEND"), err_s(err))
    ack = cs_try(lambda: a1.send_text(SINGLE, Bu, "hello B from friend A"))
    check("A (friend) SEND to B -> SEND_ACK", ack is not None, "SEND_ACK=%s" % brief(ack))
    ack = cs_try(lambda: b1.send_text(SINGLE, C, "B may write to C"))
    check("B (FRIENDS policy) may still SEND to non-friend C", ack is not None and ack["conversation_id"] == cid_bc,
          "SEND_ACK=%s" % brief(ack))
    c1.wait_messages([(cid_bc, 1)])
    err = expect_error(lambda: c1.send_text(SINGLE, Bu, "reply in existing conversation"))
    check("C replies in the existing conversation -> still NOT_FRIEND", err_ok(err, "NOT_FRIEND", "SEND"), err_s(err))
    st, _ = api.call("PUT", "/v1/blocks/%d" % C, token=tok[Bu])
    ev = b1.wait_event(notice(N_BLOCKS_CHANGED))
    check("B PUT /v1/blocks/C -> 204; B gets NOTICE_BLOCKS_CHANGED uid=C", st == 204 and ev and ev[1]["uid"] == C,
          "%s NOTICE=%s" % (st, brief(ev and ev[1])))
    ev = c1.wait_event(notice(N_BLOCKS_CHANGED), timeout=1)
    check("C (the blocked user) is not told", ev is None, "NOTICE=%s" % brief(ev and ev[1]))
    st, bl = api.call("GET", "/v1/blocks", token=tok[Bu])
    check("B GET /v1/blocks -> [C]", st == 200 and [x["uid"] for x in bl["blocks"]] == [C]
          and bl["blocks"][0]["blockedAt"] > 0, "%s %s" % (st, bl))
    err = expect_error(lambda: c1.send_text(SINGLE, Bu, "blocked?"))
    check("C SEND to B (blocked and FRIENDS policy) -> BLOCKED (2007, blocks checked first)",
          err_ok(err, "BLOCKED", "SEND"), err_s(err))
    st, _ = api.call("PUT", "/v1/me/settings/dm-policy", {"policy": "ANYONE"}, token=tok[Bu])
    err = expect_error(lambda: c1.send_text(SINGLE, Bu, "blocked, policy ANYONE"))
    check("C SEND to B (blocked, policy ANYONE) -> BLOCKED (2007)", st == 204 and err_ok(err, "BLOCKED", "SEND"),
          err_s(err))
    st, x = api.call("POST", "/v1/friends/requests", {"toUid": Bu}, token=tok[C])
    check("C friend request to B -> 403 BLOCKED", st == 403 and x.get("code") == "BLOCKED", "%s %s" % (st, x))
    st, x = api.call("POST", "/v1/friends/requests", {"toUid": C}, token=tok[Bu])
    check("B friend request to C -> 409 UNBLOCK_FIRST", st == 409 and x.get("code") == "UNBLOCK_FIRST",
          "%s %s" % (st, x))
    ack = cs_try(lambda: b1.send_text(SINGLE, C, "B still writes to C"))
    check("B (the blocker) may still SEND to C", ack is not None, "SEND_ACK=%s" % brief(ack))
    rows, _, _ = b1.sync_all(0)
    check("B's conversation with C has only B's messages (refused SENDs not stored)",
          rows.get(cid_bc) and rows[cid_bc]["last_seq"] == 2, "row last_seq=%s" % (rows.get(cid_bc) or {}).get("last_seq"))

    # ================= 4. presence (§9.14), B still blocks C =================
    st, me = api.call("PUT", "/v1/me/presence", {"statusText": "climbing \u26f0"}, token=tok[Bu])
    check("B PUT /v1/me/presence {statusText} -> 200 settings", st == 200 and me.get("statusText") == "climbing \u26f0"
          and me.get("hidden") is False, "%s %s" % (st, me))
    st, me2 = api.call("GET", "/v1/me/presence", token=tok[Bu])
    check("B GET /v1/me/presence", st == 200 and me2 == me, "%s %s" % (st, me2))
    ev = a1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=6)
    check("A (friend) gets NOTICE_PRESENCE for B's status text", ev and ev[1]["presence"]
          and ev[1]["presence"]["status_text"] == "climbing \u26f0", "NOTICE=%s" % brief(ev and ev[1]))
    pa = cs_try(lambda: presence(a1, [Bu, Bu, 999999999]))
    s = pa and pa["states"]
    check("A PRESENCE query [B, B, unknown] -> 2 states (repeat once), B online [IOS] 1 device",
          s and len(s) == 2 and s[0]["uid"] == Bu and s[0]["online"] and s[0]["platforms"] == [IOS]
          and s[0]["device_count"] == 1 and s[0]["status_text"] == "climbing \u26f0" and s[0]["last_seen"] == 0
          and s[1]["uid"] == 999999999 and not s[1]["online"] and pa["watching"] == 0,
          "PRESENCE_ACK=%s" % ([brief(x) for x in s] if s else pa))
    pd = cs_try(lambda: presence(d1, [Bu], watch=[Bu, D]))
    check("D (no friend) sets watch list [B, D(self)] -> watching 1", pd and pd["watching"] == 1
          and pd["states"][0]["online"], "PRESENCE_ACK=%s" % (pd and {"watching": pd["watching"],
                                                                      "states": [brief(x) for x in pd["states"]]}))
    pc = cs_try(lambda: presence(c1, [Bu], watch=[Bu]))
    sc0 = pc and pc["states"][0]
    check("C (blocked by B) query of B -> uid alone, offline, no status",
          sc0 and sc0["uid"] == Bu and not sc0["online"] and sc0["device_count"] == 0 and sc0["platforms"] == []
          and sc0["status_text"] == "" and sc0["last_seen"] == 0, "state=%s" % brief(sc0))
    err = expect_error(lambda: presence(a1, [0]))
    check("PRESENCE with uid 0 -> BAD_REQUEST", err_ok(err, "BAD_REQUEST", "PRESENCE"), err_s(err))
    err = expect_error(lambda: presence(a1, list(range(1, 202))))
    check("PRESENCE with 201 query uids -> BAD_REQUEST naming the cap", err_ok(err, "BAD_REQUEST", "PRESENCE"),
          err_s(err))
    time.sleep(2.2)  # min-interval
    for d in (a1, a2, d1):
        d.wait_event(notice(N_PRESENCE, uid=Bu), timeout=0.1)
    b2 = connect("B/ws", sb2, ws=True)
    ev = a1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=6)
    p = ev and ev[1]["presence"]
    check("B's 2nd device (WEB) -> A gets NOTICE_PRESENCE platforms [IOS, WEB] devices 2",
          p and p["online"] and p["platforms"] == [IOS, WEB] and p["device_count"] == 2 and p["uid"] == Bu,
          "presence=%s" % brief(p))
    ev = d1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=6)
    check("D (explicit watcher) gets the same NOTICE_PRESENCE", ev and ev[1]["presence"]["device_count"] == 2,
          "presence=%s" % brief(ev and ev[1]["presence"]))
    time.sleep(2.2)
    b2.close()  # one of two devices goes: a device_count change while online
    t_close = time.time()
    ev = a1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=args.grace + 10)
    dt = time.time() - t_close
    p = ev and ev[1]["presence"]
    check("B's WEB device disconnects -> A gets NOTICE_PRESENCE online, [IOS], 1 device",
          p and p["online"] and p["platforms"] == [IOS] and p["device_count"] == 1,
          "after %.1f s presence=%s" % (dt, brief(p)))
    print("      note: a device leaving while another stays was announced after %.1f s "
          "(offline-grace %.0f s, min-interval 2 s)" % (dt, args.grace))
    d1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=2)
    time.sleep(2.2)
    b1.close()
    t_close = time.time()
    ev = a1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=args.grace + 10)
    dt = time.time() - t_close
    p = ev and ev[1]["presence"]
    check("B disconnects -> A gets NOTICE_PRESENCE offline after the grace (%.0f s)" % args.grace,
          p and not p["online"] and p["device_count"] == 0 and p["platforms"] == [] and p["last_seen"] > 0
          and args.grace - 0.5 <= dt <= args.grace + 5, "after %.1f s presence=%s" % (dt, brief(p)))
    ev = d1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=3)
    check("D (watcher) gets the offline NOTICE too", ev and not ev[1]["presence"]["online"],
          "presence=%s" % brief(ev and ev[1]["presence"]))
    ev = c1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=0.5)
    check("C (watches B, but B blocked C) got no NOTICE_PRESENCE", ev is None, "NOTICE=%s" % brief(ev and ev[1]))
    pa = cs_try(lambda: presence(a1, [Bu]))
    s = pa and pa["states"][0]
    check("A PRESENCE query of B -> offline, last_seen set, status kept",
          s and not s["online"] and s["last_seen"] > 0 and s["status_text"] == "climbing \u26f0",
          "state=%s" % brief(s))
    st, me3 = api.call("GET", "/v1/me/presence", token=tok[Bu])
    check("B GET /v1/me/presence lastSeen == PresenceState.last_seen",
          st == 200 and s and me3.get("lastSeen") == s["last_seen"], "%s %s" % (st, me3))
    b1 = connect("B/tcp#2", sb1)
    ev = a1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=6)
    check("B reconnects -> A gets NOTICE_PRESENCE online", ev and ev[1]["presence"]["online"],
          "presence=%s" % brief(ev and ev[1]["presence"]))

    # ================= 5. typing (§9.15) =================
    cid_ab = "s_%d_%d" % (min(A, Bu), max(A, Bu))
    trid = typing(a1, cid_ab)
    ev = b1.wait_event(notice(N_TYPING, conversation_id=cid_ab))
    check("A TYPING in s_A_B -> B NOTICE_TYPING {conversation_id, uid=A}, nothing else set",
          ev and ev[1]["uid"] == A and brief(ev[1]) == {"type": N_TYPING, "conversation_id": cid_ab, "uid": A},
          "NOTICE=%s" % brief(ev and ev[1]))
    ev1 = a1.wait_event(notice(N_TYPING), timeout=1)
    ev2 = a2.wait_event(notice(N_TYPING), timeout=0.1)
    r = wait_response(a1, trid, 0.1)
    check("not to A's own devices (tcp, ws), no answer to TYPING", ev1 is None and ev2 is None and r is None,
          "A/tcp=%s A/ws=%s answer=%s" % (ev1, ev2, r))
    err = None
    rid = typing(a1, "s_1_x")
    r = wait_response(a1, rid, 5)
    check("TYPING with a malformed conversation id -> ERROR BAD_REQUEST with its request id",
          r and r[0] == CMD["ERROR"] and err_ok(r[1], "BAD_REQUEST", "TYPING"), "answer=%s" % (r and err_s(r[1])))
    for _ in range(4):
        typing(c1, cid_bc)  # C is blocked by B: nothing may reach B
    ev = b1.wait_event(notice(N_TYPING, conversation_id=cid_bc), timeout=1.5)
    check("C (blocked by B) TYPING in s_B_C x4 -> nothing reaches B, no ERROR",
          ev is None and not c1.events_of("ERROR"), "NOTICE=%s errors=%s" % (brief(ev and ev[1]), c1.events_of("ERROR")))
    time.sleep(1.1)
    for _ in range(5):
        typing(a2, cid_ab)
    time.sleep(1.5)
    n = 0
    while b1.wait_event(notice(N_TYPING, conversation_id=cid_ab), timeout=0.2):
        n += 1
    check("A/ws TYPING x5 at once -> B gets at most 2 (typing-burst), no ERROR", 1 <= n <= 2 and
          not any(r[0] == CMD["ERROR"] for r in list(a2.responses.values())), "B got %d NOTICE_TYPING" % n)

    # ================= 6. groups (§9.16) =================
    st, g = api.call("POST", "/v1/groups", {"name": "  social " + sfx, "members": [Bu, Bu]}, token=tok[A])
    check("A POST /v1/groups {members [B, B]} -> 201, members [A, B]",
          st == 201 and g["members"] == sorted([A, Bu]) and g["ownerUid"] == A, "%s %s" % (st, g))
    gid = g["groupId"]
    gcid = "g_%d" % gid
    b1.wait_messages([(gcid, 1)])
    m1 = b1.messages.get((gcid, 1))
    e = ge(m1)
    check("B gets PUSH seq 1 SYSTEM GROUP_CREATED (operator A, targets [B], name, member_count 2)",
          e and e["type"] == GE_CREATED and e["operator_uid"] == A and m1["sender_uid"] == A
          and e["target_uids"] == [Bu] and e["name"] == "social " + sfx and e["member_count"] == 2
          and m1["conversation_type"] == GROUP, "msg=%s event=%s" % (brief(m1, ("seq", "sender_uid", "conversation_id")),
                                                                     brief(e)))
    ok = a1.wait_messages([(gcid, 1)], timeout=3) and a2.wait_messages([(gcid, 1)], timeout=3)
    check("A's devices get GROUP_CREATED too", ok, "A/tcp=%s A/ws=%s" % ((gcid, 1) in a1.messages, (gcid, 1) in a2.messages))
    rows, _, tot = b1.sync_all(0)
    r = rows.get(gcid)
    check("B SYNC: group row, GROUP_CREATED not unread", r and r["last_seq"] == 1 and r["unread_count"] == 0,
          "row=%s" % brief(r, ("last_seq", "read_seq", "unread_count", "cleared_seq")))

    seqs = {}  # seq -> (op, GroupAck)

    def op(dev, name, body, step, cmid=None):
        try:
            ack = gop(dev, gid, name, body, cmid)
        except Exception as ex:  # noqa
            check(step, False, "exception %r" % ex)
            return None
        seqs[ack["seq"]] = (name, ack)
        return ack

    # invite C -> seq 2
    ack = op(a1, "invite", {"uids": [C]}, "invite")
    check("A GROUP invite [C] -> GROUP_ACK seq 2, version == msg_id",
          ack and ack["seq"] == 2 and ack["group_id"] == gid and ack["msg_id"] > 0 and ack["version"] == ack["msg_id"]
          and not ack["pending"], "GROUP_ACK=%s" % brief(ack))
    for dev in (b1, c1, a2):
        got = dev.wait_messages([(gcid, 2)])
        m = dev.messages.get((gcid, 2))
        e = ge(m)
        check("%s gets PUSH seq 2 MEMBERS_INVITED [C] member_count 3" % dev.label,
              got and e and e["type"] == GE_INVITED and e["target_uids"] == [C] and e["operator_uid"] == A
              and e["member_count"] == 3 and m["msg_id"] == ack["msg_id"], "event=%s" % brief(e))
    got = a1.wait_messages([(gcid, 2)], timeout=1.5)
    check("the acting connection A/tcp gets no PUSH of it", not got, "A/tcp holds seq 2: %s" % got)
    rows, _, _ = c1.sync_all(0)
    r = rows.get(gcid)
    check("C SYNC: cleared_seq 1 (joined at 2), not unread", r and r["cleared_seq"] == 1 and r["last_seq"] == 2
          and r["unread_count"] == 0, "row=%s" % brief(r, ("last_seq", "cleared_seq", "unread_count", "read_seq")))
    pm = cs_try(lambda: c1.pull(gcid, from_seq=1))
    check("C PULL from 1 -> only seq 2", pm and [m["seq"] for m in pm["messages"]] == [2],
          "seqs=%s" % (pm and [m["seq"] for m in pm["messages"]]))
    cmid_inv = seqs[2][1]["client_msg_id"] if 2 in seqs else "x"
    again = cs_try(lambda: gop(a1, gid, "invite", {"uids": [C]}, cmid_inv))
    check("resend with the same client_msg_id -> the same GROUP_ACK", again and ack and again["seq"] == 2
          and again["msg_id"] == ack["msg_id"], "GROUP_ACK=%s" % brief(again))
    err = expect_error(lambda: gop(a1, gid, "invite", {"uids": [Bu, C]}))
    check("invite of members only -> BAD_REQUEST", err_ok(err, "BAD_REQUEST", "GROUP"), err_s(err))
    # a text message, then the refused op
    tack = cs_try(lambda: c1.send_text(GROUP, gid, "hello from C"))
    check("C SEND to the group -> seq 3", tack and tack["seq"] == 3, "SEND_ACK=%s" % brief(tack))
    ok = b1.wait_messages([(gcid, 3)])
    check("group messages not filtered by blocks: B (blocks C) receives C's message", ok,
          "B holds seq 3: %s" % ok)
    err = expect_error(lambda: gop(c1, gid, "kick", {"uids": [Bu]}))
    check("C (plain member) kick B -> NOT_ADMIN (2010)", err_ok(err, "NOT_ADMIN", "GROUP"), err_s(err))
    ack = op(a1, "set_role", {"uid": Bu, "role": ROLE_ADMIN}, "set_role")
    c1.wait_messages([(gcid, 4)])
    e = ge(c1.messages.get((gcid, 4)))
    check("A set_role B ADMIN -> seq 4 ROLE_CHANGED [B] role ADMIN", ack and ack["seq"] == 4 and e
          and e["type"] == GE_ROLE and e["target_uids"] == [Bu] and e["role"] == ROLE_ADMIN,
          "ack=%s event=%s" % (brief(ack, ("seq",)), brief(e)))
    err = expect_error(lambda: gop(b1, gid, "kick", {"uids": [A]}))
    check("B (admin) kicks the owner -> NOT_OWNER (2011)", err_ok(err, "NOT_OWNER", "GROUP"), err_s(err))
    err = expect_error(lambda: gop(b1, gid, "set_role", {"uid": C, "role": ROLE_ADMIN}))
    check("B (admin) set_role -> NOT_OWNER", err_ok(err, "NOT_OWNER", "GROUP"), err_s(err))
    err = expect_error(lambda: gop(a1, gid, "leave", {}))
    check("A (owner) leave -> OWNER_CANNOT_LEAVE (2017)", err_ok(err, "OWNER_CANNOT_LEAVE", "GROUP"), err_s(err))
    err = expect_error(lambda: gop(a1, gid, "kick", {"uids": [A]}))
    check("A kicks itself -> BAD_REQUEST", err_ok(err, "BAD_REQUEST", "GROUP"), err_s(err))
    # mute member
    now = int(time.time() * 1000)
    ack = op(b1, "mute_member", {"uid": C, "duration_ms": 60000}, "mute_member")
    c1.wait_messages([(gcid, 5)])
    e = ge(c1.messages.get((gcid, 5)))
    check("B (admin) mutes C 60 s -> seq 5 MEMBER_MUTED mute_until ~now+60s",
          ack and ack["seq"] == 5 and e and e["type"] == GE_MUTED and e["target_uids"] == [C]
          and now + 55000 <= e["mute_until"] <= now + 70000 and e["operator_uid"] == Bu,
          "event=%s" % brief(e))
    err = expect_error(lambda: c1.send_text(GROUP, gid, "muted?"))
    check("C SEND while muted -> MEMBER_MUTED (2012)", err_ok(err, "MEMBER_MUTED", "SEND"), err_s(err))
    ack = op(b1, "unmute_member", {"uid": C}, "unmute")
    c1.wait_messages([(gcid, 6)])
    e = ge(c1.messages.get((gcid, 6)))
    check("unmute C -> seq 6 MEMBER_UNMUTED mute_until 0", ack and ack["seq"] == 6 and e
          and e["type"] == GE_UNMUTED and e["mute_until"] == 0, "event=%s" % brief(e))
    err = expect_error(lambda: gop(b1, gid, "unmute_member", {"uid": C}))
    check("unmute of someone not muted -> BAD_REQUEST", err_ok(err, "BAD_REQUEST", "GROUP"), err_s(err))
    # mute all
    ack = op(a1, "mute_all", {"muted": True}, "mute_all")
    c1.wait_messages([(gcid, 7)])
    e = ge(c1.messages.get((gcid, 7)))
    check("A mute_all true -> seq 7 MUTE_ALL_CHANGED mute_all", ack and ack["seq"] == 7 and e
          and e["type"] == GE_MUTE_ALL and e["mute_all"] is True, "event=%s" % brief(e))
    err = expect_error(lambda: c1.send_text(GROUP, gid, "all muted?"))
    check("C SEND under mute_all -> GROUP_MUTED (2013)", err_ok(err, "GROUP_MUTED", "SEND"), err_s(err))
    bs = cs_try(lambda: b1.send_text(GROUP, gid, "admin speaks"))
    check("B (admin) SEND under mute_all -> seq 8", bs and bs["seq"] == 8, "SEND_ACK=%s" % brief(bs))
    ack = op(a1, "mute_all", {"muted": False}, "mute_all off")
    c1.wait_messages([(gcid, 9)])
    e = ge(c1.messages.get((gcid, 9)))
    check("mute_all false (empty GroupMuteAll body) -> seq 9 MUTE_ALL_CHANGED false", ack and ack["seq"] == 9 and e
          and e["type"] == GE_MUTE_ALL and e["mute_all"] is False, "event=%s" % brief(e))
    # update profile
    ack = op(b1, "update", {"announcement": "be nice", "avatar_url": ""}, "update")
    c1.wait_messages([(gcid, 10)])
    e = ge(c1.messages.get((gcid, 10)))
    check("B update {announcement, avatar_url \"\"} -> seq 10 PROFILE_UPDATED, name absent",
          ack and ack["seq"] == 10 and e and e["type"] == GE_PROFILE and e["announcement"] == "be nice"
          and e["name"] is None, "event=%s (avatar_url=%r)" % (brief(e), e and e["avatar_url"]))
    err = expect_error(lambda: gop(c1, gid, "update", {"name": "hijack"}))
    check("C update -> NOT_ADMIN", err_ok(err, "NOT_ADMIN", "GROUP"), err_s(err))
    err = expect_error(lambda: gop(a1, gid, "update", {}))
    check("update with no field -> BAD_REQUEST", err_ok(err, "BAD_REQUEST", "GROUP"), err_s(err))
    # join under JOIN_APPROVAL (default): D asks, A rejects, D asks again, B approves
    jack = cs_try(lambda: gop(d1, gid, "join", {"message": "let me in"}))
    check("D join (JOIN_APPROVAL default) -> GROUP_ACK pending, seq 0",
          jack and jack["pending"] and jack["seq"] == 0 and jack["msg_id"] == 0, "GROUP_ACK=%s" % brief(jack))
    for dev in (a1, a2, b1):
        ev = dev.wait_event(notice(N_GROUP_JOIN_REQUEST, group_id=gid))
        check("%s (admin/owner) NOTICE_GROUP_JOIN_REQUEST {group, uid=D, join_message}" % dev.label,
              ev and ev[1]["uid"] == D and ev[1]["conversation_id"] == gcid and ev[1]["join_message"] == "let me in",
              "NOTICE=%s" % brief(ev and ev[1]))
    ev = c1.wait_event(notice(N_GROUP_JOIN_REQUEST), timeout=0.5)
    check("C (plain member) gets no join request notice", ev is None, "NOTICE=%s" % brief(ev and ev[1]))
    st, jr = api.call("GET", "/v1/groups/%d/join-requests?afterUid=0&limit=10" % gid, token=tok[Bu])
    check("B GET join-requests -> [D]", st == 200 and [x["uid"] for x in jr["requests"]] == [D]
          and jr["requests"][0]["message"] == "let me in", "%s %s" % (st, jr))
    st, jr = api.call("GET", "/v1/groups/%d/join-requests" % gid, token=tok[C])
    check("C (plain member) GET join-requests -> 403 NOT_ADMIN", st == 403 and jr.get("code") == "NOT_ADMIN",
          "%s %s" % (st, jr))
    rack = cs_try(lambda: gop(a1, gid, "reject_join", {"uid": D}))
    ev = d1.wait_event(notice(N_GROUP_JOIN_REJECTED))
    check("A reject_join D -> GROUP_ACK seq 0; D gets NOTICE_GROUP_JOIN_REJECTED (uid=A, requester D)",
          rack and rack["seq"] == 0 and ev and ev[1]["group_id"] == gid and ev[1]["uid"] == A
          and ev[1]["requester_uid"] == D, "GROUP_ACK=%s NOTICE=%s" % (brief(rack), brief(ev and ev[1])))
    err = expect_error(lambda: gop(a1, gid, "approve_join", {"uid": D}))
    check("approve_join with no pending request -> JOIN_NOT_ALLOWED (2016)",
          err_ok(err, "JOIN_NOT_ALLOWED", "GROUP"), err_s(err))
    cs_try(lambda: gop(d1, gid, "join", {"message": "please"}))
    ack = op(b1, "approve_join", {"uid": D}, "approve_join")
    got = d1.wait_messages([(gcid, 11)])
    e = ge(d1.messages.get((gcid, 11)))
    check("B approves D -> seq 11 MEMBER_JOINED [D] operator B; D receives it",
          ack and ack["seq"] == 11 and got and e and e["type"] == GE_JOINED and e["target_uids"] == [D]
          and e["operator_uid"] == Bu and e["member_count"] == 4, "event=%s" % brief(e))
    # settings: max_members
    err = expect_error(lambda: gop(a1, gid, "settings", {"max_members": 3}))
    check("settings max_members 3 < 4 members -> BAD_REQUEST", err_ok(err, "BAD_REQUEST", "GROUP"), err_s(err))
    ack = op(a1, "settings", {"max_members": 4, "invite_policy": INVITE_ADMINS}, "settings")
    d1.wait_messages([(gcid, 12)])
    e = ge(d1.messages.get((gcid, 12)))
    check("settings max 4, INVITE_ADMINS -> seq 12 SETTINGS_CHANGED (join_policy 0 = unchanged)",
          ack and ack["seq"] == 12 and e and e["type"] == GE_SETTINGS and e["max_members"] == 4
          and e["invite_policy"] == INVITE_ADMINS and e["join_policy"] == 0, "event=%s" % brief(e))
    err = expect_error(lambda: gop(c1, gid, "invite", {"uids": [E]}))
    check("C (member) invite under INVITE_ADMINS -> NOT_ADMIN", err_ok(err, "NOT_ADMIN", "GROUP"), err_s(err))
    err = expect_error(lambda: gop(a1, gid, "invite", {"uids": [E]}))
    check("A invites a 5th with max_members 4 -> GROUP_FULL (2014)", err_ok(err, "GROUP_FULL", "GROUP"), err_s(err))
    st, gd = api.call("GET", "/v1/groups/%d" % gid, token=tok[D])
    check("GET /v1/groups/{id}: profile and settings as changed", st == 200 and gd["announcement"] == "be nice"
          and gd["maxMembers"] == 4 and gd["invitePolicy"] == "ADMINS" and gd["joinPolicy"] == "APPROVAL"
          and gd["memberCount"] == 4 and gd["lastSeq"] == 12 and gd["muteAll"] is False and gd["dismissed"] is False,
          "%s %s" % (st, {k: v for k, v in gd.items() if k != "members"} if isinstance(gd, dict) else gd))
    # member paging
    pages, after, allm = [], 0, []
    for _ in range(10):
        st, pg = api.call("GET", "/v1/groups/%d/members?afterUid=%d&limit=3" % (gid, after), token=tok[C])
        if st != 200:
            break
        pages.append(([m["uid"] for m in pg["members"]], pg["nextAfterUid"]))
        allm += pg["members"]
        after = pg["nextAfterUid"]
        if after == 0:
            break
    roles = {m["uid"]: m["role"] for m in allm}
    joins = {m["uid"]: m["joinSeq"] for m in allm}
    check("GET members paged (limit 3) -> all 4 ascending, roles, joinSeq",
          [m["uid"] for m in allm] == sorted([A, Bu, C, D]) and roles == {A: "OWNER", Bu: "ADMIN", C: "MEMBER",
                                                                         D: "MEMBER"}
          and joins == {A: 1, Bu: 1, C: 2, D: 11}, "status=%s pages=%s roles=%s joinSeq=%s" % (st, pages, roles, joins))
    # typing in the group
    typing(a1, gcid)
    evs = {dev.label: dev.wait_event(notice(N_TYPING, conversation_id=gcid), timeout=3) for dev in (b1, c1, d1)}
    own = a2.wait_event(notice(N_TYPING, conversation_id=gcid), timeout=0.3)
    check("A TYPING in the group -> B, C, D get NOTICE_TYPING, A/ws does not",
          all(v and v[1]["uid"] == A for v in evs.values()) and own is None,
          "got=%s A/ws=%s" % ({k: bool(v) for k, v in evs.items()}, own))
    time.sleep(0.6)
    typing(b1, gcid)
    evc = c1.wait_event(notice(N_TYPING, conversation_id=gcid, uid=Bu), timeout=1.5)
    evd = d1.wait_event(notice(N_TYPING, conversation_id=gcid, uid=Bu), timeout=1.5)
    check("B TYPING in the group -> D gets it, C (whom B blocked) does not", evd is not None and evc is None,
          "D=%s C=%s" % (bool(evd), bool(evc)))
    rid = typing(e_dev := connect("E/tcp", se), gcid)
    r = wait_response(e_dev, rid, 5)
    check("E (not a member) TYPING in the group -> ERROR FORBIDDEN", r and r[0] == CMD["ERROR"]
          and err_ok(r[1], "FORBIDDEN", "TYPING"), "answer=%s" % (r and err_s(r[1])))
    # leave, then join under JOIN_CLOSED
    ack = op(d1, "leave", {}, "leave")
    got = d1.wait_messages([(gcid, 13)], timeout=1.5)  # the acting connection: no PUSH expected
    c1.wait_messages([(gcid, 13)])
    e = ge(c1.messages.get((gcid, 13)))
    check("D leave -> seq 13 MEMBER_LEFT [D] member_count 3", ack and ack["seq"] == 13 and e
          and e["type"] == GE_LEFT and e["target_uids"] == [D] and e["member_count"] == 3,
          "event=%s; D's own (acting) connection got the PUSH: %s" % (brief(e), got))
    ack = op(a1, "settings", {"join_policy": JOIN_CLOSED}, "settings closed")
    err = expect_error(lambda: gop(d1, gid, "join", {}))
    check("settings JOIN_CLOSED (seq 14); D join -> JOIN_NOT_ALLOWED (2016)", ack and ack["seq"] == 14
          and err_ok(err, "JOIN_NOT_ALLOWED", "GROUP"), err_s(err))
    rows, _, _ = d1.sync_all(0)
    r = rows.get(gcid)
    pm = cs_try(lambda: d1.pull(gcid, from_seq=1))
    check("D (left at 13): SYNC last_seq 13, PULL returns 11..13 only",
          r and r["last_seq"] == 13 and pm and [m["seq"] for m in pm["messages"]] == [11, 12, 13],
          "row=%s pull=%s" % (brief(r, ("last_seq", "cleared_seq")), pm and [m["seq"] for m in pm["messages"]]))
    err = expect_error(lambda: d1.send_text(GROUP, gid, "still here?"))
    check("D (left) SEND -> FORBIDDEN", err_ok(err, "FORBIDDEN", "SEND"), err_s(err))
    # blocked-by-user invite: E blocks A; A invites E
    st, _ = api.call("PUT", "/v1/blocks/%d" % A, token=tok[E])
    err = expect_error(lambda: gop(a1, gid, "invite", {"uids": [E]}))
    check("E blocked A; A invites E -> BLOCKED_BY_USER (2015)", st == 204 and err_ok(err, "BLOCKED_BY_USER", "GROUP"),
          err_s(err))
    # kick C
    ack = op(b1, "kick", {"uids": [C, 999999999]}, "kick")
    got = c1.wait_messages([(gcid, 15)])
    e = ge(c1.messages.get((gcid, 15)))
    check("B (admin) kicks [C, non-member] -> seq 15 MEMBERS_KICKED [C]; C receives it",
          ack and ack["seq"] == 15 and got and e and e["type"] == GE_KICKED and e["target_uids"] == [C]
          and e["member_count"] == 2, "event=%s" % brief(e))
    err = expect_error(lambda: c1.send_text(GROUP, gid, "kicked?"))
    check("kicked C SEND -> FORBIDDEN (2003)", err_ok(err, "FORBIDDEN", "SEND"), err_s(err))
    err = expect_error(lambda: gop(c1, gid, "leave", {}))
    check("kicked C GROUP leave -> FORBIDDEN", err_ok(err, "FORBIDDEN", "GROUP"), err_s(err))
    bs = cs_try(lambda: a1.send_text(GROUP, gid, "after the kick"))
    got = c1.wait_messages([(gcid, 16)], timeout=1.5)
    check("A SEND seq 16; kicked C receives nothing after its kick", bs and bs["seq"] == 16 and not got,
          "SEND_ACK=%s C holds 16: %s" % (brief(bs, ("seq",)), got))
    rows, _, _ = c1.sync_all(0)
    r = rows.get(gcid)
    check("C SYNC row stops at 15", r and r["last_seq"] == 15, "row=%s" % brief(r, ("last_seq", "cleared_seq")))
    st, x = api.call("GET", "/v1/groups/%d/members" % gid, token=tok[C])
    check("kicked C GET members -> 403 FORBIDDEN", st == 403 and x.get("code") == "FORBIDDEN", "%s %s" % (st, x))
    # transfer, system message unread / recall rules
    ack = op(a1, "transfer_owner", {"uid": Bu}, "transfer")
    b1.wait_messages([(gcid, 17)])
    e = ge(b1.messages.get((gcid, 17)))
    st, pg = api.call("GET", "/v1/groups/%d/members?limit=500" % gid, token=tok[A])
    roles = {m["uid"]: m["role"] for m in pg.get("members", [])} if st == 200 else pg
    check("A transfer_owner B -> seq 17 OWNER_TRANSFERRED [B]; roles B OWNER, A MEMBER",
          ack and ack["seq"] == 17 and e and e["type"] == GE_OWNER and e["target_uids"] == [Bu]
          and roles == {A: "MEMBER", Bu: "OWNER"}, "event=%s roles=%s" % (brief(e), roles))
    err = expect_error(lambda: b1.request("RECALL", "MessageActionRequest", {"conversation_id": gcid, "seq": 17},
                                          "RECALL_ACK"))
    check("RECALL of a SYSTEM message (by the owner) -> FORBIDDEN", err_ok(err, "FORBIDDEN", "RECALL"), err_s(err))
    rows, _, _ = b1.sync_all(0)
    r = rows.get(gcid)
    # B's own messages / ops moved its read position; count others' TEXT above it
    check("B SYNC: unread counts only text of others (SYSTEM excluded)", r and r["last_seq"] == 17
          and r["unread_count"] == (1 if r["read_seq"] < 16 else 0),
          "row=%s" % brief(r, ("last_seq", "read_seq", "unread_count")))
    inv = seqs.get(2, (None, {"client_msg_id": None, "msg_id": -1}))[1]
    try:
        r = a1.send_text(GROUP, gid, "x", cmid=inv["client_msg_id"])
        check("SEND in the same group reusing the invite's client_msg_id -> the invite's ids (a resend, §7.6)",
              r["seq"] == 2 and r["msg_id"] == inv["msg_id"], "SEND_ACK=%s" % brief(r))
    except MagpieError as ex:
        check("SEND in the same group reusing the invite's client_msg_id -> the invite's ids (a resend, §7.6)",
              False, err_s(ex.err))
    err = expect_error(lambda: a1.send_text(SINGLE, Bu, "x", cmid=inv["client_msg_id"]))
    check("SEND to another conversation reusing it -> CLIENT_MSG_ID_REUSED (2005)",
          err_ok(err, "CLIENT_MSG_ID_REUSED", "SEND"), err_s(err))
    # pulled SYSTEM messages match the acks
    pulled = {}
    frm = 1
    while True:
        pm = cs_try(lambda: a2.pull(gcid, from_seq=frm, limit=200))
        if not pm:
            break
        for m in pm["messages"]:
            pulled[m["seq"]] = m
        if not pm["has_more"] or not pm["messages"]:
            break
        frm = pm["messages"][-1]["seq"] + 1
    bad = [(s_, o) for s_, (o, a) in sorted(seqs.items()) if s_ and (s_ not in pulled or not ge(pulled[s_])
                                                                     or pulled[s_]["msg_id"] != a["msg_id"])]
    check("A/ws PULL: every GROUP_ACK seq is a SYSTEM message with that msg_id, seqs 1..17 gapless",
          not bad and sorted(pulled) == list(range(1, 18)),
          "pulled seqs=%s types=%s mismatches=%s" % (sorted(pulled), [(s_, ge(m)["type"] if ge(m) else "TEXT")
                                                                       for s_, m in sorted(pulled.items())], bad))
    # dismiss
    err = expect_error(lambda: gop(a1, gid, "dismiss", {}))
    check("A (no longer owner) dismiss -> NOT_OWNER", err_ok(err, "NOT_OWNER", "GROUP"), err_s(err))
    ack = op(b1, "dismiss", {}, "dismiss")
    a1.wait_messages([(gcid, 18)])
    e = ge(a1.messages.get((gcid, 18)))
    check("B (owner) dismiss -> seq 18 GROUP_DISMISSED", ack and ack["seq"] == 18 and e
          and e["type"] == GE_DISMISSED, "event=%s" % brief(e))
    err = expect_error(lambda: a1.send_text(GROUP, gid, "anyone?"))
    check("SEND to a dismissed group -> NOT_FOUND", err_ok(err, "NOT_FOUND", "SEND"), err_s(err))
    err = expect_error(lambda: gop(b1, gid, "update", {"name": "zombie"}))
    check("GROUP op on a dismissed group -> NOT_FOUND", err_ok(err, "NOT_FOUND", "GROUP"), err_s(err))
    pm = cs_try(lambda: a1.pull(gcid, from_seq=17))
    check("PULL of the dismissed group still works", pm and [m["seq"] for m in pm["messages"]] == [17, 18],
          "seqs=%s" % (pm and [m["seq"] for m in pm["messages"]]))
    st, gd = api.call("GET", "/v1/groups/%d" % gid, token=tok[A])
    print("      note: GET /v1/groups/{id} after dismiss -> %s %s" % (
        st, {k: v for k, v in gd.items() if k != "members"} if isinstance(gd, dict) else gd))

    # ================= 7. unblock, remove friend =================
    st, _ = api.call("DELETE", "/v1/blocks/%d" % C, token=tok[Bu])
    ack = cs_try(lambda: c1.send_text(SINGLE, Bu, "unblocked now"))
    check("B unblocks C -> C SEND to B accepted", st == 204 and ack is not None, "%s SEND_ACK=%s" % (st, brief(ack)))
    st, rm = api.call("DELETE", "/v1/friends/%d" % A, token=tok[Bu])
    ev = a1.wait_event(notice(N_FRIEND_REMOVED))
    st2, fa3 = api.call("GET", "/v1/friends?sinceVersion=%s" % fa.get("version"), token=tok[A])
    check("B removes friend A -> A NOTICE_FRIEND_REMOVED; A's list sync shows removed:true",
          st == 200 and ev and ev[1]["uid"] == Bu and ev[1]["friends_version"] > 0 and st2 == 200
          and [(x["uid"], x["removed"]) for x in fa3["friends"]] == [(Bu, True)]
          and fa3["version"] == str(ev[1]["friends_version"]),
          "%s %s NOTICE=%s list=%s" % (st, rm, brief(ev and ev[1]), fa3))
    st, x = api.call("DELETE", "/v1/friends/%d" % A, token=tok[Bu])
    check("remove again -> 404 NOT_FRIEND", st == 404 and x.get("code") == "NOT_FRIEND", "%s %s" % (st, x))
    st, r1 = api.call("POST", "/v1/friends/requests", {"toUid": E, "message": "D here"}, token=tok[D])
    st2, r2 = api.call("POST", "/v1/friends/requests", {"toUid": D, "message": "E here"}, token=tok[E])
    ev = d1.wait_event(notice(N_FRIEND_ACCEPTED, uid=E))
    check("crossing requests: E asks D while D's request is pending -> 200 D's request ACCEPTED; D NOTICE_FRIEND_ACCEPTED",
          st == 201 and st2 == 200 and r2.get("requestId") == r1.get("requestId") and r2.get("state") == "ACCEPTED"
          and ev and ev[1]["friends_version"] > 0, "%s %s NOTICE=%s" % (st2, r2, brief(ev and ev[1])))

    # ================= 8. hidden presence (§9.14) =================
    for d in (a1, c1, d1):
        while d.wait_event(notice(N_PRESENCE, uid=Bu), timeout=0.1):
            pass
    time.sleep(2.2)
    st, me = api.call("PUT", "/v1/me/presence", {"hidden": True}, token=tok[Bu])
    t_h = time.time()
    ev = d1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=args.grace + 5)
    p = ev and ev[1]["presence"]
    check("B PUT presence {hidden: true} -> 200, status kept; D (explicit watcher; A is no friend any more) gets NOTICE_PRESENCE offline, last_seen 0",
          st == 200 and me.get("hidden") is True and me.get("statusText") == "climbing \u26f0" and p
          and not p["online"] and p["device_count"] == 0 and p["last_seen"] == 0 and p["status_text"] == "climbing \u26f0",
          "%s %s; after %.1f s presence=%s" % (st, me, time.time() - t_h, brief(p)))
    ev = a1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=0.2)
    check("A (friendship removed, no watch list) is told nothing", ev is None, "NOTICE=%s" % brief(ev and ev[1]))
    pa = cs_try(lambda: presence(a1, [Bu]))
    s_ = pa and pa["states"][0]
    check("A PRESENCE query of hidden B -> offline, no platforms, last_seen 0, status text",
          s_ and not s_["online"] and s_["platforms"] == [] and s_["last_seen"] == 0
          and s_["status_text"] == "climbing \u26f0", "state=%s" % brief(s_))
    time.sleep(2.2)
    st, me = api.call("PUT", "/v1/me/presence", {"hidden": False, "statusText": ""}, token=tok[Bu])
    ev = d1.wait_event(notice(N_PRESENCE, uid=Bu), timeout=args.grace + 5)
    p = ev and ev[1]["presence"]
    check("B un-hides and clears the status -> D gets NOTICE_PRESENCE online, status \"\"",
          st == 200 and me.get("statusText") == "" and p and p["online"] and p["status_text"] == "",
          "%s %s presence=%s" % (st, me, brief(p)))
    st, x = api.call("PUT", "/v1/me/presence", {"statusText": "x" * 101}, token=tok[Bu])
    check("statusText of 101 code points -> 400 BAD_REQUEST", st == 400 and x.get("code") == "BAD_REQUEST",
          "%s %s" % (st, x))

    # ================= 9. a second group: JOIN_FREE, coming back, invite of an unknown uid =================
    st, g2 = api.call("POST", "/v1/groups", {"name": "free " + sfx, "members": [D]}, token=tok[A])
    gid2 = g2.get("groupId")
    g2cid = "g_%s" % gid2
    ack = cs_try(lambda: gop(a1, gid2, "settings", {"join_policy": JOIN_FREE}))
    check("group 2 created; settings JOIN_FREE -> seq 2", st == 201 and ack and ack["seq"] == 2,
          "%s %s ack=%s" % (st, g2, brief(ack, ("seq",))))
    err = expect_error(lambda: gop(a1, gid2, "invite", {"uids": [987654321]}))
    check("invite of an unregistered uid -> NOT_FOUND", err_ok(err, "NOT_FOUND", "GROUP"), err_s(err))
    st, x = api.call("GET", "/v1/groups/%s" % gid2, token=tok[C])
    check("non-member GET /v1/groups/{id} -> 403 FORBIDDEN", st == 403 and x.get("code") == "FORBIDDEN",
          "%s %s" % (st, x))
    jack = cs_try(lambda: gop(c1, gid2, "join", {"message": "hi"}))
    d1.wait_messages([(g2cid, 3)])
    e = ge(d1.messages.get((g2cid, 3)))
    check("C join under JOIN_FREE -> seq 3 at once, MEMBER_JOINED operator = C", jack and jack["seq"] == 3
          and not jack["pending"] and e and e["type"] == GE_JOINED and e["operator_uid"] == C and e["target_uids"] == [C],
          "ack=%s event=%s" % (brief(jack, ("seq", "pending")), brief(e)))
    err = expect_error(lambda: gop(c1, gid2, "join", {}))
    check("join by a member -> BAD_REQUEST", err_ok(err, "BAD_REQUEST", "GROUP"), err_s(err))
    cs_try(lambda: a1.send_text(GROUP, gid2, "while C is in"))      # seq 4
    lack = cs_try(lambda: gop(c1, gid2, "leave", {}))             # seq 5
    cs_try(lambda: a1.send_text(GROUP, gid2, "while C is out"))     # seq 6
    jack2 = cs_try(lambda: gop(c1, gid2, "join", {}))             # seq 7
    pm = cs_try(lambda: c1.pull(gid2 and g2cid, from_seq=1))
    rows, _, _ = c1.sync_all(0)
    r = rows.get(g2cid)
    check("C leaves (5) and joins again (7): a new member, sees from 7 only (cleared_seq 6)",
          lack and lack["seq"] == 5 and jack2 and jack2["seq"] == 7 and pm
          and [m["seq"] for m in pm["messages"]] == [7] and r and r["cleared_seq"] == 6,
          "pull seqs=%s row=%s" % (pm and [m["seq"] for m in pm["messages"]], brief(r, ("last_seq", "cleared_seq"))))

    time.sleep(0.5)
    for d in (a1, a2, b1, c1, d1, e_dev):
        left = [(CMD_NAME.get(c), brief(m, ("type", "uid", "conversation_id"))) for c, m in d.events
                if c in (CMD["NOTICE"], CMD["ERROR"], CMD["KICK"])]
        if left:
            print("      note: %s frames not consumed by a check: %s" % (d.label, left[:12]))
    for d in (a1, a2, b1, c1, d1, e_dev):
        check("%s still connected" % d.label, d.closed is None, "closed=%s" % d.closed)
        d.close()
    fails = [r for r in RESULTS if not r[1]]
    print("\n%d checks, %d failed, %.1f s" % (len(RESULTS), len(fails), time.time() - t0))
    return 1 if fails else 0


def cs_try(fn):
    try:
        return fn()
    except Exception as e:  # noqa
        print("      note: request failed: %r" % (e,))
        return None


if __name__ == "__main__":
    sys.exit(main())
