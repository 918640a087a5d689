/**
 * The permission matrix (docs/security.md), table-driven: every endpoint × every role
 * × every relationship of the viewer to the batch, process, organisation or kommune it names. Each
 * row says what the matrix allows; a refused read is a 403/404 problem (a batch the viewer may not
 * see answers exactly like one that does not exist), a refused write is a 403/404 problem that
 * appends nothing. The coverage test walks the OpenAPI document, so an endpoint without rows fails.
 *
 * Expectations come from the matrix and the scenario's own ground truth
 * (test/fixtures/multi-tenant-scenario.ts), never from the implementation.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LedgerHarness, type LedgerResponse, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import {
  COTTON,
  EMPTY_KOMMUNE,
  KOMMUNE,
  KOMMUNE_RELATIONS,
  MATERIAL_ROLES,
  MultiTenantScenario,
  RELATIONS,
  ROLES,
  UNKNOWN_ID,
  gramsIn,
  massPattern,
  type KommuneRelation,
  type MaterialRole,
  type Relation,
  type Role,
  type ScenarioOrg,
} from '../fixtures/multi-tenant-scenario.js';

type Json = Record<string, unknown>;

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

interface Row {
  /** The OpenAPI operation, `METHOD /path/{param}`, or a route outside the document (docs). */
  readonly operation: string;
  readonly title: string;
  readonly run: () => Promise<void>;
}

/** Routes the ledger serves outside its OpenAPI document. */
const OUTSIDE_OPENAPI = new Set(['GET /docs', 'GET /docs-json']);

const PRIVILEGED: readonly Role[] = ['auditor', 'operator'];
const isPrivileged = (role: Role): boolean => PRIVILEGED.includes(role);
const REASON = 'support ticket 4711: the sorter cannot reach the API';

let ledger: LedgerHarness;
let s: MultiTenantScenario;

// ------------------------------------------------------------------------------------------ checks

class Mismatch extends Error {}

function describeResponse(r: LedgerResponse<unknown>): string {
  const body = typeof r.body === 'string' ? r.body.slice(0, 300) : JSON.stringify(r.body).slice(0, 400);
  return `${r.status} ${body}`;
}

function expectStatus(r: LedgerResponse<unknown>, status: number): void {
  if (r.status !== status) throw new Mismatch(`expected ${status}, got ${describeResponse(r)}`);
}

/** An RFC 9457 problem with one of `statuses` and, when given, one of `codes`. */
function expectProblem(r: LedgerResponse<unknown>, statuses: readonly number[], codes?: readonly string[]): Problem {
  const problem = r.body as Problem;
  if (!statuses.includes(r.status) || (codes !== undefined && !codes.includes(problem?.code))) {
    throw new Mismatch(`expected ${statuses.join('/')}${codes ? ` ${codes.join('|')}` : ''}, got ${describeResponse(r)}`);
  }
  expect(String(r.headers['content-type'])).toContain('application/problem+json');
  expect(problem).toMatchObject({ status: r.status, type: expect.stringMatching(/\S/), title: expect.stringMatching(/\S/), detail: expect.stringMatching(/\S/), code: expect.stringMatching(/\S/) });
  return problem;
}

/** A write the matrix refuses: a problem, and nothing appended. */
async function expectRefusedWrite(send: () => Promise<LedgerResponse<unknown>>, statuses: readonly number[], codes?: readonly string[]): Promise<void> {
  const before = await ledger.store.headPosition();
  const r = await send();
  const after = await ledger.store.headPosition();
  expectProblem(r, statuses, codes);
  if (after !== before) throw new Mismatch(`refused with ${r.status}, but the log grew from ${before} to ${after}`);
}

function keyOf(role: Role): string {
  return s.viewer(role).key;
}

const get = (url: string, role: Role, headers?: Record<string, string>) => ledger.request<unknown>('GET', url, { key: keyOf(role), ...(headers ? { headers } : {}) });
const post = (url: string, body: unknown, role: Role, headers?: Record<string, string>) => ledger.request<unknown>('POST', url, { key: keyOf(role), body, ...(headers ? { headers } : {}) });

// ------------------------------------------------------------------------------------------ rows

const rows: Row[] = [];
const row = (operation: string, title: string, run: () => Promise<void>): void => {
  rows.push({ operation, title: `${operation} · ${title}`, run });
};

// ---- public

row('GET /health', 'no credentials → 200', async () => expectStatus(await ledger.request('GET', '/health', { key: null }), 200));
row('GET /health/live', 'no credentials → 200', async () => expectStatus(await ledger.request('GET', '/health/live', { key: null }), 200));
row('GET /health/ready', 'no credentials → 200 (the ledger is ready)', async () => expectStatus(await ledger.request('GET', '/health/ready', { key: null }), 200));
row('GET /docs', 'no credentials → served', async () => {
  const r = await ledger.request('GET', '/docs', { key: null });
  if (r.status >= 400) throw new Mismatch(`expected the Swagger UI, got ${r.status}`);
});
row('GET /docs-json', 'no credentials → 200', async () => expectStatus(await ledger.request('GET', '/docs-json', { key: null }), 200));
// What the sign-in page reads before it holds a credential (decision 035): public, and the same for everyone.
row('GET /web/config', 'no credentials → 200', async () => expectStatus(await ledger.request('GET', '/web/config', { key: null }), 200));
for (const role of ROLES) row('GET /web/config', `${role} → 200`, async () => expectStatus(await get('/web/config', role), 200));

// ---- any authenticated organisation

const AUTHENTICATED_READS: Array<[string, () => string]> = [
  ['GET /organisations', () => '/organisations'],
  ['GET /organisations/{organisationId}', () => `/organisations/${s.org('sortB').id}`],
  ['GET /audit/public-key', () => '/audit/public-key'],
  ['GET /audit/checkpoints', () => '/audit/checkpoints'],
  ['GET /audit/proofs/consistency', () => `/audit/proofs/consistency?from=1&to=${s.headPosition}`],
  ['GET /claims/standards', () => '/claims/standards'],
];
for (const [operation, url] of AUTHENTICATED_READS) {
  for (const role of ROLES) row(operation, `${role} → 200`, async () => expectStatus(await get(url(), role), 200));
}

// ---- the organisation itself, auditors and the operator

const OWN_ORGANISATION_READS: Array<[string, (org: ScenarioOrg) => string]> = [
  ['GET /organisations/{organisationId}/api-keys', (org) => `/organisations/${org.id}/api-keys`],
  ['GET /reports/inventory/{organisationId}', (org) => `/reports/inventory/${org.id}`],
  ['GET /organisations/{organisationId}/processes', (org) => `/organisations/${org.id}/processes`],
  ['GET /organisations/{organisationId}/shipments', (org) => `/organisations/${org.id}/shipments`],
  ['GET /organisations/{organisationId}/claims', (org) => `/organisations/${org.id}/claims`],
  ['GET /organisations/{organisationId}/mass-balance-accounts', (org) => `/organisations/${org.id}/mass-balance-accounts`],
  ['GET /organisations/{organisationId}/mass-balance-accounts/{periodId}', (org) => `/organisations/${org.id}/mass-balance-accounts/2026`],
];
for (const [operation, url] of OWN_ORGANISATION_READS) {
  for (const role of ROLES) {
    row(operation, `${role} · own organisation → 200`, async () => expectStatus(await get(url(s.viewer(role)), role), 200));
    const other = (): ScenarioOrg => s.org(role === 'sorter' ? 'recB' : 'sortB');
    if (isPrivileged(role)) row(operation, `${role} · another organisation → 200`, async () => expectStatus(await get(url(other()), role), 200));
    else row(operation, `${role} · another organisation → 403`, async () => void expectProblem(await get(url(other()), role), [403]));
  }
}

// ---- collector authorisations: the municipality itself, auditors and the operator all; a collector those naming it; no one else

interface AuthorisationEntry {
  kommuneCode: string;
  collectorOrgId: string;
}
const authorisations = (municipality: ScenarioOrg, role: Role, query = '', headers?: Record<string, string>) =>
  get(`/organisations/${municipality.id}/collector-authorisations${query}`, role, headers);
function collectorsNamed(r: LedgerResponse<unknown>): string[] {
  expectStatus(r, 200);
  return [...new Set((r.body as AuthorisationEntry[]).map((e) => e.collectorOrgId))].sort();
}
/** A second collector of munA's, so that narrowing to one collector has something to leave out. */
async function anotherCollectorOfMunA(label: string): Promise<string> {
  const collector = await ledger.registerOrganisation(`Collector for ${label}`, ['collector']);
  expectStatus(await post(`/organisations/${s.org('munA').id}/collector-authorisations`, { collectorOrgId: collector.id }, 'municipality'), 201);
  return collector.id;
}
{
  const operation = 'GET /organisations/{organisationId}/collector-authorisations';
  const NOT_PERMITTED = ['not-municipality-or-collector'];
  for (const role of ROLES) {
    if (role === 'municipality') {
      row(operation, 'municipality · itself → 200, every collector it authorised', async () => {
        const other = await anotherCollectorOfMunA('the municipality row');
        expect(collectorsNamed(await authorisations(s.org('munA'), role))).toEqual(expect.arrayContaining([s.org('colA').id, other]));
      });
      row(operation, 'municipality · itself, for one collector → 200, that collector only', async () => {
        await anotherCollectorOfMunA('the filtered municipality row');
        expect(collectorsNamed(await authorisations(s.org('munA'), role, `?collectorOrgId=${s.org('colA').id}`))).toEqual([s.org('colA').id]);
      });
      row(operation, 'municipality · another municipality → 403', async () => void expectProblem(await authorisations(s.org('munB'), role), [403], NOT_PERMITTED));
    } else if (role === 'collector') {
      row(operation, 'collector · the municipality that authorised it → 200, only the entries naming it', async () => {
        await anotherCollectorOfMunA('the collector row');
        const r = await authorisations(s.org('munA'), role);
        expect(collectorsNamed(r)).toEqual([s.viewer(role).id]);
        expect((r.body as AuthorisationEntry[]).every((e) => e.kommuneCode === KOMMUNE.munA)).toBe(true);
      });
      row(operation, "collector · another collector's entries → 403 scope-not-permitted", async () => {
        const other = await anotherCollectorOfMunA('the prying collector row');
        expectProblem(await authorisations(s.org('munA'), role, `?collectorOrgId=${other}`), [403], ['scope-not-permitted']);
      });
      row(operation, 'collector · a municipality that did not authorise it → 200, nothing', async () => {
        expect(collectorsNamed(await authorisations(s.org('munB'), role))).toEqual([]);
      });
    } else if (isPrivileged(role)) {
      row(operation, `${role} · any municipality → 200, every collector`, async () => {
        expect(collectorsNamed(await authorisations(s.org('munA'), role))).toEqual(expect.arrayContaining([s.org('colA').id]));
        expect(collectorsNamed(await authorisations(s.org('munB'), role))).toEqual([s.org('colB').id]);
      });
    } else {
      row(operation, `${role} · a municipality → 403`, async () => void expectProblem(await authorisations(s.org('munA'), role), [403], NOT_PERMITTED));
    }
  }
  row(operation, 'operator impersonating a sorter → 403', async () => {
    expectProblem(await authorisations(s.org('munA'), 'operator', '', as(s.viewer('sorter'))), [403], NOT_PERMITTED);
  });
}

// ---- the municipality of the kommune, auditors and the operator

for (const role of ROLES) {
  const url = (kommune: string) => `/reports/municipal/${kommune}/${s.year}`;
  const operation = 'GET /reports/municipal/{kommuneCode}/{year}';
  if (role === 'municipality') {
    row(operation, 'municipality · own kommune → 200', async () => expectStatus(await get(url(KOMMUNE.munA), role), 200));
    row(operation, 'municipality · own kommune, CSV → 200', async () => expectStatus(await get(`${url(KOMMUNE.munA)}?format=csv`, role), 200));
    row(operation, 'municipality · another kommune → 403', async () => void expectProblem(await get(url(KOMMUNE.munB), role), [403]));
    row(operation, 'municipality · another kommune, CSV → 403', async () => void expectProblem(await get(`${url(KOMMUNE.munB)}?format=csv`, role), [403]));
  } else if (isPrivileged(role)) {
    row(operation, `${role} · any kommune → 200`, async () => expectStatus(await get(url(KOMMUNE.munB), role), 200));
  } else {
    row(operation, `${role} · a kommune → 403`, async () => void expectProblem(await get(url(KOMMUNE.munA), role), [403]));
  }
}

// ---- the municipal flows: the municipal report's rule (decision 036)

for (const role of ROLES) {
  const url = (kommune: string, query = '') => `/reports/municipal/${kommune}/${s.year}/flows${query}`;
  const operation = 'GET /reports/municipal/{kommuneCode}/{year}/flows';
  if (role === 'municipality') {
    row(operation, 'municipality · own kommune → 200', async () => expectStatus(await get(url(KOMMUNE.munA), role), 200));
    row(operation, 'municipality · own kommune, a quarter → 200', async () => expectStatus(await get(url(KOMMUNE.munA, '?quarter=2'), role), 200));
    row(operation, 'municipality · another kommune → 403', async () => void expectProblem(await get(url(KOMMUNE.munB), role), [403]));
  } else if (isPrivileged(role)) {
    row(operation, `${role} · any kommune → 200`, async () => expectStatus(await get(url(KOMMUNE.munB), role), 200));
  } else {
    row(operation, `${role} · a kommune → 403`, async () => void expectProblem(await get(url(KOMMUNE.munA), role), [403]));
  }
}

// ---- auditors and the operator only

for (const role of ROLES) {
  const operation = 'GET /audit/requests';
  if (isPrivileged(role)) row(operation, `${role} → 200`, async () => expectStatus(await get('/audit/requests', role), 200));
  else row(operation, `${role} → 403`, async () => void expectProblem(await get('/audit/requests', role), [403]));
}

// ---- batches: full view or 404, indistinguishable from a batch that does not exist

const BATCH_READS: Array<[string, (id: string) => string]> = [
  ['GET /batches/{batchId}', (id) => `/batches/${id}`],
  ['GET /batches/{batchId}/lineage', (id) => `/batches/${id}/lineage?direction=upstream`],
  ['GET /batches/{batchId}/lineage', (id) => `/batches/${id}/lineage?direction=downstream`],
  ['GET /batches/{batchId}/provenance', (id) => `/batches/${id}/provenance`],
  ['GET /batches/{batchId}/custody', (id) => `/batches/${id}/custody`],
  ['GET /batches/{batchId}/history', (id) => `/batches/${id}/history`],
  ['GET /audit/batches/{batchId}/history', (id) => `/audit/batches/${id}/history`],
  ['GET /batches/{batchId}/claims', (id) => `/batches/${id}/claims`],
];

/** What the matrix says of a material viewer's reads of a batch it relates to so. */
const READ_ALLOWED: Record<Relation | KommuneRelation, boolean> = {
  custodian: true,
  'custodian-sending': true,
  'former-custodian': true,
  consignee: true,
  'cancelled-consignee': false,
  unrelated: false,
  upstream: true,
  'ancestor-of-consignment': false,
  downstream: false,
  unknown: false,
  'own-kommune-collection': true,
  'derived-from-own-collection': true,
  'other-kommune-collection': false,
};

/** The denial must be the answer for an id nobody has, but for the id itself. */
async function expectLikeUnknownBatch(r: LedgerResponse<unknown>, batchId: string, url: (id: string) => string, role: Role): Promise<void> {
  const problem = expectProblem(r, [404], ['unknown-batch']);
  if (batchId === UNKNOWN_ID) return;
  const unknown = await get(url(UNKNOWN_ID), role);
  const mask = (p: unknown, id: string) => JSON.parse(JSON.stringify(p).split(id).join('<id>')) as unknown;
  expect({ status: r.status, body: mask(problem, batchId), type: r.headers['content-type'] }).toEqual({ status: unknown.status, body: mask(unknown.body, UNKNOWN_ID), type: unknown.headers['content-type'] });
}

/** A full view: the batch asked about, naming no other batch the viewer may not see, nor its mass. */
function expectBatchAnswer(r: LedgerResponse<unknown>, batchId: string, role: Role, actingAs: ScenarioOrg = s.viewer(role)): void {
  expectStatus(r, 200);
  const body = r.body as Json;
  const named = body['batchId'] ?? body['root'];
  if (named !== batchId) throw new Mismatch(`answered about ${String(named)}, not ${batchId}`);
  expectNothingHidden(JSON.stringify(r.body), actingAs.id, [batchId]);
}

