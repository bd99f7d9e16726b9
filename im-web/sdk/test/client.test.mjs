import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import { Command, MagpieClient, MemoryStore, proto } from '../dist/index.js';
import { FakeGate, session, until } from './fake-gate.mjs';

const P = proto;

function client(gate, extra = {}) {
  return new MagpieClient({
    accountUrl: 'http://account.test', lsbUrl: 'http://lsb.test', fetch: gate.fetch, webSocket: gate.factory,
    store: extra.store ?? new MemoryStore(), requestTimeoutMs: extra.requestTimeoutMs ?? 2000,
    reconnect: { initialMs: 5, maxMs: 20 }, retry: { initialMs: 5, maxMs: 20 }, ...extra,
  }, session(gate.uid, extra.token));
}

function collect(c) {
  const got = [];
  c.on('message', (m) => got.push(`${m.conversationId}#${m.seq}:${m.text}`));
  return got;
}

test('connect syncs and pulls the history of listed conversations, in seq order', async () => {
  const gate = new FakeGate({ uid: 1n });
  for (let i = 1; i <= 3; i++) gate.add('s_1_2', 2n, `m${i}`);
  const c = client(gate);
  const got = collect(c);
  await c.connect();
  await until(() => got.length === 3, 5000, 'three messages');
  assert.deepEqual(got, ['s_1_2#1:m1', 's_1_2#2:m2', 's_1_2#3:m3']);
  assert.equal(c.state, 'CONNECTED');
  assert.equal(c.totalUnread(), 3);
  const [row] = c.conversations();
  assert.equal(row.conversationId, 's_1_2');
  assert.equal(row.targetId, '2');
  assert.equal(row.lastMessage.text, 'm3');
  await c.close({ logout: false });
});

test('pushes are delivered in order, once, gaps are PULLed, and every PUSH is acknowledged', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.add('s_1_2', 2n, 'm1');
  const c = client(gate);
  const got = collect(c);
  await c.connect();
  await until(() => got.length === 1);
  const m2 = gate.add('s_1_2', 2n, 'm2');
  const m3 = gate.add('s_1_2', 2n, 'm3');
  const m4 = gate.add('s_1_2', 2n, 'm4');
  gate.push(gate.last, [m4]);          // gap: 2 and 3 are pulled
  gate.push(gate.last, [m3, m4]);      // 4 again: a duplicate
  await until(() => got.length === 4, 5000, 'the gap filled');
  gate.push(gate.last, [m2]);          // late duplicate
  await until(() => gate.last.sent(Command.PUSH_ACK).length === 3, 5000, 'three PUSH_ACKs');
  assert.deepEqual(got, ['s_1_2#1:m1', 's_1_2#2:m2', 's_1_2#3:m3', 's_1_2#4:m4']);
  const gapPull = gate.last.sent(Command.PULL).map((f) => fromBinary(P.PullRequestSchema, f.body))
    .find((r) => r.fromSeq === 2n);
  assert.equal(gapPull.toSeq, 3n, 'the gap [2, 3] was pulled');
  const acked = gate.last.sent(Command.PUSH_ACK).flatMap((f) => fromBinary(P.PushAckSchema, f.body).acked.map((r) => Number(r.seq)));
  assert.deepEqual(acked, [4, 3, 4, 2]);
  assert.ok(c.stats().duplicates >= 2);
  await c.close({ logout: false });
});

test('a SYNC without an answer is asked again on the same connection; pushes of unknown conversations wait', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.dropSyncs = 1;
  const c = client(gate, { requestTimeoutMs: 100 });
  const got = collect(c);
  const connected = c.connect();
  await until(() => gate.syncs === 1 && gate.last?.readyState === 1);
  // a new conversation's second message arrives before its first one: it must wait for the SYNC
  gate.add('s_1_3', 3n, 'first');
  const second = gate.add('s_1_3', 3n, 'second');
  gate.push(gate.last, [second]);
  await connected;
  assert.equal(gate.syncs, 2, 'the SYNC was sent again');
  assert.equal(gate.sockets.length, 1, 'on the same connection');
  await until(() => got.length === 2, 5000, 'both messages');
  assert.deepEqual(got, ['s_1_3#1:first', 's_1_3#2:second']);
  await c.close({ logout: false });
});

test('the outbox resends an unacknowledged SEND with the same client msg id after a reconnect', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.dropSends = 1;
  const c = client(gate, { requestTimeoutMs: 60_000 });
  await c.connect();
  const out = c.sendText({ user: '2' }, 'hello');
  assert.equal(out.state, 'SENDING');
  assert.equal(out.conversationId, 's_1_2');
  await until(() => gate.last.sent(Command.SEND).length === 1);
  const first = gate.last;
  first.close(); // the connection drops before the SEND_ACK
  const message = await out.ack;
  assert.equal(out.state, 'ACKED');
  assert.equal(message.seq, 1n);
  assert.equal(message.text, 'hello');
  assert.equal(gate.sockets.length, 2, 'reconnected');
  assert.equal(gate.lsbCalls, 2, 'through the LSB');
  const ids = gate.sockets.flatMap((s) => s.sent(Command.SEND)).map((f) => fromBinary(P.SendRequestSchema, f.body).clientMsgId);
  assert.deepEqual(ids, [out.clientMsgId, out.clientMsgId]);
  assert.equal(gate.conversations.get('s_1_2').messages.length, 1, 'stored once');
  assert.equal(c.conversations()[0].lastMessage.text, 'hello');
  await c.close({ logout: false });
});

