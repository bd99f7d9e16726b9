import { create, fromJsonString, toJsonString } from '@bufbuild/protobuf';
import {
  AccountApi, LsbApi, type MediaSource, type MediaUrls, type Session, type UploadedMedia,
} from './account.js';
import { Backoff } from './backoff.js';
import { Command, ErrorCode } from './commands.js';
import { Connection, type ConnectionEvents, type WebSocketFactory } from './connection.js';
import { Delivery } from './delivery.js';
import { MagpieError } from './errors.js';
import {
  ActionAckSchema, ClearRequestSchema, EditAckSchema, EditRequestSchema, GroupAckSchema, GroupRequestSchema,
  ConversationType, FriendRequestState, KickReason, MediaInfoSchema, MessageActionRequestSchema,
  MessageContentSchema, MessageType, NoticeType, PingSchema, PresenceAckSchema, PresenceRequestSchema,
  ReactAckSchema, ReactRequestSchema, ReadRequestSchema, ReconnectSchema, ReplyRefSchema, SendAckSchema,
  SendRequestSchema, TypingRequestSchema, type GroupAck, type GroupRequest, type Kick, type MessageContent,
  type Notice, type Reconnect, type SendAck, type SendRequest,
} from './gen/client_pb.js';
import {
  Friends, requestFromNotice, toPresence, type FriendRequest, type Presence, type PresenceSetting,
} from './people.js';
import {
  Groups, toGroupAckInfo, type GroupAckInfo, type GroupNoticeEvent, type GroupOp,
} from './groups.js';
import {
  mediaIdOf, singleConversationId, uuid, type Conversation, type Message, type ReactionView,
} from './model.js';
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
  /**
   * The text (or caption) being sent, so a page can show a send restored from the store after a reload; for an
   * upload without a caption, the file's name.
   */
  text: string;
  /** The content type ('TEXT', 'IMAGE', 'FILE', ...). */
  type: Message['type'];
  /** The file's name, for `sendImage` / `sendFile`. */
  fileName?: string;
  /** UPLOADING: `sendImage` / `sendFile` is still uploading (not in the outbox yet: a reload loses it). */
  state: 'UPLOADING' | 'SENDING' | 'ACKED' | 'FAILED';
  /**
   * Resolves on SEND_ACK with the stored message (seq, msgId, serverTime; the stored content when the server
   * changed it: masked words, a filled-in reply); rejects when refused for good or when the upload failed.
   */
  ack: Promise<Message>;
}

/** Where a message goes: a user (one-to-one) or a group; ids as decimal strings. */
export type Target = { user: string } | { group: string };

/** What a send may add to its content (PROTOCOL §9.19, §9.20). */
export interface SendOptions {
  /** Replies to (quotes) this message of the same conversation: its seq, or the message itself. */
  replyTo?: bigint | { seq: bigint };
  /** Groups only: the members it mentions (@), at most 50 uids. */
  mentionedUids?: string[];
  /** Groups only: mentions every member (@all); the group's admins and owner only (else MENTION_ALL_NOT_ALLOWED). */
  mentionAll?: boolean;
}

/** What `sendImage` / `sendFile` take besides the file. */
export interface MediaSendOptions extends SendOptions {
  /** Default: the File's name (bytes and Blobs have none: give one, a FILE needs it). */
  fileName?: string;
  /** Default: the Blob's type, else guessed from the file name. */
  mimeType?: string;
  /** A caption (at most 1000 code points). */
  caption?: string;
}

/** REACT_ACK as the SDK hands it out. */
export interface ReactResult {
  conversationId: string;
  seq: bigint;
  /** The message's version after it (decimal string). */
  version: string;
  /** The message's reactions after it; `mine` from this REACT. */
  reactions: ReactionView[];
}

/** EDIT_ACK as the SDK hands it out. */
export interface EditResult {
  conversationId: string;
  seq: bigint;
  version: string;
  /** ms since the epoch. */
  editedAt: number;
  /** The text as stored (masked words included). */
  text: string;
  /** The updated message when this device holds it (also announced as 'messageUpdated'). */
  message?: Message;
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
  typing: (e: TypingEvent) => void;
  presence: (p: Presence) => void;
  friends: (e: FriendsEvent) => void;
  group: (e: GroupNoticeEvent) => void;
}

/** NOTICE_TYPING: `uid` is typing in `conversationId` (show it for about 5 s, PROTOCOL §9.15). */
export interface TypingEvent {
  conversationId: string;
  uid: string;
}

/** A friend or block NOTICE (PROTOCOL §9.13): re-read what it names. */
export interface FriendsEvent {
  kind: 'REQUEST' | 'ACCEPTED' | 'REJECTED' | 'REMOVED' | 'CHANGED' | 'BLOCKS_CHANGED' | 'REQUEST_CANCELLED';
  /** Who acted (the requester, accepter, remover; yourself for CHANGED; the blocked user for BLOCKS_CHANGED). */
  uid: string;
  request?: FriendRequest;
  /** Your friend list's version after the change; "0" when only requests changed. */
  friendsVersion: string;
}

