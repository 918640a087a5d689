import { CancelTransfer, DispatchTransfer, Instant, ReceiveTransfer, Uuid, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { AsOf } from '../ledger/as-of-replay.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';

export const DispatchTransferBody = DispatchTransfer.omit({ batchId: true }).extend({ transferId: Uuid.optional(), occurredAt: Instant.optional() }).strict();
export const ReceiveTransferBody = ReceiveTransfer.omit({ batchId: true }).extend({ occurredAt: Instant.optional() }).strict();
export const CancelTransferBody = CancelTransfer.omit({ batchId: true }).extend({ occurredAt: Instant.optional() }).strict();
export type DispatchTransferBody = z.infer<typeof DispatchTransferBody>;
export type ReceiveTransferBody = z.infer<typeof ReceiveTransferBody>;
export type CancelTransferBody = z.infer<typeof CancelTransferBody>;

abstract class BatchCommand<B> {
  constructor(
    readonly batchId: string,
    readonly body: B,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}
export class DispatchTransferCommand extends BatchCommand<DispatchTransferBody> {}
export class ReceiveTransferCommand extends BatchCommand<ReceiveTransferBody> {}
export class CancelTransferCommand extends BatchCommand<CancelTransferBody> {}

export class GetCustodyTimelineQuery {
  constructor(
    readonly batchId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}
