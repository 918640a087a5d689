import { Inject, Injectable } from '@nestjs/common';
import type { OrganisationFacts } from '#domain';
import { getOrganisation, type ReadDb } from '#projections';
import { READ_DB } from './tokens.js';

/**
 * Organisation facts for authentication and for decisions (roles, kommune). Served from the
 * organisations read model: it guards no invariant, so eventual consistency is fine, and the
 * registration command waits for the read model before it answers.
 */
@Injectable()
export class OrganisationDirectory {
  private readonly byId = new Map<string, OrganisationFacts>();

  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async get(organisationId: string): Promise<OrganisationFacts | undefined> {
    const cached = this.byId.get(organisationId);
    if (cached) return cached;
    const row = await getOrganisation(this.db, organisationId);
    if (!row) return undefined;
    const facts: OrganisationFacts = {
      organisationId: row.organisationId,
      name: row.name,
      roles: row.roles,
      ...(row.kommuneCode ? { kommuneCode: row.kommuneCode } : {}),
    };
    // Roles never change after registration today; when they can (issue 5), invalidate here.
    this.byId.set(organisationId, facts);
    return facts;
  }

  /** Loads the organisations a decision may name, so the pure decision can look them up synchronously. */
  async lookup(ids: ReadonlyArray<string | undefined>): Promise<(id: string) => OrganisationFacts | undefined> {
    const found = new Map<string, OrganisationFacts>();
    for (const id of ids) {
      if (!id) continue;
      const facts = await this.get(id);
      if (facts) found.set(id, facts);
    }
    return (id) => found.get(id);
  }
}
