import type { MagpieClient, MagpieError, MediaSendOptions, Message, Outgoing, SendOptions } from '@magpie/sdk';
import { pendingText, round2, type GroupsApi } from './client-api';
import { ComposerContext, type ComposerMode } from './composer-context';
import type { ConversationRef } from './conversation-id';
import type { Directory } from './directory';
import { h, replaceChildren } from './dom';
import { describeGroupEvent, RECALLED_TEXT, shortTime, typeLabel } from './format';
import { GroupPanel, MEMBERSHIP_SENTENCE, type Membership } from './group-panel';
import { describePresence, type PresenceBook } from './presence';
import {
  mediaBlock, quoteBlock, reactionChips, reactionPicker, textWithMentions, type PartsContext,
} from './rich-message';

const PAGE = 30;
/** A typing indicator without a new TYPING goes away after this long (the SDK sends one per 3 s). */
const TYPING_SHOWN_MS = 5000;

/** The gate's refusals of RECALL / DELETE / CLEAR in the page's words; anything else keeps the SDK's message. */
const REFUSALS: Record<string, string> = {
  RECALL_WINDOW_PASSED: 'Too late to recall: the time allowed for recalling this message has passed.',
  EDIT_WINDOW_PASSED: 'Too late to edit: the time allowed for editing this message has passed.',
  REACTION_LIMIT: 'This message has as many different reactions as it can take: pick one of those.',
  MENTION_ALL_NOT_ALLOWED: 'Only the group’s owner and admins may mention everyone (@all).',
  CONTENT_REJECTED: 'The message contains a word that is not allowed here.',
  FORBIDDEN: 'You may not do that with this message.',
  NOT_FOUND: 'That message no longer exists.',
};

/** Types whose text (or caption) their sender may edit from this page. */
const EDITABLE = new Set<Message['type']>(['TEXT', 'EMOJI', 'IMAGE', 'FILE']);

