import type { Message } from '@magpie/sdk';
import { h } from './dom';
import { typeLabel } from './format';

/** What the composer's next Send does besides sending a new message: reply to one, or save an edit of yours. */
export type ComposerMode = { kind: 'reply'; message: Message } | { kind: 'edit'; message: Message };

/**
 * The bar above the composer while replying ("Replying to bob: …") or editing ("Editing your message"), with a
 * Cancel button (and Escape in the composer). The view asks it what the next Send means.
 */
export class ComposerContext {
  readonly element: HTMLElement;
  private readonly label: HTMLElement;
  private readonly quote: HTMLElement;
  private current: ComposerMode | undefined;

  constructor(private readonly onCancel: (was: ComposerMode) => void) {
    this.label = h('strong', { class: 'context-label' });
    this.quote = h('span', { class: 'context-quote', 'data-testid': 'composer-context-text' });
    this.element = h('div', { class: 'composer-context', role: 'status', 'data-testid': 'composer-context' },
      this.label, this.quote,
      h('button', { type: 'button', class: 'link', 'data-testid': 'composer-context-cancel',
        onclick: () => this.cancel() }, 'Cancel'));
    this.element.hidden = true;
  }

  get mode(): ComposerMode | undefined {
    return this.current;
  }

  /** The next message replies to m (`who` names its sender). */
  reply(m: Message, who: string): void {
    this.show({ kind: 'reply', message: m }, `Replying to ${who}`, summary(m));
  }

  /** The next Send saves a new text for your message m. */
  edit(m: Message): void {
    this.show({ kind: 'edit', message: m }, 'Editing your message', summary(m));
  }

  /** Done (sent, saved): back to plain sending. */
  clear(): void {
    this.current = undefined;
    this.element.hidden = true;
    delete this.element.dataset.kind;
  }

  cancel(): void {
    const was = this.current;
    this.clear();
    if (was) {
      this.onCancel(was);
    }
  }

  private show(mode: ComposerMode, label: string, text: string): void {
    this.current = mode;
    this.label.textContent = label + ': ';
    this.quote.textContent = text;
    this.element.dataset.kind = mode.kind;
    this.element.hidden = false;
  }
}

function summary(m: Message): string {
  const text = m.text || m.media?.fileName || `[${typeLabel(m.type)}]`;
  return text.length > 80 ? text.slice(0, 80) + '…' : text;
}
