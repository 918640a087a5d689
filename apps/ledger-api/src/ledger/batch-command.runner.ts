import { Injectable } from '@nestjs/common';
import { streamIds, type BatchState, type DecisionContext, type DomainEvent, type OrganisationFacts } from '#domain';
import type { CommandMetadata } from './command-metadata.js';
import { CommandExecutor, type CommandResult } from './command-executor.js';
import { DecisionContextFactory } from './decision-context.factory.js';
import { ProducerGate } from './producer-gate.js';
import { ReadYourWrites } from './read-your-writes.js';
import { foldBatchStream } from './stream-loader.js';

export interface BatchCommandResult extends CommandResult {
  readonly batchId: string;
}

/** The path of every command on one batch stream: context → decide on the fresh state → append → settle. */
@Injectable()
export class BatchCommandRunner {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
    private readonly producers: ProducerGate,
  ) {}

  async run(
    batchId: string,
    actor: OrganisationFacts,
    meta: CommandMetadata,
    decide: (state: BatchState | undefined, ctx: DecisionContext) => DomainEvent[],
    referencedOrgIds: ReadonlyArray<string | undefined> = [],
    options: { createsStream?: boolean } = {},
  ): Promise<BatchCommandResult> {
    const ctx = await this.contexts.create(actor, referencedOrgIds);
    const decideOnUsableBatch = async (state: BatchState | undefined): Promise<DomainEvent[]> => {
      await this.producers.assertUsable(state);
      return decide(state, ctx);
    };
    const result = await this.executor.execute(streamIds.batch(batchId), foldBatchStream, decideOnUsableBatch, meta, options);
    if (meta.settlesLater) this.readYourWrites.note(result.position);
    else await this.readYourWrites.settle(result.position);
    return { batchId, ...result };
  }
}
