/**
 * The first emission factor sets, as the seed documents state them: a typed copy of
 * emission-factors.csv beside this file (see SOURCE.md). The spec checks the two agree.
 * Published by `EmissionFactorSeeder` at start-up (docs/decisions/042-emission-factors-as-data.md).
 */
export interface SeedEmissionFactorSet {
  readonly factorSetId: string;
  readonly validFrom: string;
  readonly factors: readonly {
    readonly route: 'recycling' | 'reuse';
    readonly kgCo2eAvoidedPerKg: string | null;
    readonly baseline: string;
    readonly source: string;
    readonly note: string;
  }[];
}

export const SEED_EMISSION_FACTOR_SETS: readonly SeedEmissionFactorSet[] = [
  {
    factorSetId: 'herning-2022',
    validFrom: '2022-01-01',
    factors: [
      {
        route: 'recycling',
        kgCo2eAvoidedPerKg: '20.4',
        baseline: 'incineration',
        source: "Tekstilsymbiose Herning brochure (seed document): 'recycling one tonne of textile waste instead of incinerating it reduces global emissions by about 20.4 t CO2'",
        note: 'figure as stated in the brochure; no underlying study named',
      },
      {
        route: 'reuse',
        kgCo2eAvoidedPerKg: null,
        baseline: 'incineration',
        source: 'not given in the seed documents',
        note: 'leave empty: an unknown factor counts as unknown, never as zero',
      },
    ],
  },
  {
    factorSetId: 'jie-2015',
    validFrom: '2015-01-01',
    factors: [
      {
        route: 'recycling',
        kgCo2eAvoidedPerKg: '10.0',
        baseline: 'incineration',
        source: "Journal of Industrial Ecology (2015), as cited: 'optimal recycling of 1 ton of textile waste could save 10 tons of CO2 emissions equivalent'",
        note: 'indicative',
      },
      {
        route: 'reuse',
        kgCo2eAvoidedPerKg: null,
        baseline: 'incineration',
        source: 'not given',
        note: 'reviews (Sandin & Peters, Journal of Cleaner Production 184 (2018) 353-365) agree reuse saves more than recycling but give no single factor',
      },
    ],
  },
];
