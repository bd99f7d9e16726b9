import type { MagpieClient, Outgoing } from '@magpie/sdk';

/**
 * The SDK's round-2 and round-3 API as the page uses it (conversation state, typing, presence, friends, groups;
 * see im-web/sdk/README.md): the page reaches it through {@link round2} and {@link groupsOf}, so a change of
 * the SDK's shapes is met here.
 */
export type { Friend, FriendRequest, Presence } from '@magpie/sdk';

/** The round-2 methods of client (the client itself: they are MagpieClient's own). */
export function round2(client: MagpieClient): MagpieClient {
  return client;
}

export type GroupRole = 'OWNER' | 'ADMIN' | 'MEMBER';
export interface GroupMember { uid: string; role: GroupRole }
export interface GroupInfo { groupId: string; name: string; ownerUid: string; memberCount: number; dismissed?: boolean }

/** The GROUP command (PROTOCOL §9.16) and the group reads, as the SDK's `client.groups` offers them. */
export interface GroupsApi {
  invite(groupId: string, uids: string[]): Promise<unknown>;
  leave(groupId: string): Promise<unknown>;
  kick(groupId: string, uids: string[]): Promise<unknown>;
  setRole(groupId: string, uid: string, role: 'ADMIN' | 'MEMBER'): Promise<unknown>;
  dismiss(groupId: string): Promise<unknown>;
  rename(groupId: string, name: string): Promise<unknown>;
  info(groupId: string): Promise<GroupInfo>;
  members(groupId: string): Promise<GroupMember[]>;
}

/** Reads a JSON document of the account API with the session's token (GET). */
export type GetJson = (path: string) => Promise<unknown>;

/**
 * client.groups, normalised (uids and roles as strings). An SDK without it still lists members and the group
 * (account API); the changes then say plainly that this page's SDK cannot make them.
 */
export function groupsOf(client: MagpieClient, getJson: GetJson): GroupsApi {
  const sdk = (client as unknown as { groups?: Partial<GroupsApi> }).groups;
  const missing = (): Promise<never> =>
    Promise.reject(new Error('This version of the page cannot change groups (its SDK has no GROUP command).'));
  const change = <K extends keyof GroupsApi>(name: K) =>
    (sdk?.[name] ? (sdk[name] as (...a: unknown[]) => Promise<unknown>).bind(sdk) : missing) as GroupsApi[K];
  return {
    invite: change('invite'),
    leave: change('leave'),
    kick: change('kick'),
    setRole: change('setRole'),
    dismiss: change('dismiss'),
    rename: change('rename'),
    async info(groupId) {
      const raw = (sdk?.info ? await sdk.info(groupId) : await getJson(`/v1/groups/${encodeURIComponent(groupId)}`)) as
        Record<string, unknown>;
      return { groupId: String(raw.groupId), name: String(raw.name ?? ''), ownerUid: String(raw.ownerUid),
        memberCount: Number(raw.memberCount ?? 0), dismissed: Boolean(raw.dismissed) };
    },
    async members(groupId) {
      let list: Array<Record<string, unknown>>;
      if (sdk?.members) {
        list = await sdk.members(groupId) as unknown as Array<Record<string, unknown>>;
      } else {
        list = [];
        let after = '0';
        do {
          const page = await getJson(`/v1/groups/${encodeURIComponent(groupId)}/members?afterUid=${after}&limit=500`) as
            { members: Array<Record<string, unknown>>; nextAfterUid: unknown };
          list.push(...page.members);
          after = String(page.nextAfterUid ?? 0);
        } while (after !== '0');
      }
      return list.map((m) => ({ uid: String(m.uid), role: String(m.role).replace(/^GROUP_ROLE_/, '') as GroupRole }));
    },
  };
}

/** The text of an unacknowledged send, also one restored from the store after a reload. */
export function pendingText(out: Outgoing): string {
  return out.text || '(message)';
}
