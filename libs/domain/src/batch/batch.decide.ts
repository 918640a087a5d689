import type { DomainEvent } from '../events.js';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import { isKnownKommune, kommuneName } from '../reference/reference.js';
import { assertMassAtMost, assertPlainText } from '../shared/bounds.js';
import { actsAsMunicipalityOf, assertBusinessTime, assertFollows, assertHandlesMaterial, type DecisionContext, type Predecessor } from '../shared/decision-context.js';
import type { CancelTransfer, CollectBatch, CorrectMass, DispatchTransfer, ReceiveTransfer, RecordOutcome, RegisterResidualBatch } from './batch.commands.js';
import { assertOpenSiteOfActor } from '../organisation/site.decide.js';
import type { BatchState } from './batch.state.js';

function assertNewBatch(state: BatchState | undefined, batchId: string): void {
  if (state) throw new ConflictError('batch-exists', `batch ${batchId} already exists`, { batchId });
}

export function requireBatch(state: BatchState | undefined, batchId: string): BatchState {
  if (!state) throw new NotFoundError('unknown-batch', `batch ${batchId} does not exist`, { batchId });
  return state;
}

export function assertAvailable(state: BatchState): void {
  if (state.status !== 'available') {
    throw new ConflictError('batch-not-available', `batch ${state.batchId} is ${state.status}, not available`, {
      batchId: state.batchId,
      batchStatus: state.status,
    });
  }
}

/**
 * An output batch is usable only once the process that produced it has completed: until then the
 * process may still be rejected, and read models count its outputs only at ProcessCompleted.
 * `producerCompleted` is supplied by the caller, which reads the producing process's stream.
 */
export function assertProducerCompleted(state: BatchState | undefined, producerCompleted: boolean): void {
  if (state?.origin.kind === 'produced' && !producerCompleted) {
    throw new ConflictError('process-not-completed', `batch ${state.batchId} is an output of process ${state.origin.processId}, which has not completed`, {
      batchId: state.batchId,
      processId: state.origin.processId,
    });
  }
}

/** What a command on the batch follows: the latest business time on its stream. */
export function follows(batch: BatchState): Predecessor {
  return { occurredAt: batch.latestOccurredAt, of: `batch ${batch.batchId}` };
}

export function assertCustodian(state: BatchState, ctx: DecisionContext): void {
  if (state.custodianOrgId !== ctx.actor.organisationId) {
    throw new ForbiddenError('not-custodian', `organisation ${ctx.actor.organisationId} is not the custodian of batch ${state.batchId}`, {
      batchId: state.batchId,
    });
  }
}

