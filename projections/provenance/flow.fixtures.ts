/**
 * Test-only helpers shared by the provenance, circularity and municipal-report specs: the event kinds
 * the shared EventLog lacks, a commit that stands in for the runner (apply, flush and checkpoint in
 * one transaction), and table dumps for byte-for-byte comparisons. Not exported from
 * projections/index.ts.
 */
import { cohortKey, evolveBatch, type BatchState } from '#domain';
import { sql } from 'kysely';
import { migrateCheckpoints, readCheckpoints, writeCheckpoints } from '../runner/checkpoint.js';
import { toProjectedEvent } from '../runner/projection-runner.js';
import type { ProjectedEvent, Projection, ReadDb } from '../runner/projection.js';
import { EventLog, uid } from '../testing/fixtures.js';
import type { OpenReadDb } from '../testing/read-db-dialects.js';

type CollectionScheme = 'kerbside' | 'bring-bank' | 'recycling-centre' | 'charity-shop' | 'other';
type EwcCode = '20 01 10' | '20 01 11' | '19 12 08' | '04 02 21' | '04 02 22' | '15 01 09';

export class FlowLog extends EventLog {
  collectAt(
    batchId: string,
    massGrams: number,
    options: { kommuneCode: string; occurredAt: string; collectorOrgId: string; ewcCode?: EwcCode; collectionScheme?: CollectionScheme },
  ): void {
    this.append(`batch-${batchId}`, {
      type: 'BatchCollected',
      data: {
        batchId,
        kommuneCode: options.kommuneCode,
        collectionScheme: options.collectionScheme ?? 'kerbside',
        ewcCode: options.ewcCode ?? '20 01 10',
        massGrams,
        occurredAt: options.occurredAt,
        collectorOrgId: options.collectorOrgId,
        programmeTags: [],
      },
    });
  }

  residual(batchId: string, massGrams: number, organisationId: string, originClass: 'pre-consumer' | 'post-consumer-business', occurredAt = this.now()): void {
    this.append(
      `batch-${batchId}`,
      {
        type: 'ResidualBatchRegistered',
        data: {
          batchId,
          organisationId,
          originClass,
          ewcCode: originClass === 'pre-consumer' ? '04 02 21' : '20 01 11',
          massGrams,
          composition: [{ fibre: 'cotton', share: 10_000 }],
          description: originClass === 'pre-consumer' ? 'cutting waste' : 'discarded hospital linen',
          programmeTags: [],
          occurredAt,
        },
      },
      { actorOrgId: organisationId },
    );
  }

  sellForReuse(batchId: string, byOrgId: string): void {
    this.append(`batch-${batchId}`, { type: 'BatchSoldForReuse', data: { batchId, market: 'domestic', occurredAt: this.now() } }, { actorOrgId: byOrgId });
  }

  landfill(batchId: string, byOrgId: string): void {
    this.append(`batch-${batchId}`, { type: 'BatchLandfilled', data: { batchId, occurredAt: this.now() } }, { actorOrgId: byOrgId });
  }

  exportBatch(batchId: string, byOrgId: string, purpose: 'reuse' | 'recycling' | 'unknown'): void {
    this.append(`batch-${batchId}`, { type: 'BatchExported', data: { batchId, destinationCountry: 'DE', purpose, occurredAt: this.now() } }, { actorOrgId: byOrgId });
  }

  /** A correction of whatever event last set the batch's mass, as the command side would write it. */
  correctMass(batchId: string, massGrams: number, byOrgId: string): void {
    const state = this.batchState(batchId);
    if (!state) throw new Error(`no batch ${batchId}`);
    this.correct(batchId, state.massEventId, state.massGrams, massGrams, byOrgId);
  }

  /** The command side's view of a batch: its stream folded with evolveBatch. */
  batchState(batchId: string): BatchState | undefined {
    let state: BatchState | undefined;
    for (const e of this.projected()) {
      if (e.streamId === `batch-${batchId}`) state = evolveBatch(state, e.event, { eventId: e.eventId });
    }
    return state;
  }

