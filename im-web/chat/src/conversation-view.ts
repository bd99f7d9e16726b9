import type { MagpieClient, Message, Outgoing } from '@magpie/sdk';
import type { ConversationRef } from './conversation-id';
import type { Directory } from './directory';
import { h, replaceChildren } from './dom';
import { describeGroupEvent, shortTime } from './format';

const PAGE = 30;

/**
 * One open conversation: its history (paged back by the "Load older messages" button or by scrolling to the
 * top), new messages as they arrive, the composer, and the delivery state of each message sent from here
 * (sending, sent with its seq, failed with a retry button). Each seq is shown once, however often the SDK, an
 * acknowledgement and a reload bring it. Marks the conversation read up to the newest message while the page
 * is visible.
 */
export class ConversationView {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly olderButton: HTMLButtonElement;
  private readonly input: HTMLTextAreaElement;
  private readonly status: HTMLParagraphElement;
  private readonly title: HTMLHeadingElement;
  /** Shown messages by seq (decimal string). */
  private readonly bySeq = new Map<string, HTMLLIElement>();
  /** Messages sent from this view and not acknowledged yet, by client message id. */
  private readonly pending = new Map<string, HTMLLIElement>();
  private oldestSeq: bigint | undefined;
  private newestSeq = 0n;
  private markedSeq = 0n;
  private hasMore = false;
  private loadingOlder = false;
  private closed = false;

