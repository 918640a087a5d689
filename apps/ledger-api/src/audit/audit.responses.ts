import { z } from 'zod';
import { AsOfMember, instant, orgName, position, uuid } from '../common/answers.js';

const hex = () => z.string().regex(/^[0-9a-f]*$/).describe('hex');
const KeyFields = { algorithm: z.literal('Ed25519'), keyId: z.string(), publicKey: z.string().describe('SPKI PEM') };
export const AuditKeySchema = z.object(KeyFields);

const Checkpoint = z.object({
  origin: z.string(),
  treeSize: z.number().int(),
  rootHash: hex().describe('RFC 9162 root'),
  lastPosition: position().describe('Position of the last covered event, -1 for an empty tree'),
  signedAt: instant(),
  keyId: z.string(),
  signature: z.string().describe('base64 Ed25519 signature over `body`'),
  body: z.string().describe('The exact text the signature covers'),
});

export const CheckpointListSchema = z.object({ origin: z.string(), ...KeyFields, signingRefused: z.string().nullable(), checkpoints: z.array(Checkpoint) });

export const InclusionProofSchema = z.object({
  leafIndex: z.number().int(),
  position: position(),
  leafHash: hex(),
  eventHash: hex(),
  treeSize: z.number().int(),
  proof: z.array(hex()).describe('RFC 9162 audit path, from the leaf’s sibling upwards'),
  checkpoint: Checkpoint.nullable(),
});

export const ConsistencyProofSchema = z.object({ fromSize: z.number().int(), toSize: z.number().int(), proof: z.array(hex()) });

const HistoryEventFields = {
  position: position(),
  revision: z.number().int(),
  eventId: uuid(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()).describe('The event’s data as recorded (its shape is the event type’s, docs/domain.md)'),
  occurredAt: instant().nullable(),
  recordedAt: instant(),
  actorOrgId: uuid(),
  hash: hex(),
  corrects: uuid().nullable(),
  correctedBy: z.array(uuid()),
  withheld: z.object({ parents: z.number().int() }).nullable().describe('Parents the viewer may not see: only counted'),
};

const HistoryAxis = z.discriminatedUnion('axis', [
  z.object({ axis: z.literal('latest') }),
  z.object({ axis: z.literal('position'), position: position() }),
  z.object({ axis: z.literal('recordedAt'), recordedAt: instant() }),
]);

export const BatchHistorySchema = z.object({ batchId: uuid(), asOf: HistoryAxis, events: z.array(z.object(HistoryEventFields)) });

export const AuditedBatchHistorySchema = z.object({
  ...KeyFields,
  batchId: uuid(),
  asOf: HistoryAxis,
  checkpoint: Checkpoint.describe('Every event’s inclusionProof is an audit path in this checkpoint’s tree'),
  events: z.array(z.object({ ...HistoryEventFields, leafIndex: z.number().int(), leafHash: hex(), inclusionProof: z.array(hex()) })),
});

export const RequestAuditPageSchema = z.object({
  from: instant(),
  to: instant(),
  entries: z.array(
    z
      .object({
        time: instant(),
        requestId: z.string(),
        organisationId: uuid().nullable(),
        keyId: z.string().nullable(),
        impersonatedBy: uuid().nullable(),
        impersonationReason: z.string().nullable(),
        ip: z.string(),
        method: z.string(),
        route: z.string().nullable(),
        params: z.record(z.string(), z.string()),
        query: z.record(z.string(), z.unknown()),
        status: z.number().int(),
      })
      .catchall(z.unknown()),
  ),
  truncated: z.boolean(),
});

const EventRef = z.object({ type: z.string(), eventId: uuid(), position: position(), recordedAt: instant() });
const AnomalyCommon = {
  position: position(),
  eventId: uuid(),
  eventType: z.string(),
  occurredAt: instant(),
  recordedAt: instant(),
  batchIds: z.array(uuid()),
  processId: uuid().nullable(),
  transferId: uuid().nullable(),
  organisationIds: z.array(uuid()),
  organisationNames: z.array(orgName()).describe('The names of organisationIds, in the same order'),
  relatedEvents: z.array(EventRef),
};

export const AnomalyPageSchema = z.object({
  judgedAt: instant(),
  knownAt: instant().nullable(),
  axis: z.literal('occurredAt'),
  settings: z.object({ lossNormsPercent: z.record(z.string(), z.number()), custodyGapHours: z.number(), unfinishedProcessGraceMinutes: z.number() }),
  items: z.array(
    z.discriminatedUnion('kind', [
      z.object({
        ...AnomalyCommon,
        kind: z.literal('transit-discrepancy'),
        figures: z.object({
          dispatchedMassGrams: z.number().int(),
          receivedMassGrams: z.number().int(),
          differenceGrams: z.number().int().describe('received − dispatched'),
          differencePercent: z.number(),
          toleranceBasisPoints: z.number().int(),
          tolerancePercent: z.number(),
        }),
      }),
      z.object({
        ...AnomalyCommon,
        kind: z.literal('process-loss'),
        figures: z.object({
          processType: z.string(),
          inputMassGrams: z.number().int(),
          lossMassGrams: z.number().int(),
          lossPercent: z.number(),
          normBasisPoints: z.number().int(),
          normPercent: z.number(),
          losses: z.array(z.record(z.string(), z.unknown())),
        }),
      }),
      z.object({
        ...AnomalyCommon,
        kind: z.literal('custody-gap'),
        figures: z.object({
          massGrams: z.number().int(),
          fromOrgId: uuid(),
          fromOrgName: orgName(),
          toOrgId: uuid(),
          toOrgName: orgName(),
          dispatchedAt: instant(),
          status: z.enum(['in-transit', 'received', 'cancelled']),
          endedAt: instant().nullable(),
          hoursOpen: z.number(),
          gapHours: z.number(),
        }),
      }),
      z.object({
        ...AnomalyCommon,
        kind: z.literal('unfinished-process'),
        figures: z.object({
          processType: z.string(),
          stage: z.enum(['started', 'reverting']),
          startedRecordedAt: instant(),
          hoursOpen: z.number(),
          graceMinutes: z.number(),
          heldInputs: z.number().int(),
        }),
      }),
    ]),
  ),
  nextCursor: z.string().nullable(),
  asOf: AsOfMember,
});
