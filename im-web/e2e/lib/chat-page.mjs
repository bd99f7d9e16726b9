// A person using the chat page, in the words of the page's data-testid attributes (im-web/chat/src).
export const LONG = 60_000;

export class ChatPage {
  constructor(name, page, shots) {
    this.name = name;
    this.page = page;
    this.shots = shots;
    this.consoleErrors = [];
    this.console = [];
    page.on('console', (m) => {
      this.console.push(`${new Date().toISOString()} ${m.type()} ${m.text()}`);
      if (m.type() === 'error') this.consoleErrors.push(m.text());
      if (process.env.MAGPIE_E2E_VERBOSE) console.log(`[${name} console.${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
  }

  byId(id) {
    return this.page.getByTestId(id);
  }

  async shot(step) {
    return this.shots.take(this.page, `${this.name}-${step}`);
  }

  async goto(url) {
    await this.page.goto(url);
  }

  async signUp(username, password) {
    await this.byId('auth-username').fill(username);
    await this.byId('auth-password').fill(password);
    await this.byId('signup-button').click();
    await this.waitForState('CONNECTED');
  }

  /** Waits until the connection badge shows state (CONNECTED, RECONNECTING, ...). */
  async waitForState(state, timeout = LONG) {
    await this.page.locator(`[data-testid="connection-state"][data-state="${state}"]`).waitFor({ timeout });
  }

  /** Waits until the connection badge shows any state but CONNECTED; returns the state it showed. */
  async waitForNotConnected(timeout = LONG) {
    const badge = this.page.locator('[data-testid="connection-state"]:not([data-state="CONNECTED"])');
    await badge.waitFor({ timeout });
    return badge.getAttribute('data-state');
  }

  async startChat(username) {
    await this.byId('new-chat-user').fill(username);
    await this.byId('new-chat-button').click();
    await this.page.locator('[data-testid="conversation-view"]').waitFor();
    await this.waitForTitle(username);
  }

  async createGroup(name, members) {
    await this.page.locator('[data-testid="new-group-form"] summary').click();
    await this.byId('new-group-name').fill(name);
    await this.byId('new-group-members').fill(members.join(', '));
    await this.byId('new-group-button').click();
    await this.page.locator('[data-testid="conversation-view"][data-conversation-id^="g_"]').waitFor({ timeout: LONG });
    return this.openConversationId();
  }

  async waitForTitle(title) {
    await this.page.locator('[data-testid="conversation-title"]', { hasText: title }).waitFor({ timeout: LONG });
  }

  async openConversationId() {
    return this.page.locator('[data-testid="conversation-view"]').getAttribute('data-conversation-id');
  }

  /** Clicks the conversation named name in the list. */
  async open(name) {
    await this.conversationItem(name).click();
    await this.waitForTitle(name);
  }

  conversationItem(name) {
    return this.page.locator('[data-testid="conversation-item"]', {
      has: this.page.locator('[data-testid="conversation-name"]', { hasText: name }),
    });
  }

  /** The unread count the list shows for the conversation named name (0 without a badge). */
  async unreadOf(name) {
    return Number(await this.conversationItem(name).getAttribute('data-unread'));
  }

  async totalUnread() {
    return Number(await this.byId('total-unread').getAttribute('data-count'));
  }

  /** Types text into the composer and presses Enter; does not wait for the acknowledgement. */
  async type(text) {
    await this.byId('composer-input').fill(text);
    await this.byId('composer-input').press('Enter');
  }

  /** Sends text and waits until the server acknowledged it (the row shows "Sent"). */
  async send(text) {
    await this.type(text);
    await this.waitForOwn(text, 'ACKED');
  }

  async waitForOwn(text, state, timeout = LONG) {
    await this.message(text).and(this.page.locator(`[data-mine="true"][data-state="${state}"]`)).waitFor({ timeout });
  }

  /** The open conversation's message rows whose text is exactly text. */
  message(text) {
    return this.page.locator('[data-testid="message"]', {
      has: this.page.getByTestId('message-text').getByText(text, { exact: true }),
    });
  }

  async waitForMessage(text, timeout = LONG) {
    await this.message(text).first().waitFor({ timeout });
  }

  async countMessage(text) {
    return this.message(text).count();
  }

  async systemLines() {
    return this.page.getByTestId('system-message').allInnerTexts();
  }

  /** The seqs of the open conversation's rows, in page order. */
  async seqs() {
    return this.page.locator('[data-testid="message-list"] > [data-seq]').evaluateAll(
      (rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
  }

  /** The open conversation's row of seq. */
  messageAt(seq) {
    return this.page.locator(`[data-testid="message"][data-seq="${seq}"]`);
  }

  /** The seq of the (first) row whose text is exactly text. */
  async seqOf(text) {
    return this.message(text).first().getAttribute('data-seq');
  }

  /** Recalls own message text through its row's Recall button. */
  async recall(text) {
    const row = this.message(text).first();
    await row.hover();
    await row.getByTestId('recall-button').click();
  }

  async waitForRecalled(seq, timeout = LONG) {
    await this.messageAt(seq).and(this.page.locator('[data-status="RECALLED"]'))
      .filter({ hasText: '(message recalled)' }).waitFor({ timeout });
  }

  /** Waits until own message text shows "Read". */
  async waitForRead(text, timeout = LONG) {
    await this.message(text).and(this.page.locator('[data-read="true"]'))
      .filter({ hasText: 'Read' }).waitFor({ timeout });
  }

  async waitForTyping(who, timeout = LONG) {
    await this.page.locator('[data-testid="typing-indicator"]', { hasText: `${who} is typing…` }).waitFor({ timeout });
  }

  /** Waits until the open one-to-one conversation's header shows the peer online. */
  async waitForPeerOnline(timeout = LONG) {
    await this.page.locator('[data-testid="conversation-subtitle"][data-online="true"]', { hasText: 'online' })
      .waitFor({ timeout });
  }

  async openFriends() {
    await this.byId('friends-button').click();
    await this.byId('friends-panel').waitFor();
  }

  async requestFriend(username, message) {
    await this.byId('friend-user').fill(username);
    await this.byId('friend-message').fill(message);
    await this.byId('friend-request-button').click();
    await this.person('outgoing-request', username).waitFor({ timeout: LONG });
  }

  /** A row of the Friends panel's list kind (incoming-request, outgoing-request, friend, blocked-user) naming username. */
  person(kind, username) {
    return this.page.locator(`[data-testid="${kind}"]`, {
      has: this.page.locator('[data-testid="person-name"]', { hasText: username }),
    });
  }

  /** Opens the group panel of the open group conversation ("Members"). */
  async openMembers() {
    if (await this.byId('members-button').getAttribute('aria-expanded') !== 'true') await this.byId('members-button').click();
    await this.byId('group-panel').waitFor();
  }

  /** The group panel's row of username. */
  member(username) {
    return this.page.locator(`[data-testid="group-member"][data-name="${username}"]`);
  }

  async inviteToGroup(username) {
    await this.byId('group-invite-input').fill(username);
    await this.byId('group-invite-button').click();
    await this.member(username).waitFor({ timeout: LONG });
  }

  async waitForSystemLine(text, timeout = LONG) {
    await this.page.locator('[data-testid="system-message"]', { hasText: text }).first().waitFor({ timeout });
  }

  /** Attaches a file through the composer's attach button (uploaded and sent at once). */
  async attach(name, mimeType, buffer) {
    await this.byId('attach-input').setInputFiles({ name, mimeType, buffer });
  }

  /** Waits until the row of seq shows its image, loaded through a signed URL. */
  async waitForImage(seq, timeout = LONG) {
    await this.messageAt(seq).getByTestId('message-image').waitFor({ timeout });
    await this.page.waitForFunction((s) => {
      const img = document.querySelector(`[data-testid="message"][data-seq="${s}"] img[data-testid="message-image"]`);
      return img !== null && img.complete && img.naturalWidth > 0;
    }, seq, { timeout });
  }

  /** Replies to the row of seq with text and waits for the acknowledgement. */
  async replyTo(seq, text) {
    const row = this.messageAt(seq);
    await row.hover();
    await row.getByTestId('reply-button').click();
    await this.byId('composer-context').filter({ hasText: 'Replying to' }).waitFor();
    await this.send(text);
  }

  /** Reacts to the message text with emoji through its React button. */
  async react(text, emoji) {
    const row = this.message(text).first();
    await row.hover();
    await row.getByTestId('react-button').click();
    await row.locator(`[data-testid="reaction-option"][data-emoji="${emoji}"]`).click();
  }

  /** The reaction chip of emoji under the message text. */
  reactionChip(text, emoji) {
    return this.message(text).first().locator(`[data-testid="reaction-chip"][data-emoji="${emoji}"]`);
  }

  /** Edits own message text to next through its Edit button and the composer. */
  async edit(text, next) {
    const row = this.message(text).first();
    await row.hover();
    await row.getByTestId('edit-button').click();
    await this.byId('composer-context').filter({ hasText: 'Editing your message' }).waitFor();
    await this.type(next);
    await this.message(next).and(this.page.locator('[data-edited="true"]')).waitFor({ timeout: LONG });
  }

  /** The "@" badge of the conversation named name in the list. */
  mentionBadge(name) {
    return this.conversationItem(name).getByTestId('mention-badge');
  }

  /** Sets your status text in the header's presence menu. */
  async setStatusText(text) {
    await this.byId('presence-button').click();
    await this.byId('status-text-input').fill(text);
    await this.byId('status-text-input').press('Enter');
    await this.page.locator('[data-testid="own-status-text"]', { hasText: text }).waitFor({ timeout: LONG });
  }
}
