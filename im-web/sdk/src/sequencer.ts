import { MessageStatus, type ConversationInfo, type Message, type PullAck } from './gen/client_pb.js';

/** Where the sequencer's decisions go. */
export interface SequencerOutput {
  /** Hand a message to the application. */
  deliver(message: Message): void;
  /** The last delivered seq of a conversation rose (the caller persists it). */
  advanced(conversationId: string, lastDelivered: bigint): void;
}

/** A PULL to request: `[fromSeq, toSeq]` of a conversation. */
export interface PullRange {
  conversationId: string;
  fromSeq: bigint;
  toSeq: bigint;
}

/** The last delivered seq per conversation, as persisted. */
export interface Positions {
  get(conversationId: string): bigint | undefined;
}

const UNKNOWN = -1n;
/** Stands for this device's own message in the buffer: takes the seq, is not delivered. */
const OWN = Symbol('own');
type Slot = Message | typeof OWN;

interface Track {
  conversationId: string;
  /** Last delivered seq, or UNKNOWN. */
  last: bigint;
  /** Arrived ahead of a gap (or while the start is unknown), by seq. */
  waiting: Map<bigint, Slot>;
  /** Highest seq known to exist (from SYNC). */
  wanted: bigint;
  inFlight: PullRange | undefined;
}

/**
 * In-order, gap-free delivery per conversation, without I/O: a port of the Java SDK's ConversationSequencer.
 * Per conversation it keeps the last delivered seq L:
 * - seq == L + 1: delivered, then every buffered seq that now follows;
 * - seq <= L: a duplicate, not delivered (a RECALLED/DELETED update of a delivered seq is news and is delivered);
 * - seq > L + 1: buffered, and [L + 1, first buffered seq - 1] is pulled (one PULL per conversation in flight);
 *   a range the server answered completely has no hole left (seqs it did not return are skipped);
 * - this device's own message (SEND_ACK) takes its seq without being delivered.
 * A conversation never seen starts where SYNC says (its cleared seq); after a complete SYNC an unknown one is
 * new (starts at 0); while the first SYNC runs, messages of unknown conversations wait (PROTOCOL §9.5).
 */
export class ConversationSequencer {
  private readonly tracks = new Map<string, Track>();
  private syncing = false;
  private everSynced: boolean;
  delivered = 0;
  duplicates = 0;

  constructor(private readonly positions: Positions, everSynced: boolean) {
    this.everSynced = everSynced;
  }

  /** Messages of a PUSH; returns the pulls to request. */
  pushed(messages: Message[], out: SequencerOutput): PullRange[] {
    const touched: Track[] = [];
    for (const m of messages) {
      if (m.seq <= 0n || m.conversationId === '') {
        this.deliver(m, out);
        continue;
      }
      const t = this.track(m.conversationId);
      if (t.last !== UNKNOWN && m.seq <= t.last) {
        if (m.status !== MessageStatus.NORMAL) this.deliver(m, out);
        else this.duplicates++;
        continue;
      }
      const buffered = t.waiting.get(m.seq);
      if (buffered !== undefined && (buffered === OWN || m.status === MessageStatus.NORMAL)) {
        this.duplicates++;
        continue;
      }
      t.waiting.set(m.seq, m);
      if (!touched.includes(t)) touched.push(t);
    }
    const pulls: PullRange[] = [];
    for (const t of touched) this.advance(t, out, pulls);
    return pulls;
  }

  /** This device's own message got `seq` (SEND_ACK). */
  sent(conversationId: string, seq: bigint, out: SequencerOutput): PullRange[] {
    const pulls: PullRange[] = [];
    if (seq <= 0n || conversationId === '') return pulls;
    const t = this.track(conversationId);
    if (t.last !== UNKNOWN && seq <= t.last) return pulls;
    t.waiting.set(seq, OWN);
    this.advance(t, out, pulls);
    return pulls;
  }

  /** The answer to `range`; returns the next page or gap to pull. */
  pulled(range: PullRange, ack: PullAck, out: SequencerOutput): PullRange[] {
    const pulls: PullRange[] = [];
    const t = this.track(range.conversationId);
    const current = t.inFlight !== undefined && sameRange(range, t.inFlight);
    if (current) t.inFlight = undefined;
    if (t.last === UNKNOWN) return pulls;
    let highest = UNKNOWN;
    for (const m of ack.messages) {
      const seq = m.seq;
      if (m.conversationId !== range.conversationId || seq < range.fromSeq || seq > range.toSeq) continue;
      if (seq > highest) highest = seq;
      if (seq <= t.last || t.waiting.get(seq) === OWN) {
        if (seq <= t.last) this.duplicates++;
        continue;
      }
      t.waiting.set(seq, m);
    }
    const more = ack.hasMore && highest !== UNKNOWN && highest < range.toSeq;
    const covered = more ? highest : range.toSeq;
    if (current) {
      this.skipThrough(t, covered, out);
      if (more) {
        t.inFlight = { conversationId: range.conversationId, fromSeq: highest + 1n, toSeq: range.toSeq };
        pulls.push(t.inFlight);
        return pulls;
      }
    }
    this.advance(t, out, pulls);
    return pulls;
  }

