import type { ApiClient } from './api-client.js';
import type { Locale } from './format.js';
import type { Messages } from './i18n/index.js';

export interface Organisation {
  readonly organisationId: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly kommuneCode: string | null;
}

/** What every page is given: the signed-in client, the language, and names for ids. */
export interface PageContext {
  readonly api: ApiClient;
  readonly locale: Locale;
  readonly t: Messages;
  readonly organisations: OrganisationNames;
  /** Whom the credential signs in as (GET /me), when the API answered it: a page's default choice. */
  readonly viewer?: { readonly organisationId: string; readonly kommuneCode: string | null };
}

/** The organisations the viewer may see, to show names instead of ids. */
export class OrganisationNames {
  private readonly byId: Map<string, Organisation>;

  constructor(readonly all: readonly Organisation[]) {
    this.byId = new Map(all.map((organisation) => [organisation.organisationId, organisation]));
  }

  nameOf(organisationId: string | null | undefined): string {
    if (!organisationId) return '—';
    return this.byId.get(organisationId)?.name ?? organisationId;
  }

  /** Auditors and the operator see every organisation's records (the API's `all` read scope). */
  seesEverything(organisationId: string | undefined): boolean {
    const roles = organisationId === undefined ? [] : (this.byId.get(organisationId)?.roles ?? []);
    return roles.includes('auditor') || roles.includes('operator');
  }

  municipalities(): Organisation[] {
    return this.all.filter((organisation) => organisation.kommuneCode !== null && organisation.roles.includes('municipality'));
  }
}