/** No id, and no mass, of a batch the viewer may not see (but those it named itself). */
function expectNothingHidden(text: string, viewerId: string, named: string[]): void {
  const seen = (id: string) => named.includes(id) || s.canSee(viewerId, id);
  const hidden = [...s.batches.values()].filter((b) => !seen(b.id));
  const visibleMasses = new Set([...s.batches.values()].filter((b) => seen(b.id)).flatMap((b) => b.masses));
  const grams = gramsIn(text);
  const ids = hidden.filter((b) => text.includes(b.id)).map((b) => `${b.label} (${s.relationOf(viewerId, b.id)})`);
  const masses = hidden.filter((b) => b.masses.some((m) => !visibleMasses.has(m) && grams.has(m))).map((b) => `${b.label} (${s.relationOf(viewerId, b.id)})`);
  if (ids.length > 0 || masses.length > 0) throw new Mismatch(`names batches it may not see: ${ids.join(', ') || '-'}; shows masses of: ${masses.join(', ') || '-'}`);
}

for (const [operation, url] of BATCH_READS) {
  const direction = /direction=(\w+)/.exec(url('x'))?.[1];
  const label = direction ? `${direction} · ` : '';
  for (const role of MATERIAL_ROLES) {
    for (const relation of RELATIONS) {
      const allowed = READ_ALLOWED[relation];
      row(operation, `${label}${role} · ${relation} → ${allowed ? 200 : 404}`, async () => {
        const batchId = s.relationBatch(role, relation);
        const r = await get(url(batchId), role);
        if (allowed) expectBatchAnswer(r, batchId, role);
        else await expectLikeUnknownBatch(r, batchId, url, role);
      });
    }
  }
  for (const relation of KOMMUNE_RELATIONS) {
    const allowed = READ_ALLOWED[relation];
    row(operation, `${label}municipality · ${relation} → ${allowed ? 200 : 404}`, async () => {
      const batchId = s.kommuneRelationBatch(relation);
      const r = await get(url(batchId), 'municipality');
      if (allowed) expectBatchAnswer(r, batchId, 'municipality');
      else await expectLikeUnknownBatch(r, batchId, url, 'municipality');
    });
  }
  row(operation, `${label}municipality · a product of its collection, made with another firm's residual → 200, naming neither the residual nor its mass`, async () => {
    expectBatchAnswer(await get(url(s.id('prodA')), 'municipality'), s.id('prodA'), 'municipality');
  });
  row(operation, `${label}municipality · a blend of its collection with another kommune's → 200, naming nothing of the other kommune's`, async () => {
    expectBatchAnswer(await get(url(s.id('blendAC')), 'municipality'), s.id('blendAC'), 'municipality');
  });
  for (const role of PRIVILEGED) {
    for (const relation of RELATIONS) {
      const allowed = relation !== 'unknown';
      row(operation, `${label}${role} · a sorter's ${relation} batch → ${allowed ? 200 : 404}`, async () => {
        const batchId = s.relationBatch('sorter', relation);
        const r = await get(url(batchId), role);
        if (allowed) expectBatchAnswer(r, batchId, role);
        else expectProblem(r, [404], ['unknown-batch']);
      });
    }
  }
}

// ---- lineage: what the viewer may not see is withheld, counted only

interface Lineage {
  root: string;
  nodes: Array<{ batchId: string }>;
  edges: Array<{ parentBatchId: string; childBatchId: string }>;
  withheld?: { batches: number; edges: number };
}

async function lineageCase(role: Role, batchId: string, direction: 'upstream' | 'downstream', visible: string[], withheld: string[]): Promise<void> {
  const r = await get(`/batches/${batchId}/lineage?direction=${direction}`, role);
  expectStatus(r, 200);
  const graph = r.body as Lineage;
  const nodeIds = graph.nodes.map((n) => n.batchId).sort();
  expect(nodeIds).toEqual([batchId, ...visible].sort());
  for (const edge of graph.edges) expect([edge.parentBatchId, edge.childBatchId].every((id) => nodeIds.includes(id))).toBe(true);
  // Counts only: every member of `withheld` is a number.
  expect(graph.withheld).toBeDefined();
  for (const value of Object.values(graph.withheld ?? {})) expect(typeof value).toBe('number');
  expect(graph.withheld?.batches).toBe(withheld.length);
  const text = JSON.stringify(r.body);
  for (const id of withheld) {
    if (text.includes(id)) throw new Mismatch(`the withheld batch ${id} is named`);
    for (const mass of s.batch(id).masses) if (massPattern(mass).test(text)) throw new Mismatch(`the mass ${mass} g of the withheld batch ${id} is shown`);
  }
}

row('GET /batches/{batchId}/lineage', "downstream · sorter · what the recycler made of a batch it shipped is withheld", async () => {
  await lineageCase('sorter', s.id('sA_rec'), 'downstream', [], [s.id('fA'), s.id('prodA')]);
});
row('GET /batches/{batchId}/lineage', 'downstream · every material role · what the peer made of a batch it shipped is withheld', async () => {
  for (const role of MATERIAL_ROLES) await lineageCase(role, s.id(`${role}:downstream-parent`), 'downstream', [], [s.relationBatch(role, 'downstream')]);
});
row('GET /batches/{batchId}/lineage', 'upstream · every material role · what a shipment still on its way to it was made from is withheld', async () => {
  for (const role of MATERIAL_ROLES) await lineageCase(role, s.relationBatch(role, 'consignee'), 'upstream', [], [s.relationBatch(role, 'ancestor-of-consignment')]);
});
row('GET /batches/{batchId}/lineage', 'upstream · every material role · what it received was made from is shown', async () => {
  for (const role of MATERIAL_ROLES) await lineageCase(role, s.id(`${role}:upstream-child`), 'upstream', [s.relationBatch(role, 'upstream')], []);
});
row('GET /batches/{batchId}/lineage', 'upstream · manufacturer · every ancestor of its product is shown', async () => {
  await lineageCase('manufacturer', s.id('prodA'), 'upstream', [s.id('fA'), s.id('rManA'), s.id('sA_rec'), s.id('cA1')], []);
});
row('GET /batches/{batchId}/lineage', "upstream · municipality · another firm's residual in a product of its collection is withheld", async () => {
  await lineageCase('municipality', s.id('prodA'), 'upstream', [s.id('fA'), s.id('sA_rec'), s.id('cA1')], [s.id('rManA')]);
});
row('GET /batches/{batchId}/lineage', "downstream · municipality · everything made of its collection is shown, another kommune's blend partner is not", async () => {
  await lineageCase('municipality', s.id('cA2'), 'downstream', [s.id('blendAC')], []);
  await lineageCase('municipality', s.id('blendAC'), 'upstream', [s.id('cA2')], [s.id('sC1'), s.id('cC1')]);
});
row('GET /batches/{batchId}/lineage', 'upstream · auditor · nothing withheld', async () => {
  await lineageCase('auditor', s.id('prodA'), 'upstream', [s.id('fA'), s.id('rManA'), s.id('sA_rec'), s.id('cA1')], []);
});

// ---- inclusion proofs: for an event the viewer may see (of a batch it may see, its own process, itself); otherwise like a position without one

async function firstPositionOf(streamId: string): Promise<number> {
  const [first] = await ledger.store.readStream(streamId);
  if (first === undefined) throw new Error(`no events in ${streamId}`);
  return first.position;
}
const inclusionAt = (position: number, role: Role, headers?: Record<string, string>) => get(`/audit/proofs/inclusion?position=${position}`, role, headers);

/** A proof of the event at `position`, or a refusal that reads exactly like the one for a position past the head. */
async function expectInclusion(position: number, role: Role, allowed: boolean, headers?: Record<string, string>): Promise<void> {
  const r = await inclusionAt(position, role, headers);
  if (allowed) {
    expectStatus(r, 200);
    const [event] = (await ledger.store.readAll({ after: position - 1, maxCount: 1 })).filter((e) => e.position === position);
    expect(r.body).toMatchObject({ position, eventHash: event?.hash });
    return;
  }
  const problem = expectProblem(r, [404], ['unknown-position']);
  const beyond = s.headPosition + 1_000_000;
  const unknown = await inclusionAt(beyond, role, headers);
  const mask = (p: unknown, n: number) => JSON.parse(JSON.stringify(p).split(`position=${n}`).join('position=<n>').split(`position ${n}`).join('position <n>').split(`"position":${n}`).join('"position":"<n>"')) as unknown;
  expect({ status: r.status, body: mask(problem, position), type: r.headers['content-type'] }).toEqual({ status: unknown.status, body: mask(unknown.body, beyond), type: unknown.headers['content-type'] });
}
{
  const operation = 'GET /audit/proofs/inclusion';
  const ofBatch = (id: string) => firstPositionOf(`batch-${id}`);
  for (const role of MATERIAL_ROLES) {
    for (const relation of RELATIONS.filter((r) => r !== 'unknown')) {
      const allowed = READ_ALLOWED[relation];
      row(operation, `${role} · an event of a ${relation} batch → ${allowed ? 200 : 404}`, async () => expectInclusion(await ofBatch(s.relationBatch(role, relation)), role, allowed));
    }
    row(operation, `${role} · an event of its own process → 200`, async () => expectInclusion(await firstPositionOf(`process-${s.viewerProcesses.get(role)!.own}`), role, true));
    row(operation, `${role} · an event of the peer's process (upstream) → 404`, async () => expectInclusion(await firstPositionOf(`process-${s.viewerProcesses.get(role)!.upstream}`), role, false));
    row(operation, `${role} · an event of the peer's process (downstream) → 404`, async () => expectInclusion(await firstPositionOf(`process-${s.viewerProcesses.get(role)!.downstream}`), role, false));
  }
  for (const relation of KOMMUNE_RELATIONS) {
    const allowed = READ_ALLOWED[relation];
    row(operation, `municipality · an event of a batch, ${relation} → ${allowed ? 200 : 404}`, async () => expectInclusion(await ofBatch(s.kommuneRelationBatch(relation)), 'municipality', allowed));
  }
  row(operation, 'municipality · an event of a process that consumed its collection → 404', async () => expectInclusion(await firstPositionOf(`process-${s.id('pSortA')}`), 'municipality', false));
  row(operation, "collector · the municipality's authorisation naming it → 404 (the municipality's own stream)", async () => {
    await expectInclusion(await firstPositionOf(`organisation-${s.org('munA').id}`), 'collector', false);
  });
  for (const role of ROLES) {
    const other = () => s.org(role === 'sorter' ? 'recB' : 'sortB');
    row(operation, `${role} · an event of its own organisation → 200`, async () => expectInclusion(await firstPositionOf(`organisation-${s.viewer(role).id}`), role, true));
    row(operation, `${role} · an event of another organisation → ${isPrivileged(role) ? 200 : 404}`, async () => expectInclusion(await firstPositionOf(`organisation-${other().id}`), role, isPrivileged(role)));
    row(operation, `${role} · a position past the head → 404`, async () => void expectProblem(await inclusionAt(s.headPosition + 1_000_000, role), [404], ['unknown-position']));
  }
  row(operation, "sorter · an event of an unrelated batch, its position in hexadecimal (the route's validation reads it as the same number) → 404", async () => {
    const position = await ofBatch(s.relationBatch('sorter', 'unrelated'));
    expectProblem(await get(`/audit/proofs/inclusion?position=0x${position.toString(16)}`, 'sorter'), [404], ['unknown-position']);
  });
  for (const role of PRIVILEGED) {
    for (const relation of RELATIONS.filter((r) => r !== 'unknown')) {
      row(operation, `${role} · an event of a sorter's ${relation} batch → 200`, async () => expectInclusion(await ofBatch(s.relationBatch('sorter', relation)), role, true));
    }
    row(operation, `${role} · an event of any process → 200`, async () => expectInclusion(await firstPositionOf(`process-${s.id('pRecA')}`), role, true));
  }
  row(operation, "operator impersonating a sorter · an event of the sorter's batch → 200", async () => {
    await expectInclusion(await ofBatch(s.relationBatch('sorter', 'custodian')), 'operator', true, as(s.viewer('sorter')));
  });
  row(operation, 'operator impersonating a sorter · an event of a batch unrelated to the sorter → 404', async () => {
    await expectInclusion(await ofBatch(s.relationBatch('sorter', 'unrelated')), 'operator', false, as(s.viewer('sorter')));
  });
}

// ---- processes: the process's organisation and privileged viewers only (a process names a firm's whole run)

for (const role of ROLES) {
  const operation = 'GET /processes/{processId}';
  const expectProcess = async (processId: string, allowed: boolean) => {
    const r = await get(`/processes/${processId}`, role);
    if (allowed) {
      expectStatus(r, 200);
      expect((r.body as Json)['processId']).toBe(processId);
    } else {
      expectProblem(r, [404], ['unknown-process']);
    }
  };
  if (isPrivileged(role)) {
    row(operation, `${role} · any process → 200`, async () => expectProcess(s.id('pRecA'), true));
    row(operation, `${role} · unknown → 404`, async () => expectProcess(UNKNOWN_ID, false));
    continue;
  }
  const material = role as MaterialRole;
  row(operation, `${role} · its own → 200`, async () => expectProcess(s.viewerProcesses.get(material)!.own, true));
  row(operation, `${role} · the peer's, whose output it received (upstream) → 404`, async () => expectProcess(s.viewerProcesses.get(material)!.upstream, false));
  row(operation, `${role} · the peer's, on what it shipped (downstream) → 404`, async () => expectProcess(s.viewerProcesses.get(material)!.downstream, false));
  row(operation, `${role} · unknown → 404`, async () => expectProcess(UNKNOWN_ID, false));
  if (role === 'municipality') {
    // Its collections' fate is in lineage, provenance and circularity; the process itself lists the firm's other inputs.
    row(operation, 'municipality · consumed its collection → 404', async () => expectProcess(s.id('pSortA'), false));
    row(operation, 'municipality · consumed material derived from its collection → 404', async () => expectProcess(s.id('pManA'), false));
    row(operation, 'municipality · blended its collection with another kommune’s → 404', async () => expectProcess(s.id('pBlend'), false));
    row(operation, 'municipality · consumed only another kommune’s collection → 404', async () => expectProcess(s.id('pSortB'), false));
  }
}

// ---- the batch list: what the viewer holds, held, owns, owned or is consignee of

interface Page {
  items: Array<{ batchId: string; custodianOrgId: string }>;
  nextCursor: string | null;
}

async function listAll(role: Role, query: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const r = await get(`/batches?limit=500${query}${after ? `&after=${after}` : ''}`, role);
    expectStatus(r, 200);
    const body = r.body as Page;
    ids.push(...body.items.map((i) => i.batchId));
    after = body.nextCursor;
    if (!after) break;
  }
  return ids.sort();
}

for (const role of ROLES) {
  const operation = 'GET /batches';
  row(operation, `${role} · no filter → ${isPrivileged(role) ? 'every batch' : 'exactly its own batches'}`, async () => {
    const viewer = s.viewer(role).id;
    expect(await listAll(role, '')).toEqual([...s.listable(viewer)].sort());
  });
  row(operation, `${role} · custodianOrgId of a competitor → only what it may list of theirs`, async () => {
    const viewer = s.viewer(role).id;
    const competitor = s.org(role === 'sorter' ? 'recB' : 'sortB').id;
    const expected = [...s.listable(viewer)].filter((id) => s.batch(id).holders.at(-1) === competitor).sort();
    expect(await listAll(role, `&custodianOrgId=${competitor}`)).toEqual(expected);
  });
}

// ---- circularity: privileged all; a municipality its kommune; a firm its own residual origin keys, named

interface CircularityAnswer {
  rows: Array<{ originKey: string }>;
}