  batchStates(): Map<string, BatchState> {
    const states = new Map<string, BatchState>();
    for (const e of this.projected()) {
      if (!e.streamId.startsWith('batch-')) continue;
      const id = e.streamId.slice('batch-'.length);
      const next = evolveBatch(states.get(id), e.event, { eventId: e.eventId });
      if (next) states.set(id, next);
    }
    return states;
  }
}

/** A fresh read DB from `open` (see describeOnEachReadDb) with the projections' tables. */
export async function openDb(open: OpenReadDb, projections: readonly Projection[]): Promise<ReadDb> {
  const db = await open();
  for (const p of projections) await p.migrate(db);
  await migrateCheckpoints(db);
  return db;
}

/**
 * What the runner does with one page: apply in memory, then flush and checkpoint in one transaction.
 * A page the tables already hold (a test's deliberate replay) leaves the checkpoint where it is, since
 * checkpoints only move forward.
 */
export async function commit(db: ReadDb, projections: readonly Projection[], events: readonly ProjectedEvent[]): Promise<void> {
  if (events.length === 0) return;
  for (const p of projections) for (const e of events) p.apply(e);
  const last = events[events.length - 1]!.position;
  await db.transaction().execute(async (tx) => {
    for (const p of projections) await p.flush(tx);
    const stored = await readCheckpoints(tx);
    const forward = projections.filter((p) => (stored.get(p.name) ?? -1) < last);
    if (forward.length > 0) await writeCheckpoints(tx, new Map(forward.map((p) => [p.name, last])));
  });
}

export function projectedOf(log: EventLog, from = 0): ProjectedEvent[] {
  return log.events.slice(from).map(toProjectedEvent);
}

/** Every row of the tables, in a canonical order, for byte-for-byte comparison. */
export async function dumpTables(db: ReadDb, tables: readonly string[]): Promise<string> {
  const out: string[] = [];
  for (const table of [...tables].sort()) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    out.push(`# ${table}`, ...rows.map((r) => JSON.stringify(r)).sort());
  }
  return out.join('\n');
}

export const ORGS = {
  herning: uid(1, 1),
  ikast: uid(2, 1),
  laundry: uid(3, 1),
  mill: uid(4, 1),
  sorter: uid(5, 1),
  recycler: uid(6, 1),
  maker: uid(7, 1),
  collector: uid(8, 1),
} as const;

export const IDS = {
  herningBatch: uid(1, 2),
  ikastBatch: uid(2, 2),
  linen: uid(3, 2),
  cutting: uid(4, 2),
  sortedReuse: uid(5, 2),
  sortedRecycling: uid(6, 2),
  sortedResidual: uid(7, 2),
  fibre: uid(8, 2),
  pillows: uid(9, 2),
  felt: uid(10, 2),
  sorting: uid(1, 3),
  recycling: uid(2, 3),
  manufacturing: uid(3, 3),
} as const;

/**
 * The CØ59-style chain: two kommuner's collections are sorted, the recycling grade (after a transit
 * loss) is recycled together with hospital linen into fibre, and the fibre, pre-consumer cutting waste
 * and virgin polyester become pillows (textile) and felt (non-textile). Then the reuse grade is sold,
 * the residual incinerated and the pillows placed on the market.
 */
