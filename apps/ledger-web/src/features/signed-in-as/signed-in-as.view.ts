import { ApiClient } from '../../shared/api-client.js';
import { el } from '../../shared/dom.js';
import type { Locale } from '../../shared/format.js';
import { hrefOf } from '../../shared/router.js';
import { SIGNED_IN_AS_MESSAGES } from './signed-in-as.messages.js';

/** What the header needs of GET /me (decision 034): whom the credential signs in as. */
export interface Principal {
  readonly organisationId: string;
  readonly name: string;
  /** The kommune of a municipality; null for everyone else. */
  readonly kommuneCode: string | null;
}

/** The signed-in principal, once per credential; undefined when /me does not answer (the header then names no one). */
export class SignedInAs {
  private known: { readonly key: string; readonly principal: Principal | undefined } | undefined;

  async principal(key: string): Promise<Principal | undefined> {
    if (this.known?.key !== key) {
      const principal = await new ApiClient(key).getJson<Principal>('/me').catch(() => undefined);
      this.known = { key, principal };
    }
    return this.known.principal;
  }

  /** "Signed in as X", linking to X's organisation page; the name is text, never markup. */
  link(principal: Principal | undefined, locale: Locale): HTMLElement | null {
    if (!principal) return null;
    return el('a', { class: 'signed-in-as', attrs: { href: hrefOf({ page: 'organisation', organisationId: principal.organisationId }) } }, SIGNED_IN_AS_MESSAGES[locale].signedInAs(principal.name));
  }
}