for (const role of ROLES) {
  const operation = 'GET /reports/circularity';
  const ask = (query: string) => get(`/reports/circularity${query}`, role);
  const keysOf = (r: LedgerResponse<unknown>): string[] => [...new Set((r.body as CircularityAnswer).rows.map((x) => x.originKey))].sort();
  const viewer = () => s.viewer(role).id;
  const competitor = () => s.org(role === 'manufacturer' ? 'manB' : 'manA').id;
  if (isPrivileged(role)) {
    row(operation, `${role} · no filter → every origin key`, async () => {
      const r = await ask('');
      expectStatus(r, 200);
      expect(keysOf(r)).toEqual(expect.arrayContaining([`kommune:${KOMMUNE.munA}`, `kommune:${KOMMUNE.munB}`, `kommune:${KOMMUNE.munC}`, `pre-consumer:${s.org('manA').id}`]));
    });
    row(operation, `${role} · another kommune → 200`, async () => {
      const r = await ask(`?kommuneCode=${KOMMUNE.munB}`);
      expectStatus(r, 200);
      expect(keysOf(r)).toEqual([`kommune:${KOMMUNE.munB}`]);
    });
    row(operation, `${role} · a firm's residual origin key → 200`, async () => {
      const r = await ask(`?originKey=pre-consumer:${s.org('manA').id}`);
      expectStatus(r, 200);
      expect(keysOf(r)).toEqual([`pre-consumer:${s.org('manA').id}`]);
    });
  } else if (role === 'municipality') {
    row(operation, 'municipality · no filter → its own kommune only', async () => {
      const r = await ask('');
      expectStatus(r, 200);
      expect(keysOf(r)).toEqual([`kommune:${KOMMUNE.munA}`]);
    });
    row(operation, 'municipality · its own kommuneCode → 200', async () => {
      const r = await ask(`?kommuneCode=${KOMMUNE.munA}`);
      expectStatus(r, 200);
      expect(keysOf(r)).toEqual([`kommune:${KOMMUNE.munA}`]);
    });
    row(operation, 'municipality · its own kommune as originKey → 200', async () => {
      const r = await ask(`?originKey=kommune:${KOMMUNE.munA}`);
      expectStatus(r, 200);
      expect(keysOf(r)).toEqual([`kommune:${KOMMUNE.munA}`]);
    });
    row(operation, 'municipality · another kommuneCode → 403 scope-not-permitted', async () => void expectProblem(await ask(`?kommuneCode=${KOMMUNE.munB}`), [403], ['scope-not-permitted']));
    row(operation, 'municipality · a kommune without collections → 403 scope-not-permitted', async () => void expectProblem(await ask(`?kommuneCode=${EMPTY_KOMMUNE}`), [403], ['scope-not-permitted']));
    row(operation, 'municipality · another kommune as originKey → 403 scope-not-permitted', async () => void expectProblem(await ask(`?originKey=kommune:${KOMMUNE.munB}`), [403], ['scope-not-permitted']));
    row(operation, "municipality · a firm's residual origin key → 403 scope-not-permitted", async () => void expectProblem(await ask(`?originKey=pre-consumer:${s.org('manA').id}`), [403], ['scope-not-permitted']));
  } else {
    row(operation, `${role} · no filter → 403 scope-not-permitted`, async () => void expectProblem(await ask(''), [403], ['scope-not-permitted']));
    for (const originClass of ['pre-consumer', 'post-consumer-business']) {
      row(operation, `${role} · its own ${originClass} origin key → 200`, async () => {
        const r = await ask(`?originKey=${originClass}:${viewer()}`);
        expectStatus(r, 200);
        for (const key of keysOf(r)) expect(key).toBe(`${originClass}:${viewer()}`);
      });
      row(operation, `${role} · a competitor's ${originClass} origin key → 403 scope-not-permitted`, async () => void expectProblem(await ask(`?originKey=${originClass}:${competitor()}`), [403], ['scope-not-permitted']));
    }
    row(operation, `${role} · a kommune → 403 scope-not-permitted`, async () => void expectProblem(await ask(`?kommuneCode=${KOMMUNE.munA}`), [403], ['scope-not-permitted']));
  }
}

// ---- anomalies: privileged all; others only those involving themselves

interface AnomalyAnswer {
  items: Array<{ organisationIds: string[] }>;
}

for (const role of ROLES) {
  const operation = 'GET /audit/anomalies';
  const ask = (query: string) => get(`/audit/anomalies?limit=500${query}`, role);
  if (isPrivileged(role)) {
    row(operation, `${role} · no filter → every organisation's`, async () => {
      const r = await ask('');
      expectStatus(r, 200);
      const involved = new Set((r.body as AnomalyAnswer).items.flatMap((a) => a.organisationIds));
      expect([...involved]).toEqual(expect.arrayContaining([s.org('sortA').id, s.org('recA').id, s.org('recB').id]));
    });
    row(operation, `${role} · another organisation → 200`, async () => {
      const r = await ask(`&organisationId=${s.org('recA').id}`);
      expectStatus(r, 200);
      expect((r.body as AnomalyAnswer).items.length).toBeGreaterThan(0);
    });
    continue;
  }
  row(operation, `${role} · no filter → only those involving itself`, async () => {
    const r = await ask('');
    expectStatus(r, 200);
    for (const anomaly of (r.body as AnomalyAnswer).items) expect(anomaly.organisationIds).toContain(s.viewer(role).id);
  });
  row(operation, `${role} · itself → 200`, async () => {
    const r = await ask(`&organisationId=${s.viewer(role).id}`);
    expectStatus(r, 200);
    for (const anomaly of (r.body as AnomalyAnswer).items) expect(anomaly.organisationIds).toContain(s.viewer(role).id);
  });
  row(operation, `${role} · another organisation → 403 scope-not-permitted`, async () => {
    const other = s.org(role === 'recycler' ? 'sortA' : 'recA').id;
    expectProblem(await ask(`&organisationId=${other}`), [403], ['scope-not-permitted']);
  });
}
row('GET /audit/anomalies', 'recycler · its transit discrepancy and process loss are there', async () => {
  const r = await get('/audit/anomalies?limit=500', 'recycler');
  expectStatus(r, 200);
  expect((r.body as AnomalyAnswer).items.length).toBeGreaterThan(0);
});

// ---- impersonated reads: the operator reads with the target's rights, no more

const as = (target: ScenarioOrg, reason: string | null = REASON): Record<string, string> => ({
  'ledger-impersonate': target.id,
  ...(reason !== null ? { 'ledger-impersonation-reason': reason } : {}),
});

row('GET /batches/{batchId}', "operator impersonating a sorter · the sorter's own batch → 200", async () => {
  expectBatchAnswer(await get(`/batches/${s.relationBatch('sorter', 'custodian')}`, 'operator', as(s.viewer('sorter'))), s.relationBatch('sorter', 'custodian'), 'operator', s.viewer('sorter'));
});
row('GET /batches/{batchId}', "operator impersonating a sorter · a batch unrelated to the sorter → 404", async () => {
  expectProblem(await get(`/batches/${s.relationBatch('sorter', 'unrelated')}`, 'operator', as(s.viewer('sorter'))), [404], ['unknown-batch']);
});
row('GET /batches', 'operator impersonating a sorter · exactly the sorter’s batches', async () => {
  const r = await get('/batches?limit=500', 'operator', as(s.viewer('sorter')));
  expectStatus(r, 200);
  expect((r.body as Page).items.map((i) => i.batchId).sort()).toEqual([...s.listable(s.viewer('sorter').id)].sort());
});
row('GET /audit/requests', 'operator impersonating a sorter → 403', async () => void expectProblem(await get('/audit/requests', 'operator', as(s.viewer('sorter'))), [403]));
row('GET /batches/{batchId}', 'a sorter sending Ledger-Impersonate → 403 impersonation-not-permitted', async () => {
  expectProblem(await get(`/batches/${s.relationBatch('sorter', 'custodian')}`, 'sorter', as(s.peer('sorter'))), [403], ['impersonation-not-permitted']);
});

// ---- material writes on a batch: custodian (consignee for receive / cancel), else refused

type BatchCommand = 'dispatch' | 'receive' | 'cancel-transfer' | 'outcome' | 'mass-corrections';
const BATCH_COMMANDS: BatchCommand[] = ['dispatch', 'receive', 'cancel-transfer', 'outcome', 'mass-corrections'];

/**
 * `allow`: the matrix allows it (2xx); `deny`: refused for who is asking (403/404); `state`: refused
 * whoever asks, because of the batch's state (a receipt of a batch not in transit, a dispatch of one
 * already under way), so a 409 is as right as a 403.
 */
type Expectation = 'allow' | 'deny' | 'state';
const WRITE_MATRIX: Record<Relation | KommuneRelation, Record<BatchCommand, Expectation>> = {
  custodian: { dispatch: 'allow', receive: 'state', 'cancel-transfer': 'state', outcome: 'allow', 'mass-corrections': 'allow' },
  'custodian-sending': { dispatch: 'state', receive: 'deny', 'cancel-transfer': 'allow', outcome: 'state', 'mass-corrections': 'state' },
  'former-custodian': { dispatch: 'deny', receive: 'deny', 'cancel-transfer': 'deny', outcome: 'deny', 'mass-corrections': 'deny' },
  consignee: { dispatch: 'deny', receive: 'allow', 'cancel-transfer': 'allow', outcome: 'deny', 'mass-corrections': 'deny' },
  'cancelled-consignee': { dispatch: 'deny', receive: 'state', 'cancel-transfer': 'state', outcome: 'deny', 'mass-corrections': 'deny' },
  unrelated: { dispatch: 'deny', receive: 'deny', 'cancel-transfer': 'deny', outcome: 'deny', 'mass-corrections': 'deny' },
  upstream: { dispatch: 'deny', receive: 'state', 'cancel-transfer': 'state', outcome: 'deny', 'mass-corrections': 'deny' },
  'ancestor-of-consignment': { dispatch: 'deny', receive: 'state', 'cancel-transfer': 'state', outcome: 'deny', 'mass-corrections': 'deny' },
  downstream: { dispatch: 'deny', receive: 'deny', 'cancel-transfer': 'deny', outcome: 'deny', 'mass-corrections': 'deny' },
  unknown: { dispatch: 'deny', receive: 'deny', 'cancel-transfer': 'deny', outcome: 'deny', 'mass-corrections': 'deny' },
  'own-kommune-collection': { dispatch: 'deny', receive: 'state', 'cancel-transfer': 'state', outcome: 'deny', 'mass-corrections': 'deny' },
  'derived-from-own-collection': { dispatch: 'deny', receive: 'state', 'cancel-transfer': 'state', outcome: 'deny', 'mass-corrections': 'deny' },
  'other-kommune-collection': { dispatch: 'deny', receive: 'state', 'cancel-transfer': 'state', outcome: 'deny', 'mass-corrections': 'deny' },
};
const DENIAL_CODES = ['not-custodian', 'not-consignee', 'not-party-to-transfer', 'unknown-batch'];

function commandBody(command: BatchCommand, role: MaterialRole, batchId: string): Json {
  const mass = s.batches.get(batchId)?.mass ?? 100_001;
  switch (command) {
    case 'dispatch':
      return { toOrgId: s.peer(role).id };
    case 'receive':
      return { receivedMassGrams: mass };
    case 'cancel-transfer':
      return { reason: 'wrong lot' };
    case 'outcome':
      return { outcome: 'landfilled' };
    case 'mass-corrections':
      return { correctedEventId: '01900000-0000-7000-8000-00000000beef', massGrams: mass + 1000, reason: 'scale error' };
  }
}

/** A fresh batch for an allowed command, so that no row changes another's material. */
async function freshFor(command: BatchCommand, relation: Relation, role: MaterialRole, label: string): Promise<string> {
  if (relation === 'consignee') return s.freshIncoming(role, label);
  if (relation === 'custodian-sending') return s.freshOutgoing(role, label);
  if (relation === 'custodian') return s.freshOwned(role, label);
  throw new Error(`no fresh batch for ${command} as ${relation}`);
}

async function allowedCommand(command: BatchCommand, role: MaterialRole, batchId: string, headers?: Record<string, string>, as: Role = role): Promise<LedgerResponse<unknown>> {
  let body = commandBody(command, role, batchId);
  if (command === 'mass-corrections') {
    const summary = await get(`/batches/${batchId}`, role);
    expectStatus(summary, 200);
    body = { correctedEventId: (summary.body as Json)['massEventId'], massGrams: s.distinctMass(s.batch(batchId).mass - 50_000), reason: 'scale error' };
  }
  return post(`/batches/${batchId}/${command}`, body, as, headers);
}

for (const command of BATCH_COMMANDS) {
  const operation = `POST /batches/{batchId}/${command}`;
  for (const role of MATERIAL_ROLES) {
    for (const relation of RELATIONS) {
      const expectation = WRITE_MATRIX[relation][command];
      row(operation, `${role} · ${relation} → ${expectation === 'allow' ? 'allowed' : expectation === 'deny' ? '403/404' : 'refused (403/404/409)'}`, async () => {
        if (expectation === 'allow') {
          const batchId = await freshFor(command, relation, role, `${command}:${relation}`);
          const r = await allowedCommand(command, role, batchId);
          expectStatus(r, 200);
          return;
        }
        const batchId = s.relationBatch(role, relation);
        await expectRefusedWrite(() => post(`/batches/${batchId}/${command}`, commandBody(command, role, batchId), role), expectation === 'deny' ? [403, 404] : [403, 404, 409], expectation === 'deny' ? DENIAL_CODES : undefined);
      });
    }
  }
  for (const relation of KOMMUNE_RELATIONS) {
    const expectation = WRITE_MATRIX[relation][command];
    row(operation, `municipality · ${relation} → ${expectation === 'deny' ? '403/404' : 'refused (403/404/409)'}`, async () => {
      const batchId = s.kommuneRelationBatch(relation);
      await expectRefusedWrite(() => post(`/batches/${batchId}/${command}`, commandBody(command, 'municipality', batchId), 'municipality'), expectation === 'deny' ? [403, 404] : [403, 404, 409], expectation === 'deny' ? DENIAL_CODES : undefined);
    });
  }
  for (const relation of RELATIONS) {
    row(operation, `auditor · a sorter's ${relation} batch → 403 read-only-role`, async () => {
      const batchId = s.relationBatch('sorter', relation);
      await expectRefusedWrite(() => post(`/batches/${batchId}/${command}`, commandBody(command, 'sorter', batchId), 'auditor'), [403], ['read-only-role']);
    });
    row(operation, `operator · a sorter's ${relation} batch, not impersonating → 403 operator-must-impersonate`, async () => {
      const batchId = s.relationBatch('sorter', relation);
      await expectRefusedWrite(() => post(`/batches/${batchId}/${command}`, commandBody(command, 'sorter', batchId), 'operator'), [403], ['operator-must-impersonate']);
    });
  }
}

// ---- processes: custodian of every input; void by the process's organisation

function processBody(inputs: string[]): Json {
  const total = inputs.reduce((sum, id) => sum + (s.batches.get(id)?.mass ?? 100_001), 0);
  return { processType: 'splitting', inputs: inputs.map((batchId) => ({ batchId })), outputs: [{ massGrams: total, grade: 'recycling', composition: COTTON }] };
}

const PROCESS_INPUT: Record<Relation | KommuneRelation, Expectation> = {
  custodian: 'allow',
  'custodian-sending': 'state',
  'former-custodian': 'deny',
  consignee: 'deny',
  'cancelled-consignee': 'deny',
  unrelated: 'deny',
  upstream: 'deny',
  'ancestor-of-consignment': 'deny',
  downstream: 'deny',
  unknown: 'deny',
  'own-kommune-collection': 'deny',
  'derived-from-own-collection': 'deny',
  'other-kommune-collection': 'deny',
};
const PROCESS_DENIAL_CODES = ['not-custodian', 'unknown-batch'];

for (const role of MATERIAL_ROLES) {
  const operation = 'POST /processes';
  for (const relation of RELATIONS) {
    const expectation = PROCESS_INPUT[relation];
    row(operation, `${role} · input ${relation} → ${expectation === 'allow' ? 201 : expectation === 'deny' ? '403/404' : 'refused (403/404/409)'}`, async () => {
      if (expectation === 'allow') {
        const input = await s.freshOwned(role, `process:${relation}`);
        expectStatus(await post('/processes', processBody([input]), role), 201);
        return;
      }
      const input = s.relationBatch(role, relation);
      await expectRefusedWrite(() => post('/processes', processBody([input]), role), expectation === 'deny' ? [403, 404] : [403, 404, 409], expectation === 'deny' ? PROCESS_DENIAL_CODES : undefined);
    });
  }
  row(operation, `${role} · its own input with an unrelated one → 403/404, its own untouched`, async () => {
    const own = await s.freshOwned(role, 'process:mixed');
    await expectRefusedWrite(() => post('/processes', processBody([own, s.relationBatch(role, 'unrelated')]), role), [403, 404], PROCESS_DENIAL_CODES);
    expect((await get(`/batches/${own}`, role)).body).toMatchObject({ status: 'available' });
  });
}
for (const relation of KOMMUNE_RELATIONS) {
  row('POST /processes', `municipality · input ${relation} → 403/404`, async () => {
    await expectRefusedWrite(() => post('/processes', processBody([s.kommuneRelationBatch(relation)]), 'municipality'), [403, 404], PROCESS_DENIAL_CODES);
  });
}
row('POST /processes', 'auditor → 403 read-only-role', async () => {
  await expectRefusedWrite(() => post('/processes', processBody([s.relationBatch('sorter', 'custodian')]), 'auditor'), [403], ['read-only-role']);
});
row('POST /processes', 'operator, not impersonating → 403 operator-must-impersonate', async () => {
  await expectRefusedWrite(() => post('/processes', processBody([s.relationBatch('sorter', 'custodian')]), 'operator'), [403], ['operator-must-impersonate']);
});

