/**
 * A year of textile flows in Midtjylland, recorded over HTTP the way the organisations' own systems
 * would record it, each with its own key: six kommuner's monthly collections by scheme, the collectors
 * that hand their loads to two sorters, monthly sortings into grades with their losses, outcomes
 * (domestic reuse, export for reuse, energy recovery), the recycling grade carried to two recyclers,
 * the CØ59 chain (a hospital laundry's discarded linen → recycler → pillows and bags), and the
 * exceptions an auditor should find: a voided sorting, a mass correction, a sorting above its loss
 * norm, a short receipt, a load dispatched and never received (decision 033). The firms that hold
 * material work from sites with P-numbers, and name the site on everything that happens there, so
 * each site's ADS export reconciles with its mass balance (decision 039).
 *
 * Deterministic: every figure comes from a seeded PRNG, every business time lies in 2025, in
 * Copenhagen time. Only the ids the ledger assigns differ from run to run.
 */
import { Prng } from '#scenarios';
import { DemoClient } from './demo-client.js';

export const DEMO_YEAR = 2025;
const SEED = 20_250_101;

export interface DemoOrganisation {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly kommuneCode?: string;
}

export interface DemoKommune {
  readonly code: string;
  readonly name: string;
  readonly municipality: DemoOrganisation;
}

export type DemoFirm = 'herningSorter' | 'eastSorter' | 'westCollector' | 'charity' | 'fibreWorks' | 'chemicalRecycler' | 'pillowMaker' | 'hospitalLaundry' | 'auditor';
/** The firms that hold material at a place of their own; the two collectors only drive it to a sorter. */
export type DemoSitedFirm = 'herningSorter' | 'eastSorter' | 'fibreWorks' | 'chemicalRecycler' | 'pillowMaker' | 'hospitalLaundry';

export interface DemoSite {
  readonly id: string;
  readonly organisationId: string;
  readonly name: string;
  readonly address: string;
  readonly kommuneCode: string;
  readonly pNumber: string;
}

export interface DemoYear {
  readonly year: number;
  readonly baseUrl: string;
  readonly operatorKey: string;
  readonly kommuner: readonly DemoKommune[];
  readonly firms: Readonly<Record<DemoFirm, DemoOrganisation>>;
  /** Each firm's one site, named on every receipt, collection, registration, process and outcome it records. */
  readonly sites: Readonly<Record<DemoSitedFirm, DemoSite>>;
  readonly notable: {
    /** A pillow batch of the CØ59 chain still in the manufacturer's stock at the year's end. */
    readonly pillowBatchId: string;
    readonly bagBatchId: string;
    /** The recycling grade of one of Herning Tekstilsortering's sortings (received by the fibre works). */
    readonly sortedRecyclingBatchId: string;
    /** The sorting recorded by mistake and voided, and the one recorded in its place. */
    readonly voidedProcessId: string;
    readonly replacementProcessId: string;
    /** The batch whose receipt weight was corrected. */
    readonly correctedBatchId: string;
    /** The sorting above its loss norm. */
    readonly lossySortingId: string;
    /** The load dispatched in December and never received. */
    readonly inTransitBatchId: string;
  };
  readonly counts: { readonly collections: number; readonly processes: number; readonly requests: number };
  /** The log position of the last write: reads that send it see the whole year. */
  readonly headPosition: number;
}

type Composition = { fibre: string; share: number }[];
const MIXED: Composition = [
  { fibre: 'cotton', share: 5_200 },
  { fibre: 'polyester', share: 3_100 },
  { fibre: 'viscose', share: 900 },
  { fibre: 'wool', share: 500 },
  { fibre: 'elastane', share: 300 },
];
const COTTON_POLY: Composition = [
  { fibre: 'cotton', share: 6_500 },
  { fibre: 'polyester', share: 3_500 },
];
const COTTON: Composition = [{ fibre: 'cotton', share: 10_000 }];
const POLYESTER: Composition = [{ fibre: 'polyester', share: 10_000 }];