const FRIEND_NOTICES: Partial<Record<NoticeType, FriendsEvent['kind']>> = {
  [NoticeType.NOTICE_FRIEND_REQUEST]: 'REQUEST', [NoticeType.NOTICE_FRIEND_ACCEPTED]: 'ACCEPTED',
  [NoticeType.NOTICE_FRIEND_REJECTED]: 'REJECTED', [NoticeType.NOTICE_FRIEND_REMOVED]: 'REMOVED',
  [NoticeType.NOTICE_FRIENDS_CHANGED]: 'CHANGED', [NoticeType.NOTICE_BLOCKS_CHANGED]: 'BLOCKS_CHANGED',
  [NoticeType.NOTICE_FRIEND_REQUEST_CANCELLED]: 'REQUEST_CANCELLED',
};

/** TYPING is sent at most once per conversation in this interval (PROTOCOL §9.15). */
const TYPING_INTERVAL_MS = 3_000;
const MAX_DELETE_SEQS = 100;
const MAX_MENTIONS = 50;
/** A signed URL is handed out again while it stays valid at least this long. */
const MEDIA_URL_MARGIN_MS = 60_000;
const MEDIA_URL_CACHE = 500;
const MAX_PRESENCE_QUERY = 200;
const MAX_WATCH = 500;

/** One unacknowledged SEND or GROUP; resent with the same client msg id until acknowledged or refused for good. */
type OutboxEntry = {
  id: string;
  inFlight: boolean;
  attempts: number;
  reject(e: MagpieError): void;
} & ({
  kind: 'SEND';
  request: SendRequest;
  outgoing: Outgoing;
  resolve(m: Message): void;
} | {
  kind: 'GROUP';
  request: GroupRequest;
  resolve(a: GroupAckInfo): void;
});