test('reconnects with backoff after a drop and catches up what was missed', async () => {
  const gate = new FakeGate({ uid: 1n });
  const c = client(gate);
  const states = [];
  c.on('state', (s) => states.push(s));
  const got = collect(c);
  await c.connect();
  gate.last.close();
  gate.add('g_9', 5n, 'while away', P.ConversationType.GROUP);
  await until(() => got.length === 1, 5000, 'the missed message');
  assert.deepEqual(got, ['g_9#1:while away']);
  assert.deepEqual(states, ['CONNECTING', 'CONNECTED', 'RECONNECTING', 'CONNECTED']);
  await c.close({ logout: false });
});

test('INVALID_TOKEN at LOGIN refreshes the token once and logs in again', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.invalidTokens.add('token-0');
  const c = client(gate);
  const sessions = [];
  c.on('session', (s) => sessions.push(s.token));
  await c.connect();
  assert.equal(gate.refreshes, 1);
  assert.equal(c.currentSession.token, 'token-r1');
  await until(() => sessions.length === 1);
  await c.close({ logout: false });
});

test('KICK closes the client without reconnecting', async () => {
  const gate = new FakeGate({ uid: 1n });
  const c = client(gate);
  await c.connect();
  const kicked = new Promise((resolve) => c.on('kicked', resolve));
  gate.last.write(Command.KICK, 0, P.KickSchema, { $typeName: 'magpie.v1.Kick', reason: 1, message: 'elsewhere' });
  gate.last.close();
  assert.equal(await kicked, 'DUPLICATE_DEVICE');
  assert.equal(c.state, 'CLOSED');
  assert.equal(gate.sockets.length, 1);
});

test('a client reopened with the same store does not deliver again what it delivered', async () => {
  const gate = new FakeGate({ uid: 1n });
  const store = new MemoryStore();
  gate.add('s_1_2', 2n, 'a');
  gate.add('s_1_2', 2n, 'b');
  const first = client(gate, { store });
  const got1 = collect(first);
  await first.connect();
  await until(() => got1.length === 2);
  await first.close({ logout: false });
  gate.add('s_1_2', 2n, 'c');
  const second = client(gate, { store });
  const got2 = collect(second);
  await second.connect();
  await until(() => got2.length === 1);
  // a PUSH of an old message (gate resend) is a duplicate too
  gate.push(gate.last, [gate.conversations.get('s_1_2').messages[0]]);
  await until(() => gate.last.sent(Command.PUSH_ACK).length === 1);
  assert.deepEqual(got2, ['s_1_2#3:c']);
  const history = await second.history('s_1_2');
  assert.deepEqual(history.messages.map((m) => m.text), ['a', 'b', 'c']);
  assert.equal(history.hasMore, false);
  await second.close({ logout: false });
});

test('history pages backward with PULL for what the store lacks; markRead updates unread', async () => {
  const gate = new FakeGate({ uid: 1n });
  const c = client(gate, { pullPageSize: 100 });
  await c.connect();
  for (let i = 1; i <= 5; i++) gate.add('s_1_2', 2n, `m${i}`);
  await c.syncNow();
  await until(() => c.conversations()[0]?.lastSeq === 5n);
  const page = await c.history('s_1_2', { beforeSeq: 4n, limit: 2 });
  assert.deepEqual(page.messages.map((m) => Number(m.seq)), [2, 3]);
  assert.equal(page.hasMore, true);
  await c.markRead('s_1_2', 5n);
  assert.equal(c.totalUnread(), 0);
  assert.equal(c.conversations()[0].readSeq, 5n);
  await c.close({ logout: false });
});

test('history PULLs backward what the local store does not hold', async () => {
  class ForgetfulStore extends MemoryStore {
    async putMessages() {}
  }
  const gate = new FakeGate({ uid: 1n });
  for (let i = 1; i <= 5; i++) gate.add('g_7', 2n, `m${i}`, P.ConversationType.GROUP);
  const c = client(gate, { store: new ForgetfulStore() });
  await c.connect();
  const newest = await c.history('g_7', { limit: 2 });
  assert.deepEqual(newest.messages.map((m) => Number(m.seq)), [4, 5]);
  assert.equal(newest.hasMore, true);
  const older = await c.history('g_7', { beforeSeq: 4n, limit: 10 });
  assert.deepEqual(older.messages.map((m) => Number(m.seq)), [1, 2, 3]);
  assert.equal(older.hasMore, false);
  const backward = gate.last.sent(Command.PULL).map((f) => fromBinary(P.PullRequestSchema, f.body)).filter((r) => r.backward);
  assert.deepEqual(backward.map((r) => [Number(r.fromSeq), Number(r.toSeq)]), [[1, 0], [1, 3]]);
  await c.close({ logout: false });
});
