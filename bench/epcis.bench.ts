/**
 * The EPCIS capture's figure (decision 047): 10,000 collections sent as one EPCISDocument to
 * `POST /epcis/capture` over real HTTP, timed from the request to the job's end, as events a second;
 * against the same run's bulk JSON import (`POST /batches/collections/bulk`, pages of 1,000) of the
 * same collections on a fresh ledger. The ratio is what validating the document against GS1's
 * schema, mapping every event and deciding it alone (in document order, each its own command) costs
 * over bulk JSON.
 */
import { performance } from 'node:perf_hooks';
import { log, type Figure } from './bench-support.js';
import { generatedCollection, withLedger } from './collection-import.bench.js';

/** Batch i's id: a UUID (version 7 form) carrying i. */
function batchIdOf(i: number): string {
  return `0195aaaa-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
}

/** Collection i as the EPCIS commissioning event a municipality's own system would send. */
function collectionEvent(i: number, municipalityId: string): Record<string, unknown> {
  const c = generatedCollection(i);
  return {
    type: 'ObjectEvent',
    eventID: `urn:uuid:6b1d0c1e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    eventTime: `${c.date}T00:00:00+01:00`,
    eventTimeZoneOffset: '+01:00',
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    quantityList: [{ epcClass: `urn:textile-ledger:batch:${batchIdOf(i)}`, quantity: c.massGrams / 1000, uom: 'KGM' }],
    destinationList: [{ type: 'possessing_party', destination: `urn:textile-ledger:organisation:${municipalityId}` }],
    ilmd: { 'tl:kommune': c.kommuneCode, 'tl:collectionScheme': c.collectionScheme, 'tl:ewcCode': c.ewcCode },
  };
}

async function captureRate(events: number): Promise<number> {
  return withLedger(async (base, municipality) => {
    const document = JSON.stringify({
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-01-01T00:00:00Z',
      epcisBody: { eventList: Array.from({ length: events }, (_, i) => collectionEvent(i, municipality.id)) },
    });
    const headers = { authorization: `Bearer ${municipality.key}` };
    const started = performance.now();
    const accepted = await fetch(`${base}/epcis/capture`, { method: 'POST', headers: { ...headers, 'content-type': 'application/ld+json' }, body: document });
    if (accepted.status !== 202) throw new Error(`the capture was refused: ${accepted.status} ${(await accepted.text()).slice(0, 300)}`);
    const location = accepted.headers.get('location')!;
    for (;;) {
      const job = (await (await fetch(`${base}${location}`, { headers })).json()) as { status: string; summary: { captured: number; refused: number } };
      if (job.status === 'finished') {
        if (job.summary.captured !== events) throw new Error(`the capture did not record every event: ${JSON.stringify(job.summary)}`);
        return events / ((performance.now() - started) / 1000);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
}

async function bulkJsonRate(rows: number): Promise<number> {
  return withLedger(async (base, municipality) => {
    const started = performance.now();
    for (let from = 0; from < rows; from += 1_000) {
      const collections = Array.from({ length: Math.min(1_000, rows - from) }, (_, k) => {
        const c = generatedCollection(from + k);
        return { batchId: batchIdOf(from + k), kommuneCode: c.kommuneCode, collectionScheme: c.collectionScheme, ewcCode: c.ewcCode, massGrams: c.massGrams, occurredAt: `${c.date}T00:00:00+01:00` };
      });
      const response = await fetch(`${base}/batches/collections/bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${municipality.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ collections }),
      });
      const answer = (await response.json()) as { succeeded?: number };
      if (!response.ok || answer.succeeded !== collections.length) throw new Error(`the bulk import failed: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
    }
    return rows / ((performance.now() - started) / 1000);
  });
}

export async function benchEpcisCapture(options: { events?: number } = {}): Promise<Figure[]> {
  const events = options.events ?? 10_000;
  log(`bulk JSON import of ${events} collections…`);
  const bulk = await bulkJsonRate(events);
  log(`EPCIS capture of the same ${events} collections as one document…`);
  const capture = await captureRate(events);
  return [{ name: `epcis-capture-${events}-events`, value: capture, unit: 'events/s', reference: `bulk-json-import-${events}-rows`, ratio: capture / bulk }];
}
