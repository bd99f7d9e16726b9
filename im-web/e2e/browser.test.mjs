// The web chat page (im-web/chat) in Debian's Chromium against a real Magpie standalone: two browser users,
// the Java SDK's terminal client over TCP, a group of the three, a page reload and a server restart.
// Run: npm run test:browser (in im-web). Screenshots: im-web/target/screenshots/.
//
// The page is <accountUrl>/chat/ as the server serves it; MAGPIE_WEB_URL overrides that, and MAGPIE_WEB_DIST=1
// serves im-web/chat/dist through e2e/lib/dist-server.mjs instead (for servers without /chat/).
// MAGPIE_JAR names the jar (default im-server/target/magpie.jar).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium, Screenshots, SCREENSHOT_DIR, skipReason } from './lib/browser.mjs';
import { ChatPage, LONG } from './lib/chat-page.mjs';
import { startDistServer } from './lib/dist-server.mjs';
import { makePng } from './lib/png.mjs';
import { TerminalChat } from './lib/terminal-chat.mjs';

const JAR = process.env.MAGPIE_JAR ?? resolve(fileURLToPath(new URL('../../im-server/target/magpie.jar', import.meta.url)));
const PASSWORD = { alice: 'alice-secret-1', bob: 'bob-secret-12', carol: 'carol-secret-1', dave: 'dave-secret-12' };
const STEP = { timeout: 240_000 };
/** The pages' consoles and the server's log, kept after the run. */
const LOG_DIR = resolve(SCREENSHOT_DIR, '../e2e-logs');

