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

/** The organisation an API key belongs to, by the key's SHA-256 (hex). */
export async function findOrganisationByKeyHash(db: ReadDb, keyHash: string): Promise<ApiKeyOwner | undefined> {
  const row = await db
    .withTables<OrganisationTables>()
    .selectFrom('organisations_api_key')
    .select(['organisation_id', 'key_id', 'issued_at'])
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
  return row && { organisationId: row.organisation_id, keyId: row.key_id, issuedAt: row.issued_at };
}
