// End-to-end: the SDK against a real Magpie standalone (im-web/e2e/standalone.mjs). Needs the jar
// (MAGPIE_JAR, default ../im-server/target/magpie.jar) and Java 17.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { AccountApi, MagpieClient, MemoryStore } from '../dist/index.js';
import { startStandalone } from '../../e2e/standalone.mjs';
import { makePng } from '../../e2e/lib/png.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'magpie-sdk-e2e-'));
const run = Math.random().toString(36).slice(2, 8);
let server;
let api;
const users = {};
const clients = [];

before(async () => {
  server = await startStandalone({ dataDir });
  api = new AccountApi(server.accountUrl);
  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    const username = `${name}_${run}`;
    const { uid } = await api.register(username, 'password-123', name);
    users[name] = { username, uid };
  }
}, { timeout: 240_000 });

after(async () => {
  for (const c of clients) await c.close({ logout: false }).catch(() => undefined);
  await server?.stop();
  if (!process.env.KEEP_E2E_DATA) rmSync(dataDir, { recursive: true, force: true });
}, { timeout: 120_000 });

function options(store = new MemoryStore(), extra = {}) {
  return {
    accountUrl: server.accountUrl, lsbUrl: server.lsbUrl, store, webSocket: (url) => new WebSocket(url),
    reconnect: { initialMs: 200, maxMs: 2000 }, requestTimeoutMs: 10_000, ...extra,
  };
}

async function login(name, store, extra) {
  const c = await MagpieClient.login(options(store, extra), users[name].username, 'password-123');
  clients.push(c);
  return c;
}

/** Collects 'message' events of one conversation as "sender:text". */
function inbox(client, conversationId) {
  const got = [];
  client.on('message', (m) => {
    if (m.conversationId === conversationId && m.type !== 'SYSTEM') got.push(`${m.senderUid}:${m.text}#${m.seq}`);
  });
  return got;
}

async function until(cond, what, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const singleId = (a, b) => (BigInt(a) < BigInt(b) ? `s_${a}_${b}` : `s_${b}_${a}`);

test('one-to-one chat both ways, unread counts and markRead', { timeout: 120_000 }, async () => {
  const alice = await login('alice');
  const bob = await login('bob');
  const conv = singleId(users.alice.uid, users.bob.uid);
  const atBob = inbox(bob, conv);
  const atAlice = inbox(alice, conv);
  const sent = alice.sendText({ user: users.bob.uid }, 'hi bob');
  const stored = await sent.ack;
  assert.equal(stored.conversationId, conv);
  assert.equal(sent.state, 'ACKED');
  await until(() => atBob.length === 1, 'bob gets the message');
  assert.deepEqual(atBob, [`${users.alice.uid}:hi bob#${stored.seq}`]);
  await bob.sendText({ user: users.alice.uid }, 'hi alice').ack;
  await until(() => atAlice.length === 1, 'alice gets the reply');
  await alice.sendText({ user: users.bob.uid }, 'how are you?').ack;
  await until(() => atBob.length === 2, 'bob gets the second message');
  await until(() => bob.conversation(conv)?.unreadCount === 1, 'bob has one unread (his reply read the first)');
  assert.equal(bob.totalUnread(), 1);
  await bob.markRead(conv, bob.conversation(conv).lastSeq);
  assert.equal(bob.conversation(conv).unreadCount, 0);
  await bob.syncNow();
  assert.equal(bob.totalUnread(), 0, 'the server agrees after a SYNC');
  await until(() => alice.conversation(conv)?.peerReadSeq === bob.conversation(conv).lastSeq, 'alice sees the read receipt');
});

test('a group of three', { timeout: 120_000 }, async () => {
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => login(n)));
  const everything = [];
  carol.on('message', (m) => everything.push(m));
  const group = await api.createGroup(alice.currentSession, `team ${run}`, [users.bob.uid, users.carol.uid]);
  const atBob = inbox(bob, group.conversationId);
  const atCarol = inbox(carol, group.conversationId);
  await alice.sendText({ group: group.groupId }, 'hello team').ack;
  await bob.sendText({ group: group.groupId }, 'hi all').ack;
  await until(() => atCarol.length === 2, 'carol gets both');
  await until(() => atBob.length === 1, 'bob gets alice\'s');
  assert.deepEqual(atCarol.map((s) => s.split('#')[0]), [`${users.alice.uid}:hello team`, `${users.bob.uid}:hi all`]);
  assert.deepEqual(everything.filter((m) => m.conversationId === group.conversationId && m.type === 'SYSTEM')
    .map((m) => [m.seq, m.groupEvent.kind]), [[1n, 'GROUP_CREATED']]);
  const row = carol.conversation(group.conversationId);
  assert.equal(row.conversationType, 'GROUP');
  assert.equal(row.targetId, group.groupId);
});

