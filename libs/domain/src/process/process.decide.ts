import type { BatchState } from '../batch/batch.state.js';
import { assertAvailable, assertCustodian, follows, requireBatch } from '../batch/batch.decide.js';
import { ConflictError, InvalidCommandError } from '../errors.js';
import type { EventOfType } from '../events.js';
import { allocateSequentially } from '../provenance/allocation.js';
import { MAX_BATCH_MASS_GRAMS, MAX_PROCESS_MASS_GRAMS, assertItemCount, assertMassAtMost, assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, assertFollows, assertHandlesMaterial, type DecisionContext } from '../shared/decision-context.js';
import { assertOpenSiteOfActor } from '../organisation/site.decide.js';
import type { RecordProcess } from './process.commands.js';
import type { ProcessInput } from './process.events.js';

export interface LoadedInput {
  readonly state: BatchState | undefined;
  /** Revision of the last event of the input's stream, as read. */
  readonly revision: number;
}

/**
 * The bounds a process command must keep whatever its inputs hold (decision 020): plain text, at
 * most MAX_PROCESS_ITEMS entries in each list, and each output and external input no heavier than a
 * batch may be. Cheap and state-free, so a caller runs it before it loads a single input.
 */
export function assertProcessBounds(command: RecordProcess): void {
  assertPlainText(command);
  assertItemCount('inputs', command.inputs);
  assertItemCount('externalInputs', command.externalInputs);
  assertItemCount('outputs', command.outputs);
  assertItemCount('losses', command.losses);
  command.outputs.forEach((output, index) => assertMassAtMost(`outputs[${index}].massGrams`, output.massGrams, MAX_BATCH_MASS_GRAMS));
  command.externalInputs.forEach((external, index) => assertMassAtMost(`externalInputs[${index}].massGrams`, external.massGrams, MAX_BATCH_MASS_GRAMS));
  // A loss is no batch, but it cannot exceed what the whole process takes in.
  command.losses.forEach((loss, index) => assertMassAtMost(`losses[${index}].massGrams`, loss.massGrams, MAX_PROCESS_MASS_GRAMS));
}

/**
 * Validates a process against the current state of every input and decides its intent event.
 * `inputs` is keyed by batch id; `existingOutputIds` lists output ids that already name a stream.
 */
