import { ApiClient, ApiError } from '../../shared/api-client.js';
import type { Organisation } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import type { Messages } from '../../shared/i18n/index.js';

/**
 * Signing in with an organisation's API key: the key is tried against the API (the list of
 * organisations, which every organisation may read) before it is kept for the session.
 */
export function signInView(main: HTMLElement, t: Messages, onSignedIn: (apiKey: string, organisations: readonly Organisation[]) => void): void {
  const keyInput = el('input', { attrs: { id: 'api-key', name: 'apiKey', type: 'password', required: '', autocomplete: 'off', spellcheck: 'false' } });
  const message = el('p', { class: 'form-error', attrs: { role: 'alert', id: 'sign-in-error' } });
  const form = el(
    'form',
    { class: 'sign-in', attrs: { 'aria-labelledby': 'sign-in-heading' } },
    el('label', { attrs: { for: 'api-key' } }, t.apiKey),
    keyInput,
    el('button', { attrs: { type: 'submit' } }, t.signIn),
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const apiKey = keyInput.value.trim();
    message.textContent = '';
    new ApiClient(apiKey).getJson<Organisation[]>('/organisations').then(
      (organisations) => onSignedIn(apiKey, organisations),
      (error: unknown) => {
        message.textContent = error instanceof ApiError && error.status === 401 ? t.signInRefused : t.failed(error instanceof Error ? error.message : String(error));
        keyInput.focus();
      },
    );
  });
  show(main, el('h1', { attrs: { id: 'sign-in-heading' } }, t.signInTitle), el('p', {}, t.signInHelp), form);
  keyInput.focus();
}