/** Store key (under `<uid>/`) of the unacknowledged SENDs: JSON `[{request: <SendRequest proto3 JSON>}]`. */
const OUTBOX_KEY = 'outbox';

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
  private readonly typingSentAt = new Map<string, number>();
  /** The explicit presence watch list, set again after every LOGIN (undefined: never set). */
  private watchList: bigint[] | undefined;
  private refreshing: Promise<void> | undefined;
  /** Friends and blocks over the account API (PROTOCOL §9.13). */
  readonly friends: Friends;
  /** Group changes (GROUP, PROTOCOL §9.16) and group reads over the account API. */
  readonly groups: Groups;
  /** The persisted outbox has been merged into {@link outbox} (once per client). */
  private outboxLoaded: Promise<void> | undefined;
  private outboxLoadedDone = false;
  private outboxWrites: Promise<void> = Promise.resolve();
  /** Signed media URLs by media id, handed out again until near their expiry. */
  private readonly mediaUrlCache = new Map<string, MediaUrls>();

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
    this.friends = new Friends((method, path, body) => this.http(method, path, body));
    this.groups = new Groups((groupId, op) => this.sendGroup(groupId, op), (method, path, body) =>
      this.http(method, path, body));
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
      await this.loadOutbox();
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
      this.resendWatchList(conn);
      return;
    }
  }

  /** One refresh at a time: a refresh token is spent by its first use. */
  private refreshSession(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.doRefreshSession().finally(() => { this.refreshing = undefined; });
    }
    return this.refreshing;
  }

  private async doRefreshSession(): Promise<void> {
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
        this.peopleNotice(n);
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
   * /v1/sessions/current, then LOGOUT, PROTOCOL §9.6). Unacknowledged sends fail here but stay in the store's
   * outbox: the next client of this user on the same store resends them. Persisted state is flushed.
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
    await this.outboxWrites;
  }

  // ---- sending --------------------------------------------------------------------------------------------------

  /**
   * Sends a text; resent with the same client msg id after a reconnect until acknowledged. `options` make it a
   * reply (`replyTo`) or, in a group, mention members (`mentionedUids`, `mentionAll`).
   */
  sendText(target: Target, text: string, options: SendOptions = {}): Outgoing {
    const content = create(MessageContentSchema, { type: MessageType.TEXT, text });
    return this.send(target, content, options);
  }

  /**
   * Sends any content (protobuf MessageContent), with the reply and mentions of `options` added to it. A reply or
   * mention the protocol does not allow (mentions outside a group, more than 50) fails the ack with BAD_REQUEST
   * without sending.
   */
  send(target: Target, content: MessageContent, options: SendOptions = {}): Outgoing {
    const { outgoing, resolve, reject, request } = this.outgoing(target, content, options);
    if (outgoing.state === 'FAILED') return outgoing;
    this.enqueue(request, outgoing, resolve, reject);
    return outgoing;
  }

  /**
   * Uploads an image (`POST /v1/media`) and sends it as IMAGE in one call: a browser File/Blob or bytes (a Node
   * Buffer). The returned Outgoing is UPLOADING, then SENDING; its `ack` resolves with the stored message or
   * rejects with the upload's refusal (HTTP status as `codeNumber`: 403, 413, 415, 429) before anything was sent. An
   * image the server read no size from (its pixels did not decode there) is measured here where the platform
   * decodes images (`createImageBitmap`), else sent as FILE.
   */
  sendImage(target: Target, file: MediaSource, options: MediaSendOptions = {}): Outgoing {
    return this.sendUpload(target, file, 'IMAGE', options);
  }

  /** As {@link sendImage}, for any file: sent as FILE (a download), whatever its type. */
  sendFile(target: Target, file: MediaSource, options: MediaSendOptions = {}): Outgoing {
    return this.sendUpload(target, file, 'FILE', options);
  }

  /**
   * Uploads a file for a conversation without sending it (`POST /v1/media`); put the answer into a message's
   * `MediaInfo` (see {@link sendImage} for doing both).
   */
  uploadMedia(conversationId: string, file: MediaSource, opts: { fileName?: string; mimeType?: string } = {}):
    Promise<UploadedMedia> {
    return this.authed((session) => this.api.uploadMedia(session, conversationId, file, opts));
  }

  /**
   * Signed download URLs of a message's media (`MediaInfo.url` or `thumbnailUrl`, or the media id): absolute, valid
   * without a token until `expiresAt`. The same URLs are handed out again while they stay valid for at least a
   * minute; only members of the media's conversation get them (403 `FORBIDDEN`).
   */
  async mediaUrls(urlOrId: string): Promise<MediaUrls> {
    const key = mediaIdOf(urlOrId) ?? urlOrId;
    const cached = this.mediaUrlCache.get(key);
    if (cached && cached.expiresAt - Date.now() > MEDIA_URL_MARGIN_MS) return cached;
    const urls = await this.authed((session) => this.api.mediaUrls(session, urlOrId));
    this.mediaUrlCache.delete(key);
    this.mediaUrlCache.set(key, urls);
    if (this.mediaUrlCache.size > MEDIA_URL_CACHE) this.mediaUrlCache.delete(this.mediaUrlCache.keys().next().value!);
    return urls;
  }

  private sendUpload(target: Target, file: MediaSource, kind: 'IMAGE' | 'FILE', options: MediaSendOptions): Outgoing {
    const named = typeof File !== 'undefined' && file instanceof File ? file.name : undefined;
    const fileName = options.fileName ?? named;
    const placeholder = create(MessageContentSchema, {
      type: kind === 'IMAGE' ? MessageType.IMAGE : MessageType.FILE, text: options.caption ?? '' });
    const { outgoing, resolve, reject, request } = this.outgoing(target, placeholder, options);
    if (fileName !== undefined) outgoing.fileName = fileName;
    if (!outgoing.text && fileName) outgoing.text = fileName;
    if (outgoing.state === 'FAILED') return outgoing;
    outgoing.state = 'UPLOADING';
    const conversationId = outgoing.conversationId!;
    void (async () => {
      const uploaded = await this.uploadMedia(conversationId, file, { fileName, mimeType: options.mimeType });
      if (kind === 'IMAGE' && !uploaded.mimeType.startsWith('image/')) {
        throw new MagpieError('BAD_REQUEST', 0, `sendImage needs an image, got ${uploaded.mimeType}: use sendFile`,
          false);
      }
      let { width, height } = uploaded;
      if (kind === 'IMAGE' && (width <= 0 || height <= 0)) ({ width, height } = await measure(file));
      const asImage = kind === 'IMAGE' && width > 0 && height > 0;
      const content = request.content!;
      content.type = asImage ? MessageType.IMAGE : MessageType.FILE;
      content.media = create(MediaInfoSchema, {
        url: uploaded.url, mimeType: uploaded.mimeType, sizeBytes: BigInt(uploaded.sizeBytes),
        width: asImage ? width : 0, height: asImage ? height : 0,
        // a FILE needs a name (no / or \\)
        fileName: uploaded.fileName || fileName || (asImage ? '' : 'file'),
        thumbnailUrl: uploaded.thumbnailUrl ?? '',
      });
      outgoing.type = asImage ? 'IMAGE' : 'FILE';
      if (this._state === 'CLOSED') throw MagpieError.closed('the client was closed during the upload');
      outgoing.state = 'SENDING';
      this.enqueue(request, outgoing, resolve, reject);
    })().catch((e: unknown) => {
      outgoing.state = 'FAILED';
      reject(e instanceof MagpieError ? e : new MagpieError('UPLOAD', 0, `the upload failed: ${e}`, false));
    });
    return outgoing;
  }

  /** A new Outgoing with a fresh client msg id and its SEND (FAILED when `options` break the protocol's rules). */
  private outgoing(target: Target, content: MessageContent, options: SendOptions): {
    outgoing: Outgoing; request: SendRequest; resolve(m: Message): void; reject(e: MagpieError): void;
  } {
    const group = 'group' in target;
    const targetId = BigInt(group ? target.group : target.user);
    const clientMsgId = uuid();
    const full = create(MessageContentSchema, content);
    const problem = addOptions(full, options, group);
    const request = create(SendRequestSchema, {
      clientMsgId, conversationType: group ? ConversationType.GROUP : ConversationType.SINGLE, targetId, content: full,
    });
    let resolve!: (m: Message) => void;
    let reject!: (e: MagpieError) => void;
    const ack = new Promise<Message>((res, rej) => { resolve = res; reject = rej; });
    ack.catch(() => undefined); // callers that ignore failures do not get unhandled rejections
    const outgoing: Outgoing = {
      clientMsgId, state: 'SENDING', ack, text: full.text, type: typeName(full.type),
      conversationId: group ? `g_${targetId}` : singleConversationId(this.uidBig, targetId),
    };
    const refusal = problem ? new MagpieError('BAD_REQUEST', 0, `${problem}; the message was not sent`, false)
      : this._state === 'CLOSED' ? MagpieError.closed('the client is closed') : undefined;
    if (refusal) {
      outgoing.state = 'FAILED';
      reject(refusal);
    }
    return { outgoing, request, resolve, reject };
  }

  /** Puts a SEND into the (persisted) outbox and sends it when connected. */
  private enqueue(request: SendRequest, outgoing: Outgoing, resolve: (m: Message) => void,
                  reject: (e: MagpieError) => void): void {
    if (this._state === 'CLOSED') {
      outgoing.state = 'FAILED';
      reject(MagpieError.closed('the client is closed'));
      return;
    }
    const entry: OutboxEntry = { kind: 'SEND', id: request.clientMsgId, request, outgoing, resolve, reject,
      inFlight: false, attempts: 0 };
    this.outbox.set(request.clientMsgId, entry);
    this.persistOutbox();
    this.trySend(entry);
  }

  // ---- reactions and edits (PROTOCOL §9.21, §9.22) ----------------------------------------------------------------

  /**
   * Sets your one reaction to a message (REACT), replacing an earlier one; `null` takes it back. The held copy
   * takes the new reactions and version ('messageUpdated'); the other members' devices get it by NOTICE. Rejects
   * REACTION_LIMIT (a new emoji on a message with the most distinct ones), FORBIDDEN (recalled, SYSTEM, not yours
   * to see), NOT_FOUND, BAD_REQUEST (an emoji of 1-32 code points without white space).
   */
  async react(conversationId: string, seq: bigint, emoji: string | null): Promise<ReactResult> {
    if (seq < 1n) throw new MagpieError('BAD_REQUEST', 0, `react needs a seq of 1 or more, got ${seq}`, false);
    const request = create(ReactRequestSchema, emoji === null ? { conversationId, seq, remove: true }
      : { conversationId, seq, emoji });
    const ack = await this.connected('REACT').request(Command.REACT, ReactRequestSchema, request, Command.REACT_ACK,
      ReactAckSchema);
    await this.delivery!.reactAcked(ack, emoji);
    return { conversationId: ack.conversationId || conversationId, seq: ack.seq || seq, version: ack.version.toString(),
      reactions: ack.reactions.map((r) => ({ emoji: r.emoji, count: r.count, uids: r.uids.map(String),
        mine: emoji !== null && r.emoji === emoji })) };
  }

  /** Takes back your reaction to a message (REACT with `remove`). */
  unreact(conversationId: string, seq: bigint): Promise<ReactResult> {
    return this.react(conversationId, seq, null);
  }

  /**
   * Replaces the text (or caption) of your own message (EDIT) within the server's edit window (default 15 minutes):
   * a string keeps the held message's type and media and changes its text; a MessageContent is sent as it is (of
   * the message's type). The held copy takes the stored content, `editedAt` and version ('messageUpdated'); the
   * other devices get it by NOTICE. Rejects EDIT_WINDOW_PASSED, FORBIDDEN (someone else's, recalled), NOT_FOUND,
   * CONTENT_REJECTED, BAD_REQUEST.
   */
  async edit(conversationId: string, seq: bigint, next: string | MessageContent): Promise<EditResult> {
    if (seq < 1n) throw new MagpieError('BAD_REQUEST', 0, `edit needs a seq of 1 or more, got ${seq}`, false);
    const conn = this.connected('EDIT');
    let content: MessageContent;
    if (typeof next === 'string') {
      const held = await this.heldContent(conversationId, seq);
      content = held ? create(MessageContentSchema, { ...held, text: next }) // reply_to, mentions: ignored by the server
        : create(MessageContentSchema, { type: MessageType.TEXT, text: next });
    } else {
      content = next;
    }
    const ack = await conn.request(Command.EDIT, EditRequestSchema, create(EditRequestSchema, { conversationId, seq,
      content }), Command.EDIT_ACK, EditAckSchema);
    const message = await this.delivery!.editAcked(ack);
    const result: EditResult = { conversationId: ack.conversationId || conversationId, seq: ack.seq || seq,
      version: ack.version.toString(), editedAt: Number(ack.editedAt), text: ack.content?.text ?? content.text };
    if (message) result.message = message;
    return result;
  }

  private async heldContent(conversationId: string, seq: bigint): Promise<MessageContent | undefined> {
    const page = await this.history(conversationId, { beforeSeq: seq + 1n, limit: 1 }).catch(() => undefined);
    const m = page?.messages.find((x) => x.seq === seq);
    return m ? (m.raw as { content?: MessageContent }).content : undefined;
  }

  /** Unacknowledged sends, oldest first (after a reload: those restored from the store too). */
  pending(): Outgoing[] {
    return [...this.outbox.values()].flatMap((e) => (e.kind === 'SEND' && e.outgoing.state === 'SENDING'
      ? [e.outgoing] : []));
  }

  /** One GROUP op with a fresh client_msg_id, in the outbox (not persisted) until GROUP_ACK or a refusal. */
  private sendGroup(groupId: string, op: GroupOp): Promise<GroupAckInfo> {
    if (this._state === 'CLOSED') return Promise.reject(MagpieError.closed('the client is closed'));
    const id = uuid();
    const request = create(GroupRequestSchema, { groupId: BigInt(groupId), clientMsgId: id, op });
    let resolve!: (a: GroupAckInfo) => void;
    let reject!: (e: MagpieError) => void;
    const ack = new Promise<GroupAckInfo>((res, rej) => { resolve = res; reject = rej; });
    const entry: OutboxEntry = { kind: 'GROUP', id, request, resolve, reject, inFlight: false, attempts: 0 };
    this.outbox.set(id, entry);
    this.trySend(entry);
    return ack;
  }

  /** Merges the SENDs persisted by an earlier client of this user into the outbox (they go first), once. */
  private loadOutbox(): Promise<void> {
    this.outboxLoaded ??= (async () => {
      const store = this.store ??= this.opts.store ?? defaultStore();
      const text = await store.get(`${this.uid}/${OUTBOX_KEY}`);
      const restored = new Map<string, OutboxEntry>();
      for (const row of text ? JSON.parse(text) as { request: string }[] : []) {
        const request = fromJsonString(SendRequestSchema, row.request, { ignoreUnknownFields: true });
        if (!request.clientMsgId || this.outbox.has(request.clientMsgId)) continue;
        restored.set(request.clientMsgId, this.restoredEntry(request));
      }
      if (restored.size > 0) {
        const later = [...this.outbox];
        this.outbox.clear();
        for (const [id, e] of [...restored, ...later]) this.outbox.set(id, e);
      }
      this.outboxLoadedDone = true;
    })();
    return this.outboxLoaded;
  }

  private restoredEntry(request: SendRequest): OutboxEntry {
    const group = request.conversationType === ConversationType.GROUP;
    let resolve!: (m: Message) => void;
    let reject!: (e: MagpieError) => void;
    const ack = new Promise<Message>((res, rej) => { resolve = res; reject = rej; });
    ack.catch(() => undefined);
    const media = request.content?.media;
    const outgoing: Outgoing = { clientMsgId: request.clientMsgId, state: 'SENDING', ack,
      text: request.content?.text || media?.fileName || '', type: typeName(request.content?.type ?? MessageType.TEXT),
      conversationId: group ? `g_${request.targetId}` : singleConversationId(this.uidBig, request.targetId) };
    if (media?.fileName) outgoing.fileName = media.fileName;
    return { kind: 'SEND', id: request.clientMsgId, request, outgoing, resolve, reject, inFlight: false, attempts: 0 };
  }

  /**
   * Writes the unacknowledged SENDs to the store (in call order). Not after close: the entries a close fails stay
   * stored for the next client.
   */
  private persistOutbox(): void {
    if (this._state === 'CLOSED') return;
    const snapshot = (): string => JSON.stringify([...this.outbox.values()].flatMap((e) =>
      (e.kind === 'SEND' ? [{ request: toJsonString(SendRequestSchema, e.request) }] : [])));
    const now = this.outboxLoadedDone ? snapshot() : undefined;
    this.outboxWrites = this.outboxWrites
      .then(() => this.loadOutbox())
      .then(() => this.store!.put(`${this.uid}/${OUTBOX_KEY}`, now ?? snapshot()))
      .catch((e: unknown) => this.emit('error', new MagpieError('STORE', 0, `persisting the outbox failed: ${e}`,
        false)));
  }

  private flushOutbox(): void {
    for (const entry of this.outbox.values()) this.trySend(entry);
  }

  private trySend(entry: OutboxEntry): void {
    const conn = this.current;
    if (!conn || entry.inFlight || this.outbox.get(entry.id) !== entry) return;
    entry.inFlight = true;
    entry.attempts++;
    const sent: Promise<SendAck | GroupAck> = entry.kind === 'SEND'
      ? conn.request(Command.SEND, SendRequestSchema, entry.request, Command.SEND_ACK, SendAckSchema)
      : conn.request(Command.GROUP, GroupRequestSchema, entry.request, Command.GROUP_ACK, GroupAckSchema);
    sent.then((ack) => {
      entry.inFlight = false;
      if (this.outbox.get(entry.id) !== entry) return;
      this.outbox.delete(entry.id);
      if (entry.kind === 'SEND') {
        this.persistOutbox();
        const sendAck = ack as SendAck;
        const message = this.delivery!.sent(entry.request, sendAck);
        entry.outgoing.state = 'ACKED';
        entry.outgoing.conversationId = sendAck.conversationId;
        entry.resolve(message);
        return;
      }
      const groupAck = ack as GroupAck;
      entry.resolve(toGroupAckInfo(groupAck));
      // the SYSTEM message is not pushed to this connection (§9.16): a SYNC PULLs it, so it arrives as 'message'
      if (groupAck.seq > 0n && this.current === conn) {
        this.delivery?.syncNow().catch(() => undefined); // best effort: the next push or login brings it too
      }
    }, (e: unknown) => {
      entry.inFlight = false;
      const error = e instanceof MagpieError ? e : MagpieError.connectionLost(String(e));
      if (!error.retryable) {
        if (this.outbox.get(entry.id) !== entry) return;
        this.outbox.delete(entry.id);
        if (entry.kind === 'SEND') {
          this.persistOutbox();
          entry.outgoing.state = 'FAILED';
        }
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
    // the entries stay in the map (this client sends nothing more): a write of the persisted outbox still queued
    // keeps them for the next client of this store
    for (const entry of this.outbox.values()) {
      if (entry.kind === 'SEND') entry.outgoing.state = 'FAILED';
      entry.reject(error);
    }
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

  // ---- conversation state (PROTOCOL §9.10-§9.12) -------------------------------------------------------------------

  /** RECALL of your message (or, as a group owner/admin, anyone's); rejects e.g. RECALL_WINDOW_PASSED, FORBIDDEN. */
  async recall(conversationId: string, seq: bigint): Promise<void> {
    const ack = await this.connected('RECALL').request(Command.RECALL, MessageActionRequestSchema,
      create(MessageActionRequestSchema, { conversationId, seq }), Command.RECALL_ACK, ActionAckSchema);
    await this.delivery!.recallAcked(conversationId, seq, ack.version);
  }

  /** DELETE for yourself (every device of yours); at most 100 seqs. */
  async deleteForMe(conversationId: string, seqs: bigint[]): Promise<void> {
    if (seqs.length === 0 || seqs.length > MAX_DELETE_SEQS || seqs.some((s) => s < 1n)) {
      throw new MagpieError('BAD_REQUEST', 0, `deleteForMe takes 1-${MAX_DELETE_SEQS} seqs of 1 or more, got`
        + ` ${seqs.length}: split the list`, false);
    }
    const ack = await this.connected('DELETE').request(Command.DELETE, MessageActionRequestSchema,
      create(MessageActionRequestSchema, { conversationId, seq: seqs[0]!, moreSeqs: seqs.slice(1) }), Command.DELETE_ACK,
      ActionAckSchema);
    await this.delivery!.deleteAcked(conversationId, seqs, ack.version);
  }

  /** CLEAR your history of the conversation up to its newest message; resolves with the cleared-up-to seq. */
  async clearHistory(conversationId: string): Promise<bigint> {
    const ack = await this.connected('CLEAR').request(Command.CLEAR, ClearRequestSchema,
      create(ClearRequestSchema, { conversationId, upToSeq: 0n }), Command.CLEAR_ACK, ActionAckSchema);
    this.delivery!.clearAcked(conversationId, ack.seq);
    return ack.seq;
  }

  /** PUT /v1/conversations/{id}/mute, then SYNC (the row changes on every device). */
  async setMuted(conversationId: string, muted: boolean): Promise<void> {
    await this.http('PUT', `/v1/conversations/${encodeURIComponent(conversationId)}/mute`, { muted });
    await this.syncAfterSetting();
  }

  /** PUT /v1/conversations/{id}/pin, then SYNC. */
  async setPinned(conversationId: string, pinned: boolean): Promise<void> {
    await this.http('PUT', `/v1/conversations/${encodeURIComponent(conversationId)}/pin`, { pinned });
    await this.syncAfterSetting();
  }

  /** PUT /v1/conversations/{id}/hide, then SYNC (a new message shows it again). */
  async setHidden(conversationId: string, hidden: boolean): Promise<void> {
    await this.http('PUT', `/v1/conversations/${encodeURIComponent(conversationId)}/hide`, { hidden });
    await this.syncAfterSetting();
  }

  private async syncAfterSetting(): Promise<void> {
    // stored already; not connected: the next login's SYNC brings the row
    if (this.current && this.delivery) await this.delivery.syncNow();
  }

  // ---- people (PROTOCOL §9.13-§9.15) --------------------------------------------------------------------------

  /** TYPING, at most once per 3 s per conversation (others are dropped here); not connected: nothing is sent. */
  sendTyping(conversationId: string): void {
    const conn = this.current;
    if (!conn || conn.closed) return;
    const now = Date.now();
    const last = this.typingSentAt.get(conversationId);
    if (last !== undefined && now - last < TYPING_INTERVAL_MS) return;
    if (this.typingSentAt.size >= 64) {
      for (const [id, at] of this.typingSentAt) if (now - at >= TYPING_INTERVAL_MS) this.typingSentAt.delete(id);
    }
    this.typingSentAt.set(conversationId, now);
    conn.sendOneWay(Command.TYPING, TypingRequestSchema, create(TypingRequestSchema, { conversationId }));
  }

  /** PRESENCE query of up to 200 users; one state per distinct uid, in request order. */
  async queryPresence(uids: string[]): Promise<Presence[]> {
    if (uids.length === 0) return [];
    if (uids.length > MAX_PRESENCE_QUERY) {
      throw new MagpieError('BAD_REQUEST', 0, `queryPresence takes at most ${MAX_PRESENCE_QUERY} uids, got`
        + ` ${uids.length}: query in batches`, false);
    }
    const ack = await this.connected('PRESENCE').request(Command.PRESENCE, PresenceRequestSchema,
      create(PresenceRequestSchema, { queryUids: uids.map((u) => BigInt(u)) }), Command.PRESENCE_ACK, PresenceAckSchema);
    return ack.states.map(toPresence);
  }

  /**
   * Replaces the explicit watch list (at most 500 uids; [] clears it): their changes arrive as 'presence'. Kept and
   * set again after every login. Not connected: kept and sent at the next login. Friends are watched anyway.
   */
  async watchPresence(uids: string[]): Promise<void> {
    if (uids.length > MAX_WATCH) {
      throw new MagpieError('BAD_REQUEST', 0, `watchPresence takes at most ${MAX_WATCH} uids, got ${uids.length}`,
        false);
    }
    this.watchList = uids.map((u) => BigInt(u));
    const conn = this.current;
    if (!conn || conn.closed) return;
    await conn.request(Command.PRESENCE, PresenceRequestSchema, create(PresenceRequestSchema, {
      setWatch: true, watchUids: this.watchList }), Command.PRESENCE_ACK, PresenceAckSchema);
  }

  private resendWatchList(conn: Connection): void {
    if (this.watchList === undefined) return;
    conn.request(Command.PRESENCE, PresenceRequestSchema, create(PresenceRequestSchema, {
      setWatch: true, watchUids: this.watchList }), Command.PRESENCE_ACK, PresenceAckSchema)
      .catch((e: unknown) => {
        if (conn === this.current) {
          this.emit('error', new MagpieError('PRESENCE', 0, `setting the presence watch list again after LOGIN failed:`
            + ` ${(e as Error).message}; call watchPresence again`, false));
        }
      });
  }

  /** Your status text and hiding (GET /v1/me/presence). */
  async presenceSetting(): Promise<PresenceSetting> {
    return await this.http('GET', '/v1/me/presence') as PresenceSetting;
  }

  /** PUT /v1/me/presence {statusText}: at most 100 code points, "" clears it. Watchers are told at once. */
  async setStatusText(text: string): Promise<PresenceSetting> {
    return await this.http('PUT', '/v1/me/presence', { statusText: text }) as PresenceSetting;
  }

  /** PUT /v1/me/presence {hidden}: hidden reads as offline (last seen 0) to everyone. */
  async setInvisible(invisible: boolean): Promise<PresenceSetting> {
    return await this.http('PUT', '/v1/me/presence', { hidden: invisible }) as PresenceSetting;
  }

  private peopleNotice(n: Notice): void {
    if (n.type === NoticeType.NOTICE_GROUP_JOIN_REQUEST || n.type === NoticeType.NOTICE_GROUP_JOIN_REJECTED) {
      this.emit('group', { kind: n.type === NoticeType.NOTICE_GROUP_JOIN_REQUEST ? 'JOIN_REQUEST' : 'JOIN_REJECTED',
        groupId: n.groupId.toString(), uid: n.uid.toString(), requesterUid: n.requesterUid.toString(),
        message: n.joinMessage });
      return;
    }
    if (n.type === NoticeType.NOTICE_TYPING) {
      this.emit('typing', { conversationId: n.conversationId, uid: n.uid.toString() });
      return;
    }
    if (n.type === NoticeType.NOTICE_PRESENCE) {
      if (n.presence) this.emit('presence', toPresence(n.presence));
      return;
    }
    const kind = FRIEND_NOTICES[n.type];
    if (!kind) return;
    const event: FriendsEvent = { kind, uid: n.uid.toString(), friendsVersion: n.friendsVersion.toString() };
    if (n.friendRequest) event.request = requestFromNotice(n.friendRequest);
    this.emit('friends', event);
    // a new friendship announces no presence by itself (§9.14): ask for the new friend's
    const r = n.friendRequest;
    if (r && r.state === FriendRequestState.FRIEND_REQUEST_ACCEPTED
      && (kind === 'ACCEPTED' || kind === 'CHANGED')) {
      const other = r.fromUid === this.uidBig ? r.toUid : r.fromUid;
      this.queryPresence([other.toString()]).then((states) => states.forEach((p) => this.emit('presence', p)),
        () => undefined); // best effort: the friend's next change arrives anyway
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  private connected(what: string): Connection {
    const conn = this.current;
    if (!conn || conn.closed) throw MagpieError.connectionLost(`${what} not sent: not connected; try again when the`
      + ' state is CONNECTED');
    return conn;
  }

  /** An account API call with the session's token; refreshed first near expiry, and once more on a 401. */
  private http(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.authed((session) => this.api.authed(session, method, path, body));
  }

  /** Runs `call` with the session; refreshed first near expiry, and once more after a 401. */
  private async authed<T>(call: (session: Session) => Promise<T>): Promise<T> {
    if (this._state === 'CLOSED') throw MagpieError.closed('the client is closed');
    if (this.session.expiresAt - Date.now() < REFRESH_MARGIN_MS) await this.refreshSession();
    try {
      return await call(this.session);
    } catch (e) {
      if (!(e instanceof MagpieError && e.codeNumber === 401)) throw e;
      await this.refreshSession();
      return await call(this.session);
    }
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

const TYPE_NAMES: Record<number, Message['type']> = {
  [MessageType.TEXT]: 'TEXT', [MessageType.EMOJI]: 'EMOJI', [MessageType.IMAGE]: 'IMAGE', [MessageType.FILE]: 'FILE',
  [MessageType.AUDIO]: 'AUDIO', [MessageType.VIDEO]: 'VIDEO', [MessageType.CUSTOM]: 'CUSTOM',
  [MessageType.SYSTEM]: 'SYSTEM', [MessageType.LOCATION]: 'LOCATION',
};

function typeName(type: MessageType): Message['type'] {
  return TYPE_NAMES[type] ?? 'CUSTOM';
}

/** Adds a send's reply and mentions to its content; returns what breaks the protocol's rules, if anything. */
function addOptions(content: MessageContent, options: SendOptions, group: boolean): string | undefined {
  if (options.replyTo !== undefined) {
    const seq = typeof options.replyTo === 'bigint' ? options.replyTo : options.replyTo.seq;
    if (seq < 1n) return `replyTo must name a seq of 1 or more, got ${seq}`;
    content.replyTo = create(ReplyRefSchema, { seq });
  }
  const uids = [...new Set(options.mentionedUids ?? [])];
  if ((uids.length > 0 || options.mentionAll) && !group) {
    return 'mentions (mentionedUids, mentionAll) are for group messages only';
  }
  if (uids.length > MAX_MENTIONS) return `at most ${MAX_MENTIONS} mentioned uids, got ${uids.length}`;
  if (uids.some((u) => !/^[1-9]\d*$/.test(u))) return `mentionedUids must be uids (decimal strings), got ${uids.join(', ')}`;
  if (uids.length > 0) content.mentionedUids = uids.map((u) => BigInt(u));
  if (options.mentionAll) content.mentionAll = true;
  return undefined;
}

/** An image's size where the platform decodes images (browsers: createImageBitmap); 0 x 0 elsewhere. */
async function measure(file: MediaSource): Promise<{ width: number; height: number }> {
  const decode = (globalThis as { createImageBitmap?: (b: Blob) => Promise<{ width: number; height: number;
    close?(): void }> }).createImageBitmap;
  if (!decode || typeof Blob === 'undefined') return { width: 0, height: 0 };
  try {
    const bitmap = await decode(file instanceof Blob ? file : new Blob([file as BlobPart]));
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close?.();
    return size;
  } catch {
    return { width: 0, height: 0 }; // not decodable here: sent as a FILE
  }
}