const VOID = { reason: 'recorded twice' };
for (const role of MATERIAL_ROLES) {
  const operation = 'POST /processes/{processId}/void';
  row(operation, `${role} · its own process → 200`, async () => {
    const processId = await s.freshProcess(role, 'void');
    expectStatus(await post(`/processes/${processId}/void`, VOID, role), 200);
  });
  for (const which of ['upstream', 'downstream'] as const) {
    row(operation, `${role} · the peer's process (${which}) → 403/404`, async () => {
      const processId = s.viewerProcesses.get(role)![which];
      await expectRefusedWrite(() => post(`/processes/${processId}/void`, VOID, role), [403, 404], ['not-process-organisation', 'unknown-process']);
    });
  }
  row(operation, `${role} · unknown → 404`, async () => {
    await expectRefusedWrite(() => post(`/processes/${UNKNOWN_ID}/void`, VOID, role), [404], ['unknown-process']);
  });
}
row('POST /processes/{processId}/void', 'municipality · a process that consumed its collection → 403', async () => {
  await expectRefusedWrite(() => post(`/processes/${s.id('pSortA')}/void`, VOID, 'municipality'), [403], ['not-process-organisation']);
});
row('POST /processes/{processId}/void', 'auditor → 403 read-only-role', async () => {
  await expectRefusedWrite(() => post(`/processes/${s.viewerProcesses.get('sorter')!.own}/void`, VOID, 'auditor'), [403], ['read-only-role']);
});
row('POST /processes/{processId}/void', 'operator, not impersonating → 403 operator-must-impersonate', async () => {
  await expectRefusedWrite(() => post(`/processes/${s.viewerProcesses.get('sorter')!.own}/void`, VOID, 'operator'), [403], ['operator-must-impersonate']);
});

// ---- origin commands: residuals by any material role; collections by the kommune's municipality or a collector it authorised

const residualBody = (): Json => ({ originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: s.distinctMass(1_500_000), composition: COTTON, description: 'offcuts' });
for (const role of ROLES) {
  const operation = 'POST /batches/residuals';
  if (role === 'auditor') row(operation, 'auditor → 403 read-only-role', async () => expectRefusedWrite(() => post('/batches/residuals', residualBody(), role), [403], ['read-only-role']));
  else if (role === 'operator') row(operation, 'operator, not impersonating → 403 operator-must-impersonate', async () => expectRefusedWrite(() => post('/batches/residuals', residualBody(), role), [403], ['operator-must-impersonate']));
  else row(operation, `${role} → 201`, async () => expectStatus(await post('/batches/residuals', residualBody(), role), 201));
}

const collection = (kommuneCode: string, collector: ScenarioOrg): Json => ({
  kommuneCode,
  collectionScheme: 'kerbside',
  ewcCode: '20 01 11',
  massGrams: s.distinctMass(3_000_000),
  collectorOrgId: collector.id,
});

/** Per role: which kommune it collects in, for whom, and whether the matrix allows it. */
const COLLECTION_CASES: Array<{ role: Role; title: string; body: () => Json; allowed: boolean; codes?: string[] }> = [
  { role: 'municipality', title: 'its own kommune, naming an authorised collector', body: () => collection(KOMMUNE.munA, s.org('colA')), allowed: true },
  { role: 'municipality', title: 'its own kommune, as its own collector', body: () => collection(KOMMUNE.munA, s.org('munA')), allowed: true },
  { role: 'municipality', title: 'another kommune', body: () => collection(KOMMUNE.munB, s.org('colB')), allowed: false },
  { role: 'collector', title: 'for the municipality that authorised it', body: () => collection(KOMMUNE.munA, s.org('colA')), allowed: true },
  { role: 'collector', title: 'for a municipality that did not authorise it', body: () => collection(KOMMUNE.munB, s.org('colA')), allowed: false },
  { role: 'collector', title: 'for a kommune without municipality in the ledger', body: () => collection(EMPTY_KOMMUNE, s.org('colA')), allowed: false },
  ...(['sorter', 'recycler', 'manufacturer', 'brand'] as const).map((role) => ({
    role,
    title: 'naming an authorised collector',
    body: () => collection(KOMMUNE.munA, s.org('colA')),
    allowed: false,
  })),
  { role: 'auditor', title: 'read-only-role', body: () => collection(KOMMUNE.munA, s.org('colA')), allowed: false, codes: ['read-only-role'] },
  { role: 'operator', title: 'not impersonating', body: () => collection(KOMMUNE.munA, s.org('colA')), allowed: false, codes: ['operator-must-impersonate'] },
];

for (const c of COLLECTION_CASES) {
  row('POST /batches/collections', `${c.role} · ${c.title} → ${c.allowed ? 201 : 403}`, async () => {
    if (c.allowed) expectStatus(await post('/batches/collections', c.body(), c.role), 201);
    else await expectRefusedWrite(() => post('/batches/collections', c.body(), c.role), [403], c.codes);
  });
  row('POST /batches/collections/bulk', `${c.role} · ${c.title} → ${c.allowed ? 'item 201' : c.codes ? 403 : 'item 403'}`, async () => {
    const send = () => post('/batches/collections/bulk', { collections: [c.body()] }, c.role);
    if (c.codes) {
      await expectRefusedWrite(send, [403], c.codes);
      return;
    }
    if (c.allowed) {
      const r = await send();
      expectStatus(r, 200);
      expect(r.body).toMatchObject({ succeeded: 1, failed: 0, results: [{ status: 201 }] });
      return;
    }
    const before = await ledger.store.headPosition();
    const r = await send();
    expectStatus(r, 200);
    expect(r.body).toMatchObject({ succeeded: 0, failed: 1, results: [{ status: 403 }] });
    expect(await ledger.store.headPosition()).toBe(before);
  });
}

// ---- administration

for (const role of ROLES) {
  const operation = 'POST /organisations';
  const body = () => ({ name: `New org for ${role}`, roles: ['sorter'] });
  if (role === 'operator') row(operation, 'operator → 201', async () => expectStatus(await post('/organisations', body(), role), 201));
  else row(operation, `${role} → 403 ${role === 'auditor' ? 'read-only-role' : 'operator-only'}`, async () => expectRefusedWrite(() => post('/organisations', body(), role), [403], [role === 'auditor' ? 'read-only-role' : 'operator-only']));
}

const ISSUE = { reason: 'second key for the weighbridge' };
for (const role of ROLES) {
  const operation = 'POST /organisations/{organisationId}/api-keys';
  if (role === 'operator') {
    row(operation, 'operator · for an organisation → 201', async () => expectStatus(await post(`/organisations/${s.org('sortB').id}/api-keys`, ISSUE, role), 201));
    continue;
  }
  const code = role === 'auditor' ? 'read-only-role' : 'operator-only';
  row(operation, `${role} · for itself → 403 ${code}`, async () => expectRefusedWrite(() => post(`/organisations/${s.viewer(role).id}/api-keys`, ISSUE, role), [403], [code]));
  row(operation, `${role} · for another organisation → 403`, async () => expectRefusedWrite(() => post(`/organisations/${s.org('sortB').id}/api-keys`, ISSUE, role), [403]));
}

/** A spare key of `org`, issued by the operator, so that revoking it locks nobody out. */
async function spareKey(org: ScenarioOrg): Promise<string> {
  const r = await post(`/organisations/${org.id}/api-keys`, ISSUE, 'operator');
  expectStatus(r, 201);
  return (r.body as Json)['apiKeyId'] as string;
}
const REVOKE = { reason: 'the laptop was lost' };
for (const role of ROLES) {
  const operation = 'POST /organisations/{organisationId}/api-keys/{keyId}/revoke';
  const other = () => s.org(role === 'sorter' ? 'recB' : 'sortB');
  if (role === 'operator') {
    row(operation, "operator · an organisation's key → 200", async () => {
      const keyId = await spareKey(other());
      expectStatus(await post(`/organisations/${other().id}/api-keys/${keyId}/revoke`, REVOKE, role), 200);
    });
    continue;
  }
  if (role === 'auditor') {
    row(operation, 'auditor · its own key → 403 read-only-role', async () => {
      const keyId = await spareKey(s.viewer(role));
      await expectRefusedWrite(() => post(`/organisations/${s.viewer(role).id}/api-keys/${keyId}/revoke`, REVOKE, role), [403], ['read-only-role']);
    });
  } else {
    row(operation, `${role} · its own key → 200`, async () => {
      const keyId = await spareKey(s.viewer(role));
      expectStatus(await post(`/organisations/${s.viewer(role).id}/api-keys/${keyId}/revoke`, REVOKE, role), 200);
    });
  }
  row(operation, `${role} · another organisation's key → 403`, async () => {
    const keyId = await spareKey(other());
    await expectRefusedWrite(() => post(`/organisations/${other().id}/api-keys/${keyId}/revoke`, REVOKE, role), [403], role === 'auditor' ? ['read-only-role'] : undefined);
  });
}

/** A collector of its own for each collector-authorisation row, so that rows do not depend on one another. */
function newCollector(name: string): Promise<RegisteredOrganisation> {
  return ledger.registerOrganisation(name, ['collector']);
}
async function authorise(collector: RegisteredOrganisation): Promise<void> {
  expectStatus(await post(`/organisations/${s.org('munA').id}/collector-authorisations`, { collectorOrgId: collector.id }, 'municipality'), 201);
}
for (const role of ROLES) {
  const grant = 'POST /organisations/{organisationId}/collector-authorisations';
  const revoke = 'POST /organisations/{organisationId}/collector-authorisations/{collectorOrgId}/revoke';
  const munA = () => s.org('munA').id;
  if (role === 'municipality') {
    row(grant, 'municipality · itself → 201', async () => {
      const collector = await newCollector('Grant collector');
      expectStatus(await post(`/organisations/${munA()}/collector-authorisations`, { collectorOrgId: collector.id }, role), 201);
    });
    row(grant, 'municipality · another municipality → 403', async () => {
      const collector = await newCollector('Grant elsewhere');
      await expectRefusedWrite(() => post(`/organisations/${s.org('munB').id}/collector-authorisations`, { collectorOrgId: collector.id }, role), [403]);
    });
    row(revoke, 'municipality · itself → 200', async () => {
      const collector = await newCollector('Revoke collector');
      await authorise(collector);
      expectStatus(await post(`/organisations/${munA()}/collector-authorisations/${collector.id}/revoke`, { reason: 'contract ended' }, role), 200);
    });
    row(revoke, 'municipality · another municipality → 403', async () => {
      await expectRefusedWrite(() => post(`/organisations/${s.org('munB').id}/collector-authorisations/${s.org('colB').id}/revoke`, { reason: 'contract ended' }, role), [403]);
    });
    continue;
  }
  const codes = role === 'auditor' ? ['read-only-role'] : undefined;
  row(grant, `${role} · a municipality → 403${codes ? ` ${codes[0]}` : ''}`, async () => {
    const collector = await newCollector(`Grant by ${role}`);
    await expectRefusedWrite(() => post(`/organisations/${munA()}/collector-authorisations`, { collectorOrgId: collector.id }, role), [403], codes);
  });
  row(revoke, `${role} · a municipality's → 403${codes ? ` ${codes[0]}` : ''}`, async () => {
    await expectRefusedWrite(() => post(`/organisations/${munA()}/collector-authorisations/${s.org('colA').id}/revoke`, { reason: 'contract ended' }, role), [403], codes);
  });
}

// ---- impersonated writes: the operator acts with the target's rights, recorded in the events

row('POST /batches/{batchId}/dispatch', 'operator impersonating the custodian → 200, the event names the operator and the reason', async () => {
  const batchId = await s.freshOwned('sorter', 'impersonated-dispatch');
  const r = await allowedCommand('dispatch', 'sorter', batchId, as(s.viewer('sorter')), 'operator');
  expectStatus(r, 200);
  const events = await ledger.store.readStream(`batch-${batchId}`);
  const dispatched = events.at(-1)!;
  expect(dispatched.type).toBe('CustodyTransferDispatched');
  expect(dispatched.metadata).toMatchObject({ actorOrgId: s.viewer('sorter').id, impersonatedBy: s.viewer('operator').id, impersonationReason: REASON });
});
row('POST /batches/collections', 'operator impersonating the municipality → 201, the event names the operator and the reason', async () => {
  const r = await post('/batches/collections', collection(KOMMUNE.munA, s.org('colA')), 'operator', as(s.org('munA')));
  expectStatus(r, 201);
  const events = await ledger.store.readStream(`batch-${(r.body as Json)['batchId'] as string}`);
  expect(events[0]!.metadata).toMatchObject({ actorOrgId: s.org('munA').id, impersonatedBy: s.viewer('operator').id, impersonationReason: REASON });
});
row('POST /processes', 'operator impersonating the custodian → 201, every event names the operator', async () => {
  const input = await s.freshOwned('recycler', 'impersonated-process');
  const r = await post('/processes', processBody([input]), 'operator', as(s.viewer('recycler')));
  expectStatus(r, 201);
  const events = await ledger.store.readStream(`process-${(r.body as Json)['processId'] as string}`);
  expect(events.length).toBeGreaterThan(0);
  for (const event of events) expect(event.metadata).toMatchObject({ actorOrgId: s.viewer('recycler').id, impersonatedBy: s.viewer('operator').id });
});
row('POST /batches/{batchId}/dispatch', "operator impersonating a sorter, on a batch it does not hold → 403/404", async () => {
  const batchId = s.relationBatch('sorter', 'unrelated');
  await expectRefusedWrite(() => post(`/batches/${batchId}/dispatch`, { toOrgId: s.peer('sorter').id }, 'operator', as(s.viewer('sorter'))), [403, 404], DENIAL_CODES);
});
row('POST /organisations', 'operator impersonating a sorter → 403 operator-only', async () => {
  await expectRefusedWrite(() => post('/organisations', { name: 'Sneaky', roles: ['sorter'] }, 'operator', as(s.viewer('sorter'))), [403], ['operator-only']);
});
row('POST /batches/{batchId}/dispatch', 'a sorter impersonating its peer → 403 impersonation-not-permitted', async () => {
  const batchId = s.relationBatch('sorter', 'unrelated');
  await expectRefusedWrite(() => post(`/batches/${batchId}/dispatch`, { toOrgId: s.viewer('sorter').id }, 'sorter', as(s.peer('sorter'))), [403], ['impersonation-not-permitted']);
});
row('POST /batches/residuals', 'an auditor sending Ledger-Impersonate → 403 impersonation-not-permitted', async () => {
  await expectRefusedWrite(() => post('/batches/residuals', residualBody(), 'auditor', as(s.viewer('sorter'))), [403], ['impersonation-not-permitted']);
});
row('POST /batches/residuals', 'operator impersonating without a reason → 400 impersonation-reason-required', async () => {
  await expectRefusedWrite(() => post('/batches/residuals', residualBody(), 'operator', as(s.viewer('sorter'), null)), [400], ['impersonation-reason-required']);
});
row('POST /batches/residuals', 'operator impersonating an unknown organisation → 404 unknown-organisation', async () => {
  await expectRefusedWrite(() => post('/batches/residuals', residualBody(), 'operator', { 'ledger-impersonate': UNKNOWN_ID, 'ledger-impersonation-reason': REASON }), [404], ['unknown-organisation']);
});
row('POST /batches/residuals', 'operator impersonating an operator → 403 impersonation-not-permitted', async () => {
  await expectRefusedWrite(() => post('/batches/residuals', residualBody(), 'operator', as(s.viewer('operator'))), [403], ['impersonation-not-permitted']);
});

// ---- CSV imports (decision 038): the same rules as the single and bulk endpoints they send each row to

