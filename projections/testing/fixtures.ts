/**
 * Test-only helpers for the projection specs: deterministic ids and a tiny event log that builds real
 * domain events (as the command side would append them) with envelope fields. Not exported from
 * projections/index.ts.
 */
import type { Composition, DomainEvent, Grade, ProcessType } from '#domain';
import type { EventStore, StoredEvent } from '#event-store';
import { sql } from 'kysely';
import type { ProjectedEvent, Projection, ReadDb } from '../runner/projection.js';
import { toProjectedEvent } from '../runner/projection-runner.js';

/** A valid v7-shaped UUID from a small number, so tests read `uid(3)` instead of random ids. */
export function uid(n: number, kind = 0): string {
  return `0190${kind.toString(16).padStart(4, '0')}-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

export const ORG = {
  herning: uid(1, 1),
  collector: uid(2, 1),
  sorter: uid(3, 1),
  recycler: uid(4, 1),
  maker: uid(5, 1),
} as const;

export const COTTON: Composition = [{ fibre: 'cotton', share: 10_000 }];

export interface AppendOptions {
  readonly actorOrgId?: string;
  readonly recordedAt?: string;
}

export interface OutputSpec {
  readonly batchId: string;
  readonly massGrams: number;
  readonly grade?: Grade;
  readonly productType?: string;
  readonly application?: 'textile' | 'non-textile';
  /** Default: the output's mass split over the inputs in proportion to their mass. */
  readonly parents?: { batchId: string; massGrams: number }[];
}

export interface ProcessSpec {
  readonly processId: string;
  readonly organisationId: string;
  readonly processType?: ProcessType;
  readonly inputs: { batchId: string; massGrams: number }[];
  readonly outputs: OutputSpec[];
  readonly losses?: { kind: 'moisture-dust' | 'process-waste' | 'unknown'; massGrams: number }[];
  readonly externalInputs?: { description: string; massGrams: number; originClass: 'virgin' | 'untracked' }[];
  readonly occurredAt?: string;
}

/** Builds a global log of stored events: positions from 0, revisions per stream, recordedAt ticking 1 s. */
export class EventLog {
  readonly events: StoredEvent[] = [];
  private readonly revisions = new Map<string, number>();
  private clock: number;
  private transfers = 0;

  constructor(start = '2025-03-03T08:00:00.000Z') {
    this.clock = Date.parse(start);
  }

  /** Business time: a default that trails the recorded clock by a minute. */
  now(): string {
    return new Date(this.clock - 60_000).toISOString();
  }

  /** Moves the clock, e.g. to put events into another month. */
  advance(ms: number): void {
    this.clock += ms;
  }

  append(streamId: string, event: DomainEvent, options: AppendOptions = {}): StoredEvent {
    const revision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, revision);
    this.clock += 1000;
    const position = this.events.length;
    const stored: StoredEvent = {
      streamId,
      revision,
      position,
      eventId: `${streamId}:${revision}`,
      type: event.type,
      schemaVersion: 1,
      data: JSON.parse(JSON.stringify(event.data)) as unknown,
      metadata: { actorOrgId: options.actorOrgId ?? ORG.collector, commandId: `cmd-${position}`, correlationId: `cor-${position}`, causationId: `cmd-${position}` },
      recordedAt: options.recordedAt ?? new Date(this.clock).toISOString(),
      prevHash: position.toString(16).padStart(64, '0'),
      hash: (position + 1).toString(16).padStart(64, '0'),
    };
    this.events.push(stored);
    return stored;
  }

  projected(from = 0, to = this.events.length): ProjectedEvent[] {
    return this.events.slice(from, to).map(toProjectedEvent);
  }

  organisation(organisationId: string, name: string, roles: ('municipality' | 'collector' | 'sorter' | 'recycler' | 'manufacturer')[], kommuneCode?: string): StoredEvent {
    return this.append(`organisation-${organisationId}`, {
      type: 'OrganisationRegistered',
      data: { organisationId, name, roles, ...(kommuneCode ? { kommuneCode } : {}), sites: [], occurredAt: this.now() },
    });
  }

  collect(batchId: string, massGrams: number, options: { collectorOrgId?: string; kommuneCode?: string; occurredAt?: string; programmeTags?: string[] } = {}): StoredEvent {
    return this.append(`batch-${batchId}`, {
      type: 'BatchCollected',
      data: {
        batchId,
        kommuneCode: options.kommuneCode ?? '0657',
        collectionScheme: 'kerbside',
        ewcCode: '20 01 10',
        massGrams,
        occurredAt: options.occurredAt ?? this.now(),
        collectorOrgId: options.collectorOrgId ?? ORG.collector,
        programmeTags: options.programmeTags ?? [],
      },
    });
  }

  register(batchId: string, massGrams: number, organisationId: string, occurredAt = this.now()): StoredEvent {
    return this.append(
      `batch-${batchId}`,
      {
        type: 'ResidualBatchRegistered',
        data: {
          batchId,
          organisationId,
          originClass: 'pre-consumer',
          ewcCode: '04 02 21',
          massGrams,
          composition: COTTON,
          description: 'cutting waste',
          programmeTags: ['tekstilsymbiose-herning'],
          occurredAt,
        },
      },
      { actorOrgId: organisationId },
    );
  }

  /** Returns the transfer id. */
  dispatch(batchId: string, fromOrgId: string, toOrgId: string, massGrams: number, options: { ownershipTransferred?: boolean; occurredAt?: string } = {}): string {
    this.transfers += 1;
    const transferId = uid(this.transfers, 9);
    this.append(
      `batch-${batchId}`,
      {
        type: 'CustodyTransferDispatched',
        data: { batchId, transferId, fromOrgId, toOrgId, massGrams, ownershipTransferred: options.ownershipTransferred ?? true, occurredAt: options.occurredAt ?? this.now() },
      },
      { actorOrgId: fromOrgId },
    );
    return transferId;
  }

  receive(batchId: string, transferId: string, dispatchedMassGrams: number, receivedMassGrams: number, byOrgId: string, occurredAt = this.now()): StoredEvent {
    const differenceGrams = receivedMassGrams - dispatchedMassGrams;
    return this.append(
      `batch-${batchId}`,
      {
        type: 'CustodyTransferReceived',
        data: {
          batchId,
          transferId,
          receivedMassGrams,
          dispatchedMassGrams,
          differenceGrams,
          anomaly: Math.abs(differenceGrams) * 10_000 > dispatchedMassGrams * 200,
          toleranceBasisPoints: 200,
          occurredAt,
        },
      },
      { actorOrgId: byOrgId },
    );
  }

  cancel(batchId: string, transferId: string, byOrgId: string, occurredAt = this.now()): StoredEvent {
    return this.append(
      `batch-${batchId}`,
      { type: 'CustodyTransferCancelled', data: { batchId, transferId, cancelledBy: 'sender', reason: 'truck broke down', occurredAt } },
      { actorOrgId: byOrgId },
    );
  }

  correct(batchId: string, correctedEventId: string, previousMassGrams: number, massGrams: number, byOrgId: string): StoredEvent {
    return this.append(
      `batch-${batchId}`,
      { type: 'BatchMassCorrected', data: { batchId, correctedEventId, massGrams, previousMassGrams, reason: 'scale was off', occurredAt: this.now() } },
      { actorOrgId: byOrgId },
    );
  }

  incinerate(batchId: string, byOrgId: string, energyRecovery = true): StoredEvent {
    return this.append(`batch-${batchId}`, { type: 'BatchIncinerated', data: { batchId, energyRecovery, occurredAt: this.now() } }, { actorOrgId: byOrgId });
  }

  placeOnMarket(batchId: string, byOrgId: string): StoredEvent {
    return this.append(`batch-${batchId}`, { type: 'ProductPlacedOnMarket', data: { batchId, market: 'domestic', occurredAt: this.now() } }, { actorOrgId: byOrgId });
  }

  /**
   * The process manager's steps: ProcessStarted, BatchConsumed per input, BatchProduced per output,
   * then ProcessCompleted (`complete`), nothing more (`pending`, finish later with `completeProcess`),
   * or a reverted consumption and ProcessRejected (`reject`).
   */
  process(spec: ProcessSpec, mode: 'complete' | 'pending' | 'reject' = 'complete'): void {
    const occurredAt = spec.occurredAt ?? this.now();
    const processType = spec.processType ?? 'sorting';
    const totalIn = spec.inputs.reduce((s, i) => s + i.massGrams, 0);
    const outputs = spec.outputs.map((o) => ({
      batchId: o.batchId,
      massGrams: o.massGrams,
      grade: o.grade ?? 'recycling',
      composition: COTTON,
      ...(o.productType ? { productType: o.productType } : {}),
      ...(o.application ? { application: o.application } : {}),
      parents: o.parents ?? proportionalParents(spec.inputs, totalIn, o.massGrams),
    }));
    const actor = { actorOrgId: spec.organisationId };
    this.append(
      `process-${spec.processId}`,
      {
        type: 'ProcessStarted',
        data: {
          processId: spec.processId,
          organisationId: spec.organisationId,
          processType,
          inputs: spec.inputs.map((i, n) => ({ batchId: i.batchId, massGrams: i.massGrams, expectedRevision: n })),
          externalInputs: (spec.externalInputs ?? []).map((x) => ({ ...x, composition: COTTON })),
          outputs,
          losses: spec.losses ?? [],
          occurredAt,
        },
      },
      actor,
    );
    if (mode === 'reject') {
      const first = spec.inputs[0]!;
      this.append(`batch-${first.batchId}`, { type: 'BatchConsumed', data: { batchId: first.batchId, processId: spec.processId, massGrams: first.massGrams } }, actor);
      this.append(`batch-${first.batchId}`, { type: 'BatchConsumptionReverted', data: { batchId: first.batchId, processId: spec.processId } }, actor);
      this.append(`process-${spec.processId}`, { type: 'ProcessRejected', data: { processId: spec.processId, reason: 'an input was no longer available' } }, actor);
      return;
    }
    for (const input of spec.inputs) {
      this.append(`batch-${input.batchId}`, { type: 'BatchConsumed', data: { batchId: input.batchId, processId: spec.processId, massGrams: input.massGrams } }, actor);
    }
    for (const output of outputs) {
      this.append(
        `batch-${output.batchId}`,
        { type: 'BatchProduced', data: { ...output, processId: spec.processId, processType, organisationId: spec.organisationId, occurredAt } },
        actor,
      );
    }
    if (mode === 'complete') this.completeProcess(spec.processId, spec.organisationId);
  }

  completeProcess(processId: string, organisationId: string): StoredEvent {
    return this.append(`process-${processId}`, { type: 'ProcessCompleted', data: { processId } }, { actorOrgId: organisationId });
  }
}

function proportionalParents(inputs: { batchId: string; massGrams: number }[], totalIn: number, mass: number): { batchId: string; massGrams: number }[] {
  const parents = inputs.map((i) => ({ batchId: i.batchId, massGrams: Math.floor((i.massGrams * mass) / totalIn) }));
  const missing = mass - parents.reduce((s, p) => s + p.massGrams, 0);
  if (parents[0]) parents[0].massGrams += missing;
  return parents;
}

/** Appends stored events to a real store, keeping their order (concurrent appends share group commits). */
export async function appendToStore(store: EventStore, events: readonly StoredEvent[]): Promise<void> {
  await Promise.all(
    events.map((e) =>
      store.append(e.streamId, [{ eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata }], e.revision === 0 ? 'no-stream' : e.revision - 1),
    ),
  );
}

/** Applies events to a projection in memory, then flushes them in one transaction (as the runner does). */
export async function project(db: ReadDb, projection: Projection, events: readonly ProjectedEvent[]): Promise<void> {
  for (const event of events) projection.apply(event);
  await db.transaction().execute((tx) => projection.flush(tx));
}

/** Every row of a table in a fixed order (the JSON of each row), for comparing states. */
export async function dump(db: ReadDb, table: string): Promise<unknown[]> {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
  const keyed = rows.map((row) => [JSON.stringify(row), row] as const);
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return keyed.map(([, row]) => row);
}

/** A small deterministic PRNG (mulberry32), so generated flows are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Appends a plausible random flow of about `events` events: collections and registrations, shipments
 * (received with weighing differences, or cancelled), sorting and blending processes (completed,
 * rejected, or left pending), outcomes and corrections. The rules the read models rely on hold
 * (the custodian acts, inputs are available, processes balance, outputs are used only after their
 * process completed); corrections name a placeholder event id, which no projection reads.
 */
export function syntheticFlow(log: EventLog, events: number, seed = 1): void {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const orgs = [ORG.collector, ORG.sorter, ORG.recycler, ORG.maker];
  const available = new Map<string, { org: string; mass: number }>();
  let next = 1;
  let processes = 1;
  const newBatch = (): string => uid(next++, 7);
  const availableAt = (org: string): string[] => [...available].filter(([, b]) => b.org === org).map(([id]) => id);

  while (log.events.length < events) {
    const roll = random();
    if (available.size < 8 || roll < 0.2) {
      const id = newBatch();
      const mass = 1_000 + Math.floor(random() * 500_000);
      if (random() < 0.8) {
        log.collect(id, mass, { kommuneCode: pick(['0657', '0101', '0751']), programmeTags: random() < 0.3 ? ['tekstilsymbiose-herning'] : [] });
        available.set(id, { org: ORG.collector, mass });
      } else {
        log.register(id, mass, ORG.maker);
        available.set(id, { org: ORG.maker, mass });
      }
      continue;
    }
    const [batchId, batch] = pick([...available]);
    if (roll < 0.45) {
      const to = pick(orgs.filter((o) => o !== batch.org));
      const dispatched = batch.mass + Math.floor((random() - 0.5) * 20);
      const transfer = log.dispatch(batchId, batch.org, to, Math.max(1, dispatched), { ownershipTransferred: random() < 0.9 });
      if (random() < 0.1) {
        log.cancel(batchId, transfer, batch.org);
      } else {
        const received = Math.max(1, dispatched - Math.floor(random() * 30));
        log.receive(batchId, transfer, Math.max(1, dispatched), received, to);
        available.set(batchId, { org: to, mass: received });
      }
    } else if (roll < 0.75) {
      const siblings = availableAt(batch.org).filter((id) => id !== batchId);
      const inputs = [batchId, ...(random() < 0.3 && siblings.length > 0 ? [pick(siblings)] : [])].map((id) => ({ batchId: id, massGrams: available.get(id)!.mass }));
      const total = inputs.reduce((s, i) => s + i.massGrams, 0);
      const loss = Math.floor(total * 0.02);
      const first = Math.floor((total - loss) * 0.6);
      const outputs = [
        { batchId: newBatch(), massGrams: first, grade: 'reuse' as const },
        { batchId: newBatch(), massGrams: total - loss - first, grade: 'recycling' as const },
      ].filter((o) => o.massGrams > 0);
      const mode = random() < 0.05 ? 'reject' : random() < 0.03 ? 'pending' : 'complete';
      const processId = uid(processes++, 8);
      log.process({ processId, organisationId: batch.org, processType: inputs.length > 1 ? 'blending' : 'sorting', inputs, outputs, losses: loss > 0 ? [{ kind: 'moisture-dust', massGrams: loss }] : [] }, mode);
      if (mode === 'complete') {
        for (const input of inputs) available.delete(input.batchId);
        for (const output of outputs) available.set(output.batchId, { org: batch.org, mass: output.massGrams });
      } else if (mode === 'pending') {
        // Inputs of an unfinished process are not available to anyone else.
        for (const input of inputs) available.delete(input.batchId);
      }
    } else if (roll < 0.9) {
      if (random() < 0.5) log.incinerate(batchId, batch.org, random() < 0.7);
      else log.append(`batch-${batchId}`, { type: 'BatchSoldForReuse', data: { batchId, market: 'domestic', occurredAt: log.now() } }, { actorOrgId: batch.org });
      available.delete(batchId);
    } else {
      const corrected = Math.max(1, batch.mass + Math.floor((random() - 0.5) * 100));
      log.correct(batchId, `batch-${batchId}`, batch.mass, corrected, batch.org);
      available.set(batchId, { org: batch.org, mass: corrected });
    }
  }
}
