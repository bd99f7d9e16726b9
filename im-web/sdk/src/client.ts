import { create } from '@bufbuild/protobuf';
import { AccountApi, LsbApi, type Session } from './account.js';
import { Backoff } from './backoff.js';
import { Command, ErrorCode } from './commands.js';
import { Connection, type ConnectionEvents, type WebSocketFactory } from './connection.js';
import { Delivery } from './delivery.js';
import { MagpieError } from './errors.js';
import {
  ActionAckSchema, ConversationType, KickReason, MessageContentSchema, MessageType, PingSchema, ReadRequestSchema,
  ReconnectSchema, SendAckSchema, SendRequestSchema, type Kick, type Notice, type Reconnect, type SendRequest,
} from './gen/client_pb.js';
import { singleConversationId, uuid, type Conversation, type Message } from './model.js';
import { IndexedDbStore, MemoryStore, type ClientStore } from './store.js';

export interface MagpieOptions {
  /** Account HTTP API, e.g. "http://127.0.0.1:8081". */
  accountUrl: string;
  /** LSB, e.g. "http://127.0.0.1:8080". */
  lsbUrl: string;
  /** Stable per installation; default: generated once and kept in the store. */
  deviceId?: string;
  platform?: 'WEB' | 'DESKTOP' | 'ANDROID' | 'IOS';
  /** Default: IndexedDbStore in browsers, MemoryStore elsewhere. */
  store?: ClientStore;
  /** Default: globalThis.WebSocket, else the `ws` package (Node). */
  webSocket?: WebSocketFactory;
  heartbeatMs?: number;
  requestTimeoutMs?: number;
  /** Exponential backoff with full jitter between reconnect attempts (default 500 .. 30000 ms). */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Backoff of SYNC / PULL / SEND retries on a live connection (default 200 .. 10000 ms). */
  retry?: { initialMs?: number; maxMs?: number };
  /** Sent in LOGIN (logged by the server). */
  clientVersion?: string;
  /** The app id of the LSB query (PROTOCOL §1.2); none by default. */
  appId?: string;
  fetch?: typeof fetch;
  /** Random source of the jitter (tests). */
  random?: () => number;
  syncPageSize?: number;
  pullPageSize?: number;
}

export type ConnectionState = 'IDLE' | 'CONNECTING' | 'CONNECTED' | 'RECONNECTING' | 'CLOSED';

/** A message being sent. */
export interface Outgoing {
  clientMsgId: string;
  conversationId?: string;
  state: 'SENDING' | 'ACKED' | 'FAILED';
  /** Resolves on SEND_ACK with the stored message (seq, msgId, serverTime); rejects when refused for good. */
  ack: Promise<Message>;
}

interface Events {
  message: (m: Message) => void;
  messageUpdated: (m: Message) => void;
  conversations: (list: Conversation[]) => void;
  state: (s: ConnectionState) => void;
  kicked: (reason: string) => void;
  error: (e: MagpieError) => void;
  notice: (n: Notice) => void;
  session: (s: Session) => void;
}

interface OutboxEntry {
  request: SendRequest;
  outgoing: Outgoing;
  resolve(m: Message): void;
  reject(e: MagpieError): void;
  inFlight: boolean;
  attempts: number;
}

/** Refresh the access token this long before it expires. */
const REFRESH_MARGIN_MS = 30_000;
const DEVICE_ID_KEY = 'device-id';

/**
 * A Magpie client over WebSocket, mirroring the Java SDK's MagpieClient: LSB -> WebSocket -> LOGIN -> SYNC + PULL;
 * in-order, deduplicated delivery; an outbox that resends unacknowledged SENDs with the same client msg id after a
 * reconnect; reconnect with exponential backoff and full jitter through the LSB; RECONNECT (make-before-break move)
 * and KICK; token refresh on INVALID_TOKEN. Events are delivered asynchronously (microtasks), never re-entrantly.
 */
export class MagpieClient {
  readonly uid: string;
  private readonly uidBig: bigint;
  private session: Session;
  private readonly opts: MagpieOptions;
  private readonly api: AccountApi;
  private readonly lsb: LsbApi;
  private readonly reconnectBackoff: Backoff;
  private readonly retryBackoff: Backoff;
  private readonly listeners = new Map<keyof Events, Set<(arg: never) => void>>();
  private _state: ConnectionState = 'IDLE';
  private current: Connection | undefined;
  private generation = 0;
  private attempt = 0;
  private moving = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private delivery: Delivery | undefined;
  private readonly outbox = new Map<string, OutboxEntry>();
  private conversationsQueued = false;
  private store: ClientStore | undefined;

