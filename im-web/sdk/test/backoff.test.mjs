import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../dist/index.js';

test('bounds double from the initial delay up to the max', () => {
  const b = new Backoff(500, 30000);
  assert.deepEqual([0, 1, 2, 3, 6, 7, 100].map((n) => b.boundMs(n)), [500, 1000, 2000, 4000, 30000, 30000, 30000]);
});

test('full jitter: the delay is uniform in [0, bound]', () => {
  let r = 0;
  const b = new Backoff(500, 30000, () => r);
  assert.equal(b.delayMs(3), 0);
  r = 0.5;
  assert.equal(b.delayMs(3), 2000);
  r = 0.999999;
  assert.equal(b.delayMs(3), 4000);
  r = 1;
  assert.equal(b.delayMs(10), 30000);
});

test('invalid bounds are refused', () => {
  assert.throws(() => new Backoff(0, 10), RangeError);
  assert.throws(() => new Backoff(100, 10), RangeError);
});