export function decideCollectBatch(state: BatchState | undefined, command: CollectBatch, ctx: DecisionContext): DomainEvent[] {
  assertNewBatch(state, command.batchId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertMassAtMost('massGrams', command.massGrams);
  if (!isKnownKommune(command.kommuneCode)) {
    throw new InvalidCommandError('unknown-kommune', `kommune code ${command.kommuneCode} is not one of the 98 Danish municipalities`, {
      kommuneCode: command.kommuneCode,
    });
  }
  const { actor } = ctx;
  const actsAsMunicipality = actsAsMunicipalityOf(actor, command.kommuneCode);
  if (!actsAsMunicipality && !actor.roles.includes('collector')) {
    throw new ForbiddenError(
      'not-collecting-party',
      `only the municipality of kommune ${command.kommuneCode} or a collector acting for it may record its collection`,
      { kommuneCode: command.kommuneCode },
    );
  }
  const collector = ctx.organisation(command.collectorOrgId);
  if (!collector) {
    throw new NotFoundError('unknown-organisation', `collector organisation ${command.collectorOrgId} is not registered`, {
      organisationId: command.collectorOrgId,
    });
  }
  if (!collector.roles.includes('collector') && !(collector.roles.includes('municipality') && collector.kommuneCode === command.kommuneCode)) {
    throw new InvalidCommandError('not-a-collector', `organisation ${command.collectorOrgId} is neither a collector nor this kommune's municipality`);
  }
  // A collector records only what it collected itself; the municipality may name any collector.
  if (!actsAsMunicipality && command.collectorOrgId !== actor.organisationId) {
    throw new ForbiddenError('collector-mismatch', 'a collector records only collections it made itself');
  }
  // a collector acts for a kommune only while its municipality has it authorised.
  if (!actsAsMunicipality && !(ctx.collectorAuthorised?.(command.kommuneCode, actor.organisationId) ?? false)) {
    throw new ForbiddenError(
      'collector-not-authorised',
      `collector ${actor.organisationId} is not authorised by ${kommuneName(command.kommuneCode) ?? 'the'} Kommune (${command.kommuneCode}) to record its collections: the municipality must authorise it first`,
      { kommuneCode: command.kommuneCode, collectorOrgId: actor.organisationId },
    );
  }
  if (command.siteId !== undefined && command.collectorOrgId !== actor.organisationId) {
    // The site is where the batch is held, so it must be the holder's: a municipality recording for
    // another collector names none.
    throw new InvalidCommandError('site-not-of-collector', `site ${command.siteId} must be a site of the collector ${command.collectorOrgId}, which records it itself`, {
      siteId: command.siteId,
    });
  }
  assertOpenSiteOfActor(command.siteId, ctx);
  return [{ type: 'BatchCollected', data: { ...command } }];
}

export function decideRegisterResidualBatch(
  state: BatchState | undefined,
  command: RegisterResidualBatch,
  ctx: DecisionContext,
): DomainEvent[] {
  assertNewBatch(state, command.batchId);
  assertHandlesMaterial(ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertMassAtMost('massGrams', command.massGrams);
  assertOpenSiteOfActor(command.siteId, ctx);
  return [{ type: 'ResidualBatchRegistered', data: { ...command, organisationId: ctx.actor.organisationId } }];
}

export function decideDispatchTransfer(state: BatchState | undefined, command: DispatchTransfer, ctx: DecisionContext): DomainEvent[] {
  const batch = requireBatch(state, command.batchId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertCustodian(batch, ctx);
  assertAvailable(batch);
  assertFollows(command.occurredAt, follows(batch));
  if (command.massGrams !== undefined) assertMassAtMost('massGrams', command.massGrams);
  if (command.toOrgId === ctx.actor.organisationId) {
    throw new InvalidCommandError('transfer-to-self', 'a batch cannot be dispatched to its own custodian');
  }
  const isOwner = batch.ownerOrgId === ctx.actor.organisationId;
  const ownershipTransferred = command.ownershipTransferred ?? isOwner;
  if (ownershipTransferred && !isOwner) {
    throw new ForbiddenError('not-owner', `organisation ${ctx.actor.organisationId} holds batch ${batch.batchId} but does not own it, so it cannot hand over ownership`, {
      batchId: batch.batchId,
    });
  }
  const consignee = ctx.organisation(command.toOrgId);
  if (!consignee) {
    throw new NotFoundError('unknown-organisation', `consignee ${command.toOrgId} is not registered`, { organisationId: command.toOrgId });
  }
  return [
    {
      type: 'CustodyTransferDispatched',
      data: {
        batchId: command.batchId,
        transferId: command.transferId,
        fromOrgId: ctx.actor.organisationId,
        toOrgId: command.toOrgId,
        massGrams: command.massGrams ?? batch.massGrams,
        ...(command.transportDocument !== undefined ? { transportDocument: command.transportDocument } : {}),
        ownershipTransferred,
        occurredAt: command.occurredAt,
      },
    },
  ];
}

export function decideReceiveTransfer(state: BatchState | undefined, command: ReceiveTransfer, ctx: DecisionContext): DomainEvent[] {
  const batch = requireBatch(state, command.batchId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertMassAtMost('receivedMassGrams', command.receivedMassGrams);
  const transfer = batch.pendingTransfer;
  if (batch.status !== 'in-transit' || !transfer) {
    throw new ConflictError('not-in-transit', `batch ${batch.batchId} is ${batch.status}, not in transit`, { batchId: batch.batchId });
  }
  if (transfer.toOrgId !== ctx.actor.organisationId) {
    throw new ForbiddenError('not-consignee', `only the consignee ${transfer.toOrgId} may receive batch ${batch.batchId}`);
  }
  assertFollows(command.occurredAt, follows(batch));
  assertOpenSiteOfActor(command.siteId, ctx);
  const differenceGrams = command.receivedMassGrams - transfer.massGrams;
  const toleranceBasisPoints = ctx.policy.transitToleranceBasisPoints;
  // |difference| / dispatched > tolerance, in integers: |d| * 10000 > tolerance * dispatched.
  const anomaly = Math.abs(differenceGrams) * 10_000 > toleranceBasisPoints * transfer.massGrams;
  return [
    {
      type: 'CustodyTransferReceived',
      data: {
        batchId: batch.batchId,
        transferId: transfer.transferId,
        receivedMassGrams: command.receivedMassGrams,
        dispatchedMassGrams: transfer.massGrams,
        differenceGrams,
        anomaly,
        toleranceBasisPoints,
        occurredAt: command.occurredAt,
        ...(command.siteId !== undefined ? { siteId: command.siteId } : {}),
        ...(command.measurement !== undefined ? { measurement: command.measurement } : {}),
      },
    },
  ];
}

export function decideCancelTransfer(state: BatchState | undefined, command: CancelTransfer, ctx: DecisionContext): DomainEvent[] {
  const batch = requireBatch(state, command.batchId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  const transfer = batch.pendingTransfer;
  if (batch.status !== 'in-transit' || !transfer) {
    throw new ConflictError('not-in-transit', `batch ${batch.batchId} is ${batch.status}, not in transit`, { batchId: batch.batchId });
  }
  const actorId = ctx.actor.organisationId;
  if (actorId !== transfer.fromOrgId && actorId !== transfer.toOrgId) {
    throw new ForbiddenError('not-party-to-transfer', `only the sender or the consignee may cancel the transfer of batch ${batch.batchId}`);
  }
  assertFollows(command.occurredAt, follows(batch));
  return [
    {
      type: 'CustodyTransferCancelled',
      data: {
        batchId: batch.batchId,
        transferId: transfer.transferId,
        cancelledBy: actorId === transfer.fromOrgId ? 'sender' : 'consignee',
        reason: command.reason,
        occurredAt: command.occurredAt,
      },
    },
  ];
}

export function decideRecordOutcome(state: BatchState | undefined, command: RecordOutcome, ctx: DecisionContext): DomainEvent[] {
  const batch = requireBatch(state, command.batchId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertCustodian(batch, ctx);
  assertAvailable(batch);
  assertFollows(command.occurredAt, follows(batch));
  assertOpenSiteOfActor(command.siteId, ctx);
  const { batchId, occurredAt } = command;
  const site = command.siteId !== undefined ? { siteId: command.siteId } : {};
  switch (command.outcome) {
    case 'sold-for-reuse':
      return [
        {
          type: 'BatchSoldForReuse',
          data: { batchId, market: command.market, ...(command.destinationCountry ? { destinationCountry: command.destinationCountry } : {}), occurredAt, ...site },
        },
      ];
    case 'incinerated':
      return [{ type: 'BatchIncinerated', data: { batchId, energyRecovery: command.energyRecovery, occurredAt, ...site } }];
    case 'landfilled':
      return [{ type: 'BatchLandfilled', data: { batchId, occurredAt, ...site } }];
    case 'exported':
      return [{ type: 'BatchExported', data: { batchId, destinationCountry: command.destinationCountry, purpose: command.purpose, occurredAt, ...site } }];
    case 'placed-on-market':
      if (batch.grade !== 'product' || batch.application === undefined) {
        throw new InvalidCommandError('not-a-product', `batch ${batchId} is not a product of a manufacturing process; use sold-for-reuse instead`);
      }
      return [
        {
          type: 'ProductPlacedOnMarket',
          data: { batchId, market: command.market, ...(command.destinationCountry ? { destinationCountry: command.destinationCountry } : {}), occurredAt, ...site },
        },
      ];
  }
}

export function decideCorrectMass(state: BatchState | undefined, command: CorrectMass, ctx: DecisionContext): DomainEvent[] {
  const batch = requireBatch(state, command.batchId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertCustodian(batch, ctx);
  assertAvailable(batch);
  assertFollows(command.occurredAt, follows(batch));
  if (command.correctedEventId !== batch.massEventId) {
    throw new InvalidCommandError(
      'not-the-mass-event',
      `a correction must name the event that last set the mass of batch ${batch.batchId} (${batch.massEventId})`,
      { expectedEventId: batch.massEventId },
    );
  }
  assertMassAtMost('massGrams', command.massGrams);
  if (command.massGrams === batch.massGrams) {
    throw new InvalidCommandError('correction-changes-nothing', `batch ${batch.batchId} already weighs ${batch.massGrams} g`);
  }
  return [
    {
      type: 'BatchMassCorrected',
      data: {
        batchId: batch.batchId,
        correctedEventId: command.correctedEventId,
        massGrams: command.massGrams,
        previousMassGrams: batch.massGrams,
        reason: command.reason,
        occurredAt: command.occurredAt,
      },
    },
  ];
}
