// Round 3 of the SDK against the fake gate: GROUP ops (ack, error, resend after a reconnect) and the persistent outbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import { Command, MagpieClient, MemoryStore, proto } from '../dist/index.js';
import { FakeGate, session, until } from './fake-gate.mjs';

const P = proto;

function client(gate, store = new MemoryStore()) {
  return new MagpieClient({
    accountUrl: 'http://account.test', lsbUrl: 'http://lsb.test', fetch: gate.fetch, webSocket: gate.factory, store,
    requestTimeoutMs: 2000, reconnect: { initialMs: 5, maxMs: 20 }, retry: { initialMs: 5, maxMs: 20 },
  }, session(gate.uid));
}

function sent(gate, command, schema) {
  return gate.sockets.flatMap((s) => s.sent(command)).map((f) => fromBinary(schema, f.body));
}

test('a GROUP op resolves on GROUP_ACK; its SYSTEM message arrives as a message with the decoded groupEvent', async () => {
  const gate = new FakeGate({ uid: 1n });
  const c = client(gate);
  const got = [];
  c.on('message', (m) => got.push(m));
  await c.connect();
  const ack = await c.groups.invite('77', ['5', '6']);
  const [req] = sent(gate, Command.GROUP, P.GroupRequestSchema);
  assert.equal(req.groupId, 77n);
  assert.equal(req.op.case, 'invite');
  assert.deepEqual(req.op.value.uids, [5n, 6n]);
  assert.equal(ack.groupId, '77');
  assert.equal(ack.clientMsgId, req.clientMsgId);
  assert.equal(ack.seq, 1n);
  assert.equal(ack.pending, false);
  await until(() => got.length === 1, 5000, 'the SYSTEM message');
  assert.equal(got[0].type, 'SYSTEM');
  assert.equal(got[0].groupEvent.type, 'MEMBERS_INVITED');
  assert.deepEqual(got[0].groupEvent.targetUids, ['5', '6']);
  assert.equal(got[0].groupEvent.operatorUid, '1');
  const renamed = await c.groups.rename('77', 'Birds');
  const update = sent(gate, Command.GROUP, P.GroupRequestSchema)[1];
  assert.equal(update.op.case, 'update');
  assert.equal(update.op.value.name, 'Birds');
  assert.notEqual(update.clientMsgId, req.clientMsgId, 'a fresh client_msg_id per call');
  assert.equal(renamed.seq, 2n);
  await until(() => got.length === 2, 5000, 'the rename message');
  assert.equal(got[1].groupEvent.name, 'Birds');
  await assert.rejects(c.groups.kick('77', []), (e) => e.code === 'BAD_REQUEST');
  await assert.rejects(c.groups.setRole('77', '5', 'OWNER'), (e) => e.code === 'BAD_REQUEST');
  await c.close({ logout: false });
});

test('a GROUP op refused by the gate rejects with its code and is not resent', async () => {
  const gate = new FakeGate({ uid: 1n });
  const c = client(gate);
  await c.connect();
  gate.groupErrors.push({ code: 2010, message: 'kick needs an admin' });
  await assert.rejects(c.groups.kick('77', ['5']), (e) => e.code === 'NOT_ADMIN' && e.codeNumber === 2010
    && !e.retryable);
  assert.equal(sent(gate, Command.GROUP, P.GroupRequestSchema).length, 1);
  await c.close({ logout: false });
});

test('an unanswered GROUP op is resent with the same client_msg_id after a reconnect', async () => {
  const gate = new FakeGate({ uid: 1n });
  const c = client(gate);
  await c.connect();
  gate.dropGroups = 1;
  const acked = c.groups.leave('77');
  await until(() => sent(gate, Command.GROUP, P.GroupRequestSchema).length === 1, 5000, 'the first GROUP');
  const first = gate.last;
  first.close();
  await until(() => gate.sockets.length === 2 && c.state === 'CONNECTED', 5000, 'the reconnect');
  const ack = await acked;
  const reqs = sent(gate, Command.GROUP, P.GroupRequestSchema);
  assert.equal(reqs.length, 2);
  assert.equal(reqs[1].clientMsgId, reqs[0].clientMsgId);
  assert.equal(reqs[1].op.case, 'leave');
  assert.equal(ack.clientMsgId, reqs[0].clientMsgId);
  await c.close({ logout: false });
});

test('the outbox survives the client: a new client on the same store resends it once with the same id', async () => {
  const gate = new FakeGate({ uid: 1n });
  const store = new MemoryStore();
  const c1 = client(gate, store);
  await c1.connect();
  gate.dropSends = 1;
  const out = c1.sendText({ user: '2' }, 'kept');
  await until(() => sent(gate, Command.SEND, P.SendRequestSchema).length === 1, 5000, 'the first SEND');
  await c1.close({ logout: false });
  await assert.rejects(out.ack, (e) => e.code === 'CLOSED');
  assert.match(await store.get('1/outbox'), /kept/);

  const c2 = client(gate, store);
  const gotMessages = [];
  c2.on('message', (m) => gotMessages.push(m));
  await c2.connect();
  const sends = sent(gate, Command.SEND, P.SendRequestSchema);
  await until(() => sent(gate, Command.SEND, P.SendRequestSchema).length === 2, 5000, 'the resend');
  const [a, b] = sent(gate, Command.SEND, P.SendRequestSchema);
  assert.ok(sends.length >= 1);
  assert.equal(b.clientMsgId, a.clientMsgId);
  assert.equal(b.content.text, 'kept');
  await until(() => c2.pending().length === 0, 5000, 'the ack');
  assert.equal(gate.conversations.get('s_1_2').messages.length, 1, 'stored once');
  assert.equal(await store.get('1/outbox'), '[]');
  const page = await c2.history('s_1_2');
  assert.deepEqual(page.messages.map((m) => m.text), ['kept']);
  assert.equal(gotMessages.length, 0, 'your own message comes back through the ack, not as a message');
  await c2.close({ logout: false });

  // restored entries are listed by pending() until acknowledged
  const c3 = client(gate, store);
  gate.dropSends = 1;
  const c3out = c3.sendText({ user: '2' }, 'second');
  await c3.close({ logout: false });
  await assert.rejects(c3out.ack);
  const c4 = client(gate, store);
  gate.dropSends = 1; // the first resend is lost: it stays pending
  await c4.connect();
  assert.deepEqual(c4.pending().map((o) => [o.clientMsgId, o.state, o.conversationId]),
    [[c3out.clientMsgId, 'SENDING', 's_1_2']]);
  const restored = c4.pending()[0];
  c4.close({ logout: false });
  await assert.rejects(restored.ack);
});
