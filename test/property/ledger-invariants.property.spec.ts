/**
 * Standing invariants of the ledger (docs/domain.md), checked on large generated histories:
 * every scenario is appended to a real SqliteEventStore and projected by the real ProjectionRunner
 * with every real read model, then compared against what the scenario's own events imply.
 *
 * Replay a failure with the printed parameters (`seed` and the mix), or with
 * LEDGER_PROPERTY_FC_SEED=<fast-check seed>. LEDGER_PROPERTY_BATCHES and LEDGER_PROPERTY_RUNS scale
 * the check up (never below 10,000 batches).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  castEvent,
  checkVoidOutput,
  cohortKey,
  decideStartVoid,
  DEFAULT_POLICY,
  deterministicId,
  evolveBatch,
  evolveProcess,
  isVoided,
  originKeys,
  processVoidStepEventId,
  vectorFromJson,
  vectorSum,
  voidedProcess,
  type BatchState,
  type DomainEvent,
  type LoadedOutput,
  type ProcessState,
  type VoidStep,
} from '#domain';
import { SqliteEventStore } from '#event-store';
import { BATCH_SUMMARY_TABLE, BUCKETS, ProjectionRunner, circularity, createLedgerProjections, provenance, type ReadDb } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { appendScenario, generateScenario, type Scenario, type ScenarioEvent, type ScenarioMix } from '#scenarios';
import { sql } from 'kysely';

const BATCHES = Math.max(10_000, Number(process.env['LEDGER_PROPERTY_BATCHES'] ?? 10_000));
const RUNS = Math.max(1, Number(process.env['LEDGER_PROPERTY_RUNS'] ?? 2));
const FC_SEED = process.env['LEDGER_PROPERTY_FC_SEED'];

interface ScenarioParams {
  readonly seed: number;
  readonly months: number;
  readonly mix: Partial<ScenarioMix>;
}

/**
 * A rate in [0, max], uniform: fast-check's default bias towards edge values would make most runs'
 * rates 0 or denormal, leaving whole kinds of events out of a run.
 */
const share = (max: number): fc.Arbitrary<number> => fc.noBias(fc.integer({ min: 0, max: 1000 })).map((n) => (n / 1000) * max);