  /** The PULL of `range` failed; {@link resume} asks for it again. */
  pullFailed(range: PullRange): void {
    const t = this.tracks.get(range.conversationId);
    if (t?.inFlight && sameRange(range, t.inFlight)) t.inFlight = undefined;
  }

  /** Re-evaluates one conversation (after a failed pull, or a new connection): the pulls it still needs. */
  resume(conversationId: string, out: SequencerOutput): PullRange[] {
    const pulls: PullRange[] = [];
    const t = this.tracks.get(conversationId);
    if (t) this.advance(t, out, pulls);
    return pulls;
  }

  /** A new connection: PULLs in flight on the old one are gone. */
  connectionLost(): void {
    for (const t of this.tracks.values()) t.inFlight = undefined;
  }

  syncStarted(): void {
    this.syncing = true;
  }

  /** One SYNC_ACK page: where each listed conversation stands; returns the pulls to catch up. */
  synced(conversations: ConversationInfo[], out: SequencerOutput): PullRange[] {
    const pulls: PullRange[] = [];
    for (const c of conversations) {
      if (c.conversationId === '') continue;
      const t = this.track(c.conversationId);
      const start = c.clearedSeq > 0n ? c.clearedSeq : 0n;
      if (t.last === UNKNOWN || t.last < start) this.setLast(t, start, out);
      if (c.lastSeq > t.wanted) t.wanted = c.lastSeq;
      this.advance(t, out, pulls);
    }
    return pulls;
  }

  /** The SYNC ended (`complete`: every page arrived); releases what waited for it. */
  syncFinished(complete: boolean, out: SequencerOutput): PullRange[] {
    this.syncing = false;
    this.everSynced ||= complete;
    const pulls: PullRange[] = [];
    for (const t of [...this.tracks.values()]) this.advance(t, out, pulls);
    return pulls;
  }

  /** The last delivered seq of a conversation, or -1 if unknown. */
  lastDelivered(conversationId: string): bigint {
    const t = this.tracks.get(conversationId);
    if (t) return t.last;
    return this.positions.get(conversationId) ?? UNKNOWN;
  }

  /** Conversations with buffered messages or a pull in flight. */
  get openConversations(): number {
    return this.tracks.size;
  }

  private track(conversationId: string): Track {
    let t = this.tracks.get(conversationId);
    if (!t) {
      t = { conversationId, last: this.positions.get(conversationId) ?? UNKNOWN, waiting: new Map(), wanted: 0n,
        inFlight: undefined };
      this.tracks.set(conversationId, t);
    }
    return t;
  }

  private resolve(t: Track, out: SequencerOutput): boolean {
    if (t.last !== UNKNOWN) return true;
    if (this.everSynced) {
      this.setLast(t, 0n, out); // not in any sync: it began after it, all of it is new
      return true;
    }
    if (this.syncing || t.waiting.size === 0) return false;
    this.setLast(t, minKey(t.waiting) - 1n, out); // no sync information at all: start at the first seq that arrived
    return true;
  }

  private advance(t: Track, out: SequencerOutput, pulls: PullRange[]): void {
    if (!this.resolve(t, out)) return;
    const before = t.last;
    for (const seq of [...t.waiting.keys()]) if (seq <= t.last) t.waiting.delete(seq);
    let next: Slot | undefined;
    while ((next = t.waiting.get(t.last + 1n)) !== undefined) {
      t.waiting.delete(t.last + 1n);
      t.last++;
      if (next !== OWN) this.deliver(next, out);
    }
    if (t.last !== before) out.advanced(t.conversationId, t.last);
    if (t.inFlight === undefined) {
      const upper = t.waiting.size === 0 ? t.wanted : minKey(t.waiting) - 1n;
      if (upper > t.last) {
        t.inFlight = { conversationId: t.conversationId, fromSeq: t.last + 1n, toSeq: upper };
        pulls.push(t.inFlight);
      }
    }
    if (t.inFlight === undefined && t.waiting.size === 0) this.tracks.delete(t.conversationId);
  }

  private skipThrough(t: Track, covered: bigint, out: SequencerOutput): void {
    const before = t.last;
    while (t.last < covered) {
      const m = t.waiting.get(t.last + 1n);
      t.waiting.delete(t.last + 1n);
      t.last++;
      if (m !== undefined && m !== OWN) this.deliver(m, out);
    }
    if (t.last !== before) out.advanced(t.conversationId, t.last);
  }

  private setLast(t: Track, last: bigint, out: SequencerOutput): void {
    t.last = last;
    for (const seq of [...t.waiting.keys()]) if (seq <= last) t.waiting.delete(seq);
    out.advanced(t.conversationId, t.last);
  }

  private deliver(m: Message, out: SequencerOutput): void {
    this.delivered++;
    out.deliver(m);
  }
}

function minKey(map: Map<bigint, unknown>): bigint {
  let min: bigint | undefined;
  for (const k of map.keys()) if (min === undefined || k < min) min = k;
  return min!;
}

function sameRange(a: PullRange, b: PullRange): boolean {
  return a.conversationId === b.conversationId && a.fromSeq === b.fromSeq && a.toSeq === b.toSeq;
}
