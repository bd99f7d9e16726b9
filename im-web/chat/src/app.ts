import { AccountApi, IndexedDbStore, MagpieClient, type MagpieError, type Session } from '@magpie/sdk';
import { authView } from './auth-view';
import { ChatScreen } from './chat-screen';
import type { ChatConfig } from './config';
import { singleConversationId } from './conversation-id';
import { Directory } from './directory';
import { replaceChildren } from './dom';
import { SessionKeeper, type SavedSession } from './saved-session';

/** A session this close to its expiry is refreshed before it is used. */
const EXPIRY_MARGIN_MS = 60_000;
/** The longest wait between two tries of the first connect. */
const RETRY_MAX_MS = 15_000;

/** The account API's refusals in the words of the sign-in form; anything else keeps the SDK's message. */
async function plainly(action: Promise<void>): Promise<void> {
  try {
    await action;
  } catch (e) {
    const error = e as MagpieError;
    const text: Record<string, string> = {
      BAD_CREDENTIALS: 'Wrong user name or password.',
      USERNAME_TAKEN: 'That user name is taken. Log in, or choose another one to sign up.',
      RATE_LIMITED: 'Too many tries. Wait a little and try again.',
    };
    if (text[error.code]) {
      throw new Error(text[error.code]);
    }
    if (error.code === 'BAD_REQUEST') {
      // the server's message names the rule, e.g. "username must be 3-32 characters of a-z, 0-9, ..."
      throw new Error(error.message.replace(/^.*?answered 400 BAD_REQUEST: /, ''));
    }
    throw e;
  }
}

/** One sentence for a KICK reason (the SDK names it, e.g. DUPLICATE_DEVICE). */
function kickSentence(reason: string): string {
  switch (reason) {
    case 'DUPLICATE_DEVICE':
      return 'You signed in again in another tab or window of this browser, so this one was signed out.';
    case 'TOKEN_REVOKED':
      return 'Your session was ended (signed out elsewhere or the password changed). Please log in again.';
    default:
      return `The server ended your session (${reason}). Please log in again.`;
  }
}

/**
 * The page's lifecycle: the sign-in form, then the chat screen on a connected MagpieClient. A reload signs in
 * again from the saved session (refreshing its token when it expired) and the SDK's IndexedDB store brings
 * the history back; log out, a kick or a refused refresh return to the sign-in form.
 */