const csvPost = (url: string, csv: string, role: Role) => post(url, Buffer.from(csv, 'utf8'), role, { 'content-type': 'text/csv' });
const collectionCsv = (body: Json): string =>
  `kommunekode;ordning;EAK-kode;vægt (g);dato;indsamler\n${String(body['kommuneCode'])};kerbside;20 01 11;${String(body['massGrams'])};2025-01-15;${String(body['collectorOrgId'])}\n`;
for (const c of COLLECTION_CASES) {
  row('POST /imports/collections', `${c.role} · ${c.title} → ${c.allowed ? 'row imported' : c.codes ? 403 : 'row refused'}`, async () => {
    const send = () => csvPost('/imports/collections?mode=valid-rows', collectionCsv(c.body()), c.role);
    if (c.codes) {
      await expectRefusedWrite(send, [403], c.codes);
      return;
    }
    const before = await ledger.store.headPosition();
    const r = await send();
    expectStatus(r, 200);
    if (c.allowed) {
      expect(r.body).toMatchObject({ summary: { imported: 1, errors: 0 } });
      return;
    }
    expect(r.body).toMatchObject({ summary: { imported: 0, errors: 1 }, results: [{ fate: 'error' }] });
    expect(await ledger.store.headPosition()).toBe(before);
  });
}
for (const role of ROLES) {
  const operation = 'POST /imports/residuals';
  const csv = () => `origin class;EWC code;weight (g);description;date\npre-consumer;04 02 22;${s.distinctMass(1_500_000)};offcuts;2025-01-15\n`;
  if (role === 'auditor') row(operation, 'auditor → 403 read-only-role', async () => expectRefusedWrite(() => csvPost('/imports/residuals', csv(), role), [403], ['read-only-role']));
  else if (role === 'operator') row(operation, 'operator, not impersonating → 403 operator-must-impersonate', async () => expectRefusedWrite(() => csvPost('/imports/residuals', csv(), role), [403], ['operator-must-impersonate']));
  else
    row(operation, `${role} → row imported`, async () => {
      const r = await csvPost('/imports/residuals', csv(), role);
      expectStatus(r, 200);
      expect(r.body).toMatchObject({ summary: { imported: 1, errors: 0 } });
    });
}

// ---- the national view (decision 040): every kommune side by side, so auditors and the operator only

for (const role of ROLES) {
  const operation = 'GET /reports/national/{year}';
  if (isPrivileged(role)) {
    row(operation, `${role} → 200`, async () => expectStatus(await get(`/reports/national/${s.year}`, role), 200));
    row(operation, `${role}, CSV → 200`, async () => expectStatus(await get(`/reports/national/${s.year}?format=csv`, role), 200));
  } else {
    row(operation, `${role} → 403`, async () => void expectProblem(await get(`/reports/national/${s.year}`, role), [403]));
    row(operation, `${role}, CSV → 403`, async () => void expectProblem(await get(`/reports/national/${s.year}?format=csv`, role), [403]));
  }
}

// ---- emission factor sets (decision 042): the operator publishes; anyone signed in reads them

let nextFactorSet = 0;
const FACTOR_SET_BODY = (): Json => ({
  factorSetId: `matrix-${++nextFactorSet}`,
  validFrom: '2024-01-01',
  factors: [{ route: 'recycling', kgCo2eAvoidedPerKg: '1.5', baseline: 'incineration', source: 'authorization matrix' }],
});
for (const role of ROLES) {
  const publish = 'POST /emission-factors';
  if (role === 'operator') row(publish, `${role} → 201`, async () => expectStatus(await post('/emission-factors', FACTOR_SET_BODY(), role), 201));
  else if (role === 'auditor') row(publish, `${role} → 403 read-only-role`, async () => expectRefusedWrite(() => post('/emission-factors', FACTOR_SET_BODY(), role), [403], ['read-only-role']));
  else row(publish, `${role} → 403 operator-only`, async () => expectRefusedWrite(() => post('/emission-factors', FACTOR_SET_BODY(), role), [403], ['operator-only']));
  row('GET /emission-factors', `${role} → 200`, async () => expectStatus(await get('/emission-factors', role), 200));
  row('GET /emission-factors/in-force', `${role} → 200`, async () => expectStatus(await get('/emission-factors/in-force?on=2025-01-01', role), 200));
  row('GET /emission-factors/{factorSetId}', `${role} → 200`, async () => expectStatus(await get('/emission-factors/jie-2015', role), 200));
}
row('GET /emission-factors', 'no credentials → 401', async () => void expectProblem(await ledger.request('GET', '/emission-factors', { key: null }), [401], ['missing-credentials']));

// ---- recycled-content claims (decision 044): the batch's owner or custodian claims; auditors never
// write; the operator only by impersonation; a claim is as visible as its batch (see the batch reads).

const CLAIM_BODY = (batchId: string): Json => ({ claimId: randomUUID(), batchId, standard: 'grs', model: 'segregated', recycledContentBasisPoints: 2_000 });
for (const role of MATERIAL_ROLES) {
  row('POST /claims', `${role} · unknown batch → 404 unknown-batch`, async () => expectRefusedWrite(() => post('/claims', CLAIM_BODY(UNKNOWN_ID), role), [404], ['unknown-batch']));
  row('POST /claims', `${role} · an unrelated batch → 403 not-owner-or-custodian`, async () =>
    expectRefusedWrite(() => post('/claims', CLAIM_BODY(s.relationBatch(role, 'unrelated')), role), [403], ['not-owner-or-custodian']),
  );
}
row('POST /claims', 'auditor → 403 read-only-role', async () => expectRefusedWrite(() => post('/claims', CLAIM_BODY(s.relationBatch('sorter', 'custodian')), 'auditor'), [403], ['read-only-role']));
row('POST /claims', 'operator, not impersonating → 403 operator-must-impersonate', async () =>
  expectRefusedWrite(() => post('/claims', CLAIM_BODY(s.relationBatch('sorter', 'custodian')), 'operator'), [403], ['operator-must-impersonate']),
);
for (const role of ROLES) {
  row('GET /claims/{claimId}', `${role} · unknown → 404 unknown-claim`, async () => void expectProblem(await get(`/claims/${UNKNOWN_ID}`, role), [404], ['unknown-claim']));
}
// A claim's certificate (decision 045) is as visible as the claim: unknown and invisible answer alike.
for (const role of ROLES) {
  row('GET /claims/{claimId}/certificate', `${role} · unknown → 404 unknown-claim`, async () => void expectProblem(await get(`/claims/${UNKNOWN_ID}/certificate`, role), [404], ['unknown-claim']));
}

// ---- programmes, value chains, members and organisation sizes (decision 041): the operator registers a
// programme; the operator and the programme's manager run it; anyone signed in reads programmes and
// members with SME status; a size is declared by the organisation itself or the operator, and read by
// it, auditors and the operator.

/** A programme the operator registered, managed by `manager`, with one value chain (and `member` in it, when given). */
async function programmeOf(manager: ScenarioOrg, member?: ScenarioOrg): Promise<{ programmeId: string; valueChainId: string }> {
  const p = await ledger.request<{ programmeId: string }>('POST', '/programmes', { body: { name: `Programme of ${manager.label}`, managerOrganisationId: manager.id } });
  expectStatus(p, 201);
  const c = await ledger.request<{ valueChainId: string }>('POST', `/programmes/${p.body.programmeId}/value-chains`, { body: { name: 'Chain' } });
  expectStatus(c, 201);
  if (member) expectStatus(await ledger.request('POST', `/programmes/${p.body.programmeId}/members`, { body: { organisationId: member.id, valueChainId: c.body.valueChainId, from: '2024-01-01' } }), 201);
  return { programmeId: p.body.programmeId, valueChainId: c.body.valueChainId };
}
const SIZE_BODY = (): Json => ({ employees: 40, annualTurnoverEur: 5_000_000, balanceSheetTotalEur: 2_000_000, appliesFrom: '2024-01-01' });
for (const role of ROLES) {
  const register = 'POST /programmes';
  const chains = 'POST /programmes/{programmeId}/value-chains';
  const addMember = 'POST /programmes/{programmeId}/members';
  const removeMember = 'POST /programmes/{programmeId}/members/remove';
  const declareSize = 'POST /organisations/{organisationId}/size';
  const readSize = 'GET /organisations/{organisationId}/size';
  const other = () => s.org(role === 'sorter' ? 'recB' : 'sortB');
  const member = () => s.org(role === 'recycler' ? 'sortB' : 'recB');
  if (role === 'operator') {
    row(register, 'operator → 201', async () => expectStatus(await post('/programmes', { name: 'Closing Loops' }, role), 201));
    row(chains, "operator · a programme another organisation manages → 201", async () => expectStatus(await post(`/programmes/${(await programmeOf(other())).programmeId}/value-chains`, { name: 'CØ59' }, role), 201));
    row(addMember, 'operator · a programme another organisation manages → 201', async () => {
      const { programmeId, valueChainId } = await programmeOf(other());
      expectStatus(await post(`/programmes/${programmeId}/members`, { organisationId: member().id, valueChainId, from: '2024-01-01' }, role), 201);
    });
    row(removeMember, 'operator · a member → 200', async () => {
      const { programmeId, valueChainId } = await programmeOf(other(), member());
      expectStatus(await post(`/programmes/${programmeId}/members/remove`, { organisationId: member().id, valueChainId, from: '2024-06-01' }, role), 200);
    });
    row(declareSize, 'operator · for an organisation → 201', async () => expectStatus(await post(`/organisations/${other().id}/size`, SIZE_BODY(), role), 201));
  } else if (role === 'auditor') {
    row(register, 'auditor → 403 read-only-role', async () => expectRefusedWrite(() => post('/programmes', { name: 'Closing Loops' }, role), [403], ['read-only-role']));
    row(chains, 'auditor → 403 read-only-role', async () => {
      const { programmeId } = await programmeOf(other());
      await expectRefusedWrite(() => post(`/programmes/${programmeId}/value-chains`, { name: 'CØ59' }, role), [403], ['read-only-role']);
    });
    row(addMember, 'auditor → 403 read-only-role', async () => {
      const { programmeId, valueChainId } = await programmeOf(other());
      await expectRefusedWrite(() => post(`/programmes/${programmeId}/members`, { organisationId: member().id, valueChainId, from: '2024-01-01' }, role), [403], ['read-only-role']);
    });
    row(removeMember, 'auditor → 403 read-only-role', async () => {
      const { programmeId, valueChainId } = await programmeOf(other(), member());
      await expectRefusedWrite(() => post(`/programmes/${programmeId}/members/remove`, { organisationId: member().id, valueChainId, from: '2024-06-01' }, role), [403], ['read-only-role']);
    });
    row(declareSize, 'auditor · for itself → 403 read-only-role', async () => expectRefusedWrite(() => post(`/organisations/${s.viewer(role).id}/size`, SIZE_BODY(), role), [403], ['read-only-role']));
  } else {
    row(register, `${role} → 403 role-not-permitted`, async () => expectRefusedWrite(() => post('/programmes', { name: 'Closing Loops' }, role), [403], ['role-not-permitted']));
    row(chains, `${role} · the programme it manages → 201`, async () => expectStatus(await post(`/programmes/${(await programmeOf(s.viewer(role))).programmeId}/value-chains`, { name: 'CØ59' }, role), 201));
    row(chains, `${role} · a programme another organisation manages → 403 not-programme-manager`, async () => {
      const { programmeId } = await programmeOf(other());
      await expectRefusedWrite(() => post(`/programmes/${programmeId}/value-chains`, { name: 'CØ59' }, role), [403], ['not-programme-manager']);
    });
    row(addMember, `${role} · the programme it manages → 201`, async () => {
      const { programmeId, valueChainId } = await programmeOf(s.viewer(role));
      expectStatus(await post(`/programmes/${programmeId}/members`, { organisationId: member().id, valueChainId, from: '2024-01-01' }, role), 201);
    });
    row(addMember, `${role} · a programme another organisation manages → 403 not-programme-manager`, async () => {
      const { programmeId, valueChainId } = await programmeOf(other());
      await expectRefusedWrite(() => post(`/programmes/${programmeId}/members`, { organisationId: s.viewer(role).id, valueChainId, from: '2024-01-01' }, role), [403], ['not-programme-manager']);
    });
    row(removeMember, `${role} · a member of the programme it manages → 200`, async () => {
      const { programmeId, valueChainId } = await programmeOf(s.viewer(role), member());
      expectStatus(await post(`/programmes/${programmeId}/members/remove`, { organisationId: member().id, valueChainId, from: '2024-06-01' }, role), 200);
    });
    row(removeMember, `${role} · itself from a programme another organisation manages → 403 not-programme-manager`, async () => {
      const { programmeId, valueChainId } = await programmeOf(other(), s.viewer(role));
      await expectRefusedWrite(() => post(`/programmes/${programmeId}/members/remove`, { organisationId: s.viewer(role).id, valueChainId, from: '2024-06-01' }, role), [403], ['not-programme-manager']);
    });
    row(declareSize, `${role} · for itself → 201`, async () => expectStatus(await post(`/organisations/${s.viewer(role).id}/size`, SIZE_BODY(), role), 201));
    row(declareSize, `${role} · for another organisation → 403 not-own-organisation`, async () =>
      expectRefusedWrite(() => post(`/organisations/${other().id}/size`, SIZE_BODY(), role), [403], ['not-own-organisation']),
    );
    row(readSize, `${role} · its own sizes → 200`, async () => expectStatus(await get(`/organisations/${s.viewer(role).id}/size`, role), 200));
  }
  row('GET /programmes', `${role} → 200`, async () => expectStatus(await get('/programmes', role), 200));
  row('GET /programmes/{programmeId}', `${role} → 200`, async () => expectStatus(await get(`/programmes/${(await programmeOf(other())).programmeId}`, role), 200));
  row('GET /programmes/{programmeId}/members', `${role} → 200, with SME status and no size figures`, async () => {
    const { programmeId } = await programmeOf(other(), member());
    const r = await get(`/programmes/${programmeId}/members?from=2024-01-01&to=2024-12-31`, role);
    expectStatus(r, 200);
    expect((r.body as { counts: { organisations: number } }).counts.organisations).toBe(1);
    expect(JSON.stringify(r.body)).not.toContain('annualTurnoverEur');
  });
  row(readSize, `${role} · another organisation's sizes → ${isPrivileged(role) ? '200' : '403/404'}`, async () => {
    const r = await get(`/organisations/${other().id}/size`, role);
    if (isPrivileged(role)) expectStatus(r, 200);
    else expectProblem(r, [403, 404]);
  });
  // Programme impact (decision 043): published figures, so anyone signed in, as the members.
  row('GET /programmes/{programmeId}/impact', `${role} · a programme another organisation manages → 200, with no size figures`, async () => {
    const { programmeId } = await programmeOf(other(), member());
    const r = await get(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31`, role);
    expectStatus(r, 200);
    expect((r.body as { organisations: { count: number } }).organisations.count).toBe(1);
    expect(JSON.stringify(r.body)).not.toContain('annualTurnoverEur');
  });
}
row('GET /programmes', 'no credentials → 401', async () => void expectProblem(await ledger.request('GET', '/programmes', { key: null }), [401], ['missing-credentials']));
row('GET /programmes/{programmeId}/impact', 'no credentials → 401', async () =>
  void expectProblem(await ledger.request('GET', `/programmes/${(await programmeOf(s.org('sortB'))).programmeId}/impact?from=2024-01-01&to=2024-12-31`, { key: null }), [401], ['missing-credentials']),
);

// ------------------------------------------------------------------------------------------ the tests

// ---- catalogue match webhooks (decision 046): the organisation itself or the operator registers
// and removes one; the organisation, auditors and the operator read it. A literal public address,
// so that registering needs no DNS; no row makes a match for it, so nothing is POSTed there.

const WEBHOOK = { url: 'https://93.184.216.34/textile-ledger-hook' };
const registerWebhook = async (org: ScenarioOrg, role: Role): Promise<void> => expectStatus(await post(`/organisations/${org.id}/catalogue-webhook`, WEBHOOK, role), 201);
for (const role of ROLES) {
  const register = 'POST /organisations/{organisationId}/catalogue-webhook';
  const read = 'GET /organisations/{organisationId}/catalogue-webhook';
  const remove = 'POST /organisations/{organisationId}/catalogue-webhook/remove';
  const other = () => s.org(role === 'sorter' ? 'recB' : 'sortB');
  const refusedCodes = role === 'auditor' ? ['read-only-role'] : ['not-webhook-owner'];
  if (role === 'operator') {
    row(register, 'operator · for an organisation → 201', async () => registerWebhook(other(), role));
    row(remove, "operator · an organisation's → 200", async () => {
      await registerWebhook(other(), 'operator');
      expectStatus(await post(`/organisations/${other().id}/catalogue-webhook/remove`, {}, role), 200);
    });
  } else {
    if (role === 'auditor') {
      row(register, 'auditor · for itself → 403 read-only-role', async () => expectRefusedWrite(() => post(`/organisations/${s.viewer(role).id}/catalogue-webhook`, WEBHOOK, role), [403], ['read-only-role']));
      row(remove, 'auditor · its own → 403 read-only-role', async () => {
        await registerWebhook(s.viewer(role), 'operator');
        await expectRefusedWrite(() => post(`/organisations/${s.viewer(role).id}/catalogue-webhook/remove`, {}, role), [403], ['read-only-role']);
      });
    } else {
      row(register, `${role} · for itself → 201`, async () => registerWebhook(s.viewer(role), role));
      row(remove, `${role} · its own → 200`, async () => {
        await registerWebhook(s.viewer(role), role);
        expectStatus(await post(`/organisations/${s.viewer(role).id}/catalogue-webhook/remove`, {}, role), 200);
      });
    }
    row(register, `${role} · for another organisation → 403`, async () => expectRefusedWrite(() => post(`/organisations/${other().id}/catalogue-webhook`, WEBHOOK, role), [403], refusedCodes));
    row(remove, `${role} · another organisation's → 403`, async () => {
      await registerWebhook(other(), 'operator');
      await expectRefusedWrite(() => post(`/organisations/${other().id}/catalogue-webhook/remove`, {}, role), [403], refusedCodes);
    });
  }
  row(read, `${role} · own organisation → 200, never the secret`, async () => {
    await registerWebhook(s.viewer(role), 'operator');
    const r = await get(`/organisations/${s.viewer(role).id}/catalogue-webhook`, role);
    expectStatus(r, 200);
    expect(JSON.stringify(r.body)).not.toContain('whsec_');
  });
  if (isPrivileged(role)) row(read, `${role} · another organisation → 200`, async () => {
    await registerWebhook(other(), 'operator');
    expectStatus(await get(`/organisations/${other().id}/catalogue-webhook`, role), 200);
  });
  else row(read, `${role} · another organisation → 403`, async () => void expectProblem(await get(`/organisations/${other().id}/catalogue-webhook`, role), [403]));
}

