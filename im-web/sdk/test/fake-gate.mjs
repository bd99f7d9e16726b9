// A scripted in-memory gate + LSB + account API for unit tests: no network, real frames (the SDK's codec and
// the generated protobuf code on both sides).
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Command, FrameDecoder, encodeFrame, proto } from '../dist/index.js';

const P = proto;

export class FakeSocket {
  constructor(gate, url) {
    this.gate = gate;
    this.url = url;
    this.binaryType = 'blob';
    this.readyState = 0;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
    this.decoder = new FrameDecoder();
    this.received = []; // frames from the client: {command, requestId, body}
    this.uid = 0n;
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.onopen?.({});
    }, 0);
  }

  send(bytes) {
    if (this.readyState !== 1) throw new Error('not open');
    for (const frame of this.decoder.push(new Uint8Array(bytes))) {
      this.received.push(frame);
      setTimeout(() => this.gate.handle(this, frame), 0);
    }
  }

  close() {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code: 1000 }), 0);
  }

  /** Server -> client frame. */
  write(command, requestId, schema, message) {
    if (this.readyState !== 1) return;
    const bytes = encodeFrame(command, requestId, schema ? toBinary(schema, message) : new Uint8Array(0));
    this.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  }

  sent(command) {
    return this.received.filter((f) => f.command === command);
  }
}

/** The server side: conversations with messages, SYNC rows, scripted drops. */
export class FakeGate {
  constructor({ uid = 1n } = {}) {
    this.uid = uid;
    this.sockets = [];
    this.conversations = new Map(); // id -> {type, target, messages: Message[], readSeq}
    this.version = 100n;
    this.nextMsgId = 1000n;
    this.dropSyncs = 0;     // SYNC requests to leave unanswered
    this.dropSends = 0;     // SEND requests to leave unanswered
    this.syncs = 0;
    this.sendsByClientId = new Map();
    this.dropGroups = 0;       // GROUP requests to leave unanswered
    this.groupErrors = [];     // ERROR answers for the next GROUP requests: {code, message}
    this.groupsByClientId = new Map(); // client_msg_id -> GroupAck (a resend gets the original)
    this.lsbCalls = 0;
    this.refreshes = 0;
    this.invalidTokens = new Set();
    this.presence = new Map(); // uid (bigint) -> PresenceState fields
    this.watch = undefined;    // the last watch list set (bigint[])
    this.http = [];            // account API calls: {method, path, body}
    this.uploads = [];         // POST /v1/media: {conversationId, name, type, size, auth}
    this.uploadError = undefined; // {status, code} answers the next upload
    this.reacts = [];          // ReactRequests in order
    this.editMask = undefined; // [from, to]: EDIT and SEND store these words masked (the word filter)
    this.fetch = this.fetch.bind(this);
    this.factory = (url) => {
      const s = new FakeSocket(this, url);
      this.sockets.push(s);
      return s;
    };
  }

  get last() {
    return this.sockets[this.sockets.length - 1];
  }

  /** Stores a message from `sender` in a conversation and returns it (not pushed). */
  add(conversationId, sender, text, type = P.ConversationType.SINGLE) {
    let c = this.conversations.get(conversationId);
    if (!c) {
      c = { type, messages: [], readSeq: 0n };
      this.conversations.set(conversationId, c);
    }
    const seq = BigInt(c.messages.length + 1);
    const msgId = this.nextMsgId++;
    const m = create(P.MessageSchema, {
      msgId, conversationId, conversationType: type, seq, senderUid: sender, serverTime: BigInt(Date.now()),
      content: { type: P.MessageType.TEXT, text }, version: msgId, status: P.MessageStatus.NORMAL,
    });
    c.messages.push(m);
    c.version = ++this.version;
    return m;
  }

