import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { create, equals, fromBinary, fromJson, toBinary } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import { Command, FrameDecoder, FrameError, commandName, encodeFrame, encodeMessage, fromHex, proto, toHex } from '../dist/index.js';

const TOKEN = 'djJ8ZGVmYXVsdHwxMDAwMXxwaG9uZS0xfDF8MTc2NzIyNTYwMDAwMHw0MjQy.8DvlI99XjVOvMkXgEoA8tV1jcZewlq1UpU0-QAtA3jM';

test('LOGIN encodes to the bytes of PROTOCOL §4.1', () => {
  const frame = encodeMessage(Command.LOGIN, 1, proto.LoginRequestSchema,
    create(proto.LoginRequestSchema, { token: TOKEN, clientVersion: 'magpie-js/1.0' }));
  assert.equal(frame.length, 135);
  const expected = '4d47010000010000000100000079' + '0a68' + toHex(new TextEncoder().encode(TOKEN))
    + '120d' + toHex(new TextEncoder().encode('magpie-js/1.0'));
  assert.equal(toHex(frame), expected);
});

test('PING is the 14-byte header of PROTOCOL §4.2', () => {
  assert.equal(toHex(encodeFrame(Command.PING, 2)), '4d4701000003000000020000000' + '0');
});

test('ERROR RATE_LIMITED of PROTOCOL §4.3 decodes with its retry-after', () => {
  const bytes = fromHex('4d 47 01 00 00 17 00 00 00 07 00 00 00 15 08 b9 17 12 09 73 6c 6f 77 20 64 6f 77 6e 18 05 20 01 28 fa 01');
  const [frame] = new FrameDecoder().push(bytes);
  assert.equal(frame.command, Command.ERROR);
  assert.equal(frame.requestId, 7);
  const e = fromBinary(proto.ErrorSchema, frame.body);
  assert.deepEqual([e.code, e.message, e.command, e.retryable, e.retryAfterMs], [3001, 'slow down', 5, true, 250]);
  assert.equal(toHex(encodeMessage(Command.ERROR, 7, proto.ErrorSchema, e)), toHex(bytes));
});

test('RECONNECT of PROTOCOL §9.8 round-trips', () => {
  const hex = '4d470100001600000000000000110a0d6761746520647261696e696e671049';
  const [frame] = new FrameDecoder().push(fromHex(hex));
  const r = fromBinary(proto.ReconnectSchema, frame.body);
  assert.equal(r.reason, 'gate draining');
  assert.equal(r.delayMs, 73);
  assert.equal(toHex(encodeMessage(frame.command, frame.requestId, proto.ReconnectSchema, r)), hex);
});

test('the decoder buffers split frames and splits joined ones', () => {
  const a = encodeFrame(Command.PONG, 9, new Uint8Array([8, 1]));
  const b = encodeFrame(Command.PUSH, 0, new Uint8Array([]));
  const joined = new Uint8Array([...a, ...b]);
  const d = new FrameDecoder();
  assert.deepEqual(d.push(joined.subarray(0, 5)), []);
  assert.deepEqual(d.push(joined.subarray(5, 17)), [{ command: Command.PONG, requestId: 9, body: new Uint8Array([8, 1]) }]);
  assert.equal(d.push(joined.subarray(17)).length, 1);
  assert.equal(d.pending, 0);
});

test('int64 fields decode as bigint above 2^53', () => {
  const m = create(proto.MessageSchema, { msgId: 250000000000000001n, conversationId: 's_1_2', seq: 3n });
  const back = fromBinary(proto.MessageSchema, toBinary(proto.MessageSchema, m));
  assert.equal(back.msgId, 250000000000000001n);
});

test('a wrong magic, version or body length is refused', () => {
  assert.throws(() => new FrameDecoder().push(fromHex('4d48')), FrameError);
  assert.throws(() => new FrameDecoder().push(fromHex('4d4702')), FrameError);
  assert.throws(() => new FrameDecoder(10).push(fromHex('4d470100000500000001000000ff')), FrameError);
});

// Conformance vectors shared with the Java side (docs/conformance/frames.json), when that file exists.
const vectorsPath = fileURLToPath(new URL('../../../docs/conformance/frames.json', import.meta.url));
const present = existsSync(vectorsPath);
test('conformance vectors of docs/conformance/frames.json', {
  skip: present ? false : 'docs/conformance/frames.json is absent on this branch; nothing to check',
}, () => {
  const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8'));
  assert.ok(Array.isArray(vectors) && vectors.length > 0, 'frames.json holds an array of vectors');
  for (const v of vectors) {
    const frames = new FrameDecoder().push(fromHex(v.hex));
    assert.equal(frames.length, 1, `${v.name}: one frame`);
    const [frame] = frames;
    assert.equal(frame.command, v.command, `${v.name}: command`);
    if (v.commandName) assert.equal(commandName(frame.command), v.commandName, `${v.name}: command name`);
    assert.equal(frame.requestId, v.requestId, `${v.name}: request id`);
    const typeName = v.body?.type;
    if (!typeName) {
      assert.equal(frame.body.length, 0, `${v.name}: empty body`);
      continue;
    }
    // LOGOUT has no message of its own: docs/conformance/README.md names it google.protobuf.Empty
    const schema = typeName === EmptySchema.typeName ? EmptySchema
      : Object.values(proto).find((s) => s && s.kind === 'message' && s.typeName === typeName);
    assert.ok(schema, `${v.name}: ${typeName} is a message of client.proto (or google.protobuf.Empty)`);
    const decoded = fromBinary(schema, frame.body);
    const expected = fromJson(schema, v.body.json ?? {});
    assert.ok(equals(schema, decoded, expected), `${v.name}: body equals body.json`);
    assert.equal(toHex(encodeMessage(frame.command, frame.requestId, schema, expected)), v.hex.replace(/\s+/g, '').toLowerCase(),
      `${v.name}: encodes back to the same bytes`);
  }
});
