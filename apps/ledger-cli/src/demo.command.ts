/**
 * `npm run demo`: seeds a realistic scenario over HTTP and prints the provenance of one pillow and
 * the circularity of each kommune. Against a running ledger with LEDGER_URL (and
 * LEDGER_OPERATOR_KEY); otherwise against an embedded ledger on a temporary data directory, or on
 * LEDGER_DATA_DIR, which is then kept (to export audit evidence from it afterwards, say). A
 * LEDGER_DATA_DIR that holds a ledger the demo did not create is refused (demo-data-dir.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadLedgerConfig } from '../../ledger-api/src/config/ledger.config.js';
import { createLedgerApp } from '../../ledger-api/src/ledger-app.js';
import { claimDemoDataDir, NotADemoLedgerError } from './demo-data-dir.js';

type Json = Record<string, unknown>;

const COTTON_POLY = [
  { fibre: 'cotton', share: 6500 },
  { fibre: 'polyester', share: 3500 },
];

async function embedded(): Promise<{ url: string; operatorKey: string; close: () => Promise<void> }> {
  const keep = process.env.LEDGER_DATA_DIR;
  const dir = keep ?? mkdtempSync(path.join(os.tmpdir(), 'ledger-demo-'));
  // Before the ledger opens anything in it: the demo never writes into a real ledger.
  try {
    claimDemoDataDir(path.resolve(dir));
  } catch (error) {
    if (!(error instanceof NotADemoLedgerError)) throw error;
    process.stderr.write(`npm run demo: ${error.message}\n`);
    process.exit(2);
  }
  const operatorKey = 'tl_000000000000_demo-operator-key-for-the-embedded-ledger';
  const config = loadLedgerConfig({ LEDGER_DATA_DIR: dir, LEDGER_OPERATOR_KEY: operatorKey, LEDGER_RECOVERY_INTERVAL_MS: '0' });
  const { app } = await createLedgerApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    operatorKey,
    close: async () => {
      await app.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const target = process.env.LEDGER_URL
  ? { url: process.env.LEDGER_URL.replace(/\/$/, ''), operatorKey: process.env.LEDGER_OPERATOR_KEY ?? '', close: async () => undefined }
  : await embedded();
if (!target.operatorKey) throw new Error('set LEDGER_OPERATOR_KEY to the running ledger’s operator key');

async function call(method: 'GET' | 'POST', url: string, key: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${target.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json()) as Json;
  if (!response.ok) throw new Error(`${method} ${url} → ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function organisation(name: string, roles: string[], kommuneCode?: string): Promise<{ id: string; key: string }> {
  const r = await call('POST', '/organisations', target.operatorKey, { name, roles, ...(kommuneCode ? { kommuneCode } : {}) });
  return { id: String(r.organisationId), key: String(r.apiKey) };
}

try {
  const kommuner = [
    { code: '0657', name: 'Herning', grams: [820_000, 640_000] },
    { code: '0756', name: 'Ikast-Brande', grams: [410_000, 300_000] },
    { code: '0661', name: 'Holstebro', grams: [530_000] },
  ];
  const sorter = await organisation('Herning Tekstilsortering', ['sorter', 'collector']);
  const recycler = await organisation('Midtjysk Fiberværk', ['recycler']);
  const manufacturer = await organisation('Pude & Pose ApS', ['manufacturer']);
  const laundry = await organisation('Regionshospitalets Vaskeri', ['collector']);

  const collected: string[] = [];
  // Each municipality reads its own kommune's circularity: no one else may (docs/security.md).
  const municipalityKeys = new Map<string, string>();
  let totalCollected = 0;
  for (const k of kommuner) {
    const municipality = await organisation(`${k.name} Kommune`, ['municipality'], k.code);
    municipalityKeys.set(k.code, municipality.key);
    for (const [i, grams] of k.grams.entries()) {
      const r = await call('POST', '/batches/collections', municipality.key, {
        kommuneCode: k.code,
        collectionScheme: i === 0 ? 'bring-bank' : 'recycling-centre',
        ewcCode: '20 01 11',
        massGrams: grams,
        collectorOrgId: sorter.id,
        occurredAt: `2026-0${3 + i}-1${i}T10:00:00+01:00`,
        programmeTags: ['tekstilsymbiose-herning'],
      });
      collected.push(String(r.batchId));
      totalCollected += grams;
    }
  }

  // Sorting: 40 % reuse, 45 % recycling grade, 12 % residual to incineration, 3 % dust and moisture.
  const reuse = Math.floor(totalCollected * 0.4);
  const recycling = Math.floor(totalCollected * 0.45);
  const residual = Math.floor(totalCollected * 0.12);
  const dust = totalCollected - reuse - recycling - residual;
  const sorted = await call('POST', '/processes', sorter.key, {
    processType: 'sorting',
    inputs: collected.map((batchId) => ({ batchId })),
    outputs: [
      { massGrams: reuse, grade: 'reuse', composition: COTTON_POLY },
      { massGrams: recycling, grade: 'recycling', composition: COTTON_POLY },
      { massGrams: residual, grade: 'residual', composition: COTTON_POLY },
    ],
    losses: [{ kind: 'moisture-dust', massGrams: dust }],
  });
  const [reuseId, recyclingId, residualId] = sorted.outputBatchIds as string[];
  await call('POST', `/batches/${reuseId}/outcome`, sorter.key, { outcome: 'sold-for-reuse', market: 'domestic' });
  await call('POST', `/batches/${residualId}/outcome`, sorter.key, { outcome: 'incinerated', energyRecovery: true });

  await call('POST', `/batches/${recyclingId}/dispatch`, sorter.key, { toOrgId: recycler.id, transportDocument: 'CMR 2026-0412' });
  const arrived = recycling - 3_500;
  await call('POST', `/batches/${recyclingId}/receive`, recycler.key, { receivedMassGrams: arrived });
  const fibreGrams = Math.floor(arrived * 0.9);
  const fibre = await call('POST', '/processes', recycler.key, {
    processType: 'mechanical-recycling',
    inputs: [{ batchId: recyclingId }],
    outputs: [{ massGrams: fibreGrams, grade: 'fibre', composition: COTTON_POLY }],
    losses: [{ kind: 'process-waste', massGrams: arrived - fibreGrams }],
  });
  const fibreId = (fibre.outputBatchIds as string[])[0]!;
  await call('POST', `/batches/${fibreId}/dispatch`, recycler.key, { toOrgId: manufacturer.id });
  await call('POST', `/batches/${fibreId}/receive`, manufacturer.key, { receivedMassGrams: fibreGrams });

  // CØ59: discarded hospital laundry linen becomes raw material.
  const linen = await call('POST', '/batches/residuals', laundry.key, {
    originClass: 'post-consumer-business',
    ewcCode: '20 01 11',
    massGrams: 240_000,
    composition: [{ fibre: 'cotton', share: 10_000 }],
    description: 'discarded hospital laundry: sheets and towels',
    programmeTags: ['closing-loops-co59'],
  });
  await call('POST', `/batches/${String(linen.batchId)}/dispatch`, laundry.key, { toOrgId: manufacturer.id });
  await call('POST', `/batches/${String(linen.batchId)}/receive`, manufacturer.key, { receivedMassGrams: 240_000 });

  const filling = 60_000;
  const inputs = fibreGrams + 240_000 + filling;
  const pillows = Math.floor(inputs * 0.6);
  const bags = Math.floor(inputs * 0.35);
  const made = await call('POST', '/processes', manufacturer.key, {
    processType: 'manufacturing',
    inputs: [{ batchId: fibreId }, { batchId: String(linen.batchId) }],
    externalInputs: [{ description: 'virgin polyester filling', massGrams: filling, composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'virgin' }],
    outputs: [
      { massGrams: pillows, grade: 'product', productType: 'pillow', application: 'textile', composition: COTTON_POLY },
      { massGrams: bags, grade: 'product', productType: 'bag', application: 'textile', composition: COTTON_POLY },
    ],
    losses: [{ kind: 'process-waste', massGrams: inputs - pillows - bags }],
  });
  const [pillowId, bagId] = made.outputBatchIds as string[];
  await call('POST', `/batches/${bagId}/outcome`, manufacturer.key, { outcome: 'placed-on-market', market: 'domestic' });

  const provenance = await call('GET', `/batches/${pillowId}/provenance`, manufacturer.key);
  process.stdout.write(`\nProvenance of pillow batch ${pillowId} (${provenance.massGrams} g):\n`);
  for (const k of provenance.byKommune as Array<{ kommuneCode: string; grams: number }>) {
    process.stdout.write(`  kommune ${k.kommuneCode}: ${(k.grams / 1000).toFixed(3)} kg\n`);
  }
  process.stdout.write(
    `  post-consumer ${(Number(provenance.postConsumerGrams) / 1000).toFixed(3)} kg, pre-consumer ${(Number(provenance.preConsumerGrams) / 1000).toFixed(3)} kg, virgin ${(Number(provenance.virginGrams) / 1000).toFixed(3)} kg\n`,
  );
  process.stdout.write(`  recycled content ${(Number(provenance.recycledContentBasisPoints) / 100).toFixed(2)} %\n\nCircularity by kommune (2026):\n`);
  for (const k of kommuner) {
    const report = await call('GET', `/reports/circularity?kommuneCode=${k.code}&period=year`, municipalityKeys.get(k.code)!);
    for (const row of report.rows as Array<{ collectedGrams: number; rates: Record<string, number | null> }>) {
      const pct = (x: number | null | undefined) => `${((x ?? 0) * 100).toFixed(1)} %`;
      process.stdout.write(
        `  ${k.code} ${k.name.padEnd(13)} collected ${(row.collectedGrams / 1000).toFixed(3)} kg · reuse ${pct(row.rates.reuse)} · recycled (textile) ${pct(row.rates.recycledTextile)} · recycled (other) ${pct(row.rates.recycledOther)} · energy recovery ${pct(row.rates.energyRecovery)} · circularity ${pct(row.rates.circularity)} · resolved ${pct(row.rates.resolved)}\n`,
      );
    }
  }
} finally {
  await target.close();
}