  /** Marks a stored message recalled or deleted (the server's side of RECALL / DELETE); returns its new version. */
  change(conversationId, seq, status) {
    const c = this.conversations.get(conversationId);
    const i = c.messages.findIndex((m) => m.seq === seq);
    const version = this.nextMsgId++; // message versions share the msg ids' (snowflake) space
    c.messages[i] = create(P.MessageSchema, { ...c.messages[i], status, version,
      content: create(P.MessageContentSchema, { type: c.messages[i].content.type }) });
    c.version = ++this.version;
    return version;
  }

  notice(socket, fields) {
    socket.write(Command.NOTICE, 0, P.NoticeSchema, create(P.NoticeSchema, fields));
  }

  push(socket, messages) {
    socket.write(Command.PUSH, 0, P.PushSchema, create(P.PushSchema, { messages }));
  }

  handle(socket, frame) {
    switch (frame.command) {
      case Command.LOGIN: {
        const login = fromBinary(P.LoginRequestSchema, frame.body);
        if (this.invalidTokens.has(login.token)) {
          socket.write(Command.ERROR, frame.requestId, P.ErrorSchema, create(P.ErrorSchema, {
            code: 2001, message: 'token expired', command: 1 }));
          socket.close();
          return;
        }
        socket.uid = this.uid;
        socket.write(Command.LOGIN_ACK, frame.requestId, P.LoginAckSchema, create(P.LoginAckSchema, {
          uid: this.uid, deviceId: 'dev', serverTime: BigInt(Date.now()), heartbeatSeconds: 30, gateId: 'fake' }));
        return;
      }
      case Command.PING:
        socket.write(Command.PONG, frame.requestId, P.PongSchema, create(P.PongSchema, { serverTime: 1n }));
        return;
      case Command.SYNC: {
        this.syncs++;
        if (this.dropSyncs > 0) {
          this.dropSyncs--;
          return;
        }
        const req = fromBinary(P.SyncRequestSchema, frame.body);
        const rows = [...this.conversations.entries()].filter(([, c]) => c.version > req.sinceVersion)
          .map(([id, c]) => create(P.ConversationInfoSchema, {
            conversationId: id, conversationType: c.type, lastSeq: BigInt(c.messages.length), readSeq: c.readSeq,
            clearedSeq: c.clearedSeq ?? 0n,
            version: c.version, lastMessage: c.messages[c.messages.length - 1],
            unreadCount: BigInt(c.messages.filter((m) => m.seq > c.readSeq && m.senderUid !== this.uid).length),
            mentioned: c.messages.some((m) => m.seq > c.readSeq && m.senderUid !== this.uid
              && (m.content.mentionAll || m.content.mentionedUids.includes(this.uid))),
          }));
        socket.write(Command.SYNC_ACK, frame.requestId, P.SyncAckSchema, create(P.SyncAckSchema, {
          conversations: rows, version: this.version, hasMore: false }));
        return;
      }
      case Command.PULL: {
        const req = fromBinary(P.PullRequestSchema, frame.body);
        const c = this.conversations.get(req.conversationId);
        if (req.sinceVersion > 0n) {
          const changed = (c?.messages ?? []).filter((m) => m.version > req.sinceVersion)
            .sort((a, b) => (a.version < b.version ? -1 : 1));
          const page = changed.slice(0, req.limit || 100);
          const version = page.length > 0 ? page[page.length - 1].version : req.sinceVersion;
          socket.write(Command.PULL_ACK, frame.requestId, P.PullAckSchema, create(P.PullAckSchema, {
            conversationId: req.conversationId, messages: page, hasMore: changed.length > page.length, version }));
          return;
        }
        let list = (c?.messages ?? []).filter((m) => m.seq >= req.fromSeq && (req.toSeq === 0n || m.seq <= req.toSeq));
        const limit = req.limit || 100;
        let hasMore = list.length > limit;
        list = req.backward ? list.slice(Math.max(0, list.length - limit)) : list.slice(0, limit);
        socket.write(Command.PULL_ACK, frame.requestId, P.PullAckSchema, create(P.PullAckSchema, {
          conversationId: req.conversationId, messages: list, hasMore }));
        return;
      }
      case Command.SEND: {
        const req = fromBinary(P.SendRequestSchema, frame.body);
        if (this.dropSends > 0) {
          this.dropSends--;
          return;
        }
        let m = this.sendsByClientId.get(req.clientMsgId);
        if (!m) {
          const a = this.uid;
          const b = req.targetId;
          const id = req.conversationType === P.ConversationType.GROUP ? `g_${b}` : (a < b ? `s_${a}_${b}` : `s_${b}_${a}`);
          m = this.add(id, this.uid, req.content.text, req.conversationType);
          m.clientMsgId = req.clientMsgId;
          m.content = create(P.MessageContentSchema, req.content);
          m.changed = false;
          const ref = req.content.replyTo;
          if (ref) { // the server fills in the quote (§9.19)
            const quoted = this.conversations.get(id).messages.find((q) => q.seq === ref.seq);
            m.content.replyTo = create(P.ReplyRefSchema, { seq: ref.seq, msgId: quoted.msgId, senderUid: quoted.senderUid,
              type: quoted.content.type, preview: quoted.content.text.slice(0, 100), recalled: quoted.status === 1 });
            m.changed = true;
          }
          this.sendsByClientId.set(req.clientMsgId, m);
        }
        socket.write(Command.SEND_ACK, frame.requestId, P.SendAckSchema, create(P.SendAckSchema, {
          clientMsgId: req.clientMsgId, conversationId: m.conversationId, msgId: m.msgId, seq: m.seq,
          serverTime: m.serverTime, content: m.changed ? m.content : undefined }));
        return;
      }
      case Command.REACT: {
        const req = fromBinary(P.ReactRequestSchema, frame.body);
        this.reacts.push(req);
        const c = this.conversations.get(req.conversationId);
        const i = c.messages.findIndex((m) => m.seq === req.seq);
        const m = c.messages[i];
        const without = m.reactions.map((r) => create(P.ReactionCountSchema, { emoji: r.emoji,
          uids: r.uids.filter((u) => u !== this.uid) })).filter((r) => r.uids.length > 0);
        if (!req.remove) {
          const same = without.find((r) => r.emoji === req.emoji);
          if (same) same.uids.push(this.uid);
          else without.push(create(P.ReactionCountSchema, { emoji: req.emoji, uids: [this.uid] }));
        }
        for (const r of without) r.count = r.uids.length;
        const version = this.nextMsgId++;
        c.messages[i] = create(P.MessageSchema, { ...m, reactions: without, version });
        c.version = ++this.version;
        socket.write(Command.REACT_ACK, frame.requestId, P.ReactAckSchema, create(P.ReactAckSchema, {
          conversationId: req.conversationId, seq: req.seq, version, reactions: without }));
        return;
      }
      case Command.EDIT: {
        const req = fromBinary(P.EditRequestSchema, frame.body);
        const c = this.conversations.get(req.conversationId);
        const i = c.messages.findIndex((m) => m.seq === req.seq);
        const m = c.messages[i];
        if (m.senderUid !== this.uid || req.content.type !== m.content.type) {
          socket.write(Command.ERROR, frame.requestId, P.ErrorSchema, create(P.ErrorSchema, {
            code: 2003, message: 'not yours, or another type', command: Command.EDIT }));
          return;
        }
        let text = req.content.text;
        if (this.editMask) text = text.replaceAll(this.editMask, '*'.repeat(this.editMask.length));
        const content = create(P.MessageContentSchema, { ...req.content, text, replyTo: m.content.replyTo,
          mentionedUids: m.content.mentionedUids, mentionAll: m.content.mentionAll });
        const version = this.nextMsgId++;
        const editedAt = BigInt(Date.now());
        c.messages[i] = create(P.MessageSchema, { ...m, content, version, editedAt });
        c.version = ++this.version;
        socket.write(Command.EDIT_ACK, frame.requestId, P.EditAckSchema, create(P.EditAckSchema, {
          conversationId: req.conversationId, seq: req.seq, version, editedAt, content }));
        return;
      }
      case Command.GROUP: {
        const req = fromBinary(P.GroupRequestSchema, frame.body);
        if (this.dropGroups > 0) {
          this.dropGroups--;
          return;
        }
        let ack = this.groupsByClientId.get(req.clientMsgId);
        if (!ack) {
          const error = this.groupErrors.shift();
          if (error) {
            socket.write(Command.ERROR, frame.requestId, P.ErrorSchema, create(P.ErrorSchema, {
              code: error.code, message: error.message, command: Command.GROUP }));
            return;
          }
          const types = { invite: P.GroupEventType.MEMBERS_INVITED, kick: P.GroupEventType.MEMBERS_KICKED,
            leave: P.GroupEventType.MEMBER_LEFT, update: P.GroupEventType.PROFILE_UPDATED };
          const targets = req.op.case === 'invite' || req.op.case === 'kick' ? req.op.value.uids : [];
          const m = this.add(`g_${req.groupId}`, this.uid, '', P.ConversationType.GROUP);
          m.clientMsgId = req.clientMsgId;
          m.content = create(P.MessageContentSchema, { type: P.MessageType.SYSTEM, groupEvent: {
            type: types[req.op.case] ?? P.GroupEventType.GROUP_EVENT_UNSPECIFIED, operatorUid: this.uid,
            targetUids: targets, name: req.op.case === 'update' ? req.op.value.name : undefined, memberCount: 3 } });
          ack = create(P.GroupAckSchema, { groupId: req.groupId, clientMsgId: req.clientMsgId, seq: m.seq,
            msgId: m.msgId, version: m.msgId });
          this.groupsByClientId.set(req.clientMsgId, ack);
        }
        socket.write(Command.GROUP_ACK, frame.requestId, P.GroupAckSchema, ack);
        return;
      }
      case Command.READ: {
        const req = fromBinary(P.ReadRequestSchema, frame.body);
        const c = this.conversations.get(req.conversationId);
        if (c && req.readSeq > c.readSeq) c.readSeq = req.readSeq;
        socket.write(Command.READ_ACK, frame.requestId, P.ActionAckSchema, create(P.ActionAckSchema, {
          conversationId: req.conversationId, version: ++this.version, seq: c?.readSeq ?? 0n,
          unreadCount: 0n, lastSeq: BigInt(c?.messages.length ?? 0) }));
        return;
      }
      case Command.RECALL:
      case Command.DELETE: {
        const req = fromBinary(P.MessageActionRequestSchema, frame.body);
        const recall = frame.command === Command.RECALL;
        let version = 0n;
        for (const seq of [req.seq, ...req.moreSeqs]) {
          version = this.change(req.conversationId, seq, recall ? P.MessageStatus.RECALLED : P.MessageStatus.DELETED);
        }
        socket.write(recall ? Command.RECALL_ACK : Command.DELETE_ACK, frame.requestId, P.ActionAckSchema,
          create(P.ActionAckSchema, { conversationId: req.conversationId, version }));
        return;
      }
      case Command.CLEAR: {
        const req = fromBinary(P.ClearRequestSchema, frame.body);
        const c = this.conversations.get(req.conversationId);
        c.clearedSeq = req.upToSeq === 0n ? BigInt(c.messages.length) : req.upToSeq;
        c.version = ++this.version;
        socket.write(Command.CLEAR_ACK, frame.requestId, P.ActionAckSchema, create(P.ActionAckSchema, {
          conversationId: req.conversationId, version: c.version, seq: c.clearedSeq }));
        return;
      }
      case Command.PRESENCE: {
        const req = fromBinary(P.PresenceRequestSchema, frame.body);
        if (req.setWatch) this.watch = req.watchUids;
        const states = req.queryUids.map((uid) => create(P.PresenceStateSchema, this.presence.get(uid) ?? { uid }));
        socket.write(Command.PRESENCE_ACK, frame.requestId, P.PresenceAckSchema, create(P.PresenceAckSchema, {
          states, watching: req.setWatch ? req.watchUids.length : 0 }));
        return;
      }
      default:
    }
  }

