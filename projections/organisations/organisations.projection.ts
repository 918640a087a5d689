import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { BaseProjection } from '../runner/base-projection.js';
import { RowBuffer, utcInstant, textType, type TableDef } from '../runner/sql-rows.js';

export type OrganisationRow = {
  organisation_id: string;
  name: string;
  cvr: string | null;
  /** JSON array of roles, in registration order. */
  roles: string;
  kommune_code: string | null;
  /** JSON array of {name, address?}. */
  sites: string;
  /** Business time of the registration, UTC. */
  registered_at: string;
  recorded_at: string;
  position: number;
};

export type ApiKeyRow = {
  key_hash: string;
  key_id: string;
  organisation_id: string;
  issued_at: string;
  /** Null for the key issued with the registration. */
  issued_by: string | null;
  issue_reason: string | null;
  /** The revocation's business time, UTC; null while the key is valid. */
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  /** Set when the key was rotated: the key issued in its place. */
  replaced_by_key_id: string | null;
  recorded_at: string;
  position: number;
};

/**
 * One period of a collector's authorisation by a municipality: from a CollectorAuthorised to its
 * CollectorAuthorisationRevoked (null columns while it is in force). Authorised again later, the
 * collector gets a new row, so the table is the history as well as the current state.
 */
export type CollectorAuthorisationRow = {
  /** Log position of the CollectorAuthorised event: unique, and the order of the history. */
  authorised_position: number;
  municipality_id: string;
  kommune_code: string;
  collector_org_id: string;
  /** Business time, UTC. */
  authorised_at: string;
  authorised_by: string;
  authorise_reason: string | null;
  authorised_recorded_at: string;
  revoked_position: number | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  revoked_recorded_at: string | null;
};

export type OrganisationTables = {
  organisations_organisation: OrganisationRow;
  organisations_api_key: ApiKeyRow;
  organisations_collector_authorisation: CollectorAuthorisationRow;
};

const ORGANISATION: TableDef = {
  name: 'organisations_organisation',
  columns: ['organisation_id', 'name', 'cvr', 'roles', 'kommune_code', 'sites', 'registered_at', 'recorded_at', 'position'],
  primaryKey: ['organisation_id'],
};
const API_KEY: TableDef = {
  name: 'organisations_api_key',
  columns: [
    'key_hash',
    'key_id',
    'organisation_id',
    'issued_at',
    'issued_by',
    'issue_reason',
    'revoked_at',
    'revoked_by',
    'revoke_reason',
    'replaced_by_key_id',
    'recorded_at',
    'position',
  ],
  primaryKey: ['key_hash'],
};
const COLLECTOR_AUTHORISATION: TableDef = {
  name: 'organisations_collector_authorisation',
  columns: [
    'authorised_position',
    'municipality_id',
    'kommune_code',
    'collector_org_id',
    'authorised_at',
    'authorised_by',
    'authorise_reason',
    'authorised_recorded_at',
    'revoked_position',
    'revoked_at',
    'revoked_by',
    'revoke_reason',
    'revoked_recorded_at',
  ],
  primaryKey: ['authorised_position'],
};

/**
 * Registered organisations and their API keys (only SHA-256 hashes; the key itself is never stored).
 * Version 2 added who issued a key, why, and its revocation; version 3 the collectors each
 * municipality authorised.
 */