export function decideStartProcess(
  inputs: ReadonlyMap<string, LoadedInput>,
  existingOutputIds: ReadonlySet<string>,
  command: RecordProcess,
  ctx: DecisionContext,
): EventOfType<'ProcessStarted'> {
  assertHandlesMaterial(ctx);
  assertProcessBounds(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertOpenSiteOfActor(command.siteId, ctx);

  const ids = [...command.inputs.map((i) => i.batchId), ...command.outputs.map((o) => o.batchId)];
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) {
    throw new InvalidCommandError('duplicate-batch', `batch ${duplicate} is listed more than once among the inputs and outputs`);
  }
  for (const output of command.outputs) {
    if (existingOutputIds.has(output.batchId)) {
      throw new ConflictError('batch-exists', `output batch ${output.batchId} already exists`, { batchId: output.batchId });
    }
    // A product is a manufacturing output (docs/domain.md); anything else labelled product would be
    // counted as recycled into new products, inflating fibre-to-fibre figures.
    if (output.grade === 'product' && command.processType !== 'manufacturing') {
      throw new InvalidCommandError('product-only-from-manufacturing', `output ${output.batchId} has grade product, but only a manufacturing process makes products`);
    }
    if (output.grade === 'product' && (output.application === undefined || output.productType === undefined)) {
      throw new InvalidCommandError('product-needs-application', `product output ${output.batchId} needs a productType and an application`);
    }
    if (output.grade !== 'product' && (output.application !== undefined || output.productType !== undefined)) {
      throw new InvalidCommandError('application-only-for-products', `output ${output.batchId} is not a product, so it has no productType or application`);
    }
  }

  const processInputs: ProcessInput[] = command.inputs.map(({ batchId }) => {
    const loaded = inputs.get(batchId);
    const state = requireBatch(loaded?.state, batchId);
    assertCustodian(state, ctx);
    assertAvailable(state);
    // A process follows each of its inputs: it cannot consume a batch before the batch reached it.
    assertFollows(command.occurredAt, follows(state));
    return { batchId, massGrams: state.massGrams, expectedRevision: loaded?.revision ?? 0 };
  });

  const sum = (xs: ReadonlyArray<{ massGrams: number }>) => xs.reduce((acc, x) => acc + BigInt(x.massGrams), 0n);
  const inGrams = sum(processInputs) + sum(command.externalInputs);
  const outGrams = sum(command.outputs) + sum(command.losses);
  if (inGrams > BigInt(MAX_PROCESS_MASS_GRAMS)) {
    throw new InvalidCommandError(
      'process-mass-above-maximum',
      `the process takes in ${inGrams} g, more than the ${MAX_PROCESS_MASS_GRAMS} g one process may (decision 020); record it as several processes`,
      { inputGrams: Number(inGrams), maximumGrams: MAX_PROCESS_MASS_GRAMS },
    );
  }
  if (inGrams !== outGrams) {
    throw new InvalidCommandError(
      'mass-does-not-balance',
      `inputs (${inGrams} g) + external inputs must equal outputs + losses (${outGrams} g) exactly; the difference is ${inGrams - outGrams} g`,
      { inputGrams: Number(inGrams), outputGrams: Number(outGrams), differenceGrams: Number(inGrams - outGrams) },
    );
  }

  // Each output's parents: the grams of each tracked input it received, by the same sequential
  // largest-remainder rule the provenance projection uses over the whole pool (external inputs
  // take their share too, under keys no batch id can have).
  const pool = new Map<string, bigint>();
  for (const input of processInputs) pool.set(`batch:${input.batchId}`, BigInt(input.massGrams));
  command.externalInputs.forEach((external, index) => pool.set(`external:${index}`, BigInt(external.massGrams)));
  const shares = allocateSequentially(pool, [...command.outputs, ...command.losses].map((item) => BigInt(item.massGrams)));

  return {
    type: 'ProcessStarted',
    data: {
      processId: command.processId,
      organisationId: ctx.actor.organisationId,
      processType: command.processType,
      inputs: processInputs,
      externalInputs: command.externalInputs,
      outputs: command.outputs.map((output, index) => ({
        ...output,
        parents: processInputs
          .map((input) => ({ batchId: input.batchId, massGrams: Number(shares[index]?.get(`batch:${input.batchId}`) ?? 0n) }))
          .filter((parent) => parent.massGrams > 0),
      })),
      losses: command.losses,
      occurredAt: command.occurredAt,
      ...(command.siteId !== undefined ? { siteId: command.siteId } : {}),
    },
  };
}

/**
 * The process manager's consumption check, run for each input right before BatchConsumed is
 * appended (and again by recovery): the input must still be exactly what the intent validated.
 */
export type ConsumptionCheck = { kind: 'consume' } | { kind: 'already-consumed' } | { kind: 'reject'; reason: string };

export function checkConsumption(state: BatchState | undefined, input: ProcessInput, processId: string, organisationId: string): ConsumptionCheck {
  if (!state) return { kind: 'reject', reason: `input batch ${input.batchId} does not exist` };
  if (state.status === 'consumed' && state.consumedByProcessId === processId) return { kind: 'already-consumed' };
  if (state.status !== 'available') {
    return { kind: 'reject', reason: `input batch ${input.batchId} is no longer available (${state.status})` };
  }
  if (state.custodianOrgId !== organisationId) {
    return { kind: 'reject', reason: `organisation ${organisationId} is no longer the custodian of input batch ${input.batchId}` };
  }
  if (state.massGrams !== input.massGrams) {
    return { kind: 'reject', reason: `input batch ${input.batchId} now weighs ${state.massGrams} g, not the ${input.massGrams} g the process balanced` };
  }
  return { kind: 'consume' };
}
