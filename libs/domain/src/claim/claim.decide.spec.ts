/**
 * Recycled-content claims and mass-balance accounts (docs/decisions/044-recycled-content-claims.md),
 * given/when/then. Every refusal is asserted by its error class and stable code.
 */
import { describe, expect, it } from '@jest/globals';
import type { BatchState } from '../batch/batch.state.js';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import { parseEvent, type DomainEvent } from '../events.js';
import type { Role } from '../organisation/organisation.events.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { ClaimRecycledContent } from './claim.commands.js';
import { claimedRecycledGrams, decideRecycledContentClaim, type ClaimTarget, type CreditCandidate } from './claim.decide.js';
import {
  decideMassBalanceVoid,
  EMPTY_MASS_BALANCE_ACCOUNT,
  evolveMassBalanceAccount,
  foldMassBalanceAccount,
  massBalancePeriodOf,
  massBalancePeriodRange,
  type MassBalanceAccount,
} from './mass-balance-account.js';

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const org = (n: number, name: string, roles: Role[]): OrganisationFacts => ({ organisationId: uuid(n), name, roles });
const RECYCLER = org(1, 'Fibre Loop ApS', ['recycler']);
const MANUFACTURER = org(2, 'Puder & Poser ApS', ['manufacturer']);
const OUTSIDER = org(3, 'Brand A/S', ['brand']);
const AUDITOR = org(4, 'Revision A/S', ['auditor']);
const NOW = new Date('2026-05-01T12:00:00.000Z');
const ctx = (actor: OrganisationFacts): DecisionContext => ({ now: NOW, actor, organisation: () => undefined, policy: DEFAULT_POLICY });

const BATCH_ID = uuid(100);
const CLAIM_ID = uuid(200);
const PROCESS_A = uuid(300);
const PROCESS_B = uuid(301);
const ACCOUNT_ID = `${RECYCLER.organisationId}-2026`;

const batch = (over: Partial<BatchState> = {}): BatchState => ({
  batchId: BATCH_ID,
  origin: { kind: 'produced', processId: PROCESS_A },
  massGrams: 100_000,
  grade: 'recycling-mechanical' as BatchState['grade'],
  composition: [{ fibre: 'cotton', share: 10_000 }],
  custodianOrgId: RECYCLER.organisationId,
  ownerOrgId: RECYCLER.organisationId,
  status: 'available',
  massEventId: uuid(900),
  massFromOrigin: true,
  anomalies: 0,
  programmeTags: [],
  latestOccurredAt: '2026-04-01T10:00:00.000Z',
  ...over,
});

const command = (over: Partial<ClaimRecycledContent> = {}): ClaimRecycledContent =>
  ClaimRecycledContent.parse({
    claimId: CLAIM_ID,
    batchId: BATCH_ID,
    standard: 'grs',
    model: 'segregated',
    recycledContentBasisPoints: 3_000,
    occurredAt: '2026-05-01T11:00:00.000Z',
    ...over,
  });

/** 40 % of the 100 kg batch is recycled by its provenance. */
const provenance = { massGrams: 100_000, recycledGrams: 40_000, voided: false };

const credited = (processId: string, grams: number): DomainEvent => ({
  type: 'MassBalanceCredited',
  data: {
    accountId: ACCOUNT_ID,
    organisationId: RECYCLER.organisationId,
    periodId: '2026',
    processId,
    processType: 'mechanical-recycling',
    creditedGrams: grams,
    inputs: [{ batchId: uuid(400), recycledGrams: grams }],
    occurredAt: '2026-02-01T08:00:00.000Z',
  },
});
const debited = (claimId: string, grams: number): DomainEvent => ({
  type: 'MassBalanceDebited',
  data: { accountId: ACCOUNT_ID, organisationId: RECYCLER.organisationId, periodId: '2026', claimId, batchId: BATCH_ID, debitedGrams: grams, occurredAt: '2026-03-01T08:00:00.000Z' },
});
const candidate = (processId: string, grams: number): CreditCandidate => ({
  processId,
  processType: 'mechanical-recycling',
  creditedGrams: grams,
  inputs: [{ batchId: uuid(400), recycledGrams: grams }],
  occurredAt: '2026-02-01T08:00:00.000Z',
});

