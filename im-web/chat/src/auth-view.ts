import { h } from './dom';

export interface AuthHandlers {
  login(username: string, password: string): Promise<void>;
  signUp(username: string, password: string, displayName: string): Promise<void>;
}

/** The sign-in form: one form, two submit buttons (log in, sign up); errors are announced (role=alert). */
export function authView(handlers: AuthHandlers, notice?: string): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'auth-error' }, notice ?? '');
  const username = h('input', { id: 'auth-username', name: 'username', autocomplete: 'username', required: true,
    maxlength: 64, 'data-testid': 'auth-username', autofocus: true });
  const password = h('input', { id: 'auth-password', name: 'password', type: 'password', required: true,
    minlength: 8, maxlength: 128, autocomplete: 'current-password', 'data-testid': 'auth-password',
    'aria-describedby': 'auth-password-hint' });
  const displayName = h('input', { id: 'auth-display-name', name: 'displayName', maxlength: 64,
    autocomplete: 'nickname', 'data-testid': 'auth-display-name' });
  const form = h('form', { class: 'auth card', 'data-testid': 'auth-form', 'aria-labelledby': 'auth-heading' },
    h('h1', { id: 'auth-heading' }, 'Magpie chat'),
    h('p', { class: 'muted' }, 'Log in, or sign up with a new user name.'),
    h('label', { for: 'auth-username' }, 'User name'), username,
    h('label', { for: 'auth-password' }, 'Password'), password,
    h('p', { id: 'auth-password-hint', class: 'hint' }, '8 to 128 characters.'),
    h('label', { for: 'auth-display-name' }, 'Display name ', h('span', { class: 'muted' }, '(sign up only, optional)')),
    displayName,
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', value: 'login', 'data-testid': 'login-button' }, 'Log in'),
      h('button', { type: 'submit', value: 'signup', class: 'secondary', 'data-testid': 'signup-button' }, 'Sign up')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const signUp = (e as SubmitEvent).submitter?.getAttribute('value') === 'signup';
    const buttons = form.querySelectorAll('button');
    buttons.forEach((b) => (b.disabled = true));
    error.textContent = signUp ? 'Signing up…' : 'Logging in…';
    const done = signUp
      ? handlers.signUp(username.value.trim(), password.value, displayName.value.trim())
      : handlers.login(username.value.trim(), password.value);
    done.catch((err: unknown) => {
      error.textContent = (err as Error)?.message ?? String(err);
      buttons.forEach((b) => (b.disabled = false));
      password.focus();
    });
  });
  return h('main', { class: 'auth-page', 'data-testid': 'auth' }, form);
}
