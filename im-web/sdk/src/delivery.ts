import { create } from '@bufbuild/protobuf';
import { Backoff } from './backoff.js';
import { Command } from './commands.js';
import type { Connection } from './connection.js';
import { MagpieError } from './errors.js';
import {
  ConversationType, MessageContentSchema, MessageSchema, MessageStatus, MessageType, NoticeType,
  PullAckSchema, PullRequestSchema, PushAckSchema, ReplyRefSchema, SyncAckSchema, SyncRequestSchema,
  type ConversationInfo, type EditAck, type Message as PbMessage, type Notice, type PullAck, type Push,
  type ReactAck, type SendAck, type SendRequest, type SyncAck,
} from './gen/client_pb.js';
import {
  conversationTypeName, messageFromJson, messageToJson, targetOf, toMessage, type Conversation, type Message,
} from './model.js';
import { ConversationSequencer, type PullRange, type SequencerOutput } from './sequencer.js';
import type { ClientStore } from './store.js';

/** What the delivery side tells the client's listeners. */
export interface DeliveryEvents {
  message(m: Message): void;
  messageUpdated(m: Message): void;
  conversations(): void;
  error(e: MagpieError): void;
}

export interface DeliveryOptions {
  syncPageSize: number;
  pullPageSize: number;
  retryBackoff: Backoff;
}

/** A conversation row as kept (internal, typed). */
interface Row {
  conversationId: string;
  type: 'SINGLE' | 'GROUP';
  targetId: bigint;
  lastSeq: bigint;
  readSeq: bigint;
  clearedSeq: bigint;
  unreadCount: number;
  peerReadSeq: bigint;
  muted: boolean;
  hidden: boolean;
  pinnedAt: number;
  lastMessage?: PbMessage;
  version: bigint;
  /** Highest seq already counted in unreadCount (SYNC's last_seq, or a delivered one). */
  countedUpTo: bigint;
  /**
   * "@me": the seq of a message that mentions this user (0 = none); shown while above max(readSeq, clearedSeq).
   * From SYNC's `mentioned` (which does not say which message: then the row's last seq) and delivered messages.
   */
  mentionSeq: bigint;
}

/**
 * Drives a {@link ConversationSequencer} over the live connection, like the Java SDK's DeliveryCoordinator: PUSHes
 * (acknowledged with PUSH_ACK) and this device's SEND_ACKs go in, ordered messages go to the listeners; PULLs for
 * gaps are sent (a retryable failure is tried again after a backoff while connected, or after the next login; a
 * refusal for good skips the range). After every login it SYNCs from the stored version, page by page, retrying a
 * SYNC without an answer on the same connection with backoff, and catches up every listed conversation by PULL;
 * the new version is saved only once every conversation of that sync is caught up. It also keeps the
 * conversation list (SYNC rows, messages, read acks, notices) and the local message history, and persists
 * positions, version and list in the {@link ClientStore}.
 */
export class Delivery {
  private sequencer: ConversationSequencer;
  private readonly positions = new Map<string, bigint>();
  private readonly rows = new Map<string, Row>();
  private syncVersion = 0n;
  private syncGeneration = 0;
  private syncFailures = 0;
  private pendingVersion: bigint | undefined;
  private readonly syncTargets = new Map<string, bigint>();
  private syncWaiters: { resolve(): void; reject(e: MagpieError): void }[] = [];
  private caughtUpWaiters: (() => void)[] = [];
  private readonly pullFailures = new Map<string, number>();
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private persisting: Promise<void> = Promise.resolve();
  private readonly output: SequencerOutput;
  private stopped = false;
  /** The highest message version known per conversation (a delivered/sent message's, a recall's); persisted. */
  private readonly knownVersions = new Map<string, bigint>();
  /** The known version of each conversation at the last login, kept before the first raise after it. */
  private readonly atLogin = new Map<string, bigint>();
  /** Conversations with a since_version catch-up running. */
  private readonly catchUpRunning = new Set<string>();
  /** Catch-ups a lost connection stopped, from where they stopped; resumed at the next login. */
  private readonly catchUpUnfinished = new Map<string, CatchUpStart>();
  /** The first SYNC after a login looks for conversations whose row version moved. */
  private catchUpRows = false;
  /**
   * This user's reaction per message (`<conversationId>#<seq>` -> emoji, null = none) from this client's REACT_ACKs:
   * a reaction's `uids` name the first 20 users only, so past that this is how the client knows its own.
   */
  private readonly myReactions = new Map<string, string | null>();

  private constructor(private readonly uid: bigint, private readonly store: ClientStore,
                      private readonly current: () => Connection | undefined, private readonly options: DeliveryOptions,
                      private readonly events: DeliveryEvents) {
    this.sequencer = new ConversationSequencer({ get: (id) => this.positions.get(id) }, false);
    this.output = {
      deliver: (m) => this.delivered(m),
      advanced: (id, last) => this.advanced(id, last),
    };
  }

