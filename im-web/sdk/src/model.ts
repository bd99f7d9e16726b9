import { fromJsonString, toJsonString } from '@bufbuild/protobuf';
import {
  ConversationType, GroupEventType, GroupInvitePolicy, GroupJoinPolicy, GroupRole, MessageSchema, MessageStatus, MessageType,
  type Message as PbMessage,
} from './gen/client_pb.js';

/** A delivered message (the public shape; ids as decimal strings, seq as bigint). */
export interface Message {
  conversationId: string;
  conversationType: 'SINGLE' | 'GROUP';
  seq: bigint;
  msgId: string;
  senderUid: string;
  serverTime: number;
  clientMsgId?: string;
  type: 'TEXT' | 'EMOJI' | 'IMAGE' | 'FILE' | 'AUDIO' | 'VIDEO' | 'LOCATION' | 'CUSTOM' | 'SYSTEM';
  text: string;
  status: 'NORMAL' | 'RECALLED' | 'DELETED';
  /** SYSTEM messages: the decoded GroupEvent (PROTOCOL §9.16). */
  groupEvent?: GroupEventView;
  /** SYSTEM messages from the service's operator: the notice (PROTOCOL §9.18); `text` is its text too. */
  systemNotice?: { title: string; text: string };
  /** The decoded protobuf `magpie.v1.Message`. */
  raw: unknown;
}

/**
 * A decoded GroupEvent: `type` (= `kind`) is the GroupEventType name ('MEMBERS_INVITED', 'MEMBER_LEFT', ...); uids as
 * decimal strings; optional fields only when the event sets them.
 */
export interface GroupEventView {
  type: string;
  /** The same as `type` (kept from round 1). */
  kind: string;
  operatorUid: string;
  targetUids: string[];
  memberCount: number;
  role?: 'OWNER' | 'ADMIN' | 'MEMBER';
  muteUntil?: number;
  muteAll?: boolean;
  name?: string;
  avatarUrl?: string;
  announcement?: string;
  invitePolicy?: 'MEMBERS' | 'ADMINS';
  joinPolicy?: 'APPROVAL' | 'FREE' | 'CLOSED';
  maxMembers?: number;
}

/** One row of the conversation list (SYNC rows kept up to date by pushes, acks and notices). */
export interface Conversation {
  conversationId: string;
  conversationType: 'SINGLE' | 'GROUP';
  targetId: string;
  lastSeq: bigint;
  readSeq: bigint;
  clearedSeq: bigint;
  unreadCount: number;
  peerReadSeq: bigint;
  muted: boolean;
  hidden: boolean;
  pinnedAt: number;
  lastMessage?: Message;
  version: string;
}

const TYPES: Record<number, Message['type']> = {
  [MessageType.TEXT]: 'TEXT', [MessageType.EMOJI]: 'EMOJI', [MessageType.IMAGE]: 'IMAGE', [MessageType.FILE]: 'FILE',
  [MessageType.AUDIO]: 'AUDIO', [MessageType.VIDEO]: 'VIDEO', [MessageType.CUSTOM]: 'CUSTOM',
  [MessageType.SYSTEM]: 'SYSTEM', [MessageType.LOCATION]: 'LOCATION',
};

const ROLES: Record<number, 'OWNER' | 'ADMIN' | 'MEMBER'> = {
  [GroupRole.OWNER]: 'OWNER', [GroupRole.ADMIN]: 'ADMIN', [GroupRole.MEMBER]: 'MEMBER',
};

/** The public view of a protobuf Message. */
export function toMessage(m: PbMessage): Message {
  const content = m.content;
  const out: Message = {
    conversationId: m.conversationId,
    conversationType: conversationTypeName(m.conversationType, m.conversationId),
    seq: m.seq,
    msgId: m.msgId.toString(),
    senderUid: m.senderUid.toString(),
    serverTime: Number(m.serverTime),
    type: TYPES[content?.type ?? 0] ?? 'CUSTOM',
    text: content?.text ?? '',
    status: m.status === MessageStatus.RECALLED ? 'RECALLED' : m.status === MessageStatus.DELETED ? 'DELETED' : 'NORMAL',
    raw: m,
  };
  if (m.clientMsgId) out.clientMsgId = m.clientMsgId;
  const notice = content?.systemNotice;
  if (content?.type === MessageType.SYSTEM && notice) {
    out.systemNotice = { title: notice.title, text: notice.text };
    out.text = notice.text;
  }
  const e = content?.groupEvent;
  if (content?.type === MessageType.SYSTEM && e) {
    const type = GroupEventType[e.type] ?? `UNKNOWN_${e.type}`;
    const event: GroupEventView = {
      type, kind: type,
      operatorUid: e.operatorUid.toString(),
      targetUids: e.targetUids.map(String),
      memberCount: e.memberCount,
    };
    if (e.type === GroupEventType.ROLE_CHANGED) event.role = ROLES[e.role];
    if (e.muteUntil) event.muteUntil = Number(e.muteUntil);
    if (e.type === GroupEventType.MUTE_ALL_CHANGED) event.muteAll = e.muteAll;
    if (e.name !== undefined) event.name = e.name;
    if (e.avatarUrl !== undefined) event.avatarUrl = e.avatarUrl;
    if (e.announcement !== undefined) event.announcement = e.announcement;
    if (e.maxMembers) event.maxMembers = e.maxMembers;
    if (e.invitePolicy) event.invitePolicy = e.invitePolicy === GroupInvitePolicy.INVITE_ADMINS ? 'ADMINS' : 'MEMBERS';
    if (e.joinPolicy) {
      event.joinPolicy = e.joinPolicy === GroupJoinPolicy.JOIN_FREE ? 'FREE'
        : e.joinPolicy === GroupJoinPolicy.JOIN_CLOSED ? 'CLOSED' : 'APPROVAL';
    }
    out.groupEvent = event;
  }
  return out;
}

export function conversationTypeName(type: ConversationType, conversationId: string): 'SINGLE' | 'GROUP' {
  if (type === ConversationType.GROUP) return 'GROUP';
  if (type === ConversationType.SINGLE) return 'SINGLE';
  return conversationId.startsWith('g_') ? 'GROUP' : 'SINGLE';
}

export function messageToJson(m: PbMessage): string {
  return toJsonString(MessageSchema, m);
}

export function messageFromJson(json: string): PbMessage {
  return fromJsonString(MessageSchema, json, { ignoreUnknownFields: true });
}

/** The conversation id of a one-to-one conversation of two uids (PROTOCOL §10). */
export function singleConversationId(a: bigint, b: bigint): string {
  return a < b ? `s_${a}_${b}` : `s_${b}_${a}`;
}

/** The other member of a one-to-one conversation id, or the group id of `g_<id>`. */
export function targetOf(conversationId: string, self: bigint): bigint {
  const g = /^g_(\d+)$/.exec(conversationId);
  if (g) return BigInt(g[1]!);
  const s = /^s_(\d+)_(\d+)$/.exec(conversationId);
  if (s) {
    const a = BigInt(s[1]!);
    const b = BigInt(s[2]!);
    return a === self ? b : a;
  }
  return 0n;
}

/** A random UUID; works outside secure contexts too (crypto.randomUUID needs https in browsers). */
export function uuid(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') {
    try {
      return c.randomUUID();
    } catch {
      // not a secure context
    }
  }
  const b = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
