import type { MagpieClient, MagpieError } from '@magpie/sdk';
import { round2, type Friend, type FriendRequest } from './client-api';
import type { Directory } from './directory';
import { h, replaceChildren, type Child } from './dom';
import { describePresence, type PresenceBook } from './presence';

/** The account API's refusals of friend actions in the page's words; anything else keeps the SDK's message. */
const REFUSALS: Record<string, string> = {
  NOT_PENDING: 'That request was answered or withdrawn meanwhile.',
  ALREADY_FRIENDS: 'You are friends already.',
  BLOCKED: 'This person does not take requests from you.',
  RATE_LIMITED: 'Too many requests. Wait a little and try again.',
};

function plainError(e: unknown): string {
  const error = e as MagpieError;
  return (error?.code && REFUSALS[error.code]) || (error?.message ?? String(e));
}

export interface FriendsHandlers {
  /** Opens the one-to-one conversation with uid. */
  chat(uid: string): void;
  /** The number of incoming requests changed (for the sidebar's badge). */
  incoming(count: number): void;
}

/**
 * The Friends panel (#/friends): a request by user name with a message, incoming requests (accept, reject),
 * outgoing ones (withdraw), the friends with their presence (chat, remove, block) and the blocked users
 * (unblock). Re-read from the account API on the SDK's 'friends' event and after each action.
 */