const params: fc.Arbitrary<ScenarioParams> = fc.record({
  seed: fc.noBias(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
  months: fc.noBias(fc.integer({ min: 6, max: 36 })),
  mix: fc.record({
    residualShare: share(0.5),
    postConsumerBusinessShare: share(1),
    directDisposalRate: share(0.2),
    cancelRate: share(0.15),
    transitAnomalyRate: share(0.25),
    dispatchReweighRate: share(0.2),
    originCorrectionRate: share(0.08),
    weighedCorrectionRate: share(0.08),
    rejectRate: share(0.05),
    unfinishedRate: share(0.02),
    recoveryRate: share(1),
    virginInputRate: share(1),
    repairRate: share(0.4),
  }),
});

/**
 * Voids (decision 011) of about one in `every` completed processes that may still be voided (every
 * output still as the process made it), decided with the domain's decideStartVoid and written as the
 * void manager writes them, after `events`. The projections then read back inputs that left their
 * memory long before, in live pages and in a rebuild's large ones.
 */
function voidsAfter(events: readonly ScenarioEvent[], every: number): ScenarioEvent[] {
  interface Stream {
    state: BatchState | undefined;
    revision: number;
    firstEventId: string;
    consumedEventIds: Map<string, string>;
  }
  const batches = new Map<string, Stream>();
  const processes = new Map<string, { state: ProcessState | undefined; revision: number; completedEventId?: string }>();
  for (const { streamId, event: stored } of events) {
    const event = castEvent(stored.type, stored.schemaVersion, stored.data);
    if (streamId.startsWith('process-')) {
      const before = processes.get(streamId);
      processes.set(streamId, {
        state: evolveProcess(before?.state, event, { commandId: stored.metadata.commandId }),
        revision: (before?.revision ?? -1) + 1,
        ...(event.type === 'ProcessCompleted' ? { completedEventId: stored.eventId } : before?.completedEventId !== undefined ? { completedEventId: before.completedEventId } : {}),
      });
    } else if (streamId.startsWith('batch-')) {
      const before = batches.get(streamId);
      const stream: Stream = before ?? { state: undefined, revision: -1, firstEventId: stored.eventId, consumedEventIds: new Map() };
      stream.state = evolveBatch(stream.state, event, { eventId: stored.eventId });
      stream.revision += 1;
      if (event.type === 'BatchConsumed') stream.consumedEventIds.set(event.data.processId, stored.eventId);
      batches.set(streamId, stream);
    }
  }
  const out: ScenarioEvent[] = [];
  let eligible = 0;
  const now = new Date('2100-01-01T00:00:00.000Z');
  for (const process of processes.values()) {
    const state = process.state;
    if (state?.status !== 'completed' || process.completedEventId === undefined || isVoided(state)) continue;
    const { processId, organisationId } = state.started;
    const outputs = new Map<string, LoadedOutput>();
    for (const { batchId } of state.started.outputs) {
      const stream = batches.get(`batch-${batchId}`);
      outputs.set(batchId, { state: stream?.state, revision: stream?.revision ?? -1, producedEventId: stream?.firstEventId });
    }
    const voidable = [...outputs].every(([batchId, o]) => checkVoidOutput(o.state, { batchId, producedEventId: o.producedEventId ?? '' }, processId, 0, organisationId).kind === 'void');
    if (!voidable || eligible++ % every !== 0) continue;
    const consumedEventIds = new Map(state.started.inputs.map(({ batchId }) => [batchId, batches.get(`batch-${batchId}`)!.consumedEventIds.get(processId)!] as const));
    const actor = { organisationId, name: 'voiding organisation', roles: ['sorter' as const] };
    const intent = decideStartVoid(
      { process: state, completedEventId: process.completedEventId, outputs, consumedEventIds },
      { processId, reason: 'recorded twice', occurredAt: '2099-12-31T00:00:00.000Z' },
      { now, actor, organisation: () => undefined, policy: DEFAULT_POLICY },
    ).data;
    const commandId = deterministicId(`property/void/${processId}`);
    const emit = (streamId: string, expectedRevision: number, event: DomainEvent, step: VoidStep, index: number): void => {
      out.push({
        streamId,
        expectedRevision,
        event: { eventId: processVoidStepEventId(processId, 0, step, index), type: event.type, schemaVersion: 1, data: event.data, metadata: { actorOrgId: organisationId, commandId, correlationId: commandId, causationId: commandId } },
      });
    };
    emit(`process-${processId}`, process.revision, { type: 'ProcessVoidStarted', data: intent }, 'started', 0);
    intent.outputs.forEach((o, i) =>
      emit(`batch-${o.batchId}`, o.expectedRevision, { type: 'BatchVoided', data: { batchId: o.batchId, processId, attempt: 0, correctedEventId: o.producedEventId, reason: intent.reason, occurredAt: intent.occurredAt } }, 'voided-output', i),
    );
    const { started } = state;
    emit(
      `process-${processId}`,
      process.revision + 1,
      voidedProcess(started, { processId, attempt: 0, correctedEventId: intent.correctedEventId, reason: intent.reason, organisationId, occurredAt: intent.occurredAt }),
      'voided',
      0,
    );
    intent.inputs.forEach((input, i) =>
      emit(
        `batch-${input.batchId}`,
        batches.get(`batch-${input.batchId}`)!.revision,
        { type: 'BatchRestored', data: { batchId: input.batchId, processId, correctedEventId: input.consumedEventId, massGrams: input.massGrams, reason: intent.reason, occurredAt: intent.occurredAt } },
        'restored',
        i,
      ),
    );
  }
  return out;
}

/** What the scenario's own events say, folded with the domain's evolveBatch (no read model involved). */
interface Expected {
  readonly batches: Map<string, BatchState>;
  /** Collected (or registered) grams per waste cohort, origin masses as last corrected. */
  readonly collectedByCohort: Map<string, bigint>;
  readonly originGrams: bigint;
  readonly completedProcesses: Set<string>;
  /** Outputs already produced by processes that neither completed nor were rejected. */
  readonly heldOutputs: Set<string>;
  /** Inputs consumed by processes that neither completed nor were rejected. */
  readonly heldInputs: Set<string>;
}

function expectedFrom(scenario: Scenario): Expected {
  const batches = new Map<string, BatchState>();
  const origin = new Map<string, { cohort: string; grams: number }>();
  const started = new Map<string, string[]>();
  const ended = new Set<string>();
  const completedProcesses = new Set<string>();
  for (const { streamId, event: stored } of scenario.events) {
    const event = castEvent(stored.type, stored.schemaVersion, stored.data);
    if (event.type === 'ProcessStarted') started.set(event.data.processId, event.data.outputs.map((o) => o.batchId));
    if (event.type === 'ProcessCompleted') {
      ended.add(event.data.processId);
      completedProcesses.add(event.data.processId);
    }
    if (event.type === 'ProcessRejected') ended.add(event.data.processId);
    if (!streamId.startsWith('batch-')) continue;
    const batchId = streamId.slice('batch-'.length);
    const before = batches.get(batchId);
    if (event.type === 'BatchCollected') {
      origin.set(batchId, { cohort: cohortKey(originKeys.kommune(event.data.kommuneCode), event.data.occurredAt), grams: event.data.massGrams });
    } else if (event.type === 'ResidualBatchRegistered') {
      origin.set(batchId, {
        cohort: cohortKey(originKeys.residual(event.data.originClass, event.data.organisationId), event.data.occurredAt),
        grams: event.data.massGrams,
      });
    } else if (event.type === 'BatchMassCorrected' && before?.massFromOrigin) {
      // docs/domain.md: correcting an origin event changes what was collected.
      origin.get(batchId)!.grams = event.data.massGrams;
    }
    const after = evolveBatch(before, event, { eventId: stored.eventId });
    if (!after) throw new Error(`${stored.type} on ${streamId} left no state`);
    batches.set(batchId, after);
  }
  const collectedByCohort = new Map<string, bigint>();
  let originGrams = 0n;
  for (const { cohort, grams } of origin.values()) {
    collectedByCohort.set(cohort, (collectedByCohort.get(cohort) ?? 0n) + BigInt(grams));
    originGrams += BigInt(grams);
  }
  const heldOutputs = new Set<string>();
  for (const [processId, outputs] of started) {
    if (ended.has(processId)) continue;
    for (const id of outputs) if (batches.has(id)) heldOutputs.add(id);
  }
  const heldInputs = new Set<string>();
  for (const [id, state] of batches) {
    if (state.status === 'consumed' && state.consumedByProcessId !== undefined && !ended.has(state.consumedByProcessId)) heldInputs.add(id);
  }
  return { batches, collectedByCohort, originGrams, completedProcesses, heldOutputs, heldInputs };
}

const big = (value: unknown): bigint => {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`not an integer: ${String(value)}`);
};

