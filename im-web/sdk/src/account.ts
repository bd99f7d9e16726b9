import { MagpieError } from './errors.js';
import { mediaIdOf } from './model.js';

/** What can be uploaded: a browser File or Blob, or bytes (a Node Buffer is a Uint8Array). */
export type MediaSource = Blob | Uint8Array | ArrayBuffer;

/** What `POST /v1/media` stored (PROTOCOL §1.3): the stable references to put into a message's `MediaInfo`. */
export interface UploadedMedia {
  /** 22 characters of base64url. */
  mediaId: string;
  conversationId: string;
  mimeType: string;
  sizeBytes: number;
  /** Pixels; 0 when not an image (or an image whose pixels the server could not decode). */
  width: number;
  height: number;
  /** "" when the upload named none. */
  fileName: string;
  /** The stable reference `/v1/media/<mediaId>`: what a message carries. */
  url: string;
  /** `/v1/media/<mediaId>/thumbnail`, for images the server made a preview of; undefined otherwise. */
  thumbnailUrl?: string;
}

/**
 * Signed download URLs of one media (`GET /v1/media/{id}/url`), absolute; they need no token until `expiresAt`
 * (ms since the epoch, 15 minutes by default). Do not store them: store the stable reference and ask again.
 */
export interface MediaUrls {
  mediaId: string;
  url: string;
  /** undefined when the media has no thumbnail. */
  thumbnailUrl?: string;
  expiresAt: number;
}

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

  /**
   * Uploads a file for a conversation (`POST /v1/media`, multipart, PROTOCOL §1.3): a browser `File`/`Blob` or
   * bytes (a Node `Buffer`, a `Uint8Array`). Its type is `mimeType`, else the Blob's own type, else guessed from
   * `fileName` ({@link guessMimeType}). Refusals: 403 `FORBIDDEN` (not a member), 413 `MEDIA_TOO_LARGE` /
   * `IMAGE_TOO_LARGE` / `PAYLOAD_TOO_LARGE`, 415 `UNSUPPORTED_MEDIA_TYPE` / `MEDIA_TYPE_MISMATCH`.
   */
  async uploadMedia(session: Session, conversationId: string, file: MediaSource,
                    opts: { fileName?: string; mimeType?: string } = {}): Promise<UploadedMedia> {
    const form = mediaForm(conversationId, file, opts);
    return toUploaded(await this.call('POST', '/v1/media', form, session.token));
  }

  /**
   * Signed, expiring download URLs of an uploaded media (`GET /v1/media/{id}/url`), made absolute against this
   * API's base URL. `urlOrId` is a message's `MediaInfo.url` (`/v1/media/<id>`) or the media id.
   */
  async mediaUrls(session: Session, urlOrId: string): Promise<MediaUrls> {
    const id = mediaIdOf(urlOrId);
    if (!id) {
      throw new MagpieError('BAD_REQUEST', 0, `not a media id or /v1/media/<id> reference: '${urlOrId.slice(0, 100)}'`,
        false);
    }
    return toMediaUrls(await this.call('GET', `/v1/media/${id}/url`, undefined, session.token), this.base);
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
  // a multipart form sets its own Content-Type (with the boundary)
  const form = typeof FormData !== 'undefined' && body instanceof FormData;
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetchImpl(url, { method, headers,
      body: body === undefined ? undefined : form ? body as FormData : JSON.stringify(body) });
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

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp',
  mp3: 'audio/mpeg', m4a: 'audio/mp4', ogg: 'audio/ogg', oga: 'audio/ogg', wav: 'audio/wav', mp4: 'video/mp4',
  m4v: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', pdf: 'application/pdf', zip: 'application/zip',
  txt: 'text/plain',
};

/** The MIME type of a file name by its extension (the Java SDK's list), else application/octet-stream. */
export function guessMimeType(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (dot >= 0 && MIME_BY_EXTENSION[fileName.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

/** The multipart body of POST /v1/media: field `conversationId`, part `file` with its type and name. */
function mediaForm(conversationId: string, file: MediaSource, opts: { fileName?: string; mimeType?: string }): FormData {
  if (typeof FormData === 'undefined' || typeof Blob === 'undefined') {
    throw new MagpieError('NOT_SUPPORTED', 0, 'uploading needs FormData and Blob (browsers, Node 20+)', false);
  }
  const named = typeof File !== 'undefined' && file instanceof File ? file.name : '';
  const fileName = opts.fileName ?? named ?? '';
  const own = file instanceof Blob ? file.type : '';
  const mimeType = opts.mimeType || own || guessMimeType(fileName);
  let blob: Blob;
  if (file instanceof Blob) {
    blob = own === mimeType ? file : file.slice(0, file.size, mimeType);
  } else if (file instanceof ArrayBuffer || ArrayBuffer.isView(file)) {
    blob = new Blob([file as BlobPart], { type: mimeType });
  } else {
    throw new MagpieError('BAD_REQUEST', 0, 'uploadMedia takes a File, Blob, Uint8Array (Buffer) or ArrayBuffer', false);
  }
  const form = new FormData();
  form.append('conversationId', conversationId);
  form.append('file', blob, fileName || 'file');
  return form;
}

function toUploaded(res: unknown): UploadedMedia {
  const r = res as Record<string, unknown>;
  if (typeof r?.mediaId !== 'string' || typeof r.url !== 'string' || typeof r.mimeType !== 'string') {
    throw new MagpieError('BAD_RESPONSE', 0, `POST /v1/media answered without mediaId, url and mimeType: `
      + `${JSON.stringify(res).slice(0, 200)}`, false);
  }
  const out: UploadedMedia = {
    mediaId: r.mediaId, conversationId: String(r.conversationId ?? ''), mimeType: r.mimeType,
    sizeBytes: Number(r.sizeBytes ?? 0), width: Number(r.width ?? 0), height: Number(r.height ?? 0),
    fileName: typeof r.fileName === 'string' ? r.fileName : '', url: r.url,
  };
  if (typeof r.thumbnailUrl === 'string' && r.thumbnailUrl) out.thumbnailUrl = r.thumbnailUrl;
  return out;
}

function toMediaUrls(res: unknown, base: string): MediaUrls {
  const r = res as Record<string, unknown>;
  if (typeof r?.url !== 'string' || r.expiresAt === undefined) {
    throw new MagpieError('BAD_RESPONSE', 0, `GET /v1/media/{id}/url answered without url and expiresAt: `
      + `${JSON.stringify(res).slice(0, 200)}`, false);
  }
  const out: MediaUrls = { mediaId: String(r.mediaId ?? ''), url: onBase(base, r.url), expiresAt: Number(r.expiresAt) };
  if (typeof r.thumbnailUrl === 'string' && r.thumbnailUrl) out.thumbnailUrl = onBase(base, r.thumbnailUrl);
  return out;
}

/** A path of the account API on the base URL it is called at (kept as it is when already absolute). */
function onBase(base: string, url: string): string {
  return /^https?:\/\//i.test(url) ? url : base + (url.startsWith('/') ? url : '/' + url);
}