  /** Loads what the store kept of `uid` (positions, sync version, conversation list). */
  static async load(uid: bigint, store: ClientStore, current: () => Connection | undefined, options: DeliveryOptions,
                    events: DeliveryEvents): Promise<Delivery> {
    const d = new Delivery(uid, store, current, options, events);
    const [positions, version, rows, known] = await Promise.all([
      store.get(d.key('positions')), store.get(d.key('sync-version')), store.get(d.key('conversations')),
      store.get(d.key('known-versions')),
    ]);
    if (known) {
      for (const [id, v] of Object.entries(JSON.parse(known) as Record<string, string>)) d.knownVersions.set(id, BigInt(v));
    }
    if (positions) {
      for (const [id, seq] of Object.entries(JSON.parse(positions) as Record<string, string>)) {
        d.positions.set(id, BigInt(seq));
      }
    }
    if (version) d.syncVersion = BigInt(version);
    if (rows) for (const r of JSON.parse(rows) as StoredRow[]) d.rows.set(r.conversationId, rowFromJson(r));
    d.sequencer = new ConversationSequencer({ get: (id) => d.positions.get(id) }, d.syncVersion > 0n);
    return d;
  }

  private key(name: string): string {
    return `${this.uid}/${name}`;
  }

  // ---- sessions -------------------------------------------------------------------------------------------------

  /** A connection logged in: SYNC (and PULL what it lists), resend what waits. */
  loggedIn(connection: Connection): void {
    this.sequencer.connectionLost();
    this.atLogin.clear();
    this.catchUpRows = true;
    const resumed: CatchUpStart[] = [];
    for (const s of this.catchUpUnfinished.values()) {
      if (!this.catchUpRunning.has(s.conversationId)) {
        this.catchUpRunning.add(s.conversationId);
        resumed.push(s);
      }
    }
    this.catchUpUnfinished.clear();
    const generation = this.startSync();
    this.syncPage(connection, generation, this.syncVersion);
    for (const s of resumed) this.catchUpPage(s, s.sinceVersion);
  }

  /** Resolves once the running (or next) sync finished and its conversations are caught up. */
  caughtUp(): Promise<void> {
    return new Promise((resolve) => this.caughtUpWaiters.push(resolve));
  }

  /** Releases the caughtUp waiters (the connection went away: the next login catches up). */
  releaseCaughtUpWaiters(): void {
    const waiting = this.caughtUpWaiters;
    this.caughtUpWaiters = [];
    waiting.forEach((f) => f());
  }

  /** SYNCs now from the last complete version; resolves once its pages were applied. */
  syncNow(): Promise<void> {
    const connection = this.current();
    if (!connection) {
      return Promise.reject(MagpieError.connectionLost('SYNC not sent: not connected; the client syncs by itself'
        + ' after the next login'));
    }
    return new Promise((resolve, reject) => {
      this.syncWaiters.push({ resolve, reject });
      this.syncPage(connection, this.startSync(), this.syncVersion);
    });
  }

  stop(): void {
    this.stopped = true;
    this.syncGeneration++;
  }

  private startSync(): number {
    this.syncTargets.clear();
    this.syncFailures = 0;
    this.pendingVersion = undefined;
    this.sequencer.syncStarted();
    return ++this.syncGeneration;
  }

  private syncPage(connection: Connection, generation: number, since: bigint): void {
    connection.request(Command.SYNC, SyncRequestSchema,
      create(SyncRequestSchema, { sinceVersion: since, limit: this.options.syncPageSize }), Command.SYNC_ACK,
      SyncAckSchema)
      .then((ack) => this.synced(connection, generation, since, ack),
        (e: unknown) => this.syncFailed(connection, generation, since, asMagpie(e)));
  }

  private synced(connection: Connection, generation: number, since: bigint, ack: SyncAck): void {
    if (generation !== this.syncGeneration) return;
    const nextPage = ack.hasMore && ack.version > since;
    const catchUps: CatchUpStart[] = [];
    if (this.catchUpRows) {
      for (const c of ack.conversations) {
        const start = this.considerCatchUp(c);
        if (start) catchUps.push(start);
      }
    }
    for (const c of ack.conversations) this.applyRow(c);
    const ranges = this.sequencer.synced(ack.conversations, this.output);
    for (const c of ack.conversations) {
      if (this.sequencer.lastDelivered(c.conversationId) < c.lastSeq) {
        const known = this.syncTargets.get(c.conversationId) ?? 0n;
        this.syncTargets.set(c.conversationId, c.lastSeq > known ? c.lastSeq : known);
      }
    }
    let finished: typeof this.syncWaiters = [];
    if (!nextPage) {
      this.catchUpRows = false;
      this.pendingVersion = ack.version;
      ranges.push(...this.sequencer.syncFinished(true, this.output));
      this.saveVersionIfCaughtUp();
      finished = this.syncWaiters;
      this.syncWaiters = [];
    }
    this.conversationsChanged();
    this.request(ranges);
    for (const s of catchUps) this.catchUpPage(s, s.sinceVersion);
    finished.forEach((w) => w.resolve());
    if (nextPage) this.syncPage(connection, generation, ack.version);
  }

  // ---- since_version catch-up (the Java SDK's VersionCatchUp; PROTOCOL §9.5 "Changes while offline") -------------

  /** The client learned of `version` in a conversation (a message's, a recall's). */
  private noteVersion(conversationId: string, version: bigint): void {
    if (!conversationId || version <= 0n) return;
    const known = this.knownVersions.get(conversationId) ?? 0n;
    if (!this.atLogin.has(conversationId)) this.atLogin.set(conversationId, known);
    if (version > known) {
      this.knownVersions.set(conversationId, version);
      this.persistSoon();
    }
  }