const physical = DeciderSpecification.for<undefined, DomainEvent>({ evolve: () => undefined, initialState: () => undefined });
const accountSpec = DeciderSpecification.for<MassBalanceAccount, DomainEvent>({ evolve: evolveMassBalanceAccount, initialState: () => EMPTY_MASS_BALANCE_ACCOUNT });

const physicalTarget = (over: Partial<ClaimTarget> = {}): ClaimTarget => ({ batch: batch(), provenance, ...over });
const massBalanceTarget = (state: MassBalanceAccount, candidates: readonly CreditCandidate[] = []): ClaimTarget => ({
  batch: batch(),
  provenance,
  account: { accountId: ACCOUNT_ID, periodId: '2026', state, candidates },
});

const claimed = (over: Record<string, unknown> = {}): DomainEvent => ({
  type: 'RecycledContentClaimed',
  data: {
    claimId: CLAIM_ID,
    batchId: BATCH_ID,
    claimantOrganisationId: RECYCLER.organisationId,
    standard: 'grs',
    model: 'segregated',
    recycledContentBasisPoints: 3_000,
    batchMassGrams: 100_000,
    claimedRecycledGrams: 30_000,
    batchRecycledGrams: 40_000,
    occurredAt: '2026-05-01T11:00:00.000Z',
    ...over,
  } as Extract<DomainEvent, { type: 'RecycledContentClaimed' }>['data'],
});

describe('a claim under a physical model', () => {
  it('given a batch 40 % recycled by its provenance, when its custodian claims 30 % under GRS, segregated, then the claim is recorded with the provenance figure', () => {
    physical
      .given([])
      .when(() => decideRecycledContentClaim(physicalTarget(), command(), ctx(RECYCLER)))
      .then([claimed()]);
  });

  it('given a batch 40 % recycled, when 40.01 % is claimed, then it is refused: a physical claim may not exceed the batch\'s own recycled share', () => {
    for (const model of ['identity-preserved', 'segregated', 'controlled-blending'] as const) {
      physical
        .given([])
        .when(() => decideRecycledContentClaim(physicalTarget(), command({ model, recycledContentBasisPoints: 4_001 }), ctx(RECYCLER)))
        .thenThrows(InvalidCommandError, 'exceeds-batch-recycled-content');
    }
  });

  it('given exactly the batch\'s recycled share, then it is accepted', () => {
    physical
      .given([])
      .when(() => decideRecycledContentClaim(physicalTarget(), command({ recycledContentBasisPoints: 4_000 }), ctx(RECYCLER)))
      .thenSatisfies((events) => expect(events).toHaveLength(1));
  });

  it('given claimed grams that are not whole, then they are rounded up (conservative)', () => {
    expect(claimedRecycledGrams(999, 3_333)).toBe(333); // 332.9667 → 333
    expect(claimedRecycledGrams(100_000, 3_000)).toBe(30_000);
    expect(claimedRecycledGrams(1, 1)).toBe(1);
    // 1 g at 40.01 % needs a whole gram, which a batch with 0.4 g of recycled grams (i.e. 0) cannot back.
    physical
      .given([])
      .when(() => decideRecycledContentClaim(physicalTarget({ batch: batch({ massGrams: 1 }), provenance: { massGrams: 1, recycledGrams: 0, voided: false } }), command({ recycledContentBasisPoints: 2_000 }), ctx(RECYCLER)))
      .thenThrows(InvalidCommandError, 'exceeds-batch-recycled-content');
  });
});