describe('the web chat page in Chromium', { skip: skipReason() }, () => {
  let magpie, distServer, browser, webUrl, dataDir;
  let alice, bob, dave, carolToAlice, carolToBob;
  let groupId;
  const shots = new Screenshots();

  before(async () => {
    assert.ok(existsSync(JAR), `no Magpie jar at ${JAR}: build it with ./mvnw -o -B -q package -pl im-server -am `
      + '-DskipTests (or set MAGPIE_JAR)');
    const { startStandalone } = await import('./standalone.mjs');
    dataDir = mkdtempSync(join(tmpdir(), 'magpie-web-e2e-'));
    mkdirSync(LOG_DIR, { recursive: true });
    rmSync(join(LOG_DIR, 'magpie.log'), { force: true });
    magpie = await startStandalone({ jar: JAR, dataDir, logFile: join(LOG_DIR, 'magpie.log') });
    webUrl = await pageUrl(magpie);
    console.log(`magpie: account API ${magpie.accountUrl}, LSB ${magpie.lsbUrl}; page ${webUrl}`);
    browser = await launchChromium();
    alice = new ChatPage('alice', await (await browser.newContext()).newPage(), shots);
    bob = new ChatPage('bob', await (await browser.newContext()).newPage(), shots);
  }, { timeout: 300_000 });

  after(async () => {
    await Promise.allSettled([carolToAlice?.stop(), carolToBob?.stop()]);
    await browser?.close();
    await distServer?.close();
    await magpie?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    for (const p of [alice, bob, dave, carolToAlice, carolToBob]) {
      if (p) writeFileSync(join(LOG_DIR, `${p.name}.log`), (p.console ?? p.lines).join('\n') + '\n');
    }
    console.log(`logs of the pages, the terminal clients and the server: ${LOG_DIR}`);
  });

  async function pageUrl({ accountUrl, lsbUrl }) {
    if (process.env.MAGPIE_WEB_URL) return process.env.MAGPIE_WEB_URL;
    if (process.env.MAGPIE_WEB_DIST === '1') {
      distServer = await startDistServer({ accountUrl, lsbUrl });
      return distServer.url;
    }
    const url = `${accountUrl}/chat/`;
    const res = await fetch(url + 'config.json');
    assert.equal(res.status, 200, `${url}config.json answered ${res.status}: this server does not serve the chat page; `
      + 'set MAGPIE_WEB_DIST=1 to serve im-web/chat/dist from the test instead');
    return url;
  }

  /** A step: on failure, screenshots of both pages before the error goes on. */
  function step(name, body) {
    it(name, STEP, async () => {
      try {
        await body();
      } catch (e) {
        await Promise.allSettled([alice?.shot('FAILED'), bob?.shot('FAILED'), dave?.shot('FAILED')]);
        throw e;
      }
    });
  }

  step('alice and bob sign up in two browsers', async () => {
    await alice.goto(webUrl);
    await alice.shot('sign-in-form');
    await alice.signUp('alice', PASSWORD.alice);
    await bob.goto(webUrl);
    await bob.signUp('bob', PASSWORD.bob);
    await alice.shot('signed-up');
  });

  step('alice writes to bob: bob sees the unread count, reads, answers; both see each message once', async () => {
    await alice.startChat('bob');
    await alice.send('Hello Bob, this is Alice on the web.');
    await alice.send('Second message, to count unread.');
    await bob.conversationItem('alice').waitFor({ timeout: LONG });
    await bob.page.locator('[data-testid="conversation-item"][data-unread="2"]').waitFor({ timeout: LONG });
    assert.equal(await bob.totalUnread(), 2);
    await bob.shot('two-unread');
    await bob.open('alice');
    await bob.waitForMessage('Second message, to count unread.');
    await bob.page.locator('[data-testid="total-unread"][data-count="0"]').waitFor({ timeout: LONG });
    await bob.send('Hi Alice! Bob here.');
    await alice.waitForMessage('Hi Alice! Bob here.');
    for (const p of [alice, bob]) {
      assert.equal(await p.countMessage('Hello Bob, this is Alice on the web.'), 1);
      assert.equal(await p.countMessage('Hi Alice! Bob here.'), 1);
    }
    await alice.shot('chat-with-bob');
    await bob.shot('chat-with-alice');
  });

  step('a refused message shows "Not sent"; Retry sends it once the refusal is gone', async () => {
    // bob takes one-to-one messages from friends only for a moment (PUT /v1/me/settings/dm-policy): NOT_FRIEND
    const bobApi = await apiLogin('bob', 'e2e-api');
    await dmPolicy(bobApi, 'FRIENDS');
    const text = 'Bob only takes this one after a retry.';
    await alice.type(text);
    await alice.waitForOwn(text, 'FAILED');
    await alice.shot('not-sent');
    await dmPolicy(bobApi, 'ANYONE');
    await alice.message(text).getByTestId('retry-button').click();
    await alice.waitForOwn(text, 'ACKED');
    await bob.waitForMessage(text);
    assert.equal(await alice.countMessage(text), 1);
    assert.equal(await bob.countMessage(text), 1);
  });

  step('bob is online in the header of alice\'s chat; bob types and alice sees it', async () => {
    await alice.waitForPeerOnline();
    // key by key for a few seconds: the SDK sends one TYPING per 3 s, and bob's last one (his answer above) may
    // be less than 3 s old
    const typing = bob.byId('composer-input').pressSequentially('Bob is thinking about it', { delay: 150 });
    await alice.waitForTyping('bob');
    await typing;
    await alice.shot('bob-typing');
    await bob.byId('composer-input').fill('');
  });

  step('alice recalls a message: both pages show it recalled; bob reads and alice sees "Read"', async () => {
    const oops = 'Oops, that was for someone else.';
    await alice.send(oops);
    await bob.waitForMessage(oops);
    const seq = await alice.seqOf(oops);
    await alice.recall(oops);
    await alice.waitForRecalled(seq);
    await bob.waitForRecalled(seq);
    assert.equal(await bob.countMessage(oops), 0, 'bob no longer sees the recalled text');
    // bob has the conversation on screen, so his page marks it read
    await alice.send('Did you read this?');
    await bob.waitForMessage('Did you read this?');
    await alice.waitForRead('Did you read this?');
    await alice.shot('recalled-and-read');
    await bob.shot('recalled');
  });

  step('alice sends bob a friend request, bob accepts: both friend lists show each other', async () => {
    await alice.openFriends();
    await alice.requestFriend('bob', 'Be my friend, Bob!');
    await bob.page.locator('[data-testid="friends-badge"]', { hasText: '1' }).waitFor({ timeout: LONG });
    await bob.openFriends();
    const request = bob.person('incoming-request', 'alice');
    await request.filter({ hasText: 'Be my friend, Bob!' }).waitFor({ timeout: LONG });
    await bob.shot('friend-request');
    await request.getByTestId('accept-button').click();
    await bob.person('friend', 'alice').waitFor({ timeout: LONG });
    await alice.person('friend', 'bob').waitFor({ timeout: LONG });
    assert.equal(await alice.person('outgoing-request', 'bob').count(), 0, 'the request is gone from alice\'s list');
    await alice.shot('friends');
    await bob.shot('friends');
  });

  /** A session of user on another device, over the account API (for settings the page does not offer). */
  async function apiLogin(user, deviceId) {
    const res = await fetch(`${magpie.accountUrl}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user, password: PASSWORD[user], deviceId, platform: 'DESKTOP' }) });
    assert.equal(res.status, 200, `login of ${user}: ${await res.clone().text()}`);
    return (await res.json()).token;
  }

  async function dmPolicy(token, policy) {
    const res = await fetch(`${magpie.accountUrl}/v1/me/settings/dm-policy`, { method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ policy }) });
    assert.equal(res.status, 204, `dm-policy ${policy}: ${await res.clone().text()}`);
  }

  step('each chats with carol on the Java terminal client over TCP', async () => {
    const common = { jar: JAR, user: 'carol', password: PASSWORD.carol, accountUrl: magpie.accountUrl, lsbUrl: magpie.lsbUrl };
    [carolToAlice, carolToBob] = await Promise.all([
      TerminalChat.start({ ...common, to: 'alice', device: 'term-alice' }),
      TerminalChat.start({ ...common, to: 'bob', device: 'term-bob' }),
    ]);
    await alice.startChat('carol');
    await alice.send('Hi Carol, Alice from the browser.');
    await carolToAlice.waitFor(/^\[#\d+ them\] Hi Carol, Alice from the browser\.$/);
    carolToAlice.send('Hello Alice, Carol from the terminal.');
    await carolToAlice.waitFor(/\(sent #\d+\)/);
    await alice.waitForMessage('Hello Alice, Carol from the terminal.');

    carolToBob.send('Bob, Carol here over TCP.');
    await bob.conversationItem('carol').waitFor({ timeout: LONG });
    await bob.open('carol');
    await bob.waitForMessage('Bob, Carol here over TCP.');
    await bob.send('Got it, Carol.');
    await carolToBob.waitFor(/^\[#\d+ them\] Got it, Carol\.$/);
    await alice.shot('chat-with-carol');
    await bob.shot('chat-with-carol');
  });

  step('history pages back: 35 lines from the terminal, the older button shows the first', async () => {
    for (let i = 1; i <= 35; i++) carolToAlice.send(`line ${String(i).padStart(2, '0')}`);
    await alice.waitForMessage('line 35');
    const olderButton = alice.byId('older-button');
    if (await alice.countMessage('line 01') === 0) {
      await olderButton.waitFor({ timeout: LONG });
      await olderButton.click();
    }
    await alice.waitForMessage('line 01');
    const seqs = await alice.seqs();
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'messages in seq order');
    assert.equal(new Set(seqs).size, seqs.length, 'each seq once');
    await alice.shot('history-paged');
  });

  step('a group of the three: created with members by user name, system line, messages from all three', async () => {
    const conversationId = await alice.createGroup('Trio', ['bob', 'carol']);
    groupId = conversationId.slice(2);
    await alice.page.getByTestId('system-message').filter({ hasText: /alice|you/i }).first().waitFor({ timeout: LONG });
    const [created] = await alice.systemLines();
    assert.match(created, /^You created the group .Trio. and added (bob and carol|carol and bob)/);
    await alice.send('Welcome to the trio!');

    await bob.conversationItem('Trio').waitFor({ timeout: LONG });
    await bob.open('Trio');
    await bob.waitForMessage('Welcome to the trio!');
    assert.match((await bob.systemLines())[0], /^Alice created the group .Trio. and added you and carol/);
    await carolToAlice.waitFor(new RegExp(`^\\[g_${groupId} #\\d+ uid \\d+\\] Welcome to the trio!$`));

    carolToAlice.send(`/group say ${groupId} Carol says hi to the group.`);
    await alice.waitForMessage('Carol says hi to the group.');
    await bob.waitForMessage('Carol says hi to the group.');
    await bob.send('Bob in the group too.');
    await alice.waitForMessage('Bob in the group too.');
    await carolToBob.waitFor(new RegExp(`^\\[g_${groupId} #\\d+ uid \\d+\\] Bob in the group too\\.$`));
    assert.equal(await alice.message('Carol says hi to the group.').getByTestId('message-sender').innerText(), 'carol');
    await alice.shot('group');
    await bob.shot('group');
  });

  step('a reload keeps the history and shows each message once', async () => {
    const before = await bob.seqs();
    await bob.page.reload();
    await bob.waitForState('CONNECTED');
    await bob.waitForTitle('Trio');
    await bob.waitForMessage('Bob in the group too.');
    assert.deepEqual(await bob.seqs(), before, 'the same rows after the reload');
    await alice.send('After Bob reloaded.');
    await bob.waitForMessage('After Bob reloaded.');
    assert.equal(await bob.countMessage('After Bob reloaded.'), 1);
    assert.equal(await bob.countMessage('Welcome to the trio!'), 1);
    await bob.shot('after-reload');
    // a recall stays a recall after the reload
    await bob.open('alice');
    await bob.page.locator('[data-testid="message"][data-status="RECALLED"]', { hasText: '(message recalled)' })
      .first().waitFor({ timeout: LONG });
    assert.equal(await bob.countMessage('Oops, that was for someone else.'), 0);
    await bob.open('Trio');
  });

  step('a server restart: the page shows reconnecting, then connected; messages sent meanwhile arrive once', async () => {
    const restarted = magpie.restart();
    const shown = await Promise.all([alice.waitForNotConnected(), bob.waitForNotConnected()]);
    assert.ok(shown.every((s) => s === 'RECONNECTING' || s === 'CONNECTING'), `states shown: ${shown}`);
    await alice.type('Sent while the server restarts.');
    await alice.waitForOwn('Sent while the server restarts.', 'SENDING');
    await alice.shot('reconnecting');
    await restarted;
    await alice.waitForState('CONNECTED', 180_000);
    await bob.waitForState('CONNECTED', 180_000);
    await alice.waitForOwn('Sent while the server restarts.', 'ACKED');
    await bob.waitForMessage('Sent while the server restarts.');
    await bob.send('Bob after the restart.');
    await alice.waitForMessage('Bob after the restart.');
    await carolToAlice.waitFor(/^\[g_\d+ #\d+ uid \d+\] Bob after the restart\.$/, 120_000);
    carolToAlice.send(`/group say ${groupId} Carol after the restart.`);
    await alice.waitForMessage('Carol after the restart.', 120_000);
    await bob.waitForMessage('Carol after the restart.', 120_000);
    for (const p of [alice, bob]) {
      for (const text of ['Sent while the server restarts.', 'Bob after the restart.', 'Carol after the restart.',
        'Welcome to the trio!']) {
        assert.equal(await p.countMessage(text), 1, `${p.name} shows "${text}" once`);
      }
    }
    assert.equal(carolToAlice.matching(/\] Sent while the server restarts\.$/).length, 1);
    await alice.shot('after-restart');
    await bob.shot('after-restart');
  });

  step('group management: alice invites dave, makes bob admin; bob renames; dave leaves', async () => {
    dave = new ChatPage('dave', await (await browser.newContext()).newPage(), shots);
    await dave.goto(webUrl);
    await dave.signUp('dave', PASSWORD.dave);

    await alice.open('Trio');
    await alice.openMembers();
    assert.equal(await alice.member('alice').getAttribute('data-role'), 'OWNER');
    await alice.inviteToGroup('dave');
    await alice.waitForSystemLine('You added dave');
    await dave.conversationItem('Trio').waitFor({ timeout: LONG });
    await dave.open('Trio');
    await dave.waitForSystemLine('Alice added you');

    await alice.member('bob').getByTestId('group-admin-button').click();
    await alice.page.locator('[data-testid="group-member"][data-name="bob"][data-role="ADMIN"]').waitFor({ timeout: LONG });
    await bob.waitForSystemLine('You are now an admin');
    await alice.shot('group-panel');

    await bob.openMembers();
    await bob.byId('group-rename-input').fill('Trio and Dave');
    await bob.byId('group-rename-button').click();
    await Promise.all([alice, bob, dave].map((p) => p.waitForTitle('Trio and Dave')));
    await alice.waitForSystemLine('The group was renamed to “Trio and Dave” by bob');
    await alice.conversationItem('Trio and Dave').waitFor({ timeout: LONG });
    await bob.shot('group-renamed');

    await dave.openMembers();
    await dave.byId('group-leave-button').click();
    await alice.waitForSystemLine('Dave left');
    await dave.page.locator('[data-testid="composer-closed"]', { hasText: 'You left this group' }).waitFor({ timeout: LONG });
    assert.equal(await dave.byId('composer-input').isDisabled(), true);
    await alice.member('dave').waitFor({ state: 'detached', timeout: LONG });
    await dave.shot('left-group');
  });

  step('alice sets a status text: bob sees it next to her presence', async () => {
    await alice.setStatusText('In a meeting');
    await bob.open('alice');
    await bob.page.locator('[data-testid="conversation-subtitle"]', { hasText: 'In a meeting' }).waitFor({ timeout: LONG });
    await alice.byId('presence-button').click();
    await alice.shot('presence-menu');
    await alice.page.keyboard.press('Escape');
    await bob.shot('peer-status-text');
  });

  step('rich messages: a photo, a reply, a reaction and an edit seen on the other page; a mention\'s "@" until read',
    async () => {
      // bob has alice's chat open (the step above); alice opens hers with bob
      await alice.open('bob');
      await alice.attach('stripe.png', 'image/png', makePng(96, 48));
      const photo = alice.page.locator('[data-testid="message"][data-type="IMAGE"][data-mine="true"][data-state="ACKED"]');
      await photo.first().waitFor({ timeout: LONG });
      const seq = await photo.first().getAttribute('data-seq');
      await alice.waitForImage(seq);
      await bob.waitForImage(seq);
      const notes = Buffer.from('Stripes: one blue, one white.\n');
      await alice.attach('notes.txt', 'text/plain', notes);
      const file = bob.page.locator('[data-testid="message"][data-type="FILE"] [data-testid="file-link"]', { hasText: 'notes.txt' });
      await file.and(bob.page.locator('[href*="sig="]')).waitFor({ timeout: LONG });
      const download = await fetch(new URL(await file.getAttribute('href'), webUrl));
      assert.equal(download.status, 200);
      assert.deepEqual(Buffer.from(await download.arrayBuffer()), notes, 'the signed link downloads the file');

      const answer = 'What a nice stripe!';
      await bob.replyTo(seq, answer);
      await alice.waitForMessage(answer);
      const quote = alice.message(answer).getByTestId('reply-quote');
      assert.equal(await quote.getAttribute('data-quoted-seq'), seq);
      assert.equal(await quote.getByTestId('reply-quote-text').innerText(), '[photo]');

      await alice.react(answer, '👍');
      await bob.reactionChip(answer, '👍').and(bob.page.locator('[data-count="1"][aria-pressed="false"]'))
        .waitFor({ timeout: LONG });
      assert.equal(await alice.reactionChip(answer, '👍').getAttribute('aria-pressed'), 'true');

      const better = 'What a lovely stripe!';
      await bob.edit(answer, better);
      await alice.message(better).getByTestId('edited-mark').waitFor({ timeout: LONG });
      assert.equal(await alice.countMessage(answer), 0, 'the old text is gone');
      assert.equal(await alice.reactionChip(better, '👍').getAttribute('data-count'), '1', 'the reaction stays');
      await alice.shot('photo-reply-reaction-edit');
      await bob.shot('photo-reply-reaction-edit');

      // a mention in the group while bob looks at another conversation: "@" on its row until he reads it
      await alice.open('Trio and Dave');
      await alice.member('bob').waitFor({ state: 'attached', timeout: LONG }); // the members whom "@name" can name
      const mention = '@bob have a look at the stripe';
      await alice.send(mention);
      assert.equal(await alice.message(mention).getByTestId('mention').innerText(), '@bob');
      await bob.mentionBadge('Trio and Dave').waitFor({ timeout: LONG });
      await bob.shot('mention-badge');
      await bob.open('Trio and Dave');
      await bob.message(mention).and(bob.page.locator('[data-mentions-me="true"]')).waitFor({ timeout: LONG });
      await bob.mentionBadge('Trio and Dave').waitFor({ state: 'detached', timeout: LONG });
      await bob.shot('mention-read');
    });
});