test('history paging with PULL backward', { timeout: 120_000 }, async () => {
  const alice = await login('alice');
  const group = await api.createGroup(alice.currentSession, `history ${run}`, [users.carol.uid]);
  for (let i = 1; i <= 7; i++) await alice.sendText({ group: group.groupId }, `h${i}`).ack;
  class ForgetfulStore extends MemoryStore { async putMessages() {} }
  const carol = await login('carol', new ForgetfulStore());
  const pages = [];
  let before;
  for (;;) {
    const page = await carol.history(group.conversationId, { beforeSeq: before, limit: 3 });
    pages.push(page.messages.map((m) => m.text || m.type));
    if (!page.hasMore) break;
    before = page.messages[0].seq;
  }
  assert.deepEqual(pages, [['h5', 'h6', 'h7'], ['h2', 'h3', 'h4'], ['SYSTEM', 'h1']]);
});

test('a client reopened with the same store does not deliver again', { timeout: 120_000 }, async () => {
  const store = new MemoryStore();
  const conv = singleId(users.carol.uid, users.bob.uid);
  const carol = await login('carol');
  const bob1 = await login('bob', store);
  const first = inbox(bob1, conv);
  await carol.sendText({ user: users.bob.uid }, 'one').ack;
  await until(() => first.length === 1, 'bob gets one');
  await bob1.close({ logout: false });
  await carol.sendText({ user: users.bob.uid }, 'two').ack;
  const bob2 = new MagpieClient(options(store), bob1.currentSession);
  clients.push(bob2);
  const second = inbox(bob2, conv);
  await bob2.connect();
  await until(() => second.length === 1, 'bob gets two');
  await bob2.syncNow();
  assert.deepEqual(second.map((s) => s.split('#')[0]), [`${users.carol.uid}:two`]);
  const history = await bob2.history(conv);
  assert.deepEqual(history.messages.map((m) => m.text), ['one', 'two']);
});

/** A fetch whose calls fail while `offline` is set: the LSB cannot be reached, so the client stays offline. */
function switchableNetwork() {
  const net = { offline: false, sockets: [] };
  net.fetch = (url, init) => (net.offline ? Promise.reject(new Error('offline (test)')) : fetch(url, init));
  net.webSocket = (url) => {
    const ws = new WebSocket(url);
    net.sockets.push(ws);
    return ws;
  };
  net.drop = () => {
    net.offline = true;
    for (const ws of net.sockets) ws.terminate();
  };
  return net;
}

