/**
 * The claim certificate (decision 045): a signed, self-contained file for one recycled-content claim.
 * It is an evidence bundle (decision 014) with another subject: the same canonical JSON, the same
 * signed checkpoint, the same events with inclusion proofs, and a signature over the whole file. The
 * events are whole streams: the claimed batch's and its upstream's (so its provenance can be
 * recomputed), the stream that holds the claim, and for mass balance the account's stream and the
 * streams of the processes behind its credits.
 *
 * Platform-neutral like the bundle: the API and the CLI write certificates with it, the CLI and the
 * audit page check them.
 */
import { z } from 'zod';
import type { StoredEvent } from '../../event-store/src/event-store.port.js';
import { canonicalJson } from '../../event-store/src/integrity/canonical-json.js';
import { BundleCheckpointSchema, BundleEventSchema } from './audit-bundle.js';

export const CLAIM_CERTIFICATE_FORMAT = 'textile-ledger/claim-certificate@1';

export const ClaimCertificateSchema = z
  .object({
    format: z.literal(CLAIM_CERTIFICATE_FORMAT),
    exportedAt: z.string(),
    subject: z
      .object({
        claimId: z.string().min(1),
        batchId: z.string().min(1),
        /** The stream the claim event is on: its own for a physical model, the account's for mass balance. */
        claimStreamId: z.string().min(1),
        /** Mass balance only: the account's stream. */
        accountStreamId: z.string().min(1).nullable(),
      })
      .strict(),
    /** SPKI PEM of the Ed25519 key that signed the checkpoint and the certificate. */
    publicKey: z.string().min(1),
    checkpoint: BundleCheckpointSchema,
    /** Whole streams (revision 0 onwards, up to the checkpoint), in log position order. */
    events: z.array(BundleEventSchema),
    /** Ed25519 (base64) over the canonical JSON of every other field of the certificate. */
    certificateSignature: z.string().min(1),
  })
  .strict();

export type ClaimCertificate = z.infer<typeof ClaimCertificateSchema>;
export type UnsignedClaimCertificate = Omit<ClaimCertificate, 'certificateSignature'>;

/** The exact bytes the certificate signature covers. */
export function certificateSigningText(certificate: UnsignedClaimCertificate): string {
  const { format, exportedAt, subject, publicKey, checkpoint, events } = certificate;
  return canonicalJson({ format, exportedAt, subject, publicKey, checkpoint, events });
}

/** The one thing the collectors need from an event store: a whole stream (empty when there is none). */
export interface StreamReader {
  readStream(streamId: string): Promise<StoredEvent[]>;
}

/**
 * The streams a batch's evidence lives in: its own, the processes that touched it, and (upstream)
 * its ancestors' with theirs. Empty when the batch has no events.
 */
export async function collectBatchStreams(reader: StreamReader, batchId: string, upstream: boolean): Promise<Map<string, StoredEvent[]>> {
  const streams = new Map<string, StoredEvent[]>();
  const batches = [batchId];
  const seen = new Set<string>(batches);
  while (batches.length > 0) {
    const id = batches.shift()!;
    const events = await reader.readStream(`batch-${id}`);
    if (events.length === 0) {
      if (id === batchId) return new Map();
      continue;
    }
    streams.set(`batch-${id}`, events);
    for (const event of events) {
      const data = event.data as { processId?: unknown; parents?: unknown };
      if (typeof data.processId === 'string' && !streams.has(`process-${data.processId}`)) {
        streams.set(`process-${data.processId}`, await reader.readStream(`process-${data.processId}`));
      }
      if (upstream && event.type === 'BatchProduced' && Array.isArray(data.parents)) {
        for (const parent of data.parents as Array<{ batchId?: unknown }>) {
          if (typeof parent.batchId === 'string' && !seen.has(parent.batchId)) {
            seen.add(parent.batchId);
            batches.push(parent.batchId);
          }
        }
      }
    }
  }
  return streams;
}

export const CLAIM_EVENT_TYPE = 'RecycledContentClaimed';

export interface ClaimCertificateStreams {
  readonly subject: UnsignedClaimCertificate['subject'];
  readonly streams: Map<string, StoredEvent[]>;
}

/** The claim event names these; read loosely here, the verifier parses them with the domain's schemas. */
interface ClaimData {
  readonly claimId?: unknown;
  readonly batchId?: unknown;
  readonly accountId?: unknown;
}

/**
 * Everything a certificate of the claim on `claimStreamId` carries; undefined when that stream holds
 * no such claim. The claim's stream is read whole: for mass balance it is the account's own stream,
 * whose credits then bring the streams of their processes.
 */
export async function collectClaimCertificateStreams(reader: StreamReader, claimId: string, claimStreamId: string): Promise<ClaimCertificateStreams | undefined> {
  const claimStream = await reader.readStream(claimStreamId);
  const claim = claimStream.find((e) => e.type === CLAIM_EVENT_TYPE && (e.data as ClaimData).claimId === claimId);
  if (claim === undefined) return undefined;
  const data = claim.data as ClaimData;
  if (typeof data.batchId !== 'string') return undefined;
  const streams = await collectBatchStreams(reader, data.batchId, true);
  streams.set(claimStreamId, claimStream);
  let accountStreamId: string | null = null;
  if (typeof data.accountId === 'string') {
    accountStreamId = `mass-balance-account-${data.accountId}`;
    const account = accountStreamId === claimStreamId ? claimStream : await reader.readStream(accountStreamId);
    streams.set(accountStreamId, account);
    for (const event of account) {
      const processId = (event.data as { processId?: unknown }).processId;
      if (typeof processId === 'string' && !streams.has(`process-${processId}`)) streams.set(`process-${processId}`, await reader.readStream(`process-${processId}`));
    }
  }
  return { subject: { claimId, batchId: data.batchId, claimStreamId, accountStreamId }, streams };
}
