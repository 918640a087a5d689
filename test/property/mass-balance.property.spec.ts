/**
 * A mass-balance account never goes below zero (docs/decisions/044-recycled-content-claims.md),
 * whatever the order of process completions, claims and voids, and however stale the read models
 * the claims take their credits from: a claim may see any subset of the completed processes, and
 * even processes whose void has already started (a read model that has not seen it yet).
 *
 * Replay a failure with LEDGER_PROPERTY_FC_SEED=<fast-check seed>.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  ConflictError,
  DEFAULT_POLICY,
  DomainError,
  decideMassBalanceVoid,
  decideRecycledContentClaim,
  evolveMassBalanceAccount,
  EMPTY_MASS_BALANCE_ACCOUNT,
  type BatchState,
  type CreditCandidate,
  type DecisionContext,
  type DomainEvent,
  type MassBalanceAccount,
} from '#domain';

const uuid = (kind: number, n: number): string => `0190a000-0000-7000-8${kind}00-${n.toString().padStart(12, '0')}`;
const ORG = uuid(1, 1);
const ACCOUNT_ID = `${ORG}-2026`;
const ctx: DecisionContext = {
  now: new Date('2026-12-31T00:00:00Z'),
  actor: { organisationId: ORG, name: 'Fibre Loop ApS', roles: ['recycler'] },
  organisation: () => undefined,
  policy: DEFAULT_POLICY,
};
const batch = (massGrams: number): BatchState => ({
  batchId: uuid(2, 1),
  origin: { kind: 'produced', processId: uuid(3, 0) },
  massGrams,
  grade: 'fibre' as BatchState['grade'],
  composition: [{ fibre: 'cotton', share: 10_000 }],
  custodianOrgId: ORG,
  ownerOrgId: ORG,
  status: 'available',
  massEventId: uuid(4, 1),
  massFromOrigin: true,
  anomalies: 0,
  programmeTags: [],
});

type Step =
  | { kind: 'complete'; grams: number }
  | { kind: 'claim'; massGrams: number; basisPoints: number; seen: number[] }
  | { kind: 'void'; which: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('complete' as const), grams: fc.integer({ min: 1, max: 50_000 }) }),
  fc.record({
    kind: fc.constant('claim' as const),
    massGrams: fc.integer({ min: 1, max: 100_000 }),
    basisPoints: fc.integer({ min: 500, max: 10_000 }),
    // Which processes the (possibly stale) read model shows, by index; voided ones included.
    seen: fc.array(fc.nat({ max: 30 }), { maxLength: 12 }),
  }),
  fc.record({ kind: fc.constant('void' as const), which: fc.nat({ max: 30 }) }),
);

interface Process {
  readonly processId: string;
  readonly grams: number;
  voided: boolean;
}

describe('mass-balance account under generated credits, claims and voids', () => {
  it('never goes below zero; what it counts as credited is never a voided process; debits are what the claims claimed', () => {
    const seed = process.env.LEDGER_PROPERTY_FC_SEED;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        let account: MassBalanceAccount = EMPTY_MASS_BALANCE_ACCOUNT;
        const processes: Process[] = [];
        let claimed = 0n;
        let claims = 0;
        const apply = (events: readonly DomainEvent[]) => {
          for (const event of events) account = evolveMassBalanceAccount(account, event);
        };
        for (const s of steps) {
          if (s.kind === 'complete') {
            processes.push({ processId: uuid(3, processes.length + 1), grams: s.grams, voided: false });
          } else if (s.kind === 'claim') {
            const candidates: CreditCandidate[] = s.seen
              .map((i) => processes[i])
              .filter((p): p is Process => p !== undefined)
              .map((p) => ({ processId: p.processId, processType: 'mechanical-recycling', creditedGrams: p.grams, inputs: [{ batchId: uuid(5, 1), recycledGrams: p.grams }], occurredAt: '2026-02-01T00:00:00Z' }));
            const command = { claimId: uuid(6, ++claims), batchId: uuid(2, 1), standard: 'rcs' as const, model: 'mass-balance' as const, recycledContentBasisPoints: s.basisPoints, occurredAt: '2026-06-01T00:00:00Z' };
            try {
              const events = decideRecycledContentClaim(
                { batch: batch(s.massGrams), provenance: { massGrams: s.massGrams, recycledGrams: 0, voided: false }, account: { accountId: ACCOUNT_ID, periodId: '2026', state: account, candidates } },
                command,
                ctx,
              );
              apply(events);
              for (const e of events) if (e.type === 'MassBalanceDebited') claimed += BigInt(e.data.debitedGrams);
            } catch (error) {
              expect(error).toBeInstanceOf(ConflictError);
              expect((error as DomainError).code).toBe('insufficient-mass-balance');
            }
          } else {
            const target = processes[s.which];
            if (!target || target.voided) continue;
            try {
              apply(decideMassBalanceVoid(account, { accountId: ACCOUNT_ID, organisationId: ORG, periodId: '2026', processId: target.processId, voidAttempt: 0, occurredAt: '2026-07-01T00:00:00Z' }));
              target.voided = true;
            } catch (error) {
              expect((error as DomainError).code).toBe('mass-balance-credit-claimed');
            }
          }
          expect(account.balanceGrams >= 0n).toBe(true);
          expect(account.movements.every((m) => m.balanceAfterGrams >= 0n)).toBe(true);
          for (const processId of account.creditedProcesses.keys()) expect(processes.find((p) => p.processId === processId)?.voided).toBe(false);
          expect(account.debitedGrams).toBe(claimed);
          const live = processes.filter((p) => !p.voided && account.creditedProcesses.has(p.processId)).reduce((sum, p) => sum + BigInt(p.grams), 0n);
          expect(account.balanceGrams).toBe(live - claimed);
        }
      }),
      { numRuns: 500, ...(seed !== undefined ? { seed: Number(seed) } : {}) },
    );
  });
});