  /**
   * A row of the login's SYNC: when its version moved and this device holds messages above what is cleared, what
   * changed since the version known at login is PULLed (since_version) so recalls and deletions made while offline
   * reach the held messages.
   */
  private considerCatchUp(c: ConversationInfo): CatchUpStart | undefined {
    const id = c.conversationId;
    const knownRowVersion = this.rows.get(id)?.version ?? 0n;
    const lastDelivered = this.sequencer.lastDelivered(id);
    if (!id || c.version <= knownRowVersion || lastDelivered <= c.clearedSeq || this.catchUpRunning.has(id)) {
      return undefined;
    }
    let since = this.atLogin.get(id) ?? this.knownVersions.get(id) ?? 0n;
    const stopped = this.catchUpUnfinished.get(id);
    this.catchUpUnfinished.delete(id);
    if (stopped && stopped.sinceVersion < since) since = stopped.sinceVersion;
    if (since <= 0n) return undefined; // no version known: nothing this client could have missed a change of
    this.catchUpRunning.add(id);
    const held = stopped && stopped.heldThrough > lastDelivered ? stopped.heldThrough : lastDelivered;
    return { conversationId: id, sinceVersion: since, heldThrough: held, attempts: 0 };
  }

  private catchUpPage(s: CatchUpStart, since: bigint): void {
    const connection = this.current();
    if (!connection || this.stopped) {
      this.catchUpStopped(s, since);
      return;
    }
    connection.request(Command.PULL, PullRequestSchema, create(PullRequestSchema, {
      conversationId: s.conversationId, sinceVersion: since, limit: this.options.pullPageSize,
    }), Command.PULL_ACK, PullAckSchema).then((ack) => {
      s.attempts = 0;
      let highest = since;
      for (const m of ack.messages) if (m.version > highest) highest = m.version;
      // the server holds its cursor back on the last page so a late commit is returned again
      if (ack.version > 0n) highest = ack.hasMore ? (ack.version > since ? ack.version : since) : ack.version;
      const more = ack.hasMore && highest > since;
      this.catchUpChanges(s.conversationId, ack.messages, s.heldThrough);
      this.noteVersion(s.conversationId, highest);
      if (more) this.catchUpPage(s, highest);
      else this.catchUpRunning.delete(s.conversationId);
    }, (e: unknown) => {
      const error = asMagpie(e);
      if (!error.retryable) {
        this.catchUpRunning.delete(s.conversationId);
        this.events.error(new MagpieError(error.code, error.codeNumber, `PULL since_version ${since} of`
          + ` ${s.conversationId} refused: ${error.message}; recalls and deletions made while offline may not show`,
        false));
        return;
      }
      const conn = this.current();
      if (conn !== connection || !conn || conn.closed || ++s.attempts > MAX_CATCH_UP_ATTEMPTS) {
        this.catchUpStopped(s, since);
        return;
      }
      const delay = Math.max(this.options.retryBackoff.delayMs(s.attempts), error.retryAfterMs);
      setTimeout(() => this.catchUpPage(s, since), delay);
    });
  }

  private catchUpStopped(s: CatchUpStart, since: bigint): void {
    this.catchUpRunning.delete(s.conversationId);
    this.catchUpUnfinished.set(s.conversationId, { ...s, sinceVersion: since, attempts: 0 });
  }

  /**
   * A catch-up page: recalled or deleted messages this device holds become placeholders, and held messages
   * reacted to or edited (or replies whose quote was recalled) take their new version: a message's first version is
   * its msg id, another one means it changed (PROTOCOL §9.21, §9.22). Each fires 'messageUpdated'.
   */
  private catchUpChanges(conversationId: string, changes: PbMessage[], heldThrough: bigint): void {
    const candidates = changes.filter((m) => m.seq <= heldThrough
      && (m.status !== MessageStatus.NORMAL || (m.version > 0n && m.version !== m.msgId)));
    if (candidates.length === 0) return;
    void this.applyChanged(conversationId, candidates);
  }

  /**
   * Newer copies of held messages (a NOTICE_REACTED / NOTICE_EDITED's message, a catch-up page): each replaces the
   * stored copy when its version is higher; a message this user deleted stays deleted. Fires 'messageUpdated'.
   */
  private async applyChanged(conversationId: string, changes: PbMessage[]): Promise<void> {
    const row = this.rows.get(conversationId);
    let changed = false;
    for (const m of changes) {
      const held = await this.stored(conversationId, m.seq);
      // not held: nothing shows it yet; history and delivery bring the current copy from the server
      if (!held || (held.version >= m.version && held.version > 0n)) continue;
      if (held.status === MessageStatus.DELETED && m.status === MessageStatus.NORMAL) continue;
      this.keep([m]);
      if (row?.lastMessage && row.lastMessage.seq === m.seq) row.lastMessage = m;
      changed = true;
      this.events.messageUpdated(this.view(m));
    }
    if (changed) this.conversationsChanged();
  }

  /** The stored copy of one message, or the row's last message; undefined when this device holds neither. */
  private async stored(conversationId: string, seq: bigint): Promise<PbMessage | undefined> {
    try {
      const found = await this.store.getMessages(String(this.uid), conversationId, seq + 1n, 1);
      if (found.length === 1 && found[0]!.seq === seq) return messageFromJson(found[0]!.json);
    } catch (e) {
      this.events.error(new MagpieError('STORE', 0, `reading message ${conversationId}#${seq} failed: `
        + `${(e as Error).message}`, false));
    }
    const last = this.rows.get(conversationId)?.lastMessage;
    return last?.seq === seq ? last : undefined;
  }