type Scheme = 'kerbside' | 'bring-bank' | 'recycling-centre' | 'charity-shop';
interface KommunePlan {
  readonly code: string;
  readonly name: string;
  /** Separately collected textiles, tonnes a month on average: roughly 3 kg per inhabitant a year. */
  readonly tonnesPerMonth: number;
  readonly schemes: ReadonlyArray<{ scheme: Scheme; share: number; loads: number; collector: DemoFirm }>;
  readonly programmeTags?: readonly string[];
}

const KOMMUNE_PLANS: readonly KommunePlan[] = [
  { code: '0657', name: 'Herning', tonnesPerMonth: 22, programmeTags: ['tekstilsymbiose-herning'], schemes: [{ scheme: 'bring-bank', share: 0.6, loads: 3, collector: 'herningSorter' }, { scheme: 'recycling-centre', share: 0.4, loads: 2, collector: 'herningSorter' }] },
  { code: '0756', name: 'Ikast-Brande', tonnesPerMonth: 10, programmeTags: ['tekstilsymbiose-herning'], schemes: [{ scheme: 'bring-bank', share: 0.7, loads: 2, collector: 'herningSorter' }, { scheme: 'recycling-centre', share: 0.3, loads: 1, collector: 'herningSorter' }] },
  { code: '0661', name: 'Holstebro', tonnesPerMonth: 14, schemes: [{ scheme: 'bring-bank', share: 0.65, loads: 2, collector: 'westCollector' }, { scheme: 'recycling-centre', share: 0.35, loads: 1, collector: 'westCollector' }] },
  { code: '0791', name: 'Viborg', tonnesPerMonth: 24, schemes: [{ scheme: 'bring-bank', share: 0.5, loads: 2, collector: 'westCollector' }, { scheme: 'kerbside', share: 0.3, loads: 1, collector: 'westCollector' }, { scheme: 'recycling-centre', share: 0.2, loads: 1, collector: 'westCollector' }] },
  { code: '0740', name: 'Silkeborg', tonnesPerMonth: 24, schemes: [{ scheme: 'kerbside', share: 0.45, loads: 2, collector: 'eastSorter' }, { scheme: 'bring-bank', share: 0.4, loads: 2, collector: 'eastSorter' }, { scheme: 'recycling-centre', share: 0.15, loads: 1, collector: 'eastSorter' }] },
  {
    code: '0751',
    name: 'Aarhus',
    tonnesPerMonth: 90,
    schemes: [
      { scheme: 'kerbside', share: 0.48, loads: 4, collector: 'eastSorter' },
      { scheme: 'bring-bank', share: 0.32, loads: 3, collector: 'eastSorter' },
      { scheme: 'recycling-centre', share: 0.13, loads: 2, collector: 'eastSorter' },
      { scheme: 'charity-shop', share: 0.07, loads: 2, collector: 'charity' },
    ],
  },
];

/**
 * One site per firm that holds material. The addresses, coordinates and P-numbers are made up (a
 * P-number is ten digits; the CVR register publishes no check digit), the kommune codes are real.
 * Declared in December 2024, so they are on the books before the year's first load.
 */
const SITE_PLANS: Readonly<Record<DemoSitedFirm, { name: string; address: string; kommuneCode: string; pNumber: string; latitude?: number; longitude?: number }>> = {
  herningSorter: { name: 'Sorteringshal Herning', address: 'Fiskerivej 14, 7400 Herning', kommuneCode: '0657', pNumber: '1018452736', latitude: 56.1486, longitude: 8.9465 },
  eastSorter: { name: 'Sorteringscenter Aarhus Syd', address: 'Bautavej 40, 8210 Aarhus V', kommuneCode: '0751', pNumber: '1019937421', latitude: 56.1718, longitude: 10.1471 },
  fibreWorks: { name: 'Fiberværket Ikast', address: 'Tekstilvej 3, 7430 Ikast', kommuneCode: '0756', pNumber: '1020314658', latitude: 56.1457, longitude: 9.1672 },
  chemicalRecycler: { name: 'Opløsningsanlæg Holstebro', address: 'Sletten 22, 7500 Holstebro', kommuneCode: '0661', pNumber: '1021675093' },
  pillowMaker: { name: 'Systue Brande', address: 'Vestergade 61, 7330 Brande', kommuneCode: '0756', pNumber: '1022048817' },
  hospitalLaundry: { name: 'Centralvaskeriet Silkeborg', address: 'Vaskerivej 5, 8600 Silkeborg', kommuneCode: '0740', pNumber: '1023390264' },
};
/** Ikast-Brande's recycling-centre containers are reported by fill level, not weighed: ADS's "estimated". */
const ESTIMATED_SCHEME = { kommuneCode: '0756', scheme: 'recycling-centre' } as const;

