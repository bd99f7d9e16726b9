import { ChatApp } from './app';
import { loadConfig } from './config';
import { h } from './dom';
import './styles.css';

const root = document.getElementById('app')!;
loadConfig()
  .then((config) => new ChatApp(root, config).start())
  .catch((e: unknown) => {
    root.replaceChildren(h('main', { class: 'auth-page' }, h('div', { class: 'card', role: 'alert', 'data-testid': 'fatal' },
      h('h1', {}, 'Magpie chat could not start'), h('p', {}, (e as Error)?.message ?? String(e)))));
  });
