import type { Session } from '@magpie/sdk';

/**
 * What survives a page reload in this browser: the device id (one per browser profile, as the protocol asks
 * of an installation) and the signed-in session with its user name. Kept in localStorage, so the page signs
 * in again by itself after a reload; "Log out" forgets the session. The refresh token is a bearer credential:
 * the page is meant for a browser profile its user owns.
 */
export interface SavedSession {
  readonly username: string;
  readonly session: Session;
}

const DEVICE_KEY = 'magpie.deviceId';
const SESSION_KEY = 'magpie.session';

export class SessionKeeper {
  constructor(private readonly storage: Storage = window.localStorage) {}

  /** This browser's device id, made once: "web-" and 16 random hex digits (the protocol allows [A-Za-z0-9._:-]). */
  deviceId(): string {
    let id = this.storage.getItem(DEVICE_KEY);
    if (!id || !/^[A-Za-z0-9._:-]{1,64}$/.test(id)) {
      const bytes = crypto.getRandomValues(new Uint8Array(8));
      id = 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      this.storage.setItem(DEVICE_KEY, id);
    }
    return id;
  }

  load(): SavedSession | undefined {
    const text = this.storage.getItem(SESSION_KEY);
    if (!text) {
      return undefined;
    }
    try {
      const saved = JSON.parse(text) as SavedSession;
      if (typeof saved.username === 'string' && typeof saved.session?.token === 'string') {
        return saved;
      }
    } catch {
      // a damaged entry is the same as none: the user signs in again
    }
    this.forget();
    return undefined;
  }

  save(saved: SavedSession): void {
    this.storage.setItem(SESSION_KEY, JSON.stringify(saved));
  }

  forget(): void {
    this.storage.removeItem(SESSION_KEY);
  }
}
