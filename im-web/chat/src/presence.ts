import type { MagpieClient } from '@magpie/sdk';
import { round2, type Presence } from './client-api';
import { shortTime } from './format';

/**
 * Who is online, for the people the page shows: the open conversation's peer and the friends. Each part of the
 * page names its uids under a key; the SDK's watch list (which replaces the previous one) is their union, and
 * newly named uids are queried once so they show at once instead of at their next change.
 */
export class PresenceBook {
  private readonly known = new Map<string, Presence>();
  private readonly wanted = new Map<string, string[]>();
  private readonly listeners = new Set<(p: Presence) => void>();
  private watched = '';
  private readonly off: () => void;

  constructor(private readonly client: MagpieClient) {
    this.off = round2(client).on('presence', (p) => this.take(p));
  }

  dispose(): void {
    this.off();
  }

  onChange(fn: (p: Presence) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get(uid: string): Presence | undefined {
    return this.known.get(uid);
  }

  /** Sets the uids watched for key (an empty list stops watching them). */
  watch(key: string, uids: string[]): void {
    this.wanted.set(key, uids);
    this.refresh(uids.filter((u) => !this.known.has(u)));
  }

  /** Sends the watch list again (after a reconnect the SDK re-sends it; this catches what changed meanwhile). */
  requery(): void {
    this.watched = '';
    this.refresh([...new Set([...this.wanted.values()].flat())]);
  }

  private refresh(fresh: string[]): void {
    const all = [...new Set([...this.wanted.values()].flat())].sort();
    const api = round2(this.client);
    if (all.join(',') !== this.watched && this.client.state === 'CONNECTED') {
      this.watched = all.join(',');
      api.watchPresence(all).catch((e: unknown) => console.warn('magpie chat: presence watch failed', e));
    }
    if (fresh.length > 0 && this.client.state === 'CONNECTED') {
      api.queryPresence(fresh).then((list) => list.forEach((p) => this.take(p)),
        (e: unknown) => console.warn('magpie chat: presence query failed', e));
    }
  }

  private take(p: Presence): void {
    this.known.set(p.uid, p);
    this.listeners.forEach((fn) => fn(p));
  }
}

/** "online", "last seen 14:03" or "offline" (plus the status text, when there is one). */
export function describePresence(p: Presence | undefined): string {
  if (!p) {
    return '';
  }
  const base = p.online ? 'online' : p.lastSeen > 0 ? `last seen ${shortTime(p.lastSeen)}` : 'offline';
  return p.statusText ? `${base} · ${p.statusText}` : base;
}
