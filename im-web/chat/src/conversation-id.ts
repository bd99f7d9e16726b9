/** What a conversation id says: `s_<small uid>_<big uid>` for two users, `g_<group id>` for a group. */
export interface ConversationRef {
  readonly conversationId: string;
  readonly type: 'SINGLE' | 'GROUP';
  /** The peer's uid (SINGLE) or the group id (GROUP). */
  readonly targetId: string;
}

/** Reads a conversation id as seen by myUid; undefined when it is not one. */
export function parseConversationId(conversationId: string, myUid: string): ConversationRef | undefined {
  const single = /^s_(\d+)_(\d+)$/.exec(conversationId);
  if (single) {
    const [a, b] = [single[1], single[2]];
    if (a !== myUid && b !== myUid) {
      return undefined;
    }
    return { conversationId, type: 'SINGLE', targetId: a === myUid ? b : a };
  }
  const group = /^g_(\d+)$/.exec(conversationId);
  return group ? { conversationId, type: 'GROUP', targetId: group[1] } : undefined;
}

/** The one-to-one conversation id of two users (uids as decimal strings). */
export function singleConversationId(uidA: string, uidB: string): string {
  const [low, high] = BigInt(uidA) < BigInt(uidB) ? [uidA, uidB] : [uidB, uidA];
  return `s_${low}_${high}`;
}
