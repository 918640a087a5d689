/**
 * Every list a command carries has a maximum (decision 027): at the bound accepted, one beyond
 * refused by the schema (a 400 `invalid-body` naming the list), so no request stores an unbounded
 * list and no list costs more to check than its bound.
 */
import { describe, expect, it } from '@jest/globals';
import { ROLES } from '../organisation/organisation.events.js';
import { RegisterOrganisation } from '../organisation/organisation.commands.js';
import { FIBRES } from '../reference/reference.js';
import { MAX_COMPOSITION_ENTRIES, MAX_PROGRAMME_TAGS, MAX_ROLES, MAX_SITES } from './bounds.js';
import { Composition, ProgrammeTags } from './units.js';

const issuesOf = (result: { success: boolean; error?: { issues: Array<{ code: string; message: string }> } }) => result.error?.issues ?? [];

const organisation = (overrides: Record<string, unknown>) => ({
  organisationId: '0190c0de-0000-7000-8000-000000000001',
  name: 'Herning Tekstilsortering',
  roles: ['sorter'],
  occurredAt: '2025-03-10T09:30:00+01:00',
  apiKeyHash: 'a'.repeat(64),
  apiKeyId: '0123456789ab',
  ...overrides,
});

describe('list maxima', () => {
  it('are the sizes of the reference lists they bound', () => {
    // Each role and each fibre once: the bound is the list itself.
    expect(MAX_ROLES).toBe(ROLES.length);
    expect(MAX_COMPOSITION_ENTRIES).toBe(FIBRES.length);
  });

  it('programme tags: given 20 tags, accepted; given 21, refused as too many', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `tag-${i}`);
    expect(ProgrammeTags.safeParse(tags(MAX_PROGRAMME_TAGS)).success).toBe(true);
    expect(issuesOf(ProgrammeTags.safeParse(tags(MAX_PROGRAMME_TAGS + 1)))).toEqual([expect.objectContaining({ code: 'too_big', message: `at most ${MAX_PROGRAMME_TAGS} programme tags` })]);
  });

  it('composition: given every fibre once, accepted; given one entry more, refused as too many before the shares are summed', () => {
    const everyFibre = FIBRES.map((fibre, i) => ({ fibre, share: i === 0 ? 10_000 - (FIBRES.length - 1) : 1 }));
    expect(Composition.safeParse(everyFibre).success).toBe(true);
    const issues = issuesOf(Composition.safeParse([...everyFibre, { fibre: 'cotton', share: 1 }]));
    expect(issues).toEqual([expect.objectContaining({ code: 'too_big', message: expect.stringContaining(`at most ${MAX_COMPOSITION_ENTRIES} entries`) })]);
  });

  it('roles: given every role once, accepted; given nine, refused', () => {
    expect(RegisterOrganisation.safeParse(organisation({ roles: [...ROLES] })).success).toBe(true);
    expect(issuesOf(RegisterOrganisation.safeParse(organisation({ roles: [...ROLES, 'brand'] })))).toEqual([expect.objectContaining({ code: 'too_big' })]);
  });

  it('sites: given 100, accepted; given 101, refused', () => {
    const sites = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `Site ${i}` }));
    expect(RegisterOrganisation.safeParse(organisation({ sites: sites(MAX_SITES) })).success).toBe(true);
    expect(issuesOf(RegisterOrganisation.safeParse(organisation({ sites: sites(MAX_SITES + 1) })))).toEqual([expect.objectContaining({ code: 'too_big', message: `at most ${MAX_SITES} sites` })]);
  });
});
