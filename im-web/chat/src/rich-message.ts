import type { MagpieClient, MediaView, Message } from '@magpie/sdk';
import { h, type Child } from './dom';
import { RECALLED_TEXT, typeLabel } from './format';

/** The emoji offered by a message's React button (any emoji works: the server compares them byte for byte). */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🎉'];

/** Images are shown at most this large (CSS pixels); the thumbnail or the original, whichever the server has. */
const IMAGE_BOX = 240;

/** What the parts of a message need from the view that shows them. */
export interface PartsContext {
  client: MagpieClient;
  /** A user's name ("You" for the signed-in user). */
  nameOf(uid: string): string;
  /** A user's user name, also the signed-in user's ("user <uid>" while unknown). */
  userName(uid: string): string;
  /** Scrolls to the quoted message (when it is shown). */
  showQuoted(seq: bigint): void;
  /** Toggles your reaction: `emoji` null takes it back. */
  react(m: Message, emoji: string | null): void;
}

/** The quote above a reply: who wrote the quoted message and its preview, or "(message recalled)". */
export function quoteBlock(m: Message, ctx: PartsContext): HTMLElement | null {
  const q = m.replyTo;
  if (!q || m.status !== 'NORMAL') {
    return null;
  }
  const preview = q.recalled ? RECALLED_TEXT
    : q.preview || (q.type === 'TEXT' || q.type === 'EMOJI' ? '' : `[${typeLabel(q.type)}]`);
  return h('button', { type: 'button', class: 'quote' + (q.recalled ? ' gone' : ''), 'data-testid': 'reply-quote',
    'data-quoted-seq': q.seq.toString(), 'data-recalled': String(q.recalled),
    'aria-label': `In reply to ${ctx.nameOf(q.senderUid)}: ${preview}. Show that message`,
    onclick: () => ctx.showQuoted(q.seq) },
  h('span', { class: 'quote-sender' }, ctx.nameOf(q.senderUid)),
  h('span', { class: 'quote-text', 'data-testid': 'reply-quote-text' }, preview));
}

/** An image (thumbnail linking to the original) or a file to download, through signed URLs; null without media. */
export function mediaBlock(m: Message, ctx: PartsContext): HTMLElement | null {
  const media = m.media;
  if (!media || m.status !== 'NORMAL' || !media.url) {
    return null;
  }
  if (m.type === 'IMAGE' && media.width > 0 && media.height > 0) {
    return imageBlock(media, ctx);
  }
  const name = media.fileName || 'file';
  const link = h('a', { class: 'file', 'data-testid': 'file-link', target: '_blank', rel: 'noopener', download: name,
    'aria-label': `Download ${name} (${formatSize(media.sizeBytes)})` },
  h('span', { class: 'file-name' }, name),
  h('span', { class: 'file-size muted' }, formatSize(media.sizeBytes)));
  signedLink(link, media.url, ctx);
  return link;
}

function imageBlock(media: MediaView, ctx: PartsContext): HTMLElement {
  const scale = Math.min(1, IMAGE_BOX / Math.max(media.width, media.height));
  const img = h('img', { class: 'image', 'data-testid': 'message-image', alt: media.fileName || 'image',
    width: Math.max(1, Math.round(media.width * scale)), height: Math.max(1, Math.round(media.height * scale)) });
  // width and height hold its place while it loads: the list does not jump
  img.addEventListener('error', () => img.classList.add('broken'));
  const link = h('a', { class: 'image-link', 'data-testid': 'image-link', target: '_blank', rel: 'noopener',
    'aria-label': `Open ${media.fileName || 'the image'}` }, img);
  ctx.client.mediaUrls(media.thumbnailUrl || media.url).then((urls) => {
    img.src = media.thumbnailUrl && urls.thumbnailUrl ? urls.thumbnailUrl : urls.url;
  }, (e: unknown) => {
    img.alt = `The image could not be loaded: ${(e as Error).message}`;
    img.classList.add('broken');
  });
  signedLink(link, media.url, ctx);
  return link;
}