function plainError(e: unknown): string {
  const error = e as MagpieError;
  return (error?.code && REFUSALS[error.code]) || (error?.message ?? String(e));
}

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
  private readonly subtitle: HTMLElement;
  private readonly pinButton: HTMLButtonElement;
  private readonly muteButton: HTMLButtonElement;
  private readonly confirmBar: HTMLElement;
  private readonly actionError: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly typers = new Map<string, ReturnType<typeof setTimeout>>();
  private peerReadSeq = 0n;
  private clearedSeq = 0n;
  private readonly offPresence: () => void;
  private readonly sendButton: HTMLButtonElement;
  private readonly closedNote: HTMLElement;
  private readonly groupPanel: GroupPanel | undefined;
  private readonly context: ComposerContext;
  private readonly attachInput: HTMLInputElement;
  private readonly attachButton: HTMLButtonElement;
  /** What the rich parts of a message (quote, media, mentions, reactions) need from this view. */
  private readonly parts: PartsContext;

  constructor(
    private readonly client: MagpieClient,
    private readonly directory: Directory,
    readonly ref: ConversationRef,
    private readonly presence: PresenceBook,
    groups: GroupsApi,
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
      onkeydown: (e: Event) => this.onKey(e as KeyboardEvent),
      // the SDK throttles TYPING to one per 3 s per conversation
      oninput: () => this.input.value.trim() && round2(this.client).sendTyping(this.ref.conversationId) });
    this.attachInput = h('input', { type: 'file', class: 'visually-hidden', id: 'composer-attach', multiple: true,
      tabindex: -1, 'aria-hidden': 'true', 'data-testid': 'attach-input', onchange: () => this.attachChosen() });
    this.attachButton = h('button', { type: 'button', class: 'secondary attach', 'data-testid': 'attach-button',
      title: 'Attach a photo or file: it is uploaded and sent at once (the typed text goes along as its caption)',
      onclick: () => this.attachInput.click() }, 'Attach');
    const form = h('form', { class: 'composer', 'data-testid': 'composer', onsubmit: (e: Event) => {
      e.preventDefault();
      this.sendTyped();
    } },
      h('label', { for: 'composer-input', class: 'visually-hidden' }, 'Message'),
      this.attachButton, this.attachInput,
      this.input,
      this.sendButton = h('button', { type: 'submit', 'data-testid': 'send-button' }, 'Send'));
    this.context = new ComposerContext((was) => this.contextCancelled(was));
    this.parts = {
      client,
      nameOf: (uid) => this.senderName(uid),
      userName: (uid) => this.directory.userName(uid),
      showQuoted: (seq) => this.showQuoted(seq),
      react: (m, emoji) => this.react(m, emoji),
    };
    this.closedNote = h('p', { class: 'composer-closed', role: 'status', 'data-testid': 'composer-closed' });
    this.closedNote.hidden = true;
    const scroller = h('div', { class: 'message-scroller', 'data-testid': 'message-scroller',
      onscroll: () => this.onScroll(scroller) }, this.olderButton, this.status, this.list);
    this.subtitle = h('p', { class: 'muted conversation-kind', 'data-testid': 'conversation-subtitle' });
    this.pinButton = h('button', { type: 'button', class: 'toggle', 'aria-pressed': 'false', 'data-testid': 'pin-button',
      onclick: () => this.toggle('pin') }, 'Pin');
    this.muteButton = h('button', { type: 'button', class: 'toggle', 'aria-pressed': 'false', 'data-testid': 'mute-button',
      onclick: () => this.toggle('mute') }, 'Mute');
    const clearButton = h('button', { type: 'button', class: 'toggle', 'data-testid': 'clear-button',
      'aria-controls': 'clear-confirm', onclick: () => this.askClear(true) }, 'Clear history');
    this.actionError = h('p', { class: 'error', role: 'alert', 'data-testid': 'conversation-error' });
    this.confirmBar = h('div', { class: 'confirm-bar', id: 'clear-confirm', role: 'alertdialog',
      'aria-labelledby': 'clear-confirm-text', 'data-testid': 'clear-confirm' },
      h('span', { id: 'clear-confirm-text' }, 'Clear all messages of this conversation for you? Others keep theirs.'),
      h('button', { type: 'button', class: 'danger', 'data-testid': 'clear-confirm-button', onclick: () => this.clear() },
        'Clear'),
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'clear-cancel-button',
        onclick: () => this.askClear(false) }, 'Cancel'));
    this.confirmBar.hidden = true;
    this.typing = h('p', { class: 'typing muted', 'aria-live': 'polite', 'data-testid': 'typing-indicator' });
    let membersButton: HTMLButtonElement | undefined;
    if (ref.type === 'GROUP') {
      const panel = this.groupPanel = new GroupPanel(ref.targetId, client, directory, groups, (m) => this.showMembership(m));
      membersButton = h('button', { type: 'button', class: 'toggle', 'aria-expanded': 'false', 'aria-controls': panel.element.id,
        'data-testid': 'members-button', onclick: () => {
          panel.show(!panel.shown);
          membersButton!.setAttribute('aria-expanded', String(panel.shown));
        } }, 'Members');
      panel.element.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') {
          panel.show(false);
          membersButton!.setAttribute('aria-expanded', 'false');
          membersButton!.focus();
        }
      });
    }
    this.element = h('section', { class: 'conversation-view', 'aria-labelledby': 'conversation-title',
      'data-testid': 'conversation-view', 'data-conversation-id': ref.conversationId },
      h('header', { class: 'conversation-header' },
        h('div', { class: 'conversation-heading' }, this.title, this.subtitle),
        h('div', { class: 'conversation-actions', role: 'group', 'aria-label': 'Conversation settings' },
          membersButton, this.pinButton, this.muteButton, clearButton)),
      this.groupPanel?.element, this.confirmBar, this.actionError, scroller, this.typing, this.closedNote,
      this.context.element, form);
    this.renderTitle();
    this.offPresence = presence.onChange((p) => {
      if (p.uid === this.peerUid()) {
        this.renderSubtitle();
      }
    });
    presence.watch('peer', ref.type === 'SINGLE' ? [ref.targetId] : []);
    this.renderSubtitle();
    this.onConversation();
  }

  /** The peer of a one-to-one conversation (undefined in a group). */
  private peerUid(): string | undefined {
    return this.ref.type === 'SINGLE' ? this.ref.targetId : undefined;
  }

  private renderSubtitle(): void {
    const peer = this.peerUid();
    if (!peer) {
      this.subtitle.textContent = 'Group';
      return;
    }
    const p = this.presence.get(peer);
    this.subtitle.textContent = p ? describePresence(p) : 'Direct message';
    this.subtitle.dataset.online = String(p?.online ?? false);
    this.subtitle.classList.toggle('online', p?.online ?? false);
  }

  /** The conversation's row changed (read by the peer, muted, pinned, cleared): show it. */
  onConversation(): void {
    const c = this.client.conversation(this.ref.conversationId);
    if (!c) {
      return;
    }
    const pinned = c.pinnedAt > 0;
    this.pinButton.setAttribute('aria-pressed', String(pinned));
    this.pinButton.textContent = pinned ? 'Unpin' : 'Pin';
    this.muteButton.setAttribute('aria-pressed', String(c.muted));
    this.muteButton.textContent = c.muted ? 'Unmute' : 'Mute';
    if (c.clearedSeq > this.clearedSeq) {
      this.clearedSeq = c.clearedSeq;
      for (const [key, li] of this.bySeq) {
        if (BigInt(key) <= c.clearedSeq) {
          li.remove();
          this.bySeq.delete(key);
        }
      }
      this.oldestSeq = undefined;
      for (const key of this.bySeq.keys()) {
        if (this.oldestSeq === undefined || BigInt(key) < this.oldestSeq) {
          this.oldestSeq = BigInt(key);
        }
      }
      this.hasMore = this.hasMore && this.oldestSeq !== undefined;
      this.updateHistoryStatus();
    }
    if (this.ref.type === 'SINGLE' && c.peerReadSeq > this.peerReadSeq) {
      this.peerReadSeq = c.peerReadSeq;
      for (const li of this.list.querySelectorAll<HTMLElement>('[data-mine="true"][data-seq]')) {
        this.showReadState(li);
      }
    }
  }

  /** Someone typing here: "bob is typing…" until their message arrives or TYPING_SHOWN_MS pass. */
  onTyping(e: { conversationId: string; uid: string }): void {
    if (e.conversationId !== this.ref.conversationId || e.uid === this.client.uid) {
      return;
    }
    clearTimeout(this.typers.get(e.uid));
    this.typers.set(e.uid, setTimeout(() => this.stopTyping(e.uid), TYPING_SHOWN_MS));
    this.renderTyping();
  }

  private stopTyping(uid: string): void {
    clearTimeout(this.typers.get(uid));
    if (this.typers.delete(uid)) {
      this.renderTyping();
    }
  }

  private renderTyping(): void {
    const names = [...this.typers.keys()].map((uid) => this.directory.userName(uid));
    this.typing.textContent = names.length === 0 ? ''
      : names.length === 1 ? `${names[0]} is typing…`
        : names.length <= 3 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing…`
          : 'Several people are typing…';
  }

  private toggle(which: 'pin' | 'mute'): void {
    const c = this.client.conversation(this.ref.conversationId);
    const api = round2(this.client);
    const button = which === 'pin' ? this.pinButton : this.muteButton;
    const on = button.getAttribute('aria-pressed') !== 'true';
    button.disabled = true;
    this.actionError.textContent = '';
    const action = which === 'pin' ? api.setPinned(this.ref.conversationId, on) : api.setMuted(this.ref.conversationId, on);
    action
      .then(() => {
        if (!c) {
          this.onConversation();
        }
      })
      .catch((e: unknown) => (this.actionError.textContent = `Could not ${on ? '' : 'un'}${which}: ${plainError(e)}`))
      .finally(() => (button.disabled = false));
  }

  private askClear(show: boolean): void {
    this.confirmBar.hidden = !show;
    if (show) {
      this.confirmBar.querySelector<HTMLButtonElement>('.secondary')!.focus();
    } else {
      this.element.querySelector<HTMLButtonElement>('[data-testid="clear-button"]')!.focus();
    }
  }

  private clear(): void {
    this.confirmBar.hidden = true;
    this.actionError.textContent = '';
    round2(this.client).clearHistory(this.ref.conversationId).then(
      () => this.onConversation(),
      (e: unknown) => (this.actionError.textContent = `Could not clear the history: ${plainError(e)}`));
    this.input.focus();
  }

  private recall(li: HTMLElement, seq: bigint): void {
    this.rowError(li, '');
    round2(this.client).recall(this.ref.conversationId, seq)
      .catch((e: unknown) => this.rowError(li, plainError(e)));
  }

  private deleteForMe(li: HTMLElement, seq: bigint): void {
    this.rowError(li, '');
    round2(this.client).deleteForMe(this.ref.conversationId, [seq])
      .catch((e: unknown) => this.rowError(li, `Could not delete: ${plainError(e)}`));
  }

  /** Shows (or clears) a refusal under the message row it concerns. */
  private rowError(li: HTMLElement, text: string): void {
    const current = this.bySeq.get(li.dataset.seq ?? '') ?? li;
    const line = current.querySelector<HTMLElement>('[data-testid="message-error"]');
    if (line) {
      line.textContent = text;
    }
  }

  /** "Sent" or, in a one-to-one chat the peer has read up to here, "Read". */
  private showReadState(li: HTMLElement): void {
    const state = li.querySelector<HTMLElement>('[data-testid="message-state"]');
    if (!state || li.dataset.status !== 'NORMAL') {
      return;
    }
    const read = this.ref.type === 'SINGLE' && BigInt(li.dataset.seq!) <= this.peerReadSeq;
    li.dataset.read = String(read);
    state.textContent = read ? ' · Read' : ' · Sent';
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
      this.showPendingSends();
      this.updateHistoryStatus();
      this.scrollToBottom();
      this.markRead();
      void this.groupPanel?.refresh();
    } catch (e) {
      this.status.textContent = `Could not load the history: ${(e as Error).message}`;
      this.status.setAttribute('role', 'alert');
    }
  }

  close(): void {
    this.closed = true;
    this.offPresence();
    this.typers.forEach((t) => clearTimeout(t));
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
    this.stopTyping(m.senderUid);
    this.groupPanel?.onMessage(m);
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
    this.groupPanel?.refreshNames();
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
    } else if (e.key === 'Escape' && this.context.mode) {
      e.preventDefault();
      this.context.cancel();
    }
  }

  private sendTyped(): void {
    const text = this.input.value.trim();
    const mode = this.context.mode;
    if (mode?.kind === 'edit') {
      if (!text && (mode.message.type === 'TEXT' || mode.message.type === 'EMOJI')) {
        return;
      }
      this.input.value = '';
      this.context.clear();
      this.saveEdit(mode.message, text);
      this.input.focus();
      return;
    }
    if (!text) {
      return;
    }
    this.input.value = '';
    const options = this.sendOptions(text);
    this.context.clear();
    this.send(text, undefined, options);
    this.input.focus();
  }

  /**
   * The reply of the composer's context and, in a group, the members the text mentions: "@name" of a member (by
   * user name, any case) and "@all" (the server refuses it from members who are not admins).
   */
  private sendOptions(text: string): SendOptions {
    const options: SendOptions = {};
    const mode = this.context.mode;
    if (mode?.kind === 'reply') {
      options.replyTo = mode.message.seq;
    }
    if (this.ref.type !== 'GROUP' || !text.includes('@')) {
      return options;
    }
    const byName = new Map((this.groupPanel?.memberUids() ?? []).filter((uid) => uid !== this.client.uid)
      .map((uid) => [this.directory.userName(uid).toLowerCase(), uid]));
    const uids = new Set<string>();
    for (const match of text.matchAll(/(?:^|[^\w@])@([\w.-]+)/gu)) {
      const name = match[1]!.replace(/[.-]+$/, '').toLowerCase();
      if (name === 'all') {
        options.mentionAll = true;
      } else if (byName.has(name)) {
        uids.add(byName.get(name)!);
      }
    }
    if (uids.size > 0) {
      options.mentionedUids = [...uids];
    }
    return options;
  }

  private contextCancelled(was: ComposerMode): void {
    if (was.kind === 'edit') {
      this.input.value = ''; // the text being edited was put there
    }
    this.input.focus();
  }

  /** The composer's next Send replies to m. */
  private startReply(m: Message): void {
    this.context.reply(m, this.senderName(m.senderUid));
    this.input.focus();
  }

  /** The composer holds m's text; its next Send saves the edit. */
  private startEdit(m: Message): void {
    this.context.edit(m);
    this.input.value = m.text;
    this.input.focus();
  }

  private saveEdit(m: Message, text: string): void {
    const li = this.bySeq.get(m.seq.toString());
    if (li) {
      this.rowError(li, '');
    }
    this.client.edit(this.ref.conversationId, m.seq, text)
      .catch((e: unknown) => li && this.rowError(li, `Could not edit: ${plainError(e)}`));
  }

  private react(m: Message, emoji: string | null): void {
    const li = this.bySeq.get(m.seq.toString());
    if (li) {
      this.rowError(li, '');
    }
    const done = emoji === null ? this.client.unreact(this.ref.conversationId, m.seq)
      : this.client.react(this.ref.conversationId, m.seq, emoji);
    done.catch((e: unknown) => li && this.rowError(li, `Could not react: ${plainError(e)}`));
  }

  /** Scrolls to a quoted message and highlights it for a moment (when it is loaded). */
  private showQuoted(seq: bigint): void {
    const li = this.bySeq.get(seq.toString());
    if (!li || li.hidden) {
      this.actionError.textContent = 'The quoted message is not loaded: load older messages to see it.';
      return;
    }
    li.scrollIntoView({ block: 'center', behavior: 'smooth' });
    li.classList.remove('flash');
    void li.offsetWidth; // restart the animation
    li.classList.add('flash');
  }

  /** Files chosen with the attach button: each uploaded and sent (an image as IMAGE, anything else as FILE). */
  private attachChosen(): void {
    const files = [...(this.attachInput.files ?? [])];
    this.attachInput.value = '';
    if (files.length === 0) {
      return;
    }
    // the typed text goes along as the (first) file's caption
    const caption = this.input.value.trim();
    this.input.value = '';
    const options = this.sendOptions(caption);
    this.context.clear();
    files.forEach((file, i) => this.sendUpload(file, { ...options, ...(i === 0 && caption ? { caption } : {}) }));
    this.input.focus();
  }

  private sendUpload(file: File, options: MediaSendOptions, replacing?: HTMLLIElement): void {
    const target = this.ref.type === 'GROUP' ? { group: this.ref.targetId } : { user: this.ref.targetId };
    const image = file.type.startsWith('image/');
    const out = image ? this.client.sendImage(target, file, options) : this.client.sendFile(target, file, options);
    const label = options.caption || file.name;
    const li = this.pendingRow(label, out.clientMsgId, replacing, 'Uploading…', 'UPLOADING');
    this.scrollToBottom();
    this.track(out, li, label, () => this.sendUpload(file, options, li));
  }

  /** Whether you can write here: a left, removed or dismissed group closes the composer with a sentence why. */
  private showMembership(m: Membership): void {
    const closed = m !== 'MEMBER';
    this.input.disabled = closed;
    this.sendButton.disabled = closed;
    this.attachButton.disabled = closed;
    if (closed) {
      this.context.clear();
    }
    this.input.placeholder = closed ? 'You cannot write here' : 'Write a message…';
    this.closedNote.hidden = !closed;
    this.closedNote.textContent = closed ? MEMBERSHIP_SENTENCE[m] : '';
    this.closedNote.dataset.membership = m;
  }

  /**
   * Sends of this conversation the SDK still holds unacknowledged (also from before a page reload: its outbox
   * is kept in the store and resent once connected): shown as Sending… and completed by their acknowledgement.
   */
  private showPendingSends(): void {
    for (const out of this.client.pending()) {
      if (out.conversationId !== this.ref.conversationId || this.pending.has(out.clientMsgId)) {
        continue;
      }
      const text = pendingText(out);
      this.track(out, this.pendingRow(text, out.clientMsgId), text);
    }
  }

  private send(text: string, replacing?: HTMLLIElement, options: SendOptions = {}): void {
    const target = this.ref.type === 'GROUP' ? { group: this.ref.targetId } : { user: this.ref.targetId };
    const retry = (row: HTMLLIElement) => () => this.send(text, row, options);
    let out: Outgoing;
    try {
      out = this.client.sendText(target, text, options);
    } catch (e) {
      const row = this.pendingRow(text, 'local-' + Date.now(), replacing);
      this.showFailed(row, text, e, retry(row));
      return;
    }
    const li = this.pendingRow(text, out.clientMsgId, replacing);
    this.scrollToBottom();
    this.track(out, li, text, retry(li));
  }

  /** Shows `li` as `out`'s row until its acknowledgement completes it, or its failure offers `retry`. */
  private track(out: Outgoing, li: HTMLLIElement, text: string, retry?: () => void): void {
    this.pending.set(out.clientMsgId, li);
    out.ack.then(
      (m) => this.acknowledged(out.clientMsgId, m),
      (e: unknown) => {
        this.pending.delete(out.clientMsgId);
        this.showFailed(li, text, e, retry);
      },
    );
  }

  private pendingRow(text: string, clientMsgId: string, replacing?: HTMLLIElement, stateText = 'Sending…',
                     state = 'SENDING'): HTMLLIElement {
    const li = h('li', { class: 'message mine', 'data-testid': 'message', 'data-mine': 'true',
      'data-state': state, 'data-client-msg-id': clientMsgId },
      h('div', { class: 'bubble' }, h('p', { class: 'text', 'data-testid': 'message-text' }, text)),
      h('div', { class: 'meta' }, h('span', { class: 'state', 'data-testid': 'message-state' }, stateText)));
    if (replacing) {
      replacing.replaceWith(li);
    } else {
      this.list.appendChild(li);
    }
    return li;
  }

  private showFailed(li: HTMLLIElement, text: string, e: unknown, retry: () => void = () => this.send(text, li)): void {
    li.dataset.state = 'FAILED';
    const reason = plainError(e);
    const state = li.querySelector('.state')!;
    replaceChildren(state as HTMLElement, h('span', { class: 'failed', title: reason }, 'Not sent. '),
      h('button', { type: 'button', class: 'link', 'data-testid': 'retry-button',
        'aria-label': `Retry sending “${text.slice(0, 40)}”`, onclick: retry }, 'Retry'));
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
    if (m.seq <= this.clearedSeq) {
      return; // cleared for this user (the SDK may still hold it)
    }
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
    const normal = m.status === 'NORMAL';
    const media = normal ? mediaBlock(m, this.parts) : null;
    const gone = m.status === 'RECALLED' ? RECALLED_TEXT : m.status === 'DELETED' ? 'Deleted' : undefined;
    const textParts = gone !== undefined ? [gone]
      : m.type === 'TEXT' || m.type === 'EMOJI' || media ? textWithMentions(m, this.parts)
        : [`[${typeLabel(m.type)}] `, ...textWithMentions(m, this.parts)];
    const textLine = h('p', { class: 'text', 'data-testid': 'message-text' }, ...textParts);
    textLine.hidden = media !== null && !m.text; // an image or file without a caption
    const showSender = !mine && this.ref.type === 'GROUP';
    const seq = m.seq;
    const label = m.text || m.media?.fileName || m.type.toLowerCase();
    const short = label.length > 30 ? label.slice(0, 30) + '…' : label;
    const edited = normal && m.editedAt > 0;
    const picker = normal ? reactionPicker(m, this.parts, () => {
      picker!.hidden = true;
      reactButton?.setAttribute('aria-expanded', 'false');
    }) : null;
    const reactButton = picker ? h('button', { type: 'button', class: 'link', 'data-testid': 'react-button',
      'aria-expanded': 'false', 'aria-label': `React to “${short}”`, onclick: () => {
        picker.hidden = !picker.hidden;
        reactButton!.setAttribute('aria-expanded', String(!picker.hidden));
        if (!picker.hidden) {
          picker.querySelector<HTMLButtonElement>('button')!.focus();
        }
      } }, 'React') : null;
    const li: HTMLLIElement = h('li', { class: 'message' + (mine ? ' mine' : '') + (normal ? '' : ' gone')
        + (normal && m.mentionsMe ? ' mentions-me' : ''),
      'data-testid': 'message', 'data-seq': seq.toString(), 'data-msg-id': m.msgId, 'data-mine': String(mine),
      'data-sender-uid': m.senderUid, 'data-state': mine ? 'ACKED' : 'RECEIVED', 'data-status': m.status,
      'data-type': m.type, 'data-version': m.version, 'data-edited': String(edited),
      'data-mentions-me': String(normal && m.mentionsMe) },
      showSender ? h('span', { class: 'sender', 'data-testid': 'message-sender' }, this.senderName(m.senderUid)) : null,
      h('div', { class: 'bubble' }, quoteBlock(m, this.parts), media, textLine),
      reactionChips(m, this.parts),
      h('div', { class: 'meta' }, time,
        edited ? h('span', { class: 'edited', 'data-testid': 'edited-mark',
          title: `edited ${new Date(m.editedAt).toLocaleString()}` }, ' · edited') : null,
        mine && normal
          ? h('span', { class: 'state', 'data-testid': 'message-state', title: `stored as #${seq}` }, ' · Sent') : null,
        h('span', { class: 'visually-hidden' }, mine ? ' (you)' : ` from ${this.senderName(m.senderUid)}`),
        h('span', { class: 'message-actions', role: 'group', 'aria-label': 'Message actions' },
          normal ? h('button', { type: 'button', class: 'link', 'data-testid': 'reply-button',
            'aria-label': `Reply to “${short}”`, onclick: () => this.startReply(m) }, 'Reply') : null,
          reactButton,
          mine && normal && EDITABLE.has(m.type)
            ? h('button', { type: 'button', class: 'link', 'data-testid': 'edit-button',
              'aria-label': `Edit “${short}”`, onclick: () => this.startEdit(m) }, 'Edit') : null,
          mine && normal
            ? h('button', { type: 'button', class: 'link', 'data-testid': 'recall-button',
              'aria-label': `Recall “${short}”`, onclick: () => this.recall(li, seq) }, 'Recall') : null,
          h('button', { type: 'button', class: 'link', 'data-testid': 'delete-button',
            'aria-label': `Delete “${normal ? short : gone}” for me`, onclick: () => this.deleteForMe(li, seq) },
          'Delete for me'))),
      picker,
      h('p', { class: 'error message-error', role: 'alert', 'data-testid': 'message-error' }));
    // deleted for this user: kept (hidden) so that the seq is not shown again by a later page
    li.hidden = m.status === 'DELETED';
    this.showReadState(li);
    return li;
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
