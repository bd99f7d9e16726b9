import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { commandName } from './commands.js';

/** Header constants of docs/PROTOCOL.md §3. */
export const MAGIC = 0x4d47;
export const VERSION = 1;
export const HEADER_BYTES = 14;
/** The gates' default body limit (gate.maxFrameBytes); the decoder refuses larger bodies. */
export const DEFAULT_MAX_BODY = 65536;

/** One frame: the 14-byte header's command and request id, and the protobuf body. */
export interface Frame {
  command: number;
  requestId: number;
  body: Uint8Array;
}

/** Encodes one frame: big-endian header, flags 0, then the body. */
export function encodeFrame(command: number, requestId: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (!Number.isInteger(command) || command < 0 || command > 0xffff) {
    throw new RangeError(`command must be a u16, got ${command}`);
  }
  if (!Number.isInteger(requestId) || requestId < 0 || requestId > 0xffffffff) {
    throw new RangeError(`request id must be a u32, got ${requestId}`);
  }
  const out = new Uint8Array(HEADER_BYTES + body.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, MAGIC);
  view.setUint8(2, VERSION);
  view.setUint8(3, 0);
  view.setUint16(4, command);
  view.setUint32(6, requestId);
  view.setUint32(10, body.length);
  out.set(body, HEADER_BYTES);
  return out;
}

/** Encodes a frame whose body is a protobuf message of `schema`. */
export function encodeMessage<D extends DescMessage>(command: number, requestId: number, schema: D,
                                                     message: MessageShape<D>): Uint8Array {
  return encodeFrame(command, requestId, toBinary(schema, message));
}

/** Decodes a frame's body as `schema`. */
export function decodeBody<D extends DescMessage>(frame: Frame, schema: D): MessageShape<D> {
  try {
    return fromBinary(schema, frame.body);
  } catch (e) {
    throw new FrameError(`the ${commandName(frame.command)} body (${frame.body.length} bytes) is not a valid `
      + `${schema.typeName}: ${(e as Error).message}`);
  }
}

/** A byte stream that is not a valid frame sequence: the connection has to be closed. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/**
 * Splits received bytes into frames. A WebSocket message carries whole frames, one or more (PROTOCOL §2);
 * the decoder also buffers a partial frame so it works on a TCP-like stream. Throws {@link FrameError}
 * on a wrong magic or version, or a body over `maxBody`.
 */
export class FrameDecoder {
  private buffer: Uint8Array = new Uint8Array(0);

  constructor(private readonly maxBody = 16 * 1024 * 1024) {}

  /** Adds bytes and returns every frame completed by them. */
  push(chunk: Uint8Array): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const frames: Frame[] = [];
    let offset = 0;
    while (this.buffer.length - offset >= 2) {
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + offset, this.buffer.length - offset);
      const magic = view.getUint16(0);
      if (magic !== MAGIC) {
        throw new FrameError(`bad magic 0x${magic.toString(16).padStart(4, '0')} (expected 0x4d47)`);
      }
      if (view.byteLength < 3) break;
      const version = view.getUint8(2);
      if (version !== VERSION) {
        throw new FrameError(`unsupported frame version ${version} (expected ${VERSION})`);
      }
      if (view.byteLength < HEADER_BYTES) break;
      const length = view.getUint32(10);
      if (length > this.maxBody) {
        throw new FrameError(`frame body of ${length} bytes is over the limit of ${this.maxBody}`);
      }
      if (view.byteLength < HEADER_BYTES + length) break;
      const start = offset + HEADER_BYTES;
      frames.push({
        command: view.getUint16(4),
        requestId: view.getUint32(6),
        body: this.buffer.slice(start, start + length),
      });
      offset = start + length;
    }
    this.buffer = offset === 0 ? this.buffer : this.buffer.slice(offset);
    return frames;
  }

  /** Bytes of an incomplete frame waiting for more. */
  get pending(): number {
    return this.buffer.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Lower-case hex of bytes (for logs and tests). */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes of a hex string; spaces are ignored. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new Error(`not a hex string: ${hex.slice(0, 40)}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
