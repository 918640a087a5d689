import { ApiClient, ApiError } from '../../shared/api-client.js';
import type { Organisation } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import type { Locale } from '../../shared/format.js';
import type { Messages } from '../../shared/i18n/index.js';
import { noticeText, oidcWebConfig, type SignInNotice } from './oidc-redirect.js';
import { beginOidcSignIn, type OidcWebConfig } from './oidc-sign-in.js';
import { signInMessages } from './sign-in.messages.js';

/**
 * Signing in with an organisation's API key: the key is tried against the API (the list of
 * organisations, which every organisation may read) before it is kept for the session. Where the
 * ledger is configured for it, "Sign in with <provider>" first (decision 035).
 */
export function signInView(
  main: HTMLElement,
  t: Messages,
  locale: Locale,
  notice: SignInNotice | undefined,
  onSignedIn: (apiKey: string, organisations: readonly Organisation[]) => void,
): void {
  const m = signInMessages(locale);
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
  const oidc = el('div', { class: 'sign-in-oidc', attrs: { 'data-testid': 'sign-in-oidc' } });
  const heading = el('h1', { attrs: { id: 'sign-in-heading' } }, t.signInTitle);
  show(
    main,
    heading,
    notice ? el('p', { class: 'form-error', attrs: { role: 'alert', id: 'sign-in-notice' } }, noticeText(notice, m)) : null,
    oidc,
    el('p', {}, t.signInHelp),
    form,
  );
  keyInput.focus();
  // Where the ledger names a provider, its button goes above the key form; without one (or when the
  // answer fails) the key form is the whole page, as before.
  oidcWebConfig().then(
    (config) => {
      if (!config) return;
      heading.textContent = m.signInTitle;
      show(oidc, ...oidcSection(config, m, message));
    },
    () => undefined,
  );
}

function oidcSection(config: OidcWebConfig, m: ReturnType<typeof signInMessages>, message: HTMLElement): Node[] {
  const button = el('button', { class: 'sign-in-provider', attrs: { type: 'button', id: 'sign-in-oidc' } }, m.signInWith(config.providerName));
  button.addEventListener('click', () => {
    button.disabled = true;
    message.textContent = '';
    // The provider sends the browser back to `/?code=…&state=…`, the one page the server serves.
    beginOidcSignIn(config, sessionStorage, `${location.origin}/`).then(
      (url) => location.assign(url.href),
      (error: unknown) => {
        button.disabled = false;
        message.textContent = m.exchangeFailed(error instanceof Error ? error.message : String(error));
      },
    );
  });
  return [el('p', {}, m.signInWithHelp), button, el('h2', { class: 'sign-in-or' }, m.orWithApiKey)];
}
