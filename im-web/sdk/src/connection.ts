import { create, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { decodeBody, encodeFrame, encodeMessage, FrameDecoder, type Frame } from './codec.js';
import { Command, commandName, ErrorCode } from './commands.js';
import { MagpieError } from './errors.js';
import {
  ErrorSchema, KickSchema, LoginAckSchema, LoginRequestSchema, NoticeSchema, PingSchema, PushSchema, ReconnectSchema,
  type Kick, type LoginAck, type Notice, type Push, type Reconnect,
} from './gen/client_pb.js';

/** What the SDK needs of a WebSocket: the browser's WebSocket and the `ws` package's both fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Opens a WebSocket to `url` (e.g. `(url) => new WebSocket(url)`). */
export type WebSocketFactory = (url: string) => WebSocketLike;

/** What one connection reports to its owner. */
export interface ConnectionEvents {
  push(push: Push): void;
  notice(notice: Notice): void;
  kick(kick: Kick): void;
  reconnect(reconnect: Reconnect): void;
  /** An ERROR that answers no waiting request (request id 0, or a late answer). */
  serverError(error: MagpieError): void;
  /** The connection is gone; `reason` is the gate's last ERROR before the close, or the loss. Called once. */
  closed(reason: MagpieError): void;
}

export interface ConnectionOptions {
  requestTimeoutMs: number;
  /** Resends of a request refused with RATE_LIMITED (or SERVER_BUSY with a retry-after). */
  rateLimitRetries: number;
  /** Wait before such a resend when the gate named no retry-after. */
  rateLimitFallbackMs: number;
  label: string;
}

/** PINGs that may go unanswered before the connection is taken for dead (Java SDK: MISSED_HEARTBEATS). */
const MISSED_HEARTBEATS = 2;

interface Pending {
  order: number;
  command: number;
  body: Uint8Array;
  answer: number;
  resolve(frame: Frame): void;
  reject(error: MagpieError): void;
  deadline: ReturnType<typeof setTimeout>;
  requestId: number;
  refusals: number;
  lastRefusal?: MagpieError;
  startedAt: number;
}

/**
 * One WebSocket connection to a gate: frames in and out, request ids and their answers (PROTOCOL §3), request
 * timeouts counted from the call, resends after RATE_LIMITED / SERVER_BUSY with a retry-after (holding the
 * connection's other requests back meanwhile, like the Java SDK's OutstandingRequests + RequestPacer), the
 * heartbeat (§9.2), and the server-initiated frames (PUSH, NOTICE, KICK, RECONNECT, ERROR).
 */
export class Connection {
  private readonly decoder = new FrameDecoder();
  private readonly written = new Map<number, Pending>();
  private readonly waiting: Pending[] = [];
  private pausedUntil = 0;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  private oneAtATime = false;
  private paceMs = 0;
  private lastRequestId = 0;
  private made = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private unansweredPings = 0;
  private lastServerError: MagpieError | undefined;
  private done = false;
  loginAck: LoginAck | undefined;

  private constructor(private readonly ws: WebSocketLike, private readonly options: ConnectionOptions,
                      private readonly events: ConnectionEvents) {
    ws.onmessage = (ev) => this.received(ev.data);
    ws.onclose = () => this.finish(this.lastServerError
      ?? MagpieError.connectionLost(`${options.label} the connection to the gate closed`));
    ws.onerror = () => {
      // onclose follows and reports the loss
    };
  }

  /** Opens the WebSocket; resolves once it is open (within the request timeout). */
  static open(factory: WebSocketFactory, url: string, options: ConnectionOptions, events: ConnectionEvents):
    Promise<Connection> {
    return new Promise((resolve, reject) => {
      let ws: WebSocketLike;
      try {
        ws = factory(url);
      } catch (e) {
        reject(MagpieError.connectionLost(`${options.label} opening ${url} failed: ${(e as Error).message}`));
        return;
      }
      ws.binaryType = 'arraybuffer';
      const timer = setTimeout(() => {
        ws.onopen = ws.onclose = ws.onerror = null;
        try { ws.close(); } catch { /* already closing */ }
        reject(MagpieError.timeout(`${options.label} WebSocket ${url} not open within ${options.requestTimeoutMs} ms`));
      }, options.requestTimeoutMs);
      ws.onopen = () => {
        clearTimeout(timer);
        resolve(new Connection(ws, options, events));
      };
      ws.onerror = () => {
        // onclose follows
      };
      ws.onclose = () => {
        clearTimeout(timer);
        reject(MagpieError.connectionLost(`${options.label} WebSocket ${url} closed before it opened`));
      };
    });
  }

  get closed(): boolean {
    return this.done;
  }

  /** Sends LOGIN; resolves with LOGIN_ACK and starts the heartbeat. */
  async login(token: string, clientVersion: string, heartbeatMs: number): Promise<LoginAck> {
    const frame = await this.requestRaw(Command.LOGIN,
      toBinary(LoginRequestSchema, create(LoginRequestSchema, { token, clientVersion })),
      Command.LOGIN_ACK);
    const ack = decodeBody(frame, LoginAckSchema);
    this.loginAck = ack;
    const serverMs = ack.heartbeatSeconds > 0 ? ack.heartbeatSeconds * 1000 : heartbeatMs;
    this.startHeartbeat(Math.min(heartbeatMs, serverMs));
    return ack;
  }

  /** Sends a request and resolves with its answer's decoded body. */
  async request<Q extends DescMessage, A extends DescMessage>(command: number, schema: Q, message: MessageShape<Q>,
                                                               answer: number, answerSchema: A):
    Promise<MessageShape<A>> {
    const frame = await this.requestRaw(command, toBinary(schema, message), answer);
    return decodeBody(frame, answerSchema);
  }

  /** Sends a frame that has no answer (PUSH_ACK, LOGOUT, TYPING). */
  sendOneWay<Q extends DescMessage>(command: number, schema: Q, message: MessageShape<Q>): void {
    if (this.done) return;
    this.write(encodeMessage(command, this.nextRequestId(), schema, message));
  }

  /** Closes the WebSocket; the `closed` event follows with `reason`. */
  close(reason?: MagpieError): void {
    if (reason && !this.lastServerError) this.lastServerError = reason;
    try {
      this.ws.close(1000);
    } catch {
      // already closed
    }
    // Browsers report onclose later (or never for a socket that is gone): finish now.
    this.finish(this.lastServerError ?? MagpieError.connectionLost(`${this.options.label} closed by the client`));
  }

  private requestRaw(command: number, body: Uint8Array, answer: number): Promise<Frame> {
    return new Promise<Frame>((resolve, reject) => {
      if (this.done) {
        reject(MagpieError.connectionLost(`${this.options.label} ${commandName(command)} not sent: the connection`
          + ' is closed'));
        return;
      }
      const pending: Pending = {
        order: this.made++, command, body, answer, resolve, reject, requestId: 0, refusals: 0, startedAt: Date.now(),
        deadline: setTimeout(() => this.expire(pending), this.options.requestTimeoutMs),
      };
      if (this.releaseTimer === undefined && this.waiting.length === 0) {
        this.writeRequest(pending);
      } else {
        this.enqueue(pending);
      }
    });
  }

  private writeRequest(p: Pending): void {
    p.requestId = this.nextRequestId();
    this.written.set(p.requestId, p);
    this.write(encodeFrame(p.command, p.requestId, p.body));
  }

  private nextRequestId(): number {
    do {
      this.lastRequestId = (this.lastRequestId + 1) >>> 0;
    } while (this.lastRequestId === 0 || this.written.has(this.lastRequestId));
    return this.lastRequestId;
  }

  private write(bytes: Uint8Array): void {
    try {
      this.ws.send(bytes);
    } catch (e) {
      this.close(MagpieError.connectionLost(`${this.options.label} writing to the gate failed: ${(e as Error).message}`));
    }
  }

  private expire(p: Pending): void {
    if (p.requestId !== 0 && this.written.get(p.requestId) === p) {
      this.written.delete(p.requestId);
      p.reject(MagpieError.timeout(`${this.options.label} no answer to ${commandName(p.command)} (request `
        + `${p.requestId}) within ${this.options.requestTimeoutMs} ms`));
      return;
    }
    const i = this.waiting.indexOf(p);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      p.reject(this.rateLimited(p, `the request timeout of ${this.options.requestTimeoutMs} ms passed while it`
        + ' waited for its turn'));
    }
  }

  private enqueue(p: Pending): void {
    this.waiting.push(p);
    this.waiting.sort((a, b) => a.order - b.order);
    if (this.releaseTimer === undefined) this.scheduleRelease(Math.max(1, this.paceMs));
  }

  /** Holds requests back for `ms`; afterwards one per `ms` (RATE_LIMITED: a token budget) or all at once. */
  private pause(ms: number, oneAtATime: boolean): void {
    const wait = Math.max(1, ms);
    this.paceMs = wait;
    this.oneAtATime = oneAtATime;
    if (this.releaseTimer !== undefined && this.pausedUntil - Date.now() >= wait) return;
    this.scheduleRelease(wait);
  }

  private scheduleRelease(ms: number): void {
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.pausedUntil = Date.now() + ms;
    this.releaseTimer = setTimeout(() => this.release(), ms);
  }

  private release(): void {
    this.releaseTimer = undefined;
    if (this.done) return;
    if (!this.oneAtATime) {
      while (this.releaseTimer === undefined && this.waiting.length > 0) this.writeRequest(this.waiting.shift()!);
      return;
    }
    const next = this.waiting.shift();
    if (!next) return;
    if (this.waiting.length > 0) this.scheduleRelease(this.paceMs);
    this.writeRequest(next);
  }

  private received(data: unknown): void {
    if (this.done) return;
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) {
      bytes = new Uint8Array(data);
    } else if (ArrayBuffer.isView(data)) {
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } else if (Array.isArray(data)) { // ws: fragments
      const parts = data as Uint8Array[];
      const total = parts.reduce((n, p) => n + p.byteLength, 0);
      bytes = new Uint8Array(total);
      let o = 0;
      for (const p of parts) { bytes.set(p, o); o += p.byteLength; }
    } else {
      this.close(MagpieError.connectionLost(`${this.options.label} the gate sent a text WebSocket message;`
        + ' Magpie frames are binary'));
      return;
    }
    let frames: Frame[];
    try {
      frames = this.decoder.push(bytes);
    } catch (e) {
      this.close(MagpieError.connectionLost(`${this.options.label} unreadable frames from the gate: ${(e as Error).message}`));
      return;
    }
    this.unansweredPings = 0; // anything read proves the gate alive
    for (const frame of frames) {
      try {
        this.dispatch(frame);
      } catch (e) {
        this.events.serverError(e instanceof MagpieError ? e : new MagpieError('BAD_FRAME', 0,
          `${this.options.label} ${commandName(frame.command)} could not be handled: ${(e as Error).message}`, false));
      }
    }
  }

  private dispatch(frame: Frame): void {
    switch (frame.command) {
      case Command.PUSH:
        this.events.push(decodeBody(frame, PushSchema));
        return;
      case Command.NOTICE:
        this.events.notice(decodeBody(frame, NoticeSchema));
        return;
      case Command.KICK:
        this.events.kick(decodeBody(frame, KickSchema));
        return;
      case Command.RECONNECT:
        this.events.reconnect(decodeBody(frame, ReconnectSchema));
        return;
      case Command.PONG:
        return;
      case Command.ERROR: {
        const e = decodeBody(frame, ErrorSchema);
        this.refused(frame.requestId, MagpieError.fromFrame(e.code, `${this.options.label} ${e.message}`
          + (e.command ? ` (${commandName(e.command)})` : ''), e.retryable, e.retryAfterMs));
        return;
      }
      default: {
        const p = frame.requestId === 0 ? undefined : this.written.get(frame.requestId);
        if (!p) return; // a late answer or a command this SDK does not know: ignored (§11)
        this.written.delete(frame.requestId);
        clearTimeout(p.deadline);
        if (p.answer !== frame.command) {
          p.reject(new MagpieError('BAD_ANSWER', 0, `${this.options.label} the gate answered ${commandName(p.command)}`
            + ` with ${commandName(frame.command)} instead of ${commandName(p.answer)}`, false));
          return;
        }
        p.resolve(frame);
      }
    }
  }

  private refused(requestId: number, error: MagpieError): void {
    const p = requestId === 0 ? undefined : this.written.get(requestId);
    if (p) this.written.delete(requestId);
    const resendable = error.codeNumber === ErrorCode.RATE_LIMITED
      || (error.codeNumber === ErrorCode.SERVER_BUSY && error.retryAfterMs > 0);
    if (!p) {
      if (resendable && error.retryAfterMs > 0) this.pause(error.retryAfterMs, error.codeNumber === ErrorCode.RATE_LIMITED);
      if (requestId === 0) this.lastServerError = error; // the gate announces a close (SLOW_CONSUMER, ...)
      this.events.serverError(error);
      return;
    }
    if (!resendable) {
      clearTimeout(p.deadline);
      p.reject(error);
      return;
    }
    const wait = error.retryAfterMs > 0 ? error.retryAfterMs : this.options.rateLimitFallbackMs * 2 ** p.refusals;
    this.pause(wait, error.codeNumber === ErrorCode.RATE_LIMITED);
    p.refusals++;
    p.lastRefusal = error;
    const left = p.startedAt + this.options.requestTimeoutMs - Date.now();
    if (p.refusals > this.options.rateLimitRetries) {
      clearTimeout(p.deadline);
      p.reject(this.rateLimited(p, `gave up after ${this.options.rateLimitRetries} resends`));
    } else if (wait >= left) {
      clearTimeout(p.deadline);
      p.reject(this.rateLimited(p, `the request timeout leaves ${Math.max(0, left)} ms, less than that`));
    } else {
      this.enqueue(p);
    }
  }

  private rateLimited(p: Pending, outcome: string): MagpieError {
    const last = p.lastRefusal;
    return new MagpieError(last?.code ?? 'RATE_LIMITED', last?.codeNumber ?? ErrorCode.RATE_LIMITED,
      `${this.options.label} ${commandName(p.command)} refused ${p.refusals} time(s) (${last?.message ?? 'requests held'
      + ' back by the gate\'s retry-after'}); ${outcome}`, true, this.paceMs);
  }

  private startHeartbeat(intervalMs: number): void {
    this.heartbeat = setInterval(() => {
      if (this.unansweredPings >= MISSED_HEARTBEATS) {
        this.close(MagpieError.connectionLost(`${this.options.label} ${this.unansweredPings} PINGs unanswered and`
          + ` nothing from the gate for ${intervalMs * (this.unansweredPings + 1)} ms`));
        return;
      }
      this.unansweredPings++;
      this.sendOneWay(Command.PING, PingSchema, create(PingSchema));
    }, intervalMs);
  }

  private finish(reason: MagpieError): void {
    if (this.done) return;
    this.done = true;
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.ws.onmessage = this.ws.onclose = this.ws.onerror = null;
    const lost = MagpieError.connectionLost(`${this.options.label} the connection closed (${reason.code}: `
      + `${reason.message}); resend when connected`);
    const all = [...this.written.values(), ...this.waiting];
    this.written.clear();
    this.waiting.length = 0;
    for (const p of all) {
      clearTimeout(p.deadline);
      p.reject(lost);
    }
    this.events.closed(reason);
  }
}