export function chainFlow(): FlowLog {
  const log = new FlowLog('2024-06-01T08:00:00.000Z');
  log.collectAt(IDS.herningBatch, 100_000, { kommuneCode: '0657', occurredAt: '2024-03-10T09:00:00+01:00', collectorOrgId: ORGS.collector });
  // 22:30 UTC on 31 March is already 1 April in Copenhagen: an April cohort.
  log.collectAt(IDS.ikastBatch, 50_000, {
    kommuneCode: '0756',
    occurredAt: '2024-03-31T22:30:00Z',
    collectorOrgId: ORGS.collector,
    ewcCode: '20 01 11',
    collectionScheme: 'bring-bank',
  });
  log.residual(IDS.linen, 30_000, ORGS.laundry, 'post-consumer-business', '2024-02-05T10:00:00Z');
  log.residual(IDS.cutting, 20_000, ORGS.mill, 'pre-consumer', '2024-04-02T10:00:00Z');
  log.process({
    processId: IDS.sorting,
    organisationId: ORGS.sorter,
    processType: 'sorting',
    inputs: [
      { batchId: IDS.herningBatch, massGrams: 100_000 },
      { batchId: IDS.ikastBatch, massGrams: 50_000 },
    ],
    outputs: [
      { batchId: IDS.sortedReuse, massGrams: 40_000, grade: 'reuse' },
      { batchId: IDS.sortedRecycling, massGrams: 100_000, grade: 'recycling' },
      { batchId: IDS.sortedResidual, massGrams: 8_000, grade: 'residual' },
    ],
    losses: [{ kind: 'moisture-dust', massGrams: 2_000 }],
    occurredAt: '2024-04-05T10:00:00Z',
  });
  const transfer = log.dispatch(IDS.sortedRecycling, ORGS.sorter, ORGS.recycler, 100_000);
  log.receive(IDS.sortedRecycling, transfer, 100_000, 99_500, ORGS.recycler);
  log.process({
    processId: IDS.recycling,
    organisationId: ORGS.recycler,
    processType: 'mechanical-recycling',
    inputs: [
      { batchId: IDS.sortedRecycling, massGrams: 99_500 },
      { batchId: IDS.linen, massGrams: 30_000 },
    ],
    outputs: [{ batchId: IDS.fibre, massGrams: 120_000, grade: 'fibre' }],
    losses: [{ kind: 'process-waste', massGrams: 9_500 }],
    occurredAt: '2024-04-20T10:00:00Z',
  });
  log.process({
    processId: IDS.manufacturing,
    organisationId: ORGS.maker,
    processType: 'manufacturing',
    inputs: [
      { batchId: IDS.fibre, massGrams: 120_000 },
      { batchId: IDS.cutting, massGrams: 20_000 },
    ],
    externalInputs: [{ description: 'virgin polyester staple', massGrams: 10_000, originClass: 'virgin' }],
    outputs: [
      { batchId: IDS.pillows, massGrams: 100_000, grade: 'product', productType: 'pillow', application: 'textile' },
      { batchId: IDS.felt, massGrams: 45_000, grade: 'product', productType: 'insulation felt', application: 'non-textile' },
    ],
    losses: [{ kind: 'process-waste', massGrams: 5_000 }],
    occurredAt: '2024-05-15T10:00:00Z',
  });
  log.sellForReuse(IDS.sortedReuse, ORGS.sorter);
  log.incinerate(IDS.sortedResidual, ORGS.sorter, true);
  log.placeOnMarket(IDS.pillows, ORGS.maker);
  return log;
}

export const COHORTS = {
  herning: 'kommune:0657|2024-03',
  ikast: 'kommune:0756|2024-04',
  linen: `post-consumer-business:${ORGS.laundry}|2024-02`,
  cutting: `pre-consumer:${ORGS.mill}|2024-04`,
  virgin: `virgin:${IDS.manufacturing}|2024-05`,
} as const;

