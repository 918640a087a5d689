import { NotFoundError } from '#domain';
import { getEmissionFactorSet, getProgramme, listEmissionFactorSets, programmeImpact, programmeImpactCsv, type ProgrammeImpactReport, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { READ_DB } from '../ledger/tokens.js';
import { GetProgrammeImpactQuery } from './programme-impact.queries.js';
import type { ProgrammeImpactAnswer } from './programme-impact.responses.js';

/** Typed against the response schema: a member renamed in the read model fails the type check here. */
const answer = (report: ProgrammeImpactReport): ProgrammeImpactAnswer => report;

/**
 * A programme's (or value chain's) impact over a period (docs/decisions/043-programme-impact.md).
 * The programme, the chain and a named factor set are looked up in the read models the answer is taken
 * from, so as of a moment before they existed they are unknown (404), as any other figure would be.
 */
@QueryHandler(GetProgrammeImpactQuery)
export class GetProgrammeImpactHandler implements IQueryHandler<GetProgrammeImpactQuery, AsOfAware<ProgrammeImpactAnswer | string>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ programmeId, params, format, asOf }: GetProgrammeImpactQuery): Promise<AsOfAware<ProgrammeImpactAnswer | string>> {
    return this.readModels.at<ProgrammeImpactAnswer | string>(asOf, this.db, async (db) => {
      const programme = await getProgramme(db, programmeId);
      if (!programme) throw new NotFoundError('unknown-programme', `programme ${programmeId} is not registered`, { programmeId });
      if (params.valueChainId !== undefined && !programme.valueChains.some((c) => c.valueChainId === params.valueChainId)) {
        throw new NotFoundError('unknown-value-chain', `programme ${programmeId} has no value chain ${params.valueChainId}`, { valueChainId: params.valueChainId });
      }
      const factorSet = params.factorSet === undefined ? undefined : await getEmissionFactorSet(db, params.factorSet);
      if (params.factorSet !== undefined && !factorSet) {
        throw new NotFoundError('unknown-factor-set', `no emission factor set ${params.factorSet} is published`, { factorSetId: params.factorSet });
      }
      const report = await programmeImpact(db, {
        programme,
        from: params.from,
        to: params.to,
        ...(params.valueChainId !== undefined ? { valueChainId: params.valueChainId } : {}),
        ...(factorSet ? { factorSet } : {}),
        factorSets: factorSet ? [] : await listEmissionFactorSets(db),
      });
      return format === 'csv' ? programmeImpactCsv(report) : answer(report);
    });
  }
}
