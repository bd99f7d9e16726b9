/**
 * Pluggable local persistence of the client (see README "Persistence").
 *
 * Keys and values are strings. The SDK keeps, per logged-in user (`<uid>/` prefix):
 * - `device-id` (no prefix): the installation's device id;
 * - `<uid>/positions`: JSON `{conversationId: "<last delivered seq>"}` so a reload does not deliver again;
 * - `<uid>/sync-version`: the version of the last complete SYNC (decimal string);
 * - `<uid>/conversations`: JSON list of the conversation rows;
 * - `<uid>/outbox`: JSON `[{request: <SendRequest proto3 JSON>}]`, the SENDs not yet acknowledged (resent by the next
 *   client with the same client msg id);
 * and messages for history through {@link ClientStore.putMessages} / {@link ClientStore.getMessages}.
 */
export interface ClientStore {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Stores (or replaces, by seq) messages of one conversation of a scope (the uid). */
  putMessages(scope: string, conversationId: string, messages: StoredMessage[]): Promise<void>;
  /**
   * Up to `limit` messages of a conversation with seq below `beforeSeq` (all when undefined): the newest ones of
   * that range, in ascending seq.
   */
  getMessages(scope: string, conversationId: string, beforeSeq: bigint | undefined, limit: number):
    Promise<StoredMessage[]>;
}

/** One stored message: its seq and its proto3 JSON (int64 as decimal strings). */
export interface StoredMessage {
  seq: bigint;
  json: string;
}

/** Keeps everything in memory: survives a client's close and reopen, not a process restart. */
export class MemoryStore implements ClientStore {
  private readonly values = new Map<string, string>();
  private readonly messages = new Map<string, Map<bigint, string>>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async put(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }

  async putMessages(scope: string, conversationId: string, messages: StoredMessage[]): Promise<void> {
    const key = `${scope}/${conversationId}`;
    let bySeq = this.messages.get(key);
    if (!bySeq) {
      bySeq = new Map();
      this.messages.set(key, bySeq);
    }
    for (const m of messages) bySeq.set(m.seq, m.json);
  }

  async getMessages(scope: string, conversationId: string, beforeSeq: bigint | undefined, limit: number):
    Promise<StoredMessage[]> {
    const bySeq = this.messages.get(`${scope}/${conversationId}`);
    if (!bySeq) return [];
    const seqs = [...bySeq.keys()].filter((s) => beforeSeq === undefined || s < beforeSeq)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return seqs.slice(Math.max(0, seqs.length - limit)).map((seq) => ({ seq, json: bySeq.get(seq)! }));
  }
}

const KV = 'kv';
const MESSAGES = 'messages';

/**
 * Keeps everything in the browser's IndexedDB (database `dbName`, default `magpie`): object store `kv` for the
 * keys, object store `messages` keyed by `[scope, conversationId, seq]` (seq as a 20-digit zero-padded string so
 * the key order is the seq order).
 */
export class IndexedDbStore implements ClientStore {
  private db: Promise<IDBDatabase> | undefined;

  constructor(readonly dbName = 'magpie', private readonly factory?: IDBFactory) {}

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      const factory = this.factory ?? globalThis.indexedDB;
      if (!factory) {
        return Promise.reject(new Error('IndexedDbStore needs IndexedDB (globalThis.indexedDB is missing);'
          + ' use MemoryStore outside browsers'));
      }
      this.db = new Promise<IDBDatabase>((resolve, reject) => {
        const request = factory.open(this.dbName, 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains(KV)) db.createObjectStore(KV);
          if (!db.objectStoreNames.contains(MESSAGES)) db.createObjectStore(MESSAGES);
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error(`opening IndexedDB ${this.dbName} failed`));
        request.onblocked = () => reject(new Error(`IndexedDB ${this.dbName} is blocked by another tab's`
          + ' older version; close the other tabs'));
      });
    }
    return this.db;
  }

  private async run<T>(store: string, mode: IDBTransactionMode,
                       body: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
    const db = await this.open();
    return new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const request = body(tx.objectStore(store));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error ?? new Error(`IndexedDB ${this.dbName}/${store} ${mode} failed`));
      tx.onabort = () => reject(tx.error ?? new Error(`IndexedDB ${this.dbName}/${store} ${mode} aborted`));
    });
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.run<unknown>(KV, 'readonly', (s) => s.get(key));
    return typeof value === 'string' ? value : undefined;
  }

  async put(key: string, value: string): Promise<void> {
    await this.run(KV, 'readwrite', (s) => { s.put(value, key); });
  }

  async delete(key: string): Promise<void> {
    await this.run(KV, 'readwrite', (s) => { s.delete(key); });
  }

  async putMessages(scope: string, conversationId: string, messages: StoredMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.run(MESSAGES, 'readwrite', (s) => {
      for (const m of messages) s.put(m.json, [scope, conversationId, padSeq(m.seq)]);
    });
  }

  async getMessages(scope: string, conversationId: string, beforeSeq: bigint | undefined, limit: number):
    Promise<StoredMessage[]> {
    const db = await this.open();
    const upper = beforeSeq === undefined ? [scope, conversationId, '\uffff'] : [scope, conversationId, padSeq(beforeSeq)];
    const range = IDBKeyRange.bound([scope, conversationId, ''], upper, false, true);
    return new Promise<StoredMessage[]>((resolve, reject) => {
      const out: StoredMessage[] = [];
      const tx = db.transaction(MESSAGES, 'readonly');
      const cursorRequest = tx.objectStore(MESSAGES).openCursor(range, 'prev');
      cursorRequest.onsuccess = () => {
        const cursor = cursorRequest.result;
        if (!cursor || out.length >= limit) return;
        const key = cursor.key as [string, string, string];
        out.push({ seq: BigInt(key[2]), json: cursor.value as string });
        cursor.continue();
      };
      tx.oncomplete = () => resolve(out.reverse());
      tx.onerror = () => reject(tx.error ?? new Error(`IndexedDB ${this.dbName}/${MESSAGES} read failed`));
    });
  }

  /** Closes the database connection (tests, page unload). */
  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = undefined;
  }
}

function padSeq(seq: bigint): string {
  return seq.toString().padStart(20, '0');
}