test('a recall is seen by the peer online (NOTICE) and by a device offline during it (since_version catch-up)',
  { timeout: 120_000 }, async () => {
    const alice = await login('alice');
    const bobOnline = await login('bob');
    const net = switchableNetwork();
    const bobAway = await login('bob', new MemoryStore(), { fetch: net.fetch, webSocket: net.webSocket });
    const conv = singleId(users.alice.uid, users.bob.uid);
    const atAway = inbox(bobAway, conv);
    const updatedOnline = [];
    const updatedAway = [];
    bobOnline.on('messageUpdated', (m) => updatedOnline.push(m));
    bobAway.on('messageUpdated', (m) => updatedAway.push(m));
    const keep = await alice.sendText({ user: users.bob.uid }, 'stays').ack;
    const first = await alice.sendText({ user: users.bob.uid }, 'recalled while online').ack;
    const second = await alice.sendText({ user: users.bob.uid }, 'recalled while away').ack;
    await until(() => atAway.length >= 3 && atAway.some((s) => s.endsWith(`#${second.seq}`)), 'bob (away) has all three');

    await alice.recall(conv, first.seq);
    await until(() => updatedOnline.some((m) => m.seq === first.seq), 'bob (online) sees the first recall');
    await until(() => updatedAway.some((m) => m.seq === first.seq), 'bob (away, still online) sees it too');
    assert.equal(updatedOnline.find((m) => m.seq === first.seq).status, 'RECALLED');

    const states = [];
    bobAway.on('state', (st) => states.push(st));
    net.drop();
    await until(() => bobAway.state === 'RECONNECTING', 'bob (away) lost the connection');
    await alice.recall(conv, second.seq);
    await until(() => updatedOnline.some((m) => m.seq === second.seq), 'bob (online) sees the second recall');
    assert.equal(updatedAway.some((m) => m.seq === second.seq), false, 'the away device is offline');
    net.offline = false;
    await until(() => updatedAway.some((m) => m.seq === second.seq), 'bob (away) learns the recall after reconnecting');
    const recalled = updatedAway.find((m) => m.seq === second.seq);
    assert.equal(recalled.status, 'RECALLED');
    assert.equal(recalled.text, '');
    assert.ok(states.includes('CONNECTED'));
    const page = await bobAway.history(conv);
    const bySeq = new Map(page.messages.map((m) => [m.seq, m]));
    assert.equal(bySeq.get(keep.seq).text, 'stays');
    assert.equal(bySeq.get(first.seq).status, 'RECALLED');
    assert.equal(bySeq.get(second.seq).status, 'RECALLED');
    assert.equal(bobAway.conversation(conv).lastMessage.status, 'RECALLED');
  });

test('delete for me, clear history, mute and pin on a real server; the other device follows', { timeout: 120_000 },
  async () => {
    const dave = await login('dave');
    const carol = await login('carol');
    const carol2 = await login('carol');
    const conv = singleId(users.dave.uid, users.carol.uid);
    const atCarol2 = inbox(carol2, conv);
    const a = await dave.sendText({ user: users.carol.uid }, 'one').ack;
    const b = await dave.sendText({ user: users.carol.uid }, 'two').ack;
    await until(() => atCarol2.length >= 2 && carol.conversation(conv)?.lastSeq === b.seq, 'both carol devices have two');
    const updated2 = [];
    carol2.on('messageUpdated', (m) => updated2.push(`${m.seq}:${m.status}`));
    await carol.deleteForMe(conv, [a.seq]);
    await until(() => updated2.includes(`${a.seq}:DELETED`), 'the other device hides the deleted message');
    assert.equal((await dave.history(conv)).messages.find((m) => m.seq === a.seq).status, 'NORMAL', 'dave keeps his');
    await carol.setPinned(conv, true);
    await carol.setMuted(conv, true);
    assert.ok(carol.conversation(conv).pinnedAt > 0);
    assert.equal(carol.conversation(conv).muted, true);
    assert.equal(carol.conversations()[0].conversationId, conv, 'pinned first');
    assert.equal(await carol.clearHistory(conv), b.seq);
    await until(() => carol2.conversation(conv)?.clearedSeq === b.seq, 'the other device learns the clear');
    assert.deepEqual((await carol.history(conv)).messages, []);
    await carol2.syncNow();
    assert.equal(carol2.conversation(conv).muted, true, 'settings reach the other device by SYNC');
  });

test('typing reaches the peer, throttled', { timeout: 60_000 }, async () => {
  const alice = await login('alice');
  const carol = await login('carol');
  const conv = singleId(users.alice.uid, users.carol.uid);
  await alice.sendText({ user: users.carol.uid }, 'typing next').ack;
  const typing = [];
  carol.on('typing', (e) => typing.push(e));
  alice.sendTyping(conv);
  alice.sendTyping(conv); // dropped by the SDK's 3 s throttle
  await until(() => typing.length === 1, 'carol sees alice typing');
  assert.deepEqual(typing[0], { conversationId: conv, uid: users.alice.uid });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(typing.length, 1, 'one TYPING sent');
});

