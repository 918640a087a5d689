/**
 * Checks an audit bundle with nothing but the bundle (decision 014): every hash, proof and
 * signature, then the domain (each process's mass balance, the lineage). One verifier for the CLI
 * (`ledger audit verify`) and the audit page in the browser (decision 031): it uses Web Crypto and
 * pure TypeScript only, so both give the same verdict and name the same first failure.
 */
import type { z } from 'zod';
import type { StoredEvent } from '../../event-store/src/event-store.port.js';
import { canonicalJson } from '../../event-store/src/integrity/canonical-json.js';
import { AuditBundleSchema, bundleSigningText, toStoredEvent, type AuditBundle, type BundleEvent } from './audit-bundle.js';
import { checkDomain, type LineageAncestor, type ProcessBalance } from './domain-checks.js';
import { GENESIS_HASH, eventHash, ledgerLeafHash, verifyCheckpointSignature, verifyInclusion } from './evidence-proofs.js';
import { KeyFormatError, equalBytes, fromCanonicalBase64, fromHex, readEd25519PublicKey, utf8, verifyEd25519, type Ed25519PublicKey } from './web-crypto.js';

export type { LineageAncestor, ProcessBalance } from './domain-checks.js';

export interface BundleCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The provenance figures the CLI prints; the ledger's ProvenanceView has these and more. */
export interface ProvenanceFigures {
  readonly batchId: string;
  readonly massGrams: number;
  readonly postConsumerGrams: number;
  readonly preConsumerGrams: number;
  readonly virginGrams: number;
  readonly untrackedGrams: number;
  readonly recycledContentBasisPoints: number;
  readonly byKommune: ReadonlyArray<{ readonly kommuneCode: string; readonly grams: number }>;
}

export interface BundleReport<P extends ProvenanceFigures = ProvenanceFigures> {
  ok: boolean;
  subject: AuditBundle['subject'] | null;
  checkpoint: { origin: string; treeSize: number; signedAt: string; keyId: string } | null;
  /** `pinned`: checked against a key the auditor supplied; `bundle`: the bundle's own key (compare its id with the operator's published one). */
  keyTrust: 'pinned' | 'bundle' | null;
  events: number;
  streams: number;
  /** Inclusion proofs that verified against the checkpoint's root. */
  proofs: number;
  /** Signed checkpoints whose signature verified (a bundle carries one). */
  checkpoints: number;
  checks: BundleCheck[];
  /** Plain sentences; the first names the first thing that broke. */
  failures: string[];
  lineage: LineageAncestor[] | null;
  processes: ProcessBalance[];
  provenance: P | null;
  /** Why provenance was not recomputed, when it was not. */
  provenanceNote: string | null;
}

export interface VerifyBundleOptions<P extends ProvenanceFigures = ProvenanceFigures> {
  /** The operator's published public key (PEM). Without it the bundle's own key is used, and said so. */
  readonly trustedPublicKeyPem?: string;
  /**
   * Recomputes the subject's provenance from the bundle's events. The CLI passes the ledger's own
   * provenance projection (it needs SQLite, so the browser cannot); null when the batch has none yet.
   */
  readonly recomputeProvenance?: (batchId: string, events: readonly StoredEvent[]) => Promise<P | null>;
  /** Called between chunks of work, so that a page stays responsive on a large bundle. */
  readonly pause?: () => Promise<void>;
}

/** Events hashed at once: enough to keep Web Crypto busy, few enough to pause often. */
const CHUNK = 256;

export function emptyReport<P extends ProvenanceFigures>(): BundleReport<P> {
  return { ok: false, subject: null, checkpoint: null, keyTrust: null, events: 0, streams: 0, proofs: 0, checkpoints: 0, checks: [], failures: [], lineage: null, processes: [], provenance: null, provenanceNote: null };
}

export function describeEvent(event: Pick<StoredEvent, 'position' | 'streamId' | 'revision' | 'eventId'>): string {
  return `event at position ${event.position} (${event.streamId} revision ${event.revision}, id ${event.eventId})`;
}

export type Check = (name: string, ok: boolean, detail: string) => boolean;

export async function verifyEvidenceBundle<P extends ProvenanceFigures = ProvenanceFigures>(text: string, options: VerifyBundleOptions<P> = {}): Promise<BundleReport<P>> {
  const report = emptyReport<P>();
  const pause = options.pause ?? (async () => undefined);
  const check = checker(report);
  const bundle = readEvidenceFile(text, AuditBundleSchema, 'bundle', check);
  if (bundle === undefined) return report;
  report.subject = bundle.subject;
  report.checkpoint = { origin: bundle.checkpoint.origin, treeSize: bundle.checkpoint.treeSize, signedAt: bundle.checkpoint.signedAt, keyId: bundle.checkpoint.keyId };
  report.events = bundle.events.length;

  const streams = await checkSignedEvidence(bundle, { name: 'bundle signature', signature: bundle.bundleSignature, signingText: bundleSigningText(bundle), covers: 'the signature over the whole bundle (subject, export time, key, checkpoint, events)' }, options, report, check, pause);
  if (streams === undefined) return finish(report);

  const domain = checkDomain(bundle.subject.batchId, bundle.events.map(toStoredEvent), check);
  if (domain !== undefined) {
    report.processes = domain.processes;
    report.lineage = domain.lineage;
    await recomputeProvenance(bundle, domain.events, report, options.recomputeProvenance);
  }
  check('subject', streams.has(`batch-${bundle.subject.batchId}`), `the bundle holds the stream of batch ${bundle.subject.batchId}`);
  return finish(report);
}

