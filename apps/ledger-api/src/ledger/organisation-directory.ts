import { Inject, Injectable } from '@nestjs/common';
import type { OrganisationFacts } from '#domain';
import { authorisedCollectorsByKommune, getOrganisation, ProjectionEngine, type ReadDb } from '#projections';
import { READ_DB } from './tokens.js';

/**
 * How long this instance trusts the read model's collector authorisations of a kommune. Changes made
 * through this instance apply at once; another instance's follow within its projection lag plus this.
 */
export const COLLECTOR_AUTHORISATIONS_TTL_MS = 2_000;

/** Whether the municipality of a kommune has a collector authorised (DecisionContext.collectorAuthorised). */
export type CollectorAuthorisationLookup = (kommuneCode: string, collectorOrgId: string) => boolean;

/**
 * Organisation facts for authentication and for decisions (roles, kommune). Served from the
 * organisations read model: it guards no invariant, so eventual consistency is fine, and the
 * registration command waits for the read model before it answers.
 */
@Injectable()
export class OrganisationDirectory {
  private readonly byId = new Map<string, OrganisationFacts>();
  /**
   * Authorisations granted or revoked through this instance that the read models may not include
   * yet, by `kommuneCode/collectorOrgId`, with the log position of the event. Read-your-writes
   * already makes the command wait for the read models, but it can be switched off and gives up
   * after a timeout: a revocation must still bind the very next collection here.
   */
  private readonly authorisationChanges = new Map<string, { readonly authorised: boolean; readonly position: number }>();
  /** The read model's authorised collectors per kommune, when fetched, and how far the read models were projected then. */
  private readonly authorisedByKommune = new Map<string, { readonly collectors: ReadonlySet<string>; readonly fetchedAt: number; readonly projectedTo: number }>();
  /** Per kommune, the log position of the latest authorisation change made through this instance. */
  private readonly lastLocalChange = new Map<string, number>();

  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly projections: ProjectionEngine,
  ) {}

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
    // Roles never change after registration today; when they can, invalidate here.
    this.byId.set(organisationId, facts);
    return facts;
  }

  /**
   * The collectors authorised now for these kommuner, for a collection decision. Authorisations
   * change, unlike roles, so the read model's answer is kept for COLLECTOR_AUTHORISATIONS_TTL_MS only
   * (without it, the query on every collection cost a third of single-command throughput), and never
   * across a change made through this instance: a revocation answered here binds the very next
   * collection here. One query however many kommuner (a bulk import asks once).
   */
  async collectorAuthorisations(kommuneCodes: Iterable<string>): Promise<CollectorAuthorisationLookup> {
    // The position first: the read models include at least it when the query runs after it.
    const projected = this.projections.position();
    const now = performance.now();
    const wanted = [...new Set(kommuneCodes)];
    const stale = wanted.filter((code) => {
      const cached = this.authorisedByKommune.get(code);
      return !cached || now - cached.fetchedAt > COLLECTOR_AUTHORISATIONS_TTL_MS || cached.projectedTo < (this.lastLocalChange.get(code) ?? -1);
    });
    if (stale.length > 0) {
      const fetched = await authorisedCollectorsByKommune(this.db, stale);
      for (const [code, collectors] of fetched) this.authorisedByKommune.set(code, { collectors, fetchedAt: now, projectedTo: projected });
    }
    const pending = new Map<string, boolean>();
    for (const [key, change] of this.authorisationChanges) {
      if (change.position <= projected) this.authorisationChanges.delete(key);
      else pending.set(key, change.authorised);
    }
    return (kommuneCode, collectorOrgId) =>
      pending.get(`${kommuneCode}/${collectorOrgId}`) ?? this.authorisedByKommune.get(kommuneCode)?.collectors.has(collectorOrgId) ?? false;
  }

  /** Called by the command that authorised or revoked a collector, right after its event is stored. */
  collectorAuthorisationChanged(kommuneCode: string, collectorOrgId: string, authorised: boolean, position: number): void {
    const key = `${kommuneCode}/${collectorOrgId}`;
    const known = this.authorisationChanges.get(key);
    if (!known || known.position < position) this.authorisationChanges.set(key, { authorised, position });
    // A cached answer from before this change is not used again (see collectorAuthorisations).
    this.lastLocalChange.set(kommuneCode, Math.max(position, this.lastLocalChange.get(kommuneCode) ?? -1));
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
