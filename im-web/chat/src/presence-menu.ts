import type { MagpieClient, MagpieError } from '@magpie/sdk';
import { h } from './dom';

/** The longest status text the server keeps (code points). */
const STATUS_MAX = 100;

interface Setting { statusText: string; hidden: boolean }

/**
 * Your own presence, in the header: a button showing it ("Online · In a meeting", "Invisible") that opens a
 * small menu to set the status text and to go invisible (appear offline to everyone). Escape or a click
 * outside closes it; the values are read once connected and after each change.
 */
export class PresenceMenu {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly menu: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly invisible: HTMLInputElement;
  private readonly error: HTMLElement;
  private setting: Setting = { statusText: '', hidden: false };
  private readonly onOutside = (e: Event) => {
    if (!this.element.contains(e.target as Node)) {
      this.open(false, false);
    }
  };

  constructor(private readonly client: MagpieClient) {
    this.button = h('button', { type: 'button', class: 'presence-button secondary', 'aria-expanded': 'false',
      'aria-controls': 'presence-menu', 'aria-haspopup': 'dialog', 'data-testid': 'presence-button',
      onclick: () => this.open(this.menu.hidden, true) });
    this.input = h('input', { id: 'status-text', maxlength: STATUS_MAX, autocomplete: 'off',
      placeholder: 'What are you up to?', 'data-testid': 'status-text-input' });
    this.invisible = h('input', { id: 'invisible', type: 'checkbox', 'data-testid': 'invisible-checkbox',
      'aria-describedby': 'invisible-hint', onchange: () => void this.save({ hidden: this.invisible.checked }) });
    this.error = h('p', { class: 'error', role: 'alert', 'data-testid': 'presence-error' });
    const form = h('form', { class: 'status-form', onsubmit: (e: Event) => {
      e.preventDefault();
      void this.save({ statusText: this.input.value.trim() });
    } },
      h('label', { for: 'status-text' }, 'Status text'),
      h('span', { class: 'inline-row' }, this.input,
        h('button', { type: 'submit', 'data-testid': 'status-save-button' }, 'Set')),
      h('button', { type: 'button', class: 'link', 'data-testid': 'status-clear-button',
        onclick: () => void this.save({ statusText: '' }) }, 'Clear status'));
    this.menu = h('div', { class: 'presence-menu', id: 'presence-menu', role: 'dialog', 'aria-label': 'Your presence',
      'data-testid': 'presence-menu', onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key === 'Escape') {
          this.open(false, true);
        }
      } },
      form,
      h('div', { class: 'check-row' }, this.invisible, h('label', { for: 'invisible' }, 'Invisible')),
      h('p', { id: 'invisible-hint', class: 'hint' }, 'Others see you as offline, with no last-seen time.'),
      this.error);
    this.menu.hidden = true;
    this.element = h('div', { class: 'presence-self' }, this.button, this.menu);
    this.render();
  }

  /** Reads your status text and invisibility (after connecting). */
  async load(): Promise<void> {
    try {
      this.take(await this.client.presenceSetting());
    } catch (e) {
      console.warn('magpie chat: reading your presence setting failed', e);
    }
  }

  dispose(): void {
    document.removeEventListener('click', this.onOutside);
  }

  private open(on: boolean, focus: boolean): void {
    this.menu.hidden = !on;
    this.button.setAttribute('aria-expanded', String(on));
    if (on) {
      this.input.value = this.setting.statusText;
      this.error.textContent = '';
      document.addEventListener('click', this.onOutside);
      this.input.focus();
    } else {
      document.removeEventListener('click', this.onOutside);
      if (focus) {
        this.button.focus();
      }
    }
  }

  private async save(change: Partial<Setting>): Promise<void> {
    this.error.textContent = '';
    if (change.statusText !== undefined && [...change.statusText].length > STATUS_MAX) {
      this.error.textContent = `A status text has at most ${STATUS_MAX} characters.`;
      return;
    }
    try {
      this.take(change.hidden !== undefined ? await this.client.setInvisible(change.hidden)
        : await this.client.setStatusText(change.statusText ?? ''));
      if (change.statusText !== undefined) {
        this.open(false, true);
      }
    } catch (e) {
      this.error.textContent = `Could not change your presence: ${(e as MagpieError).message ?? String(e)}`;
      this.invisible.checked = this.setting.hidden;
    }
  }

  private take(s: Setting): void {
    this.setting = { statusText: s.statusText ?? '', hidden: Boolean(s.hidden) };
    this.render();
  }

  private render(): void {
    const { statusText, hidden } = this.setting;
    this.invisible.checked = hidden;
    this.button.dataset.invisible = String(hidden);
    this.button.replaceChildren(
      h('span', { class: 'dot' + (hidden ? ' hidden-dot' : ''), 'aria-hidden': 'true' }),
      h('span', { 'data-testid': 'presence-mode' }, hidden ? 'Invisible' : 'Online'),
      statusText ? h('span', { class: 'status-text', 'data-testid': 'own-status-text' }, ' · ' + statusText) : '',
      h('span', { class: 'visually-hidden' }, ' (change your status)'));
  }
}
