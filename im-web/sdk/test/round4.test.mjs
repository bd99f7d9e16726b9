// Rich messages against the fake gate: upload-and-send, signed media URLs, replies, mentions and the "@me" mark,
// reactions and edits (acks, NOTICEs, the since_version catch-up) and what they change in the held messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, fromBinary } from '@bufbuild/protobuf';
import { Command, MagpieClient, MemoryStore, proto } from '../dist/index.js';
import { FakeGate, session, until } from './fake-gate.mjs';

const P = proto;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'); // a PNG's first bytes: enough for the fake

function client(gate, store = new MemoryStore()) {
  return new MagpieClient({
    accountUrl: 'http://account.test/api', lsbUrl: 'http://lsb.test', fetch: gate.fetch, webSocket: gate.factory, store,
    requestTimeoutMs: 2000, reconnect: { initialMs: 5, maxMs: 20 }, retry: { initialMs: 5, maxMs: 20 },
  }, session(gate.uid));
}

function sent(gate, command, schema) {
  return gate.sockets.flatMap((s) => s.sent(command)).map((f) => fromBinary(schema, f.body));
}

/** A connected client holding `n` messages, with its 'message' and 'messageUpdated' events collected. */
async function connected(gate, n, store) {
  const c = client(gate, store);
  const got = [];
  const updated = [];
  c.on('message', (m) => got.push(m));
  c.on('messageUpdated', (m) => updated.push(m));
  await c.connect();
  await until(() => got.length === n, 5000, `${n} messages`);
  return { c, got, updated };
}

test('sendImage uploads a Node Buffer (multipart) and sends an IMAGE with the stored references', async () => {
  const gate = new FakeGate({ uid: 1n });
  const c = client(gate);
  await c.connect();
  const out = c.sendImage({ user: '2' }, PNG, { fileName: 'cat.png', caption: 'my cat' });
  assert.equal(out.state, 'UPLOADING');
  assert.equal(out.type, 'IMAGE');
  assert.equal(out.text, 'my cat');
  assert.equal(out.conversationId, 's_1_2');
  const stored = await out.ack;
  assert.equal(out.state, 'ACKED');
  assert.deepEqual(gate.uploads, [{ conversationId: 's_1_2', name: 'cat.png', type: 'image/png', size: PNG.length,
    auth: 'Bearer token-0', contentType: undefined }], 'multipart: fetch sets the boundary, the SDK no JSON type');
  const [req] = sent(gate, Command.SEND, P.SendRequestSchema);
  assert.equal(req.content.type, P.MessageType.IMAGE);
  assert.equal(req.content.text, 'my cat');
  const media = req.content.media;
  assert.deepEqual([media.url, media.mimeType, media.sizeBytes, media.width, media.height, media.fileName,
    media.thumbnailUrl], ['/v1/media/m000000000000000000001', 'image/png', BigInt(PNG.length), 40, 20, 'cat.png',
    '/v1/media/m000000000000000000001/thumbnail']);
  assert.equal(stored.type, 'IMAGE');
  assert.deepEqual(stored.media, { url: '/v1/media/m000000000000000000001', mimeType: 'image/png', sizeBytes: PNG.length,
    width: 40, height: 20, durationMs: 0, fileName: 'cat.png', thumbnailUrl: '/v1/media/m000000000000000000001/thumbnail' });
  assert.equal((await c.history('s_1_2')).messages[0].media.fileName, 'cat.png', 'kept for history');
  await c.close({ logout: false });
});