describe('the standards\' thresholds', () => {
  const cases = [
    ['rcs', 499, 500],
    ['rcs-100', 9_499, 9_500],
    ['grs', 1_999, 2_000],
    ['grs-label', 4_999, 5_000],
  ] as const;
  for (const [standard, below, at] of cases) {
    it(`given ${standard}, when ${below} basis points are claimed, then it is refused; ${at} is accepted`, () => {
      const rich = physicalTarget({ provenance: { massGrams: 100_000, recycledGrams: 100_000, voided: false } });
      physical.given([]).when(() => decideRecycledContentClaim(rich, command({ standard, recycledContentBasisPoints: below }), ctx(RECYCLER))).thenThrows(InvalidCommandError, 'below-standard-threshold');
      physical.given([]).when(() => decideRecycledContentClaim(rich, command({ standard, recycledContentBasisPoints: at }), ctx(RECYCLER))).thenSatisfies((events) => expect(events).toHaveLength(1));
    });
  }

  it('given a share outside 1..10000 basis points or not whole, then the command does not parse', () => {
    for (const bad of [0, 10_001, 12.5, '3000']) {
      expect(ClaimRecycledContent.safeParse({ ...command(), recycledContentBasisPoints: bad }).success).toBe(false);
    }
    expect(ClaimRecycledContent.safeParse({ ...command(), standard: 'oeko-tex' }).success).toBe(false);
    expect(ClaimRecycledContent.safeParse({ ...command(), model: 'book-and-claim' }).success).toBe(false);
  });
});

describe('who may claim, and on what', () => {
  it('given no such batch, then it is refused as unknown', () => {
    physical.given([]).when(() => decideRecycledContentClaim(physicalTarget({ batch: undefined }), command(), ctx(RECYCLER))).thenThrows(NotFoundError, 'unknown-batch');
  });

  it('given an organisation that neither owns nor holds the batch, then it is refused', () => {
    physical.given([]).when(() => decideRecycledContentClaim(physicalTarget(), command(), ctx(OUTSIDER))).thenThrows(ForbiddenError, 'not-owner-or-custodian');
  });

  it('given the owner that no longer holds it, then it may claim', () => {
    physical
      .given([])
      .when(() => decideRecycledContentClaim(physicalTarget({ batch: batch({ custodianOrgId: MANUFACTURER.organisationId }) }), command(), ctx(RECYCLER)))
      .thenSatisfies((events) => expect(events).toHaveLength(1));
  });

  it('given an auditor (even as owner on record), then it is refused: auditors never write', () => {
    physical
      .given([])
      .when(() => decideRecycledContentClaim(physicalTarget({ batch: batch({ ownerOrgId: AUDITOR.organisationId }) }), command(), ctx(AUDITOR)))
      .thenThrows(ForbiddenError, 'role-not-permitted');
  });

  it('given a collected batch rather than a process output, then it is refused', () => {
    physical
      .given([])
      .when(() => decideRecycledContentClaim(physicalTarget({ batch: batch({ origin: { kind: 'collected', kommuneCode: '0657' } }) }), command(), ctx(RECYCLER)))
      .thenThrows(InvalidCommandError, 'not-a-process-output');
  });

  it('given a consumed or voided batch, then it is refused', () => {
    for (const status of ['consumed', 'voided'] as const) {
      physical.given([]).when(() => decideRecycledContentClaim(physicalTarget({ batch: batch({ status }) }), command(), ctx(RECYCLER))).thenThrows(ConflictError, 'batch-not-claimable');
    }
  });

  it('given provenance the read model has not seen, or seen at another mass, or voided, then it is refused for now', () => {
    for (const p of [undefined, { ...provenance, massGrams: 90_000 }, { ...provenance, voided: true }]) {
      physical.given([]).when(() => decideRecycledContentClaim(physicalTarget({ provenance: p }), command(), ctx(RECYCLER))).thenThrows(ConflictError, 'provenance-not-current');
    }
  });

  it('given a business time in the future or before the batch\'s latest event, then it is refused', () => {
    physical.given([]).when(() => decideRecycledContentClaim(physicalTarget(), command({ occurredAt: '2026-06-01T00:00:00Z' }), ctx(RECYCLER))).thenThrows(InvalidCommandError, 'time-in-future');
    physical.given([]).when(() => decideRecycledContentClaim(physicalTarget(), command({ occurredAt: '2026-03-01T00:00:00Z' }), ctx(RECYCLER))).thenThrows(InvalidCommandError, 'time-before-previous-event');
  });
});

