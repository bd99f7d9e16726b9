import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IndexedDbStore, MemoryStore } from '../dist/index.js';

for (const [name, make] of [['MemoryStore', () => new MemoryStore()], ['IndexedDbStore', () => new IndexedDbStore(`t-${Math.random()}`)]]) {
  test(`${name}: keys and values`, async () => {
    const s = make();
    assert.equal(await s.get('a'), undefined);
    await s.put('a', '1');
    await s.put('a', '2');
    assert.equal(await s.get('a'), '2');
    await s.delete('a');
    assert.equal(await s.get('a'), undefined);
  });

  test(`${name}: messages by seq, newest page below a seq, ascending`, async () => {
    const s = make();
    const msgs = [1n, 2n, 3n, 10n, 11n, 100n].map((seq) => ({ seq, json: `{"seq":"${seq}"}` }));
    await s.putMessages('1', 's_1_2', msgs);
    await s.putMessages('1', 's_1_3', [{ seq: 5n, json: 'other' }]);
    await s.putMessages('2', 's_1_2', [{ seq: 7n, json: 'other user' }]);
    await s.putMessages('1', 's_1_2', [{ seq: 2n, json: 'replaced' }]);
    assert.deepEqual((await s.getMessages('1', 's_1_2', undefined, 3)).map((m) => m.seq), [10n, 11n, 100n]);
    assert.deepEqual((await s.getMessages('1', 's_1_2', 11n, 3)).map((m) => m.seq), [2n, 3n, 10n]);
    assert.deepEqual((await s.getMessages('1', 's_1_2', 3n, 10)).map((m) => m.json), ['{"seq":"1"}', 'replaced']);
    assert.deepEqual(await s.getMessages('1', 's_9_9', undefined, 10), []);
  });
}

test('IndexedDbStore keeps its data across instances of the same database', async () => {
  const name = `persist-${Math.random()}`;
  const a = new IndexedDbStore(name);
  await a.put('device-id', 'web-1');
  await a.putMessages('1', 'g_1', [{ seq: 1n, json: 'x' }]);
  await a.close();
  const b = new IndexedDbStore(name);
  assert.equal(await b.get('device-id'), 'web-1');
  assert.equal((await b.getMessages('1', 'g_1', undefined, 5)).length, 1);
  await b.close();
});
