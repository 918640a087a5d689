import { beforeEach, expect, it } from '@jest/globals';
import { setInForceOn, type DomainEvent, type EmissionFactorSetPublished } from '#domain';
import { expectSameRowsWhateverThePages } from '../processes/testing/void-log.js';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { EmissionFactorsProjection } from './emission-factors.projection.js';
import { emissionFactorSetInForce, getEmissionFactorSet, listEmissionFactorSets } from './emission-factors.queries.js';

const OPERATOR = uid(9, 1);

function published(data: Omit<EmissionFactorSetPublished, 'publishedBy' | 'occurredAt'>, occurredAt = '2026-01-05T10:00:00+01:00'): DomainEvent {
  return { type: 'EmissionFactorSetPublished', data: { ...data, publishedBy: OPERATOR, occurredAt } };
}

const HERNING = published({
  factorSetId: 'herning-2022',
  validFrom: '2022-01-01',
  factors: [
    { route: 'recycling', kgCo2eAvoidedPerKg: '20.4', baseline: 'incineration', source: 'brochure', note: '' },
    { route: 'reuse', kgCo2eAvoidedPerKg: null, baseline: 'incineration', source: 'not given', note: 'unknown' },
  ],
});
const JIE = published({ factorSetId: 'jie-2015', validFrom: '2015-01-01', factors: [{ route: 'recycling', kgCo2eAvoidedPerKg: '10.0', baseline: 'incineration', source: 'JIE', note: '' }] });
const LATER = published({ factorSetId: 'herning-2025', validFrom: '2025-07-01', factors: [{ route: 'recycling', kgCo2eAvoidedPerKg: '0.000001', baseline: 'landfill', source: 'test', note: '' }] });

function scenario(): EventLog {
  const log = new EventLog();
  for (const event of [HERNING, JIE, LATER]) log.append(`emission-factor-set-${event.type === 'EmissionFactorSetPublished' ? event.data.factorSetId : ''}`, event);
  return log;
}

describeOnEachReadDb('emission factors projection', (openDb) => {
  let db: ReadDb;
  let projection: EmissionFactorsProjection;

  beforeEach(async () => {
    db = await openDb();
    projection = new EmissionFactorsProjection();
    await projection.migrate(db);
    await projection.load(db);
  });

  it('keeps every set with its factors as exact decimal strings, unknown as null', async () => {
    await project(db, projection, scenario().projected());
    const sets = await listEmissionFactorSets(db);
    expect(sets.map((s) => s.factorSetId)).toEqual(['herning-2025', 'herning-2022', 'jie-2015']);
    expect(await getEmissionFactorSet(db, 'herning-2022')).toEqual({
      factorSetId: 'herning-2022',
      validFrom: '2022-01-01',
      publishedBy: OPERATOR,
      publishedAt: '2026-01-05T09:00:00.000Z',
      position: expect.any(Number),
      factors: [
        { route: 'recycling', kgCo2eAvoidedPerKg: '20.4', baseline: 'incineration', source: 'brochure', note: '' },
        { route: 'reuse', kgCo2eAvoidedPerKg: null, baseline: 'incineration', source: 'not given', note: 'unknown' },
      ],
    });
    expect((await getEmissionFactorSet(db, 'jie-2015'))?.factors[0]?.kgCo2eAvoidedPerKg).toBe('10.0');
    expect(await getEmissionFactorSet(db, 'nope')).toBeUndefined();
  });

  it('answers the set in force on a date as the domain does', async () => {
    await project(db, projection, scenario().projected());
    const sets = await listEmissionFactorSets(db);
    for (const on of ['2014-12-31', '2015-01-01', '2021-12-31', '2022-01-01', '2025-06-30', '2025-07-01', '2030-01-01']) {
      expect((await emissionFactorSetInForce(db, on))?.factorSetId).toBe(setInForceOn(sets, on)?.factorSetId);
    }
    expect((await emissionFactorSetInForce(db, '2024-02-29'))?.factorSetId).toBe('herning-2022');
    expect(await emissionFactorSetInForce(db, '2014-12-31')).toBeUndefined();
  });

  it('keeps the first publication of a set id, should the log hold a second', async () => {
    const log = scenario();
    log.append('emission-factor-set-jie-2015-copy', published({ factorSetId: 'jie-2015', validFrom: '2030-01-01', factors: [{ route: 'reuse', kgCo2eAvoidedPerKg: '1', baseline: 'x', source: 'y', note: '' }] }));
    const events = log.projected();
    await project(db, projection, events.slice(0, -1));
    await project(db, projection, events.slice(-1));
    expect(await getEmissionFactorSet(db, 'jie-2015')).toMatchObject({ validFrom: '2015-01-01', factors: [{ route: 'recycling', kgCo2eAvoidedPerKg: '10.0' }] });
  });

  it('writes the same rows whatever the pages, and after a restart at every event (rebuild equals live)', async () => {
    const log = scenario();
    log.append('emission-factor-set-jie-2015-copy', published({ factorSetId: 'jie-2015', validFrom: '2030-01-01', factors: [{ route: 'reuse', kgCo2eAvoidedPerKg: '1', baseline: 'x', source: 'y', note: '' }] }));
    const rows = await expectSameRowsWhateverThePages(openDb, () => new EmissionFactorsProjection(), log.projected());
    expect(rows['emission_factor']).toHaveLength(4);
  });
});
