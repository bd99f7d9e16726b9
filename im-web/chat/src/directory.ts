import type { AccountApi, MagpieError, Session } from '@magpie/sdk';

/**
 * Names for the ids the SDK hands out: user names for uids and group names for group ids, read from the
 * account API (GET /v1/accounts/{uid}, GET /v1/groups/{id}) with the session's token and kept for the page's
 * life. Until a name is known the id stands in for it; listeners hear when one arrives so views re-render.
 */
export class Directory {
  private readonly users = new Map<string, string>();
  private readonly groups = new Map<string, string>();
  private readonly asked = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly accountUrl: string,
    private readonly accounts: AccountApi,
    private readonly session: () => Session,
  ) {}

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Remembers a name learned elsewhere (sign in, a lookup by user name). */
  rememberUser(uid: string, username: string): void {
    this.users.set(uid, username);
  }

  rememberGroup(groupId: string, name: string): void {
    this.groups.set(groupId, name);
  }

  /** A group's new name (a rename seen in its timeline): views showing it re-render. */
  renameGroup(groupId: string, name: string): void {
    if (this.groups.get(groupId) !== name) {
      this.groups.set(groupId, name);
      this.listeners.forEach((fn) => fn());
    }
  }

  /** GET path of the account API as JSON; throws an Error naming the path and the server's answer. */
  async getJson(path: string): Promise<unknown> {
    const response = await this.get(path);
    if (!response.ok) {
      const error = new Error(`${path}: ${errorMessage(await response.text(), response.status)}`) as Error & { status?: number };
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  userName(uid: string): string {
    const name = this.users.get(uid);
    if (name !== undefined) {
      return name;
    }
    this.ask('u' + uid, `/v1/accounts/${encodeURIComponent(uid)}`, (json) => {
      const username = (json as { username?: unknown }).username;
      if (typeof username === 'string') {
        this.users.set(uid, username);
      }
    });
    return 'user ' + uid;
  }

  groupName(groupId: string): string {
    const name = this.groups.get(groupId);
    if (name !== undefined) {
      return name;
    }
    this.ask('g' + groupId, `/v1/groups/${encodeURIComponent(groupId)}`, (json) => {
      const n = (json as { name?: unknown }).name;
      if (typeof n === 'string') {
        this.groups.set(groupId, n);
      }
    });
    return 'group ' + groupId;
  }

  /** The title of a conversation: the peer's user name or the group's name. */
  conversationName(type: 'SINGLE' | 'GROUP', targetId: string): string {
    return type === 'GROUP' ? this.groupName(targetId) : this.userName(targetId);
  }

  /** Finds a user by user name (the SDK's lookupUser); throws an Error that says what went wrong. */
  async findUser(username: string): Promise<{ uid: string; username: string }> {
    try {
      const user = await this.accounts.lookupUser(username, this.session());
      this.users.set(user.uid, user.username);
      return { uid: user.uid, username: user.username };
    } catch (e) {
      if ((e as MagpieError).codeNumber === 404) {
        throw new Error(`No user is called “${username}”.`);
      }
      throw e;
    }
  }

  private ask(key: string, path: string, take: (json: unknown) => void): void {
    if (this.asked.has(key)) {
      return;
    }
    this.asked.add(key);
    this.get(path)
      .then(async (response) => {
        if (!response.ok) {
          throw new Error(`${path}: ${errorMessage(await response.text(), response.status)}`);
        }
        take(await response.json());
        this.listeners.forEach((fn) => fn());
      })
      .catch((e: unknown) => {
        // the id keeps standing in for the name; asked again after the next reload
        console.warn('magpie chat: no name for', key, e);
      });
  }

  private get(path: string): Promise<Response> {
    return fetch(this.accountUrl + path, { headers: { authorization: 'Bearer ' + this.session().token } });
  }
}

function errorMessage(text: string, status: number): string {
  try {
    const json = JSON.parse(text) as { code?: string; message?: string };
    if (json.message) {
      return `${json.message} (HTTP ${status}${json.code ? ' ' + json.code : ''})`;
    }
  } catch {
    // not JSON: show the status alone
  }
  return `HTTP ${status}`;
}