  /** HTTP login (device id from the options or the store), then {@link connect}. */
  static async login(opts: MagpieOptions, username: string, password: string): Promise<MagpieClient> {
    const store = opts.store ?? defaultStore();
    const deviceId = opts.deviceId ?? await deviceIdOf(store);
    const api = new AccountApi(opts.accountUrl, opts.fetch);
    const session = await api.login(username, password, deviceId, opts.platform ?? 'WEB');
    const client = new MagpieClient({ ...opts, store, deviceId }, session);
    await client.connect();
    return client;
  }

  constructor(opts: MagpieOptions, session: Session) {
    this.opts = opts;
    this.session = session;
    this.uid = session.uid;
    this.uidBig = BigInt(session.uid);
    this.api = new AccountApi(opts.accountUrl, opts.fetch);
    this.lsb = new LsbApi(opts.lsbUrl, opts.fetch, opts.appId);
    this.reconnectBackoff = new Backoff(opts.reconnect?.initialMs ?? 500, opts.reconnect?.maxMs ?? 30_000, opts.random);
    this.retryBackoff = new Backoff(opts.retry?.initialMs ?? 200, opts.retry?.maxMs ?? 10_000, opts.random);
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** The current session (refreshed tokens included); keep its refresh token to log in again without a password. */
  get currentSession(): Session {
    return this.session;
  }

  // ---- events ---------------------------------------------------------------------------------------------------

  on<K extends keyof Events>(event: K, fn: Events[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn as (arg: never) => void);
    return () => set!.delete(fn as (arg: never) => void);
  }

  private emit<K extends keyof Events>(event: K, arg: Parameters<Events[K]>[0]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    queueMicrotask(() => {
      for (const fn of [...set]) {
        try {
          (fn as (a: typeof arg) => void)(arg);
        } catch (e) {
          if (event !== 'error') this.emit('error', new MagpieError('LISTENER', 0, `a '${event}' listener threw: ${e}`, false));
        }
      }
    });
  }

  private setState(next: ConnectionState): void {
    if (this._state !== next) {
      this._state = next;
      this.emit('state', next);
    }
  }

  // ---- connecting -----------------------------------------------------------------------------------------------

  /** LSB -> WebSocket -> LOGIN -> SYNC + PULL; resolves when CONNECTED and caught up. A failure here is not retried. */
  async connect(): Promise<void> {
    if (this._state === 'CLOSED') throw MagpieError.closed('the client is closed; create a new one');
    if (this._state !== 'IDLE') return;
    this.setState('CONNECTING');
    try {
      this.store ??= this.opts.store ?? defaultStore();
      this.delivery ??= await Delivery.load(this.uidBig, this.store, () => this.current, {
        syncPageSize: this.opts.syncPageSize ?? 100,
        pullPageSize: this.opts.pullPageSize ?? 100,
        retryBackoff: this.retryBackoff,
      }, {
        message: (m) => this.emit('message', m),
        messageUpdated: (m) => this.emit('messageUpdated', m),
        conversations: () => this.conversationsChanged(),
        error: (e) => this.emit('error', e),
      });
      if (!this.opts.deviceId) await this.store.put(DEVICE_ID_KEY, this.session.deviceId);
    } catch (e) {
      this.setState('IDLE');
      throw e;
    }
    const gen = ++this.generation;
    const caughtUp = this.delivery.caughtUp();
    try {
      await this.attemptLogin(gen);
    } catch (e) {
      if (gen === this.generation && this.state === 'CONNECTING') this.setState('IDLE');
      this.delivery.releaseCaughtUpWaiters();
      throw e;
    }
    await caughtUp;
  }

  /** One attempt: refresh if due, LSB, WebSocket, LOGIN (refreshing once on INVALID_TOKEN). */
  private async attemptLogin(gen: number): Promise<void> {
    let refreshed = false;
    for (;;) {
      if (this.session.expiresAt - Date.now() < REFRESH_MARGIN_MS && !refreshed) {
        await this.refreshSession();
        refreshed = true;
      }
      if (gen !== this.generation) throw MagpieError.closed('connect abandoned: close() was called');
      const gate = await this.lsb.pickGate();
      if (!gate.ws) {
        throw new MagpieError('NO_WEBSOCKET', 0, `gate ${gate.gateId} has no WebSocket listener (ws is null in the`
          + ' LSB answer); enable gate.ws-port', true);
      }
      const factory = this.opts.webSocket ?? await defaultWebSocketFactory();
      const events = this.connectionEvents(() => conn);
      let conn: Connection | undefined;
      conn = await Connection.open(factory, gate.ws, {
        requestTimeoutMs: this.opts.requestTimeoutMs ?? 10_000,
        rateLimitRetries: 3,
        rateLimitFallbackMs: this.retryBackoff.initialMs,
        label: `[uid=${this.uid} device=${this.session.deviceId}]`,
      }, events);
      try {
        await conn.login(this.session.token, this.opts.clientVersion ?? 'magpie-js/0.1', this.opts.heartbeatMs ?? 30_000);
      } catch (e) {
        conn.close();
        if (e instanceof MagpieError && e.codeNumber === ErrorCode.INVALID_TOKEN && !refreshed) {
          await this.refreshSession();
          refreshed = true;
          continue;
        }
        throw e;
      }
      if (gen !== this.generation || this._state === 'CLOSED') {
        conn.close();
        throw MagpieError.closed('connect abandoned: close() was called');
      }
      const replaced = this.current;
      this.current = conn;
      this.attempt = 0;
      this.moving = false;
      this.setState('CONNECTED');
      if (replaced && replaced !== conn) replaced.close();
      if (conn.closed) {
        this.connectionClosed(conn, MagpieError.connectionLost('the connection closed right after LOGIN_ACK'));
        return;
      }
      this.delivery!.loggedIn(conn);
      this.flushOutbox();
      return;
    }
  }

  private async refreshSession(): Promise<void> {
    try {
      this.session = await this.api.refresh(this.session.refreshToken, this.session.deviceId);
    } catch (e) {
      if (e instanceof MagpieError && !e.retryable) {
        throw new MagpieError('INVALID_TOKEN', ErrorCode.INVALID_TOKEN, `the token could not be refreshed`
          + ` (${e.message}); log in again`, false);
      }
      throw e;
    }
    this.emit('session', this.session);
  }

  private connectionEvents(conn: () => Connection | undefined): ConnectionEvents {
    let kick: Kick | undefined;
    return {
      push: (p) => {
        const c = conn();
        if (c && this._state !== 'CLOSED') this.delivery!.pushed(c, p);
      },
      notice: (n) => {
        if (this._state === 'CLOSED') return;
        this.delivery!.notice(n);
        this.emit('notice', n);
      },
      kick: (k) => {
        kick = k;
        if (conn() === this.current && !this.moving) this.kicked(k);
      },
      reconnect: (r) => this.moveRequested(conn(), r),
      serverError: (e) => this.emit('error', e),
      closed: (reason) => {
        const c = conn();
        if (!c) return;
        if (kick && this._state === 'CLOSED') {
          if (c === this.current) this.current = undefined;
          return;
        }
        this.connectionClosed(c, reason);
      },
    };
  }

  private kicked(k: Kick): void {
    const reason = KickReason[k.reason] ?? `UNKNOWN_${k.reason}`;
    this.stopEverything();
    this.setState('CLOSED');
    this.emit('kicked', reason);
    this.failOutbox(MagpieError.closed(`kicked (${reason}: ${k.message}); not reconnecting`));
  }

  private connectionClosed(conn: Connection, reason: MagpieError): void {
    if (conn !== this.current) return;
    this.current = undefined;
    this.delivery?.releaseCaughtUpWaiters();
    if (this._state !== 'CONNECTED') return;
    this.setState('RECONNECTING');
    if (this.moving) return; // the replacement is on its way
    if (reason.codeNumber !== 0) this.emit('error', reason);
    this.scheduleReconnect(this.reconnectBackoff.delayMs(this.attempt++));
  }

  private moveRequested(conn: Connection | undefined, r: Reconnect): void {
    if (!conn || conn !== this.current || this._state !== 'CONNECTED' || this.moving) return;
    this.moving = true;
    this.scheduleReconnect(Math.max(0, r.delayMs) + this.reconnectBackoff.delayMs(0));
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    const gen = ++this.generation;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.attemptLogin(gen).catch((e: unknown) => this.reconnectFailed(gen, e));
    }, delayMs);
  }

  private reconnectFailed(gen: number, e: unknown): void {
    if (gen !== this.generation || this._state === 'CLOSED') return;
    const error = e instanceof MagpieError ? e : MagpieError.connectionLost(String(e));
    if (this.current) {
      // a move failed: keep the old connection while it lasts
      this.moving = false;
      if (!error.retryable) this.emit('error', error);
      else this.moveRequested(this.current, create(ReconnectSchema));
      return;
    }
    this.moving = false;
    if (error.retryable) {
      this.setState('RECONNECTING');
      this.scheduleReconnect(this.reconnectBackoff.delayMs(this.attempt++));
      return;
    }
    this.emit('error', new MagpieError(error.code, error.codeNumber, `reconnect refused, giving up: ${error.message}`,
      false));
    this.stopEverything();
    this.setState('CLOSED');
    this.failOutbox(error);
  }

  private stopEverything(): void {
    this.generation++;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.moving = false;
    this.delivery?.stop();
    this.delivery?.releaseCaughtUpWaiters();
  }

  /**
   * Ends the client: stops reconnecting and, unless `{logout: false}`, logs the device out (DELETE
   * /v1/sessions/current, then LOGOUT, PROTOCOL §9.6). Unacknowledged sends fail. Persisted state is flushed.
   */
  async close(options: { logout?: boolean } = {}): Promise<void> {
    if (this._state === 'CLOSED') return;
    const live = this.current;
    this.stopEverything();
    this.current = undefined;
    this.setState('CLOSED');
    if (options.logout !== false) {
      try {
        await this.api.logout(this.session);
      } catch (e) {
        this.emit('error', e instanceof MagpieError ? e : MagpieError.connectionLost(String(e)));
      }
      live?.sendOneWay(Command.LOGOUT, PingSchema, create(PingSchema)); // LOGOUT's body is empty
    }
    live?.close();
    this.failOutbox(MagpieError.closed('the client was closed before the message was acknowledged'));
    await this.delivery?.flush();
  }

  // ---- sending --------------------------------------------------------------------------------------------------

  /** Sends a text; resent with the same client msg id after a reconnect until acknowledged. */
  sendText(target: { user: string } | { group: string }, text: string): Outgoing {
    const content = create(MessageContentSchema, { type: MessageType.TEXT, text });
    return this.send(target, content);
  }

  /** Sends any content (protobuf MessageContent). */
  send(target: { user: string } | { group: string }, content: ReturnType<typeof create<typeof MessageContentSchema>>):
    Outgoing {
    const group = 'group' in target;
    const targetId = BigInt(group ? target.group : target.user);
    const clientMsgId = uuid();
    const request = create(SendRequestSchema, {
      clientMsgId, conversationType: group ? ConversationType.GROUP : ConversationType.SINGLE, targetId, content,
    });
    let resolve!: (m: Message) => void;
    let reject!: (e: MagpieError) => void;
    const ack = new Promise<Message>((res, rej) => { resolve = res; reject = rej; });
    ack.catch(() => undefined); // callers that ignore failures do not get unhandled rejections
    const outgoing: Outgoing = {
      clientMsgId, state: 'SENDING', ack,
      conversationId: group ? `g_${targetId}` : singleConversationId(this.uidBig, targetId),
    };
    if (this._state === 'CLOSED') {
      outgoing.state = 'FAILED';
      reject(MagpieError.closed('the client is closed'));
      return outgoing;
    }
    const entry: OutboxEntry = { request, outgoing, resolve, reject, inFlight: false, attempts: 0 };
    this.outbox.set(clientMsgId, entry);
    this.trySend(entry);
    return outgoing;
  }

  /** Unacknowledged sends, oldest first. */
  pending(): Outgoing[] {
    return [...this.outbox.values()].map((e) => e.outgoing);
  }

  private flushOutbox(): void {
    for (const entry of this.outbox.values()) this.trySend(entry);
  }

  private trySend(entry: OutboxEntry): void {
    const conn = this.current;
    if (!conn || entry.inFlight || !this.outbox.has(entry.outgoing.clientMsgId)) return;
    entry.inFlight = true;
    entry.attempts++;
    conn.request(Command.SEND, SendRequestSchema, entry.request, Command.SEND_ACK, SendAckSchema).then((ack) => {
      entry.inFlight = false;
      if (!this.outbox.delete(entry.outgoing.clientMsgId)) return;
      const message = this.delivery!.sent(entry.request, ack);
      entry.outgoing.state = 'ACKED';
      entry.outgoing.conversationId = ack.conversationId;
      entry.resolve(message);
    }, (e: unknown) => {
      entry.inFlight = false;
      const error = e instanceof MagpieError ? e : MagpieError.connectionLost(String(e));
      if (!error.retryable) {
        this.outbox.delete(entry.outgoing.clientMsgId);
        entry.outgoing.state = 'FAILED';
        entry.reject(error);
        return;
      }
      // still connected (a timeout, SERVER_BUSY): resend after a backoff; else the next login resends it
      if (this.current === conn && !conn.closed) {
        const delay = Math.max(this.retryBackoff.delayMs(Math.min(entry.attempts, 30)), error.retryAfterMs);
        setTimeout(() => this.trySend(entry), delay);
      }
    });
  }

  private failOutbox(error: MagpieError): void {
    for (const entry of this.outbox.values()) {
      entry.outgoing.state = 'FAILED';
      entry.reject(error);
    }
    this.outbox.clear();
  }

  // ---- conversations, history, read ------------------------------------------------------------------------------

  conversations(): Conversation[] {
    return this.delivery?.conversations() ?? [];
  }

  conversation(conversationId: string): Conversation | undefined {
    return this.delivery?.conversation(conversationId);
  }

  totalUnread(): number {
    return this.delivery?.totalUnread() ?? 0;
  }

  /** Local store first, PULL backward for the rest; ascending seq. */
  history(conversationId: string, opts: { beforeSeq?: bigint; limit?: number } = {}):
    Promise<{ messages: Message[]; hasMore: boolean }> {
    if (!this.delivery) return Promise.reject(MagpieError.connectionLost('connect() first'));
    return this.delivery.history(conversationId, opts.beforeSeq, Math.min(200, Math.max(1, opts.limit ?? 30)));
  }

  /** READ up to and including `seq`. */
  async markRead(conversationId: string, seq: bigint): Promise<void> {
    const conn = this.current;
    if (!conn) throw MagpieError.connectionLost('READ not sent: not connected');
    const ack = await conn.request(Command.READ, ReadRequestSchema, create(ReadRequestSchema, { conversationId,
      readSeq: seq }), Command.READ_ACK, ActionAckSchema);
    this.delivery!.readAcked(conversationId, ack);
  }

  syncNow(): Promise<void> {
    if (!this.delivery) return Promise.reject(MagpieError.connectionLost('connect() first'));
    return this.delivery.syncNow();
  }

  /** Delivery counters (tests, diagnostics). */
  stats(): { delivered: number; duplicates: number; syncVersion: string; open: number } {
    return this.delivery?.stats() ?? { delivered: 0, duplicates: 0, syncVersion: '0', open: 0 };
  }

  private conversationsChanged(): void {
    if (this.conversationsQueued) return;
    this.conversationsQueued = true;
    queueMicrotask(() => {
      this.conversationsQueued = false;
      this.emit('conversations', this.conversations());
    });
  }
}


