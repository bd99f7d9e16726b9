import { h } from './dom';

export interface ComposeHandlers {
  /** Opens the one-to-one conversation with username. */
  startChat(username: string): Promise<void>;
  /** Creates a group with these members (user names) and opens it. */
  createGroup(name: string, members: string[]): Promise<void>;
}

/** "New chat" (by user name) and "New group" (name and members), each a small form with its own error line. */
export function composeForms(handlers: ComposeHandlers): HTMLElement {
  const chatError = h('p', { class: 'error', role: 'alert', 'data-testid': 'new-chat-error' });
  const peer = h('input', { id: 'new-chat-user', required: true, maxlength: 64, placeholder: 'user name',
    autocomplete: 'off', 'data-testid': 'new-chat-user' });
  const chatForm = h('form', { class: 'mini-form', 'data-testid': 'new-chat-form', 'aria-labelledby': 'new-chat-heading' },
    h('h2', { id: 'new-chat-heading', class: 'section-title' }, 'New chat'),
    h('label', { for: 'new-chat-user', class: 'visually-hidden' }, 'User name to chat with'),
    h('div', { class: 'row' }, peer, h('button', { type: 'submit', 'data-testid': 'new-chat-button' }, 'Chat')),
    chatError);
  chatForm.addEventListener('submit', (e) => {
    e.preventDefault();
    run(chatForm, chatError, () => handlers.startChat(peer.value.trim()), () => (peer.value = ''));
  });

  const groupError = h('p', { class: 'error', role: 'alert', 'data-testid': 'new-group-error' });
  const groupName = h('input', { id: 'new-group-name', required: true, maxlength: 64, placeholder: 'group name',
    autocomplete: 'off', 'data-testid': 'new-group-name' });
  const members = h('input', { id: 'new-group-members', required: true, placeholder: 'bob, carol',
    autocomplete: 'off', 'aria-describedby': 'new-group-members-hint', 'data-testid': 'new-group-members' });
  const groupForm = h('form', { class: 'mini-form', 'data-testid': 'new-group-form', 'aria-labelledby': 'new-group-heading' },
    h('details', {},
      h('summary', { class: 'section-title', id: 'new-group-heading' }, 'New group'),
      h('label', { for: 'new-group-name' }, 'Name'), groupName,
      h('label', { for: 'new-group-members' }, 'Members'), members,
      h('p', { id: 'new-group-members-hint', class: 'hint' }, 'User names, separated by commas or spaces.'),
      h('button', { type: 'submit', 'data-testid': 'new-group-button' }, 'Create group'),
      groupError));
  groupForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const names = members.value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    run(groupForm, groupError, () => handlers.createGroup(groupName.value.trim(), names), () => {
      groupName.value = '';
      members.value = '';
      groupForm.querySelector('details')!.open = false;
    });
  });
  return h('div', { class: 'compose-forms' }, chatForm, groupForm);
}

function run(form: HTMLFormElement, error: HTMLElement, action: () => Promise<void>, reset: () => void): void {
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  button.disabled = true;
  error.textContent = '';
  action()
    .then(reset)
    .catch((e: unknown) => (error.textContent = (e as Error)?.message ?? String(e)))
    .finally(() => (button.disabled = false));
}
