import { create } from '@bufbuild/protobuf';
import { MagpieError } from './errors.js';
import {
  GroupInvitePolicy, GroupJoinPolicy, GroupJoinSchema, GroupMuteAllSchema, GroupMuteSchema, GroupNoneSchema,
  GroupProfileSchema, GroupRole, GroupSetRoleSchema, GroupSettingsSchema, GroupUidSchema, GroupUidsSchema,
  type GroupAck, type GroupRequest,
} from './gen/client_pb.js';

/** GROUP_ACK (PROTOCOL §9.16): the SYSTEM message the change was stored as; seq 0 / msgId "0" when none (pending join, rejection). */
export interface GroupAckInfo {
  groupId: string;
  clientMsgId: string;
  seq: bigint;
  msgId: string;
  /** join: stored as a request awaiting an admin's approval. */
  pending: boolean;
}

/** GET /v1/groups/{id} (accounts.yaml GroupDetails); ids as decimal strings. */
export interface GroupInfo {
  groupId: string;
  name: string;
  ownerUid: string;
  memberCount: number;
  lastSeq: bigint;
  dismissed: boolean;
  avatarUrl: string;
  announcement: string;
  invitePolicy: 'MEMBERS' | 'ADMINS';
  joinPolicy: 'APPROVAL' | 'FREE' | 'CLOSED';
  /** 0 = the server's limit. */
  maxMembers: number;
  muteAll: boolean;
  members: GroupMember[];
}

/** A member (accounts.yaml GroupMember). */
export interface GroupMember {
  uid: string;
  role: 'OWNER' | 'ADMIN' | 'MEMBER';
  /** First seq of g_<groupId> this member sees. */
  joinedSeq?: bigint;
  /** Not reported by the account API (yet): learn mutes from MEMBER_MUTED events. */
  mutedUntil?: number;
}

/** A request to join awaiting approval (GET /v1/groups/{id}/join-requests). */
export interface GroupJoinRequest {
  uid: string;
  message: string;
  createdAt: number;
}

/** NOTICE_GROUP_JOIN_REQUEST (to admins and the owner) or NOTICE_GROUP_JOIN_REJECTED (to the requester). */
export interface GroupNoticeEvent {
  kind: 'JOIN_REQUEST' | 'JOIN_REJECTED';
  groupId: string;
  /** JOIN_REQUEST: the requester; JOIN_REJECTED: the admin who rejected. */
  uid: string;
  requesterUid: string;
  /** JOIN_REQUEST: the requester's words. */
  message: string;
}

/** The op of a GroupRequest (its oneof). */
export type GroupOp = GroupRequest['op'];
/** Sends one GROUP op with a fresh client_msg_id through the client's outbox. */
export type GroupSender = (groupId: string, op: GroupOp) => Promise<GroupAckInfo>;
type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

export const MAX_GROUP_UIDS = 500;
const MAX_MUTE_MS = 366 * 24 * 3600 * 1000;

/** The public view of a GROUP_ACK. */
export function toGroupAckInfo(ack: GroupAck): GroupAckInfo {
  return { groupId: ack.groupId.toString(), clientMsgId: ack.clientMsgId, seq: ack.seq, msgId: ack.msgId.toString(),
    pending: ack.pending };
}

/**
 * Group operations (PROTOCOL §9.16), like the Java SDK's `Groups`: every change is a GROUP command (resent with the
 * same client_msg_id after a reconnect until acknowledged); reads go over the account API.
 */
export class Groups {
  constructor(private readonly send: GroupSender, private readonly call: Call) {}

  /** POST /v1/groups: you own it; resolves with the group id. */
  async create(name: string, memberUids: string[]): Promise<string> {
    const created = await this.call('POST', '/v1/groups', { name, members: memberUids.map((u) => Number(checkUid(u))) }) as
      { groupId: number | string };
    return String(created.groupId);
  }

  async invite(groupId: string, uids: string[]): Promise<GroupAckInfo> {
    return this.op(groupId, 'invite', create(GroupUidsSchema, { uids: uidList(uids, 'invite') }));
  }