export class ChatApp {
  private readonly accounts: AccountApi;
  private readonly keeper = new SessionKeeper();
  private client: MagpieClient | undefined;
  private screen: ChatScreen | undefined;
  private current: SavedSession | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly config: ChatConfig,
  ) {
    this.accounts = new AccountApi(config.accountUrl);
  }

  async start(): Promise<void> {
    const saved = this.keeper.load();
    if (!saved) {
      this.showAuth();
      return;
    }
    let session: Session;
    try {
      session = await this.fresh(saved.session);
    } catch (e) {
      if ((e as MagpieError).retryable) {
        session = saved.session; // the server is away: the client refreshes once it can reach it
      } else {
        this.keeper.forget();
        this.showAuth(`Please log in again (${(e as Error).message}).`);
        return;
      }
    }
    await this.enter(saved.username, session);
  }

  private showAuth(notice?: string): void {
    this.root.replaceChildren(authView({
      login: (username, password) => plainly(this.login(username, password)),
      signUp: (username, password, displayName) => plainly((async () => {
        await this.accounts.register(username, password, displayName || undefined);
        await this.login(username, password);
      })()),
    }, notice));
  }

  private async login(username: string, password: string): Promise<void> {
    if (!username) {
      throw new Error('Enter a user name.');
    }
    const session = await this.accounts.login(username, password, this.keeper.deviceId(), 'WEB');
    await this.enter(username, session);
  }

  /** An unexpired session: the saved one, or a refreshed one (saved again: the old refresh token is spent). */
  private async fresh(session: Session): Promise<Session> {
    if (session.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
      return session;
    }
    return this.accounts.refresh(session.refreshToken, session.deviceId);
  }

  private async enter(username: string, session: Session): Promise<void> {
    this.current = { username, session };
    this.keeper.save(this.current);
    const client = new MagpieClient({
      accountUrl: this.config.accountUrl,
      lsbUrl: this.config.lsbUrl,
      deviceId: session.deviceId,
      platform: 'WEB',
      // someone is looking at the page: after a server restart, retry within seconds rather than the SDK's 30 s cap
      reconnect: { initialMs: 500, maxMs: 10_000 },
      // one database per user, so two people taking turns in one browser never see each other's history
      store: new IndexedDbStore('magpie-chat-' + session.uid),
    }, session);
    this.client = client;
    const directory = new Directory(this.config.accountUrl, this.accounts, () => this.current!.session);
    directory.rememberUser(session.uid, username);
    const screen = new ChatScreen(client, directory, username, {
      startChat: async (peer) => {
        if (!peer) {
          throw new Error('Enter the user name of the person to chat with.');
        }
        const user = await directory.findUser(peer);
        if (user.uid === client.uid) {
          throw new Error('That is you. Enter someone else’s user name.');
        }
        screen.open(singleConversationId(client.uid, user.uid));
      },
      createGroup: async (name, members) => {
        if (!name) {
          throw new Error('Give the group a name.');
        }
        if (members.length === 0) {
          throw new Error('Name at least one member.');
        }
        const uids = await Promise.all(members.map(async (m) => (await directory.findUser(m)).uid));
        const created = await this.accounts.createGroup(this.current!.session, name, uids);
        directory.rememberGroup(created.groupId, name);
        await client.syncNow().catch(() => undefined); // the group's row comes with the next SYNC anyway
        screen.open(created.conversationId);
      },
      logout: () => void this.logout(),
    });
    this.screen = screen;
    client.on('kicked', (reason) => this.leave(kickSentence(reason)));
    client.on('session', (s) => {
      // a refreshed token: the old refresh token is spent, so only the new one may be kept
      if (client === this.client) {
        this.current = { username, session: s };
        this.keeper.save(this.current);
      }
    });
    client.on('error', (e: MagpieError) => {
      console.warn('magpie chat:', e.code, e.message);
      lastError = e;
    });
    let lastError: MagpieError | undefined;
    client.on('state', (state) => {
      console.info('magpie chat: connection', state);
      if (state === 'CLOSED' && client === this.client) {
        // the SDK gave up (a refused token): nothing works until the person logs in again
        this.leave(`You were disconnected${lastError ? ` (${lastError.message})` : ''}. Please log in again.`);
      }
    });
    replaceChildren(this.root, screen.element);
    screen.start();
    await this.connect(client, screen);
  }

  /**
   * The first connect, tried again while the failure is retryable (the server is restarting or away); once
   * connected the SDK reconnects by itself. A refused token ends in the sign-in form.
   */
  private async connect(client: MagpieClient, screen: ChatScreen): Promise<void> {
    for (let attempt = 0; client === this.client; attempt++) {
      try {
        await client.connect();
        screen.showNotice(undefined);
        return;
      } catch (e) {
        if (client !== this.client) {
          return;
        }
        const error = e as MagpieError;
        if (!error.retryable) {
          this.leave(`Please log in again (${error.message}).`);
          return;
        }
        const delay = Math.min(RETRY_MAX_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
        screen.showNotice(`Cannot reach the server (${error.message}). Trying again in ${Math.ceil(delay / 1000)} s…`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async logout(): Promise<void> {
    const client = this.client;
    this.leave();
    await client?.close({ logout: true }).catch((e: unknown) => console.warn('magpie chat: logout', e));
  }

  private leave(notice?: string): void {
    this.screen?.dispose();
    this.screen = undefined;
    this.client = undefined;
    this.current = undefined;
    this.keeper.forget();
    if (location.hash) {
      history.replaceState(null, '', location.pathname + location.search);
    }
    this.showAuth(notice);
  }
}