test('sendFile sends a Blob as FILE; an upload refusal fails the ack and sends nothing', async () => {
  const gate = new FakeGate({ uid: 1n });
  const c = client(gate);
  await c.connect();
  const blob = new Blob(['a,b\n1,2\n'], { type: 'text/plain' });
  const out = c.sendFile({ group: '7' }, blob, { fileName: 'table.csv' });
  await out.ack;
  const [req] = sent(gate, Command.SEND, P.SendRequestSchema);
  assert.equal(req.content.type, P.MessageType.FILE);
  assert.equal(req.content.media.fileName, 'table.csv');
  assert.equal(req.content.media.mimeType, 'text/plain');
  assert.equal(req.content.media.width, 0);
  assert.equal(gate.uploads[0].conversationId, 'g_7');

  gate.uploadError = { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' };
  const refused = c.sendImage({ user: '2' }, PNG, { fileName: 'x.png' });
  await assert.rejects(refused.ack, (e) => e.code === 'UNSUPPORTED_MEDIA_TYPE' && e.codeNumber === 415);
  assert.equal(refused.state, 'FAILED');
  // a WebP gets no size from the server and Node decodes no images: it goes as a FILE
  const webp = await c.sendImage({ user: '2' }, new Uint8Array([1, 2, 3]), { fileName: 'w.webp' }).ack;
  assert.equal(webp.type, 'FILE');
  assert.equal(webp.media.mimeType, 'image/webp');
  assert.equal(sent(gate, Command.SEND, P.SendRequestSchema).length, 2, 'nothing sent for the refused upload');
  await c.close({ logout: false });
});

test('mediaUrls exchanges a stable reference for absolute signed URLs, reused until near expiry', async () => {
  const gate = new FakeGate({ uid: 1n });
  const c = client(gate);
  await c.connect();
  const urls = await c.mediaUrls('/v1/media/m000000000000000000001');
  assert.equal(urls.url, 'http://account.test/api/v1/media/m000000000000000000001?exp=99&sig=s1');
  assert.equal(urls.thumbnailUrl, 'http://account.test/api/v1/media/m000000000000000000001/thumbnail?exp=99&sig=s2');
  assert.ok(urls.expiresAt > Date.now());
  assert.equal(await c.mediaUrls('m000000000000000000001'), urls, 'the cached answer');
  assert.equal(await c.mediaUrls('/v1/media/m000000000000000000001/thumbnail'), urls);
  assert.deepEqual(gate.http.map((h) => `${h.method} ${h.path} ${h.auth}`),
    ['GET /v1/media/m000000000000000000001/url Bearer token-0']);
  await assert.rejects(c.mediaUrls('https://example.org/cat.png'), (e) => e.code === 'BAD_REQUEST');
  await c.close({ logout: false });
});

test('a reply carries reply_to; the ack\'s filled-in quote is kept; mentions only in groups, at most 50', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.add('s_1_2', 2n, 'shall we meet at noon?');
  const { c } = await connected(gate, 1);
  const stored = await c.sendText({ user: '2' }, 'yes', { replyTo: 1n }).ack;
  const [req] = sent(gate, Command.SEND, P.SendRequestSchema);
  assert.equal(req.content.replyTo.seq, 1n);
  assert.equal(req.content.replyTo.preview, '', 'the client names the seq only');
  assert.deepEqual(stored.replyTo, { seq: 1n, msgId: '1000', senderUid: '2', type: 'TEXT',
    preview: 'shall we meet at noon?', recalled: false });
  assert.equal((await c.history('s_1_2')).messages[1].replyTo.preview, 'shall we meet at noon?');

  const single = c.sendText({ user: '2' }, '@bob', { mentionedUids: ['2'] });
  assert.equal(single.state, 'FAILED');
  await assert.rejects(single.ack, (e) => e.code === 'BAD_REQUEST' && /group messages only/.test(e.message));
  const many = c.sendText({ group: '7' }, 'all of you', { mentionedUids: Array.from({ length: 51 }, (_, i) => `${i + 2}`) });
  await assert.rejects(many.ack, (e) => e.code === 'BAD_REQUEST');
  await c.sendText({ group: '7' }, '@bob @carol', { mentionedUids: ['2', '3', '2'], mentionAll: false }).ack;
  await c.sendText({ group: '7' }, '@all', { mentionAll: true }).ack;
  const [, group, all] = sent(gate, Command.SEND, P.SendRequestSchema);
  assert.deepEqual(group.content.mentionedUids, [2n, 3n]);
  assert.equal(group.content.mentionAll, false);
  assert.equal(all.content.mentionAll, true);
  assert.equal(sent(gate, Command.SEND, P.SendRequestSchema).length, 3, 'the refused ones were not sent');
  await c.close({ logout: false });
});

test('"@me": a pushed mention marks the row until READ; SYNC\'s mentioned too; kept across a reload', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.add('g_7', 2n, 'hello', P.ConversationType.GROUP);
  const store = new MemoryStore();
  const { c, got } = await connected(gate, 1, store);
  assert.equal(c.conversation('g_7').mentioned, false);
  const m = gate.add('g_7', 2n, '@alice look', P.ConversationType.GROUP);
  m.content.mentionedUids = [1n];
  gate.push(gate.last, [m]);
  await until(() => got.length === 2, 5000, 'the mention');
  assert.equal(got[1].mentionsMe, true);
  assert.deepEqual(got[1].mentionedUids, ['1']);
  assert.equal(c.conversation('g_7').mentioned, true);
  await c.markRead('g_7', 2n);
  assert.equal(c.conversation('g_7').mentioned, false, 'a READ past it clears the mark');
  // @all from someone else, learned by SYNC (the row says mentioned), then read on another device
  const all = gate.add('g_7', 3n, 'everyone: standup', P.ConversationType.GROUP);
  all.content.mentionAll = true;
  await c.syncNow();
  await until(() => got.length === 3, 5000, 'the @all message');
  assert.equal(got[2].mentionsMe, true);
  assert.equal(c.conversation('g_7').mentioned, true);
  await c.close({ logout: false });
  const again = client(gate, store);
  await again.connect();
  assert.equal(again.conversation('g_7').mentioned, true, 'persisted with the row');
  gate.notice(gate.last, { type: P.NoticeType.NOTICE_READ, conversationId: 'g_7', seq: 3n, uid: 1n, unreadCount: 0n });
  await until(() => again.conversation('g_7').mentioned === false, 5000, 'NOTICE_READ clears it');
  await again.close({ logout: false });
});