test('a friend request accepted; then the friend\'s presence goes offline and online', { timeout: 120_000 }, async () => {
  const dave = await login('dave');
  let erin = await login('erin');
  const atDave = [];
  const atErin = [];
  dave.on('friends', (e) => atDave.push(e));
  erin.on('friends', (e) => atErin.push(e));
  const sent = await dave.friends.request(users.erin.uid, 'hi erin');
  assert.equal(sent.state, 'PENDING');
  assert.equal(sent.fromUid, users.dave.uid);
  await until(() => atErin.some((e) => e.kind === 'REQUEST'), 'erin is told of the request');
  const { incoming } = await erin.friends.requests();
  assert.deepEqual(incoming.map((r) => [r.requestId, r.fromUid, r.message]), [[sent.requestId, users.dave.uid, 'hi erin']]);
  assert.equal((await erin.friends.accept(sent.requestId)).state, 'ACCEPTED');
  await until(() => atDave.some((e) => e.kind === 'ACCEPTED' && e.uid === users.erin.uid), 'dave is told of the accept');
  assert.deepEqual((await dave.friends.list()).map((f) => f.uid), [users.erin.uid]);
  assert.deepEqual((await erin.friends.list()).map((f) => f.uid), [users.dave.uid]);

  const seen = [];
  dave.on('presence', (p) => { if (p.uid === users.erin.uid) seen.push(p); });
  await dave.watchPresence([users.erin.uid]);
  const [now] = await dave.queryPresence([users.erin.uid]);
  assert.equal(now.online, true);
  assert.deepEqual(now.platforms, ['WEB']);
  await erin.setStatusText('out for lunch');
  await erin.close({ logout: false });
  await until(() => seen.some((p) => !p.online), 'dave sees erin offline (after the 5 s grace)', 60_000);
  const offline = seen.find((p) => !p.online);
  assert.ok(offline.lastSeen > 0, 'last seen is set');
  assert.equal(offline.statusText, 'out for lunch');
  const count = seen.length;
  erin = await login('erin');
  await until(() => seen.slice(count).some((p) => p.online), 'dave sees erin online again', 60_000);
});

/** Registers fresh users (no friendships, blocks or policies from the other tests). */
async function freshUsers(...names) {
  for (const name of names) {
    const username = `${name}_${run}`;
    const { uid } = await api.register(username, 'password-123', name);
    users[name] = { username, uid };
  }
}

test('groups: invite (SYSTEM message, then sends), kick, leave, rename, info and members', { timeout: 120_000 },
  async () => {
    await freshUsers('gowner', 'gm1', 'gm2');
    const owner = await login('gowner');
    const m1 = await login('gm1');
    const m2 = await login('gm2');
    const events = (client) => {
      const got = [];
      client.on('message', (m) => { if (m.groupEvent) got.push(m); });
      return got;
    };
    const atOwner = events(owner);
    const atM1 = events(m1);
    const atM2 = events(m2);
    const groupId = await owner.groups.create('Birds', [users.gm1.uid]);
    const conv = `g_${groupId}`;
    const invited = await owner.groups.invite(groupId, [users.gm2.uid]);
    assert.ok(invited.seq > 1n && !invited.pending);
    await until(() => atM2.some((m) => m.groupEvent.type === 'MEMBERS_INVITED'), 'gm2 gets MEMBERS_INVITED');
    const inv = atM2.find((m) => m.groupEvent.type === 'MEMBERS_INVITED');
    assert.equal(inv.conversationId, conv);
    assert.equal(inv.seq, invited.seq);
    assert.deepEqual(inv.groupEvent.targetUids, [users.gm2.uid]);
    assert.equal(inv.groupEvent.operatorUid, users.gowner.uid);
    assert.equal(inv.groupEvent.memberCount, 3);
    await until(() => atOwner.some((m) => m.seq === invited.seq), 'the owner gets its own change as a message');
    const ownerText = inbox(owner, conv);
    const hello = await m2.sendText({ group: groupId }, 'hello birds').ack;
    await until(() => ownerText.length === 1, 'the owner gets gm2 message');
    assert.deepEqual(ownerText, [`${users.gm2.uid}:hello birds#${hello.seq}`]);

    const members = await owner.groups.members(groupId);
    assert.deepEqual(members.map((m) => [m.uid, m.role]).sort(),
      [[users.gowner.uid, 'OWNER'], [users.gm1.uid, 'MEMBER'], [users.gm2.uid, 'MEMBER']].sort());
    assert.equal(members.find((m) => m.uid === users.gm2.uid).joinedSeq, invited.seq);

    await assert.rejects(m1.groups.kick(groupId, [users.gm2.uid]), (e) => e.code === 'NOT_ADMIN');
    const kicked = await owner.groups.kick(groupId, [users.gm1.uid]);
    await until(() => atM1.some((m) => m.seq === kicked.seq), 'gm1 receives the message removing them');
    assert.equal(atM1.find((m) => m.seq === kicked.seq).groupEvent.type, 'MEMBERS_KICKED');
    await assert.rejects(m1.sendText({ group: groupId }, 'still here?').ack, (e) => e.code === 'FORBIDDEN');

    const left = await m2.groups.leave(groupId);
    await until(() => atOwner.some((m) => m.seq === left.seq), 'the owner sees gm2 leave');
    const leftEvent = atOwner.find((m) => m.seq === left.seq).groupEvent;
    assert.equal(leftEvent.type, 'MEMBER_LEFT');
    assert.equal(leftEvent.operatorUid, users.gm2.uid);
    await assert.rejects(owner.groups.leave(groupId), (e) => e.code === 'OWNER_CANNOT_LEAVE');

    const renamed = await owner.groups.rename(groupId, 'Magpies');
    await until(() => atOwner.some((m) => m.seq === renamed.seq), 'the owner gets PROFILE_UPDATED');
    const profile = atOwner.find((m) => m.seq === renamed.seq).groupEvent;
    assert.equal(profile.type, 'PROFILE_UPDATED');
    assert.equal(profile.name, 'Magpies');
    const info = await owner.groups.info(groupId);
    assert.equal(info.groupId, groupId);
    assert.equal(info.name, 'Magpies');
    assert.equal(info.ownerUid, users.gowner.uid);
    assert.equal(info.memberCount, 1);
    assert.deepEqual(info.members.map((m) => m.uid), [users.gowner.uid]);
  });

