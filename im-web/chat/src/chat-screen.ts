import type { ConnectionState, MagpieClient, Message } from '@magpie/sdk';
import { composeForms, type ComposeHandlers } from './compose-forms';
import { parseConversationId, singleConversationId } from './conversation-id';
import { ConversationList } from './conversation-list';
import { ConversationView } from './conversation-view';
import type { Directory } from './directory';
import { h, replaceChildren } from './dom';
import { preview } from './format';
import { FriendsPanel } from './friends-panel';
import { groupsOf, round2, type GroupsApi } from './client-api';
import { PresenceBook } from './presence';
import { PresenceMenu } from './presence-menu';

const STATE_TEXT: Record<ConnectionState, string> = {
  IDLE: 'Offline',
  CONNECTING: 'Connecting…',
  CONNECTED: 'Connected',
  RECONNECTING: 'Reconnecting…',
  CLOSED: 'Disconnected',
};

/**
 * The signed-in page: a header (who, total unread, connection state, log out), the sidebar (new chat, new
 * group, the conversation list) and the open conversation, chosen by the URL's #/c/<conversation id>.
 * Wires the SDK's events to the views; dispose() unsubscribes them.
 */
export class ChatScreen {
  readonly element: HTMLElement;
  private readonly list: ConversationList;
  private readonly main: HTMLElement;
  private readonly stateBadge: HTMLElement;
  private readonly totalBadge: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly notice: HTMLElement;
  private view: ConversationView | undefined;
  private readonly presence: PresenceBook;
  private readonly presenceMenu: PresenceMenu;
  private readonly groups: GroupsApi;
  private readonly friends: FriendsPanel;
  private readonly friendsBadge: HTMLElement;
  private readonly friendsLink: HTMLAnchorElement;
  private friendsShown = false;
  private routed = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly client: MagpieClient,
    private readonly directory: Directory,
    username: string,
    handlers: ComposeHandlers & { logout(): void },
  ) {
    this.stateBadge = h('span', { class: 'connection', role: 'status', 'data-testid': 'connection-state' });
    this.totalBadge = h('span', { class: 'total-unread', 'data-testid': 'total-unread' });
    this.notice = h('p', { class: 'notice', role: 'alert', 'data-testid': 'notice' });
    this.notice.hidden = true;
    this.announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite', 'data-testid': 'announcer' });
    this.list = new ConversationList(directory, client.uid);
    this.groups = groupsOf(client, (path) => directory.getJson(path));
    this.presenceMenu = new PresenceMenu(client);
    this.main = h('main', { class: 'chat-main', 'data-testid': 'chat-main', tabindex: -1 });
    const header = h('header', { class: 'topbar' },
      h('h1', { class: 'brand' }, 'Magpie'),
      this.stateBadge,
      h('span', { class: 'spacer' }),
      this.totalBadge,
      this.presenceMenu.element,
      h('span', { class: 'me', 'data-testid': 'me' }, 'Signed in as ', h('strong', {}, username)),
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'logout-button', onclick: () => handlers.logout() },
        'Log out'));
    this.presence = new PresenceBook(client);
    this.friendsBadge = h('span', { class: 'badge', 'data-testid': 'friends-badge' });
    this.friendsBadge.hidden = true;
    this.friends = new FriendsPanel(client, directory, this.presence, {
      chat: (uid) => this.openPeer(uid),
      incoming: (count) => {
        this.friendsBadge.hidden = count === 0;
        this.friendsBadge.textContent = String(count);
        this.friendsBadge.setAttribute('aria-label', `${count} friend request${count === 1 ? '' : 's'}`);
      },
    });
    const friendsLink = this.friendsLink = h('a', { href: '#/friends', class: 'conversation friends-link', 'data-testid': 'friends-button' },
      h('span', { class: 'conversation-top' }, h('span', { class: 'conversation-name' }, 'Friends'), this.friendsBadge));
    const aside = h('aside', { class: 'sidebar', 'aria-label': 'Conversations and new chats' },
      composeForms(handlers), h('div', { class: 'friends-nav' }, friendsLink), this.list.element);
    this.element = h('div', { class: 'chat-page', 'data-testid': 'chat' }, header, this.notice,
      h('div', { class: 'columns' }, aside, this.main), this.announcer);
  }

  /** Subscribes to the SDK and shows the conversation the URL names. */
  start(): void {
    this.showState(this.client.state);
    this.unsubscribe.push(
      this.client.on('state', (s) => this.showState(s)),
      this.client.on('conversations', (list) => {
        this.list.render(list);
        this.showTotal();
      }),
      this.client.on('message', (m) => this.onMessage(m)),
      this.client.on('messageUpdated', (m) => this.view?.onMessage(m)),
      this.client.on('conversations', () => this.view?.onConversation()),
      round2(this.client).on('typing', (e) => this.view?.onTyping(e)),
      round2(this.client).on('friends', () => void this.friends.refresh()),
      this.presence.onChange((p) => this.friends.onPresence(p.uid)),
      this.client.on('state', (s) => {
        if (s === 'CONNECTED') {
          // requests and presence may have changed while away
          void this.friends.refresh();
          this.presence.requery();
          void this.presenceMenu.load();
        }
      }),
      this.directory.onChange(() => {
        this.list.render(this.client.conversations());
        this.view?.refreshNames();
        this.friends.refreshNames();
      }),
      () => this.presence.dispose(),
      () => this.presenceMenu.dispose(),
    );
    if (this.client.state === 'CONNECTED') {
      void this.friends.refresh();
      void this.presenceMenu.load();
    }
    const onHash = () => this.route();
    const onVisible = () => this.view?.markRead();
    window.addEventListener('hashchange', onHash);
    document.addEventListener('visibilitychange', onVisible);
    this.unsubscribe.push(() => window.removeEventListener('hashchange', onHash),
      () => document.removeEventListener('visibilitychange', onVisible));
    this.list.render(this.client.conversations());
    this.showTotal();
    // the SDK reads its store while connecting: history is there once the client was connected
    if (this.client.state === 'CONNECTED') {
      this.route();
    } else {
      replaceChildren(this.main, h('p', { class: 'placeholder', 'data-testid': 'connecting' }, 'Connecting…'));
      const off = this.client.on('state', (s) => {
        if (s === 'CONNECTED') {
          off();
          this.routed = true;
          this.route();
        }
      });
      this.unsubscribe.push(off);
    }
  }

  dispose(): void {
    this.unsubscribe.splice(0).forEach((fn) => fn());
    this.view?.close();
  }

  /** Opens a conversation (by changing the URL, so that a reload comes back to it). */
  open(conversationId: string): void {
    const hash = '#/c/' + encodeURIComponent(conversationId);
    if (location.hash === hash) {
      this.route();
    } else {
      location.hash = hash;
    }
  }

  /** Opens the one-to-one conversation with uid. */
  private openPeer(uid: string): void {
    this.open(singleConversationId(this.client.uid, uid));
  }

  private route(): void {
    if (!this.routed && this.client.state !== 'CONNECTED') {
      return; // start() routes once connected
    }
    this.routed = true;
    const onFriends = location.hash === '#/friends';
    this.friendsLink.classList.toggle('current', onFriends);
    if (onFriends) {
      this.friendsLink.setAttribute('aria-current', 'page');
    } else {
      this.friendsLink.removeAttribute('aria-current');
    }
    if (onFriends) {
      this.view?.close();
      this.view = undefined;
      this.list.setActive(undefined);
      this.presence.watch('peer', []);
      if (!this.friendsShown) {
        replaceChildren(this.main, this.friends.element);
        this.friendsShown = true;
        void this.friends.refresh();
        this.friends.focus();
      }
      return;
    }
    this.friendsShown = false;
    const match = /^#\/c\/(.+)$/.exec(location.hash);
    const ref = match ? parseConversationId(decodeURIComponent(match[1]), this.client.uid) : undefined;
    if (this.view && ref && this.view.ref.conversationId === ref.conversationId) {
      return;
    }
    this.view?.close();
    this.view = undefined;
    this.list.setActive(ref?.conversationId);
    if (!ref) {
      this.presence.watch('peer', []);
      replaceChildren(this.main, h('div', { class: 'placeholder', 'data-testid': 'no-conversation' },
        h('p', {}, 'Choose a conversation, or start a new chat by user name.')));
      return;
    }
    const view = new ConversationView(this.client, this.directory, ref, this.presence, this.groups);
    this.view = view;
    replaceChildren(this.main, view.element);
    void view.open();
    view.focusComposer();
  }

  /** A problem the person should know about (undefined: none). */
  showNotice(text: string | undefined): void {
    this.notice.textContent = text ?? '';
    this.notice.hidden = text === undefined;
  }

  private onMessage(m: Message): void {
    const event = m.groupEvent;
    if (m.type === 'SYSTEM' && event?.kind === 'PROFILE_UPDATED' && typeof event.name === 'string' && event.name) {
      this.directory.renameGroup(m.conversationId.replace(/^g_/, ''), event.name);
    }
    this.view?.onMessage(m);
    if (m.senderUid !== this.client.uid && m.conversationId !== this.view?.ref.conversationId && m.type !== 'SYSTEM') {
      const nameOf = (uid: string) => this.directory.userName(uid);
      const from = this.directory.userName(m.senderUid);
      this.announcer.textContent = m.mentionsMe ? `${from} mentioned you: ${preview(m, nameOf, this.client.uid)}`
        : `New message from ${from}: ${preview(m, nameOf, this.client.uid)}`;
    }
  }

  private showState(state: ConnectionState): void {
    this.stateBadge.textContent = STATE_TEXT[state] ?? state;
    this.stateBadge.dataset.state = state;
  }

  private showTotal(): void {
    const total = this.client.totalUnread();
    this.totalBadge.textContent = total > 0 ? `${total} unread` : 'All read';
    this.totalBadge.dataset.count = String(total);
    document.title = (total > 0 ? `(${total}) ` : '') + 'Magpie chat';
  }
}