/** One step of a random flow: `op` picks the action, the other numbers pick its operands. */
export interface FlowStep {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

export interface RandomFlow {
  readonly log: FlowLog;
  /** Grams each waste cohort collected, as the command side sees it (origin corrections included). */
  readonly collected: Map<string, bigint>;
}

const KOMMUNER = ['0657', '0756', '0101'] as const;
const PROCESS_TYPES = ['sorting', 'splitting', 'blending', 'mechanical-recycling', 'chemical-recycling', 'manufacturing', 'repair'] as const;
const OCCURRED = ['2024-01-15T12:00:00Z', '2024-03-31T22:30:00Z', '2024-04-10T08:00:00Z', '2024-12-31T23:30:00Z', '2025-02-01T10:00:00Z'] as const;

interface ModelBatch {
  mass: number;
  status: 'available' | 'in-transit' | 'consumed' | 'closed';
  transferId?: string;
  /** The origin cohort while the mass is still the origin's (corrections then change collection). */
  originCohort?: string;
}

/** Splits `total` into `count` parts of at least 1 g, unevenly, from the step's numbers. */
function split(total: number, count: number, seed: number): number[] {
  const weights = Array.from({ length: count }, (_, i) => 1 + ((seed * (i + 3) + 7 * i) % 97));
  const spare = total - count;
  const sum = weights.reduce((s, w) => s + w, 0);
  const parts = weights.map((w) => 1 + Math.floor((spare * w) / sum));
  parts[0]! += total - parts.reduce((s, p) => s + p, 0);
  return parts;
}

/**
 * A valid flow built from arbitrary numbers: every step is turned into an action that the command side
 * would accept (only available batches are dispatched, processed, corrected or closed; processes
 * balance), so fast-check can shrink freely.
 */
export function randomFlow(steps: readonly FlowStep[]): RandomFlow {
  const log = new FlowLog('2025-06-01T08:00:00.000Z');
  const batches = new Map<string, ModelBatch>();
  const collected = new Map<string, bigint>();
  const pending: Array<{ processId: string; inputs: string[]; outputs: Array<{ id: string; mass: number }> }> = [];
  const org = uid(1, 1);
  let next = 0;
  const newId = (kind: number) => uid(++next, kind);
  const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);
  const available = () => [...batches].filter(([, b]) => b.status === 'available').map(([id]) => id);
  const book = (cohort: string, grams: number) => collected.set(cohort, (collected.get(cohort) ?? 0n) + BigInt(grams));