export class OrganisationsProjection extends BaseProjection {
  readonly name = 'organisations';
  readonly version = 3;
  readonly tables = [ORGANISATION.name, API_KEY.name, COLLECTOR_AUTHORISATION.name] as const;
  private readonly organisations = new RowBuffer(ORGANISATION);
  private readonly apiKeys = new RowBuffer(API_KEY);
  private readonly collectorAuthorisations = new RowBuffer(COLLECTOR_AUTHORISATION);
  /**
   * The authorisation in force by `municipalityId/collectorOrgId`: a revocation names the pair, not
   * the position that keys the row. Few (a handful of collectors per municipality), so all are kept.
   */
  private readonly authorisationsInForce = new Map<string, CollectorAuthorisationRow>();
  /**
   * Every key row by `organisationId/keyId`: a revocation names its key by id, not by the hash that
   * keys the row. Keys are few (a handful per organisation), so all of them are kept.
   */
  private readonly keysById = new Map<string, ApiKeyRow>();

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<OrganisationTables>().schema;
    await schema
      .createTable(ORGANISATION.name)
      .ifNotExists()
      .addColumn('organisation_id', textType(db), (c) => c.primaryKey())
      .addColumn('name', textType(db), (c) => c.notNull())
      .addColumn('cvr', textType(db))
      .addColumn('roles', textType(db), (c) => c.notNull())
      .addColumn('kommune_code', textType(db))
      .addColumn('sites', textType(db), (c) => c.notNull())
      .addColumn('registered_at', textType(db), (c) => c.notNull())
      .addColumn('recorded_at', textType(db), (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await schema
      .createTable(API_KEY.name)
      .ifNotExists()
      .addColumn('key_hash', textType(db), (c) => c.primaryKey())
      .addColumn('key_id', textType(db), (c) => c.notNull())
      .addColumn('organisation_id', textType(db), (c) => c.notNull())
      .addColumn('issued_at', textType(db), (c) => c.notNull())
      .addColumn('issued_by', textType(db))
      .addColumn('issue_reason', textType(db))
      .addColumn('revoked_at', textType(db))
      .addColumn('revoked_by', textType(db))
      .addColumn('revoke_reason', textType(db))
      .addColumn('replaced_by_key_id', textType(db))
      .addColumn('recorded_at', textType(db), (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await schema.createIndex('organisations_api_key_org').ifNotExists().on(API_KEY.name).column('organisation_id').execute();
    await schema
      .createTable(COLLECTOR_AUTHORISATION.name)
      .ifNotExists()
      .addColumn('authorised_position', 'bigint', (c) => c.primaryKey())
      .addColumn('municipality_id', textType(db), (c) => c.notNull())
      .addColumn('kommune_code', textType(db), (c) => c.notNull())
      .addColumn('collector_org_id', textType(db), (c) => c.notNull())
      .addColumn('authorised_at', textType(db), (c) => c.notNull())
      .addColumn('authorised_by', textType(db), (c) => c.notNull())
      .addColumn('authorise_reason', textType(db))
      .addColumn('authorised_recorded_at', textType(db), (c) => c.notNull())
      .addColumn('revoked_position', 'bigint')
      .addColumn('revoked_at', textType(db))
      .addColumn('revoked_by', textType(db))
      .addColumn('revoke_reason', textType(db))
      .addColumn('revoked_recorded_at', textType(db))
      .execute();
    // Every collection by a collector asks whether it is authorised for the kommune.
    await schema
      .createIndex('organisations_collector_authorisation_kommune')
      .ifNotExists()
      .on(COLLECTOR_AUTHORISATION.name)
      .columns(['kommune_code', 'collector_org_id'])
      .execute();
    await schema
      .createIndex('organisations_collector_authorisation_municipality')
      .ifNotExists()
      .on(COLLECTOR_AUTHORISATION.name)
      .column('municipality_id')
      .execute();
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const rows = await db.withTables<OrganisationTables>().selectFrom('organisations_api_key').selectAll().execute();
    for (const row of rows) this.keysById.set(`${row.organisation_id}/${row.key_id}`, { ...row, position: Number(row.position) });
    const inForce = await db
      .withTables<OrganisationTables>()
      .selectFrom('organisations_collector_authorisation')
      .selectAll()
      .where('revoked_position', 'is', null)
      .execute();
    for (const row of inForce) {
      this.authorisationsInForce.set(`${row.municipality_id}/${row.collector_org_id}`, { ...row, authorised_position: Number(row.authorised_position), revoked_position: null });
    }
  }

  protected clearState(): void {
    this.organisations.clear();
    this.apiKeys.clear();
    this.keysById.clear();
    this.collectorAuthorisations.clear();
    this.authorisationsInForce.clear();
  }

  protected fold(projected: ProjectedEvent): void {
    const { event } = projected;
    if (event.type === 'OrganisationRegistered') {
      const e = event.data;
      this.organisations.put(e.organisationId, {
        organisation_id: e.organisationId,
        name: e.name,
        cvr: e.cvr ?? null,
        roles: JSON.stringify(e.roles),
        kommune_code: e.kommuneCode ?? null,
        sites: JSON.stringify(e.sites.map((s) => (s.address === undefined ? { name: s.name } : { name: s.name, address: s.address }))),
        registered_at: utcInstant(e.occurredAt),
        recorded_at: projected.recordedAt,
        position: projected.position,
      });
    } else if (event.type === 'ApiKeyIssued') {
      const e = event.data;
      const row: ApiKeyRow = {
        key_hash: e.keyHash,
        key_id: e.keyId,
        organisation_id: e.organisationId,
        issued_at: utcInstant(e.occurredAt),
        issued_by: e.issuedBy ?? null,
        issue_reason: e.reason ?? null,
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
        replaced_by_key_id: null,
        recorded_at: projected.recordedAt,
        position: projected.position,
      };
      this.keysById.set(`${e.organisationId}/${e.keyId}`, row);
      this.apiKeys.put(e.keyHash, row);
    } else if (event.type === 'ApiKeyRevoked') {
      const e = event.data;
      const key = this.keysById.get(`${e.organisationId}/${e.keyId}`);
      // The decision refuses to revoke a key that was never issued, so this only guards a hand-made log.
      if (!key) return;
      const row: ApiKeyRow = {
        ...key,
        revoked_at: utcInstant(e.occurredAt),
        revoked_by: e.revokedBy,
        revoke_reason: e.reason,
        replaced_by_key_id: e.replacedByKeyId ?? null,
      };
      this.keysById.set(`${e.organisationId}/${e.keyId}`, row);
      this.apiKeys.put(row.key_hash, row);
    } else if (event.type === 'CollectorAuthorised') {
      const e = event.data;
      const row: CollectorAuthorisationRow = {
        authorised_position: projected.position,
        municipality_id: e.organisationId,
        kommune_code: e.kommuneCode,
        collector_org_id: e.collectorOrgId,
        authorised_at: utcInstant(e.occurredAt),
        authorised_by: e.authorisedBy,
        authorise_reason: e.reason ?? null,
        authorised_recorded_at: projected.recordedAt,
        revoked_position: null,
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
        revoked_recorded_at: null,
      };
      this.authorisationsInForce.set(`${e.organisationId}/${e.collectorOrgId}`, row);
      this.collectorAuthorisations.put(String(row.authorised_position), row);
    } else if (event.type === 'CollectorAuthorisationRevoked') {
      const e = event.data;
      const key = `${e.organisationId}/${e.collectorOrgId}`;
      const inForce = this.authorisationsInForce.get(key);
      // The decision refuses to revoke what is not in force, so this only guards a hand-made log.
      if (!inForce) return;
      const row: CollectorAuthorisationRow = {
        ...inForce,
        revoked_position: projected.position,
        revoked_at: utcInstant(e.occurredAt),
        revoked_by: e.revokedBy,
        revoke_reason: e.reason,
        revoked_recorded_at: projected.recordedAt,
      };
      this.authorisationsInForce.delete(key);
      this.collectorAuthorisations.put(String(row.authorised_position), row);
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.organisations.flush(tx);
    await this.apiKeys.flush(tx);
    await this.collectorAuthorisations.flush(tx);
  }
}