  /** The public view of a message for this user (mentionsMe, own reactions). */
  view(m: PbMessage): Message {
    return toMessage(m, this.uid, this.myReactions.get(`${m.conversationId}#${m.seq}`));
  }

  /**
   * A SYNC page failed. Retryable on the current connection: asked again after a backoff (at least the gate's
   * retry-after), and messages of conversations without a known position keep waiting for it (PROTOCOL §9.5).
   * The connection is gone: the next login syncs. Refused for good: what arrives is delivered from its first seq.
   */
  private syncFailed(connection: Connection, generation: number, since: bigint, error: MagpieError): void {
    if (generation !== this.syncGeneration) return;
    if (error.retryable) {
      const attempt = ++this.syncFailures;
      if (this.current() !== connection || connection.closed) {
        this.rejectSyncWaiters(error);
        return;
      }
      const delay = Math.max(this.options.retryBackoff.delayMs(Math.min(attempt, 30)), error.retryAfterMs);
      if (attempt === 1) {
        this.events.error(new MagpieError(error.code, error.codeNumber, `SYNC failed: ${error.message}; the client`
          + ' asks again until it is answered or the connection closes', true, error.retryAfterMs));
      }
      setTimeout(() => {
        if (generation !== this.syncGeneration) return;
        if (this.current() === connection && !connection.closed) this.syncPage(connection, generation, since);
        else this.rejectSyncWaiters(MagpieError.connectionLost('SYNC not answered before the connection closed;'
          + ' the client syncs by itself after the next login'));
      }, delay);
      return;
    }
    const ranges = this.sequencer.syncFinished(false, this.output);
    this.rejectSyncWaiters(error);
    this.events.error(new MagpieError(error.code, error.codeNumber, `SYNC refused: ${error.message}; messages`
      + ' missed while offline arrive after the next successful sync', false));
    this.request(ranges);
    this.releaseCaughtUpWaiters();
  }

  private rejectSyncWaiters(error: MagpieError): void {
    const waiting = this.syncWaiters;
    this.syncWaiters = [];
    waiting.forEach((w) => w.reject(error));
  }

  private saveVersionIfCaughtUp(): void {
    if (this.pendingVersion !== undefined && this.syncTargets.size === 0) {
      this.syncVersion = this.pendingVersion;
      this.pendingVersion = undefined;
      this.persistSoon();
      this.releaseCaughtUpWaiters();
    }
  }

  // ---- pushes, pulls, sends -------------------------------------------------------------------------------------

  /** A PUSH arrived on `connection`: sequenced, then acknowledged there. */
  pushed(connection: Connection, push: Push): void {
    const ranges = this.sequencer.pushed(push.messages, this.output);
    this.request(ranges);
    if (push.messages.length > 0) {
      connection.sendOneWay(Command.PUSH_ACK, PushAckSchema, create(PushAckSchema, {
        acked: push.messages.map((m) => ({ conversationId: m.conversationId, seq: m.seq })),
      }));
    }
  }

  /** This device's SEND was stored: returns the message as stored (it is not delivered as a 'message' event). */
  sent(request: SendRequest, ack: SendAck): Message {
    const m = create(MessageSchema, {
      msgId: ack.msgId, conversationId: ack.conversationId, conversationType: request.conversationType,
      seq: ack.seq, senderUid: this.uid, clientMsgId: request.clientMsgId,
      // the stored content when it differs from what was sent (masked words, a hook's rewrite, a filled-in reply)
      content: ack.content ?? request.content ?? create(MessageContentSchema, { type: MessageType.TEXT }),
      serverTime: ack.serverTime, version: ack.msgId, targetId: request.targetId, status: MessageStatus.NORMAL,
    });
    this.keep([m]);
    this.noteVersion(ack.conversationId, ack.msgId); // a message's first version is its msg id
    const row = this.row(ack.conversationId, request.conversationType);
    if (ack.seq > row.lastSeq) row.lastSeq = ack.seq;
    if (!row.lastMessage || ack.seq >= row.lastMessage.seq) row.lastMessage = m;
    if (ack.seq > row.readSeq) row.readSeq = ack.seq; // sending reads the conversation up to it (§9.9)
    if (row.readSeq >= row.lastSeq) row.unreadCount = 0;
    row.hidden = false;
    this.conversationsChanged();
    this.request(this.sequencer.sent(ack.conversationId, ack.seq, this.output));
    return this.view(m);
  }

  private request(ranges: PullRange[]): void {
    for (const r of ranges) this.pull(r);
  }

  private pull(range: PullRange): void {
    const connection = this.current();
    if (!connection) {
      this.sequencer.pullFailed(range); // the next login resumes it
      return;
    }
    connection.request(Command.PULL, PullRequestSchema, create(PullRequestSchema, {
      conversationId: range.conversationId, fromSeq: range.fromSeq, toSeq: range.toSeq,
      limit: this.options.pullPageSize,
    }), Command.PULL_ACK, PullAckSchema)
      .then((ack) => {
        this.pullFailures.delete(range.conversationId);
        this.request(this.sequencer.pulled(range, ack, this.output));
      }, (e: unknown) => this.pullFailed(range, asMagpie(e)));
  }