  for (const s of steps) {
    switch (s.op % 9) {
      case 0: {
        const id = newId(2);
        const kommuneCode = KOMMUNER[s.a % KOMMUNER.length]!;
        const occurredAt = OCCURRED[s.c % OCCURRED.length]!;
        const mass = 1 + (s.b % 20_000);
        log.collectAt(id, mass, { kommuneCode, occurredAt, collectorOrgId: org, collectionScheme: s.d % 2 === 0 ? 'kerbside' : 'bring-bank' });
        const cohort = cohortKey(`kommune:${kommuneCode}`, occurredAt);
        batches.set(id, { mass, status: 'available', originCohort: cohort });
        book(cohort, mass);
        break;
      }
      case 1: {
        const id = newId(2);
        const originClass = s.a % 2 === 0 ? 'pre-consumer' : 'post-consumer-business';
        const owner = uid(1 + (s.d % 2), 4);
        const occurredAt = OCCURRED[s.c % OCCURRED.length]!;
        const mass = 1 + (s.b % 20_000);
        log.residual(id, mass, owner, originClass, occurredAt);
        const cohort = cohortKey(`${originClass}:${owner}`, occurredAt);
        batches.set(id, { mass, status: 'available', originCohort: cohort });
        book(cohort, mass);
        break;
      }
      case 2: {
        const id = pick(available(), s.a);
        if (!id) break;
        const b = batches.get(id)!;
        b.transferId = log.dispatch(id, org, org, b.mass);
        b.status = 'in-transit';
        break;
      }
      case 3: {
        const id = pick([...batches].filter(([, b]) => b.status === 'in-transit').map(([i]) => i), s.a);
        if (!id) break;
        const b = batches.get(id)!;
        const received = Math.max(1, b.mass + Math.floor((((s.b % 201) - 100) * b.mass) / 2000));
        log.receive(id, b.transferId!, b.mass, received, org);
        b.mass = received;
        b.status = 'available';
        delete b.originCohort;
        break;
      }
      case 4: {
        const id = pick([...batches].filter(([, b]) => b.status === 'in-transit').map(([i]) => i), s.a);
        if (!id) break;
        const b = batches.get(id)!;
        log.cancel(id, b.transferId!, org);
        b.status = 'available';
        break;
      }
      case 5: {
        const id = pick(available(), s.a);
        if (!id) break;
        const b = batches.get(id)!;
        const mass = Math.max(1, b.mass + Math.floor((((s.b % 201) - 100) * b.mass) / 1000));
        if (mass === b.mass) break;
        log.correctMass(id, mass, org);
        if (b.originCohort !== undefined) book(b.originCohort, mass - b.mass);
        b.mass = mass;
        break;
      }
      case 6: {
        const pool = available();
        if (pool.length === 0) break;
        const count = 1 + (s.a % Math.min(3, pool.length));
        const inputs = Array.from({ length: count }, (_, i) => pool[(s.a + i) % pool.length]!);
        const processId = newId(3);
        const externals = s.c % 3 === 0 ? [{ description: 'virgin fibre', massGrams: 1 + (s.c % 5000), originClass: (s.c % 2 === 0 ? 'virgin' : 'untracked') as 'virgin' | 'untracked' }] : [];
        const total = inputs.reduce((sum, id) => sum + batches.get(id)!.mass, 0) + externals.reduce((sum, x) => sum + x.massGrams, 0);
        const outputCount = 1 + (s.d % 3);
        const lossCount = Math.floor(s.d / 3) % 2;
        if (total < outputCount + lossCount) break;
        const parts = split(total, outputCount + lossCount, s.b);
        const applications = ['textile', 'non-textile', undefined] as const;
        const outputs = parts.slice(0, outputCount).map((mass, i) => {
          const application = applications[(s.c + i) % 3];
          return { batchId: newId(2), massGrams: mass, grade: 'recycling' as const, ...(application ? { application } : {}) };
        });
        const mode = s.d % 10 < 6 ? 'complete' : s.d % 10 < 8 ? 'pending' : 'reject';
        log.process(
          {
            processId,
            organisationId: org,
            processType: PROCESS_TYPES[s.b % PROCESS_TYPES.length]!,
            inputs: inputs.map((id) => ({ batchId: id, massGrams: batches.get(id)!.mass })),
            externalInputs: externals,
            outputs,
            losses: parts.slice(outputCount).map((massGrams) => ({ kind: 'process-waste' as const, massGrams })),
          },
          mode,
        );
        if (mode === 'reject') break;
        for (const id of inputs) batches.get(id)!.status = 'consumed';
        const made = outputs.map((o) => ({ id: o.batchId, mass: o.massGrams }));
        if (mode === 'complete') for (const o of made) batches.set(o.id, { mass: o.mass, status: 'available' });
        else pending.push({ processId, inputs, outputs: made });
        break;
      }
      case 7: {
        const index = pending.length === 0 ? -1 : s.a % pending.length;
        if (index < 0) break;
        const [p] = pending.splice(index, 1);
        if (!p) break;
        if (s.b % 4 === 0) {
          for (const id of p.inputs) {
            log.append(`batch-${id}`, { type: 'BatchConsumptionReverted', data: { batchId: id, processId: p.processId } });
            batches.get(id)!.status = 'available';
          }
          log.append(`process-${p.processId}`, { type: 'ProcessRejected', data: { processId: p.processId, reason: 'recovery gave up' } });
        } else {
          log.completeProcess(p.processId, org);
          for (const o of p.outputs) batches.set(o.id, { mass: o.mass, status: 'available' });
        }
        break;
      }
      case 8: {
        const id = pick(available(), s.a);
        if (!id) break;
        switch (s.b % 8) {
          case 0:
            log.sellForReuse(id, org);
            break;
          case 1:
            log.incinerate(id, org, true);
            break;
          case 2:
            log.incinerate(id, org, false);
            break;
          case 3:
            log.landfill(id, org);
            break;
          case 4:
            log.exportBatch(id, org, 'reuse');
            break;
          case 5:
            log.exportBatch(id, org, 'recycling');
            break;
          case 6:
            log.exportBatch(id, org, 'unknown');
            break;
          default:
            log.placeOnMarket(id, org);
        }
        batches.get(id)!.status = 'closed';
        break;
      }
    }
  }
  return { log, collected };
}
