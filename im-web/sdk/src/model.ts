import { fromJsonString, toJsonString } from '@bufbuild/protobuf';
import {
  ConversationType, GroupEventType, GroupInvitePolicy, GroupJoinPolicy, GroupRole, MessageSchema, MessageStatus, MessageType,
  type MediaInfo as PbMediaInfo, type Message as PbMessage, type ReactionCount,
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
  /**
   * The message's version (decimal string: a snowflake above 2^53): its msg id when sent, a new one for each
   * recall, reaction change and edit (PROTOCOL §7.3). Of two copies of one seq, the higher version is newer.
   */
  version: string;
  /** IMAGE, FILE, AUDIO, VIDEO (and a sticker's EMOJI): the media; `url` is a stable reference, see `mediaUrls`. */
  media?: MediaView;
  /** LOCATION: the place. */
  location?: { latitude: number; longitude: number; name: string; address: string };
  /** CUSTOM: the app-defined type. */
  customType?: string;
  /** A reply: the quoted message of the same conversation, as the server filled it in (PROTOCOL §9.19). */
  replyTo?: ReplyView;
  /** Group messages: the members it mentions (@), uids as decimal strings; [] when none (PROTOCOL §9.20). */
  mentionedUids: string[];
  /** Group messages: it mentions every member (@all). */
  mentionAll: boolean;
  /**
   * The message mentions the signed-in user (their uid among `mentionedUids`, or `mentionAll`) and was sent by
   * someone else. Set on messages the client hands out; false from {@link toMessage} without `self`.
   */
  mentionsMe: boolean;
  /** The members' reactions, one entry per emoji, in the order each emoji was first chosen (PROTOCOL §9.21). */
  reactions: ReactionView[];
  /** > 0: its sender edited it at this time (ms since the epoch): show "edited" (PROTOCOL §9.22). */
  editedAt: number;
  /** The decoded protobuf `magpie.v1.Message`. */
  raw: unknown;
}

/** Media of a message (`MediaInfo`, PROTOCOL §7.3). Sizes are numbers (at most 2 GiB). */
export interface MediaView {
  /** The stable reference (`/v1/media/<mediaId>` for an upload): exchange it with `client.mediaUrls(url)`. */
  url: string;
  mimeType: string;
  sizeBytes: number;
  width: number;
  height: number;
  durationMs: number;
  fileName: string;
  /** The preview image's stable reference ("" when none). */
  thumbnailUrl: string;
}

/** A quoted message (`ReplyRef`, PROTOCOL §7.3): ids as decimal strings. */
export interface ReplyView {
  seq: bigint;
  msgId: string;
  senderUid: string;
  type: Message['type'];
  /** The quoted text or caption, cut to 100 code points; "" when recalled. */
  preview: string;
  /** The quoted message was recalled: show "recalled" instead of a preview. */
  recalled: boolean;
}

/** One emoji's reactions on a message. */
export interface ReactionView {
  emoji: string;
  /** Users who reacted with it. */
  count: number;
  /** The first 20 of them, in the order they reacted (decimal strings). */
  uids: string[];
  /**
   * The signed-in user reacted with it: from `uids` (while `count` <= 20) or this client's own REACT_ACK; false
   * from {@link toMessage} without `self`.
   */
  mine: boolean;
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
  /**
   * "@me": a message above your read position mentions you (SYNC's `mentioned`, set by a delivered message that
   * mentions you); a READ (or CLEAR) past it clears it on every device (PROTOCOL §9.20).
   */
  mentioned: boolean;
}

const TYPES: Record<number, Message['type']> = {
  [MessageType.TEXT]: 'TEXT', [MessageType.EMOJI]: 'EMOJI', [MessageType.IMAGE]: 'IMAGE', [MessageType.FILE]: 'FILE',
  [MessageType.AUDIO]: 'AUDIO', [MessageType.VIDEO]: 'VIDEO', [MessageType.CUSTOM]: 'CUSTOM',
  [MessageType.SYSTEM]: 'SYSTEM', [MessageType.LOCATION]: 'LOCATION',
};

const ROLES: Record<number, 'OWNER' | 'ADMIN' | 'MEMBER'> = {
  [GroupRole.OWNER]: 'OWNER', [GroupRole.ADMIN]: 'ADMIN', [GroupRole.MEMBER]: 'MEMBER',
};

/**
 * The public view of a protobuf Message. With `self` (the signed-in uid) it also tells `mentionsMe` and each
 * reaction's `mine`; `myEmoji` is this user's reaction as known from their own REACT_ACK (for counts above 20).
 */
export function toMessage(m: PbMessage, self?: bigint, myEmoji?: string | null): Message {
  const content = m.content;
  const mentionedUids = content?.mentionedUids ?? [];
  const mentionAll = content?.mentionAll ?? false;
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
    version: (m.version > 0n ? m.version : m.msgId).toString(),
    mentionedUids: mentionedUids.map(String),
    mentionAll,
    mentionsMe: self !== undefined && m.senderUid !== self && (mentionAll || mentionedUids.includes(self)),
    reactions: m.reactions.map((r) => toReaction(r, self, myEmoji)),
    editedAt: Number(m.editedAt),
    raw: m,
  };
  if (m.clientMsgId) out.clientMsgId = m.clientMsgId;
  if (content?.media) out.media = toMedia(content.media);
  const loc = content?.location;
  if (loc) out.location = { latitude: loc.latitude, longitude: loc.longitude, name: loc.name, address: loc.address };
  if (content?.customType) out.customType = content.customType;
  const reply = content?.replyTo;
  if (reply && reply.seq > 0n) {
    out.replyTo = { seq: reply.seq, msgId: reply.msgId.toString(), senderUid: reply.senderUid.toString(),
      type: TYPES[reply.type] ?? 'CUSTOM', preview: reply.preview, recalled: reply.recalled };
  }
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

function toReaction(r: ReactionCount, self: bigint | undefined, myEmoji: string | null | undefined): ReactionView {
  const fromUids = self !== undefined && r.uids.includes(self);
  // the uids list names the first 20 only: past that, this client's own REACT_ACK tells
  const mine = myEmoji !== undefined && r.count > 20 ? myEmoji === r.emoji : fromUids;
  return { emoji: r.emoji, count: r.count, uids: r.uids.map(String), mine };
}

function toMedia(m: PbMediaInfo): MediaView {
  return { url: m.url, mimeType: m.mimeType, sizeBytes: Number(m.sizeBytes), width: m.width, height: m.height,
    durationMs: m.durationMs, fileName: m.fileName, thumbnailUrl: m.thumbnailUrl };
}

/** The media id of a stable reference (`/v1/media/<id>`, absolute or not, or the id itself); undefined if none. */
export function mediaIdOf(urlOrId: string): string | undefined {
  const id = urlOrId.replace(/^.*\/v1\/media\//, '').replace(/[/?#].*$/, '');
  return /^[A-Za-z0-9_-]{22}$/.test(id) ? id : undefined;
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