  private pullFailed(range: PullRange, error: MagpieError): void {
    if (this.stopped) return;
    if (!error.retryable) {
      this.pullFailures.delete(range.conversationId);
      const empty = create(PullAckSchema, { conversationId: range.conversationId });
      this.events.error(new MagpieError(error.code, error.codeNumber, `PULL of ${range.conversationId} [`
        + `${range.fromSeq}, ${range.toSeq}] refused: ${error.message}; those messages are skipped`, false));
      this.request(this.sequencer.pulled(range, empty, this.output));
      return;
    }
    this.sequencer.pullFailed(range);
    const attempt = (this.pullFailures.get(range.conversationId) ?? 0) + 1;
    this.pullFailures.set(range.conversationId, attempt);
    if (!this.current()) return; // the next login resumes it
    const delay = Math.max(this.options.retryBackoff.delayMs(Math.min(attempt, 30)), error.retryAfterMs);
    setTimeout(() => {
      if (!this.stopped) this.request(this.sequencer.resume(range.conversationId, this.output));
    }, delay);
  }

  private delivered(m: PbMessage): void {
    this.noteVersion(m.conversationId, m.version > 0n ? m.version : m.msgId);
    const known = this.positions.get(m.conversationId);
    const update = known !== undefined && m.seq > 0n && m.seq <= known;
    this.keep([m]);
    const row = this.row(m.conversationId, m.conversationType);
    if (update) {
      if (row.lastMessage && row.lastMessage.seq === m.seq) row.lastMessage = m;
      this.conversationsChanged();
      this.events.messageUpdated(this.view(m));
      return;
    }
    if (m.seq > row.lastSeq) row.lastSeq = m.seq;
    if (!row.lastMessage || m.seq >= row.lastMessage.seq) row.lastMessage = m;
    if (m.senderUid === this.uid) {
      if (m.seq > row.readSeq) row.readSeq = m.seq; // my message from another device reads up to it
      if (row.readSeq >= row.lastSeq) row.unreadCount = 0;
    } else if (m.seq > row.readSeq && m.seq > row.clearedSeq && counts(m) && m.seq > row.countedUpTo) {
      row.unreadCount++;
    }
    if (m.senderUid !== this.uid && m.status === MessageStatus.NORMAL && mentions(m, this.uid)
      && m.seq > row.readSeq && m.seq > row.clearedSeq && m.seq > row.mentionSeq) {
      row.mentionSeq = m.seq; // "@me" until read past it (§9.20)
    }
    if (m.seq > row.countedUpTo) row.countedUpTo = m.seq;
    row.hidden = false;
    this.conversationsChanged();
    this.events.message(this.view(m));
  }

  private advanced(conversationId: string, last: bigint): void {
    this.positions.set(conversationId, last);
    this.persistSoon();
    const target = this.syncTargets.get(conversationId);
    if (target !== undefined && last >= target) {
      this.syncTargets.delete(conversationId);
      this.saveVersionIfCaughtUp();
    }
  }

  // ---- notices and acks -----------------------------------------------------------------------------------------

  notice(n: Notice): void {
    const row = n.conversationId ? this.rows.get(n.conversationId) : undefined;
    switch (n.type) {
      case NoticeType.NOTICE_READ:
        if (row) {
          if (n.seq > row.readSeq) row.readSeq = n.seq;
          row.unreadCount = Number(n.unreadCount);
          this.conversationsChanged();
        }
        return;
      case NoticeType.NOTICE_PEER_READ:
        if (row && n.seq > row.peerReadSeq) {
          row.peerReadSeq = n.seq;
          this.conversationsChanged();
        }
        return;
      case NoticeType.NOTICE_REACTED:
      case NoticeType.NOTICE_EDITED:
        // the whole message after the change (§9.21, §9.22): replace what this device holds, by version
        this.noteVersion(n.conversationId, n.version);
        if (n.message && n.message.seq > 0n) {
          const m = n.message.conversationId ? n.message : create(MessageSchema, { ...n.message,
            conversationId: n.conversationId });
          void this.applyChanged(n.conversationId, [m]);
        }
        return;
      case NoticeType.NOTICE_RECALLED:
        this.noteVersion(n.conversationId, n.version);
        void this.replaceStatus(n.conversationId, [n.seq], MessageStatus.RECALLED, n.version);
        if (row && n.senderUid !== this.uid && n.seq > row.readSeq && n.seq > row.clearedSeq && row.unreadCount > 0) {
          row.unreadCount--;
        }
        return;
      case NoticeType.NOTICE_DELETED:
        void this.replaceStatus(n.conversationId, n.seqs, MessageStatus.DELETED, n.version);
        return;
      case NoticeType.NOTICE_CLEARED:
        if (row) {
          if (n.seq > row.clearedSeq) row.clearedSeq = n.seq;
          if (row.clearedSeq >= row.lastSeq) row.unreadCount = 0;
          this.conversationsChanged();
        }
        return;
      default:
    }
  }

  /** READ_ACK of this device's READ. */
  readAcked(conversationId: string, ack: { seq: bigint; unreadCount: bigint; lastSeq: bigint }): void {
    const row = this.rows.get(conversationId);
    if (!row) return;
    if (ack.seq > row.readSeq) row.readSeq = ack.seq;
    const newer = row.lastSeq > ack.lastSeq ? Number(row.lastSeq - ack.lastSeq) : 0;
    row.unreadCount = Number(ack.unreadCount) + newer;
    this.conversationsChanged();
  }

  /** RECALL_ACK of this device's RECALL (this device gets no NOTICE). */
  recallAcked(conversationId: string, seq: bigint, version: bigint): Promise<void> {
    this.noteVersion(conversationId, version);
    return this.replaceStatus(conversationId, [seq], MessageStatus.RECALLED, version);
  }

