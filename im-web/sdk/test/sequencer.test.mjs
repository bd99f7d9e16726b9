import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { ConversationSequencer, proto } from '../dist/index.js';

const msg = (seq, conversationId = 'c') => create(proto.MessageSchema, { conversationId, seq: BigInt(seq), msgId: BigInt(seq) });
function harness(positions = new Map(), everSynced = true) {
  const delivered = [];
  const out = { deliver: (m) => delivered.push(Number(m.seq)), advanced: (id, last) => positions.set(id, last) };
  return { s: new ConversationSequencer({ get: (id) => positions.get(id) }, everSynced), out, delivered, positions };
}

test('in order once; a gap is pulled and filled from the PULL answer', () => {
  const { s, out, delivered } = harness(new Map([['c', 1n]]));
  assert.deepEqual(s.pushed([msg(2)], out), []);
  const pulls = s.pushed([msg(5), msg(5), msg(2)], out);
  assert.deepEqual(pulls, [{ conversationId: 'c', fromSeq: 3n, toSeq: 4n }]);
  assert.deepEqual(s.pulled(pulls[0], create(proto.PullAckSchema, { messages: [msg(3), msg(4)] }), out), []);
  assert.deepEqual(delivered, [2, 3, 4, 5]);
  assert.equal(s.duplicates, 2);
});

test('seqs the server did not return in a complete answer are skipped', () => {
  const { s, out, delivered } = harness(new Map([['c', 0n]]));
  const [pull] = s.pushed([msg(4)], out);
  s.pulled(pull, create(proto.PullAckSchema, { messages: [msg(2)] }), out);
  assert.deepEqual(delivered, [2, 4]);
  assert.equal(s.lastDelivered('c'), 4n);
});

test('own sends take their seq without being delivered', () => {
  const { s, out, delivered } = harness(new Map([['c', 0n]]));
  s.pushed([msg(1)], out);
  s.sent('c', 2n, out);
  s.pushed([msg(2), msg(3)], out);
  assert.deepEqual(delivered, [1, 3]);
});

test('before the first SYNC completes, unknown conversations wait; SYNC says where they start', () => {
  const { s, out, delivered } = harness(new Map(), false);
  s.syncStarted();
  assert.deepEqual(s.pushed([msg(2, 'n')], out), []);
  assert.deepEqual(delivered, []);
  const pulls = s.synced([create(proto.ConversationInfoSchema, { conversationId: 'n', lastSeq: 2n })], out);
  assert.deepEqual(pulls, [{ conversationId: 'n', fromSeq: 1n, toSeq: 1n }]);
  s.pulled(pulls[0], create(proto.PullAckSchema, { messages: [msg(1, 'n')] }), out);
  assert.deepEqual(delivered, [1, 2]);
});
