import { ApiError, get, signIn, signOut } from './api';
import { h } from './dom';

export function renderSignIn(main: HTMLElement, done: () => void): void {
  const clientId = h('input', { id: 'client-id', name: 'client_id', autocomplete: 'username', required: true, spellcheck: 'false' });
  const secret = h('input', { id: 'client-secret', name: 'client_secret', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to Iris'),
    h('p', {}, 'Use a credential of your organization (iris clients create makes one). The secret is kept for this tab only.'),
    h('label', { for: 'client-id' }, 'Client ID'), clientId,
    h('label', { for: 'client-secret' }, 'Client secret'), secret,
    button, message);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    button.disabled = true;
    signIn(clientId.value.trim(), secret.value);
    try {
      await get('/api/v1/datasets?limit=1');
      done();
    } catch (err) {
      signOut();
      message.textContent = err instanceof ApiError && (err.status === 401 || err.status === 403)
        ? 'The client ID or secret is wrong, or the credential was revoked.'
        : `Sign-in failed: ${err instanceof Error ? err.message : String(err)}`;
      button.disabled = false;
      secret.focus();
    }
  });
  main.replaceChildren(form);
  clientId.focus();
}