  /** DELETE_ACK of this device's DELETE. A deletion's version is a row version: not a catch-up cursor. */
  deleteAcked(conversationId: string, seqs: bigint[], version: bigint): Promise<void> {
    return this.replaceStatus(conversationId, seqs, MessageStatus.DELETED, version);
  }

  /** CLEAR_ACK of this device's CLEAR: `seq` is the cleared-up-to seq. */
  clearAcked(conversationId: string, seq: bigint): void {
    const row = this.rows.get(conversationId);
    if (!row) return;
    if (seq > row.clearedSeq) row.clearedSeq = seq;
    if (row.clearedSeq >= row.lastSeq) row.unreadCount = 0;
    this.conversationsChanged();
  }

  /** Marks stored messages recalled or deleted (NOTICE) and reports them as updated. */
  private async replaceStatus(conversationId: string, seqs: bigint[], status: MessageStatus, version: bigint):
    Promise<void> {
    const row = this.rows.get(conversationId);
    for (const seq of seqs) {
      const base = await this.stored(conversationId, seq);
      if (!base) continue;
      // a recall drops the content and the reactions (§9.21)
      const placeholder = create(MessageSchema, {
        ...base, status, version: version > 0n ? version : base.version, reactions: [],
        content: create(MessageContentSchema, { type: base.content?.type ?? MessageType.TEXT }),
      });
      this.keep([placeholder]);
      if (row?.lastMessage && row.lastMessage.seq === seq) row.lastMessage = placeholder;
      this.events.messageUpdated(this.view(placeholder));
      if (status === MessageStatus.RECALLED) await this.quoteRecalled(conversationId, seq);
    }
    this.conversationsChanged();
  }

  /**
   * The server rewrites the replies to a recalled message (§9.19: `reply_to.recalled`, no preview, a new version
   * each) but announces only the recall: the replies this device holds among the newest {@link REPLY_SCAN} of the
   * conversation are rewritten here the same way (their new version arrives with the next catch-up PULL).
   */
  private async quoteRecalled(conversationId: string, quotedSeq: bigint): Promise<void> {
    let recent: PbMessage[];
    try {
      recent = (await this.store.getMessages(String(this.uid), conversationId, undefined, REPLY_SCAN))
        .filter((s) => s.seq > quotedSeq).map((s) => messageFromJson(s.json));
    } catch (e) {
      this.events.error(new MagpieError('STORE', 0, `reading the replies to ${conversationId}#${quotedSeq} failed: `
        + `${(e as Error).message}`, false));
      return;
    }
    const row = this.rows.get(conversationId);
    for (const m of recent) {
      const ref = m.content?.replyTo;
      if (!ref || ref.seq !== quotedSeq || ref.recalled || m.status !== MessageStatus.NORMAL) continue;
      const reply = create(MessageSchema, { ...m, content: create(MessageContentSchema, { ...m.content!,
        replyTo: create(ReplyRefSchema, { ...ref, preview: '', recalled: true }) }) });
      this.keep([reply]);
      if (row?.lastMessage && row.lastMessage.seq === reply.seq) row.lastMessage = reply;
      this.events.messageUpdated(this.view(reply));
    }
  }

  /**
   * REACT_ACK of this device's REACT: the held copy takes the reactions and version (the other devices get a
   * NOTICE_REACTED; this one none). `emoji` null: the reaction was taken back.
   */
  async reactAcked(ack: ReactAck, emoji: string | null): Promise<Message | undefined> {
    this.noteVersion(ack.conversationId, ack.version);
    this.myReactions.set(`${ack.conversationId}#${ack.seq}`, emoji);
    const held = await this.stored(ack.conversationId, ack.seq);
    if (!held) return undefined;
    if (held.version > ack.version && ack.version > 0n) return this.view(held); // a newer copy arrived first
    const m = create(MessageSchema, { ...held, reactions: ack.reactions,
      version: ack.version > 0n ? ack.version : held.version });
    this.replaceHeld(m);
    return this.view(m);
  }

  /** EDIT_ACK of this device's EDIT: the held copy takes the stored content, `edited_at` and version. */
  async editAcked(ack: EditAck): Promise<Message | undefined> {
    this.noteVersion(ack.conversationId, ack.version);
    const held = await this.stored(ack.conversationId, ack.seq);
    if (!held) return undefined;
    if (held.version > ack.version && ack.version > 0n) return this.view(held);
    const m = create(MessageSchema, { ...held, content: ack.content ?? held.content, editedAt: ack.editedAt,
      version: ack.version > 0n ? ack.version : held.version });
    this.replaceHeld(m);
    return this.view(m);
  }

  private replaceHeld(m: PbMessage): void {
    this.keep([m]);
    const row = this.rows.get(m.conversationId);
    if (row?.lastMessage && row.lastMessage.seq === m.seq) row.lastMessage = m;
    this.events.messageUpdated(this.view(m));
    this.conversationsChanged();
  }

  // ---- conversation list ----------------------------------------------------------------------------------------