/** A report's check: records it, and a failure as the sentence `name: detail`. */
export function checker(report: BundleReport<ProvenanceFigures>): Check {
  return (name, ok, detail) => {
    report.checks.push({ name, ok, detail });
    if (!ok) report.failures.push(`${name}: ${detail}`);
    return ok;
  };
}

/**
 * A file's text as JSON of its schema; undefined (with the failure checked) when it is neither, as
 * nothing else can then be checked. Every byte counts: a file that parses to the same values but is
 * not their canonical form (a changed space, an escaped letter) has been edited, and fails as such,
 * while the rest is still checked so that the report names whatever else changed.
 */
export function readEvidenceFile<T>(text: string, schema: z.ZodType<T>, noun: 'bundle' | 'certificate', check: Check): T | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not the engine's message: Node and each browser word it differently, and the verdict must not.
    check('format', false, `the ${noun} is not valid JSON`);
    return undefined;
  }
  const shape = schema.safeParse(parsed);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    check('format', false, `${issue.path.length > 0 ? issue.path.join('.') : `the ${noun}`}: ${issue.message}`);
    return undefined;
  }
  const canonical = canonicalJson(parsed);
  if (canonical !== text) {
    let at = 0;
    while (at < text.length && text[at] === canonical[at]) at++;
    check('format', false, `the ${noun} is not in canonical form from byte ${at}: it was edited after export`);
  }
  return shape.data;
}

/** The signed part every evidence file shares: a key, a checkpoint, and events proven to it. */
export interface SignedEvidence {
  readonly publicKey: string;
  readonly checkpoint: AuditBundle['checkpoint'];
  readonly events: readonly BundleEvent[];
}

/** The signature over a whole file: its check's name, the base64 signature, the exact text it covers. */
export interface FileSignature {
  readonly name: string;
  readonly signature: string;
  readonly signingText: string;
  readonly covers: string;
}

/**
 * The checks an evidence bundle and a claim certificate share (decisions 014, 045), in this order:
 * the key, the checkpoint signature, the events' order, each stream's hash chain, each inclusion
 * proof, then the signature over the whole file. Undefined when the key cannot be read (nothing
 * else can then be checked); otherwise the events by stream.
 */
export async function checkSignedEvidence<P extends ProvenanceFigures>(
  evidence: SignedEvidence,
  fileSignature: FileSignature,
  options: Pick<VerifyBundleOptions<P>, 'trustedPublicKeyPem'>,
  report: BundleReport<P>,
  check: Check,
  pause: () => Promise<void>,
): Promise<Map<string, StoredEvent[]> | undefined> {
  let key: Ed25519PublicKey;
  try {
    key = await readEd25519PublicKey(options.trustedPublicKeyPem ?? evidence.publicKey);
    report.keyTrust = options.trustedPublicKeyPem ? 'pinned' : 'bundle';
  } catch (error) {
    if (!(error instanceof KeyFormatError)) throw error;
    check('public key', false, `not an Ed25519 public key (${error.message})`);
    return undefined;
  }
  if (options.trustedPublicKeyPem) {
    const named = await readEd25519PublicKey(evidence.publicKey).catch(() => undefined);
    check('public key', named !== undefined && equalBytes(named.spki, key.spki), 'the bundle names a different key from the trusted one');
  }
  const checkpointSigned = await verifyCheckpointSignature(evidence.checkpoint, key);
  if (checkpointSigned) report.checkpoints = 1;
  check('checkpoint signature', checkpointSigned, `checkpoint of ${evidence.checkpoint.treeSize} events signed at ${evidence.checkpoint.signedAt} by key ${evidence.checkpoint.keyId}`);

  const events = evidence.events;
  checkOrder(events, evidence.checkpoint, check);
  const streams = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const list = streams.get(event.streamId) ?? [];
    list.push(toStoredEvent(event));
    streams.set(event.streamId, list);
  }
  report.streams = streams.size;
  await checkChains(streams, check, pause);
  report.proofs = await checkProofs(events, evidence.checkpoint, check, pause);
  const signature = fromCanonicalBase64(fileSignature.signature);
  check(fileSignature.name, signature !== undefined && (await verifyEd25519(key, signature, utf8(fileSignature.signingText))), fileSignature.covers);
  return streams;
}