  constructor(
    private readonly client: MagpieClient,
    private readonly directory: Directory,
    readonly ref: ConversationRef,
  ) {
    this.title = h('h2', { id: 'conversation-title', 'data-testid': 'conversation-title' });
    this.olderButton = h('button', { type: 'button', class: 'older secondary', 'data-testid': 'older-button',
      onclick: () => void this.loadOlder() }, 'Load older messages');
    this.olderButton.hidden = true;
    this.list = h('ol', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
      'aria-labelledby': 'conversation-title', 'data-testid': 'message-list', tabindex: 0 });
    this.status = h('p', { class: 'muted history-status', 'data-testid': 'history-status' }, 'Loading…');
    this.input = h('textarea', { id: 'composer-input', rows: 2, maxlength: 5000, required: true,
      placeholder: 'Write a message…', 'data-testid': 'composer-input',
      onkeydown: (e: Event) => this.onKey(e as KeyboardEvent) });
    const form = h('form', { class: 'composer', 'data-testid': 'composer', onsubmit: (e: Event) => {
      e.preventDefault();
      this.sendTyped();
    } },
      h('label', { for: 'composer-input', class: 'visually-hidden' }, 'Message'),
      this.input,
      h('button', { type: 'submit', 'data-testid': 'send-button' }, 'Send'));
    const scroller = h('div', { class: 'message-scroller', 'data-testid': 'message-scroller',
      onscroll: () => this.onScroll(scroller) }, this.olderButton, this.status, this.list);
    this.element = h('section', { class: 'conversation-view', 'aria-labelledby': 'conversation-title',
      'data-testid': 'conversation-view', 'data-conversation-id': ref.conversationId },
      h('header', { class: 'conversation-header' }, this.title,
        h('p', { class: 'muted conversation-kind' }, ref.type === 'GROUP' ? 'Group' : 'Direct message')),
      scroller, form);
    this.renderTitle();
  }

  /** Loads the newest page of history. */
  async open(): Promise<void> {
    try {
      const page = await this.client.history(this.ref.conversationId, { limit: PAGE });
      if (this.closed) {
        return;
      }
      this.hasMore = page.hasMore;
      for (const m of page.messages) {
        this.add(m, false);
      }
      this.updateHistoryStatus();
      this.scrollToBottom();
      this.markRead();
    } catch (e) {
      this.status.textContent = `Could not load the history: ${(e as Error).message}`;
      this.status.setAttribute('role', 'alert');
    }
  }

  close(): void {
    this.closed = true;
  }

  focusComposer(): void {
    this.input.focus();
  }

  /** A message from the SDK's live stream; ignored unless it belongs here. */
  onMessage(m: Message): void {
    if (m.conversationId !== this.ref.conversationId) {
      return;
    }
    const atBottom = this.nearBottom();
    this.add(m, true);
    this.updateHistoryStatus();
    if (atBottom) {
      this.scrollToBottom();
    }
    this.markRead();
  }

  /** Names may have arrived: re-render the title and the sender lines. */
  refreshNames(): void {
    this.renderTitle();
    for (const li of this.list.querySelectorAll<HTMLElement>('[data-sender-uid]')) {
      const name = li.querySelector('.sender');
      if (name) {
        name.textContent = this.senderName(li.dataset.senderUid!);
      }
    }
    for (const li of this.list.querySelectorAll<HTMLElement>('.system[data-seq]')) {
      const m = (li as HTMLElement & { message?: Message }).message;
      if (m) {
        li.querySelector('.system-text')!.textContent = capitalized(describeGroupEvent(m, (uid) => this.nameOf(uid)));
      }
    }
  }

  /** Marks read up to the newest shown message when the page is visible (READ is idempotent server side). */
  markRead(): void {
    if (this.closed || document.visibilityState !== 'visible' || this.newestSeq <= this.markedSeq) {
      return;
    }
    const seq = this.newestSeq;
    this.markedSeq = seq;
    this.client.markRead(this.ref.conversationId, seq).catch((e: unknown) => {
      this.markedSeq = 0n; // try again with the next message or visibility change
      console.warn('magpie chat: mark read failed', e);
    });
  }

  private renderTitle(): void {
    this.title.textContent = this.directory.conversationName(this.ref.type, this.ref.targetId);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.sendTyped();
    }
  }

  private sendTyped(): void {
    const text = this.input.value.trim();
    if (!text) {
      return;
    }
    this.input.value = '';
    this.send(text);
    this.input.focus();
  }

  private send(text: string, replacing?: HTMLLIElement): void {
    const target = this.ref.type === 'GROUP' ? { group: this.ref.targetId } : { user: this.ref.targetId };
    let out: Outgoing;
    try {
      out = this.client.sendText(target, text);
    } catch (e) {
      this.showFailed(this.pendingRow(text, 'local-' + Date.now(), replacing), text, e);
      return;
    }
    const li = this.pendingRow(text, out.clientMsgId, replacing);
    this.pending.set(out.clientMsgId, li);
    this.scrollToBottom();
    out.ack.then(
      (m) => this.acknowledged(out.clientMsgId, m),
      (e: unknown) => {
        this.pending.delete(out.clientMsgId);
        this.showFailed(li, text, e);
      },
    );
  }

  private pendingRow(text: string, clientMsgId: string, replacing?: HTMLLIElement): HTMLLIElement {
    const li = h('li', { class: 'message mine', 'data-testid': 'message', 'data-mine': 'true',
      'data-state': 'SENDING', 'data-client-msg-id': clientMsgId },
      h('div', { class: 'bubble' }, h('p', { class: 'text', 'data-testid': 'message-text' }, text)),
      h('div', { class: 'meta' }, h('span', { class: 'state', 'data-testid': 'message-state' }, 'Sending…')));
    if (replacing) {
      replacing.replaceWith(li);
    } else {
      this.list.appendChild(li);
    }
    return li;
  }

  private showFailed(li: HTMLLIElement, text: string, e: unknown): void {
    li.dataset.state = 'FAILED';
    const reason = (e as Error)?.message ?? String(e);
    const state = li.querySelector('.state')!;
    replaceChildren(state as HTMLElement, h('span', { class: 'failed', title: reason }, 'Not sent. '),
      h('button', { type: 'button', class: 'link', 'data-testid': 'retry-button',
        'aria-label': `Retry sending “${text.slice(0, 40)}”`, onclick: () => this.send(text, li) }, 'Retry'));
  }

  private acknowledged(clientMsgId: string, m: Message): void {
    const li = this.pending.get(clientMsgId);
    this.pending.delete(clientMsgId);
    if (!li) {
      return;
    }
    li.remove();
    this.add(m, true);
    this.markRead();
  }

  /** Shows m once, in seq order; a message sent from here replaces its pending row. */
  private add(m: Message, live: boolean): void {
    const key = m.seq.toString();
    if (m.clientMsgId && this.pending.has(m.clientMsgId)) {
      this.pending.get(m.clientMsgId)!.remove();
      this.pending.delete(m.clientMsgId);
    }
    const existing = this.bySeq.get(key);
    const li = this.row(m);
    if (existing) {
      existing.replaceWith(li); // a recall or another state of the same message
    } else {
      this.insertInOrder(li, m.seq);
    }
    this.bySeq.set(key, li);
    if (this.oldestSeq === undefined || m.seq < this.oldestSeq) {
      this.oldestSeq = m.seq;
    }
    if (m.seq > this.newestSeq) {
      this.newestSeq = m.seq;
    }
    if (live && !existing) {
      li.classList.add('fresh');
    }
  }

  private insertInOrder(li: HTMLLIElement, seq: bigint): void {
    // the pending rows stay last; find the first shown message with a higher seq
    let before: Element | null = null;
    for (const child of this.list.children) {
      const s = (child as HTMLElement).dataset.seq;
      if (s === undefined) {
        before = child;
        break;
      }
      if (BigInt(s) > seq) {
        before = child;
        break;
      }
    }
    this.list.insertBefore(li, before);
  }

  private row(m: Message): HTMLLIElement {
    const time = h('time', { datetime: new Date(m.serverTime).toISOString(), title: new Date(m.serverTime).toLocaleString() },
      shortTime(m.serverTime));
    if (m.type === 'SYSTEM') {
      const li = h('li', { class: 'system', 'data-testid': 'system-message', 'data-seq': m.seq.toString() },
        h('span', { class: 'system-text' }, capitalized(describeGroupEvent(m, (uid) => this.nameOf(uid)))), ' ', time);
      (li as HTMLElement & { message?: Message }).message = m;
      return li;
    }
    const mine = m.senderUid === this.client.uid;
    const text = m.status === 'RECALLED' ? 'Message recalled' : m.status === 'DELETED' ? 'Deleted'
      : m.type === 'TEXT' || m.type === 'EMOJI' ? m.text : `[${m.type.toLowerCase()}] ${m.text}`;
    const showSender = !mine && this.ref.type === 'GROUP';
    return h('li', { class: 'message' + (mine ? ' mine' : '') + (m.status !== 'NORMAL' ? ' gone' : ''),
      'data-testid': 'message', 'data-seq': m.seq.toString(), 'data-msg-id': m.msgId, 'data-mine': String(mine),
      'data-sender-uid': m.senderUid, 'data-state': mine ? 'ACKED' : 'RECEIVED' },
      showSender ? h('span', { class: 'sender', 'data-testid': 'message-sender' }, this.senderName(m.senderUid)) : null,
      h('div', { class: 'bubble' }, h('p', { class: 'text', 'data-testid': 'message-text' }, text)),
      h('div', { class: 'meta' }, time,
        mine ? h('span', { class: 'state', 'data-testid': 'message-state', title: `stored as #${m.seq}` }, ' · Sent') : null,
        h('span', { class: 'visually-hidden' }, mine ? ' (you)' : ` from ${this.senderName(m.senderUid)}`)));
  }

  private nameOf(uid: string): string {
    return uid === this.client.uid ? 'you' : this.directory.userName(uid);
  }

  private senderName(uid: string): string {
    return uid === this.client.uid ? 'You' : this.directory.userName(uid);
  }

  private async loadOlder(): Promise<void> {
    if (this.loadingOlder || !this.hasMore || this.oldestSeq === undefined) {
      return;
    }
    this.loadingOlder = true;
    this.olderButton.disabled = true;
    const scroller = this.list.parentElement!;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    try {
      const page = await this.client.history(this.ref.conversationId, { beforeSeq: this.oldestSeq, limit: PAGE });
      this.hasMore = page.hasMore && page.messages.length > 0;
      for (const m of page.messages) {
        this.add(m, false);
      }
      scroller.scrollTop = scroller.scrollHeight - fromBottom; // keep the reader's place
    } catch (e) {
      this.status.textContent = `Could not load older messages: ${(e as Error).message}`;
    } finally {
      this.loadingOlder = false;
      this.olderButton.disabled = false;
      this.updateHistoryStatus();
    }
  }

  private updateHistoryStatus(): void {
    this.olderButton.hidden = !this.hasMore;
    this.status.removeAttribute('role');
    this.status.textContent = this.hasMore ? ''
      : this.bySeq.size === 0 ? 'No messages yet. Say hello!' : 'This is the beginning of the conversation.';
    this.status.hidden = this.hasMore;
  }

  private onScroll(scroller: HTMLElement): void {
    if (scroller.scrollTop < 40 && this.hasMore) {
      void this.loadOlder();
    }
  }

  private nearBottom(): boolean {
    const s = this.list.parentElement!;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  private scrollToBottom(): void {
    const s = this.list.parentElement!;
    s.scrollTop = s.scrollHeight;
  }
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
