// Round 2 of the SDK against the fake gate: recall, delete, clear, settings, typing, presence, since_version catch-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import { Command, MagpieClient, MemoryStore, proto } from '../dist/index.js';
import { FakeGate, session, until } from './fake-gate.mjs';

const P = proto;

function client(gate, extra = {}) {
  return new MagpieClient({
    accountUrl: 'http://account.test', lsbUrl: 'http://lsb.test', fetch: gate.fetch, webSocket: gate.factory,
    store: extra.store ?? new MemoryStore(), requestTimeoutMs: 2000,
    reconnect: { initialMs: 5, maxMs: 20 }, retry: { initialMs: 5, maxMs: 20 }, ...extra,
  }, session(gate.uid));
}

async function connected(gate, n) {
  const c = client(gate);
  const got = [];
  const updated = [];
  c.on('message', (m) => got.push(m));
  c.on('messageUpdated', (m) => updated.push(`${m.conversationId}#${m.seq}:${m.status}`));
  await c.connect();
  await until(() => got.length === n, 5000, `${n} messages`);
  return { c, got, updated };
}

function sent(gate, command, schema) {
  return gate.sockets.flatMap((s) => s.sent(command)).map((f) => fromBinary(schema, f.body));
}

test('recall sends RECALL and turns the copy RECALLED; a NOTICE_RECALLED does the same for others', async () => {
  const gate = new FakeGate({ uid: 1n });
  for (let i = 1; i <= 3; i++) gate.add('s_1_2', i === 2 ? 1n : 2n, `m${i}`);
  const { c, updated } = await connected(gate, 3);
  await c.recall('s_1_2', 2n);
  assert.deepEqual(sent(gate, Command.RECALL, P.MessageActionRequestSchema).map((r) => [r.conversationId, r.seq]),
    [['s_1_2', 2n]]);
  await until(() => updated.length === 1, 5000, 'the recall applied');
  const version = gate.change('s_1_2', 3n, P.MessageStatus.RECALLED);
  gate.notice(gate.last, { type: P.NoticeType.NOTICE_RECALLED, conversationId: 's_1_2', seq: 3n, uid: 2n, version,
    senderUid: 2n });
  await until(() => updated.length === 2, 5000, 'the NOTICE applied');
  assert.deepEqual(updated, ['s_1_2#2:RECALLED', 's_1_2#3:RECALLED']);
  assert.equal(c.conversation('s_1_2').lastMessage.status, 'RECALLED');
  const page = await c.history('s_1_2');
  assert.deepEqual(page.messages.map((m) => `${m.seq}:${m.status}:${m.text}`), ['1:NORMAL:m1', '2:RECALLED:', '3:RECALLED:']);
  await c.close({ logout: false });
});

test('deleteForMe sends one DELETE with more_seqs; clearHistory raises clearedSeq; limits are checked', async () => {
  const gate = new FakeGate({ uid: 1n });
  for (let i = 1; i <= 4; i++) gate.add('s_1_2', 2n, `m${i}`);
  const { c, updated } = await connected(gate, 4);
  await c.deleteForMe('s_1_2', [1n, 3n]);
  const [del] = sent(gate, Command.DELETE, P.MessageActionRequestSchema);
  assert.equal(del.seq, 1n);
  assert.deepEqual(del.moreSeqs, [3n]);
  await until(() => updated.length === 2, 5000, 'two deletions');
  assert.deepEqual(updated, ['s_1_2#1:DELETED', 's_1_2#3:DELETED']);
  await assert.rejects(c.deleteForMe('s_1_2', Array.from({ length: 101 }, (_, i) => BigInt(i + 1))),
    (e) => e.code === 'BAD_REQUEST');
  assert.equal(await c.clearHistory('s_1_2'), 4n);
  assert.equal(c.conversation('s_1_2').clearedSeq, 4n);
  assert.equal(c.conversation('s_1_2').unreadCount, 0);
  assert.deepEqual((await c.history('s_1_2')).messages, []);
  await c.close({ logout: false });
});

test('mute, pin and hide go over the account API with the bearer token, then SYNC', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.add('s_1_2', 2n, 'm1');
  const { c } = await connected(gate, 1);
  const syncs = gate.syncs;
  await c.setMuted('s_1_2', true);
  await c.setPinned('s_1_2', true);
  await c.setHidden('s_1_2', false);
  assert.deepEqual(gate.http.map((h) => `${h.method} ${h.path} ${JSON.stringify(h.body)} ${h.auth}`), [
    'PUT /v1/conversations/s_1_2/mute {"muted":true} Bearer token-0',
    'PUT /v1/conversations/s_1_2/pin {"pinned":true} Bearer token-0',
    'PUT /v1/conversations/s_1_2/hide {"hidden":false} Bearer token-0',
  ]);
  assert.equal(gate.syncs, syncs + 3);
  await c.close({ logout: false });
});