/** More is handed in around the spring clean and the autumn wardrobe change, less in the holidays. */
const SEASON = [1.05, 0.85, 0.95, 1.1, 1.15, 1.05, 0.9, 0.95, 1.05, 1.1, 0.95, 0.9] as const;

/** Which sorter a collector's loads go to; a sorter that collects keeps its own. */
const SORTER_OF: Partial<Record<DemoFirm, 'herningSorter' | 'eastSorter'>> = { herningSorter: 'herningSorter', westCollector: 'herningSorter', eastSorter: 'eastSorter', charity: 'eastSorter' };

/**
 * A business time in Copenhagen as an ISO instant with its offset. Daylight saving time in 2025 ran
 * from 30 March to 26 October (the seeder never records anything in the night hours of the switch).
 */
export function copenhagenTime(month: number, day: number, hour: number, minute = 0): string {
  const summer = (month > 3 && month < 10) || (month === 3 && day >= 30) || (month === 10 && day < 26);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DEMO_YEAR}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:00${summer ? '+02:00' : '+01:00'}`;
}

interface Load {
  readonly batchId: string;
  readonly collector: DemoFirm;
  readonly kommuneCode: string;
  readonly month: number;
  readonly day: number;
}

/**
 * Seeds the demo year into the ledger at `baseUrl`, registering every organisation with the
 * operator's key. Returns the organisations with their keys and the batches worth a look.
 */
export async function seedDemoYear(baseUrl: string, operatorKey: string, options: { log?: (line: string) => void } = {}): Promise<DemoYear> {
  const log = options.log ?? (() => undefined);
  const api = new DemoClient(baseUrl.replace(/\/$/, ''));
  const rng = new Prng(SEED);
  /** The ledger's mass of every batch the seeder still works with: a process consumes its inputs whole. */
  const mass = new Map<string, number>();
  let processes = 0;

  const register = async (name: string, roles: string[], kommuneCode?: string): Promise<DemoOrganisation> => {
    const answer = await api.post<{ organisationId: string; apiKey: string }>('/organisations', operatorKey, { name, roles, ...(kommuneCode ? { kommuneCode } : {}) });
    return { id: answer.organisationId, key: answer.apiKey, name, roles, ...(kommuneCode ? { kommuneCode } : {}) };
  };

  // ---- organisations ----
  const kommuner: DemoKommune[] = [];
  for (const plan of KOMMUNE_PLANS) kommuner.push({ code: plan.code, name: plan.name, municipality: await register(`${plan.name} Kommune`, ['municipality'], plan.code) });
  const firms: Record<DemoFirm, DemoOrganisation> = {
    herningSorter: await register('Herning Tekstilsortering A/S', ['collector', 'sorter']),
    eastSorter: await register('Østjysk Tekstilservice A/S', ['collector', 'sorter']),
    westCollector: await register('Vestjysk Tekstilindsamling ApS', ['collector']),
    charity: await register('Genbrugsforeningen Midt', ['collector']),
    fibreWorks: await register('Midtjysk Fiberværk A/S', ['recycler']),
    chemicalRecycler: await register('Nordisk Fibergenvinding ApS', ['recycler']),
    pillowMaker: await register('Pude & Pose ApS', ['manufacturer']),
    hospitalLaundry: await register('Hospitalsvaskeriet Region Midt', ['collector']),
    auditor: await register('Revisionsfirmaet Grøn Balance A/S', ['auditor']),
  };
  const sites = {} as Record<DemoSitedFirm, DemoSite>;
  for (const [firm, plan] of Object.entries(SITE_PLANS) as [DemoSitedFirm, (typeof SITE_PLANS)[DemoSitedFirm]][]) {
    const owner = firms[firm];
    const answer = await api.post<{ siteId: string }>(`/organisations/${owner.id}/sites`, owner.key, { ...plan, occurredAt: '2024-12-02T09:00:00+01:00' });
    sites[firm] = { id: answer.siteId, organisationId: owner.id, name: plan.name, address: plan.address, kommuneCode: plan.kommuneCode, pNumber: plan.pNumber };
  }
  /** Where an organisation records what it does: its site, if it has one. */
  const atSiteOf = (organisation: DemoOrganisation): { siteId?: string } => {
    const site = Object.values(sites).find((s) => s.organisationId === organisation.id);
    return site ? { siteId: site.id } : {};
  };
  log(`registered ${kommuner.length} municipalities and ${Object.keys(firms).length} firms, with ${Object.keys(sites).length} sites`);

  // Each municipality authorises the collectors that empty its containers (decision 017).
  for (const plan of KOMMUNE_PLANS) {
    const municipality = kommuner.find((k) => k.code === plan.code)!.municipality;
    for (const collector of new Set(plan.schemes.map((s) => s.collector))) {
      await api.post(`/organisations/${municipality.id}/collector-authorisations`, municipality.key, { collectorOrgId: firms[collector].id, reason: `collection contract ${DEMO_YEAR}–${DEMO_YEAR + 2}` });
    }
  }

  // ---- a year of collections, one bulk import per collector (a weighbridge export) ----
  const planned = new Map<DemoFirm, { body: Record<string, unknown>; load: Omit<Load, 'batchId'>; grams: number }[]>();
  for (let month = 1; month <= 12; month += 1) {
    for (const plan of KOMMUNE_PLANS) {
      for (const { scheme, share, loads, collector } of plan.schemes) {
        for (let load = 0; load < loads; load += 1) {
          const day = Math.min(24, Math.max(1, 1 + Math.floor(((load + 0.5) * 22) / loads) + rng.int(-1, 1)));
          // Weighbridges weigh to 10 kg.
          const grams = Math.max(10_000, Math.round((plan.tonnesPerMonth * SEASON[month - 1]! * share * rng.real(0.8, 1.2) * 1_000_000) / loads / 10_000) * 10_000);
          const body = {
            kommuneCode: plan.code,
            collectionScheme: scheme,
            ewcCode: scheme === 'charity-shop' ? '20 01 10' : '20 01 11',
            massGrams: grams,
            occurredAt: copenhagenTime(month, day, rng.int(7, 14), rng.pick([0, 15, 30, 45])),
            ...(plan.programmeTags ? { programmeTags: [...plan.programmeTags] } : {}),
            // A sorter that collects brings the load straight to its hall.
            ...atSiteOf(firms[collector]),
            ...(plan.code === ESTIMATED_SCHEME.kommuneCode && scheme === ESTIMATED_SCHEME.scheme ? { measurement: 'estimated' } : {}),
          };
          const list = planned.get(collector) ?? [];
          list.push({ body, load: { collector, kommuneCode: plan.code, month, day }, grams });
          planned.set(collector, list);
        }
      }
    }
  }
  const loads: Load[] = [];
  for (const [collector, items] of planned) {
    const answer = await api.post<{ failed: number; results: { status: number; result?: { batchId: string; position?: number }; problem?: unknown }[] }>('/batches/collections/bulk', firms[collector].key, { collections: items.map((item) => item.body) });
    if (answer.failed > 0) throw new Error(`the bulk import of ${firms[collector].name} refused ${answer.failed} collections: ${JSON.stringify(answer.results.find((r) => r.problem)?.problem)}`);
    for (const [index, item] of items.entries()) {
      const result = answer.results[index]!.result!;
      api.reached(result.position ?? 0);
      mass.set(result.batchId, item.grams);
      loads.push({ batchId: result.batchId, ...item.load });
    }
  }
  log(`recorded ${loads.length} collections`);

  const dispatch = (batchId: string, from: DemoOrganisation, to: DemoOrganisation, occurredAt: string, transportDocument?: string) =>
    api.post(`/batches/${batchId}/dispatch`, from.key, { toOrgId: to.id, occurredAt, ...(transportDocument ? { transportDocument } : {}) });
  const receive = async (batchId: string, by: DemoOrganisation, receivedMassGrams: number, occurredAt: string) => {
    await api.post(`/batches/${batchId}/receive`, by.key, { receivedMassGrams, occurredAt, ...atSiteOf(by) });
    mass.set(batchId, receivedMassGrams);
  };
  const outcome = (batchId: string, by: DemoOrganisation, body: Record<string, unknown>, occurredAt: string) => api.post(`/batches/${batchId}/outcome`, by.key, { ...body, occurredAt, ...atSiteOf(by) });
  const processOf = async (by: DemoOrganisation, body: Record<string, unknown>): Promise<{ processId: string; outputBatchIds: string[] }> => {
    const answer = await api.post<{ processId: string; outputBatchIds: string[] }>('/processes', by.key, { ...body, ...atSiteOf(by) });
    processes += 1;
    const outputs = body.outputs as { massGrams: number }[];
    answer.outputBatchIds.forEach((id, index) => mass.set(id, outputs[index]!.massGrams));
    return answer;
  };
  const inputsOf = (batchIds: readonly string[]) => batchIds.map((batchId) => ({ batchId }));
  const gramsOf = (batchIds: readonly string[]) => batchIds.reduce((sum, id) => sum + mass.get(id)!, 0);

  const notable: { -readonly [K in keyof DemoYear['notable']]?: string } = {};
  /** Recycling grades that go to a recycler on the first truck of the next month. */
  const toRecycle: { batchId: string; sorter: 'herningSorter' | 'eastSorter' }[] = [];
  /** Fibre lots the pillow maker received this quarter, and the CØ59 linen the fibre works holds. */
  let fibreForPillows: string[] = [];
  let linenHeld: string[] = [];
  let cottonFibreFromLinen: string[] = [];

  for (let month = 1; month <= 12; month += 1) {
    // ---- CØ59: the hospital laundry's discarded linen, registered as a residual and sent to the fibre works ----
    const linenGrams = Math.round(rng.real(1.2, 2.0) * 1000) * 1000;
    const linen = await api.post<{ batchId: string }>('/batches/residuals', firms.hospitalLaundry.key, {
      originClass: 'post-consumer-business',
      ewcCode: '20 01 11',
      massGrams: linenGrams,
      composition: rng.chance(0.5) ? COTTON : COTTON_POLY,
      description: 'Kasseret hospitalslinned: lagner, håndklæder og dynebetræk, vasket og sorteret',
      programmeTags: ['closing-loops-co59'],
      occurredAt: copenhagenTime(month, 5, 9),
      ...atSiteOf(firms.hospitalLaundry),
    });
    mass.set(linen.batchId, linenGrams);
    await dispatch(linen.batchId, firms.hospitalLaundry, firms.fibreWorks, copenhagenTime(month, 6, 8), `CØ59-${DEMO_YEAR}-${String(month).padStart(2, '0')}`);
    await receive(linen.batchId, firms.fibreWorks, linenGrams - rng.int(0, 4) * 1000, copenhagenTime(month, 7, 10));
    linenHeld.push(linen.batchId);

    // ---- last month's recycling grades reach the recyclers ----
    const arriving = toRecycle.splice(0);
    for (const { batchId, sorter } of arriving) {
      const recycler = sorter === 'herningSorter' ? firms.fibreWorks : firms.chemicalRecycler;
      await dispatch(batchId, firms[sorter], recycler, copenhagenTime(month, 1, 7), `CMR ${DEMO_YEAR}-${sorter === 'herningSorter' ? 'H' : 'Ø'}${String(month).padStart(2, '0')}`);
      await receive(batchId, recycler, Math.round(mass.get(batchId)! * (1 - rng.real(0, 0.008))), copenhagenTime(month, 2, 9));
      // One weighbridge read high for a while: the fibre works corrects the receipt it recorded.
      if (month === 6 && sorter === 'herningSorter') {
        const batch = await api.get<{ massEventId: string }>(`/batches/${batchId}`, firms.fibreWorks.key);
        const corrected = Math.round(mass.get(batchId)! * 0.985);
        await api.post(`/batches/${batchId}/mass-corrections`, firms.fibreWorks.key, {
          correctedEventId: batch.massEventId,
          massGrams: corrected,
          reason: 'Brovægten blev kalibreret 3. juni: modtagelsen 2. juni vejede 1,5 % for meget',
          occurredAt: copenhagenTime(month, 3, 11),
        });
        mass.set(batchId, corrected);
        notable.correctedBatchId = batchId;
      }
    }

    // ---- recycling: the fibre works tears the collected textiles into fibre, the other dissolves them ----
    for (const { batchId, sorter } of arriving) {
      const input = mass.get(batchId)!;
      if (sorter === 'herningSorter') {
        const forPillows = Math.round(input * rng.real(0.14, 0.2));
        const bulk = Math.round(input * rng.real(0.66, 0.7));
        const shortFibre = Math.round(input * 0.04);
        const made = await processOf(firms.fibreWorks, {
          processType: 'mechanical-recycling',
          occurredAt: copenhagenTime(month, 10, 8),
          inputs: inputsOf([batchId]),
          outputs: [
            { massGrams: forPillows, grade: 'fibre', composition: COTTON_POLY },
            { massGrams: bulk, grade: 'fibre', composition: MIXED },
            { massGrams: shortFibre, grade: 'residual', composition: MIXED },
          ],
          losses: [{ kind: 'process-waste', massGrams: input - forPillows - bulk - shortFibre }],
        });
        const [pillowFibre, bulkFibre, residual] = made.outputBatchIds as [string, string, string];
        await dispatch(pillowFibre, firms.fibreWorks, firms.pillowMaker, copenhagenTime(month, 12, 7));
        await receive(pillowFibre, firms.pillowMaker, mass.get(pillowFibre)!, copenhagenTime(month, 13, 9));
        fibreForPillows.push(pillowFibre);
        await outcome(bulkFibre, firms.fibreWorks, { outcome: 'exported', destinationCountry: 'DE', purpose: 'recycling' }, copenhagenTime(month, 14, 10));
        await outcome(residual, firms.fibreWorks, { outcome: 'incinerated', energyRecovery: true }, copenhagenTime(month, 14, 11));
      } else {
        const fibre = Math.round(input * rng.real(0.68, 0.74));
        const residual = Math.round(input * 0.04);
        const made = await processOf(firms.chemicalRecycler, {
          processType: 'chemical-recycling',
          occurredAt: copenhagenTime(month, 10, 9),
          inputs: inputsOf([batchId]),
          outputs: [
            { massGrams: fibre, grade: 'fibre', composition: [{ fibre: 'viscose', share: 10_000 }] },
            { massGrams: residual, grade: 'residual', composition: POLYESTER },
          ],
          losses: [{ kind: 'process-waste', massGrams: input - fibre - residual }],
        });
        const [pulp, rest] = made.outputBatchIds as [string, string];
        await outcome(pulp, firms.chemicalRecycler, { outcome: 'exported', destinationCountry: 'SE', purpose: 'recycling' }, copenhagenTime(month, 15, 10));
        await outcome(rest, firms.chemicalRecycler, { outcome: 'incinerated', energyRecovery: true }, copenhagenTime(month, 15, 11));
      }
    }

    // ---- the collectors hand their loads to the sorters ----
    for (const load of loads.filter((l) => l.month === month && SORTER_OF[l.collector] !== l.collector)) {
      const from = firms[load.collector];
      const sorter = firms[SORTER_OF[load.collector]!];
      await dispatch(load.batchId, from, sorter, copenhagenTime(month, load.day + 1, 8), `FS-${load.kommuneCode}-${DEMO_YEAR}${String(month).padStart(2, '0')}${String(load.day).padStart(2, '0')}`);
      if (month === 12 && load === loads.filter((l) => l.month === 12 && l.collector === 'westCollector').at(-1)) {
        // Dispatched in the last week of the year and never received: a custody gap for the auditor.
        notable.inTransitBatchId = load.batchId;
        continue;
      }
      // Weighed again on arrival: a little drier, once a load short by 4 % (a bale lost on the way).
      const short = load === loads.find((l) => l.month === 9 && l.kommuneCode === '0791');
      const received = Math.round((mass.get(load.batchId)! * (short ? 0.96 : 1 - rng.real(0, 0.006))) / 1000) * 1000;
      await receive(load.batchId, sorter, received, copenhagenTime(month, load.day + 2, 10));
    }

    // ---- monthly sorting at each sorter ----
    for (const sorterFirm of ['herningSorter', 'eastSorter'] as const) {
      const sorter = firms[sorterFirm];
      const inputs = loads.filter((l) => l.month === month && SORTER_OF[l.collector] === sorterFirm && l.batchId !== notable.inTransitBatchId).map((l) => l.batchId);
      const total = gramsOf(inputs);
      const lossy = sorterFirm === 'eastSorter' && month === 7;
      const lossShare = lossy ? 0.13 : rng.real(0.03, 0.06);
      const exportReuse = Math.round(total * rng.real(0.32, 0.38));
      const domesticReuse = Math.round(total * rng.real(0.08, 0.11));
      const recycling = Math.round(total * rng.real(0.3, 0.35));
      const loss = Math.round(total * lossShare);
      const residual = total - exportReuse - domesticReuse - recycling - loss;
      const sorting = (outputs: { massGrams: number; grade: string; ewcCode?: string }[], occurredAt: string) =>
        processOf(sorter, {
          processType: 'sorting',
          occurredAt,
          inputs: inputsOf(inputs),
          outputs: outputs.map((o) => ({ ...o, composition: MIXED })),
          losses: [{ kind: 'moisture-dust', massGrams: loss }],
        });
      // What leaves the sorting line as waste is EAK 19 12 08 (textiles from mechanical treatment of
      // waste); the reuse grades are sold as goods and carry no waste code.
      const outputs = [
        { massGrams: exportReuse, grade: 'reuse' },
        { massGrams: domesticReuse, grade: 'reuse' },
        { massGrams: recycling, grade: 'recycling', ewcCode: '19 12 08' },
        { massGrams: residual, grade: 'residual', ewcCode: '19 12 08' },
      ];
      if (sorterFirm === 'herningSorter' && month === 3) {
        // Recorded with the recycling and residual weights swapped, seen at once, voided and recorded again.
        const wrong = await sorting([outputs[0]!, outputs[1]!, { ...outputs[2]!, massGrams: residual }, { ...outputs[3]!, massGrams: recycling }], copenhagenTime(month, 27, 13));
        await api.post(`/processes/${wrong.processId}/void`, sorter.key, { reason: 'Vægtene for genanvendelse og restfraktion var byttet om i registreringen', occurredAt: copenhagenTime(month, 27, 15) });
        notable.voidedProcessId = wrong.processId;
      }
      const sorted = await sorting(outputs, copenhagenTime(month, 27, 16));
      if (sorterFirm === 'herningSorter' && month === 3) notable.replacementProcessId = sorted.processId;
      if (lossy) notable.lossySortingId = sorted.processId;
      const [exportId, domesticId, recyclingId, residualId] = sorted.outputBatchIds as [string, string, string, string];
      await outcome(domesticId, sorter, { outcome: 'sold-for-reuse', market: 'domestic' }, copenhagenTime(month, 28, 10));
      // December's export, recycling and residual wait in stock for January's trucks.
      if (month === 12) continue;
      if (sorterFirm === 'herningSorter') await outcome(exportId, sorter, { outcome: 'exported', destinationCountry: 'PL', purpose: 'reuse' }, copenhagenTime(month, 28, 11));
      else await outcome(exportId, sorter, { outcome: 'sold-for-reuse', market: 'export', destinationCountry: 'LT' }, copenhagenTime(month, 28, 11));
      await outcome(residualId, sorter, { outcome: 'incinerated', energyRecovery: true }, copenhagenTime(month, 28, 12));
      toRecycle.push({ batchId: recyclingId, sorter: sorterFirm });
      if (sorterFirm === 'herningSorter' && month === 5) notable.sortedRecyclingBatchId = recyclingId;
    }

    // ---- each quarter: the fibre works turns the CØ59 linen into cotton fibre, and Pude & Pose sews ----
    if (month % 3 === 0) {
      const linenIn = gramsOf(linenHeld);
      const cotton = Math.round(linenIn * rng.real(0.87, 0.9));
      const linenFibre = await processOf(firms.fibreWorks, {
        processType: 'mechanical-recycling',
        occurredAt: copenhagenTime(month, 16, 8),
        inputs: inputsOf(linenHeld),
        outputs: [{ massGrams: cotton, grade: 'fibre', composition: COTTON }],
        losses: [{ kind: 'process-waste', massGrams: linenIn - cotton }],
      });
      linenHeld = [];
      const cottonId = linenFibre.outputBatchIds[0]!;
      await dispatch(cottonId, firms.fibreWorks, firms.pillowMaker, copenhagenTime(month, 17, 8), `CØ59-fiber-Q${month / 3}`);
      await receive(cottonId, firms.pillowMaker, cotton, copenhagenTime(month, 18, 9));
      cottonFibreFromLinen = [cottonId];

      const inputIds = [...cottonFibreFromLinen, ...fibreForPillows];
      const tracked = gramsOf(inputIds);
      const filling = Math.round(rng.real(1.0, 1.5) * 1000) * 1000;
      const all = tracked + filling;
      const pillows = Math.round(all * 0.58);
      const bags = Math.round(all * 0.3);
      const cuttingWaste = Math.round(all * 0.09);
      const made = await processOf(firms.pillowMaker, {
        processType: 'manufacturing',
        occurredAt: copenhagenTime(month, 19, 10),
        inputs: inputsOf(inputIds),
        externalInputs: [{ description: 'Ny polyesterfyld (jomfruelig)', massGrams: filling, composition: POLYESTER, originClass: 'virgin' }],
        outputs: [
          { massGrams: pillows, grade: 'product', productType: 'pillow', application: 'textile', composition: COTTON_POLY },
          { massGrams: bags, grade: 'product', productType: 'bag', application: 'textile', composition: COTTON },
          { massGrams: cuttingWaste, grade: 'residual', composition: COTTON_POLY },
        ],
        losses: [{ kind: 'process-waste', massGrams: all - pillows - bags - cuttingWaste }],
      });
      fibreForPillows = [];
      cottonFibreFromLinen = [];
      const [pillowId, bagId, wasteId] = made.outputBatchIds as [string, string, string];
      await outcome(bagId, firms.pillowMaker, { outcome: 'placed-on-market', market: 'domestic' }, copenhagenTime(month, 22, 10));
      await outcome(wasteId, firms.pillowMaker, { outcome: 'incinerated', energyRecovery: true }, copenhagenTime(month, 22, 11));
      // The fourth quarter's pillows are still in stock at the year's end: the batch to prove.
      if (month === 12) {
        notable.pillowBatchId = pillowId;
        notable.bagBatchId = bagId;
      } else {
        await outcome(pillowId, firms.pillowMaker, { outcome: 'placed-on-market', market: 'domestic' }, copenhagenTime(month, 23, 10));
      }
    }
    log(`${DEMO_YEAR}-${String(month).padStart(2, '0')} recorded`);
  }

  const missing = (['pillowBatchId', 'bagBatchId', 'sortedRecyclingBatchId', 'voidedProcessId', 'replacementProcessId', 'correctedBatchId', 'lossySortingId', 'inTransitBatchId'] as const).filter((name) => notable[name] === undefined);
  if (missing.length > 0) throw new Error(`the demo year lacks ${missing.join(', ')}: the plan above no longer produces them`);
  return {
    year: DEMO_YEAR,
    baseUrl: api.baseUrl,
    operatorKey,
    kommuner,
    firms,
    sites,
    notable: notable as DemoYear['notable'],
    counts: { collections: loads.length, processes, requests: api.requests },
    headPosition: api.headPosition,
  };
}