// ---- the symbiosis catalogue (decision 046): an offer or want is seen by its organisation,
// auditors, the operator and its audience, as disclosed; anyone else gets 404, as for one that does
// not exist. Deals are their two parties'. Writes are material commands.

const CATALOGUE_LINEN = [{ fibre: 'cotton', share: 10_000 }];
async function catalogueBatch(org: ScenarioOrg): Promise<string> {
  const r = await ledger.request<{ batchId: string }>('POST', '/batches/residuals', {
    key: org.key,
    body: { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 1_234_567, composition: CATALOGUE_LINEN, description: 'offcuts' },
  });
  expectStatus(r, 201);
  return r.body.batchId;
}
async function catalogueOffer(holder: ScenarioOrg, visibility?: Json): Promise<string> {
  const batchId = await catalogueBatch(holder);
  const r = await ledger.request<{ offerId: string }>('POST', '/catalogue/offers', {
    key: holder.key,
    body: { batchId, title: `Offcuts of ${holder.label}`, ewcCode: '04 02 22', place: { kommuneCode: '0657' }, ...(visibility ? { visibility } : {}) },
  });
  expectStatus(r, 201);
  return r.body.offerId;
}
async function catalogueWant(buyer: ScenarioOrg, visibility?: Json): Promise<string> {
  const r = await ledger.request<{ wantId: string }>('POST', '/catalogue/wants', {
    key: buyer.key,
    body: { title: `Cotton for ${buyer.label}`, fibres: [{ fibre: 'cotton', minShare: 5_000 }], minGrams: 1_000, place: { kommuneCode: '0661' }, ...(visibility ? { visibility } : {}) },
  });
  expectStatus(r, 201);
  return r.body.wantId;
}
async function catalogueRequest(offerId: string, buyer: ScenarioOrg): Promise<string> {
  const r = await ledger.request<{ dealId: string }>('POST', `/catalogue/offers/${offerId}/requests`, { key: buyer.key, body: {} });
  expectStatus(r, 201);
  return r.body.dealId;
}
async function acceptedDeal(holder: ScenarioOrg, buyer: ScenarioOrg): Promise<string> {
  const dealId = await catalogueRequest(await catalogueOffer(holder), buyer);
  expectStatus(await ledger.request('POST', `/catalogue/requests/${dealId}/accept`, { key: holder.key, body: {} }), 200);
  return dealId;
}
/** Offered to one named organisation only, disclosing the kommune and a mass band. */
const namedTo = (org: ScenarioOrg): Json => ({ audience: { kind: 'organisations', organisationIds: [org.id] }, disclosure: { name: false, mass: 'band', location: 'kommune' } });
const STREAM_OFFER = (): Json => ({ title: 'Linen, about 2 t a month', grade: 'recycling', composition: CATALOGUE_LINEN, ewcCode: '20 01 11', period: 'month', massGramsPerPeriod: 2_000_000, place: { kommuneCode: '0101' } });
const WANT_BODY = (): Json => ({ title: 'Cotton', fibres: [{ fibre: 'cotton', minShare: 6_000 }], minGrams: 500_000, place: { kommuneCode: '0661' } });

{
  const offerOp = 'GET /catalogue/offers/{offerId}';
  const offerMatches = 'GET /catalogue/offers/{offerId}/matches';
  const withdraw = 'POST /catalogue/offers/{offerId}/withdraw';
  const request = 'POST /catalogue/offers/{offerId}/requests';
  const accept = 'POST /catalogue/requests/{requestId}/accept';
  const decline = 'POST /catalogue/requests/{requestId}/decline';
  const dealOp = 'GET /catalogue/deals/{dealId}';
  const cancel = 'POST /catalogue/deals/{dealId}/cancel';
  const wantOp = 'GET /catalogue/wants/{wantId}';
  const wantMatches = 'GET /catalogue/wants/{wantId}/matches';
  const withdrawWant = 'POST /catalogue/wants/{wantId}/withdraw';
  const events = 'GET /catalogue/events';

  for (const role of MATERIAL_ROLES) {
    const me = () => s.viewer(role);
    const other = () => s.org(role === 'sorter' ? 'recB' : 'sortB');
    const third = () => s.third(role);
    row('POST /catalogue/offers', `${role} · a batch it holds → 201`, async () => {
      const batchId = await catalogueBatch(me());
      expectStatus(await post('/catalogue/offers', { batchId, title: 'Offcuts', ewcCode: '04 02 22', place: { kommuneCode: '0657' } }, role), 201);
    });
    row('POST /catalogue/offers', `${role} · a batch another organisation holds → 403 not-custodian`, async () => {
      const batchId = await catalogueBatch(other());
      await expectRefusedWrite(() => post('/catalogue/offers', { batchId, title: 'Offcuts', ewcCode: '04 02 22', place: { kommuneCode: '0657' } }, role), [403], ['not-custodian']);
    });
    row('POST /catalogue/stream-offers', `${role} → 201`, async () => expectStatus(await post('/catalogue/stream-offers', STREAM_OFFER(), role), 201));
    row('POST /catalogue/wants', `${role} → 201`, async () => expectStatus(await post('/catalogue/wants', WANT_BODY(), role), 201));
    row('GET /catalogue/offers', `${role} → 200: offers to everyone and to it, none named to another, a band and a kommune where that is all they show`, async () => {
      const open = await catalogueOffer(other());
      const toMe = await catalogueOffer(other(), namedTo(me()));
      const toThird = await catalogueOffer(other(), namedTo(third()));
      const r = await get('/catalogue/offers?limit=500', role);
      expectStatus(r, 200);
      const offers = (r.body as { offers: Json[] }).offers;
      const ids = offers.map((o) => o['offerId']);
      expect(ids).toEqual(expect.arrayContaining([open, toMe]));
      expect(ids).not.toContain(toThird);
      const shown = offers.find((o) => o['offerId'] === toMe)!;
      expect(shown).toMatchObject({ holder: null, batchId: null, mass: { kind: 'band' }, location: { precision: 'kommune', siteId: null } });
      expect(JSON.stringify(shown)).not.toContain('1234567');
      // No batch id of an offer not its own.
      for (const o of offers) if ((o['holder'] as Json | null)?.['organisationId'] !== me().id) expect(o['batchId']).toBeNull();
    });
    row(offerOp, `${role} · to everyone → 200; named to it → 200 as disclosed; named to another → 404 unknown-offer`, async () => {
      expectStatus(await get(`/catalogue/offers/${await catalogueOffer(other())}`, role), 200);
      const toMe = await get(`/catalogue/offers/${await catalogueOffer(other(), namedTo(me()))}`, role);
      expectStatus(toMe, 200);
      expect(toMe.body).toMatchObject({ full: false, holder: null, mass: { kind: 'band' }, visibility: null });
      expectProblem(await get(`/catalogue/offers/${await catalogueOffer(other(), namedTo(third()))}`, role), [404], ['unknown-offer']);
      expectProblem(await get(`/catalogue/offers/${UNKNOWN_ID}`, role), [404], ['unknown-offer']);
    });
    row(offerOp, `${role} · to a programme it is a member of → 200; of one it is not → 404`, async () => {
      const member = await programmeOf(other(), me());
      const notMember = await programmeOf(other());
      expectStatus(await get(`/catalogue/offers/${await catalogueOffer(other(), { audience: { kind: 'programme', programmeId: member.programmeId } })}`, role), 200);
      expectProblem(await get(`/catalogue/offers/${await catalogueOffer(other(), { audience: { kind: 'programme', programmeId: notMember.programmeId } })}`, role), [404], ['unknown-offer']);
    });
    row(offerOp, `${role} · its own → 200 in full`, async () => {
      const r = await get(`/catalogue/offers/${await catalogueOffer(me(), namedTo(third()))}`, role);
      expectStatus(r, 200);
      expect(r.body).toMatchObject({ full: true, mass: { kind: 'exact', grams: 1_234_567 }, holder: { organisationId: me().id } });
    });
    row(offerMatches, `${role} · visible → 200; hidden → 404 unknown-offer`, async () => {
      expectStatus(await get(`/catalogue/offers/${await catalogueOffer(other())}/matches`, role), 200);
      expectProblem(await get(`/catalogue/offers/${await catalogueOffer(other(), namedTo(third()))}/matches`, role), [404], ['unknown-offer']);
    });
    row(withdraw, `${role} · its own → 200; another's it sees → 403 not-offer-holder; hidden → 404`, async () => {
      expectStatus(await post(`/catalogue/offers/${await catalogueOffer(me())}/withdraw`, {}, role), 200);
      const visible = await catalogueOffer(other());
      await expectRefusedWrite(() => post(`/catalogue/offers/${visible}/withdraw`, {}, role), [403], ['not-offer-holder']);
      const hidden = await catalogueOffer(other(), namedTo(third()));
      await expectRefusedWrite(() => post(`/catalogue/offers/${hidden}/withdraw`, {}, role), [404], ['unknown-offer']);
    });
    row(request, `${role} · another's it sees → 201; its own → 422 own-offer; hidden → 404`, async () => {
      expectStatus(await post(`/catalogue/offers/${await catalogueOffer(other())}/requests`, {}, role), 201);
      const own = await catalogueOffer(me());
      await expectRefusedWrite(() => post(`/catalogue/offers/${own}/requests`, {}, role), [422], ['own-offer']);
      const hidden = await catalogueOffer(other(), namedTo(third()));
      await expectRefusedWrite(() => post(`/catalogue/offers/${hidden}/requests`, {}, role), [404], ['unknown-offer']);
    });
    for (const [operation, verb, status] of [
      [accept, 'accept', 200],
      [decline, 'decline', 200],
    ] as const) {
      row(operation, `${role} · a request for its offer → ${status}; its own request for another's offer → 403 not-offer-holder; others' → 404 unknown-request`, async () => {
        expectStatus(await post(`/catalogue/requests/${await catalogueRequest(await catalogueOffer(me()), other())}/${verb}`, {}, role), status);
        const mine = await catalogueRequest(await catalogueOffer(other()), me());
        await expectRefusedWrite(() => post(`/catalogue/requests/${mine}/${verb}`, {}, role), [403], ['not-offer-holder']);
        const theirs = await catalogueRequest(await catalogueOffer(other()), third());
        await expectRefusedWrite(() => post(`/catalogue/requests/${theirs}/${verb}`, {}, role), [404], ['unknown-request']);
      });
    }
    row('GET /catalogue/deals', `${role} → 200, its own deals only`, async () => {
      const mine = await catalogueRequest(await catalogueOffer(other()), me());
      const theirs = await catalogueRequest(await catalogueOffer(other()), third());
      const r = await get('/catalogue/deals', role);
      expectStatus(r, 200);
      const ids = (r.body as { deals: Json[] }).deals.map((d) => d['dealId']);
      expect(ids).toContain(mine);
      expect(ids).not.toContain(theirs);
    });
    row(dealOp, `${role} · as buyer → 200; as holder → 200; neither → 404 unknown-deal`, async () => {
      expectStatus(await get(`/catalogue/deals/${await catalogueRequest(await catalogueOffer(other()), me())}`, role), 200);
      expectStatus(await get(`/catalogue/deals/${await catalogueRequest(await catalogueOffer(me()), other())}`, role), 200);
      expectProblem(await get(`/catalogue/deals/${await catalogueRequest(await catalogueOffer(other()), third())}`, role), [404], ['unknown-deal']);
    });
    row(cancel, `${role} · a deal it is party to → 200; one it is not → 404 unknown-deal`, async () => {
      expectStatus(await post(`/catalogue/deals/${await acceptedDeal(other(), me())}/cancel`, { reason: 'changed plans' }, role), 200);
      const theirs = await acceptedDeal(other(), third());
      await expectRefusedWrite(() => post(`/catalogue/deals/${theirs}/cancel`, { reason: 'x' }, role), [404], ['unknown-deal']);
    });
    row('GET /catalogue/wants', `${role} → 200, none named to another`, async () => {
      const open = await catalogueWant(other());
      const toThird = await catalogueWant(other(), namedTo(third()));
      const r = await get('/catalogue/wants?limit=500', role);
      expectStatus(r, 200);
      const ids = (r.body as { wants: Json[] }).wants.map((w) => w['wantId']);
      expect(ids).toContain(open);
      expect(ids).not.toContain(toThird);
    });
    row(wantOp, `${role} · visible → 200; named to another → 404 unknown-want`, async () => {
      expectStatus(await get(`/catalogue/wants/${await catalogueWant(other())}`, role), 200);
      expectProblem(await get(`/catalogue/wants/${await catalogueWant(other(), namedTo(third()))}`, role), [404], ['unknown-want']);
    });
    row(wantMatches, `${role} · visible → 200; named to another → 404 unknown-want`, async () => {
      expectStatus(await get(`/catalogue/wants/${await catalogueWant(other())}/matches`, role), 200);
      expectProblem(await get(`/catalogue/wants/${await catalogueWant(other(), namedTo(third()))}/matches`, role), [404], ['unknown-want']);
    });
    row(withdrawWant, `${role} · its own → 200; another's → 403 not-want-owner`, async () => {
      expectStatus(await post(`/catalogue/wants/${await catalogueWant(me())}/withdraw`, {}, role), 200);
      const theirs = await catalogueWant(other());
      await expectRefusedWrite(() => post(`/catalogue/wants/${theirs}/withdraw`, {}, role), [403], ['not-want-owner']);
    });
    row(events, `${role} → 200 text/event-stream`, async () => {
      const r = await get('/catalogue/events?maxSeconds=0', role);
      expectStatus(r, 200);
      expect(String(r.headers['content-type'])).toContain('text/event-stream');
    });
  }

  for (const role of PRIVILEGED) {
    const holder = () => s.org('sortB');
    const buyer = () => s.org('recB');
    const refusal = role === 'auditor' ? 'read-only-role' : 'operator-must-impersonate';
    row('POST /catalogue/offers', `${role} → 403 ${refusal}`, async () => {
      const batchId = await catalogueBatch(holder());
      await expectRefusedWrite(() => post('/catalogue/offers', { batchId, title: 'x', ewcCode: '04 02 22', place: { kommuneCode: '0657' } }, role), [403], [refusal]);
    });
    row('POST /catalogue/stream-offers', `${role} → 403 ${refusal}`, async () => expectRefusedWrite(() => post('/catalogue/stream-offers', STREAM_OFFER(), role), [403], [refusal]));
    row('POST /catalogue/wants', `${role} → 403 ${refusal}`, async () => expectRefusedWrite(() => post('/catalogue/wants', WANT_BODY(), role), [403], [refusal]));
    if (role === 'operator') {
      row('POST /catalogue/wants', 'operator impersonating a recycler → 201', async () => expectStatus(await post('/catalogue/wants', WANT_BODY(), role, as(buyer())), 201));
    }
    row('GET /catalogue/offers', `${role} → 200, offers named to anyone, in full`, async () => {
      const named = await catalogueOffer(holder(), namedTo(buyer()));
      const r = await get('/catalogue/offers?limit=500', role);
      expectStatus(r, 200);
      expect((r.body as { offers: Json[] }).offers.find((o) => o['offerId'] === named)).toMatchObject({ full: true, mass: { kind: 'exact', grams: 1_234_567 } });
    });
    row(offerOp, `${role} · named to another → 200 in full; unknown → 404`, async () => {
      expectStatus(await get(`/catalogue/offers/${await catalogueOffer(holder(), namedTo(buyer()))}`, role), 200);
      expectProblem(await get(`/catalogue/offers/${UNKNOWN_ID}`, role), [404], ['unknown-offer']);
    });
    row(offerMatches, `${role} → 200`, async () => expectStatus(await get(`/catalogue/offers/${await catalogueOffer(holder(), namedTo(buyer()))}/matches`, role), 200));
    row(withdraw, `${role} → 403 ${refusal}`, async () => {
      const offerId = await catalogueOffer(holder());
      await expectRefusedWrite(() => post(`/catalogue/offers/${offerId}/withdraw`, {}, role), [403], [refusal]);
    });
    row(request, `${role} → 403 ${refusal}`, async () => {
      const offerId = await catalogueOffer(holder());
      await expectRefusedWrite(() => post(`/catalogue/offers/${offerId}/requests`, {}, role), [403], [refusal]);
    });
    for (const [operation, verb] of [
      [accept, 'accept'],
      [decline, 'decline'],
    ] as const) {
      row(operation, `${role} → 403 ${refusal}`, async () => {
        const requestId = await catalogueRequest(await catalogueOffer(holder()), buyer());
        await expectRefusedWrite(() => post(`/catalogue/requests/${requestId}/${verb}`, {}, role), [403], [refusal]);
      });
    }
    row('GET /catalogue/deals', `${role} → 200, every deal`, async () => {
      const dealId = await catalogueRequest(await catalogueOffer(holder()), buyer());
      const r = await get('/catalogue/deals', role);
      expectStatus(r, 200);
      expect((r.body as { deals: Json[] }).deals.map((d) => d['dealId'])).toContain(dealId);
    });
    row(dealOp, `${role} → 200`, async () => expectStatus(await get(`/catalogue/deals/${await catalogueRequest(await catalogueOffer(holder()), buyer())}`, role), 200));
    row(cancel, `${role} → 403 ${refusal}`, async () => {
      const dealId = await acceptedDeal(holder(), buyer());
      await expectRefusedWrite(() => post(`/catalogue/deals/${dealId}/cancel`, { reason: 'x' }, role), [403], [refusal]);
    });
    row('GET /catalogue/wants', `${role} → 200`, async () => expectStatus(await get('/catalogue/wants', role), 200));
    row(wantOp, `${role} · named to another → 200`, async () => expectStatus(await get(`/catalogue/wants/${await catalogueWant(buyer(), namedTo(holder()))}`, role), 200));
    row(wantMatches, `${role} → 200`, async () => expectStatus(await get(`/catalogue/wants/${await catalogueWant(buyer(), namedTo(holder()))}/matches`, role), 200));
    row(withdrawWant, `${role} → 403 ${refusal}`, async () => {
      const wantId = await catalogueWant(buyer());
      await expectRefusedWrite(() => post(`/catalogue/wants/${wantId}/withdraw`, {}, role), [403], [refusal]);
    });
    row(events, `${role} → 200 text/event-stream`, async () => expectStatus(await get('/catalogue/events?maxSeconds=0', role), 200));
  }
  for (const [operation, url] of [
    ['GET /catalogue/offers', '/catalogue/offers'],
    ['GET /catalogue/wants', '/catalogue/wants'],
    ['GET /catalogue/deals', '/catalogue/deals'],
    [events, '/catalogue/events?maxSeconds=0'],
  ] as const) {
    row(operation, 'no credentials → 401', async () => void expectProblem(await ledger.request('GET', url, { key: null }), [401], ['missing-credentials']));
  }
}