test('sendTyping is throttled per conversation; NOTICE_TYPING becomes a typing event', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.add('s_1_2', 2n, 'm1');
  const { c } = await connected(gate, 1);
  const typing = [];
  c.on('typing', (e) => typing.push(e));
  c.sendTyping('s_1_2');
  c.sendTyping('s_1_2');
  c.sendTyping('g_7');
  await until(() => gate.last.sent(Command.TYPING).length === 2, 5000, 'two TYPINGs');
  assert.deepEqual(sent(gate, Command.TYPING, P.TypingRequestSchema).map((t) => t.conversationId), ['s_1_2', 'g_7']);
  gate.notice(gate.last, { type: P.NoticeType.NOTICE_TYPING, conversationId: 's_1_2', uid: 2n });
  await until(() => typing.length === 1, 5000, 'the typing event');
  assert.deepEqual(typing, [{ conversationId: 's_1_2', uid: '2' }]);
  await c.close({ logout: false });
});

test('presence: query, watch list set again after a reconnect, NOTICE_PRESENCE as an event', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.presence.set(2n, { uid: 2n, online: true, platforms: [P.Platform.WEB, P.Platform.IOS], deviceCount: 2,
    statusText: 'busy' });
  const c = client(gate);
  await c.connect();
  assert.deepEqual(await c.queryPresence(['2', '3']), [
    { uid: '2', online: true, platforms: ['WEB', 'IOS'], deviceCount: 2, lastSeen: 0, statusText: 'busy' },
    { uid: '3', online: false, platforms: [], deviceCount: 0, lastSeen: 0, statusText: '' },
  ]);
  await c.watchPresence(['2', '5']);
  assert.deepEqual(gate.watch, [2n, 5n]);
  gate.watch = undefined;
  const first = gate.last;
  first.close();
  await until(() => gate.last !== first && gate.watch !== undefined, 5000, 'the watch list set again');
  assert.deepEqual(gate.watch, [2n, 5n]);
  const seen = [];
  c.on('presence', (p) => seen.push(p));
  gate.notice(gate.last, { type: P.NoticeType.NOTICE_PRESENCE, uid: 5n,
    presence: { uid: 5n, online: false, lastSeen: 1234n } });
  await until(() => seen.length === 1, 5000, 'the presence event');
  assert.deepEqual(seen[0], { uid: '5', online: false, platforms: [], deviceCount: 0, lastSeen: 1234, statusText: '' });
  await c.setStatusText('away');
  await c.setInvisible(true);
  assert.deepEqual(gate.http.map((h) => JSON.stringify(h.body)), ['{"statusText":"away"}', '{"hidden":true}']);
  await c.close({ logout: false });
});

test('after a reconnect, recalls and deletions made while offline arrive by a since_version PULL', async () => {
  const gate = new FakeGate({ uid: 1n });
  for (let i = 1; i <= 3; i++) gate.add('s_1_2', 2n, `m${i}`);
  gate.add('s_1_3', 3n, 'other');
  const { c, updated } = await connected(gate, 4);
  const known = gate.conversations.get('s_1_2').messages[2].version; // m3's: the highest version delivered
  const first = gate.last;
  first.close();
  gate.change('s_1_2', 2n, P.MessageStatus.RECALLED);
  gate.change('s_1_2', 1n, P.MessageStatus.DELETED);
  await until(() => updated.length === 2, 5000, 'the offline changes');
  assert.deepEqual(updated.sort(), ['s_1_2#1:DELETED', 's_1_2#2:RECALLED']);
  const sincePulls = sent(gate, Command.PULL, P.PullRequestSchema).filter((r) => r.sinceVersion > 0n);
  assert.deepEqual(sincePulls.map((r) => [r.conversationId, r.sinceVersion]), [['s_1_2', known]],
    'only the conversation whose row moved, from the version known at login');
  // the cursor moved: a further reconnect with no change asks nothing since_version
  gate.last.close();
  await until(() => gate.sockets.length === 3 && c.state === 'CONNECTED', 5000, 'the third connection');
  await c.syncNow();
  assert.equal(sent(gate, Command.PULL, P.PullRequestSchema).filter((r) => r.sinceVersion > 0n).length, 1);
  await c.close({ logout: false });
});

test('a client reopened with the same store catches up a recall made while it was closed (reload)', async () => {
  const gate = new FakeGate({ uid: 1n });
  for (let i = 1; i <= 3; i++) gate.add('s_1_2', 2n, `m${i}`);
  const store = new MemoryStore();
  const first = client(gate, { store });
  const got = [];
  first.on('message', (m) => got.push(m));
  await first.connect();
  await until(() => got.length === 3, 5000, 'three messages');
  await first.close({ logout: false });
  gate.change('s_1_2', 3n, P.MessageStatus.RECALLED);
  const second = client(gate, { store });
  const updated = [];
  const again = [];
  second.on('messageUpdated', (m) => updated.push(`${m.seq}:${m.status}`));
  second.on('message', (m) => again.push(m));
  await second.connect();
  await until(() => updated.length === 1, 5000, 'the recall after the reload');
  assert.deepEqual(updated, ['3:RECALLED']);
  assert.equal(again.length, 0, 'nothing delivered twice');
  assert.equal(second.conversation('s_1_2').lastMessage.status, 'RECALLED');
  await second.close({ logout: false });
});