test('react and unreact: REACT_ACK updates the held copy; a NOTICE_REACTED from others too, by version', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.add('s_1_2', 2n, 'nice');
  const { c, updated } = await connected(gate, 1);
  const result = await c.react('s_1_2', 1n, '👍');
  assert.deepEqual(gate.reacts.map((r) => [r.conversationId, r.seq, r.emoji, r.remove]), [['s_1_2', 1n, '👍', false]]);
  assert.deepEqual(result.reactions, [{ emoji: '👍', count: 1, uids: ['1'], mine: true }]);
  await until(() => updated.length === 1, 5000, 'the held copy updated');
  assert.deepEqual(updated[0].reactions, [{ emoji: '👍', count: 1, uids: ['1'], mine: true }]);
  assert.equal(updated[0].version, result.version);
  assert.notEqual(updated[0].version, updated[0].msgId);
  assert.deepEqual((await c.history('s_1_2')).messages[0].reactions.map((r) => r.emoji), ['👍']);

  // bob adds ❤️ on his device: the NOTICE carries the whole message
  const held = gate.conversations.get('s_1_2').messages[0];
  const theirs = create(P.MessageSchema, { ...held, reactions: [...held.reactions,
    create(P.ReactionCountSchema, { emoji: '❤️', count: 1, uids: [2n] })], version: gate.nextMsgId++ });
  gate.notice(gate.last, { type: P.NoticeType.NOTICE_REACTED, conversationId: 's_1_2', seq: 1n, uid: 2n,
    version: theirs.version, message: theirs });
  await until(() => updated.length === 2, 5000, 'the NOTICE applied');
  assert.deepEqual(updated[1].reactions.map((r) => `${r.emoji}:${r.count}:${r.mine}`), ['👍:1:true', '❤️:1:false']);
  // a stale NOTICE (a lower version) changes nothing
  gate.notice(gate.last, { type: P.NoticeType.NOTICE_REACTED, conversationId: 's_1_2', seq: 1n, uid: 2n,
    version: held.version, message: create(P.MessageSchema, { ...held, reactions: [] }) });
  const undo = await c.unreact('s_1_2', 1n);
  assert.equal(gate.reacts[1].remove, true);
  assert.deepEqual(undo.reactions, []);
  await until(() => updated.length === 3, 5000, 'the unreact applied');
  assert.deepEqual(updated[2].reactions, []);
  await assert.rejects(c.react('s_1_2', 0n, '👍'), (e) => e.code === 'BAD_REQUEST');
  await c.close({ logout: false });
});

test('edit: a string keeps the type and media; EDIT_ACK\'s stored (masked) content and editedAt are kept', async () => {
  const gate = new FakeGate({ uid: 1n });
  const { c, updated } = await connected(gate, 0);
  const first = await c.sendText({ user: '2' }, 'helo wrold').ack;
  assert.equal(first.editedAt, 0);
  gate.editMask = 'darn';
  const result = await c.edit('s_1_2', first.seq, 'hello world, darn');
  const [req] = sent(gate, Command.EDIT, P.EditRequestSchema);
  assert.equal(req.content.type, P.MessageType.TEXT);
  assert.equal(req.content.text, 'hello world, darn');
  assert.equal(result.text, 'hello world, ****');
  assert.ok(result.editedAt > 0);
  assert.equal(result.message.text, 'hello world, ****');
  await until(() => updated.length === 1, 5000, 'the held copy edited');
  assert.equal(updated[0].text, 'hello world, ****');
  assert.equal(updated[0].editedAt, result.editedAt);
  assert.equal(c.conversation('s_1_2').lastMessage.text, 'hello world, ****', 'the list shows the edit');

  const image = await c.sendImage({ user: '2' }, PNG, { fileName: 'p.png', caption: 'befor' }).ack;
  await c.edit('s_1_2', image.seq, 'before');
  const imageEdit = sent(gate, Command.EDIT, P.EditRequestSchema)[1];
  assert.equal(imageEdit.content.type, P.MessageType.IMAGE);
  assert.equal(imageEdit.content.media.fileName, 'p.png');
  assert.equal(imageEdit.content.text, 'before');
  gate.editMask = undefined;
  await c.close({ logout: false });
});