/** IndexedDbStore where IndexedDB exists (browsers), MemoryStore elsewhere. */
export function defaultStore(): ClientStore {
  return typeof globalThis.indexedDB !== 'undefined' ? new IndexedDbStore() : new MemoryStore();
}

/** The device id kept in the store, generated (and stored) the first time. */
export async function deviceIdOf(store: ClientStore): Promise<string> {
  const kept = await store.get(DEVICE_ID_KEY);
  if (kept) return kept;
  const id = `web-${uuid()}`;
  await store.put(DEVICE_ID_KEY, id);
  return id;
}

async function defaultWebSocketFactory(): Promise<WebSocketFactory> {
  const native = (globalThis as { WebSocket?: new (url: string) => unknown }).WebSocket;
  if (native) return (url) => new native(url) as ReturnType<WebSocketFactory>;
  try {
    const mod = await import(/* @vite-ignore */ 'ws' as string) as { default: new (url: string) => unknown };
    return (url) => new mod.default(url) as ReturnType<WebSocketFactory>;
  } catch (e) {
    throw new MagpieError('NO_WEBSOCKET', 0, 'no WebSocket: globalThis.WebSocket is missing and the `ws` package'
      + ` could not be loaded (${(e as Error).message}); install ws or pass options.webSocket`, false);
  }
}