// ---- who am I (decision 034): any authenticated principal, about itself only

for (const role of ROLES) {
  row('GET /me', `${role} → 200, itself`, async () => {
    const r = await get('/me', role);
    expectStatus(r, 200);
    expect(r.body).toMatchObject({ organisationId: s.viewer(role).id, roles: expect.arrayContaining([role]), impersonation: null });
  });
}
row('GET /me', 'no credentials → 401', async () => void expectProblem(await ledger.request('GET', '/me', { key: null }), [401], ['missing-credentials']));
row('GET /me', 'operator impersonating a sorter → 200, the sorter, naming the operator', async () => {
  const r = await get('/me', 'operator', as(s.viewer('sorter')));
  expectStatus(r, 200);
  expect(r.body).toMatchObject({ organisationId: s.viewer('sorter').id, operator: false, impersonation: { operatorOrgId: s.viewer('operator').id, reason: REASON } });
});

// ---- sites and the ADS export (decision 039): sites are declared by the organisation itself or the
// operator; anyone signed in sees name, kommune and P-number, only insiders the address; the ADS
// export of a P-number is its organisation's, auditors' and the operator's.

let nextPNumber = 0;
const newPNumber = (): string => String(1_900_000_000 + ++nextPNumber);
async function declaredSite(org: ScenarioOrg, pNumber?: string): Promise<string> {
  const r = await ledger.request<{ siteId: string }>('POST', `/organisations/${org.id}/sites`, {
    key: org.key,
    body: { name: `Site of ${org.label}`, address: 'Industrivej 1, 7400 Herning', kommuneCode: '0657', ...(pNumber ? { pNumber } : {}) },
  });
  expectStatus(r, 201);
  return r.body.siteId;
}
const SITE_BODY = (): Json => ({ name: 'Hall', address: 'Industrivej 2, 7400 Herning', kommuneCode: '0657', pNumber: newPNumber() });
for (const role of ROLES) {
  const declare = 'POST /organisations/{organisationId}/sites';
  const amend = 'POST /organisations/{organisationId}/sites/{siteId}/amend';
  const close = 'POST /organisations/{organisationId}/sites/{siteId}/close';
  const list = 'GET /organisations/{organisationId}/sites';
  const ads = 'GET /reports/ads/{pNumber}/{year}';
  const other = () => s.org(role === 'sorter' ? 'recB' : 'sortB');
  const amendment = { name: 'Hall', address: 'Industrivej 3, 7400 Herning', kommuneCode: '0657', reason: 'renumbered' };
  if (role === 'operator') {
    row(declare, "operator · for an organisation → 201", async () => expectStatus(await post(`/organisations/${other().id}/sites`, SITE_BODY(), role), 201));
    row(amend, "operator · an organisation's site → 200", async () => expectStatus(await post(`/organisations/${other().id}/sites/${await declaredSite(other())}/amend`, amendment, role), 200));
    row(close, "operator · an organisation's site → 200", async () => expectStatus(await post(`/organisations/${other().id}/sites/${await declaredSite(other())}/close`, { reason: 'closed' }, role), 200));
  } else if (role === 'auditor') {
    row(declare, 'auditor · for itself → 403 read-only-role', async () => expectRefusedWrite(() => post(`/organisations/${s.viewer(role).id}/sites`, SITE_BODY(), role), [403], ['read-only-role']));
    row(amend, "auditor · an organisation's site → 403 read-only-role", async () => {
      const siteId = await declaredSite(other());
      await expectRefusedWrite(() => post(`/organisations/${other().id}/sites/${siteId}/amend`, amendment, role), [403], ['read-only-role']);
    });
    row(close, "auditor · an organisation's site → 403 read-only-role", async () => {
      const siteId = await declaredSite(other());
      await expectRefusedWrite(() => post(`/organisations/${other().id}/sites/${siteId}/close`, { reason: 'closed' }, role), [403], ['read-only-role']);
    });
  } else {
    row(declare, `${role} · for itself → 201`, async () => expectStatus(await post(`/organisations/${s.viewer(role).id}/sites`, SITE_BODY(), role), 201));
    row(declare, `${role} · for another organisation → 403 not-own-organisation`, async () =>
      expectRefusedWrite(() => post(`/organisations/${other().id}/sites`, SITE_BODY(), role), [403], ['not-own-organisation']),
    );
    row(amend, `${role} · its own site → 200`, async () => expectStatus(await post(`/organisations/${s.viewer(role).id}/sites/${await declaredSite(s.viewer(role))}/amend`, amendment, role), 200));
    row(amend, `${role} · another organisation's site → 403 not-own-organisation`, async () => {
      const siteId = await declaredSite(other());
      await expectRefusedWrite(() => post(`/organisations/${other().id}/sites/${siteId}/amend`, amendment, role), [403], ['not-own-organisation']);
    });
    row(close, `${role} · its own site → 200`, async () => expectStatus(await post(`/organisations/${s.viewer(role).id}/sites/${await declaredSite(s.viewer(role))}/close`, { reason: 'closed' }, role), 200));
    row(close, `${role} · another organisation's site → 403 not-own-organisation`, async () => {
      const siteId = await declaredSite(other());
      await expectRefusedWrite(() => post(`/organisations/${other().id}/sites/${siteId}/close`, { reason: 'closed' }, role), [403], ['not-own-organisation']);
    });
  }
  row(list, `${role} · another organisation's sites → 200, ${isPrivileged(role) ? 'with' : 'without'} the address`, async () => {
    await declaredSite(other());
    const r = await get(`/organisations/${other().id}/sites`, role);
    expectStatus(r, 200);
    const sites = (r.body as { sites: Json[] }).sites;
    expect(sites.length).toBeGreaterThan(0);
    for (const site of sites) expect('address' in site).toBe(isPrivileged(role));
  });
  if (!isPrivileged(role)) {
    row(list, `${role} · its own sites → 200, with the address`, async () => {
      await declaredSite(s.viewer(role));
      const r = await get(`/organisations/${s.viewer(role).id}/sites`, role);
      expectStatus(r, 200);
      for (const site of (r.body as { sites: Json[] }).sites) expect(site).toHaveProperty('address');
    });
    row(ads, `${role} · its own site's P-number → 200`, async () => {
      const pNumber = newPNumber();
      await declaredSite(s.viewer(role), pNumber);
      const r = await get(`/reports/ads/${pNumber}/2025`, role);
      expectStatus(r, 200);
      expect(r.body).toMatchObject({ pNumber, reconciliation: { balanced: true } });
    });
  }
  row(ads, `${role} · another organisation's site's P-number → ${isPrivileged(role) ? '200' : '403 not-own-organisation'}`, async () => {
    const pNumber = newPNumber();
    await declaredSite(other(), pNumber);
    const r = await get(`/reports/ads/${pNumber}/2025`, role);
    if (isPrivileged(role)) expectStatus(r, 200);
    else expectProblem(r, [403], ['not-own-organisation']);
  });
  row(ads, `${role} · a P-number no site holds → 404 unknown-p-number`, async () => void expectProblem(await get('/reports/ads/1899999999/2025', role), [404], ['unknown-p-number']));
}

// ---- EPCIS (decision 047): exports as the batch and organisation reads, narrowed to what the viewer sees; capture as a material write