type Row = Record<string, unknown>;

async function rows(db: ReadDb, table: string): Promise<Row[]> {
  const result = await sql<Row>`select * from ${sql.table(table)}`.execute(db);
  return [...result.rows];
}

/** Collects every violation instead of stopping at the first, so one failing run shows them all. */
class Violations {
  readonly list: string[] = [];
  check(ok: boolean, message: () => string): void {
    if (!ok && this.list.length < 50) this.list.push(message());
  }
}

async function checkCircularity(db: ReadDb, expected: Expected, v: Violations): Promise<void> {
  const cohorts = await rows(db, 'circularity_cohorts');
  const seen = new Set<string>();
  let total = 0n;
  for (const row of cohorts) {
    const cohort = String(row['cohort']);
    seen.add(cohort);
    const collected = big(row['collected_grams']);
    total += collected;
    let buckets = 0n;
    const parts: string[] = [];
    for (const column of Object.keys(row).filter((c) => c.endsWith('_grams') && c !== 'collected_grams')) {
      buckets += big(row[column]);
      parts.push(`${column}=${String(row[column])}`);
    }
    // (a) every collected gram is in exactly one bucket.
    v.check(collected === buckets, () => `(a) cohort ${cohort}: collected ${collected} g ≠ Σ buckets ${buckets} g (${parts.join(', ')})`);
    v.check(collected === (expected.collectedByCohort.get(cohort) ?? 0n), () => `(a) cohort ${cohort}: collected ${collected} g, but its origin events (as corrected) hold ${expected.collectedByCohort.get(cohort) ?? 0n} g`);
  }
  for (const cohort of expected.collectedByCohort.keys()) v.check(seen.has(cohort), () => `(a) waste cohort ${cohort} is missing from circularity_cohorts`);
  // (c) all cohorts together hold exactly the origin masses as corrected.
  v.check(total === expected.originGrams, () => `(c) Σ collected over all cohorts ${total} g ≠ Σ origin masses as corrected ${expected.originGrams} g`);

  // (a) again through the query API, per origin key × month and summed to years.
  for (const period of ['month', 'year'] as const) {
    for (const row of await circularity(db, { period })) {
      const sum = BUCKETS.reduce((s, b) => s + BigInt(row.buckets[b]), 0n);
      v.check(BigInt(row.collectedGrams) === sum, () => `(a) circularity(${row.originKey}, ${row.period}): collected ${row.collectedGrams} g ≠ Σ buckets ${sum} g`);
    }
  }
}

