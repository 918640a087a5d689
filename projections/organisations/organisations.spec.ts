import { beforeEach, expect, it } from '@jest/globals';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, dump, project } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { OrganisationsProjection } from './organisations.projection.js';
import { findOrganisationByKeyHash, getOrganisation, listOrganisations } from './organisations.queries.js';

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

  it('is idempotent when a page is applied twice', async () => {
    const page = scenario().projected();
    await project(db, projection, page);
    const once = [await dump(db, 'organisations_organisation'), await dump(db, 'organisations_api_key')];
    await project(db, projection, page);
    expect([await dump(db, 'organisations_organisation'), await dump(db, 'organisations_api_key')]).toEqual(once);
  });
});
