const KEY = 'ledger.apiKey';
const ACCESS_TOKEN = 'ledger.accessToken';
const EXPIRES_AT = 'ledger.accessTokenExpiresAt';

/** How the tab is signed in: an organisation's API key, or an access token from the identity provider (decision 035). */
export type SessionCredential = { readonly kind: 'api-key'; readonly bearer: string } | { readonly kind: 'oidc'; readonly bearer: string; readonly expiresAt: number | undefined };

/**
 * The API key or access token lives in `sessionStorage`: this tab only, gone when it closes, never
 * in `localStorage` where it would outlive the session (decisions 030 and 035). Both are sent the
 * same way, as `Authorization: Bearer`.
 */
export const session = {
  credential(): SessionCredential | null {
    const apiKey = sessionStorage.getItem(KEY);
    if (apiKey) return { kind: 'api-key', bearer: apiKey };
    const token = sessionStorage.getItem(ACCESS_TOKEN);
    if (!token) return null;
    const expiresAt = Number(sessionStorage.getItem(EXPIRES_AT) ?? Number.NaN);
    return { kind: 'oidc', bearer: token, expiresAt: Number.isFinite(expiresAt) ? expiresAt : undefined };
  },
  key(): string | null {
    return session.credential()?.bearer ?? null;
  },
  /** An access token past its `expires_in`: the tab goes back to sign-in rather than wait for the API's 401. */
  expired(now: number = Date.now()): boolean {
    const credential = session.credential();
    return credential?.kind === 'oidc' && credential.expiresAt !== undefined && now >= credential.expiresAt;
  },
  signIn(apiKey: string): void {
    session.signOut();
    sessionStorage.setItem(KEY, apiKey);
  },
  signInWithToken(accessToken: string, expiresAt: number | undefined): void {
    session.signOut();
    sessionStorage.setItem(ACCESS_TOKEN, accessToken);
    if (expiresAt !== undefined) sessionStorage.setItem(EXPIRES_AT, String(expiresAt));
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ACCESS_TOKEN);
    sessionStorage.removeItem(EXPIRES_AT);
  },
};
