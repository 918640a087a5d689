import * as oauth from 'oauth4webapi';

/** `GET /web/config`'s `oidc`: the provider and public client to sign in with (decision 035). */
export interface OidcWebConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly providerName: string;
}

/** The part of `sessionStorage` the sign-in uses: injected, so the unit spec can run without a browser. */
export type SessionStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** What one sign-in round trip must find again when the provider sends the browser back. */
interface PendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly startedAt: number;
}

export const PENDING_SIGN_IN = 'ledger.oidc.pending';
/** A round trip older than this is refused: the person started it long ago, or in another sitting. */
export const PENDING_SIGN_IN_MAX_AGE_MS = 10 * 60_000;

/** Why a return from the provider did not sign anyone in. */
export type OidcFailure = 'not-started' | 'too-late' | 'state-mismatch' | 'provider-refused' | 'exchange-failed';

export class OidcSignInError extends Error {
  constructor(
    readonly failure: OidcFailure,
    detail: string,
  ) {
    super(detail);
  }
}

export interface OidcToken {
  readonly accessToken: string;
  /** Milliseconds since the epoch, from the token answer's `expires_in`; undefined when the provider did not say. */
  readonly expiresAt: number | undefined;
}

function authorizationServer(config: OidcWebConfig): oauth.AuthorizationServer {
  return { issuer: config.issuer, authorization_endpoint: config.authorizationEndpoint, token_endpoint: config.tokenEndpoint, code_challenge_methods_supported: ['S256'] };
}

/**
 * oauth4webapi refuses plain http unless told. The API accepts http endpoints for a loopback address
 * only (a provider on the same host, the browser tests'), so that is the one case this says yes to.
 */
function insecureAllowed(config: OidcWebConfig): boolean {
  return new URL(config.tokenEndpoint).protocol === 'http:';
}

/**
 * Starts a sign-in: a fresh PKCE verifier (S256), `state` and `nonce`, kept in this tab's
 * `sessionStorage` only, and the address to send the browser to. The caller navigates there.
 */
export async function beginOidcSignIn(config: OidcWebConfig, storage: SessionStore, redirectUri: string, now: number = Date.now()): Promise<URL> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const pending: PendingSignIn = { state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), codeVerifier, redirectUri, startedAt: now };
  const url = new URL(config.authorizationEndpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scopes.join(' '));
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  storage.setItem(PENDING_SIGN_IN, JSON.stringify(pending));
  return url;
}

/** Whether the address is the provider sending the browser back: a code or an error, with a state. */
export function isOidcRedirect(url: URL): boolean {
  return url.searchParams.has('state') && (url.searchParams.has('code') || url.searchParams.has('error'));
}

function takePending(storage: SessionStore): PendingSignIn | undefined {
  const raw = storage.getItem(PENDING_SIGN_IN);
  // One use only, whatever happens next: a replayed or forged redirect finds nothing to complete.
  storage.removeItem(PENDING_SIGN_IN);
  if (raw === null) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<PendingSignIn>;
    const fields = [parsed.state, parsed.nonce, parsed.codeVerifier, parsed.redirectUri];
    return fields.every((field) => typeof field === 'string') && typeof parsed.startedAt === 'number' ? (parsed as PendingSignIn) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Completes a sign-in when the provider sent the browser back: the state must be the one this tab
 * kept, the code is exchanged with the PKCE verifier at the token endpoint (a public client: no
 * secret), and the ID token must carry the nonce this tab kept and name the issuer and this client.
 * The access token is what the ledger is then sent; the caller still tries it against the API.
 */
export async function completeOidcSignIn(
  config: OidcWebConfig,
  storage: SessionStore,
  currentUrl: URL,
  options: { now?: number; fetch?: typeof fetch } = {},
): Promise<OidcToken> {
  const now = options.now ?? Date.now();
  const pending = takePending(storage);
  if (!pending) throw new OidcSignInError('not-started', 'no sign-in was started in this tab');
  if (now - pending.startedAt > PENDING_SIGN_IN_MAX_AGE_MS) throw new OidcSignInError('too-late', 'the sign-in was started too long ago');
  const as = authorizationServer(config);
  const client: oauth.Client = { client_id: config.clientId };
  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(as, client, currentUrl, pending.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) throw new OidcSignInError('provider-refused', error.error_description ?? error.error);
    // A state other than the one kept (a forged or crossed redirect), or an issuer other than ours.
    throw new OidcSignInError('state-mismatch', error instanceof Error ? error.message : String(error));
  }
  const requestOptions: oauth.TokenEndpointRequestOptions = {
    ...(insecureAllowed(config) ? { [oauth.allowInsecureRequests]: true } : {}),
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
  };
  try {
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), parameters, pending.redirectUri, pending.codeVerifier, requestOptions);
    const answer = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
    if (answer.token_type !== 'bearer') throw new Error(`the token is of type ${answer.token_type}, not bearer`);
    return { accessToken: answer.access_token, expiresAt: answer.expires_in !== undefined ? now + answer.expires_in * 1000 : undefined };
  } catch (error) {
    throw new OidcSignInError('exchange-failed', error instanceof Error ? error.message : String(error));
  }
}