async function checkProvenance(db: ReadDb, expected: Expected, v: Violations): Promise<void> {
  const byId = new Map((await rows(db, 'provenance_batches')).map((r) => [String(r['batch_id']), r]));
  for (const [batchId, state] of expected.batches) {
    const row = byId.get(batchId);
    if (expected.heldOutputs.has(batchId)) {
      // Outputs of a process that has not completed do not count yet (docs/domain.md).
      v.check(row === undefined, () => `(b) batch ${batchId} is an output of an unfinished process but has a provenance row`);
      continue;
    }
    if (!row) {
      v.check(false, () => `(b) batch ${batchId} (${state.status}) has no provenance row`);
      continue;
    }
    const vector = vectorFromJson(String(row['vector']));
    const sum = vectorSum(vector);
    // (b) the origin vector sums exactly to the batch's current mass.
    v.check(sum === BigInt(state.massGrams), () => `(b) batch ${batchId}: provenance vector sums to ${sum} g, the batch weighs ${state.massGrams} g (vector ${String(row['vector'])})`);
    v.check(big(row['mass_grams']) === BigInt(state.massGrams), () => `(b) batch ${batchId}: provenance mass ${String(row['mass_grams'])} g ≠ ${state.massGrams} g`);
    for (const [cohort, grams] of vector) v.check(grams > 0n, () => `(b) batch ${batchId}: cohort ${cohort} holds ${grams} g`);
    const wanted =
      state.status === 'closed' || state.status === 'voided'
        ? state.status
        : state.status === 'consumed' && state.consumedByProcessId !== undefined && expected.completedProcesses.has(state.consumedByProcessId)
          ? 'consumed'
          : 'open';
    v.check(row['state'] === wanted, () => `(b) batch ${batchId}: provenance state ${String(row['state'])}, expected ${wanted} (batch is ${state.status})`);
  }
  for (const batchId of byId.keys()) v.check(expected.batches.has(batchId), () => `(b) provenance row for unknown batch ${batchId}`);

  // The query API agrees with the table on a deterministic sample.
  const ids = [...expected.batches.keys()].filter((id) => !expected.heldOutputs.has(id));
  for (let i = 0; i < ids.length; i += Math.max(1, Math.floor(ids.length / 100))) {
    const id = ids[i]!;
    const view = await provenance(db, id);
    v.check(view?.massGrams === expected.batches.get(id)!.massGrams, () => `(b) provenance(${id}).massGrams = ${String(view?.massGrams)}, expected ${expected.batches.get(id)!.massGrams}`);
    const cohortSum = view?.cohorts.reduce((s, c) => s + c.grams, 0);
    v.check(cohortSum === view?.massGrams, () => `(b) provenance(${id}): cohorts sum to ${String(cohortSum)} g, mass ${String(view?.massGrams)} g`);
  }
}

/** The batch-summary read model agrees with evolveBatch on mass and custodian of every counted batch. */
async function checkBatchSummary(db: ReadDb, expected: Expected, v: Violations): Promise<void> {
  const byId = new Map((await rows(db, BATCH_SUMMARY_TABLE.name)).map((r) => [String(r['batch_id']), r]));
  for (const [batchId, state] of expected.batches) {
    if (expected.heldOutputs.has(batchId)) continue;
    const row = byId.get(batchId);
    if (!row) {
      v.check(false, () => `batch summary has no row for ${batchId}`);
      continue;
    }
    v.check(big(row['mass_grams']) === BigInt(state.massGrams), () => `batch summary ${batchId}: mass ${String(row['mass_grams'])} g, evolveBatch ${state.massGrams} g`);
    v.check(row['custodian_org_id'] === state.custodianOrgId, () => `batch summary ${batchId}: custodian ${String(row['custodian_org_id'])}, evolveBatch ${state.custodianOrgId}`);
    // Consumption by a process that has not completed is not counted yet, so the status differs there.
    if (!expected.heldInputs.has(batchId)) {
      v.check(row['status'] === state.status, () => `batch summary ${batchId}: status ${String(row['status'])}, evolveBatch ${state.status}`);
    }
  }
}

