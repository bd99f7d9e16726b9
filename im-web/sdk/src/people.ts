import { MagpieError } from './errors.js';
import { FriendRequestState, type FriendRequest as PbFriendRequest, Platform, type PresenceState } from './gen/client_pb.js';

/** One user's presence as you may see it (PROTOCOL §9.14); uid as a decimal string. */
export interface Presence {
  uid: string;
  online: boolean;
  /** Platforms with a connected device: 'WEB', 'DESKTOP', 'ANDROID', 'IOS'... */
  platforms: string[];
  deviceCount: number;
  /** Offline only: when the last device left, ms since the epoch; 0 = unknown (or hidden). */
  lastSeen: number;
  statusText: string;
}

/** Your own presence settings (GET/PUT /v1/me/presence). */
export interface PresenceSetting {
  statusText: string;
  hidden: boolean;
  lastSeen: number;
}

/** A friend (a row of GET /v1/friends that is not removed). */
export interface Friend {
  uid: string;
  /** When the friendship began, ms since the epoch. */
  since: number;
  /** The row's version (decimal string). */
  version: string;
}

/** A friend request (accounts.yaml FriendRequest); ids as decimal strings. */
export interface FriendRequest {
  requestId: string;
  fromUid: string;
  toUid: string;
  message: string;
  state: 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'CANCELLED';
  createdAt: number;
  updatedAt: number;
}

/** A user you blocked. */
export interface Block {
  uid: string;
  blockedAt: number;
}

type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * Friends and blocks over the account HTTP API (PROTOCOL §9.13), like the Java SDK's `Friends`. The friend list is
 * synced by version: `list()` asks from the version it holds and applies the rows (removed ones drop out).
 */
export class Friends {
  private readonly rows = new Map<string, Friend>();
  private version = '0';
  private syncing: Promise<Friend[]> | undefined;

  constructor(private readonly call: Call) {}

  /** The friend list (GET /v1/friends?sinceVersion=, every page), sorted by uid. */
  list(): Promise<Friend[]> {
    // one sync at a time; a call during a sync waits for it and then syncs again (the change may be newer)
    const previous = this.syncing ?? Promise.resolve([]);
    const next = previous.catch(() => []).then(() => this.sync());
    this.syncing = next;
    void next.finally(() => { if (this.syncing === next) this.syncing = undefined; }).catch(() => undefined);
    return next;
  }

  /** The version of the list held (decimal string; "0" before the first list()). */
  get listVersion(): string {
    return this.version;
  }

  private async sync(): Promise<Friend[]> {
    for (;;) {
      const page = await this.call('GET', `/v1/friends?sinceVersion=${this.version}&limit=200`) as {
        friends: { uid: number | string; removed: boolean; version: string; since: number }[];
        version: string; hasMore: boolean;
      };
      for (const f of page.friends) {
        const uid = String(f.uid);
        if (f.removed) this.rows.delete(uid);
        else this.rows.set(uid, { uid, since: Number(f.since), version: String(f.version) });
      }
      const moved = BigInt(page.version) > BigInt(this.version);
      if (moved) this.version = String(page.version);
      if (!page.hasMore || !moved) break;
    }
    return [...this.rows.values()].sort((a, b) => (BigInt(a.uid) < BigInt(b.uid) ? -1 : 1));
  }

  /** Pending requests, newest first. */
  async requests(): Promise<{ incoming: FriendRequest[]; outgoing: FriendRequest[] }> {
    const r = await this.call('GET', '/v1/friends/requests') as { incoming: unknown[]; outgoing: unknown[] };
    return { incoming: r.incoming.map(requestFromJson), outgoing: r.outgoing.map(requestFromJson) };
  }

  /** Sends (or updates) a request; ACCEPTED when they had asked you already. */
  async request(uid: string, message?: string): Promise<FriendRequest> {
    const body: Record<string, unknown> = { toUid: Number(uid) };
    if (message !== undefined) body.message = message;
    return requestFromJson(await this.call('POST', '/v1/friends/requests', body));
  }