  async fetch(url, init = {}) {
    const u = new URL(url);
    const json = (status, body) => new Response(body === undefined ? null : JSON.stringify(body), { status,
      headers: { 'Content-Type': 'application/json' } });
    if (u.pathname === '/v1/gate') {
      this.lsbCalls++;
      return json(200, { gateId: 'fake', host: '127.0.0.1', tcpPort: 7000, wsPort: 7001, tcp: '127.0.0.1:7000',
        ws: 'ws://127.0.0.1:7001/ws', tls: false });
    }
    if (u.pathname === '/v1/sessions/refresh') {
      this.refreshes++;
      return json(200, { uid: Number(this.uid), token: `token-r${this.refreshes}`, refreshToken: `refresh-r${this.refreshes}`,
        expiresAt: Date.now() + 900_000, refreshExpiresAt: Date.now() + 1e9 });
    }
    if (u.pathname === '/v1/sessions/current' && init.method === 'DELETE') return json(204);
    const media = u.pathname.replace(/^\/api(?=\/v1\/media)/, ''); // a client may call the API under a path
    if (media === '/v1/media' && init.method === 'POST') {
      const form = init.body;
      const file = form.get('file');
      this.uploads.push({ conversationId: form.get('conversationId'), name: file.name, type: file.type, size: file.size,
        auth: init.headers?.Authorization, contentType: init.headers?.['Content-Type'] });
      if (this.uploadError) {
        const e = this.uploadError;
        this.uploadError = undefined;
        return json(e.status, { code: e.code, message: `fake: ${e.code}` });
      }
      const mediaId = `m${String(this.uploads.length).padStart(21, '0')}`;
      const image = file.type.startsWith('image/') && file.type !== 'image/webp';
      return json(201, { mediaId, conversationId: form.get('conversationId'), mimeType: file.type, sizeBytes: file.size,
        ...(image ? { width: 40, height: 20, thumbnailUrl: `/v1/media/${mediaId}/thumbnail` } : {}),
        fileName: file.name, url: `/v1/media/${mediaId}` });
    }
    const urls = /^\/v1\/media\/([A-Za-z0-9_-]{22})\/url$/.exec(media);
    if (urls) {
      this.http.push({ method: init.method ?? 'GET', path: media, auth: init.headers?.Authorization });
      return json(200, { mediaId: urls[1], url: `/v1/media/${urls[1]}?exp=99&sig=s1`,
        thumbnailUrl: `/v1/media/${urls[1]}/thumbnail?exp=99&sig=s2`, expiresAt: Date.now() + 900_000 });
    }
    if (u.pathname.startsWith('/v1/conversations/') || u.pathname === '/v1/me/presence') {
      this.http.push({ method: init.method, path: u.pathname, body: init.body ? JSON.parse(init.body) : undefined,
        auth: init.headers?.Authorization });
      return u.pathname === '/v1/me/presence' ? json(200, { statusText: 'x', hidden: false, lastSeen: 0 }) : json(204);
    }
    return json(404, { code: 'NOT_FOUND', message: `fake: ${init.method ?? 'GET'} ${u.pathname}` });
  }
}

export function session(uid = 1n, token = 'token-0') {
  return { uid: String(uid), deviceId: 'dev', token, refreshToken: 'refresh-0', expiresAt: Date.now() + 900_000 };
}

/** Waits until `cond()` is true (polling), failing after `ms`. */
export async function until(cond, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