  private applyRow(c: ConversationInfo): void {
    const row = this.row(c.conversationId, c.conversationType);
    const older = c.lastSeq < row.lastSeq; // the server re-sends recent rows: a PUSH may be newer
    if (c.targetId > 0n) row.targetId = c.targetId;
    if (c.lastSeq > row.lastSeq) row.lastSeq = c.lastSeq;
    if (c.readSeq > row.readSeq) row.readSeq = c.readSeq;
    row.clearedSeq = c.clearedSeq;
    if (!older) {
      row.unreadCount = Number(c.unreadCount);
      row.countedUpTo = c.lastSeq;
    }
    if (c.peerReadSeq > row.peerReadSeq) row.peerReadSeq = c.peerReadSeq;
    const floor = row.readSeq > row.clearedSeq ? row.readSeq : row.clearedSeq;
    if (c.mentioned) {
      // the row says a message up to last_seq mentions this user unread, not which one: until read past last_seq
      const at = c.lastSeq > floor ? c.lastSeq : floor + 1n;
      if (at > row.mentionSeq) row.mentionSeq = at;
    } else if (row.mentionSeq <= c.lastSeq) {
      row.mentionSeq = 0n; // a mention pushed after this answer was built stays
    }
    row.muted = c.muted;
    row.hidden = c.deleted;
    row.pinnedAt = Number(c.pinnedAt);
    if (c.lastMessage && c.lastMessage.seq > 0n && (!row.lastMessage || c.lastMessage.seq >= row.lastMessage.seq)) {
      row.lastMessage = c.lastMessage;
    }
    if (c.version > row.version) row.version = c.version;
  }

  private row(conversationId: string, type: ConversationType): Row {
    let row = this.rows.get(conversationId);
    if (!row) {
      row = {
        conversationId, type: conversationTypeName(type, conversationId), targetId: targetOf(conversationId, this.uid),
        lastSeq: 0n, readSeq: 0n, clearedSeq: 0n, unreadCount: 0, peerReadSeq: 0n, muted: false, hidden: false,
        pinnedAt: 0, version: 0n, countedUpTo: 0n, mentionSeq: 0n,
      };
      this.rows.set(conversationId, row);
    }
    return row;
  }

  /** The list, pinned first (newest pin first), then by last message time, newest first. */
  conversations(): Conversation[] {
    return [...this.rows.values()].map((r) => this.toConversation(r)).sort((a, b) => {
      if (a.pinnedAt !== b.pinnedAt) return b.pinnedAt - a.pinnedAt;
      return (b.lastMessage?.serverTime ?? 0) - (a.lastMessage?.serverTime ?? 0);
    });
  }

  conversation(conversationId: string): Conversation | undefined {
    const row = this.rows.get(conversationId);
    return row ? this.toConversation(row) : undefined;
  }

  totalUnread(): number {
    let total = 0;
    for (const r of this.rows.values()) if (!r.muted) total += r.unreadCount;
    return total;
  }

  /** The newest seq this client knows of a conversation (delivered or listed). */
  lastSeq(conversationId: string): bigint {
    const delivered = this.positions.get(conversationId) ?? 0n;
    const listed = this.rows.get(conversationId)?.lastSeq ?? 0n;
    return delivered > listed ? delivered : listed;
  }

  clearedSeq(conversationId: string): bigint {
    return this.rows.get(conversationId)?.clearedSeq ?? 0n;
  }

  private conversationsChanged(): void {
    this.persistSoon();
    this.events.conversations();
  }

  private toConversation(r: Row): Conversation {
    const floor = r.readSeq > r.clearedSeq ? r.readSeq : r.clearedSeq;
    const c: Conversation = {
      conversationId: r.conversationId, conversationType: r.type, targetId: r.targetId.toString(), lastSeq: r.lastSeq,
      readSeq: r.readSeq, clearedSeq: r.clearedSeq, unreadCount: r.unreadCount, peerReadSeq: r.peerReadSeq,
      muted: r.muted, hidden: r.hidden, pinnedAt: r.pinnedAt, version: r.version.toString(),
      mentioned: r.mentionSeq > floor,
    };
    if (r.lastMessage) c.lastMessage = this.view(r.lastMessage);
    return c;
  }

  // ---- history --------------------------------------------------------------------------------------------------

  /** Stores messages for history (fire and forget; a store failure is reported). */
  keep(messages: PbMessage[]): void {
    const byConversation = new Map<string, PbMessage[]>();
    for (const m of messages) {
      if (m.seq <= 0n || !m.conversationId) continue;
      const list = byConversation.get(m.conversationId) ?? [];
      list.push(m);
      byConversation.set(m.conversationId, list);
    }
    for (const [id, list] of byConversation) {
      this.store.putMessages(String(this.uid), id, list.map((m) => ({ seq: m.seq, json: messageToJson(m) })))
        .catch((e: unknown) => this.events.error(new MagpieError('STORE', 0, `storing messages of ${id} failed: `
          + `${(e as Error).message}`, false)));
    }
  }

