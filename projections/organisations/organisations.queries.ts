import type { OrganisationRegistered, Role } from '#domain';
import type { ReadDb } from '../runner/projection.js';
import type { OrganisationRow, OrganisationTables } from './organisations.projection.js';

export interface Organisation {
  organisationId: string;
  name: string;
  cvr: string | null;
  roles: Role[];
  kommuneCode: string | null;
  sites: OrganisationRegistered['sites'];
  /** Business time of the registration (UTC). */
  registeredAt: string;
  recordedAt: string;
  position: number;
}

export interface ApiKeyOwner {
  organisationId: string;
  keyId: string;
  issuedAt: string;
}

function toOrganisation(row: OrganisationRow): Organisation {
  return {
    organisationId: row.organisation_id,
    name: row.name,
    cvr: row.cvr,
    roles: JSON.parse(row.roles) as Role[],
    kommuneCode: row.kommune_code,
    sites: JSON.parse(row.sites) as OrganisationRegistered['sites'],
    registeredAt: row.registered_at,
    recordedAt: row.recorded_at,
    position: Number(row.position),
  };
}

export async function getOrganisation(db: ReadDb, organisationId: string): Promise<Organisation | undefined> {
  const row = await db
    .withTables<OrganisationTables>()
    .selectFrom('organisations_organisation')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return row && toOrganisation(row);
}

/** All organisations by name (then id), optionally only those holding a role. */
export async function listOrganisations(db: ReadDb, filter: { role?: Role } = {}): Promise<Organisation[]> {
  const rows = await db
    .withTables<OrganisationTables>()
    .selectFrom('organisations_organisation')
    .selectAll()
    .orderBy('name')
    .orderBy('organisation_id')
    .execute();
  const organisations = rows.map(toOrganisation);
  const role = filter.role;
  return role === undefined ? organisations : organisations.filter((o) => o.roles.includes(role));
}

/** The organisation a valid (never revoked) API key belongs to, by the key's SHA-256 (hex). */
export async function findOrganisationByKeyHash(db: ReadDb, keyHash: string): Promise<ApiKeyOwner | undefined> {
  const key = await findApiKeyByHash(db, keyHash);
  return key && key.revokedAt === null ? { organisationId: key.organisationId, keyId: key.keyId, issuedAt: key.issuedAt } : undefined;
}

/** An API key by its SHA-256 (hex), revoked or not, so that a revoked key can be told from an unknown one. */
export async function findApiKeyByHash(db: ReadDb, keyHash: string): Promise<(ApiKeyOwner & { revokedAt: string | null }) | undefined> {
  const row = await db
    .withTables<OrganisationTables>()
    .selectFrom('organisations_api_key')
    .select(['organisation_id', 'key_id', 'issued_at', 'revoked_at'])
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
  return row && { organisationId: row.organisation_id, keyId: row.key_id, issuedAt: row.issued_at, revokedAt: row.revoked_at };
}

/** What anyone may know of a key: never the key, nor its hash. */
export interface ApiKeyView {
  keyId: string;
  issuedAt: string;
  /** Null for the key issued with the registration. */
  issuedBy: string | null;
  issueReason: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  replacedByKeyId: string | null;
}

/** An organisation's API keys, in the order they were issued. */
export async function listApiKeys(db: ReadDb, organisationId: string): Promise<ApiKeyView[]> {
  const rows = await db
    .withTables<OrganisationTables>()
    .selectFrom('organisations_api_key')
    .select(['key_id', 'issued_at', 'issued_by', 'issue_reason', 'revoked_at', 'revoked_by', 'revoke_reason', 'replaced_by_key_id'])
    .where('organisation_id', '=', organisationId)
    .orderBy('position')
    .orderBy('key_id')
    .execute();
  return rows.map((row) => ({
    keyId: row.key_id,
    issuedAt: row.issued_at,
    issuedBy: row.issued_by,
    issueReason: row.issue_reason,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    revokeReason: row.revoke_reason,
    replacedByKeyId: row.replaced_by_key_id,
  }));
}

/** One period of a collector's authorisation by a municipality; the revocation fields are null while it is in force. */
export interface CollectorAuthorisationView {
  kommuneCode: string;
  collectorOrgId: string;
  /** Whether the authorisation is in force now (not revoked). */
  active: boolean;
  /** Business time, UTC. */
  authorisedAt: string;
  authorisedBy: string;
  authoriseReason: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

/** A municipality's collector authorisations, current and past, in the order they were made. */
export async function listCollectorAuthorisations(db: ReadDb, municipalityId: string): Promise<CollectorAuthorisationView[]> {
  const rows = await db
    .withTables<OrganisationTables>()
    .selectFrom('organisations_collector_authorisation')
    .select(['kommune_code', 'collector_org_id', 'authorised_at', 'authorised_by', 'authorise_reason', 'revoked_position', 'revoked_at', 'revoked_by', 'revoke_reason'])
    .where('municipality_id', '=', municipalityId)
    .orderBy('authorised_position')
    .execute();
  return rows.map((row) => ({
    kommuneCode: row.kommune_code,
    collectorOrgId: row.collector_org_id,
    active: row.revoked_position === null,
    authorisedAt: row.authorised_at,
    authorisedBy: row.authorised_by,
    authoriseReason: row.authorise_reason,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    revokeReason: row.revoke_reason,
  }));
}

/** Whether the municipality of `kommuneCode` has `collectorOrgId` authorised now. */
export async function isCollectorAuthorised(db: ReadDb, kommuneCode: string, collectorOrgId: string): Promise<boolean> {
  const row = await db
    .withTables<OrganisationTables>()
    .selectFrom('organisations_collector_authorisation')
    .select('authorised_position')
    .where('kommune_code', '=', kommuneCode)
    .where('collector_org_id', '=', collectorOrgId)
    .where('revoked_position', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** The collectors authorised now, by kommune, for each of `kommuneCodes` (an empty set for a kommune with none): one query for a whole import. */
export async function authorisedCollectorsByKommune(db: ReadDb, kommuneCodes: readonly string[]): Promise<Map<string, Set<string>>> {
  const byKommune = new Map<string, Set<string>>(kommuneCodes.map((code) => [code, new Set<string>()]));
  if (byKommune.size === 0) return byKommune;
  const rows = await db
    .withTables<OrganisationTables>()
    .selectFrom('organisations_collector_authorisation')
    .select(['kommune_code', 'collector_org_id'])
    .where('kommune_code', 'in', [...byKommune.keys()])
    .where('revoked_position', 'is', null)
    .execute();
  for (const row of rows) byKommune.get(row.kommune_code)?.add(row.collector_org_id);
  return byKommune;
}
