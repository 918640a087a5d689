import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { evolveBatch, parseEvent, type BatchState, type DomainEvent, type ProcessStarted } from '#domain';
import {
  canonicalJson,
  ledgerLeafHash,
  readPublicKey,
  verifyCheckpointSignature,
  verifyInclusion,
  verifyStreamChain,
  type StoredEvent,
} from '#event-store';
import { ProvenanceProjection, provenance, toProjectedEvent, type ProvenanceView } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { AuditBundleSchema, bundleSigningText, toStoredEvent, type AuditBundle, type BundleEvent } from './audit-bundle.js';

export interface BundleCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

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

export interface BundleReport {
  ok: boolean;
  subject: AuditBundle['subject'] | null;
  checkpoint: { origin: string; treeSize: number; signedAt: string; keyId: string } | null;
  /** `pinned`: checked against a key the auditor supplied; `bundle`: the bundle's own key (compare its id with the operator's published one). */
  keyTrust: 'pinned' | 'bundle' | null;
  events: number;
  streams: number;
  checks: BundleCheck[];
  /** Plain sentences; the first names the first thing that broke. */
  failures: string[];
  lineage: LineageAncestor[] | null;
  processes: ProcessBalance[];
  provenance: ProvenanceView | null;
  /** Why provenance was not recomputed, when it was not. */
  provenanceNote: string | null;
}

export interface VerifyBundleOptions {
  /** The operator's published public key (PEM). Without it the bundle's own key is used, and said so. */
  readonly trustedPublicKeyPem?: string;
}

function emptyReport(): BundleReport {
  return { ok: false, subject: null, checkpoint: null, keyTrust: null, events: 0, streams: 0, checks: [], failures: [], lineage: null, processes: [], provenance: null, provenanceNote: null };
}

function describe(event: Pick<StoredEvent, 'position' | 'streamId' | 'revision' | 'eventId'>): string {
  return `event at position ${event.position} (${event.streamId} revision ${event.revision}, id ${event.eventId})`;
}

/**
 * Checks a bundle with nothing but the bundle: no server, no store. Every hash, proof and signature,
 * then the domain: each process's mass balance, the lineage, and (for an upstream bundle) the
 * provenance, recomputed with the ledger's own provenance projection in a throw-away in-memory
 * SQLite, so the numbers are the ones the ledger's API would give for the same events.
 */
export async function verifyAuditBundle(text: string, options: VerifyBundleOptions = {}): Promise<BundleReport> {
  const report = emptyReport();
  const check = (name: string, ok: boolean, detail: string): boolean => {
    report.checks.push({ name, ok, detail });
    if (!ok) report.failures.push(`${name}: ${detail}`);
    return ok;
  };

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    check('format', false, `the bundle is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    return report;
  }
  const shape = AuditBundleSchema.safeParse(parsed);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    check('format', false, `${issue.path.length > 0 ? issue.path.join('.') : 'the bundle'}: ${issue.message}`);
    return report;
  }
  const bundle = shape.data;
  report.subject = bundle.subject;
  report.checkpoint = { origin: bundle.checkpoint.origin, treeSize: bundle.checkpoint.treeSize, signedAt: bundle.checkpoint.signedAt, keyId: bundle.checkpoint.keyId };
  report.events = bundle.events.length;

  // Every byte counts: a file that parses to the same values but is not their canonical form (a
  // changed space, an escaped letter) has been edited, and is refused as such.
  const canonical = canonicalJson(parsed);
  if (canonical !== text) {
    let at = 0;
    while (at < text.length && text[at] === canonical[at]) at++;
    check('format', false, `the bundle is not in canonical form from byte ${at}: it was edited after export`);
  }

  let key: KeyObject;
  try {
    key = readPublicKey(options.trustedPublicKeyPem ?? bundle.publicKey);
    report.keyTrust = options.trustedPublicKeyPem ? 'pinned' : 'bundle';
  } catch (error) {
    check('public key', false, `not an Ed25519 public key (${error instanceof Error ? error.message : String(error)})`);
    return finish(report);
  }
  if (options.trustedPublicKeyPem) {
    check('public key', readPublicKey(bundle.publicKey).export({ format: 'der', type: 'spki' }).equals(key.export({ format: 'der', type: 'spki' })), 'the bundle names a different key from the trusted one');
  }
  check('checkpoint signature', verifyCheckpointSignature(bundle.checkpoint, key), `checkpoint of ${bundle.checkpoint.treeSize} events signed at ${bundle.checkpoint.signedAt} by key ${bundle.checkpoint.keyId}`);

  const events = bundle.events;
  checkEvents(events, bundle, check);
  const streams = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const list = streams.get(event.streamId) ?? [];
    list.push(toStoredEvent(event));
    streams.set(event.streamId, list);
  }
  report.streams = streams.size;
  checkChains(streams, check);
  checkProofs(events, bundle, check);
  check(
    'bundle signature',
    verifySignature(null, Buffer.from(bundleSigningText(bundle), 'utf8'), key, Buffer.from(bundle.bundleSignature, 'base64')),
    'the signature over the whole bundle (subject, export time, key, checkpoint, events)',
  );

  const domain = parseDomain(events, check);
  if (domain !== undefined) {
    report.processes = processBalances(domain, check);
    report.lineage = lineageOf(bundle.subject.batchId, domain);
    await recomputeProvenance(bundle, domain, report);
  }
  check('subject', streams.has(`batch-${bundle.subject.batchId}`), `the bundle holds the stream of batch ${bundle.subject.batchId}`);
  return finish(report);
}

function finish(report: BundleReport): BundleReport {
  report.ok = report.failures.length === 0;
  return report;
}

type Check = (name: string, ok: boolean, detail: string) => boolean;

function checkEvents(events: readonly BundleEvent[], bundle: AuditBundle, check: Check): void {
  let previous: BundleEvent | undefined;
  for (const event of events) {
    if (previous !== undefined && (event.position <= previous.position || event.leafIndex <= previous.leafIndex)) {
      check('order', false, `${describe(event)} is not after ${describe(previous)} in the log`);
      return;
    }
    if (event.leafIndex >= bundle.checkpoint.treeSize || event.position > bundle.checkpoint.lastPosition) {
      check('order', false, `${describe(event)} lies beyond the checkpoint's ${bundle.checkpoint.treeSize} events`);
      return;
    }
    previous = event;
  }
  check('order', true, `${events.length} events in log order, all within the checkpoint`);
}