test('rich messages: an image uploaded from a Buffer, a reply, a reaction, an edit and a mention', { timeout: 120_000 },
  async () => {
    await freshUsers('ralice', 'rbob');
    const alice = await login('ralice');
    const bob = await login('rbob');
    const conv = singleId(users.ralice.uid, users.rbob.uid);
    const atBob = [];
    const bobUpdated = [];
    bob.on('message', (m) => { if (m.conversationId === conv) atBob.push(m); });
    bob.on('messageUpdated', (m) => bobUpdated.push(m));

    const png = makePng(64, 32);
    const image = await alice.sendImage({ user: users.rbob.uid }, png, { fileName: 'stripe.png', caption: 'a stripe' }).ack;
    assert.equal(image.type, 'IMAGE');
    assert.deepEqual([image.media.width, image.media.height, image.media.sizeBytes, image.media.mimeType],
      [64, 32, png.length, 'image/png']);
    assert.match(image.media.url, /^\/v1\/media\/[A-Za-z0-9_-]{22}$/);
    await until(() => atBob.some((m) => m.seq === image.seq), 'bob gets the image');
    const urls = await bob.mediaUrls(atBob.find((m) => m.seq === image.seq).media.url);
    const original = await fetch(urls.url);
    assert.equal(original.status, 200);
    assert.deepEqual(Buffer.from(await original.arrayBuffer()), png, 'the bytes as uploaded, no token needed');
    assert.equal((await fetch(urls.thumbnailUrl)).headers.get('content-type'), 'image/png');

    const reply = await bob.sendText({ user: users.ralice.uid }, 'nice stripe', { replyTo: image.seq }).ack;
    assert.deepEqual([reply.replyTo.seq, reply.replyTo.senderUid, reply.replyTo.type, reply.replyTo.preview],
      [image.seq, users.ralice.uid, 'IMAGE', 'a stripe']);

    const reacted = await alice.react(conv, reply.seq, '👍');
    assert.deepEqual(reacted.reactions, [{ emoji: '👍', count: 1, uids: [users.ralice.uid], mine: true }]);
    await until(() => bobUpdated.some((m) => m.seq === reply.seq && m.reactions.length === 1), 'bob sees the reaction');
    assert.equal(bobUpdated.find((m) => m.seq === reply.seq).reactions[0].mine, false);

    const edited = await bob.edit(conv, reply.seq, 'very nice stripe');
    assert.ok(edited.editedAt > 0);
    assert.equal(edited.message.text, 'very nice stripe');
    assert.equal(edited.message.reactions.length, 1, 'an edit keeps the reactions');
    await assert.rejects(alice.edit(conv, reply.seq, 'not mine'), (e) => e.code === 'FORBIDDEN');

    const groupId = await alice.groups.create('Stripes', [users.rbob.uid]);
    const gconv = `g_${groupId}`;
    const mention = await alice.sendText({ group: groupId }, '@rbob look', { mentionedUids: [users.rbob.uid] }).ack;
    await until(() => bob.conversation(gconv)?.mentioned === true, 'bob\'s row shows @me');
    await bob.markRead(gconv, mention.seq);
    assert.equal(bob.conversation(gconv).mentioned, false, 'read past it');
    await assert.rejects(bob.sendText({ group: groupId }, '@all', { mentionAll: true }).ack,
      (e) => e.code === 'MENTION_ALL_NOT_ALLOWED');
  });

