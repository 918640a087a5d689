/**
 * The hardening of decision 027, end to end: security headers on every answer (API, problems, the
 * API documentation, refusals of the early hooks), ids the ledger stores for ever are short tokens,
 * every array of every request body has a documented maximum, the ledger's files are its owner's
 * alone, the request audit log redacts every credential shape (the operator's own key whatever its
 * shape), the first-start operator key goes to a 0600 file instead of stdout, the default listen
 * address is loopback, and the demo refuses a data directory that holds a real ledger.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { loadLedgerConfig } from '../../apps/ledger-api/src/config/ledger.config.js';
import { createLedgerApp } from '../../apps/ledger-api/src/ledger-app.js';
import { RequestAuditLog } from '../../apps/ledger-api/src/common/request-audit.log.js';
import { OPERATOR_KEY_FILE } from '../../apps/ledger-api/src/organisations/operator-bootstrap.js';
import { claimDemoDataDir, DEMO_MARKER_FILE, NotADemoLedgerError } from '../../apps/ledger-cli/src/demo-data-dir.js';
import { LedgerHarness, type LedgerResponse } from '../fixtures/ledger-harness.js';

const collection = (kommuneCode: string, massGrams: number) => ({ kommuneCode, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams });
const mode = (file: string): number => statSync(file).mode & 0o777;
const headerOf = (r: LedgerResponse<unknown>, name: string): string => String(r.headers[name] ?? '');

/** The directives of a Content-Security-Policy header, by name. */
function csp(r: LedgerResponse<unknown>): Map<string, string[]> {
  const header = headerOf(r, 'content-security-policy');
  expect(header).not.toBe('');
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

/** What every answer carries, whatever the route, the outcome or the kind of answer. */
function expectSecurityHeaders(r: LedgerResponse<unknown>): void {
  expect(headerOf(r, 'x-content-type-options')).toBe('nosniff');
  expect(headerOf(r, 'x-frame-options')).toBe('DENY');
  expect(headerOf(r, 'cross-origin-resource-policy')).toBe('same-origin');
  expect(csp(r).get('frame-ancestors')).toEqual(["'none'"]);
}

/** The headers that only govern a rendered document: on pages, and only on pages (decision 049). */
const DOCUMENT_ONLY = ['cross-origin-opener-policy', 'origin-agent-cluster', 'referrer-policy', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection'];

/** An answer that is not a page: a policy that lets nothing load, and none of a document's headers. */
function expectAnswerHeaders(r: LedgerResponse<unknown>): void {
  expectSecurityHeaders(r);
  expect(headerOf(r, 'content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  for (const name of DOCUMENT_ONLY) expect([name, headerOf(r, name)]).toEqual([name, '']);
}

/** A page: the web application's policy (its own origin only, no inline script, no plugins) and a document's headers. */
function expectPageHeaders(r: LedgerResponse<unknown>): void {
  expectSecurityHeaders(r);
  expect(headerOf(r, 'content-type')).toMatch(/^text\/html/);
  const policy = csp(r);
  expect(policy.get('default-src')).toEqual(["'self'"]);
  expect(policy.get('script-src')).toEqual(["'self'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('connect-src')).toEqual(["'self'"]);
  expect(headerOf(r, 'cross-origin-opener-policy')).toBe('same-origin');
  expect(headerOf(r, 'referrer-policy')).toBe('no-referrer');
  for (const name of DOCUMENT_ONLY) expect([name, headerOf(r, name)]).not.toEqual([name, '']);
}

describe('hardening: security headers', () => {
  let ledger: LedgerHarness;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('every answer carries them: API reads, problems, unknown routes, the early hooks’ refusals, health', async () => {
    const answers = [
      await ledger.get('/organisations'),
      await ledger.get('/batches', 'tl_000000000000_not-a-registered-key-at-all'),
      await ledger.get('/no-such-route'),
      await ledger.request('GET', '/health', { key: null }),
      await ledger.request('POST', '/batches/collections', { body: collection('0657', 1_000), headers: { 'content-encoding': 'gzip' } }),
      await ledger.request('GET', '/organisations', { headers: { 'x-correlation-id': 'not a token' } }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 200, 415, 400]);
    for (const answer of answers) expectAnswerHeaders(answer);
  });

  it('the web application’s page carries a document’s headers; its scripts and styles those of an answer', async () => {
    const page = await ledger.request<string>('GET', '/', { key: null });
    expect(page.status).toBe(200);
    expectPageHeaders(page);
    // Not the API documentation's allowances: no inline style, no data: images.
    expect(csp(page).get('style-src')).toEqual(["'self'"]);
    expect(csp(page).get('img-src')).toEqual(["'self'"]);
    const assets = [...page.body.matchAll(/(?:src|href)="(\/?[^":]+\.(?:js|css))"/g)].map(([, src]) => src!);
    expect(assets.length).toBeGreaterThan(0);
    for (const src of assets) {
      const asset = await ledger.request('GET', new URL(src, 'http://ledger/').pathname, { key: null });
      expect([src, asset.status]).toEqual([src, 200]);
      expectAnswerHeaders(asset);
    }
  });

  it('a 304 revalidating a stored page carries no security header, so the browser keeps the page’s own', async () => {
    // Given the page, stored with its validator
    const page = await ledger.request<string>('GET', '/', { key: null });
    expectPageHeaders(page);
    const etag = headerOf(page, 'etag');
    expect(etag).not.toBe('');
    // When the browser revalidates it (a reload)
    const revalidated = await ledger.request('GET', '/', { key: null, headers: { 'if-none-match': etag } });
    // Then the 304's headers, which replace the stored ones, leave its policy alone: an answer's
    // `default-src 'none'` there would stop every script of the cached page
    expect(revalidated.status).toBe(304);
    for (const name of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'cross-origin-resource-policy', ...DOCUMENT_ONLY]) {
      expect([name, headerOf(revalidated, name)]).toEqual([name, '']);
    }
    expect(headerOf(revalidated, 'x-request-id')).not.toBe('');
  });

  it('/docs works under its policy: scripts from files only, the inline styles and data: icons Swagger UI draws with', async () => {
    const page = await ledger.request<string>('GET', '/docs', { key: null });
    expect(page.status).toBe(200);
    expectPageHeaders(page);
    expect(csp(page).get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp(page).get('img-src')).toEqual(["'self'", 'data:']);
    // Every script of the page is a file of the ledger's own origin: the policy needs no inline script.
    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\.?\/?docs\/|src="[^":]+"/);
      expect(body!.trim()).toBe('');
    }
    for (const [, src] of page.body.matchAll(/<script[^>]*src="([^"]+)"/g)) {
      const asset = await ledger.request('GET', new URL(src!, 'http://ledger/docs').pathname, { key: null });
      expect(asset.status).toBe(200);
      expectAnswerHeaders(asset);
    }
    const init = await ledger.request<string>('GET', '/docs/swagger-ui-init.js', { key: null });
    // No validator badge: it would load an image from another origin, which img-src refuses.
    expect(init.body).toMatch(/"validatorUrl":\s*null/);
    const json = await ledger.request('GET', '/docs-json', { key: null });
    expect(json.status).toBe(200);
    expectAnswerHeaders(json);
  });

  it('sends Strict-Transport-Security only when told the ledger is reached over TLS', async () => {
    expect(headerOf(await ledger.get('/organisations'), 'strict-transport-security')).toBe('');
    const behindTls = await LedgerHarness.start({ env: { LEDGER_HSTS: 'true' } });
    try {
      expect(headerOf(await behindTls.get('/organisations'), 'strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(headerOf(await behindTls.request('GET', '/', { key: null }), 'strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await behindTls.close();
    }
  });

  it('listens on loopback unless LEDGER_HOST says otherwise', () => {
    expect(loadLedgerConfig({}).host).toBe('127.0.0.1');
    expect(loadLedgerConfig({ LEDGER_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });
});

describe('hardening: correlation and request ids are short tokens', () => {
  let ledger: LedgerHarness;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
  });
  afterAll(async () => {
    await ledger.close();
  });

  const refused: ReadonlyArray<[string, string]> = [
    ['a formula', '=HYPERLINK("https://evil.example","click")'],
    ['16 KiB', 'c'.repeat(16 * 1024)],
    ['65 characters', 'c'.repeat(65)],
    ['markup', '<script>alert(1)</script>'],
    ['a space', 'trace 42'],
  ];

  for (const [what, value] of refused) {
    it(`refuses an X-Correlation-Id with ${what}: 400 invalid-correlation-id, nothing appended`, async () => {
      const before = await ledger.store.headPosition();
      const r = await ledger.request<{ code: string }>('POST', '/organisations', { body: { name: 'Formula ApS', roles: ['collector'] }, headers: { 'x-correlation-id': value } });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('invalid-correlation-id');
      expect(headerOf(r, 'content-type')).toContain('application/problem+json');
      expect(await ledger.store.headPosition()).toBe(before);
    });
  }

  it('refuses a bulk request with a malformed correlation id before any collection is appended', async () => {
    const municipality = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    const before = await ledger.store.headPosition();
    const r = await ledger.post<{ code: string }>('/batches/collections/bulk', { collections: [collection('0657', 1_000), collection('0657', 2_000)] }, municipality.key, {
      'x-correlation-id': 'x'.repeat(106),
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid-correlation-id');
    expect(await ledger.store.headPosition()).toBe(before);
  });

  it('refuses a malformed X-Request-Id: 400 invalid-request-id', async () => {
    const r = await ledger.request<{ code: string }>('GET', '/organisations', { headers: { 'x-request-id': '=1+1' } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid-request-id');
    // The answer still names a request id an auditor can find: one the ledger chose.
    expect(headerOf(r, 'x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stores a UUID or a W3C traceparent as given', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const r = await ledger.request<{ organisationId: string }>('POST', '/organisations', {
      body: { name: 'Traced ApS', roles: ['collector'] },
      headers: { 'x-correlation-id': traceparent, 'x-request-id': 'b3f1c6a2-5d0e-4f5a-9c1e-2a7d8e9f0a1b' },
    });
    expect(r.status).toBe(201);
    expect(headerOf(r, 'x-request-id')).toBe('b3f1c6a2-5d0e-4f5a-9c1e-2a7d8e9f0a1b');
    const [event] = await ledger.store.readStream(`organisation-${r.body.organisationId}`);
    expect(event?.metadata.correlationId).toBe(traceparent);
  });
});

/** Every array schema in a JSON schema, with where it is. */
function arraysIn(schema: unknown, where: string, resolve: (ref: string) => unknown, seen = new Set<unknown>()): Array<{ where: string; schema: Record<string, unknown> }> {
  if (typeof schema !== 'object' || schema === null || seen.has(schema)) return [];
  seen.add(schema);
  const node = schema as Record<string, unknown>;
  if (typeof node.$ref === 'string') return arraysIn(resolve(node.$ref), where, resolve, seen);
  const found: Array<{ where: string; schema: Record<string, unknown> }> = [];
  if (node.type === 'array') found.push({ where, schema: node });
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples' || key === 'default') continue;
    if (Array.isArray(value)) value.forEach((item, i) => found.push(...arraysIn(item, `${where}.${key}[${i}]`, resolve, seen)));
    else found.push(...arraysIn(value, `${where}.${key}`, resolve, seen));
  }
  return found;
}

describe('hardening: every array of every request body has a documented maximum', () => {
  let ledger: LedgerHarness;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('states maxItems on each of them in the OpenAPI document', async () => {
    const document = (await ledger.request<Record<string, unknown>>('GET', '/docs-json', { key: null })).body;
    const resolve = (ref: string): unknown => ref.replace(/^#\//, '').split('/').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], document);
    const unbounded: string[] = [];
    let arrays = 0;
    for (const [route, operations] of Object.entries(document.paths as Record<string, Record<string, { requestBody?: unknown }>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const found of arraysIn(operation.requestBody, `${method.toUpperCase()} ${route}`, resolve)) {
          arrays += 1;
          if (typeof found.schema.maxItems !== 'number') unbounded.push(found.where);
        }
      }
    }
    expect(arrays).toBeGreaterThan(5);
    expect(unbounded).toEqual([]);
  });

  it('refuses one role too many, one site too many, one programme tag too many and one fibre too many with a 400 naming the list', async () => {
    const municipality = await ledger.registerOrganisation('Ikast-Brande Kommune', ['municipality'], '0756');
    const sorter = await ledger.registerOrganisation('Sorter ApS', ['sorter']);
    const roles = ['municipality', 'collector', 'sorter', 'recycler', 'manufacturer', 'brand', 'auditor', 'operator'];
    const fibres = ['cotton', 'polyester', 'wool'];
    const cases: Array<{ url: string; body: unknown; key?: string; path: string }> = [
      { url: '/organisations', body: { name: 'Every Role ApS', roles: [...roles, 'brand'] }, path: 'roles' },
      { url: '/organisations', body: { name: 'Many Sites ApS', roles: ['collector'], sites: Array.from({ length: 101 }, (_, i) => ({ name: `Site ${i}` })) }, path: 'sites' },
      { url: '/batches/collections', body: { ...collection('0756', 1_000), programmeTags: Array.from({ length: 21 }, (_, i) => `tag-${i}`) }, key: municipality.key, path: 'programmeTags' },
      {
        url: '/batches/residuals',
        body: { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 5_000, description: 'offcuts', composition: Array.from({ length: 16 }, (_, i) => ({ fibre: fibres[i % 3], share: 625 })) },
        key: sorter.key,
        path: 'composition',
      },
      { url: '/batches/collections/bulk', body: { collections: Array.from({ length: 1_001 }, () => collection('0756', 1_000)) }, key: municipality.key, path: 'collections' },
    ];
    for (const c of cases) {
      const before = await ledger.store.headPosition();
      const r = await ledger.post<{ code: string; errors: Array<{ path: string; message: string }> }>(c.url, c.body, c.key);
      expect({ url: c.url, status: r.status, code: r.body.code }).toEqual({ url: c.url, status: 400, code: 'invalid-body' });
      expect(r.body.errors).toContainEqual({ path: c.path, message: expect.stringContaining('at most') });
      expect(await ledger.store.headPosition()).toBe(before);
    }
    // At the bound: every role once is accepted.
    expect((await ledger.post('/organisations', { name: 'Every Role ApS', roles: roles.filter((r) => r !== 'municipality') })).status).toBe(201);
  });
});

describe('hardening: files, redaction and the first-start key', () => {
  const dirs: string[] = [];
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the data directory 0700 and every database, key and audit file 0600, whatever the umask', async () => {
    // Given the most permissive umask: nothing may rely on it.
    const previous = process.umask(0);
    const parent = tempDir('ledger-modes-');
    const dataDir = path.join(parent, 'data');
    let ledger: LedgerHarness | undefined;
    try {
      ledger = await LedgerHarness.start({ dataDir, env: { LEDGER_REQUEST_AUDIT_FLUSH_MS: '3600000' } });
      await ledger.registerOrganisation('Mode ApS', ['collector']);
      await ledger.app.get(RequestAuditLog).flush();
      const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      const all = files(dataDir);
      // The log, its WAL and shared memory, the read models', the signing key and a request-audit day.
      for (const name of ['events.sqlite', 'events.sqlite-wal', 'events.sqlite-shm', 'read-models.sqlite', 'read-models.sqlite-wal', 'audit-key.pem']) {
        expect(all).toContain(path.join(dataDir, name));
      }
      expect(all.some((f) => /requests-\d{4}-\d{2}-\d{2}\.ndjson$/.test(f))).toBe(true);
      expect(all.map((f) => [path.relative(dataDir, f), mode(f).toString(8)])).toEqual(all.map((f) => [path.relative(dataDir, f), '600']));
      expect(mode(dataDir).toString(8)).toBe('700');
      expect(mode(path.join(dataDir, 'request-audit')).toString(8)).toBe('700');
    } finally {
      process.umask(previous);
      await ledger?.close({ keepData: true });
    }
  });

  it('tightens database files a looser start left readable', async () => {
    const dataDir = tempDir('ledger-loose-');
    const events = path.join(dataDir, 'events.sqlite');
    writeFileSync(events, '', { mode: 0o644 });
    const ledger = await LedgerHarness.start({ dataDir });
    try {
      expect(mode(events).toString(8)).toBe('600');
    } finally {
      await ledger.close({ keepData: true });
    }
  });

  it('never writes the operator’s own key to the request audit log, whatever its shape, nor any other credential shape', async () => {
    // Given an operator key no pattern recognises: 40 letters and dots, not `tl_…`.
    const customKey = 'my.Own.Operator.Key.that.looks.like.nothing';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const generated = 'tl_0123456789ab_S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t';
    const ledger = await LedgerHarness.start({ dataDir: tempDir('ledger-redact-'), operatorKey: customKey, env: { LEDGER_REQUEST_AUDIT_FLUSH_MS: '3600000' } });
    try {
      await ledger.get(`/organisations/${customKey}`);
      await ledger.get(`/organisations?note=${encodeURIComponent(`pasted ${customKey} here`)}&api_key=hunter2&access_token=hunter3&q=${jwt}&k=${generated}`);
      await ledger.get(`/organisations?note=${encodeURIComponent(`Bearer abcdefghijklmnop`)}`);
      await ledger.post('/organisations', { name: 'Idem ApS', roles: ['collector'] }, undefined, { 'idempotency-key': `retry-${customKey}` });
      await ledger.app.get(RequestAuditLog).flush();
      const dir = path.join(ledger.dataDir, 'request-audit');
      const text = readdirSync(dir)
        .map((name) => readFileSync(path.join(dir, name), 'utf8'))
        .join('');
      const entries = text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { route: string | null; params: Record<string, string>; query: Record<string, unknown>; idempotencyKey: string | null });
      expect(entries.length).toBeGreaterThanOrEqual(4);
      for (const secret of [customKey, jwt, generated, 'hunter2', 'hunter3', 'abcdefghijklmnop']) expect(text).not.toContain(secret);
      expect(entries.find((e) => e.route === '/organisations/:organisationId')?.params).toEqual({ organisationId: '[redacted]' });
      expect(entries.find((e) => e.query.api_key !== undefined)?.query).toEqual({ note: 'pasted [redacted] here', api_key: '[redacted]', access_token: '[redacted]', q: '[redacted]', k: '[redacted]' });
      expect(entries.find((e) => e.idempotencyKey !== null)?.idempotencyKey).toBe('retry-[redacted]');
    } finally {
      await ledger.close();
    }
  });

  it('writes a generated operator key to a 0600 file in the data directory, not to stdout', async () => {
    const dataDir = tempDir('ledger-first-start-');
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const previous = process.umask(0);
    let generatedKey: string | undefined;
    try {
      const config = loadLedgerConfig({ LEDGER_DATA_DIR: dataDir, LEDGER_RECOVERY_INTERVAL_MS: '0' });
      const { app, generatedOperatorKey } = await createLedgerApp(config, { logger: false });
      generatedKey = generatedOperatorKey;
      await app.close();
    } finally {
      process.umask(previous);
    }
    expect(generatedKey).toMatch(/^tl_/);
    const file = path.join(dataDir, OPERATOR_KEY_FILE);
    expect(readFileSync(file, 'utf8').trim()).toBe(generatedKey);
    expect(mode(file).toString(8)).toBe('600');
    expect(written.join('')).not.toContain(generatedKey!);
  });
});

describe('hardening: the demo keeps out of real ledgers', () => {
  it('refuses a data directory holding a ledger it did not create, and reuses its own', async () => {
    // Given a real ledger's data directory
    const real = await LedgerHarness.start();
    await real.close({ keepData: true });
    try {
      const before = readdirSync(real.dataDir).sort();
      expect(() => claimDemoDataDir(real.dataDir)).toThrow(NotADemoLedgerError);
      // Nothing was written into it.
      expect(readdirSync(real.dataDir).sort()).toEqual(before);
    } finally {
      rmSync(real.dataDir, { recursive: true, force: true });
    }
    // A new directory is marked as the demo's, and the demo may use it again.
    const parent = mkdtempSync(path.join(os.tmpdir(), 'ledger-demo-claim-'));
    try {
      const demoDir = path.join(parent, 'demo');
      claimDemoDataDir(demoDir);
      expect(readdirSync(demoDir)).toEqual([DEMO_MARKER_FILE]);
      const demo = await LedgerHarness.start({ dataDir: demoDir });
      await demo.close({ keepData: true });
      expect(() => claimDemoDataDir(demoDir)).not.toThrow();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