export class FriendsPanel {
  readonly element: HTMLElement;
  private readonly incomingList: HTMLUListElement;
  private readonly outgoingList: HTMLUListElement;
  private readonly friendList: HTMLUListElement;
  private readonly blockedList: HTMLUListElement;
  private readonly error: HTMLElement;
  private readonly status: HTMLElement;
  private readonly user: HTMLInputElement;
  private readonly message: HTMLInputElement;
  private friends: Friend[] = [];
  private loading: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly client: MagpieClient,
    private readonly directory: Directory,
    private readonly presence: PresenceBook,
    private readonly handlers: FriendsHandlers,
  ) {
    this.user = h('input', { id: 'friend-user', required: true, maxlength: 64, autocomplete: 'off', placeholder: 'user name',
      'data-testid': 'friend-user' });
    this.message = h('input', { id: 'friend-message', maxlength: 200, autocomplete: 'off', placeholder: 'Hi, it’s me!',
      'data-testid': 'friend-message' });
    this.error = h('p', { class: 'error', role: 'alert', 'data-testid': 'friends-error' });
    this.status = h('p', { class: 'hint', role: 'status', 'data-testid': 'friends-status' });
    const form = h('form', { class: 'friend-form', 'aria-labelledby': 'add-friend-heading', 'data-testid': 'friend-form' },
      h('h3', { id: 'add-friend-heading', class: 'section-title' }, 'Add a friend'),
      h('div', { class: 'friend-form-fields' },
        h('label', { for: 'friend-user' }, 'User name', this.user),
        h('label', { for: 'friend-message' }, 'Message (optional)', this.message),
        h('button', { type: 'submit', 'data-testid': 'friend-request-button' }, 'Send request')),
      this.status);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.request(form);
    });
    this.incomingList = h('ul', { class: 'people', 'data-testid': 'incoming-requests' });
    this.outgoingList = h('ul', { class: 'people', 'data-testid': 'outgoing-requests' });
    this.friendList = h('ul', { class: 'people', 'data-testid': 'friend-list' });
    this.blockedList = h('ul', { class: 'people', 'data-testid': 'blocked-list' });
    const section = (id: string, title: string, list: HTMLUListElement) =>
      h('section', { 'aria-labelledby': id, class: 'people-section' }, h('h3', { id, class: 'section-title' }, title), list);
    this.element = h('section', { class: 'friends-panel', 'aria-labelledby': 'friends-title', 'data-testid': 'friends-panel' },
      h('header', { class: 'conversation-header' }, h('h2', { id: 'friends-title', tabindex: -1 }, 'Friends')),
      h('div', { class: 'friends-body' }, form, this.error,
        section('incoming-heading', 'Requests for you', this.incomingList),
        section('outgoing-heading', 'Requests you sent', this.outgoingList),
        section('friend-list-heading', 'Your friends', this.friendList),
        section('blocked-heading', 'Blocked', this.blockedList)));
  }

  focus(): void {
    this.element.querySelector<HTMLElement>('#friends-title')?.focus();
  }

  /** Reads requests, friends and blocks again (a call while one runs runs once more after it). */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.load().finally(() => {
      this.loading = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.loading;
  }

  /** Presence changed: re-render the friend list's lines. */
  onPresence(uid: string): void {
    const li = this.friendList.querySelector<HTMLElement>(`[data-uid="${CSS.escape(uid)}"]`);
    const p = this.presence.get(uid);
    const line = li?.querySelector('.presence');
    if (li && line) {
      line.textContent = describePresence(p);
      li.dataset.online = String(p?.online ?? false);
    }
  }

  private async load(): Promise<void> {
    const friends = round2(this.client).friends;
    try {
      const [list, requests, blocked] = await Promise.all([friends.list(), friends.requests(), friends.blocked()]);
      this.friends = list;
      this.presence.watch('friends', list.map((f) => f.uid));
      this.handlers.incoming(requests.incoming.length);
      this.renderRequests(requests.incoming, requests.outgoing);
      this.renderFriends();
      this.renderBlocked(blocked);
    } catch (e) {
      this.error.textContent = `Could not load your friends: ${plainError(e)}`;
    }
  }

  /** Names may have arrived: re-render. */
  refreshNames(): void {
    for (const el of this.element.querySelectorAll<HTMLElement>('[data-name-of]')) {
      el.textContent = this.directory.userName(el.dataset.nameOf!);
    }
  }

  private name(uid: string): HTMLElement {
    return h('span', { class: 'person-name', 'data-testid': 'person-name', 'data-name-of': uid }, this.directory.userName(uid));
  }

  private renderRequests(incoming: FriendRequest[], outgoing: FriendRequest[]): void {
    replaceChildren(this.incomingList, ...(incoming.length === 0 ? [this.none('No requests for you.')]
      : incoming.map((r) => this.person(r.fromUid, 'incoming-request', r.message ? `“${r.message}”` : 'No message',
        this.action('Accept', 'accept-button', r.fromUid, () => round2(this.client).friends.accept(r.requestId)),
        this.action('Reject', 'reject-button', r.fromUid, () => round2(this.client).friends.reject(r.requestId), true)))));
    replaceChildren(this.outgoingList, ...(outgoing.length === 0 ? [this.none('No requests waiting for an answer.')]
      : outgoing.map((r) => this.person(r.toUid, 'outgoing-request', r.message ? `Waiting · “${r.message}”` : 'Waiting',
        this.action('Withdraw', 'withdraw-button', r.toUid, () => round2(this.client).friends.withdraw(r.requestId), true)))));
  }

  private renderFriends(): void {
    replaceChildren(this.friendList, ...(this.friends.length === 0 ? [this.none('No friends yet. Send a request above.')]
      : this.friends.map((f) => {
        const p = this.presence.get(f.uid);
        const li = this.person(f.uid, 'friend', describePresence(p),
          h('button', { type: 'button', class: 'secondary small', 'data-testid': 'friend-chat-button',
            'aria-label': `Chat with ${this.directory.userName(f.uid)}`, onclick: () => this.handlers.chat(f.uid) }, 'Chat'),
          this.action('Remove', 'remove-friend-button', f.uid, () => round2(this.client).friends.remove(f.uid), true),
          this.action('Block', 'block-button', f.uid, () => round2(this.client).friends.block(f.uid), true));
        li.dataset.online = String(p?.online ?? false);
        return li;
      })));
  }

  private renderBlocked(uids: string[]): void {
    replaceChildren(this.blockedList, ...(uids.length === 0 ? [this.none('Nobody is blocked.')]
      : uids.map((uid) => this.person(uid, 'blocked-user', 'Blocked: their messages and requests do not reach you',
        this.action('Unblock', 'unblock-button', uid, () => round2(this.client).friends.unblock(uid), true)))));
  }

  private none(text: string): HTMLLIElement {
    return h('li', { class: 'muted none' }, text);
  }

  private person(uid: string, testid: string, detail: string, ...actions: Child[]): HTMLLIElement {
    return h('li', { class: 'person', 'data-testid': testid, 'data-uid': uid },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('span', { class: 'person-text' }, this.name(uid),
        h('span', { class: 'presence muted', 'data-testid': 'person-detail' }, detail)),
      h('span', { class: 'person-actions' }, ...actions));
  }

  private action(label: string, testid: string, uid: string, run: () => Promise<unknown>, secondary = false): HTMLButtonElement {
    const button = h('button', { type: 'button', class: secondary ? 'secondary small' : 'small', 'data-testid': testid,
      'aria-label': `${label} ${this.directory.userName(uid)}` }, label);
    button.addEventListener('click', () => {
      button.disabled = true;
      this.error.textContent = '';
      run()
        .then(() => this.refresh())
        .catch((e: unknown) => {
          this.error.textContent = `${label} did not work: ${plainError(e)}`;
          button.disabled = false;
        });
    });
    return button;
  }

  private async request(form: HTMLFormElement): Promise<void> {
    const username = this.user.value.trim();
    const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    this.error.textContent = '';
    this.status.textContent = '';
    if (!username) {
      this.error.textContent = 'Enter the user name of the person to add.';
      return;
    }
    button.disabled = true;
    try {
      const user = await this.directory.findUser(username);
      if (user.uid === this.client.uid) {
        throw new Error('That is you. Enter someone else’s user name.');
      }
      const r = await round2(this.client).friends.request(user.uid, this.message.value.trim() || undefined);
      this.status.textContent = /ACCEPTED/i.test(r.state)
        ? `${user.username} had asked you already: you are friends now.` : `Request sent to ${user.username}.`;
      this.user.value = '';
      this.message.value = '';
      await this.refresh();
    } catch (e) {
      this.error.textContent = plainError(e);
    } finally {
      button.disabled = false;
    }
  }
}
