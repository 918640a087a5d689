import { beforeEach, expect, it } from '@jest/globals';
import { foldMassBalanceAccount, type DomainEvent } from '#domain';
import { expectSameRowsWhateverThePages } from '../processes/testing/void-log.js';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { ClaimsProjection } from './claims.projection.js';
import { claimsOfBatch, claimsOfOrganisation, getClaim, massBalanceAccount, massBalanceAccountsOf } from './claims.queries.js';

const RECYCLER = uid(3, 1);
const BATCH = uid(50, 2);
const PROCESS = uid(60, 3);
const PERIOD = '2026';
const ACCOUNT = `${RECYCLER}-${PERIOD}`;
const STREAM = `mass-balance-account-${ACCOUNT}`;
const of = { accountId: ACCOUNT, organisationId: RECYCLER, periodId: PERIOD };

const credited: DomainEvent = {
  type: 'MassBalanceCredited',
  data: { ...of, processId: PROCESS, processType: 'mechanical-recycling', creditedGrams: 60_000, inputs: [{ batchId: uid(40, 2), recycledGrams: 60_000 }], occurredAt: '2026-02-01T08:00:00+01:00' },
};
const claim = (n: number, model: 'mass-balance' | 'segregated', grams: number): DomainEvent => ({
  type: 'RecycledContentClaimed',
  data: {
    claimId: uid(70 + n, 4),
    batchId: BATCH,
    claimantOrganisationId: RECYCLER,
    standard: 'grs',
    model,
    recycledContentBasisPoints: 2_500,
    batchMassGrams: 100_000,
    claimedRecycledGrams: grams,
    batchRecycledGrams: 30_000,
    ...(model === 'mass-balance' ? { accountId: ACCOUNT, periodId: PERIOD } : {}),
    occurredAt: '2026-03-01T10:00:00Z',
  },
});
const debited = (n: number, grams: number): DomainEvent => ({ type: 'MassBalanceDebited', data: { ...of, claimId: uid(70 + n, 4), batchId: BATCH, debitedGrams: grams, occurredAt: '2026-03-01T10:00:00Z' } });
const reversed: DomainEvent = { type: 'MassBalanceCreditReversed', data: { ...of, processId: uid(61, 3), voidAttempt: 0, reversedGrams: 0, occurredAt: '2026-04-01T10:00:00Z' } };

function scenario(): { log: EventLog; accountEvents: DomainEvent[] } {
  const log = new EventLog();
  const accountEvents = [credited, claim(1, 'mass-balance', 25_000), debited(1, 25_000), reversed];
  log.append(STREAM, credited);
  log.append(STREAM, claim(1, 'mass-balance', 25_000));
  log.append(STREAM, debited(1, 25_000));
  log.append(`recycled-content-claim-${uid(72, 4)}`, claim(2, 'segregated', 25_000));
  log.append(STREAM, reversed);
  return { log, accountEvents };
}

describeOnEachReadDb('claims projection', (openDb) => {
  let db: ReadDb;
  let projection: ClaimsProjection;

  beforeEach(async () => {
    db = await openDb();
    projection = new ClaimsProjection();
    await projection.migrate(db);
    await projection.load(db);
  });

  it('keeps claims by id, by batch and by organisation, in log order', async () => {
    await project(db, projection, scenario().log.projected());
    expect(await getClaim(db, uid(71, 4))).toMatchObject({ model: 'mass-balance', claimedRecycledGrams: 25_000, accountId: ACCOUNT, periodId: PERIOD, claimantOrgId: RECYCLER });
    expect(await getClaim(db, uid(72, 4))).toMatchObject({ model: 'segregated', accountId: null, periodId: null });
    expect((await claimsOfBatch(db, BATCH)).map((c) => c.claimId)).toEqual([uid(71, 4), uid(72, 4)]);
    expect(await claimsOfOrganisation(db, RECYCLER)).toHaveLength(2);
    expect(await getClaim(db, uid(99, 4))).toBeUndefined();
  });

  it('shows an account as the domain fold of its stream shows it, with the balance after each movement', async () => {
    const { log, accountEvents } = scenario();
    await project(db, projection, log.projected());
    const account = await massBalanceAccount(db, RECYCLER, PERIOD);
    const folded = foldMassBalanceAccount(accountEvents);
    expect(account).toMatchObject({ creditedGrams: folded.creditedGrams, reversedGrams: folded.reversedGrams, debitedGrams: folded.debitedGrams, balanceGrams: folded.balanceGrams });
    expect(account.movements.map((m) => [m.kind, m.grams, m.balanceAfterGrams])).toEqual(folded.movements.map((m) => [m.kind, m.grams, m.balanceAfterGrams]));
    expect(account).toMatchObject({ from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect((await massBalanceAccountsOf(db, RECYCLER)).map((a) => [a.periodId, a.balanceGrams])).toEqual([[PERIOD, 35_000n]]);
    expect((await massBalanceAccount(db, RECYCLER, '2025')).movements).toEqual([]);
  });

  it('ignores every other event, and writes the same rows whatever the pages and after a restart at every event (rebuild equals live)', async () => {
    const { log } = scenario();
    log.append(`batch-${uid(1, 2)}`, { type: 'ProcessCompleted', data: { processId: PROCESS } });
    const rows = await expectSameRowsWhateverThePages(openDb, () => new ClaimsProjection(), log.projected());
    expect(rows['claims_claim']).toHaveLength(2);
    expect(rows['claims_movement']).toHaveLength(3);
  });

  it('is idempotent: a page projected twice adds nothing', async () => {
    const events = scenario().log.projected();
    await project(db, projection, events);
    const again = new ClaimsProjection();
    await again.load(db);
    await project(db, again, events);
    expect((await massBalanceAccount(db, RECYCLER, PERIOD)).movements).toHaveLength(3);
  });
});
