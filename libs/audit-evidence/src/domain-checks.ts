/**
 * What a bundle's events say in the domain's words, recomputed from the events alone: each
 * process's mass balance (to the gram) and the subject's lineage. Pure: the domain's own event
 * schemas and batch evolution, nothing else.
 */
import { evolveBatch, parseEvent, type BatchState, type DomainEvent, type ProcessStarted } from '../../domain/src/index.js';
import type { StoredEvent } from '../../event-store/src/event-store.port.js';

export interface ProcessBalance {
  readonly processId: string;
  readonly processType: string;
  readonly status: 'completed' | 'rejected' | 'voided' | 'unfinished';
  readonly inputGrams: number;
  readonly externalInputGrams: number;
  readonly outputGrams: number;
  readonly lossGrams: number;
  readonly balanced: boolean;
}

export interface LineageAncestor {
  readonly batchId: string;
  /** 1 for a direct parent. */
  readonly depth: number;
  readonly viaProcessId: string;
  /** Grams of this ancestor that went into the child on the path (from BatchProduced.parents). */
  readonly grams: number;
}

type Check = (name: string, ok: boolean, detail: string) => boolean;

export interface DomainEventAt {
  readonly stored: StoredEvent;
  readonly event: DomainEvent;
}

function describe(event: Pick<StoredEvent, 'position' | 'streamId' | 'revision' | 'eventId'>): string {
  return `event at position ${event.position} (${event.streamId} revision ${event.revision}, id ${event.eventId})`;
}

/** Undefined when an event is not a valid domain event (then reported as the 'domain' check). */
export function checkDomain(
  subjectBatchId: string,
  events: readonly StoredEvent[],
  check: Check,
): { readonly events: readonly StoredEvent[]; readonly parsed: readonly DomainEventAt[]; readonly processes: ProcessBalance[]; readonly lineage: LineageAncestor[] } | undefined {
  const domain = parseDomain(events, check);
  if (domain === undefined) return undefined;
  return { events, parsed: domain, processes: processBalances(domain, check), lineage: lineageOf(subjectBatchId, domain) };
}

function parseDomain(events: readonly StoredEvent[], check: Check): DomainEventAt[] | undefined {
  const parsed: DomainEventAt[] = [];
  for (const stored of events) {
    try {
      parsed.push({ stored, event: parseEvent(stored.type, stored.schemaVersion, stored.data) });
    } catch (error) {
      check('domain', false, `${describe(stored)} is not a valid ${stored.type} (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
      return undefined;
    }
  }
  return parsed;
}

const sum = (items: ReadonlyArray<{ massGrams: number }>): bigint => items.reduce((total, item) => total + BigInt(item.massGrams), 0n);

/**
 * Each process's own balance (inputs + external = outputs + losses, to the gram), and where the
 * bundle holds the batches on either side, that the process took each input at the mass the batch
 * had, and made each output at the mass it declared.
 */
function processBalances(domain: readonly DomainEventAt[], check: Check): ProcessBalance[] {
  const balances: ProcessBalance[] = [];
  const batchStates = new Map<string, BatchState | undefined>();
  const starts = new Map<string, ProcessStarted>();
  const status = new Map<string, ProcessBalance['status']>();
  for (const { stored, event } of domain) {
    if (event.type === 'ProcessStarted') {
      starts.set(event.data.processId, event.data);
      status.set(event.data.processId, 'unfinished');
    } else if (event.type === 'ProcessCompleted') status.set(event.data.processId, 'completed');
    else if (event.type === 'ProcessRejected') status.set(event.data.processId, 'rejected');
    else if (/Voided$/.test(event.type) && stored.streamId.startsWith('process-')) {
      const processId = (event.data as { processId?: string }).processId;
      if (processId) status.set(processId, 'voided');
    }
  }
  let allGood = true;
  for (const { stored, event } of domain) {
    if (stored.streamId.startsWith('batch-')) {
      const batchId = stored.streamId.slice('batch-'.length);
      const before = batchStates.get(batchId);
      if (event.type === 'BatchConsumed') {
        const started = starts.get(event.data.processId);
        const input = started?.inputs.find((i) => i.batchId === batchId);
        if (input && before && before.massGrams !== input.massGrams) {
          allGood = check('mass balance', false, `${describe(stored)}: process ${event.data.processId} took ${input.massGrams} g of batch ${batchId}, which held ${before.massGrams} g`);
        }
      }
      if (event.type === 'BatchProduced') {
        const output = starts.get(event.data.processId)?.outputs.find((o) => o.batchId === batchId);
        if (output && output.massGrams !== event.data.massGrams) {
          allGood = check('mass balance', false, `${describe(stored)}: batch ${batchId} was produced with ${event.data.massGrams} g, process ${event.data.processId} declared ${output.massGrams} g`);
        }
      }
      batchStates.set(batchId, evolveBatch(before, event, { eventId: stored.eventId }));
    }
  }
  for (const [processId, started] of starts) {
    const inputGrams = sum(started.inputs);
    const externalInputGrams = sum(started.externalInputs);
    const outputGrams = sum(started.outputs);
    const lossGrams = sum(started.losses);
    const balanced = inputGrams + externalInputGrams === outputGrams + lossGrams;
    if (!balanced) {
      allGood = check('mass balance', false, `process ${processId}: inputs ${inputGrams} g + external ${externalInputGrams} g ≠ outputs ${outputGrams} g + losses ${lossGrams} g`);
    }
    balances.push({
      processId,
      processType: started.processType,
      status: status.get(processId) ?? 'unfinished',
      inputGrams: Number(inputGrams),
      externalInputGrams: Number(externalInputGrams),
      outputGrams: Number(outputGrams),
      lossGrams: Number(lossGrams),
      balanced,
    });
  }
  if (allGood) check('mass balance', true, `${balances.length} processes balance to the gram; every input taken at the mass its batch held`);
  return balances;
}

/** Ancestors of the subject, breadth first, from the BatchProduced events in the bundle. */
function lineageOf(batchId: string, domain: readonly DomainEventAt[]): LineageAncestor[] {
  const produced = new Map<string, { processId: string; parents: Array<{ batchId: string; massGrams: number }> }>();
  const voided = new Set<string>();
  for (const { stored, event } of domain) {
    if (event.type === 'BatchProduced') produced.set(event.data.batchId, { processId: event.data.processId, parents: event.data.parents });
    if (/Voided$/.test(event.type) && stored.streamId.startsWith('process-')) {
      const processId = (event.data as { processId?: string }).processId;
      if (processId) voided.add(processId);
    }
  }
  const ancestors: LineageAncestor[] = [];
  const seen = new Set([batchId]);
  let frontier = [batchId];
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const child of frontier) {
      const made = produced.get(child);
      if (!made || voided.has(made.processId)) continue;
      for (const parent of made.parents) {
        if (seen.has(parent.batchId)) continue;
        seen.add(parent.batchId);
        ancestors.push({ batchId: parent.batchId, depth, viaProcessId: made.processId, grams: parent.massGrams });
        next.push(parent.batchId);
      }
    }
    frontier = next;
  }
  return ancestors;
}