  async join(groupId: string, message = ''): Promise<GroupAckInfo> {
    return this.op(groupId, 'join', create(GroupJoinSchema, { message }));
  }

  async approveJoin(groupId: string, uid: string): Promise<GroupAckInfo> {
    return this.op(groupId, 'approveJoin', create(GroupUidSchema, { uid: BigInt(checkUid(uid)) }));
  }

  async rejectJoin(groupId: string, uid: string): Promise<GroupAckInfo> {
    return this.op(groupId, 'rejectJoin', create(GroupUidSchema, { uid: BigInt(checkUid(uid)) }));
  }

  async leave(groupId: string): Promise<GroupAckInfo> {
    return this.op(groupId, 'leave', create(GroupNoneSchema));
  }

  async kick(groupId: string, uids: string[]): Promise<GroupAckInfo> {
    return this.op(groupId, 'kick', create(GroupUidsSchema, { uids: uidList(uids, 'kick') }));
  }

  async setRole(groupId: string, uid: string, role: 'ADMIN' | 'MEMBER'): Promise<GroupAckInfo> {
    if (role !== 'ADMIN' && role !== 'MEMBER') {
      return Promise.reject(badRequest(`setRole takes 'ADMIN' or 'MEMBER', got '${role}' (use transferOwner)`));
    }
    return this.op(groupId, 'setRole', create(GroupSetRoleSchema, { uid: BigInt(checkUid(uid)),
      role: role === 'ADMIN' ? GroupRole.ADMIN : GroupRole.MEMBER }));
  }

  async transferOwner(groupId: string, uid: string): Promise<GroupAckInfo> {
    return this.op(groupId, 'transferOwner', create(GroupUidSchema, { uid: BigInt(checkUid(uid)) }));
  }

  async dismiss(groupId: string): Promise<GroupAckInfo> {
    return this.op(groupId, 'dismiss', create(GroupNoneSchema));
  }

  /** Profile update of the name only. */
  async rename(groupId: string, name: string): Promise<GroupAckInfo> {
    return this.updateProfile(groupId, { name });
  }

  /** Profile update: the fields given change ("" removes avatarUrl / announcement). */
  async updateProfile(groupId: string, profile: { name?: string; avatarUrl?: string; announcement?: string }):
    Promise<GroupAckInfo> {
    return this.op(groupId, 'update', create(GroupProfileSchema, profile));
  }

  /** Settings: the fields given change; maxMembers 0 keeps it. */
  async settings(groupId: string, s: { invitePolicy?: 'MEMBERS' | 'ADMINS'; joinPolicy?: 'APPROVAL' | 'FREE' | 'CLOSED';
    maxMembers?: number }): Promise<GroupAckInfo> {
    return this.op(groupId, 'settings', create(GroupSettingsSchema, {
      invitePolicy: s.invitePolicy ? GroupInvitePolicy[`INVITE_${s.invitePolicy}`] : GroupInvitePolicy.INVITE_POLICY_UNCHANGED,
      joinPolicy: s.joinPolicy ? GroupJoinPolicy[`JOIN_${s.joinPolicy}`] : GroupJoinPolicy.JOIN_POLICY_UNCHANGED,
      maxMembers: s.maxMembers ?? 0,
    }));
  }

  /** Mutes a member until `untilMs` (ms since the epoch; at most 366 days from now). */
  async muteMember(groupId: string, uid: string, untilMs: number): Promise<GroupAckInfo> {
    const durationMs = Math.ceil(untilMs - Date.now());
    if (!(durationMs >= 1 && durationMs <= MAX_MUTE_MS)) {
      return Promise.reject(badRequest(`muteMember: untilMs must be 1 ms to 366 days from now, got ${untilMs}`
        + ` (${durationMs} ms from now)`));
    }
    return this.op(groupId, 'muteMember', create(GroupMuteSchema, { uid: BigInt(checkUid(uid)),
      durationMs: BigInt(durationMs) }));
  }

