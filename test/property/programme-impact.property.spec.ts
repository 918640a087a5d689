/**
 * Programme impact over generated flows (docs/decisions/043-programme-impact.md): collections and
 * residuals, transfers with losses, corrections, every process type with virgin and untracked input,
 * pending, recovered and rejected processes, and every outcome, in random pages with restarts.
 *
 * - Waste used as raw material never exceeds what was collected or registered, per cohort, and a
 *   cohort's grams are counted at most once: used + reused ≤ collected for every cohort.
 * - Only a completed process whose outputs are reprocessed has rows, at most the mass of its inputs
 *   that were not yet reprocessed.
 * - Grams tagged at origin stay tagged: the grams used with a tag never exceed those collected with it.
 * - A live run in pages with a restart writes the rows a one-page rebuild writes.
 *
 * The flows are the provenance specs' (randomFlow); receipts and corrections only ever lose grams
 * here, since a weighing gain would add grams no collection recorded and the first bound would not hold.
 */
import { describe, expect, it } from '@jest/globals';
import { parseCohortKey, REPROCESSING_TYPES, type ProcessStarted } from '#domain';
import { openSqliteReadDb } from '#read-store';
import fc from 'fast-check';
import { commit, dumpTables, openDb, projectedOf, randomFlow, type FlowStep } from '../../projections/provenance/flow.fixtures.js';
import { parseRefinedCohort, programmeImpactDb, ProgrammeImpactProjection } from '../../projections/programme-impact/programme-impact.projection.js';

const TAG = 'closing-loops';
const step = fc.record({ op: fc.nat(99), a: fc.nat(1_000), b: fc.nat(1_000_000), c: fc.nat(1_000_000), d: fc.nat(1_000) });

/** Receipts (op 3) and corrections (op 5) with b % 201 ≤ 100 weigh the same or less, never more. */
function withoutGains(s: FlowStep): FlowStep {
  return s.op % 9 === 3 || s.op % 9 === 5 ? { ...s, b: s.b % 101 } : s;
}

const plain = (refined: string): string => {
  const o = parseRefinedCohort(refined);
  return `${o.originKey}|${o.month}`;
};

describe('programme impact over generated flows (property)', () => {
  it('counts each waste gram at most once, never more than was collected, and keeps tags; live equals rebuild', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 80 }), fc.integer({ min: 1, max: 12 }), fc.nat(30), fc.nat(3), async (steps, pageSize, restartAt, tagEvery) => {
        const { log, collected } = randomFlow(steps.map(withoutGains));
        // Tag every (tagEvery+1)-th origin with the programme, as a collector or registering firm would.
        const taggedGrams = new Map<string, bigint>();
        let origins = 0;
        for (const stored of log.events) {
          if (stored.type !== 'BatchCollected' && stored.type !== 'ResidualBatchRegistered') continue;
          if (origins++ % (tagEvery + 1) !== 0) continue;
          (stored.data as { programmeTags: string[] }).programmeTags = [TAG];
        }
        const events = projectedOf(log);

        let live = new ProgrammeImpactProjection();
        const db = await openDb(async () => openSqliteReadDb({ filename: ':memory:' }), [live]);
        for (let i = 0, page = 0; i < events.length; i += pageSize, page++) {
          if (page === restartAt) {
            live = new ProgrammeImpactProjection();
            await live.load(db);
          }
          await commit(db, [live], events.slice(i, i + pageSize));
        }
        const impact = programmeImpactDb(db);
        const used = await impact.selectFrom('programme_impact_used').selectAll().execute();
        const reused = await impact.selectFrom('programme_impact_reused').selectAll().execute();
        const originRows = await impact.selectFrom('programme_impact_origins').selectAll().execute();

        // Per cohort: used + reused ≤ collected; so in total, used ≤ collected + registered.
        const counted = new Map<string, bigint>();
        for (const row of [...used, ...reused]) counted.set(plain(row.cohort), (counted.get(plain(row.cohort)) ?? 0n) + BigInt(row.grams));
        let total = 0n;
        for (const [cohort, grams] of counted) {
          expect({ cohort, grams, atMost: collected.get(cohort) ?? 0n, ok: grams <= (collected.get(cohort) ?? 0n) }).toMatchObject({ ok: true });
          expect(parseCohortKey(cohort).originKey).toMatch(/^(kommune|pre-consumer|post-consumer-business):/);
        }
        for (const row of used) total += BigInt(row.grams);
        expect(total <= [...collected.values()].reduce((s, g) => s + g, 0n)).toBe(true);

        // Rows only for completed processes whose outputs are reprocessed, within their not-yet-reprocessed inputs.
        const started = new Map<string, ProcessStarted>();
        const reprocessedBatches = new Set<string>();
        const bound = new Map<string, bigint>();
        for (const { event } of events) {
          if (event.type === 'ProcessStarted') started.set(event.data.processId, event.data);
          if (event.type !== 'ProcessCompleted') continue;
          const p = started.get(event.data.processId)!;
          const reprocessed = REPROCESSING_TYPES.has(p.processType) || p.inputs.some((i) => reprocessedBatches.has(i.batchId));
          if (!reprocessed) continue;
          for (const o of p.outputs) reprocessedBatches.add(o.batchId);
          bound.set(p.processId, p.inputs.filter((i) => !reprocessedBatches.has(i.batchId)).reduce((s, i) => s + BigInt(i.massGrams), 0n));
        }
        const byProcess = new Map<string, bigint>();
        for (const row of used) byProcess.set(row.process_id, (byProcess.get(row.process_id) ?? 0n) + BigInt(row.grams));
        for (const [processId, grams] of byProcess) {
          expect({ processId, reprocessing: bound.has(processId) }).toEqual({ processId, reprocessing: true });
          expect(grams <= bound.get(processId)!).toBe(true);
        }

        // Tags stay with their grams: used with the tag ≤ collected with the tag.
        for (const row of originRows) {
          if (row.tags.split(',').includes(TAG)) taggedGrams.set(plain(row.cohort), (taggedGrams.get(plain(row.cohort)) ?? 0n) + BigInt(row.collected_grams));
        }
        const usedTagged = new Map<string, bigint>();
        for (const row of used) if (row.tags.split(',').includes(TAG)) usedTagged.set(plain(row.cohort), (usedTagged.get(plain(row.cohort)) ?? 0n) + BigInt(row.grams));
        for (const [cohort, grams] of usedTagged) expect(grams <= (taggedGrams.get(cohort) ?? 0n)).toBe(true);

        // A rebuild in one page writes the same rows.
        const rebuilt = new ProgrammeImpactProjection();
        const fresh = await openDb(async () => openSqliteReadDb({ filename: ':memory:' }), [rebuilt]);
        await commit(fresh, [rebuilt], events);
        expect(await dumpTables(db, live.tables)).toBe(await dumpTables(fresh, rebuilt.tables));
        await db.destroy();
        await fresh.destroy();
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