/**
 * Resolves once the runner reached `position`; throws at once when a projection failed on a page
 * (the runner would retry it forever). Polls rather than using waitForPosition, whose pending timer
 * would keep Jest alive for the whole timeout after a failure.
 */
async function caughtUp(runner: ProjectionRunner, failure: () => unknown, position: number): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  while (runner.position() < position) {
    const error = failure();
    if (error !== undefined) throw error;
    if (Date.now() > deadline) throw new Error(`read models reached position ${runner.position()}, not ${position}, within 15 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function checkScenario(p: ScenarioParams): Promise<void> {
  const t0 = performance.now();
  const scenario = generateScenario({ seed: p.seed, batches: BATCHES, months: p.months, mix: p.mix });
  const tGenerated = performance.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'ledger-property-'));
  const store = await SqliteEventStore.open({ filename: path.join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  const db = openSqliteReadDb({ filename: path.join(dir, 'read.sqlite') });
  let failure: unknown;
  const runner = new ProjectionRunner({
    store,
    db,
    projections: createLedgerProjections(),
    onError: (error) => {
      failure ??= error;
    },
  });
  try {
    // Live: the runner follows the log while it is being written, in its small live pages.
    await runner.start();
    const appended = await appendScenario(store, scenario, { concurrency: 256 });
    // Voiding a process can make the one that produced its inputs voidable again: a second round.
    const firstRound = voidsAfter(scenario.events, 2);
    const voids = [...firstRound, ...voidsAfter([...scenario.events, ...firstRound], 2)];
    const voided = await appendScenario(store, { events: voids }, { concurrency: 256 });
    const tAppended = performance.now();
    await caughtUp(runner, () => failure, Math.max(appended.lastPosition, voided.lastPosition));
    const tProjected = performance.now();
    const live = await runner.checksum();

    const expected = expectedFrom({ ...scenario, events: [...scenario.events, ...voids] });
    const v = new Violations();
    await checkCircularity(db, expected, v);
    await checkProvenance(db, expected, v);
    await checkBatchSummary(db, expected, v);
    v.check(expected.originGrams === BigInt(scenario.stats.originGrams), () => `generator stats say ${scenario.stats.originGrams} g of origin mass, the events ${expected.originGrams} g`);

    // (d) a rebuild from position zero gives byte-identical read models.
    const tRebuild = performance.now();
    const rebuilt = await runner.rebuild();
    const tRebuilt = performance.now();
    const again = await runner.checksum();
    for (const table of Object.keys(live.perTable)) {
      v.check(again.perTable[table] === live.perTable[table], () => `(d) table ${table} differs after a rebuild from zero`);
    }
    v.check(again.total === live.total, () => `(d) rebuild checksum ${again.total} ≠ live checksum ${live.total}`);

    const ms = (a: number, b: number) => `${Math.round(b - a)} ms`;
    process.stdout.write(
      `ledger-invariants seed=${p.seed}: ${scenario.stats.batches} batches, ${scenario.events.length} events, ` +
        `${scenario.stats.kommuner} kommuner × ${scenario.stats.months} months, ${voids.filter((e) => e.event.type === 'ProcessVoided').length} processes voided; generate ${ms(t0, tGenerated)}, ` +
        `append ${ms(tGenerated, tAppended)} (${appended.appends} appends), live catch-up ${ms(tAppended, tProjected)}, ` +
        `rebuild ${ms(tRebuild, tRebuilt)} (${rebuilt.events} events)\n`,
    );
    if (v.list.length > 0) throw new Error(`${v.list.length}${v.list.length >= 50 ? '+' : ''} invariant violations:\n  ${v.list.join('\n  ')}`);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new Error(`ledger invariants failed for scenario ${JSON.stringify({ ...p, batches: BATCHES })}:\n${message}`, { cause: error });
  } finally {
    await runner.stop();
    await store.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertOn(arbitrary: fc.Arbitrary<ScenarioParams>, numRuns: number): Promise<void> {
  return fc.assert(fc.asyncProperty(arbitrary, checkScenario), {
    numRuns,
    // Shrinking would re-run 10,000-batch scenarios for nothing: a seed does not get simpler.
    endOnFailure: true,
    ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}),
  });
}

describe('ledger invariants (property)', () => {
  it(`hold on ${RUNS} generated histories of at least ${BATCHES.toLocaleString('en')} batches each: collected = Σ buckets per cohort, provenance sums to mass, Σ collected = Σ origin masses, rebuild = live`, async () => {
    await assertOn(params, RUNS);
  }, 30 * 60_000);
});
