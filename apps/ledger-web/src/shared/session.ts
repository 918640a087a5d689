const KEY = 'ledger.apiKey';

/**
 * The API key lives in `sessionStorage`: this tab only, gone when it closes, never in
 * `localStorage` where it would outlive the session (decision 030).
 */
export const session = {
  key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  signIn(apiKey: string): void {
    sessionStorage.setItem(KEY, apiKey);
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
  },
};
