import type { LedgerHarness, RegisteredOrganisation } from '../fixtures/ledger-harness.js';

/** An organisation named like an HTML payload: the pages must show it as text and run nothing. */
export const HTML_PAYLOAD_NAME = '<img src=x onerror=window.__pwned=1> Sortering';

const COTTON_POLY = [
  { fibre: 'cotton', share: 6_000 },
  { fibre: 'polyester', share: 4_000 },
];

export interface WebScenario {
  readonly year: number;
  readonly kommuneCode: string;
  readonly municipality: RegisteredOrganisation;
  readonly sorter: RegisteredOrganisation;
  readonly collected: { readonly bringBank: string; readonly recyclingCentre: string };
  readonly sorted: { readonly reuse: string; readonly recycling: string; readonly residual: string };
  /** Sees every organisation's inventory and anomalies. */
  readonly auditor: RegisteredOrganisation;
  /** A sorting with a loss above the norm, of another kommune's collection: the sorter's one anomaly. */
  readonly lossySorting: string;
  readonly headPosition: number;
}

type Json = Record<string, unknown>;

async function ok(response: Promise<{ status: number; body: Json }>, status: number): Promise<Json> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * A small year of one kommune, recorded through the API: two collections (two schemes, two
 * months) by a collector-sorter named like an HTML payload, one sorting, and outcomes for two of
 * its three grades, so the fate has reuse, energy recovery, process loss and stock still held.
 */
export async function seedWebScenario(ledger: LedgerHarness): Promise<WebScenario> {
  const year = 2026;
  const kommuneCode = '0657';
  const municipality = await ledger.registerOrganisation('Herning Kommune', ['municipality'], kommuneCode);
  const sorter = await ledger.registerOrganisation(HTML_PAYLOAD_NAME, ['sorter', 'collector']);
  const collect = async (collectionScheme: string, massGrams: number, occurredAt: string) =>
    (await ok(ledger.post('/batches/collections', { kommuneCode, collectionScheme, ewcCode: '20 01 11', massGrams, collectorOrgId: sorter.id, occurredAt }, municipality.key), 201)).batchId as string;
  const bringBank = await collect('bring-bank', 1_234_500, `${year}-03-10T09:00:00+01:00`);
  const recyclingCentre = await collect('recycling-centre', 765_500, `${year}-04-14T09:00:00+02:00`);
  const sorting = await ok(
    ledger.post(
      '/processes',
      {
        processType: 'sorting',
        inputs: [{ batchId: bringBank }, { batchId: recyclingCentre }],
        outputs: [
          { massGrams: 800_000, grade: 'reuse', composition: COTTON_POLY },
          { massGrams: 900_000, grade: 'recycling', composition: COTTON_POLY },
          { massGrams: 250_000, grade: 'residual', composition: COTTON_POLY },
        ],
        losses: [{ kind: 'moisture-dust', massGrams: 50_000 }],
      },
      sorter.key,
    ),
    201,
  );
  const [reuse, recycling, residual] = sorting.outputBatchIds as string[];
  await ok(ledger.post(`/batches/${reuse}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, sorter.key), 200);
  await ok(ledger.post(`/batches/${residual}/outcome`, { outcome: 'incinerated', energyRecovery: true }, sorter.key), 200);
  // Another kommune, so the Herning figures above stay as they are.
  const ikastBrande = await ledger.registerOrganisation('Ikast-Brande Kommune', ['municipality'], '0756');
  const ikastCollection = (
    await ok(ledger.post('/batches/collections', { kommuneCode: '0756', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 1_000_000, collectorOrgId: sorter.id, occurredAt: `${year}-05-12T09:00:00+02:00` }, ikastBrande.key), 201)
  ).batchId as string;
  const lossySorting = await ok(
    ledger.post(
      '/processes',
      {
        processType: 'sorting',
        occurredAt: `${year}-05-20T10:00:00+02:00`,
        inputs: [{ batchId: ikastCollection }],
        outputs: [{ massGrams: 700_000, grade: 'recycling', composition: COTTON_POLY }],
        losses: [{ kind: 'moisture-dust', massGrams: 300_000 }],
      },
      sorter.key,
    ),
    201,
  );
  const auditor = await ledger.registerOrganisation('Revisionsfirmaet A/S', ['auditor']);
  return {
    year,
    kommuneCode,
    municipality,
    sorter,
    collected: { bringBank, recyclingCentre },
    sorted: { reuse: reuse!, recycling: recycling!, residual: residual! },
    auditor,
    lossySorting: lossySorting.processId as string,
    headPosition: await ledger.store.headPosition(),
  };
}
