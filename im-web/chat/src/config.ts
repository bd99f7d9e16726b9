/** Where the page finds Magpie: read once at start from ./config.json, served next to index.html. */
export interface ChatConfig {
  /** The account HTTP API, absolute (an empty value in config.json means the page's own origin). */
  readonly accountUrl: string;
  /** The LSB, absolute. */
  readonly lsbUrl: string;
}

/** Fetches and validates ./config.json; throws an Error whose message says what is wrong and where. */
export async function loadConfig(base: string = document.baseURI): Promise<ChatConfig> {
  const url = new URL('config.json', base);
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch (e) {
    throw new Error(`could not fetch ${url} (${(e as Error).message}); is the Magpie server running?`);
  }
  if (!response.ok) {
    throw new Error(`${url} answered HTTP ${response.status}; the server must serve config.json next to index.html`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch (e) {
    throw new Error(`${url} is not JSON (${(e as Error).message})`);
  }
  return parseConfig(json, url);
}

/** Checks the shape {"accountUrl": string, "lsbUrl": string} and makes both URLs absolute. */
export function parseConfig(json: unknown, from: URL): ChatConfig {
  if (typeof json !== 'object' || json === null) {
    throw new Error(`${from} must hold an object {"accountUrl": "...", "lsbUrl": "..."}`);
  }
  const o = json as Record<string, unknown>;
  for (const key of ['accountUrl', 'lsbUrl'] as const) {
    if (typeof o[key] !== 'string') {
      throw new Error(`${from}: "${key}" must be a string (got ${JSON.stringify(o[key])})`);
    }
  }
  const accountUrl = absolute(o.accountUrl as string, from);
  const lsbUrl = absolute(o.lsbUrl as string, from);
  if (lsbUrl === '') {
    throw new Error(`${from}: "lsbUrl" must not be empty`);
  }
  return { accountUrl, lsbUrl };
}

/** '' means the page's origin; a path is taken relative to it; a trailing slash is dropped. */
function absolute(value: string, from: URL): string {
  if (value === '') {
    return from.origin;
  }
  return new URL(value, from.origin).toString().replace(/\/+$/, '');
}