  /** History: local store first, PULL backward for what it lacks; ascending seq. */
  async history(conversationId: string, beforeSeq: bigint | undefined, limit: number):
    Promise<{ messages: Message[]; hasMore: boolean }> {
    const floor = this.clearedSeq(conversationId) + 1n;
    const top = beforeSeq !== undefined ? beforeSeq - 1n : this.lastSeq(conversationId);
    if (top < floor) return { messages: [], hasMore: false };
    const local = (await this.store.getMessages(String(this.uid), conversationId, top + 1n, limit))
      .map((s) => messageFromJson(s.json));
    const contiguous = local.length > 0 && local[local.length - 1]!.seq === top
      && local.every((m, i) => i === 0 || m.seq === local[i - 1]!.seq + 1n);
    if (contiguous && (local.length >= limit || local[0]!.seq <= floor)) {
      return { messages: local.map((m) => this.view(m)), hasMore: local[0]!.seq > floor };
    }
    const connection = this.current();
    if (!connection) {
      if (local.length > 0) return { messages: local.map((m) => this.view(m)), hasMore: true };
      throw MagpieError.connectionLost(`history of ${conversationId} not in the local store and not connected`);
    }
    const ack: PullAck = await connection.request(Command.PULL, PullRequestSchema, create(PullRequestSchema, {
      conversationId, fromSeq: 1n, toSeq: beforeSeq !== undefined ? beforeSeq - 1n : 0n, limit, backward: true,
    }), Command.PULL_ACK, PullAckSchema);
    this.keep(ack.messages);
    return { messages: ack.messages.map((m) => this.view(m)), hasMore: ack.hasMore };
  }

  // ---- persistence ----------------------------------------------------------------------------------------------

  private persistSoon(): void {
    if (this.persistTimer !== undefined) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      void this.persistNow();
    }, 0);
  }

  /** Writes positions, version and list now (and waits for earlier writes). */
  flush(): Promise<void> {
    if (this.persistTimer !== undefined) {
      clearTimeout(this.persistTimer);
      this.persistTimer = undefined;
    }
    return this.persistNow();
  }

  private persistNow(): Promise<void> {
    const positions: Record<string, string> = {};
    for (const [id, seq] of this.positions) positions[id] = seq.toString();
    const rows = [...this.rows.values()].map(rowToJson);
    const version = this.syncVersion.toString();
    const known: Record<string, string> = {};
    for (const [id, v] of this.knownVersions) known[id] = v.toString();
    this.persisting = this.persisting.then(() => Promise.all([
      this.store.put(this.key('known-versions'), JSON.stringify(known)),
      this.store.put(this.key('positions'), JSON.stringify(positions)),
      this.store.put(this.key('sync-version'), version),
      this.store.put(this.key('conversations'), JSON.stringify(rows)),
    ])).then(() => undefined, (e: unknown) => {
      this.events.error(new MagpieError('STORE', 0, `saving the client state failed: ${(e as Error).message}`, false));
    });
    return this.persisting;
  }

  /** For tests and diagnostics. */
  stats(): { delivered: number; duplicates: number; syncVersion: string; open: number } {
    return { delivered: this.sequencer.delivered, duplicates: this.sequencer.duplicates,
      syncVersion: this.syncVersion.toString(), open: this.sequencer.openConversations };
  }
}

/** One conversation's since_version catch-up: from `sinceVersion`, reporting seqs up to `heldThrough`. */
interface CatchUpStart {
  conversationId: string;
  sinceVersion: bigint;
  heldThrough: bigint;
  attempts: number;
}

/** Failed pages of a catch-up asked again on the same connection before leaving it to the next login. */
const MAX_CATCH_UP_ATTEMPTS = 5;
/** How many of a conversation's newest held messages are looked through for replies to a recalled message. */
const REPLY_SCAN = 200;

/** Messages that count as unread: not SYSTEM, not recalled or deleted. */
function counts(m: PbMessage): boolean {
  return m.content?.type !== MessageType.SYSTEM && m.status === MessageStatus.NORMAL;
}

function asMagpie(e: unknown): MagpieError {
  return e instanceof MagpieError ? e : new MagpieError('CLIENT', 0, String((e as Error)?.message ?? e), false);
}

/** Whether a message mentions `uid` (its uid among mentioned_uids, or @all). */
function mentions(m: PbMessage, uid: bigint): boolean {
  return m.content?.mentionAll === true || (m.content?.mentionedUids ?? []).includes(uid);
}

interface StoredRow {
  conversationId: string; type: 'SINGLE' | 'GROUP'; targetId: string; lastSeq: string; readSeq: string;
  clearedSeq: string; unreadCount: number; peerReadSeq: string; muted: boolean; hidden: boolean; pinnedAt: number;
  lastMessage?: string; version: string; mentionSeq?: string;
}

function rowToJson(r: Row): StoredRow {
  return {
    conversationId: r.conversationId, type: r.type, targetId: r.targetId.toString(), lastSeq: r.lastSeq.toString(),
    readSeq: r.readSeq.toString(), clearedSeq: r.clearedSeq.toString(), unreadCount: r.unreadCount,
    peerReadSeq: r.peerReadSeq.toString(), muted: r.muted, hidden: r.hidden, pinnedAt: r.pinnedAt,
    lastMessage: r.lastMessage ? messageToJson(r.lastMessage) : undefined, version: r.version.toString(),
    mentionSeq: r.mentionSeq > 0n ? r.mentionSeq.toString() : undefined,
  };
}

function rowFromJson(s: StoredRow): Row {
  return {
    conversationId: s.conversationId, type: s.type, targetId: BigInt(s.targetId), lastSeq: BigInt(s.lastSeq),
    readSeq: BigInt(s.readSeq), clearedSeq: BigInt(s.clearedSeq), unreadCount: s.unreadCount,
    peerReadSeq: BigInt(s.peerReadSeq), muted: s.muted, hidden: s.hidden, pinnedAt: s.pinnedAt,
    lastMessage: s.lastMessage ? messageFromJson(s.lastMessage) : undefined, version: BigInt(s.version),
    countedUpTo: BigInt(s.lastSeq), mentionSeq: BigInt(s.mentionSeq ?? '0'),
  };
}

