import type { Message } from '@magpie/sdk';

/** What a recalled message shows, on every side. */
export const RECALLED_TEXT = '(message recalled)';

/** Names a uid ("you" for the signed-in user). */
export type NameOf = (uid: string) => string;

/** One line for a group's SYSTEM message, e.g. "alice added bob and carol". */
export function describeGroupEvent(m: Message, nameOf: NameOf): string {
  if (m.systemNotice) {
    // an operator's notice (PROTOCOL §9.18), not a group change
    return m.systemNotice.title ? `${m.systemNotice.title}: ${m.systemNotice.text}` : m.systemNotice.text;
  }
  const e = (m.groupEvent ?? {}) as Record<string, unknown>;
  const kind = String(e.kind ?? e.type ?? '');
  const actor = stringOf(e.operatorUid) ?? m.senderUid;
  // uid 0 is the service's operator (PROTOCOL §9.18): never an account
  const who = actor === '0' ? 'the operator' : nameOf(actor);
  const targets = listOf(e.targetUids).map(nameOf);
  const them = joinNames(targets);
  const name = typeof e.name === 'string' ? e.name : undefined;
  switch (kind) {
    case 'GROUP_CREATED':
      return `${who} created the group${name ? ` “${name}”` : ''}${targets.length ? ` and added ${them}` : ''}`;
    case 'MEMBERS_INVITED':
      return `${who} added ${them}`;
    case 'MEMBER_JOINED':
      return targets.length === 0 || targets.includes(who) ? `${who} joined` : `${who} let ${them} in`;
    case 'MEMBER_LEFT':
      return `${targets.length && !targets.includes(who) ? them : who} left`;
    case 'MEMBERS_KICKED':
      return `${who} removed ${them}`;
    case 'ROLE_CHANGED': {
      const role = String(e.role ?? '').replace(/^GROUP_ROLE_/, '');
      const be = targets.length === 1 && targets[0] === 'you' ? 'are' : targets.length > 1 ? 'are' : 'is';
      return role === 'ADMIN' ? `${them} ${be} now ${targets.length > 1 ? 'admins' : 'an admin'}`
        : role === 'OWNER' ? `${them} ${be} now the owner`
          : `${them} ${be} no longer ${targets.length > 1 ? 'admins' : 'an admin'}`;
    }
    case 'OWNER_TRANSFERRED':
      return `${who} handed the group to ${them}`;
    case 'GROUP_DISMISSED':
      return `the group was dismissed by ${who}`;
    case 'MEMBER_MUTED':
      return `${who} muted ${them}`;
    case 'MEMBER_UNMUTED':
      return `${who} unmuted ${them}`;
    case 'MUTE_ALL_CHANGED':
      return e.muteAll ? `${who} muted the group` : `${who} unmuted the group`;
    case 'PROFILE_UPDATED':
      return name ? `the group was renamed to “${name}” by ${who}` : `${who} changed the group's profile`;
    case 'SETTINGS_CHANGED':
      return `${who} changed the group's settings`;
    default:
      return `${who} changed the group${kind ? ` (${kind})` : ''}`;
  }
}

/** The preview of a message in the conversation list. */
export function preview(m: Message, nameOf: NameOf, myUid: string): string {
  if (m.status === 'RECALLED') {
    return RECALLED_TEXT;
  }
  if (m.type === 'SYSTEM') {
    return describeGroupEvent(m, nameOf);
  }
  const caption = m.text || m.media?.fileName || '';
  const body = m.type === 'TEXT' || m.type === 'EMOJI' ? m.text
    : `[${typeLabel(m.type)}]${caption ? ' ' + caption : ''}`;
  const prefix = m.conversationType === 'GROUP' || m.senderUid === myUid ? `${nameOf(m.senderUid)}: ` : '';
  return prefix + body;
}

/** A content type in words: "photo" for IMAGE, else the type in lower case ("file", "location", ...). */
export function typeLabel(type: Message['type']): string {
  return type === 'IMAGE' ? 'photo' : type.toLowerCase();
}

/** "14:03" today, "Mon 14:03" within a week, else the date. */
export function shortTime(ms: number, now: number = Date.now()): string {
  if (!ms) {
    return '';
  }
  const d = new Date(ms);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (new Date(now).toDateString() === d.toDateString()) {
    return time;
  }
  if (now - ms < 6 * 24 * 3600 * 1000) {
    return d.toLocaleDateString(undefined, { weekday: 'short' }) + ' ' + time;
  }
  return d.toLocaleDateString();
}

export function joinNames(names: string[]): string {
  if (names.length <= 1) {
    return names.join('');
  }
  return names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1];
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
}

function listOf(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => String(x)) : [];
}