function checkChains(streams: ReadonlyMap<string, StoredEvent[]>, check: Check): void {
  for (const [streamId, events] of streams) {
    if (events[0]!.revision !== 0) {
      check('hash chains', false, `stream ${streamId} starts at revision ${events[0]!.revision}, not at its first event`);
      return;
    }
    const chain = verifyStreamChain(events);
    if (!chain.ok) {
      const bad = events.find((e) => e.revision === chain.firstBadRevision)!;
      check('hash chains', false, `${describe(bad)}: ${chain.reason}`);
      return;
    }
  }
  check('hash chains', true, `${streams.size} streams, each complete from its first event, every hash recomputed`);
}

function checkProofs(events: readonly BundleEvent[], bundle: AuditBundle, check: Check): void {
  const root = Buffer.from(bundle.checkpoint.rootHash, 'hex');
  for (const event of events) {
    const proof = event.inclusionProof.map((h) => Buffer.from(h, 'hex'));
    if (!verifyInclusion(ledgerLeafHash(event), event.leafIndex, bundle.checkpoint.treeSize, proof, root)) {
      check('inclusion proofs', false, `${describe(event)} is not proven to be leaf ${event.leafIndex} of the signed tree`);
      return;
    }
  }
  check('inclusion proofs', true, `${events.length} events proven against root ${bundle.checkpoint.rootHash.slice(0, 16)}… of ${bundle.checkpoint.treeSize} events`);
}

interface DomainEventAt {
  readonly stored: StoredEvent;
  readonly event: DomainEvent;
}

function parseDomain(events: readonly BundleEvent[], check: Check): DomainEventAt[] | undefined {
  const parsed: DomainEventAt[] = [];
  for (const bundled of events) {
    const stored = toStoredEvent(bundled);
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

async function recomputeProvenance(bundle: AuditBundle, domain: readonly DomainEventAt[], report: BundleReport): Promise<void> {
  if (!bundle.subject.upstream) {
    report.provenanceNote = 'not recomputed: the bundle was exported without --upstream, so the origins of its material are not in it';
    return;
  }
  const db = openSqliteReadDb({ filename: ':memory:' });
  try {
    const projection = new ProvenanceProjection();
    await projection.migrate(db);
    await projection.load(db);
    for (const { stored } of domain) projection.apply(toProjectedEvent(stored));
    await db.transaction().execute((tx) => projection.flush(tx));
    report.provenance = (await provenance(db, bundle.subject.batchId)) ?? null;
    if (report.provenance === null) report.provenanceNote = 'the batch has no provenance yet (its process has not completed)';
  } catch (error) {
    report.failures.push(`provenance: could not be recomputed from the bundle (${error instanceof Error ? error.message : String(error)})`);
    report.checks.push({ name: 'provenance', ok: false, detail: 'could not be recomputed from the bundle' });
  } finally {
    await db.destroy();
  }
}