  async accept(requestId: string): Promise<FriendRequest> {
    return this.answered(await this.call('POST', `/v1/friends/requests/${enc(requestId)}/accept`));
  }

  async reject(requestId: string): Promise<FriendRequest> {
    return this.answered(await this.call('POST', `/v1/friends/requests/${enc(requestId)}/reject`));
  }

  /** Withdraws your own pending request. */
  async withdraw(requestId: string): Promise<FriendRequest> {
    return this.answered(await this.call('DELETE', `/v1/friends/requests/${enc(requestId)}`));
  }

  async remove(uid: string): Promise<void> {
    await this.call('DELETE', `/v1/friends/${enc(uid)}`);
  }

  async block(uid: string): Promise<void> {
    await this.call('PUT', `/v1/blocks/${enc(uid)}`);
  }

  async unblock(uid: string): Promise<void> {
    await this.call('DELETE', `/v1/blocks/${enc(uid)}`);
  }

  /** The uids you blocked, most recent first. */
  async blocked(): Promise<string[]> {
    return (await this.blocks()).map((b) => b.uid);
  }

  /** The users you blocked with when, most recent first. */
  async blocks(): Promise<Block[]> {
    const r = await this.call('GET', '/v1/blocks') as { blocks: { uid: number | string; blockedAt: number }[] };
    return r.blocks.map((b) => ({ uid: String(b.uid), blockedAt: Number(b.blockedAt) }));
  }

  /** Who may send you one-to-one messages. */
  async dmPolicy(): Promise<'ANYONE' | 'FRIENDS'> {
    return (await this.call('GET', '/v1/me/settings/dm-policy') as { policy: 'ANYONE' | 'FRIENDS' }).policy;
  }

  async setDmPolicy(policy: 'ANYONE' | 'FRIENDS'): Promise<void> {
    await this.call('PUT', '/v1/me/settings/dm-policy', { policy });
  }

  private answered(r: unknown): FriendRequest {
    return requestFromJson((r as { request: unknown }).request);
  }
}

function enc(id: string): string {
  if (!/^\d{1,19}$/.test(id)) {
    throw new MagpieError('BAD_REQUEST', 0, `not an id: '${id}' (expected a decimal string of 1-19 digits)`, false);
  }
  return id;
}

function requestFromJson(j: unknown): FriendRequest {
  const r = j as Record<string, unknown>;
  return {
    requestId: String(r.requestId), fromUid: String(r.fromUid), toUid: String(r.toUid), message: String(r.message ?? ''),
    state: String(r.state) as FriendRequest['state'], createdAt: Number(r.createdAt), updatedAt: Number(r.updatedAt ?? 0),
  };
}

const REQUEST_STATES: Record<number, FriendRequest['state']> = {
  [FriendRequestState.FRIEND_REQUEST_PENDING]: 'PENDING', [FriendRequestState.FRIEND_REQUEST_ACCEPTED]: 'ACCEPTED',
  [FriendRequestState.FRIEND_REQUEST_REJECTED]: 'REJECTED', [FriendRequestState.FRIEND_REQUEST_CANCELLED]: 'CANCELLED',
};

/** A NOTICE's friend request in the public shape. */
export function requestFromNotice(r: PbFriendRequest): FriendRequest {
  return {
    requestId: r.requestId.toString(), fromUid: r.fromUid.toString(), toUid: r.toUid.toString(), message: r.message,
    state: REQUEST_STATES[r.state] ?? 'PENDING', createdAt: Number(r.createdAt), updatedAt: Number(r.updatedAt),
  };
}

/** The public view of a PresenceState. */
export function toPresence(p: PresenceState): Presence {
  return {
    uid: p.uid.toString(), online: p.online, platforms: p.platforms.map((x) => Platform[x] ?? `UNKNOWN_${x}`),
    deviceCount: p.deviceCount, lastSeen: Number(p.lastSeen), statusText: p.statusText,
  };
}
