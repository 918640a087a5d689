import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getBatch, municipalReport, provenance, type ReadDb } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { AsOfReadModels } from '../../apps/ledger-api/src/ledger/as-of-read-models.js';
import { COTTON_POLY } from '../fixtures/composition.js';
import { LedgerHarness, type LedgerResponse, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

type Json = Record<string, unknown>;
const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A moment between two steps of the flow, and what the live ledger answered then. */
interface Moment {
  readonly name: string;
  /** Head of the log once the step was answered (and, with read-your-writes, projected). */
  readonly position: number;
  /** After every event of the step was recorded and before any of the next one. */
  readonly recordedAt: string;
  readonly live: Map<string, LedgerResponse<unknown>>;
}

/** The same instant with a +01:00 offset, as a Danish auditor would write it. */
function inCopenhagenWinterTime(iso: string): string {
  const shifted = new Date(Date.parse(iso) + 3600_000).toISOString();
  return `${shifted.slice(0, -1)}+01:00`;
}

function withParam(url: string, param: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${param}`;
}

/** A problem's `instance` is the request URL, which differs by the as-of parameter; the rest must not. */
function comparable(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { asOf: _asOf, instance: _instance, ...rest } = body as Json;
  return rest;
}

type Topology = readonly ['sqlite' | 'postgres', 'worker' | 'in-process'];
const topologies: readonly Topology[] = [
  ['sqlite', 'worker'],
  ['sqlite', 'in-process'],
  ['postgres', 'worker'],
];

/**
 * Records a flow step by step (collection → sorting → outcome → dispatch/receive → recycling) and,
 * after each step, notes the log position, a recorded time, and what every query endpoint answered
 * live. Then it asks every endpoint again as of each noted moment, on both axes, and expects the
 * very answers the live ledger gave then: nothing here computes what the answer should be.
 */
describe.each(topologies)('as-of queries over HTTP (event log: %s, as-of replay: %s)', (eventLog, projections) => {
  let postgres: TestPostgres | undefined;
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  /** Reads as an auditor, who may see everything: what each organisation may see is the matrix test's concern. */
  let auditor: RegisteredOrganisation;
  const moments: Moment[] = [];
  const ids = { collected: randomUUID(), second: randomUUID(), sorting: randomUUID(), reuse: randomUUID(), recycling: randomUUID(), recyclingProcess: randomUUID(), fibre: randomUUID() };
  let urls: string[];

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { LEDGER_PROJECTIONS: projections, LEDGER_STORE: eventLog, LEDGER_READ_MODELS: eventLog };
    if (eventLog === 'postgres') {
      postgres = await startTestPostgres();
      env.LEDGER_DATABASE_URL = await postgres.createDatabase();
    }
    ledger = await LedgerHarness.start({ env });
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler']);
    auditor = await ledger.registerOrganisation('Revisionsfirma', ['auditor']);
    urls = [
      '/organisations',
      `/organisations/${recycler.id}`,
      `/batches?custodianOrgId=${sorter.id}`,
      `/batches?custodianOrgId=${recycler.id}&status=available`,
      `/batches/${ids.collected}`,
      `/batches/${ids.recycling}`,
      `/batches/${ids.recycling}/custody`,
      `/batches/${ids.collected}/lineage?direction=downstream`,
      `/batches/${ids.fibre}/lineage?direction=upstream`,
      `/batches/${ids.recycling}/provenance`,
      `/processes/${ids.sorting}`,
      `/processes/${ids.recyclingProcess}`,
      `/reports/inventory/${sorter.id}`,
      `/reports/inventory/${recycler.id}?from=2026-01-01T00:00:00Z`,
      '/reports/circularity?kommuneCode=0657&period=quarter',
      '/reports/municipal/0657/2026',
      '/reports/municipal/0657/2026?quarter=1&format=csv',
    ];
  }, 60_000);

  afterAll(async () => {
    await ledger?.close();
    await postgres?.stop();
  }, 60_000);

  async function ok(response: Promise<LedgerResponse<Json>>, status: number): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function note(name: string): Promise<void> {
    const position = await ledger.store.headPosition();
    await ledger.runner.waitForPosition(position);
    const live = new Map<string, LedgerResponse<unknown>>();
    for (const url of urls) live.set(url, await ledger.get<unknown>(url, auditor.key));
    // The store stamps with the wall clock: a few ms on each side separate this step from the next.
    await sleep(5);
    const recordedAt = new Date().toISOString();
    await sleep(5);
    moments.push({ name, position, recordedAt, live });
  }

  it('records a flow, noting every query’s live answer between the steps', async () => {
    await note('organisations registered');
    await ok(ledger.post('/batches/collections', { batchId: ids.collected, kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 600_000, collectorOrgId: sorter.id, occurredAt: '2026-02-10T09:00:00+01:00' }, herning.key), 201);
    await note('collected');
    await ok(ledger.post('/batches/collections', { batchId: ids.second, kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 10', massGrams: 250_000, collectorOrgId: sorter.id, occurredAt: '2026-05-02T09:00:00+02:00' }, herning.key), 201);
    await ok(
      ledger.post(
        '/processes',
        {
          processId: ids.sorting,
          processType: 'sorting',
          inputs: [{ batchId: ids.collected }],
          outputs: [
            { batchId: ids.reuse, massGrams: 250_000, grade: 'reuse', composition: COTTON_POLY },
            { batchId: ids.recycling, massGrams: 330_000, grade: 'recycling', composition: COTTON_POLY },
          ],
          losses: [{ kind: 'moisture-dust', massGrams: 20_000 }],
        },
        sorter.key,
      ),
      201,
    );
    await note('sorted');
    await ok(ledger.post(`/batches/${ids.reuse}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, sorter.key), 200);
    await ok(ledger.post(`/batches/${ids.recycling}/dispatch`, { toOrgId: recycler.id }, sorter.key), 200);
    await note('dispatched');
    await ok(ledger.post(`/batches/${ids.recycling}/receive`, { receivedMassGrams: 328_000 }, recycler.key), 200);
    await note('received');
    await ok(
      ledger.post(
        '/processes',
        {
          processId: ids.recyclingProcess,
          processType: 'mechanical-recycling',
          inputs: [{ batchId: ids.recycling }],
          outputs: [{ batchId: ids.fibre, massGrams: 300_000, grade: 'fibre', composition: COTTON_POLY }],
          losses: [{ kind: 'process-waste', massGrams: 28_000 }],
        },
        recycler.key,
      ),
      201,
    );
    await note('recycled');

    // The live answers did change along the flow, so equal as-of answers below mean something.
    const first = moments[0]!.live;
    const last = moments[moments.length - 1]!.live;
    for (const url of urls.filter((u) => !u.startsWith('/organisations'))) expect(last.get(url)!.body).not.toEqual(first.get(url)!.body);
    expect(first.get(`/batches/${ids.collected}`)!.status).toBe(404);
    expect(new Set(moments.map((m) => m.position)).size).toBe(moments.length);
  }, 60_000);

  it('answers every query as of each moment, by position and by recorded time, exactly as it answered live then', async () => {
    for (const moment of moments) {
      for (const [param, axis] of [
        [`asOfPosition=${moment.position}`, { axis: 'position', position: moment.position }],
        [`asOf=${encodeURIComponent(inCopenhagenWinterTime(moment.recordedAt))}`, { axis: 'recordedAt', recordedAt: moment.recordedAt, position: moment.position }],
      ] as const) {
        for (const url of urls) {
          const live = moment.live.get(url)!;
          const asOf = await ledger.get<unknown>(withParam(url, param), auditor.key);
          const what = `${url} as of ${moment.name} (${param})`;
          expect({ what, status: asOf.status }).toEqual({ what, status: live.status });
          expect({ what, body: comparable(asOf.body) }).toEqual({ what, body: comparable(live.body) });
          if (live.status !== 200) continue;
          expect({ what, header: JSON.parse(String(asOf.headers['ledger-as-of'])) as unknown }).toEqual({ what, header: axis });
          // JSON objects carry it in the body too; the bare list and the CSV only in the header.
          if (typeof live.body === 'object' && !Array.isArray(live.body)) expect({ what, asOf: (asOf.body as Json).asOf }).toEqual({ what, asOf: axis });
          else expect(asOf.body).toEqual(live.body);
        }
      }
    }
  }, 120_000);

  it('leaves live answers exactly as they were: no asOf member, no header', async () => {
    for (const url of urls) {
      const live = await ledger.get<unknown>(url, auditor.key);
      expect(live.headers['ledger-as-of']).toBeUndefined();
      if (typeof live.body === 'object' && live.body !== null && !Array.isArray(live.body)) expect(live.body as Json).not.toHaveProperty('asOf');
    }
  });

  it('answers a future time, or a position beyond the head, as of now, and a time before the ledger as of nothing', async () => {
    const head = await ledger.store.headPosition();
    const future = await ok(ledger.get(`/batches/${ids.fibre}?asOf=2099-01-01T00:00:00Z`, auditor.key), 200);
    expect(future.asOf).toEqual({ axis: 'recordedAt', recordedAt: '2099-01-01T00:00:00.000Z', position: head });
    const beyond = await ok(ledger.get(`/batches/${ids.fibre}?asOfPosition=${head + 1000}`, auditor.key), 200);
    expect(beyond.asOf).toEqual({ axis: 'position', position: head });
    const { asOf: _a, ...fromFuture } = future;
    expect(fromFuture).toEqual((await ledger.get(`/batches/${ids.fibre}`, auditor.key)).body);

    const before = await ledger.get<unknown[]>('/organisations?asOf=2000-01-01T00:00:00Z', auditor.key);
    expect(before.status).toBe(200);
    expect(before.body).toEqual([]);
    expect(JSON.parse(String(before.headers['ledger-as-of']))).toEqual({ axis: 'recordedAt', recordedAt: '2000-01-01T00:00:00.000Z', position: -1 });
  }, 60_000);

  it('refuses both axes at once, a malformed time and a bad position with a 400 problem, appending and replaying nothing', async () => {
    const models = ledger.app.get(AsOfReadModels);
    const head = await ledger.store.headPosition();
    const cached = models.cachedPositions();
    const bad = [
      `/batches/${ids.collected}?asOf=2026-03-01T00:00:00Z&asOfPosition=3`,
      `/reports/municipal/0657/2026?format=csv&asOf=2026-03-01T00:00:00Z&asOfPosition=3`,
      '/organisations?asOf=yesterday',
      `/batches/${ids.collected}/custody?asOf=2026-03-01T00:00:00`,
      `/batches?asOf=2026-03-01`,
      `/processes/${ids.sorting}?asOfPosition=-1`,
      `/reports/circularity?asOfPosition=1.5`,
      `/batches/${ids.collected}/provenance?asOfPosition=`,
      `/reports/inventory/${sorter.id}?asOfPosition=1e3`,
      `/batches/${ids.collected}/lineage?asOfPosition=12abc`,
    ];
    for (const url of bad) {
      const response = await ledger.get(url, auditor.key);
      expect({ url, status: response.status, type: response.headers['content-type'] }).toEqual({ url, status: 400, type: expect.stringMatching(/^application\/problem\+json/) });
      expect(response.body.code).toBe('invalid-body');
      expect(response.headers['ledger-as-of']).toBeUndefined();
    }
    const both = await ledger.get(bad[0]!, auditor.key);
    expect(String(both.body.detail)).toContain('not both');
    expect(await ledger.store.headPosition()).toBe(head);
    expect(models.cachedPositions()).toEqual(cached);
  }, 60_000);

  if (eventLog === 'sqlite' && projections === 'worker') {
    describe('npm run rebuild -- --as-of', () => {
      const rebuildCommand = path.resolve('dist/apps/ledger-cli/src/rebuild.command.js');
      const rebuild = async (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> => {
        const { LEDGER_READ_MODELS_FILE: _inherited, ...inherited } = process.env;
        try {
          const { stdout, stderr } = await run(process.execPath, [rebuildCommand, ...args], { env: { ...inherited, LEDGER_DATA_DIR: ledger.dataDir, ...env } });
          return { code: 0, stdout, stderr };
        } catch (error) {
          const failed = error as { code: number; stdout: string; stderr: string };
          return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
        }
      };
      const query = async <T>(file: string, read: (db: ReadDb) => Promise<T>): Promise<T> => {
        const db = openSqliteReadDb({ filename: file });
        try {
          return await read(db);
        } finally {
          await db.destroy();
        }
      };
      const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null)) as unknown;
      /** An HTTP answer without the members the API adds for people (names, percentages; decision 034): what the read model itself answers. */
      const readModelPart = (value: unknown): unknown =>
        JSON.parse(JSON.stringify(value ?? null), (key: string, inner: unknown) => (/(OrgName|^organisationNames?|Percent)$/.test(key) ? undefined : inner)) as unknown;

      it('rebuilds every read model as of a recorded time into a separate file, while the live ones stay untouched', async () => {
        const live = await ledger.runner.checksum();
        const sorted = moments.find((m) => m.name === 'sorted')!;
        const file = path.join(ledger.dataDir, 'as-of-sorted.sqlite');
        const result = await rebuild(['--as-of', inCopenhagenWinterTime(sorted.recordedAt)], { LEDGER_READ_MODELS_FILE: file });
        expect(result).toMatchObject({ code: 0 });
        const printed = JSON.parse(result.stdout) as Json;
        expect(printed).toMatchObject({ asOf: { axis: 'recordedAt', recordedAt: sorted.recordedAt, position: sorted.position }, position: sorted.position, events: sorted.position + 1, readModels: file });
        expect(printed.checksum).toMatch(/^[0-9a-f]{64}$/);

        // The file answers what the live ledger answered at that moment.
        const report = await query(file, (db) => municipalReport(db, '0657', 2026));
        expect(asJson(report)).toEqual(readModelPart(sorted.live.get('/reports/municipal/0657/2026')!.body));
        expect(asJson(await query(file, (db) => getBatch(db, ids.recycling)))).toEqual(readModelPart(sorted.live.get(`/batches/${ids.recycling}`)!.body));
        expect(asJson(await query(file, (db) => provenance(db, ids.recycling)))).toEqual(readModelPart(sorted.live.get(`/batches/${ids.recycling}/provenance`)!.body));
        expect(await query(file, (db) => getBatch(db, ids.fibre))).toBeUndefined();

        // Again, by position and later, into the same file: an as-of file may be replaced.
        const received = moments.find((m) => m.name === 'received')!;
        const again = await rebuild([`--as-of=${received.position}`], { LEDGER_READ_MODELS_FILE: file });
        expect(again.code).toBe(0);
        expect(JSON.parse(again.stdout)).toMatchObject({ asOf: { axis: 'position', position: received.position }, events: received.position + 1 });
        expect(asJson(await query(file, (db) => getBatch(db, ids.recycling)))).toEqual(readModelPart(received.live.get(`/batches/${ids.recycling}`)!.body));
        expect((await ledger.runner.checksum()).total).toBe(live.total);
      }, 60_000);

      it('refuses the live read store, an unnamed one, one a server or full rebuild wrote, and a malformed moment', async () => {
        const live = await ledger.runner.checksum();
        const unnamed = await rebuild(['--as-of', '3'], {});
        expect(unnamed.code).toBe(1);
        expect(unnamed.stderr).toContain('LEDGER_READ_MODELS_FILE');

        const theLiveFile = await rebuild(['--as-of', '3'], { LEDGER_READ_MODELS_FILE: path.join(ledger.dataDir, 'read-models.sqlite') });
        expect(theLiveFile.code).toBe(1);
        expect(theLiveFile.stderr).toContain('is the live read-model file');

        // A blue-green copy built by a full rebuild is read models a server may be serving.
        const green = path.join(ledger.dataDir, 'read-models-green.sqlite');
        expect((await rebuild([], { LEDGER_READ_MODELS_FILE: green })).code).toBe(0);
        const greenBefore = await query(green, (db) => getBatch(db, ids.fibre));
        const overGreen = await rebuild(['--as-of', '3'], { LEDGER_READ_MODELS_FILE: green });
        expect(overGreen.code).toBe(1);
        expect(overGreen.stderr).toContain('a server or a full rebuild wrote');
        expect(await query(green, (db) => getBatch(db, ids.fibre))).toEqual(greenBefore);

        for (const moment of ['yesterday', '2026-03-01', '2026-03-01T00:00:00', '-1', '']) {
          const malformed = await rebuild(['--as-of', moment], { LEDGER_READ_MODELS_FILE: path.join(ledger.dataDir, 'never.sqlite') });
          expect({ moment, code: malformed.code }).toEqual({ moment, code: 2 });
        }
        expect((await ledger.runner.checksum()).total).toBe(live.total);
      }, 60_000);
    });
  }
});

describe('as-of replay limit', () => {
  let ledger: LedgerHarness;
  afterAll(async () => {
    await ledger?.close();
  }, 60_000);

  it('refuses with a 422 problem a query that would replay more events than LEDGER_AS_OF_MAX_REPLAY_EVENTS', async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_AS_OF_MAX_REPLAY_EVENTS: '4' } });
    for (const name of ['A', 'B', 'C']) await ledger.registerOrganisation(`Org ${name}`, ['collector']);
    const head = await ledger.store.headPosition();
    expect(head).toBeGreaterThan(4);

    const refused = await ledger.get(`/organisations?asOfPosition=${head}`);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'as-of-replay-too-large', eventsToReplay: head + 1, maxReplayEvents: 4 });
    expect(String(refused.body.detail)).toContain('rebuild -- --as-of');

    // Within the limit from zero, and then within it again from that store.
    expect((await ledger.get('/organisations?asOfPosition=3')).status).toBe(200);
    expect((await ledger.get(`/organisations?asOfPosition=${Math.min(head, 7)}`)).status).toBe(200);
  }, 60_000);
});