test('an unacknowledged SEND kept in the store is delivered once by the next client', { timeout: 120_000 },
  async () => {
    await freshUsers('oxsender', 'oxreader');
    const store = new MemoryStore();
    let blocked = false;
    const blocking = (url) => {
      const ws = new WebSocket(url);
      const send = ws.send.bind(ws);
      ws.send = (data, ...rest) => { if (!blocked) send(data, ...rest); }; // the network swallows what we send
      return ws;
    };
    const first = await login('oxsender', store, { webSocket: blocking });
    const reader = await login('oxreader');
    const conv = singleId(users.oxsender.uid, users.oxreader.uid);
    const atReader = inbox(reader, conv);
    blocked = true;
    const out = first.sendText({ user: users.oxreader.uid }, 'from the outbox');
    await until(async () => (await store.get(`${users.oxsender.uid}/outbox`) ?? '').includes(out.clientMsgId),
      'the SEND is in the stored outbox');
    assert.equal(out.state, 'SENDING');
    await first.close({ logout: false });
    await assert.rejects(out.ack, (e) => e.code === 'CLOSED');

    const second = await login('oxsender', store);
    await until(async () => (await store.get(`${users.oxsender.uid}/outbox`)) === '[]', 'the outbox drained');
    assert.deepEqual(second.pending(), []);
    await until(() => atReader.length === 1, 'the reader gets it');
    const page = await second.history(conv);
    const copies = page.messages.filter((m) => m.clientMsgId === out.clientMsgId);
    assert.equal(copies.length, 1);
    assert.equal(copies[0].text, 'from the outbox');
    const third = await login('oxsender', new MemoryStore());
    const fresh = await third.history(conv); // from the server: stored once
    assert.deepEqual(fresh.messages.filter((m) => m.text === 'from the outbox').length, 1);
    assert.deepEqual(atReader, [`${users.oxsender.uid}:from the outbox#${copies[0].seq}`]);
  });

test('delivery survives a server restart: once, in order, both ways', { timeout: 400_000 }, async () => {
  const alice = await login('alice');
  const carol = await login('carol');
  const conv = singleId(users.alice.uid, users.carol.uid);
  const atAlice = inbox(alice, conv);
  const atCarol = inbox(carol, conv);
  await alice.sendText({ user: users.carol.uid }, 'before').ack;
  await until(() => atCarol.length === 1, 'carol gets before');
  await server.restart();
  const fromAlice = [1, 2, 3].map((i) => alice.sendText({ user: users.carol.uid }, `a${i}`));
  const fromCarol = [1, 2, 3].map((i) => carol.sendText({ user: users.alice.uid }, `c${i}`));
  await Promise.all([...fromAlice, ...fromCarol].map((o) => o.ack));
  await until(() => atCarol.length === 4 && atAlice.length === 3, 'every message after the restart', 120_000);
  await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would show up here
  assert.deepEqual(atCarol.map((s) => s.split('#')[0].split(':')[1]), ['before', 'a1', 'a2', 'a3']);
  assert.deepEqual(atAlice.map((s) => s.split('#')[0].split(':')[1]), ['c1', 'c2', 'c3']);
  const seqs = atCarol.map((s) => BigInt(s.split('#')[1]));
  assert.deepEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)), seqs, 'ascending seqs');
});
