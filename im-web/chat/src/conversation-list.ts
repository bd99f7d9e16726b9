import type { Conversation } from '@magpie/sdk';
import type { Directory } from './directory';
import { h, replaceChildren } from './dom';
import { preview, shortTime } from './format';

/**
 * The list of conversations: a link per conversation (its name, the last message, when, the unread count, an
 * "@" while a message mentioning you is unread), pinned first, then newest first, as the SDK sorts them; pinned and muted ones carry a mark. Links go to
 * #/c/<conversation id>, so the open conversation survives a reload and the browser's back button works.
 */
export class ConversationList {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLParagraphElement;
  private last: Conversation[] = [];
  private active: string | undefined;

  constructor(
    private readonly directory: Directory,
    private readonly myUid: string,
  ) {
    this.list = h('ul', { class: 'conversations', 'data-testid': 'conversation-list' });
    this.empty = h('p', { class: 'muted empty-list' }, 'No conversations yet. Start one above.');
    this.element = h(
      'nav',
      { class: 'conversation-nav', 'aria-labelledby': 'conversations-heading' },
      h('h2', { id: 'conversations-heading', class: 'section-title' }, 'Conversations'),
      this.empty,
      this.list,
    );
  }

  setActive(conversationId: string | undefined): void {
    this.active = conversationId;
    this.render(this.last);
  }

  render(conversations: Conversation[]): void {
    this.last = conversations;
    const shown = conversations.filter((c) => !c.hidden);
    this.empty.hidden = shown.length > 0;
    replaceChildren(this.list, ...shown.map((c) => this.item(c)));
  }

  private item(c: Conversation): HTMLLIElement {
    const name = this.directory.conversationName(c.conversationType, c.targetId);
    const nameOf = (uid: string) => (uid === this.myUid ? 'You' : this.directory.userName(uid));
    const last = c.lastMessage;
    const unread = c.unreadCount > 0;
    const current = c.conversationId === this.active;
    const pinned = c.pinnedAt > 0;
    return h(
      'li',
      {},
      h(
        'a',
        {
          href: '#/c/' + encodeURIComponent(c.conversationId),
          class: 'conversation' + (unread ? ' unread' : '') + (current ? ' current' : ''),
          'aria-current': current ? 'page' : null,
          'data-testid': 'conversation-item',
          'data-conversation-id': c.conversationId,
          'data-unread': c.unreadCount,
          'data-pinned': String(pinned),
          'data-muted': String(c.muted),
          'data-mentioned': String(c.mentioned === true),
        },
        h(
          'span',
          { class: 'conversation-top' },
          h('span', { class: 'conversation-name', 'data-testid': 'conversation-name' },
            c.conversationType === 'GROUP' ? h('span', { class: 'group-mark', 'aria-label': 'group' }, '#') : null,
            name),
          pinned ? h('span', { class: 'mark', 'data-testid': 'pinned-mark' }, 'Pinned') : null,
          c.muted ? h('span', { class: 'mark', 'data-testid': 'muted-mark' }, 'Muted') : null,
          h('time', { class: 'conversation-time', datetime: last ? new Date(last.serverTime).toISOString() : null },
            last ? shortTime(last.serverTime) : ''),
        ),
        h(
          'span',
          { class: 'conversation-bottom' },
          h('span', { class: 'conversation-preview', 'data-testid': 'conversation-preview' },
            last ? preview(last, nameOf, this.myUid) : 'No messages yet'),
          // "@me" until read (PROTOCOL §9.20): shown even when muted, a mention is for you
          c.mentioned
            ? h('span', { class: 'badge mention-badge', 'data-testid': 'mention-badge', 'aria-label': 'you were mentioned',
              title: 'You were mentioned' }, '@')
            : null,
          unread
            ? h('span', { class: 'badge' + (c.muted ? ' quiet' : ''), 'data-testid': 'unread-count', 'aria-label': `${c.unreadCount} unread` },
                String(c.unreadCount))
            : null,
        ),
      ),
    );
  }
}
