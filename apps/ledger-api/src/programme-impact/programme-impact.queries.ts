import type { AsOf } from '../ledger/as-of-replay.js';

export class GetProgrammeImpactQuery {
  constructor(
    readonly programmeId: string,
    readonly params: { from: string; to: string; valueChainId?: string | undefined; factorSet?: string | undefined },
    readonly format: 'json' | 'csv',
    readonly asOf: AsOf | undefined,
  ) {}
}