/** The report's verdict: ok when nothing failed. */
export function finish<P extends ProvenanceFigures, R extends BundleReport<P>>(report: R): R {
  report.ok = report.failures.length === 0;
  return report;
}

function checkOrder(events: readonly BundleEvent[], checkpoint: AuditBundle['checkpoint'], check: Check): void {
  let previous: BundleEvent | undefined;
  for (const event of events) {
    if (previous !== undefined && (event.position <= previous.position || event.leafIndex <= previous.leafIndex)) {
      check('order', false, `${describeEvent(event)} is not after ${describeEvent(previous)} in the log`);
      return;
    }
    if (event.leafIndex >= checkpoint.treeSize || event.position > checkpoint.lastPosition) {
      check('order', false, `${describeEvent(event)} lies beyond the checkpoint's ${checkpoint.treeSize} events`);
      return;
    }
    previous = event;
  }
  check('order', true, `${events.length} events in log order, all within the checkpoint`);
}

/** Each stream complete from revision 0, each link and each hash recomputed; the first break named. */
async function checkChains(streams: ReadonlyMap<string, StoredEvent[]>, check: Check, pause: () => Promise<void>): Promise<void> {
  for (const [streamId, events] of streams) {
    if (events[0]!.revision !== 0) {
      check('hash chains', false, `stream ${streamId} starts at revision ${events[0]!.revision}, not at its first event`);
      return;
    }
    // The hashes are independent of each other, so they are computed a chunk at a time in
    // parallel; the links are then walked in order, so the first break is the one reported.
    for (let start = 0; start < events.length; start += CHUNK) {
      const chunk = events.slice(start, start + CHUNK);
      const hashes = await Promise.all(chunk.map(eventHash));
      for (let i = 0; i < chunk.length; i += 1) {
        const event = chunk[i]!;
        const previous = start + i > 0 ? events[start + i - 1]! : undefined;
        const broken = (reason: string): void => void check('hash chains', false, `${describeEvent(event)}: ${reason}`);
        if (previous === undefined) {
          if (event.prevHash !== GENESIS_HASH) return broken('first event of the stream does not start from the genesis hash');
        } else {
          if (event.revision !== previous.revision + 1) return broken(`revision ${event.revision} follows ${previous.revision}`);
          if (event.prevHash !== previous.hash) return broken(`prevHash does not match the hash of revision ${previous.revision}`);
        }
        if (hashes[i] !== event.hash) return broken('hash does not match the event content');
      }
      await pause();
    }
  }
  check('hash chains', true, `${streams.size} streams, each complete from its first event, every hash recomputed`);
}

/** The number of events proven, all of them when the check passes. */
async function checkProofs(events: readonly BundleEvent[], checkpoint: AuditBundle['checkpoint'], check: Check, pause: () => Promise<void>): Promise<number> {
  const root = fromHex(checkpoint.rootHash);
  const proven = async (event: BundleEvent): Promise<boolean> =>
    verifyInclusion(await ledgerLeafHash(event), event.leafIndex, checkpoint.treeSize, event.inclusionProof.map(fromHex), root);
  for (let start = 0; start < events.length; start += CHUNK) {
    const chunk = events.slice(start, start + CHUNK);
    const results = await Promise.all(chunk.map(proven));
    const bad = results.indexOf(false);
    if (bad !== -1) {
      const event = chunk[bad]!;
      check('inclusion proofs', false, `${describeEvent(event)} is not proven to be leaf ${event.leafIndex} of the signed tree`);
      return start + bad;
    }
    await pause();
  }
  check('inclusion proofs', true, `${events.length} events proven against root ${checkpoint.rootHash.slice(0, 16)}… of ${checkpoint.treeSize} events`);
  return events.length;
}

async function recomputeProvenance<P extends ProvenanceFigures>(
  bundle: AuditBundle,
  events: readonly StoredEvent[],
  report: BundleReport<P>,
  recompute: VerifyBundleOptions<P>['recomputeProvenance'],
): Promise<void> {
  if (!bundle.subject.upstream) {
    report.provenanceNote = 'not recomputed: the bundle was exported without --upstream, so the origins of its material are not in it';
    return;
  }
  if (recompute === undefined) {
    report.provenanceNote = 'not recomputed here: that takes the ledger’s provenance projection, which `ledger audit verify` runs';
    return;
  }
  try {
    report.provenance = await recompute(bundle.subject.batchId, events);
    if (report.provenance === null) report.provenanceNote = 'the batch has no provenance yet (its process has not completed)';
  } catch (error) {
    report.failures.push(`provenance: could not be recomputed from the bundle (${error instanceof Error ? error.message : String(error)})`);
    report.checks.push({ name: 'provenance', ok: false, detail: 'could not be recomputed from the bundle' });
  }
}
