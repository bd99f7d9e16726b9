import { MagpieError } from './errors.js';

/** A device's login (POST /v1/sessions): uid as a decimal string, expiresAt in ms since the epoch. */
export interface Session {
  uid: string;
  deviceId: string;
  token: string;
  refreshToken: string;
  expiresAt: number;
}

/** The LSB's answer (GET /v1/gate). */
export interface GateAddress {
  gateId: string;
  host: string;
  ws: string | null;
  tcp: string;
  tls: boolean;
  zone?: string | null;
}

type FetchLike = typeof fetch;

/**
 * The account HTTP API (im-logic/src/main/resources/openapi/accounts.yaml). JSON numbers that are ids
 * allocated from 1 upward (uid, groupId) are small and become decimal strings here; errors are
 * {@link MagpieError}s with the body's `code` and the HTTP status as `codeNumber` (429 and 5xx retryable).
 */
export class AccountApi {
  private readonly base: string;
  private readonly fetchImpl: FetchLike;
  /** The last session this API logged in or refreshed: lookupUser uses it when none is given. */
  private lastSession: Session | undefined;

  constructor(accountUrl: string, fetchImpl?: FetchLike) {
    this.base = accountUrl.replace(/\/+$/, '');
    this.fetchImpl = fetchImpl ?? globalThis.fetch.bind(globalThis);
  }

  async register(username: string, password: string, displayName?: string): Promise<{ uid: string }> {
    const body: Record<string, unknown> = { username, password };
    if (displayName !== undefined) body.nickname = displayName;
    const res = await this.call('POST', '/v1/accounts', body) as { uid: number | string };
    return { uid: String(res.uid) };
  }

  async login(username: string, password: string, deviceId: string, platform = 'WEB'): Promise<Session> {
    const res = await this.call('POST', '/v1/sessions', { username, password, deviceId, platform });
    return this.remember(toSession(res, deviceId));
  }

  /** Trades the refresh token for a new session (the old refresh token is spent: keep only the new one). */
  async refresh(refreshToken: string, deviceId = this.lastSession?.deviceId ?? ''): Promise<Session> {
    const res = await this.call('POST', '/v1/sessions/refresh', { refreshToken });
    return this.remember(toSession(res, deviceId));
  }

  /** Finds an account by user name (GET /v1/accounts?username=, needs a session's bearer token). */
  async lookupUser(username: string, session: Session | undefined = this.lastSession):
    Promise<{ uid: string; username: string; displayName?: string }> {
    if (!session) {
      throw new MagpieError('UNAUTHORIZED', 0, 'lookupUser needs a session: log in first or pass one', false);
    }
    const res = await this.call('GET', `/v1/accounts?username=${encodeURIComponent(username)}`, undefined,
      session.token) as { uid: number | string; username: string; nickname?: string };
    return { uid: String(res.uid), username: res.username, displayName: res.nickname };
  }

  /** Creates a group of the session's user and `memberUids` (POST /v1/groups). */
  async createGroup(session: Session, name: string, memberUids: string[]):
    Promise<{ groupId: string; conversationId: string }> {
    const res = await this.call('POST', '/v1/groups', { name, members: memberUids.map((u) => Number(u)) },
      session.token) as { groupId: number | string };
    const groupId = String(res.groupId);
    return { groupId, conversationId: `g_${groupId}` };
  }

  /** Ends the device's session (DELETE /v1/sessions/current); 401 means it had ended already. */
  async logout(session: Session): Promise<void> {
    try {
      await this.call('DELETE', '/v1/sessions/current', undefined, session.token);
    } catch (e) {
      if (!(e instanceof MagpieError && e.codeNumber === 401)) throw e;
    }
  }

  /** Any account API call with the session's bearer token (the friends, presence and settings routes use it). */
  authed(session: Session, method: string, path: string, body?: unknown): Promise<unknown> {
    return this.call(method, path, body, session.token);
  }

  private remember(session: Session): Session {
    this.lastSession = session;
    return session;
  }

  private call(method: string, path: string, body?: unknown, token?: string): Promise<unknown> {
    return httpJson(this.fetchImpl, 'account API', method, this.base + path, body, token);
  }
}

/** The LSB (im-lsb/src/main/resources/openapi/lsb.yaml): which gate to connect to, asked on every (re)connect. */
export class LsbApi {
  private readonly base: string;
  private readonly fetchImpl: FetchLike;

  constructor(lsbUrl: string, fetchImpl?: FetchLike, private readonly appId?: string) {
    this.base = lsbUrl.replace(/\/+$/, '');
    this.fetchImpl = fetchImpl ?? globalThis.fetch.bind(globalThis);
  }

  async pickGate(): Promise<GateAddress> {
    const query = this.appId ? `?appId=${encodeURIComponent(this.appId)}` : '';
    return await httpJson(this.fetchImpl, 'LSB', 'GET', `${this.base}/v1/gate${query}`) as GateAddress;
  }
}

function toSession(res: unknown, deviceId: string): Session {
  const r = res as { uid: number | string; token: string; refreshToken: string; expiresAt: number };
  return { uid: String(r.uid), deviceId, token: r.token, refreshToken: r.refreshToken, expiresAt: Number(r.expiresAt) };
}

async function httpJson(fetchImpl: FetchLike, service: string, method: string, url: string, body?: unknown,
                        token?: string): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetchImpl(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new MagpieError('NETWORK', 0, `${service} ${method} ${url} failed: ${(e as Error).message}`, true);
  }
  const text = await res.text();
  if (!res.ok) {
    let code = `HTTP_${res.status}`;
    let message = text.slice(0, 300);
    try {
      const json = JSON.parse(text) as { code?: string; message?: string };
      if (json.code) code = json.code;
      if (json.message) message = json.message;
    } catch {
      // not JSON (a proxy's page): keep the text
    }
    const retryAfter = Number(res.headers.get('Retry-After') ?? 0);
    throw new MagpieError(code, res.status, `${service} ${method} ${new URL(url).pathname} answered ${res.status} ${code}:`
      + ` ${message}`, res.status === 429 || res.status >= 500 || res.status === 0,
      Number.isFinite(retryAfter) ? retryAfter * 1000 : 0);
  }
  return text.length === 0 ? undefined : JSON.parse(text);
}