{
  const EPCIS_DOCUMENT = { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2025-04-01T00:00:00Z', epcisBody: { eventList: [] } };
  const context = 'GET /epcis/context/v1.jsonld';
  row(context, 'no credentials → 200', async () => expectStatus(await ledger.request('GET', '/epcis/context/v1.jsonld', { key: null }), 200));
  for (const role of ROLES) row(context, `${role} → 200`, async () => expectStatus(await get('/epcis/context/v1.jsonld', role), 200));

  const batchExport = 'GET /epcis/batches/{batchId}/events';
  const exportUrl = (id: string) => `/epcis/batches/${id}/events?direction=upstream`;
  for (const role of MATERIAL_ROLES) {
    for (const relation of RELATIONS) {
      const allowed = READ_ALLOWED[relation];
      row(batchExport, `${role} · ${relation} → ${allowed ? 200 : 404}`, async () => {
        const batchId = s.relationBatch(role, relation);
        const r = await get(exportUrl(batchId), role);
        if (!allowed) return expectLikeUnknownBatch(r, batchId, exportUrl, role);
        expectStatus(r, 200);
        expectNothingHidden(JSON.stringify(r.body), s.viewer(role).id, [batchId]);
      });
    }
  }
  for (const role of PRIVILEGED) {
    row(batchExport, `${role} · a sorter's custodian batch → 200`, async () => expectStatus(await get(exportUrl(s.relationBatch('sorter', 'custodian')), role), 200));
    row(batchExport, `${role} · an unknown batch → 404`, async () => void expectProblem(await get(exportUrl(UNKNOWN_ID), role), [404], ['unknown-batch']));
  }

  const organisationExport = 'GET /epcis/organisations/{organisationId}/events';
  for (const role of ROLES) {
    row(organisationExport, `${role} · own organisation → 200`, async () => expectStatus(await get(`/epcis/organisations/${s.viewer(role).id}/events`, role), 200));
    const other = (): ScenarioOrg => s.org(role === 'sorter' ? 'recB' : 'sortB');
    if (isPrivileged(role)) row(organisationExport, `${role} · another organisation → 200`, async () => expectStatus(await get(`/epcis/organisations/${other().id}/events`, role), 200));
    else row(organisationExport, `${role} · another organisation → 403`, async () => void expectProblem(await get(`/epcis/organisations/${other().id}/events`, role), [403]));
  }

  for (const role of ROLES) {
    row('GET /epcis/events', `${role} → 200, naming no batch it may not see`, async () => {
      const r = await get('/epcis/events?perPage=1000', role);
      expectStatus(r, 200);
      if (!isPrivileged(role)) expectNothingHidden(JSON.stringify(r.body), s.viewer(role).id, []);
    });
  }

  const capture = 'POST /epcis/capture';
  for (const role of MATERIAL_ROLES) {
    row(capture, `${role} → 202, and its job is its own`, async () => {
      const r = await post('/epcis/capture', EPCIS_DOCUMENT, role);
      expectStatus(r, 202);
      const location = String(r.headers['location']);
      expectStatus(await get(location, role), 200);
      const stranger: Role = role === 'sorter' ? 'recycler' : 'sorter';
      expectProblem(await get(location, stranger), [404], ['unknown-capture-job']);
    });
  }
  row(capture, 'auditor → 403 read-only-role', async () => expectRefusedWrite(() => post('/epcis/capture', EPCIS_DOCUMENT, 'auditor'), [403], ['read-only-role']));
  row(capture, 'operator, not impersonating → 403 operator-must-impersonate', async () => expectRefusedWrite(() => post('/epcis/capture', EPCIS_DOCUMENT, 'operator'), [403], ['operator-must-impersonate']));
  for (const role of ROLES) {
    row('GET /epcis/capture', `${role} → 200`, async () => expectStatus(await get('/epcis/capture', role), 200));
    row('GET /epcis/capture/{jobId}', `${role} · a job id nobody has → 404`, async () => void expectProblem(await get(`/epcis/capture/${UNKNOWN_ID}`, role), [404], ['unknown-capture-job']));
  }
}

describe('authorization matrix', () => {
  beforeAll(async () => {
    // Webhook delivery is off here: the matrix asks who may register one, not what is delivered
    // (catalogue-webhook.e2e does), and matching every new entry for the registered organisations
    // would share this in-process ledger's one event loop with the rows' requests.
    ledger = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process', LEDGER_CHECKPOINT_EVERY_EVENTS: '16', LEDGER_WEBHOOK_POLL_MS: '0' } });
    s = await MultiTenantScenario.build(ledger);
  }, 180_000);
  afterAll(async () => {
    await ledger?.close();
  }, 60_000);

  it('covers every operation of the OpenAPI document, and nothing else', async () => {
    const docs = await ledger.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json', { key: null });
    expectStatus(docs, 200);
    const operations = new Set(
      Object.entries(docs.body.paths).flatMap(([path, methods]) =>
        Object.keys(methods)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const tabled = new Set(rows.map((r) => r.operation).filter((op) => !OUTSIDE_OPENAPI.has(op)));
    // The walk must not pass by walking nothing.
    expect(operations.size).toBeGreaterThanOrEqual(30);
    expect({ withoutRows: [...operations].filter((op) => !tabled.has(op)).sort(), rowsForNoOperation: [...tabled].filter((op) => !operations.has(op)).sort() }).toEqual({
      withoutRows: [],
      rowsForNoOperation: [],
    });
  });

  it('has rows for every role on every operation that needs credentials', () => {
    const missing: string[] = [];
    for (const operation of new Set(rows.map((r) => r.operation))) {
      if (operation.startsWith('GET /health') || OUTSIDE_OPENAPI.has(operation)) continue;
      const titles = rows.filter((r) => r.operation === operation).map((r) => r.title);
      for (const role of ROLES) if (!titles.some((t) => new RegExp(`· ${role}\\b`).test(t))) missing.push(`${operation}: ${role}`);
    }
    expect(missing).toEqual([]);
  });

  for (const r of rows) it(r.title, r.run);
});

// ------------------------------------------------------------------------------------------ rate limits

/**
 * The two rate-limit problems (decision 028), for every role: a network that spent its budget of
 * failed authentications gets 429 `too-many-failed-authentications` for requests without a valid
 * credential, while every role's valid key is still served from it; an organisation that spent its
 * own budget gets 429 `too-many-requests` on reads and writes alike, and nothing is appended.
 */
describe('authorization matrix: rate-limit answers', () => {
  let limited: LedgerHarness;
  const keys = new Map<Role, string>();
  const wrongKey = 'tl_0123456789ab_this-key-was-never-issued-by-the-ledger';
  const send = (method: 'GET' | 'POST', url: string, key: string | null, body?: unknown) =>
    limited.request<unknown>(method, url, { key, ...(body !== undefined ? { body } : {}) });
  const residual = () => ({ kommuneCode: KOMMUNE.munA, massGrams: 1_000, materialType: 'cotton' });

  beforeAll(async () => {
    limited = await LedgerHarness.start({
      env: {
        // Refill of one a minute: nothing comes back while the block runs.
        LEDGER_RATE_LIMIT_PER_MINUTE: '1',
        LEDGER_RATE_LIMIT_BURST: '12',
        LEDGER_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1',
        LEDGER_RATE_LIMIT_UNAUTHENTICATED_BURST: '2',
      },
    });
    for (const role of ROLES) {
      if (role === 'operator') continue;
      const org = await limited.registerOrganisation(`Rate-limited ${role}`, [role], role === 'municipality' ? KOMMUNE.munA : undefined);
      keys.set(role, org.key);
    }
    keys.set('operator', limited.operatorKey);
  }, 60_000);
  afterAll(async () => {
    await limited?.close();
  });

  it('no credentials and wrong keys spend the network’s budget, then answer 429 too-many-failed-authentications on reads and writes, appending nothing', async () => {
    expectStatus(await send('GET', '/batches', null), 401);
    expectStatus(await send('GET', '/batches', wrongKey), 401);
    for (const [method, url, key] of [
      ['GET', '/batches', null],
      ['GET', '/batches', wrongKey],
      ['POST', '/batches/residuals', null],
      ['POST', '/batches/residuals', wrongKey],
    ] as const) {
      const before = await limited.store.headPosition();
      const r = await send(method, url, key, method === 'POST' ? residual() : undefined);
      expectProblem(r, [429], ['too-many-failed-authentications']);
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(await limited.store.headPosition()).toBe(before);
    }
    // Public routes are never limited.
    expectStatus(await send('GET', '/health', null), 200);
    expectStatus(await send('GET', '/docs-json', null), 200);
  });

  for (const role of ROLES) {
    it(`${role} · served from the exhausted network, then 429 too-many-requests on reads and writes once its organisation spent its burst, appending nothing`, async () => {
      const key = keys.get(role)!;
      expectStatus(await send('GET', '/organisations', key), 200);
      let spent = 1;
      while ((await send('GET', '/organisations', key)).status === 200) spent += 1;
      expect(spent).toBeLessThanOrEqual(12);
      const read = await send('GET', '/batches', key);
      expectProblem(read, [429], ['too-many-requests']);
      expect(Number(read.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(read.headers['ratelimit-policy']).toBe('"per-organisation";q=1;w=60');
      const before = await limited.store.headPosition();
      expectProblem(await send('POST', '/batches/residuals', key, residual()), [429], ['too-many-requests']);
      expect(await limited.store.headPosition()).toBe(before);
    });
  }
});

// ------------------------------------------------------------------------------------------ stored request inputs

/**
 * The problems of decision 027 for every role and for a caller without credentials: a malformed
 * X-Correlation-Id (400 `invalid-correlation-id`) or X-Request-Id (400 `invalid-request-id`) is
 * refused before authentication, on reads and writes alike, and appends nothing; a list one entry
 * beyond its maximum is a 400 `invalid-body` that appends nothing.
 */
describe('authorization matrix: stored request inputs', () => {
  let bounded: LedgerHarness;
  const keys = new Map<Role | 'no credentials', string | null>();
  const send = (method: 'GET' | 'POST', url: string, key: string | null, headers: Record<string, string>, body?: unknown) =>
    bounded.request<unknown>(method, url, { key, headers, ...(body !== undefined ? { body } : {}) });
  const collectionIn = (kommuneCode: string) => ({ kommuneCode, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 1_000 });

  beforeAll(async () => {
    bounded = await LedgerHarness.start();
    for (const role of ROLES) {
      if (role === 'operator') continue;
      const org = await bounded.registerOrganisation(`Bounded ${role}`, [role], role === 'municipality' ? KOMMUNE.munA : undefined);
      keys.set(role, org.key);
    }
    keys.set('operator', bounded.operatorKey);
    keys.set('no credentials', null);
  }, 60_000);
  afterAll(async () => {
    await bounded?.close();
  });

  for (const who of [...ROLES, 'no credentials'] as const) {
    it(`${who} · a malformed X-Correlation-Id or X-Request-Id → 400 invalid-correlation-id / invalid-request-id on reads and writes, appending nothing`, async () => {
      const key = keys.get(who) ?? null;
      const before = await bounded.store.headPosition();
      for (const [method, url, body] of [
        ['GET', '/batches', undefined],
        ['POST', '/batches/collections', collectionIn(KOMMUNE.munA)],
        ['POST', '/organisations', { name: 'Formula ApS', roles: ['collector'] }],
      ] as const) {
        expectProblem(await send(method, url, key, { 'x-correlation-id': '=HYPERLINK("https://evil.example")' }, body), [400], ['invalid-correlation-id']);
        expectProblem(await send(method, url, key, { 'x-correlation-id': 'c'.repeat(65) }, body), [400], ['invalid-correlation-id']);
        expectProblem(await send(method, url, key, { 'x-request-id': '<img src=x>' }, body), [400], ['invalid-request-id']);
      }
      expect(await bounded.store.headPosition()).toBe(before);
    });
  }

  it('operator · nine roles, or 101 sites, for one organisation → 400 invalid-body, appending nothing', async () => {
    const before = await bounded.store.headPosition();
    const roles = [...ROLES, 'brand'];
    expectProblem(await send('POST', '/organisations', bounded.operatorKey, {}, { name: 'Every Role ApS', roles }), [400], ['invalid-body']);
    const sites = Array.from({ length: 101 }, (_, i) => ({ name: `Site ${i}` }));
    expectProblem(await send('POST', '/organisations', bounded.operatorKey, {}, { name: 'Many Sites ApS', roles: ['collector'], sites }), [400], ['invalid-body']);
    expect(await bounded.store.headPosition()).toBe(before);
  });

  it('municipality · 1,001 collections in one bulk request, or 21 programme tags → 400 invalid-body, appending nothing', async () => {
    const key = keys.get('municipality')!;
    const before = await bounded.store.headPosition();
    const collections = Array.from({ length: 1_001 }, () => collectionIn(KOMMUNE.munA));
    expectProblem(await send('POST', '/batches/collections/bulk', key, {}, { collections }), [400], ['invalid-body']);
    const programmeTags = Array.from({ length: 21 }, (_, i) => `tag-${i}`);
    expectProblem(await send('POST', '/batches/collections', key, {}, { ...collectionIn(KOMMUNE.munA), programmeTags }), [400], ['invalid-body']);
    expect(await bounded.store.headPosition()).toBe(before);
  });

  it('sorter · a residual whose composition lists more entries than there are fibres → 400 invalid-body, appending nothing', async () => {
    const key = keys.get('sorter')!;
    const before = await bounded.store.headPosition();
    const composition = Array.from({ length: 16 }, (_, i) => ({ fibre: i % 2 === 0 ? 'cotton' : 'polyester', share: 625 }));
    const residual = { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 5_000, description: 'offcuts', composition };
    expectProblem(await send('POST', '/batches/residuals', key, {}, residual), [400], ['invalid-body']);
    expect(await bounded.store.headPosition()).toBe(before);
  });
});

describe('authorization matrix: bearer-token answers (decision 029)', () => {
  const ISSUER = 'https://idp.example.test/';
  const AUDIENCE = 'textile-ledger';
  const ALLOWED_SUBJECT = 'ops@ledger.example';
  let tokens: LedgerHarness;
  let sign: (claims: Record<string, unknown>) => Promise<string>;
  const orgs = new Map<Role, string>();
  const now = (): number => Math.floor(Date.now() / 1000);
  const send = (method: 'GET' | 'POST', url: string, token: string, body?: unknown) =>
    tokens.request(method, url, { key: null, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { body } : {}) });
  const claims = (role: Role, overrides: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: AUDIENCE, sub: 'someone@example.org', ledger_org: orgs.get(role), iat: now(), exp: now() + 600, ...overrides });
  const collection = { kommuneCode: KOMMUNE.munA, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 1_000 };

  beforeAll(async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { SignJWT } = await import('jose');
    const { OPERATOR_ORGANISATION_ID } = await import('../../apps/ledger-api/src/organisations/operator-bootstrap.js');
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    sign = (payload) => new SignJWT(payload).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    tokens = await LedgerHarness.start({
      env: {
        LEDGER_OIDC_ISSUER: ISSUER,
        LEDGER_OIDC_AUDIENCE: AUDIENCE,
        LEDGER_OIDC_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        LEDGER_OIDC_PRIVILEGED_SUBJECTS: `${ISSUER}|${ALLOWED_SUBJECT}`,
      },
    });
    for (const role of ROLES) {
      orgs.set(role, role === 'operator' ? OPERATOR_ORGANISATION_ID : (await tokens.registerOrganisation(`Token ${role}`, [role], role === 'municipality' ? KOMMUNE.munA : undefined)).id);
    }
  }, 60_000);
  afterAll(async () => {
    await tokens?.close();
  });

  for (const role of ROLES) {
    it(`${role} · a token without iat, issued over 24 h ago, or valid for 50 years → 401 token-issued-at-missing / token-too-old / token-lifetime-too-long, appending nothing`, async () => {
      const before = await tokens.store.headPosition();
      for (const [overrides, code] of [
        [{ iat: undefined }, 'token-issued-at-missing'],
        [{ iat: now() - 25 * 3600 }, 'token-too-old'],
        [{ exp: now() + 50 * 365 * 86_400 }, 'token-lifetime-too-long'],
      ] as const) {
        const token = await sign(claims(role, overrides));
        expectProblem(await send('GET', '/organisations', token), [401], [code]);
        expectProblem(await send('POST', '/batches/collections', token, collection), [401], [code]);
      }
      expect(await tokens.store.headPosition()).toBe(before);
    });

    if (isPrivileged(role)) {
      it(`${role} · a token for the ${role} organisation whose issuer and subject LEDGER_OIDC_PRIVILEGED_SUBJECTS does not name → 403 token-privileged-subject-not-allowed, appending nothing; a named one acts`, async () => {
        const before = await tokens.store.headPosition();
        const token = await sign(claims(role));
        expectProblem(await send('GET', '/organisations', token), [403], ['token-privileged-subject-not-allowed']);
        expectProblem(await send('POST', '/organisations', token, { name: 'Token-made ApS', roles: ['brand'] }), [403], ['token-privileged-subject-not-allowed']);
        expect(await tokens.store.headPosition()).toBe(before);
        expectStatus(await send('GET', '/organisations', await sign(claims(role, { sub: ALLOWED_SUBJECT }))), 200);
      });
    } else {
      it(`${role} · a fresh token for the ${role} organisation acts without the allow-list`, async () => {
        expectStatus(await send('GET', `/organisations/${orgs.get(role)}`, await sign(claims(role))), 200);
      });
    }
  }
});

// ------------------------------------------------------------------------------------------ heavy-query answers

/**
 * The heavy-query problems of decision 026, for every role that may read the batch or the audit log:
 * a lineage walk beyond LEDGER_LINEAGE_MAX_NODES is a 422 `lineage-too-large`, the walk after the
 * organisation's query budget is spent a 429 `query-cost-budget-exhausted` with Retry-After, and a
 * request-audit range beyond LEDGER_REQUEST_AUDIT_MAX_RANGE_DAYS a 422 `audit-range-too-long`. None
 * appends anything.
 */
describe('authorization matrix: heavy-query answers (decision 026)', () => {
  let heavy: LedgerHarness;
  const keys = new Map<Role, string>();
  let output = '';

  beforeAll(async () => {
    heavy = await LedgerHarness.start({ env: { LEDGER_LINEAGE_MAX_NODES: '1', LEDGER_QUERY_COST_PER_MINUTE: '1', LEDGER_QUERY_COST_BURST: '1' } });
    const orgs = new Map<Role, RegisteredOrganisation>();
    for (const role of ROLES) {
      if (role === 'operator') continue;
      orgs.set(role, await heavy.registerOrganisation(`Heavy ${role}`, [role], role === 'municipality' ? KOMMUNE.munA : undefined));
    }
    for (const [role, org] of orgs) keys.set(role, org.key);
    keys.set('operator', heavy.operatorKey);
    const collector = orgs.get('collector')!;
    const collected = '0190aaaa-0000-7000-8000-000000000001';
    output = '0190aaaa-0000-7000-8000-000000000002';
    expectStatus(
      await heavy.post('/batches/collections', { batchId: collected, kommuneCode: KOMMUNE.munA, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 1_000, collectorOrgId: collector.id }, orgs.get('municipality')!.key),
      201,
    );
    expectStatus(
      await heavy.post(
        '/processes',
        { processId: '0190aaaa-0000-7000-8000-000000000003', processType: 'sorting', inputs: [{ batchId: collected }], outputs: [{ batchId: output, massGrams: 1_000, grade: 'recycling', composition: [{ fibre: 'cotton', share: 10_000 }] }] },
        collector.key,
      ),
      201,
    );
    await heavy.runner.waitForPosition(await heavy.store.headPosition());
  }, 60_000);
  afterAll(async () => {
    await heavy?.close();
  });

  for (const role of ['collector', 'municipality', 'auditor', 'operator'] as const) {
    it(`${role} · a lineage walk beyond the node cap is 422 lineage-too-large; the next heavy query, with the budget spent, 429 query-cost-budget-exhausted; appending nothing`, async () => {
      const before = await heavy.store.headPosition();
      const tooLarge = expectProblem(await heavy.get(`/batches/${output}/lineage`, keys.get(role)!), [422], ['lineage-too-large']);
      expect(tooLarge).toMatchObject({ maxNodes: 1 });
      const spent = await heavy.get(`/batches/${output}/lineage`, keys.get(role)!);
      expectProblem(spent, [429], ['query-cost-budget-exhausted']);
      expect(Number(spent.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(await heavy.store.headPosition()).toBe(before);
    });
  }

  for (const role of ['auditor', 'operator'] as const) {
    it(`${role} · a request-audit range beyond the most days is 422 audit-range-too-long`, async () => {
      const r = await heavy.get('/audit/requests?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', keys.get(role)!);
      expect(expectProblem(r, [422], ['audit-range-too-long'])).toMatchObject({ maxRangeDays: 366 });
    });
  }
});
