import { ApiClient, ApiError } from '../../shared/api-client.js';
import type { Organisation } from '../../shared/context.js';
import { session } from '../../shared/session.js';
import { completeOidcSignIn, isOidcRedirect, OidcSignInError, PENDING_SIGN_IN, type OidcFailure, type OidcWebConfig } from './oidc-sign-in.js';
import type { SignInMessages } from './sign-in.messages.js';

/** What the sign-in page says above the form: why the tab is not (or no longer) signed in. */
export type SignInNotice = { readonly kind: 'expired' } | { readonly kind: OidcFailure | 'ledger-refused'; readonly detail: string };

export function noticeText(notice: SignInNotice, m: SignInMessages): string {
  switch (notice.kind) {
    case 'expired':
      return m.expired;
    case 'not-started':
      return m.notStarted;
    case 'too-late':
      return m.tooLate;
    case 'state-mismatch':
      return m.stateMismatch;
    case 'provider-refused':
      return m.providerRefused(notice.detail);
    case 'exchange-failed':
      return m.exchangeFailed(notice.detail);
    case 'ledger-refused':
      return m.ledgerRefused(notice.detail);
  }
}

/** The sign-in options; null when the ledger offers API keys only. */
export async function oidcWebConfig(): Promise<OidcWebConfig | null> {
  return (await new ApiClient(null).getJson<{ oidc: OidcWebConfig | null }>('/web/config')).oidc;
}

export type RedirectOutcome = { readonly organisations: readonly Organisation[]; readonly notice?: undefined } | { readonly organisations?: undefined; readonly notice: SignInNotice };

/**
 * When the identity provider has sent the browser back to `/?code=…&state=…` (decision 035): takes
 * the code and state out of the address at once, completes the sign-in, and tries the access token
 * against the ledger (the organisations list, as for a key) before keeping it. Undefined when the
 * address is no such return.
 */
export async function signInFromRedirect(): Promise<RedirectOutcome | undefined> {
  const returned = new URL(location.href);
  if (!isOidcRedirect(returned)) return undefined;
  // Out of the address bar, the history and any bookmark before anything else runs.
  history.replaceState(null, '', `${returned.pathname}${returned.hash}`);
  try {
    const config = await oidcWebConfig();
    if (!config) {
      sessionStorage.removeItem(PENDING_SIGN_IN);
      return { notice: { kind: 'not-started', detail: 'OIDC sign-in is not configured' } };
    }
    const token = await completeOidcSignIn(config, sessionStorage, returned);
    const organisations = await new ApiClient(token.accessToken).getJson<Organisation[]>('/organisations');
    session.signInWithToken(token.accessToken, token.expiresAt);
    return { organisations };
  } catch (error) {
    if (error instanceof OidcSignInError) return { notice: { kind: error.failure, detail: error.message } };
    if (error instanceof ApiError) return { notice: { kind: 'ledger-refused', detail: error.message } };
    return { notice: { kind: 'exchange-failed', detail: error instanceof Error ? error.message : String(error) } };
  }
}
