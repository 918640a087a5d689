import { describe, expect, it } from '@jest/globals';
import type { OrganisationFacts } from '#domain';
import type { OrganisationDirectory } from './organisation-directory.js';
import { nameMemberOf, namesMemberOf, OrganisationNames } from './organisation-names.js';

const SORTER = '01938f7c-6b3f-7d52-8e3b-4a7c9f2d5b21';
const RECYCLER = '01938f7c-7c40-7e63-9f4c-5b8d0a3e6c32';
const UNKNOWN = '01900000-0000-7000-8000-00000000dead';

/** The directory's one method the names use, over a fixed list; it counts the look-ups. */
function directoryOf(...organisations: Array<[string, string]>): { directory: OrganisationDirectory; lookups: string[] } {
  const lookups: string[] = [];
  const byId = new Map(organisations.map(([id, name]): [string, OrganisationFacts] => [id, { organisationId: id, name, roles: ['sorter'] }]));
  const directory = { get: async (id: string) => (lookups.push(id), byId.get(id)) } as unknown as OrganisationDirectory;
  return { directory, lookups };
}

describe('OrganisationNames', () => {
  it('given the member names, then the name member replaces the trailing Id', () => {
    expect([nameMemberOf('custodianOrgId'), nameMemberOf('organisationId'), nameMemberOf('batchId'), nameMemberOf('processId')]).toEqual(['custodianOrgName', 'organisationName', undefined, undefined]);
    expect([namesMemberOf('organisationIds'), namesMemberOf('toOrgIds'), namesMemberOf('batchIds')]).toEqual(['organisationNames', 'toOrgNames', undefined]);
  });

  it('given an answer with organisation ids at any depth, when named, then each id gets its name beside it and nothing else changes', async () => {
    const { directory, lookups } = directoryOf([SORTER, 'Sortering Midtjylland A/S'], [RECYCLER, 'Fiber Genvinding A/S']);
    const answer = {
      batchId: 'b1',
      custodianOrgId: SORTER,
      periods: [{ organisationId: RECYCLER, shipment: { toOrgId: SORTER } }, { organisationId: UNKNOWN, shipment: null }],
      organisationIds: [RECYCLER, SORTER],
      definition: { organisationId: SORTER },
    };
    const named = await new OrganisationNames(directory).beside(answer);
    expect(named).toEqual({
      batchId: 'b1',
      custodianOrgId: SORTER,
      custodianOrgName: 'Sortering Midtjylland A/S',
      periods: [
        { organisationId: RECYCLER, organisationName: 'Fiber Genvinding A/S', shipment: { toOrgId: SORTER, toOrgName: 'Sortering Midtjylland A/S' } },
        { organisationId: UNKNOWN, organisationName: null, shipment: null },
      ],
      organisationIds: [RECYCLER, SORTER],
      organisationNames: ['Fiber Genvinding A/S', 'Sortering Midtjylland A/S'],
      // A stored event keeps the shape it was recorded with.
      definition: { organisationId: SORTER },
    });
    // Each organisation is looked up once, however often the answer names it.
    expect([...lookups].sort()).toEqual([SORTER, RECYCLER, UNKNOWN].sort());
    // The answer given is not changed in place.
    expect(answer).not.toHaveProperty('custodianOrgName');
  });

  it('given an answer that already names an id, then its own name is kept', async () => {
    const { directory } = directoryOf([SORTER, 'Sortering Midtjylland A/S']);
    expect(await new OrganisationNames(directory).beside({ organisationId: SORTER, organisationName: 'as recorded' })).toEqual({ organisationId: SORTER, organisationName: 'as recorded' });
  });
});
