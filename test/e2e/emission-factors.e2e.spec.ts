/**
 * Emission factor sets over HTTP (docs/decisions/042-emission-factors-as-data.md): seeded at start-up
 * from the copied seed file, published by the operator once per set id, listed, named, and the set
 * in force on a date; decimals stay exact strings, unknown stays null.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SEED_EMISSION_FACTOR_SETS } from '#domain';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

interface FactorSet {
  factorSetId: string;
  validFrom: string;
  publishedBy: string;
  factors: { route: string; kgCo2eAvoidedPerKg: string | null; baseline: string; source: string; note: string }[];
}

const NEXT = {
  factorSetId: 'herning-2025',
  validFrom: '2025-07-01',
  factors: [
    { route: 'recycling', kgCo2eAvoidedPerKg: '3.25', baseline: 'incineration', source: 'Test source, 2025', note: 'a later version' },
    { route: 'reuse', kgCo2eAvoidedPerKg: null, baseline: 'incineration', source: 'not given' },
  ],
};

describe('emission factor sets over HTTP', () => {
  let ledger: LedgerHarness;
  let sorter: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter']);
    auditor = await ledger.registerOrganisation('Revisionsfirma', ['auditor']);
  });
  afterAll(async () => ledger.close());

  it('publishes the seed sets at start-up, exactly as the seed file states them', async () => {
    const list = await ledger.get<{ sets: FactorSet[]; inForceToday: string | null }>('/emission-factors', sorter.key);
    expect(list.status).toBe(200);
    expect(list.body.sets.map((s) => s.factorSetId)).toEqual(['herning-2022', 'jie-2015']);
    for (const seed of SEED_EMISSION_FACTOR_SETS) {
      const set = list.body.sets.find((s) => s.factorSetId === seed.factorSetId);
      expect(set?.validFrom).toBe(seed.validFrom);
      expect(set?.factors).toEqual(seed.factors);
    }
    expect(list.body.sets[0]?.factors.find((f) => f.route === 'reuse')?.kgCo2eAvoidedPerKg).toBeNull();
    expect(list.body.inForceToday).toBe('herning-2022');
  });

  it("keeps the operator's registration the log's first event, and publishes the seed sets in the operator's name", async () => {
    const first = await ledger.store.readAll({ maxCount: 1 });
    expect(first[0]?.type).toBe('OrganisationRegistered');
    const seeded = await ledger.get<FactorSet>('/emission-factors/jie-2015', sorter.key);
    expect(seeded.body.publishedBy).toBe(first[0]?.streamId.replace('organisation-', ''));
  });

  it('seeds once: a restart on the same data publishes nothing again', async () => {
    const before = (await ledger.get<{ sets: FactorSet[] }>('/emission-factors')).body.sets.length;
    await ledger.close({ keepData: true });
    ledger = await LedgerHarness.start({ dataDir: ledger.dataDir });
    expect((await ledger.get<{ sets: FactorSet[] }>('/emission-factors')).body.sets).toHaveLength(before);
  });

  it('lets the operator publish a new version under a new set id, and answers the set in force on a date', async () => {
    const published = await ledger.post('/emission-factors', NEXT);
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ factorSetId: 'herning-2025', position: expect.any(Number) });
    const named = await ledger.get<FactorSet>('/emission-factors/herning-2025', sorter.key);
    expect(named.body.factors).toEqual([NEXT.factors[0], { ...NEXT.factors[1], note: '' }]);
    expect((await ledger.get<FactorSet>('/emission-factors/in-force?on=2025-06-30', sorter.key)).body.factorSetId).toBe('herning-2022');
    expect((await ledger.get<FactorSet>('/emission-factors/in-force?on=2025-07-01', sorter.key)).body.factorSetId).toBe('herning-2025');
    expect((await ledger.get<FactorSet>('/emission-factors/in-force?on=2016-02-29', sorter.key)).body.factorSetId).toBe('jie-2015');
  });

  it('refuses a set id published before, anyone but the operator, and malformed input, as problem+json', async () => {
    const again = await ledger.post('/emission-factors', NEXT);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'factor-set-published' });
    expect((await ledger.post('/emission-factors', { ...NEXT, factorSetId: 'sorter-own' }, sorter.key)).status).toBe(403);
    expect((await ledger.post('/emission-factors', { ...NEXT, factorSetId: 'auditor-own' }, auditor.key)).status).toBe(403);
    const float = await ledger.post('/emission-factors', { ...NEXT, factorSetId: 'floats', factors: [{ ...NEXT.factors[0], kgCo2eAvoidedPerKg: 3.25 }] });
    expect(float.status).toBe(400);
    expect((await ledger.post('/emission-factors', { ...NEXT, factorSetId: 'Not A Slug' })).status).toBe(400);
    expect((await ledger.get('/emission-factors/in-force?on=2025-02-30', sorter.key)).status).toBe(400);
    expect((await ledger.get('/emission-factors/in-force?on=2014-12-31', sorter.key)).status).toBe(404);
    expect((await ledger.get('/emission-factors/unknown-set', sorter.key)).status).toBe(404);
    expect((await ledger.get('/emission-factors/sorter-own', sorter.key)).status).toBe(404);
  });
});