  async unmuteMember(groupId: string, uid: string): Promise<GroupAckInfo> {
    return this.op(groupId, 'unmuteMember', create(GroupUidSchema, { uid: BigInt(checkUid(uid)) }));
  }

  /** true: only admins and the owner may SEND. */
  async muteAll(groupId: string, muted: boolean): Promise<GroupAckInfo> {
    return this.op(groupId, 'muteAll', create(GroupMuteAllSchema, { muted }));
  }

  /** GET /v1/groups/{id} (members only). */
  async info(groupId: string): Promise<GroupInfo> {
    const g = await this.call('GET', `/v1/groups/${checkUid(groupId)}`) as Record<string, unknown>;
    return {
      groupId: String(g.groupId), name: String(g.name), ownerUid: String(g.ownerUid), memberCount: Number(g.memberCount),
      lastSeq: BigInt(String(g.lastSeq ?? 0)), dismissed: Boolean(g.dismissed), avatarUrl: String(g.avatarUrl ?? ''),
      announcement: String(g.announcement ?? ''), invitePolicy: g.invitePolicy as GroupInfo['invitePolicy'],
      joinPolicy: g.joinPolicy as GroupInfo['joinPolicy'], maxMembers: Number(g.maxMembers ?? 0),
      muteAll: Boolean(g.muteAll), members: ((g.members ?? []) as RawMember[]).map(toMember),
    };
  }

  /** GET /v1/groups/{id}/members, every page, ascending by uid. */
  async members(groupId: string): Promise<GroupMember[]> {
    const out: GroupMember[] = [];
    let after = '0';
    for (;;) {
      const page = await this.call('GET', `/v1/groups/${checkUid(groupId)}/members?afterUid=${after}&limit=500`) as {
        members: RawMember[]; nextAfterUid: number | string };
      out.push(...page.members.map(toMember));
      after = String(page.nextAfterUid ?? 0);
      if (after === '0' || page.members.length === 0) return out;
    }
  }

  /** GET /v1/groups/{id}/join-requests, every page (admins and the owner). */
  async joinRequests(groupId: string): Promise<GroupJoinRequest[]> {
    const out: GroupJoinRequest[] = [];
    let after = '0';
    for (;;) {
      const page = await this.call('GET', `/v1/groups/${checkUid(groupId)}/join-requests?afterUid=${after}&limit=500`) as {
        requests: { uid: number | string; message: string; createdAt: number }[]; nextAfterUid: number | string };
      out.push(...page.requests.map((r) => ({ uid: String(r.uid), message: r.message, createdAt: Number(r.createdAt) })));
      after = String(page.nextAfterUid ?? 0);
      if (after === '0' || page.requests.length === 0) return out;
    }
  }

  private op<C extends NonNullable<GroupOp['case']>>(groupId: string, kase: C,
    value: Extract<GroupOp, { case: C }>['value']): Promise<GroupAckInfo> {
    checkUid(groupId);
    return this.send(groupId, { case: kase, value } as GroupOp);
  }
}

interface RawMember {
  uid: number | string;
  role: GroupMember['role'];
  joinSeq?: number | string;
}

function toMember(m: RawMember): GroupMember {
  const out: GroupMember = { uid: String(m.uid), role: m.role };
  if (m.joinSeq !== undefined) out.joinedSeq = BigInt(String(m.joinSeq));
  return out;
}

function checkUid(id: string): string {
  if (!/^[1-9]\d{0,18}$/.test(String(id))) throw badRequest(`not an id (a positive decimal string): '${id}'`);
  return String(id);
}

function uidList(uids: string[], what: string): bigint[] {
  if (uids.length === 0 || uids.length > MAX_GROUP_UIDS) {
    throw badRequest(`${what} takes 1-${MAX_GROUP_UIDS} uids, got ${uids.length}: split larger changes`);
  }
  return uids.map((u) => BigInt(checkUid(u)));
}

function badRequest(message: string): MagpieError {
  return new MagpieError('BAD_REQUEST', 0, message, false);
}