test('NOTICE_EDITED replaces the held copy; a message deleted for me stays deleted', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.add('s_1_2', 2n, 'typo');
  gate.add('s_1_2', 2n, 'gone');
  const { c, updated } = await connected(gate, 2);
  const m = gate.conversations.get('s_1_2').messages[0];
  const edited = create(P.MessageSchema, { ...m, content: create(P.MessageContentSchema, { type: P.MessageType.TEXT,
    text: 'fixed' }), editedAt: 5n, version: gate.nextMsgId++ });
  gate.notice(gate.last, { type: P.NoticeType.NOTICE_EDITED, conversationId: 's_1_2', seq: 1n, uid: 2n,
    version: edited.version, message: edited });
  await until(() => updated.length === 1, 5000, 'the edit');
  assert.equal(updated[0].text, 'fixed');
  assert.equal(updated[0].editedAt, 5);
  await c.deleteForMe('s_1_2', [2n]);
  await until(() => updated.length === 2, 5000, 'the deletion');
  const second = gate.conversations.get('s_1_2').messages[1];
  gate.notice(gate.last, { type: P.NoticeType.NOTICE_EDITED, conversationId: 's_1_2', seq: 2n, uid: 2n,
    version: gate.nextMsgId + 10n, message: create(P.MessageSchema, { ...second, status: 0,
      content: create(P.MessageContentSchema, { type: 1, text: 'back?' }), version: gate.nextMsgId + 10n }) });
  await c.syncNow(); // a round trip: the NOTICE before it was handled
  assert.equal(updated.length, 2);
  assert.deepEqual((await c.history('s_1_2')).messages.map((x) => `${x.text}:${x.status}`), ['fixed:NORMAL', ':DELETED']);
  await c.close({ logout: false });
});

test('after a reconnect, reactions and edits made while offline arrive by the since_version PULL', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.add('s_1_2', 2n, 'one');
  gate.add('s_1_2', 2n, 'two');
  const { c, updated } = await connected(gate, 2);
  const first = gate.last;
  first.close();
  const conv = gate.conversations.get('s_1_2');
  conv.messages[0] = create(P.MessageSchema, { ...conv.messages[0],
    reactions: [create(P.ReactionCountSchema, { emoji: '🎉', count: 1, uids: [2n] })], version: gate.nextMsgId++ });
  conv.messages[1] = create(P.MessageSchema, { ...conv.messages[1], content: create(P.MessageContentSchema, {
    type: P.MessageType.TEXT, text: 'two!' }), editedAt: 9n, version: gate.nextMsgId++ });
  conv.version = ++gate.version;
  await until(() => updated.length === 2, 5000, 'the offline changes');
  assert.deepEqual(updated.map((m) => `${m.seq}:${m.text}:${m.reactions.map((r) => r.emoji).join('')}:${m.editedAt}`),
    ['1:one:🎉:0', '2:two!::9']);
  await c.close({ logout: false });
});

test('a recall of a quoted message turns the held replies\' quotes into "recalled"', async () => {
  const gate = new FakeGate({ uid: 1n });
  gate.add('s_1_2', 2n, 'secret plan');
  const { c, updated } = await connected(gate, 1);
  const reply = await c.sendText({ user: '2' }, 'love it', { replyTo: 1n }).ack;
  assert.equal(reply.replyTo.preview, 'secret plan');
  const version = gate.change('s_1_2', 1n, P.MessageStatus.RECALLED);
  gate.notice(gate.last, { type: P.NoticeType.NOTICE_RECALLED, conversationId: 's_1_2', seq: 1n, uid: 2n, version,
    senderUid: 2n });
  await until(() => updated.length === 2, 5000, 'the recall and the reply');
  assert.equal(updated[0].status, 'RECALLED');
  assert.equal(updated[1].seq, reply.seq);
  assert.deepEqual([updated[1].replyTo.recalled, updated[1].replyTo.preview], [true, '']);
  assert.equal((await c.history('s_1_2')).messages[1].replyTo.recalled, true);
  await c.close({ logout: false });
});
