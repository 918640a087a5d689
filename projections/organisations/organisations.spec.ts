import { beforeEach, expect, it } from '@jest/globals';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, dump, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { OrganisationsProjection } from './organisations.projection.js';
import {
  authorisedCollectorsByKommune,
  findApiKeyByHash,
  findOrganisationByKeyHash,
  getOrganisation,
  isCollectorAuthorised,
  listApiKeys,
  listCollectorAuthorisations,
  listOrganisations,
} from './organisations.queries.js';

const IKAST = uid(6, 1);

describeOnEachReadDb('organisations projection', (openDb) => {
  let db: ReadDb;
  let projection: OrganisationsProjection;

  beforeEach(async () => {
    db = await openDb();
    projection = new OrganisationsProjection();
    await projection.migrate(db);
    await projection.load(db);
  });
  function scenario(): EventLog {
    const log = new EventLog();
    log.append(`organisation-${ORG.herning}`, {
      type: 'OrganisationRegistered',
      data: {
        organisationId: ORG.herning,
        name: 'Herning Kommune',
        cvr: '29189919',
        roles: ['municipality'],
        kommuneCode: '0657',
        sites: [{ name: 'Genbrugspladsen', address: 'Holtbjergvej 2' }],
        occurredAt: '2025-03-03T09:00:00+01:00',
      },
    });
    log.organisation(ORG.sorter, 'Sorter A/S', ['sorter', 'recycler']);
    log.append(`organisation-${ORG.sorter}`, {
      type: 'ApiKeyIssued',
      data: { organisationId: ORG.sorter, keyId: 'key-1', keyHash: 'a'.repeat(64), occurredAt: '2025-03-03T10:00:00Z' },
    });
    return log;
  }

  it('stores organisations with roles, kommune, CVR and sites', async () => {
    await project(db, projection, scenario().projected());
    expect(await getOrganisation(db, ORG.herning)).toEqual({
      organisationId: ORG.herning,
      name: 'Herning Kommune',
      cvr: '29189919',
      roles: ['municipality'],
      kommuneCode: '0657',
      sites: [{ name: 'Genbrugspladsen', address: 'Holtbjergvej 2' }],
      registeredAt: '2025-03-03T08:00:00.000Z',
      recordedAt: expect.any(String),
      position: 0,
    });
    expect(await getOrganisation(db, ORG.maker)).toBeUndefined();
    expect((await listOrganisations(db)).map((o) => o.name)).toEqual(['Herning Kommune', 'Sorter A/S']);
    expect((await listOrganisations(db, { role: 'recycler' })).map((o) => o.organisationId)).toEqual([ORG.sorter]);
  });

  it('finds the organisation of an API key by its hash', async () => {
    await project(db, projection, scenario().projected());
    expect(await findOrganisationByKeyHash(db, 'a'.repeat(64))).toEqual({ organisationId: ORG.sorter, keyId: 'key-1', issuedAt: '2025-03-03T10:00:00.000Z' });
    expect(await findOrganisationByKeyHash(db, 'b'.repeat(64))).toBeUndefined();
  });

  /** The scenario, then a rotation of key-1 to key-2 by the operator, in one append as the decision makes it. */
  function rotated(): EventLog {
    const log = scenario();
    log.append(`organisation-${ORG.sorter}`, {
      type: 'ApiKeyIssued',
      data: { organisationId: ORG.sorter, keyId: 'key-2', keyHash: 'c'.repeat(64), issuedBy: ORG.herning, reason: 'rotation', occurredAt: '2025-04-01T10:00:00Z' },
    });
    log.append(`organisation-${ORG.sorter}`, {
      type: 'ApiKeyRevoked',
      data: { organisationId: ORG.sorter, keyId: 'key-1', revokedBy: ORG.herning, reason: 'rotation', replacedByKeyId: 'key-2', occurredAt: '2025-04-01T10:00:00Z' },
    });
    return log;
  }

  it('stops finding a revoked key, yet tells it apart from an unknown one', async () => {
    await project(db, projection, rotated().projected());
    expect(await findOrganisationByKeyHash(db, 'a'.repeat(64))).toBeUndefined();
    expect(await findApiKeyByHash(db, 'a'.repeat(64))).toEqual({ organisationId: ORG.sorter, keyId: 'key-1', issuedAt: '2025-03-03T10:00:00.000Z', revokedAt: '2025-04-01T10:00:00.000Z' });
    expect(await findOrganisationByKeyHash(db, 'c'.repeat(64))).toMatchObject({ organisationId: ORG.sorter, keyId: 'key-2' });
    expect(await findApiKeyByHash(db, 'c'.repeat(64))).toMatchObject({ keyId: 'key-2', revokedAt: null });
    expect(await findApiKeyByHash(db, 'b'.repeat(64))).toBeUndefined();
  });

  it('revokes a key issued before a restart: the keys are loaded back from the table', async () => {
    const log = rotated();
    const all = log.projected();
    await project(db, projection, all.slice(0, -2));
    const restarted = new OrganisationsProjection();
    await restarted.load(db);
    await project(db, restarted, all.slice(-2));
    expect(await findApiKeyByHash(db, 'a'.repeat(64))).toMatchObject({ keyId: 'key-1', revokedAt: '2025-04-01T10:00:00.000Z' });
  });

  it('lists the keys of one organisation with who issued and revoked them, never a hash', async () => {
    await project(db, projection, rotated().projected());
    const keys = await listApiKeys(db, ORG.sorter);
    expect(keys).toEqual([
      {
        keyId: 'key-1',
        issuedAt: '2025-03-03T10:00:00.000Z',
        issuedBy: null,
        issueReason: null,
        revokedAt: '2025-04-01T10:00:00.000Z',
        revokedBy: ORG.herning,
        revokeReason: 'rotation',
        replacedByKeyId: 'key-2',
      },
      { keyId: 'key-2', issuedAt: '2025-04-01T10:00:00.000Z', issuedBy: ORG.herning, issueReason: 'rotation', revokedAt: null, revokedBy: null, revokeReason: null, replacedByKeyId: null },
    ]);
    expect(JSON.stringify(keys)).not.toMatch(/aaaa|cccc/);
    expect(await listApiKeys(db, ORG.herning)).toEqual([]);
  });

  /**
   * Herning authorises the collector and the sorter, revokes the collector and authorises it again;
   * Ikast authorises the sorter only.
   */
  function authorisations(log: EventLog = scenario()): EventLog {
    log.organisation(ORG.collector, 'Indsamling ApS', ['collector']);
    log.organisation(IKAST, 'Ikast-Brande Kommune', ['municipality'], '0756');
    const authorise = (municipality: string, kommuneCode: string, collectorOrgId: string, occurredAt: string, reason?: string): void => {
      log.append(`organisation-${municipality}`, {
        type: 'CollectorAuthorised',
        data: { organisationId: municipality, kommuneCode, collectorOrgId, authorisedBy: municipality, ...(reason !== undefined ? { reason } : {}), occurredAt },
      });
    };
    authorise(ORG.herning, '0657', ORG.collector, '2025-03-04T09:00:00+01:00', 'tender 2025-03');
    authorise(ORG.herning, '0657', ORG.sorter, '2025-03-05T09:00:00Z');
    authorise(IKAST, '0756', ORG.sorter, '2025-03-05T10:00:00Z');
    log.append(`organisation-${ORG.herning}`, {
      type: 'CollectorAuthorisationRevoked',
      data: { organisationId: ORG.herning, kommuneCode: '0657', collectorOrgId: ORG.collector, revokedBy: ORG.herning, reason: 'contract ended', occurredAt: '2025-06-30T22:00:00Z' },
    });
    authorise(ORG.herning, '0657', ORG.collector, '2025-09-01T08:00:00Z', 'new contract');
    return log;
  }

  it("lists a municipality's collector authorisations, past and present, in the order they were made", async () => {
    await project(db, projection, authorisations().projected());
    expect(await listCollectorAuthorisations(db, ORG.herning)).toEqual([
      {
        kommuneCode: '0657',
        collectorOrgId: ORG.collector,
        active: false,
        authorisedAt: '2025-03-04T08:00:00.000Z',
        authorisedBy: ORG.herning,
        authoriseReason: 'tender 2025-03',
        revokedAt: '2025-06-30T22:00:00.000Z',
        revokedBy: ORG.herning,
        revokeReason: 'contract ended',
      },
      {
        kommuneCode: '0657',
        collectorOrgId: ORG.sorter,
        active: true,
        authorisedAt: '2025-03-05T09:00:00.000Z',
        authorisedBy: ORG.herning,
        authoriseReason: null,
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
      },
      {
        kommuneCode: '0657',
        collectorOrgId: ORG.collector,
        active: true,
        authorisedAt: '2025-09-01T08:00:00.000Z',
        authorisedBy: ORG.herning,
        authoriseReason: 'new contract',
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
      },
    ]);
    expect((await listCollectorAuthorisations(db, IKAST)).map((a) => [a.collectorOrgId, a.active])).toEqual([[ORG.sorter, true]]);
    expect(await listCollectorAuthorisations(db, ORG.sorter)).toEqual([]);
  });

  it('answers whether a collector is authorised for a kommune now, one at a time or per kommune', async () => {
    const log = authorisations();
    const all = log.projected();
    // Up to the revocation: the collector is no longer authorised for Herning.
    await project(db, projection, all.slice(0, -1));
    expect(await isCollectorAuthorised(db, '0657', ORG.collector)).toBe(false);
    expect(await isCollectorAuthorised(db, '0657', ORG.sorter)).toBe(true);
    expect(await isCollectorAuthorised(db, '0756', ORG.sorter)).toBe(true);
    expect(await isCollectorAuthorised(db, '0756', ORG.collector)).toBe(false);
    expect(await isCollectorAuthorised(db, '0661', ORG.sorter)).toBe(false);
    // Authorised again.
    await project(db, projection, all.slice(-1));
    expect(await isCollectorAuthorised(db, '0657', ORG.collector)).toBe(true);
    const byKommune = await authorisedCollectorsByKommune(db, ['0657', '0756', '0661']);
    expect(new Map([...byKommune].map(([k, set]) => [k, [...set].sort()]))).toEqual(
      new Map([
        ['0657', [ORG.collector, ORG.sorter].sort()],
        ['0756', [ORG.sorter]],
        ['0661', []],
      ]),
    );
    expect((await authorisedCollectorsByKommune(db, [])).size).toBe(0);
  });

  it('revokes an authorisation made before a restart: those in force are loaded back from the table', async () => {
    const all = authorisations().projected();
    const revocation = all.findIndex((e) => e.event.type === 'CollectorAuthorisationRevoked');
    await project(db, projection, all.slice(0, revocation));
    const restarted = new OrganisationsProjection();
    await restarted.load(db);
    await project(db, restarted, all.slice(revocation));
    expect(await isCollectorAuthorised(db, '0657', ORG.collector)).toBe(true);
    expect((await listCollectorAuthorisations(db, ORG.herning)).map((a) => [a.collectorOrgId, a.active, a.revokeReason])).toEqual([
      [ORG.collector, false, 'contract ended'],
      [ORG.sorter, true, null],
      [ORG.collector, true, null],
    ]);
  });

  it('is idempotent when a page is applied twice', async () => {
    const page = authorisations(rotated()).projected();
    await project(db, projection, page);
    const tables = ['organisations_organisation', 'organisations_api_key', 'organisations_collector_authorisation'];
    const once = await Promise.all(tables.map((t) => dump(db, t)));
    expect(once[1]).toEqual(expect.arrayContaining([expect.objectContaining({ key_id: 'key-1', revoke_reason: 'rotation' })]));
    expect(once[2]).toHaveLength(4);
    await project(db, projection, page);
    expect(await Promise.all(tables.map((t) => dump(db, t)))).toEqual(once);
  });
});