describe('a claim under mass balance', () => {
  const mb = (over: Partial<ClaimRecycledContent> = {}) => command({ model: 'mass-balance', ...over });

  it('given 50 kg of credit and no debit, when 30 kg is claimed, then the claim and its debit are appended together', () => {
    accountSpec
      .given([credited(PROCESS_A, 50_000)])
      .when((state) => decideRecycledContentClaim(massBalanceTarget(state), mb(), ctx(RECYCLER)))
      .then([
        claimed({ model: 'mass-balance', accountId: ACCOUNT_ID, periodId: '2026' }),
        debited(CLAIM_ID, 30_000) as DomainEvent,
      ].map((e) => (e.type === 'MassBalanceDebited' ? { ...e, data: { ...e.data, occurredAt: '2026-05-01T11:00:00.000Z' } } : e)) as DomainEvent[]);
  });

  it('given a batch with no recycled grams of its own, then mass balance may still claim it from the account', () => {
    accountSpec
      .given([credited(PROCESS_A, 50_000)])
      .when((state) => decideRecycledContentClaim({ ...massBalanceTarget(state), provenance: { massGrams: 100_000, recycledGrams: 0, voided: false } }, mb(), ctx(RECYCLER)))
      .thenSatisfies((events) => expect(events.map((e) => e.type)).toEqual(['RecycledContentClaimed', 'MassBalanceDebited']));
  });

  it('given a balance of 29,999 g, when 30,000 g is claimed, then it is refused and nothing is appended', () => {
    accountSpec
      .given([credited(PROCESS_A, 50_000), debited(uuid(201), 20_001)])
      .when((state) => decideRecycledContentClaim(massBalanceTarget(state), mb(), ctx(RECYCLER)))
      .thenThrows(ConflictError, 'insufficient-mass-balance');
  });

  it('given credits the read models show and the account has not booked, then they are booked in the same append, before the claim', () => {
    accountSpec
      .given([credited(PROCESS_A, 10_000)])
      .when((state) => decideRecycledContentClaim(massBalanceTarget(state, [candidate(PROCESS_A, 10_000), candidate(PROCESS_B, 20_000)]), mb(), ctx(RECYCLER)))
      .thenSatisfies((events) => {
        expect(events.map((e) => e.type)).toEqual(['MassBalanceCredited', 'RecycledContentClaimed', 'MassBalanceDebited']);
        expect(events[0]).toMatchObject({ data: { processId: PROCESS_B, creditedGrams: 20_000, accountId: ACCOUNT_ID } });
      });
  });

  it('given a process whose credit a void reversed, then it is never credited again, even if a read model still shows it', () => {
    const reversal = decideMassBalanceVoid(foldMassBalanceAccount([credited(PROCESS_A, 40_000)]), {
      accountId: ACCOUNT_ID,
      organisationId: RECYCLER.organisationId,
      periodId: '2026',
      processId: PROCESS_A,
      voidAttempt: 0,
      occurredAt: '2026-04-01T00:00:00.000Z',
    });
    accountSpec
      .given([credited(PROCESS_A, 40_000), ...reversal])
      .when((state) => decideRecycledContentClaim(massBalanceTarget(state, [candidate(PROCESS_A, 40_000)]), mb(), ctx(RECYCLER)))
      .thenThrows(ConflictError, 'insufficient-mass-balance');
  });

  it('given the claim id is already on the account, then it is refused', () => {
    accountSpec
      .given([credited(PROCESS_A, 90_000), debited(CLAIM_ID, 30_000)])
      .when((state) => decideRecycledContentClaim(massBalanceTarget(state), mb(), ctx(RECYCLER)))
      .thenThrows(ConflictError, 'claim-exists');
  });

  it('given a threshold not met, then mass balance is refused like any other model', () => {
    accountSpec
      .given([credited(PROCESS_A, 90_000)])
      .when((state) => decideRecycledContentClaim(massBalanceTarget(state), mb({ standard: 'grs-label', recycledContentBasisPoints: 4_999 }), ctx(RECYCLER)))
      .thenThrows(InvalidCommandError, 'below-standard-threshold');
  });
});