/**
 * Points a link at the media's signed URL; the URL expires (15 minutes by default), so a click on one about to
 * expire asks for a fresh one first (the SDK hands out the same one while it stays valid).
 */
function signedLink(link: HTMLAnchorElement, url: string, ctx: PartsContext): void {
  let expiresAt = 0;
  const refresh = () => ctx.client.mediaUrls(url).then((urls) => {
    link.href = urls.url;
    expiresAt = urls.expiresAt;
    return urls.url;
  });
  refresh().catch((e: unknown) => (link.title = `Not available: ${(e as Error).message}`));
  link.addEventListener('click', (e) => {
    if (expiresAt - Date.now() > 30_000) {
      return;
    }
    e.preventDefault();
    refresh().then((fresh) => window.open(fresh, '_blank', 'noopener'), (err: unknown) =>
      (link.title = `Not available: ${(err as Error).message}`));
  });
}

/**
 * The message's text with its mentions marked: "@name" of each mentioned member (and "@all" for a mention of
 * everyone) becomes a highlighted span; the server does not look for names in the text, the page does.
 */
export function textWithMentions(m: Message, ctx: PartsContext): Child[] {
  const names = m.mentionedUids.map((uid) => ctx.userName(uid)).filter((n) => n && !n.startsWith('user '));
  if (m.mentionAll) {
    names.push('all');
  }
  const me = ctx.userName(ctx.client.uid).toLowerCase();
  if (names.length === 0 || !m.text.includes('@')) {
    return [m.text];
  }
  const pattern = new RegExp(`@(${names.map(escapeRegExp).sort((a, b) => b.length - a.length).join('|')})(?![\\w-])`,
    'giu');
  const out: Child[] = [];
  let at = 0;
  for (const match of m.text.matchAll(pattern)) {
    out.push(m.text.slice(at, match.index));
    const mine = match[1]!.toLowerCase() === 'all' || match[1]!.toLowerCase() === me;
    out.push(h('mark', { class: 'mention' + (mine ? ' me' : ''), 'data-testid': 'mention' }, match[0]));
    at = match.index! + match[0].length;
  }
  out.push(m.text.slice(at));
  return out;
}

/** The reaction chips under a message: emoji and count, pressed when yours; a click toggles yours. */
export function reactionChips(m: Message, ctx: PartsContext): HTMLElement | null {
  if (m.reactions.length === 0 || m.status !== 'NORMAL') {
    return null;
  }
  return h('div', { class: 'reactions', role: 'group', 'aria-label': 'Reactions', 'data-testid': 'reactions' },
    ...m.reactions.map((r) => {
      const who = r.uids.map((uid) => ctx.nameOf(uid)).join(', ');
      return h('button', { type: 'button', class: 'reaction-chip', 'data-testid': 'reaction-chip', 'data-emoji': r.emoji,
        'data-count': r.count, 'aria-pressed': String(r.mine), title: who,
        'aria-label': `${r.emoji} ${r.count}${r.mine ? ', including you' : ''}. ${r.mine ? 'Take back your reaction' : 'React with it'}`,
        onclick: () => ctx.react(m, r.mine ? null : r.emoji) },
      h('span', { 'aria-hidden': 'true' }, r.emoji), ' ', h('span', { class: 'count' }, String(r.count)));
    }));
}

/** The small emoji picker a message's React button opens (hidden until then). */
export function reactionPicker(m: Message, ctx: PartsContext, close: () => void): HTMLElement {
  const mine = m.reactions.find((r) => r.mine)?.emoji;
  const picker = h('div', { class: 'reaction-picker', role: 'group', 'aria-label': 'Choose a reaction',
    'data-testid': 'reaction-picker' },
  ...QUICK_EMOJI.map((emoji) => h('button', { type: 'button', class: 'reaction-option', 'data-testid': 'reaction-option',
    'data-emoji': emoji, 'aria-pressed': String(mine === emoji), 'aria-label': `React with ${emoji}`,
    onclick: () => {
      close();
      ctx.react(m, mine === emoji ? null : emoji);
    } }, emoji)));
  picker.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      close();
    }
  });
  picker.hidden = true;
  return picker;
}

/** "12 KB", "3.4 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