describe('the account fold', () => {
  it('given credits, a debit and a reversal, then the totals, balance and movements follow the stream', () => {
    const account = foldMassBalanceAccount([
      credited(PROCESS_A, 50_000),
      credited(PROCESS_B, 10_000),
      debited(CLAIM_ID, 30_000),
      { type: 'MassBalanceCreditReversed', data: { accountId: ACCOUNT_ID, organisationId: RECYCLER.organisationId, periodId: '2026', processId: PROCESS_B, voidAttempt: 0, reversedGrams: 10_000, occurredAt: '2026-04-01T00:00:00.000Z' } },
    ]);
    expect(account).toMatchObject({ creditedGrams: 60_000n, reversedGrams: 10_000n, debitedGrams: 30_000n, balanceGrams: 20_000n });
    expect(account.movements.map((m) => [m.kind, m.grams, m.balanceAfterGrams])).toEqual([
      ['credit', 50_000n, 50_000n],
      ['credit', 10_000n, 60_000n],
      ['debit', 30_000n, 30_000n],
      ['credit-reversal', 10_000n, 20_000n],
    ]);
  });

  it('given events of other types on the stream, then they are ignored', () => {
    expect(foldMassBalanceAccount([claimed(), { type: 'SomethingNew', data: {} }]).balanceGrams).toBe(0n);
  });

  it('given every account event, then it parses as a stored event', () => {
    for (const e of [credited(PROCESS_A, 1), debited(CLAIM_ID, 1), claimed()]) expect(parseEvent(e.type, 1, e.data)).toEqual(e);
  });
});

describe('voiding a credited process', () => {
  const target = { accountId: ACCOUNT_ID, organisationId: RECYCLER.organisationId, periodId: '2026', processId: PROCESS_A, voidAttempt: 0, occurredAt: '2026-04-01T00:00:00.000Z' };

  it('given its credit is unspent, then the void first takes the credit back', () => {
    accountSpec
      .given([credited(PROCESS_A, 40_000), credited(PROCESS_B, 10_000), debited(CLAIM_ID, 10_000)])
      .when((state) => decideMassBalanceVoid(state, target))
      .then([{ type: 'MassBalanceCreditReversed', data: { ...target, reversedGrams: 40_000 } }]);
  });

  it('given claims spent part of its credit, then the void is refused: the account never goes below zero', () => {
    accountSpec
      .given([credited(PROCESS_A, 40_000), debited(CLAIM_ID, 1)])
      .when((state) => decideMassBalanceVoid(state, target))
      .thenThrows(ConflictError, 'mass-balance-credit-claimed');
  });

  it('given the process was never credited, then a 0 g reversal bars any later credit', () => {
    accountSpec
      .given([])
      .when((state) => decideMassBalanceVoid(state, target))
      .then([{ type: 'MassBalanceCreditReversed', data: { ...target, reversedGrams: 0 } }]);
  });

  it('given the same void attempt already reversed it, then nothing more is appended', () => {
    accountSpec
      .given([credited(PROCESS_A, 40_000), { type: 'MassBalanceCreditReversed', data: { ...target, reversedGrams: 40_000 } }])
      .when((state) => decideMassBalanceVoid(state, target))
      .then([]);
  });
});

describe('claim periods', () => {
  it('given an instant, then its UTC year, quarter or month is its period, and a period is a half-open range', () => {
    expect(massBalancePeriodOf('2026-12-31T23:30:00-01:00', 'calendar-year')).toBe('2027');
    expect(massBalancePeriodOf('2026-05-01T11:00:00Z', 'calendar-quarter')).toBe('2026-Q2');
    expect(massBalancePeriodOf('2026-05-01T11:00:00Z', 'calendar-month')).toBe('2026-05');
    expect(massBalancePeriodRange('2026')).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(massBalancePeriodRange('2026-Q4')).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(massBalancePeriodRange('2026-12')).toEqual({ from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(() => massBalancePeriodRange('2026-13')).toThrow(RangeError);
  });
});
