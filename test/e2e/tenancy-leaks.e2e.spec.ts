/**
 * Tenancy leaks: fast-check generates requests of competing organisations (and of the
 * operator impersonating them) against a multi-tenant ledger: every read endpoint, with targets
 * drawn from everyone's batches, processes, organisations and kommuner, with filters and as-of
 * moments, and writes on material the viewer has no right to touch. Each answer is judged against
 * the scenario's ground truth (test/fixtures/multi-tenant-scenario.ts): it is refused as the matrix
 * says, never a 5xx, and names no batch the viewer may not see, no mass of such a batch, and no other
 * organisation's inventory figure.
 *
 * Every violation is collected, grouped by kind, endpoint and relationship, and reported at the end.
 * Replay with LEDGER_LEAK_SEED=<seed> (printed on failure); LEDGER_LEAK_REQUESTS scales the run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LedgerHarness } from '../fixtures/ledger-harness.js';
import { EMPTY_KOMMUNE, KOMMUNE, MultiTenantScenario, UNKNOWN_ID, gramsIn, type OrgLabel, type ScenarioOrg } from '../fixtures/multi-tenant-scenario.js';

const REQUESTS = Math.max(1000, Number(process.env['LEDGER_LEAK_REQUESTS'] ?? 1000));
const SEED = process.env['LEDGER_LEAK_SEED'] !== undefined ? Number(process.env['LEDGER_LEAK_SEED']) : Math.floor(Math.random() * 2 ** 31);

type Json = Record<string, unknown>;
type AsOf = 'live' | 'mid' | 'head';

interface Viewer {
  /** Who sends the request. */
  readonly sender: OrgLabel;
  /** Whose rights it has: the sender's, or the organisation the operator impersonates. */
  readonly actingAs: OrgLabel;
}

type Target =
  | { readonly kind: 'batch'; readonly endpoint: 'summary' | 'lineage' | 'provenance' | 'custody' | 'history' | 'audit-history'; readonly batchId: string; readonly direction: 'upstream' | 'downstream'; readonly maxDepth: number | null }
  | { readonly kind: 'process'; readonly processId: string }
  | { readonly kind: 'list'; readonly custodian: string | null; readonly owner: string | null; readonly status: string | null }
  | { readonly kind: 'inventory'; readonly organisationId: string }
  | { readonly kind: 'municipal'; readonly kommuneCode: string; readonly csv: boolean }
  | { readonly kind: 'circularity'; readonly kommuneCode: string | null; readonly originKey: string | null; readonly period: 'month' | 'quarter' | 'year' }
  | { readonly kind: 'anomalies'; readonly organisationId: string | null }
  | { readonly kind: 'api-keys'; readonly organisationId: string }
  | { readonly kind: 'collector-authorisations'; readonly organisationId: string }
  | { readonly kind: 'inclusion-proof'; readonly position: number }
  | { readonly kind: 'request-audit' }
  | { readonly kind: 'write'; readonly command: 'dispatch' | 'receive' | 'cancel-transfer' | 'outcome' | 'mass-corrections' | 'process'; readonly batchId: string }
  | { readonly kind: 'catalogue'; readonly endpoint: CatalogueEndpoint; readonly id: string };

type CatalogueEndpoint = 'offer' | 'offer-matches' | 'want' | 'want-matches' | 'deal' | 'offers' | 'offers-filtered' | 'wants' | 'deals';

/**
 * The catalogue's ground truth (docs/decisions/046-symbiosis-catalogue.md): offers, wants and deals
 * made after the scenario, on fresh batches, with every kind of audience and disclosure. `secrets`
 * are what a viewer that sees the entry only as disclosed must not find in any catalogue answer.
 */
interface CatalogueEntry {
  readonly kind: 'offer' | 'want' | 'deal';
  readonly id: string;
  readonly owner: OrgLabel;
  /** Who may see it besides its owner, auditors and the operator (deals: the other party). */
  readonly audience: readonly OrgLabel[] | 'everyone';
  readonly secrets: readonly string[];
}
const catalogue: CatalogueEntry[] = [];

interface GeneratedRequest {
  readonly viewer: Viewer;
  readonly target: Target;
  readonly asOf: AsOf;
}

/** What the matrix says of one request, for one viewer. */
interface Judgement {
  /** `either`: the matrix does not settle it; only the leak scan applies. */
  readonly allowed: boolean | 'either';
  readonly deniedStatuses: readonly number[];
  readonly deniedCodes?: readonly string[];
  /** Batches the answer may name although the viewer has no full view of them (a visible process's inputs and outputs). */
  readonly alsoPermitted: readonly string[];
  /** Whether other organisations' inventory figures are looked for (not in aggregate reports, which may legitimately share them). */
  readonly scanFigures: boolean;
  /** Whether masses are looked for (not in circularity, whose buckets are the origin's own aggregate). */
  readonly scanMasses: boolean;
  /** Further checks of an allowed answer's scope. */
  readonly scope?: (body: unknown) => string | undefined;
}

interface Violation {
  readonly kind: string;
  readonly group: string;
  readonly example: string;
}

let ledger: LedgerHarness;
let s: MultiTenantScenario;
/** The stream of every event in the log, by position: the ground truth of whose an inclusion proof is. */
const streamAt = new Map<number, string>();

describe('tenancy leaks: fast-check-generated requests across competing organisations', () => {
  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process' } });
    s = await MultiTenantScenario.build(ledger);
    await buildCatalogue();
  }, 240_000);
  afterAll(async () => {
    await ledger?.close();
  }, 60_000);

  it(`answers ${REQUESTS} generated requests without a leak of another organisation's batches, inventory or volumes`, async () => {
    const labels = [...s.orgs.keys()];
    const orgIds = [...s.orgs.values()].map((o) => o.id);
    const batchIds = [...s.batches.keys()];
    const processIds = [...s.processes.keys()];
    const kommuner = [KOMMUNE.munA, KOMMUNE.munB, KOMMUNE.munC, EMPTY_KOMMUNE];
    const originKeys = [...kommuner.map((k) => `kommune:${k}`), ...orgIds.flatMap((id) => [`pre-consumer:${id}`, `post-consumer-business:${id}`])];
    for (let after = -1; ; ) {
      const page = await ledger.store.readAll({ after, maxCount: 1000 });
      if (page.length === 0) break;
      for (const event of page) streamAt.set(event.position, event.streamId);
      after = page.at(-1)!.position;
    }
    const positions = [...streamAt.keys()];

    const viewer: fc.Arbitrary<Viewer> = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...labels).map((label) => ({ sender: label, actingAs: label })) },
      { weight: 1, arbitrary: fc.constantFrom(...labels.filter((l) => l !== 'operator')).map((label): Viewer => ({ sender: 'operator', actingAs: label })) },
    );
    // Half the batch targets are near the viewer (related to it, or a parent or child of a related
    // batch): where the edges of the matrix are, and where a leak would most likely be.
    const near = new Map<OrgLabel, string[]>();
    for (const label of labels) {
      const me = s.org(label).id;
      const related = batchIds.filter((id) => s.relationOf(me, id) !== 'unrelated');
      const around = new Set(related);
      for (const id of related) for (const b of s.batches.values()) if (b.parents.includes(id) || s.batch(id).parents.includes(b.id)) around.add(b.id);
      near.set(label, [...around]);
    }
    const batchFor = (v: Viewer): fc.Arbitrary<string> => {
      const close = near.get(v.actingAs) ?? [];
      const any = { weight: 10, arbitrary: fc.constantFrom(...batchIds) };
      const unknown = { weight: 1, arbitrary: fc.constant(UNKNOWN_ID) };
      return close.length > 0 ? fc.oneof(any, { weight: 10, arbitrary: fc.constantFrom(...close) }, unknown) : fc.oneof(any, unknown);
    };
    const org = fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...orgIds) }, { weight: 1, arbitrary: fc.constant(UNKNOWN_ID) });
    const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 2 });
    const asOf: fc.Arbitrary<AsOf> = fc.constantFrom<AsOf>('live', 'live', 'live', 'live', 'mid', 'head');

    const target = (batch: fc.Arbitrary<string>): fc.Arbitrary<Target> =>
      fc.oneof(
        {
          weight: 12,
          arbitrary: fc.record({
            kind: fc.constant('batch' as const),
            endpoint: fc.constantFrom('summary', 'lineage', 'lineage', 'provenance', 'custody', 'history', 'audit-history'),
            batchId: batch,
            direction: fc.constantFrom('upstream', 'downstream'),
            maxDepth: maybe(fc.integer({ min: 1, max: 4 })),
          }),
        },
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('process' as const), processId: fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...processIds) }, { weight: 1, arbitrary: fc.constant(UNKNOWN_ID) }) }) },
        {
          weight: 3,
          arbitrary: fc.record({
            kind: fc.constant('list' as const),
            custodian: maybe(fc.constantFrom(...orgIds)),
            owner: maybe(fc.constantFrom(...orgIds)),
            status: maybe(fc.constantFrom('available', 'in-transit', 'consumed', 'closed')),
          }),
        },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('inventory' as const), organisationId: org }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('municipal' as const), kommuneCode: fc.constantFrom(...kommuner), csv: fc.boolean() }) },
        {
          weight: 3,
          arbitrary: fc.oneof(
            fc.record({ kind: fc.constant('circularity' as const), kommuneCode: fc.constant(null), originKey: fc.constant(null), period: fc.constantFrom('month', 'quarter', 'year') }),
            fc.record({ kind: fc.constant('circularity' as const), kommuneCode: fc.constantFrom(...kommuner), originKey: fc.constant(null), period: fc.constantFrom('month', 'quarter', 'year') }),
            fc.record({ kind: fc.constant('circularity' as const), kommuneCode: fc.constant(null), originKey: fc.constantFrom(...originKeys), period: fc.constantFrom('month', 'quarter', 'year') }),
          ),
        },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('anomalies' as const), organisationId: maybe(fc.constantFrom(...orgIds)) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('api-keys' as const), organisationId: org }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('collector-authorisations' as const), organisationId: org }) },
        {
          weight: 2,
          arbitrary: fc.record({
            kind: fc.constant('inclusion-proof' as const),
            position: fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...positions) }, { weight: 1, arbitrary: fc.constant(s.headPosition + 1_000_000) }),
          }),
        },
        { weight: 1, arbitrary: fc.constant({ kind: 'request-audit' as const }) },
        {
          weight: 4,
          arbitrary: fc.record({
            kind: fc.constant('catalogue' as const),
            endpoint: fc.constantFrom<CatalogueEndpoint>('offer', 'offer', 'offer-matches', 'want', 'want-matches', 'deal', 'offers', 'offers-filtered', 'wants', 'deals'),
            id: fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...catalogue.map((e) => e.id)) }, { weight: 1, arbitrary: fc.constant(UNKNOWN_ID) }),
          }),
        },
        {
          weight: 3,
          arbitrary: fc.record({
            kind: fc.constant('write' as const),
            command: fc.constantFrom('dispatch', 'receive', 'cancel-transfer', 'outcome', 'mass-corrections', 'process'),
            batchId: batch,
          }),
        },
      );

    const request: fc.Arbitrary<GeneratedRequest> = viewer
      .chain((v) => fc.record({ viewer: fc.constant(v), target: target(batchFor(v)), asOf }))
      // Writes only where the matrix refuses them: the scenario's material, the ground truth, must not change.
      .filter(({ viewer: v, target: t }) => t.kind !== 'write' || !mayWrite(v, t))
      .map((r) =>
        r.target.kind === 'write' || r.target.kind === 'catalogue' || r.target.kind === 'request-audit' || r.target.kind === 'api-keys' || r.target.kind === 'collector-authorisations' || r.target.kind === 'inclusion-proof'
          ? { ...r, asOf: 'live' as const }
          : r,
      );

    const generated = fc.sample(request, { numRuns: REQUESTS, seed: SEED });
    const violations: Violation[] = [];
    const counts = new Map<string, number>();
    for (const r of generated) {
      counts.set(r.target.kind, (counts.get(r.target.kind) ?? 0) + 1);
      violations.push(...(await send(r)));
    }

    // The run must not pass by asking nothing of interest.
    expect(generated.length).toBeGreaterThanOrEqual(1000);
    for (const kind of ['batch', 'process', 'list', 'inventory', 'municipal', 'circularity', 'anomalies', 'write', 'collector-authorisations', 'inclusion-proof', 'catalogue']) expect(counts.get(kind) ?? 0).toBeGreaterThan(10);

    const grouped = new Map<string, { count: number; example: string }>();
    for (const v of violations) {
      const key = `${v.kind} · ${v.group}`;
      const entry = grouped.get(key) ?? { count: 0, example: v.example };
      entry.count += 1;
      grouped.set(key, entry);
    }
    const report = [...grouped.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, { count, example }]) => `${key} (×${count}), e.g. ${example}`);
    expect({ seed: SEED, violations: report }).toEqual({ seed: SEED, violations: [] });
  }, 240_000);
});

// ------------------------------------------------------------------------------------------ the oracle

function acting(v: Viewer): ScenarioOrg {
  return s.org(v.actingAs);
}

/** Whether the matrix lets the viewer issue this write (custodian, consignee or sender as the command needs). */
function mayWrite(v: Viewer, t: Extract<Target, { kind: 'write' }>): boolean {
  const me = s.org(v.actingAs);
  if (me.roles.includes('auditor') || me.roles.includes('operator')) return false;
  const batch = s.batches.get(t.batchId);
  if (!batch) return false;
  const custodian = batch.holders.at(-1);
  switch (t.command) {
    case 'receive':
      return batch.consignee === me.id;
    case 'cancel-transfer':
      return batch.consignee === me.id || (batch.status === 'in-transit' && custodian === me.id);
    default:
      return custodian === me.id;
  }
}

function judge(r: GeneratedRequest): Judgement {
  const me = acting(r.viewer);
  const privileged = s.isPrivileged(me.id);
  const base = { alsoPermitted: [] as string[], scanFigures: true, scanMasses: true, deniedStatuses: [403] as number[] };
  const t = r.target;
  switch (t.kind) {
    case 'batch': {
      const visible = s.canSee(me.id, t.batchId);
      // As of the middle of the scenario, a batch made later does not exist yet: 404 is right too.
      const allowed = visible && !(r.asOf === 'mid' && !s.existingAtMid.has(t.batchId)) ? true : visible ? 'either' : false;
      return { ...base, allowed, deniedStatuses: [404], deniedCodes: ['unknown-batch'] };
    }
    case 'process': {
      const visible = s.canSeeProcess(me.id, t.processId);
      const process = s.processes.get(t.processId);
      const allowed = visible && !(r.asOf === 'mid' && !s.existingAtMid.has(t.processId)) ? true : visible ? 'either' : false;
      return { ...base, allowed, deniedStatuses: [404], deniedCodes: ['unknown-process'], alsoPermitted: visible && process ? [...process.inputs, ...process.outputs] : [] };
    }
    case 'list':
      return { ...base, allowed: true };
    case 'inventory': {
      const own = privileged || t.organisationId === me.id;
      const known = s.orgById(t.organisationId) !== undefined;
      return { ...base, allowed: own ? (known ? true : 'either') : false, scanFigures: !own };
    }
    case 'api-keys': {
      const own = privileged || t.organisationId === me.id;
      return { ...base, allowed: own ? (s.orgById(t.organisationId) ? true : 'either') : false };
    }
    case 'collector-authorisations': {
      // The municipality itself, auditors and the operator see all; a collector the entries naming it; no one else any.
      const known = s.orgById(t.organisationId) !== undefined ? true : 'either';
      const deniedCodes = ['not-municipality-or-collector'];
      if (privileged || t.organisationId === me.id) return { ...base, allowed: known, deniedCodes };
      if (!me.roles.includes('collector')) return { ...base, allowed: false, deniedCodes };
      const scope = (body: unknown): string | undefined => {
        const foreign = ((body ?? []) as Array<{ collectorOrgId: string }>).filter((e) => e.collectorOrgId !== me.id);
        return foreign.length > 0 ? `${foreign.length} authorisations naming another collector` : undefined;
      };
      return { ...base, allowed: known, deniedCodes, scope };
    }
    case 'inclusion-proof': {
      // An event is as visible as its stream; an event the viewer may not see reads like a position without one.
      const denied = { deniedStatuses: [404], deniedCodes: ['unknown-position'] };
      const streamId = streamAt.get(t.position);
      if (streamId === undefined) return { ...base, ...denied, allowed: false };
      if (privileged) return { ...base, ...denied, allowed: true };
      const [, kind, id] = /^(batch|process|organisation)-(.+)$/.exec(streamId) ?? [];
      const visible =
        kind === 'batch' ? (s.batches.has(id!) ? s.canSee(me.id, id!) : 'either') : kind === 'process' ? (s.processes.has(id!) ? s.canSeeProcess(me.id, id!) : 'either') : kind === 'organisation' ? id === me.id : false;
      return { ...base, ...denied, allowed: visible };
    }
    case 'request-audit':
      return { ...base, allowed: privileged };
    case 'municipal': {
      const own = privileged || s.kommuneOf(me.id) === t.kommuneCode;
      return { ...base, allowed: own, scanFigures: false };
    }
    case 'circularity': {
      const permitted = s.circularityKeys(me.id);
      const asked = t.kommuneCode !== null ? `kommune:${t.kommuneCode}` : t.originKey;
      const scope = (body: unknown): string | undefined => {
        if (permitted === undefined) return undefined;
        const rows = (body as { rows?: Array<{ originKey: string }> }).rows ?? [];
        const foreign = rows.map((x) => x.originKey).filter((key) => !permitted.has(key));
        return foreign.length > 0 ? `rows of ${[...new Set(foreign)].join(', ')}` : undefined;
      };
      const common = { ...base, scanFigures: false, scanMasses: false, deniedCodes: ['scope-not-permitted'], scope };
      if (permitted === undefined) return { ...common, allowed: true };
      const kommune = s.kommuneOf(me.id);
      if (asked === null) return { ...common, allowed: kommune !== undefined };
      if (permitted.has(asked)) return { ...common, allowed: true };
      // A municipality naming residual origin keys of its own: the matrix speaks only of its kommune.
      // Its rows, if answered, are of that key only: the municipality's own residuals.
      if (kommune !== undefined && (asked === `pre-consumer:${me.id}` || asked === `post-consumer-business:${me.id}`)) {
        const own = (body: unknown): string | undefined => {
          const foreign = ((body as { rows?: Array<{ originKey: string }> }).rows ?? []).map((x) => x.originKey).filter((key) => key !== asked);
          return foreign.length > 0 ? `rows of ${[...new Set(foreign)].join(', ')}` : undefined;
        };
        return { ...common, allowed: 'either', scope: own };
      }
      return { ...common, allowed: false };
    }
    case 'anomalies': {
      const allowed = privileged || t.organisationId === null || t.organisationId === me.id;
      const scope = (body: unknown): string | undefined => {
        if (privileged) return undefined;
        const items = (body as { items?: Array<{ organisationIds: string[]; kind: string }> }).items ?? [];
        const foreign = items.filter((a) => !a.organisationIds.includes(me.id));
        return foreign.length > 0 ? `${foreign.length} anomalies not involving the viewer (${foreign.map((a) => a.kind).join(', ')})` : undefined;
      };
      return { ...base, allowed, deniedCodes: ['scope-not-permitted'], scope, scanFigures: false };
    }
    case 'write':
      return { ...base, allowed: false, deniedStatuses: [403, 404, 409] };
    case 'catalogue': {
      if (['offers', 'offers-filtered', 'wants', 'deals'].includes(t.endpoint)) return { ...base, allowed: true };
      const kind = t.endpoint.startsWith('offer') ? 'offer' : t.endpoint.startsWith('want') ? 'want' : 'deal';
      const entry = catalogue.find((e) => e.id === t.id);
      const deniedCode = `unknown-${kind}`;
      // An id of another kind is unknown to this route.
      const visible = entry !== undefined && entry.kind === kind && catalogueVisible(me.id, entry);
      return { ...base, allowed: visible, deniedStatuses: [404], deniedCodes: [deniedCode] };
    }
  }
}

function catalogueVisible(viewerId: string, entry: CatalogueEntry): boolean {
  if (s.isPrivileged(viewerId) || s.org(entry.owner).id === viewerId) return true;
  return entry.audience === 'everyone' || entry.audience.some((label) => s.org(label).id === viewerId);
}

/** Sees the entry in full: its owner, auditors, the operator (a deal: both parties). */
function catalogueFull(viewerId: string, entry: CatalogueEntry): boolean {
  if (s.isPrivileged(viewerId) || s.org(entry.owner).id === viewerId) return true;
  return entry.kind === 'deal' && entry.audience !== 'everyone' && entry.audience.some((label) => s.org(label).id === viewerId);
}

async function buildCatalogue(): Promise<void> {
  const post = async <T>(org: OrgLabel, path: string, body: Json): Promise<T> => {
    const r = await ledger.post<T>(path, body, s.org(org).key);
    if (r.status !== 201 && r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  // Each yard its own position, so that one site's disclosed latitude is no other's secret.
  const site = async (org: OrgLabel, latitude: number): Promise<string> =>
    (await post<{ siteId: string }>(org, `/organisations/${s.org(org).id}/sites`, { name: `Yard of ${org}`, address: 'Havnevej 9, 7400 Herning', kommuneCode: '0657', latitude, longitude: 8.9731 })).siteId;
  const programme = (await post<{ programmeId: string }>('operator', '/programmes', { name: 'Catalogue leak programme' })).programmeId;
  for (const member of ['brandA', 'sortB'] as const) await post('operator', `/programmes/${programme}/members`, { organisationId: s.org(member).id, from: '2024-01-01' });
  const named = (labels: readonly OrgLabel[]) => ({ kind: 'organisations', organisationIds: labels.map((l) => s.org(l).id) });
  const offers: Array<{ holder: OrgLabel; grams: number; audience: Json; members: readonly OrgLabel[] | 'everyone'; name: boolean; mass: 'exact' | 'band'; location: 'site' | 'kommune' | 'region' }> = [
    { holder: 'sortA', grams: 7_100_003, audience: { kind: 'everyone' }, members: 'everyone', name: true, mass: 'exact', location: 'site' },
    { holder: 'sortB', grams: 7_200_017, audience: named(['colA', 'manA']), members: ['colA', 'manA'], name: true, mass: 'band', location: 'kommune' },
    { holder: 'recA', grams: 7_300_021, audience: { kind: 'everyone' }, members: 'everyone', name: false, mass: 'band', location: 'region' },
    { holder: 'colB', grams: 7_400_033, audience: named(['sortA']), members: ['sortA'], name: true, mass: 'exact', location: 'kommune' },
    { holder: 'manB', grams: 7_500_041, audience: { kind: 'programme', programmeId: programme }, members: ['brandA', 'sortB'], name: true, mass: 'band', location: 'region' },
    { holder: 'brandA', grams: 7_600_057, audience: named(['colB']), members: ['colB'], name: false, mass: 'exact', location: 'site' },
  ];
  const offerIds: string[] = [];
  for (const o of offers) {
    const latitude = 56.13971 + offerIds.length * 0.00113;
    const siteId = await site(o.holder, latitude);
    const batchId = (await post<{ batchId: string }>(o.holder, '/batches/residuals', { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: o.grams, composition: [{ fibre: 'cotton', share: 10_000 }], description: 'catalogue offcuts', siteId })).batchId;
    const { offerId } = await post<{ offerId: string }>(o.holder, '/catalogue/offers', {
      batchId,
      title: `Offcuts of ${o.holder}`,
      ewcCode: '04 02 22',
      place: { siteId },
      visibility: { audience: o.audience, disclosure: { name: o.name, mass: o.mass, location: o.location } },
    });
    offerIds.push(offerId);
    // The first offer's batch goes to its buyer with the accepted deal below, which names it to that buyer.
    const secrets = [...(offerIds.length === 1 ? [] : [batchId]), ...(o.mass === 'band' ? [String(o.grams)] : []), ...(o.location !== 'site' ? [siteId, String(latitude)] : []), ...(o.name ? [] : [s.org(o.holder).id])];
    catalogue.push({ kind: 'offer', id: offerId, owner: o.holder, audience: o.members, secrets });
  }
  const stream = await post<{ offerId: string }>('sortB', '/catalogue/stream-offers', {
    title: 'Linen every month',
    grade: 'recycling',
    composition: [{ fibre: 'cotton', share: 10_000 }],
    ewcCode: '20 01 11',
    period: 'month',
    massGramsPerPeriod: 7_700_069,
    place: { kommuneCode: '0657' },
    visibility: { audience: { kind: 'everyone' }, disclosure: { name: true, mass: 'band', location: 'kommune' } },
  });
  catalogue.push({ kind: 'offer', id: stream.offerId, owner: 'sortB', audience: 'everyone', secrets: ['7700069'] });
  const wantOpen = await post<{ wantId: string }>('recB', '/catalogue/wants', { title: 'Cotton', fibres: [{ fibre: 'cotton', minShare: 5_000 }], minGrams: 1_000, place: { kommuneCode: '0661' } });
  catalogue.push({ kind: 'want', id: wantOpen.wantId, owner: 'recB', audience: 'everyone', secrets: [] });
  const wantNamed = await post<{ wantId: string }>('brandB', '/catalogue/wants', {
    title: 'Cotton, quietly',
    minGrams: 1_000,
    place: { kommuneCode: '0661' },
    visibility: { audience: named(['sortB']), disclosure: { name: false, mass: 'exact', location: 'region' } },
  });
  catalogue.push({ kind: 'want', id: wantNamed.wantId, owner: 'brandB', audience: ['sortB'], secrets: [s.org('brandB').id] });
  const accepted = await post<{ dealId: string }>('manB', `/catalogue/offers/${offerIds[0]!}/requests`, {});
  await post('sortA', `/catalogue/requests/${accepted.dealId}/accept`, {});
  catalogue.push({ kind: 'deal', id: accepted.dealId, owner: 'sortA', audience: ['manB'], secrets: [] });
  const pending = await post<{ dealId: string }>('manA', `/catalogue/offers/${offerIds[1]!}/requests`, { message: 'We would take it all' });
  catalogue.push({ kind: 'deal', id: pending.dealId, owner: 'sortB', audience: ['manA'], secrets: ['We would take it all'] });
  await ledger.runner.waitForPosition(await ledger.store.headPosition(), 30_000);
}

function url(r: GeneratedRequest): { method: 'GET' | 'POST'; path: string; body?: Json } {
  const t = r.target;
  const asOf = r.asOf === 'live' ? [] : [`asOfPosition=${r.asOf === 'mid' ? s.midPosition : s.headPosition}`];
  const query = (params: Array<string | null>) => {
    const all = [...params.filter((p): p is string => p !== null), ...asOf];
    return all.length > 0 ? `?${all.join('&')}` : '';
  };
  switch (t.kind) {
    case 'batch': {
      const base = t.endpoint === 'audit-history' ? `/audit/batches/${t.batchId}/history` : `/batches/${t.batchId}${t.endpoint === 'summary' ? '' : `/${t.endpoint}`}`;
      const params = t.endpoint === 'lineage' ? [`direction=${t.direction}`, t.maxDepth !== null ? `maxDepth=${t.maxDepth}` : null] : [];
      return { method: 'GET', path: `${base}${query(params)}` };
    }
    case 'process':
      return { method: 'GET', path: `/processes/${t.processId}${query([])}` };
    case 'list':
      return { method: 'GET', path: `/batches${query(['limit=500', t.custodian && `custodianOrgId=${t.custodian}`, t.owner && `ownerOrgId=${t.owner}`, t.status && `status=${t.status}`])}` };
    case 'inventory':
      return { method: 'GET', path: `/reports/inventory/${t.organisationId}${query([])}` };
    case 'municipal':
      return { method: 'GET', path: `/reports/municipal/${t.kommuneCode}/${s.year}${query([t.csv ? 'format=csv' : null])}` };
    case 'circularity':
      return { method: 'GET', path: `/reports/circularity${query([t.kommuneCode && `kommuneCode=${t.kommuneCode}`, t.originKey && `originKey=${encodeURIComponent(t.originKey)}`, `period=${t.period}`])}` };
    case 'anomalies':
      return { method: 'GET', path: `/audit/anomalies${query(['limit=500', t.organisationId && `organisationId=${t.organisationId}`])}` };
    case 'api-keys':
      return { method: 'GET', path: `/organisations/${t.organisationId}/api-keys` };
    case 'collector-authorisations':
      return { method: 'GET', path: `/organisations/${t.organisationId}/collector-authorisations` };
    case 'request-audit':
      return { method: 'GET', path: '/audit/requests?limit=1000' };
    case 'inclusion-proof':
      return { method: 'GET', path: `/audit/proofs/inclusion?position=${t.position}` };
    case 'catalogue':
      switch (t.endpoint) {
        case 'offer':
          return { method: 'GET', path: `/catalogue/offers/${t.id}` };
        case 'offer-matches':
          return { method: 'GET', path: `/catalogue/offers/${t.id}/matches` };
        case 'want':
          return { method: 'GET', path: `/catalogue/wants/${t.id}` };
        case 'want-matches':
          return { method: 'GET', path: `/catalogue/wants/${t.id}/matches` };
        case 'deal':
          return { method: 'GET', path: `/catalogue/deals/${t.id}` };
        case 'offers':
          return { method: 'GET', path: '/catalogue/offers?limit=500' };
        case 'offers-filtered':
          // Probing the grams of a band offer with a narrow mass window finds the band, never the grams.
          return { method: 'GET', path: '/catalogue/offers?kommuneCode=0657&minGrams=7200017&maxGrams=7200017' };
        case 'wants':
          return { method: 'GET', path: '/catalogue/wants?limit=500' };
        case 'deals':
          return { method: 'GET', path: '/catalogue/deals' };
      }
      break;
    case 'write': {
      const mass = s.batches.get(t.batchId)?.mass ?? 100_001;
      const me = acting(r.viewer);
      const other = [...s.orgs.values()].find((o) => o.id !== me.id && o.roles.includes('recycler'))!;
      switch (t.command) {
        case 'dispatch':
          return { method: 'POST', path: `/batches/${t.batchId}/dispatch`, body: { toOrgId: other.id } };
        case 'receive':
          return { method: 'POST', path: `/batches/${t.batchId}/receive`, body: { receivedMassGrams: mass } };
        case 'cancel-transfer':
          return { method: 'POST', path: `/batches/${t.batchId}/cancel-transfer`, body: { reason: 'not ours' } };
        case 'outcome':
          return { method: 'POST', path: `/batches/${t.batchId}/outcome`, body: { outcome: 'incinerated', energyRecovery: false } };
        case 'mass-corrections':
          return { method: 'POST', path: `/batches/${t.batchId}/mass-corrections`, body: { correctedEventId: 'whatever', massGrams: mass + 1000, reason: 'guess' } };
        case 'process':
          return {
            method: 'POST',
            path: '/processes',
            body: { processType: 'sorting', inputs: [{ batchId: t.batchId }], outputs: [{ massGrams: mass, grade: 'reuse', composition: [{ fibre: 'cotton', share: 10_000 }] }] },
          };
      }
    }
  }
}

/** A short name for the request, its viewer and the viewer's relationship to what it names, to group violations by. */
function describeRequest(r: GeneratedRequest): { group: string; example: string } {
  const me = acting(r.viewer);
  const t = r.target;
  const role = me.roles.join('+');
  const who = r.viewer.sender === r.viewer.actingAs ? role : `operator as ${role}`;
  let what: string;
  switch (t.kind) {
    case 'batch':
      what = `${t.endpoint}${t.endpoint === 'lineage' ? ` ${t.direction}` : ''} · ${s.relationOf(me.id, t.batchId)}`;
      break;
    case 'write':
      what = `${t.command} · ${s.relationOf(me.id, t.batchId)}`;
      break;
    case 'inclusion-proof':
      what = `inclusion proof · ${streamAt.get(t.position)?.replace(/-.*/, '') ?? 'no event'}`;
      break;
    case 'process': {
      const p = s.processes.get(t.processId);
      what = `process · ${!p ? 'unknown' : p.organisationId === me.id ? 'own' : s.canSeeProcess(me.id, t.processId) ? 'of its kommune' : 'another organisation’s'}`;
      break;
    }
    case 'catalogue': {
      const entry = catalogue.find((e) => e.id === t.id);
      what = `catalogue ${t.endpoint}${entry && !t.endpoint.endsWith('s') && t.endpoint !== 'offers-filtered' ? ` · ${catalogueVisible(me.id, entry) ? 'visible' : 'hidden'} ${entry.kind}` : ''}`;
      break;
    }
    default:
      what = t.kind;
  }
  const target = t.kind === 'batch' || t.kind === 'write' ? (s.batches.get(t.batchId)?.label ?? 'unknown') : t.kind === 'process' ? (s.processes.get(t.processId) ? [...s.named.entries()].find(([, id]) => id === t.processId)?.[0] : 'unknown') : '';
  return { group: `${who} · ${what}`, example: `${r.viewer.sender}${r.viewer.sender !== r.viewer.actingAs ? `→${r.viewer.actingAs}` : ''} ${url(r).method} ${url(r).path}${target ? ` (${target})` : ''}` };
}

// ------------------------------------------------------------------------------------------ one request

async function send(r: GeneratedRequest): Promise<Violation[]> {
  const me = acting(r.viewer);
  const sender = s.org(r.viewer.sender);
  const { method, path, body } = url(r);
  const judgement = judge(r);
  const headers: Record<string, string> = r.viewer.sender !== r.viewer.actingAs ? { 'ledger-impersonate': me.id, 'ledger-impersonation-reason': 'tenancy leak test' } : {};
  const before = method === 'POST' ? await ledger.store.headPosition() : 0;
  const response = await ledger.request<unknown>(method, path, { key: sender.key, headers, ...(body !== undefined ? { body } : {}) });
  const after = method === 'POST' ? await ledger.store.headPosition() : 0;
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const { group, example } = describeRequest(r);
  const violations: Violation[] = [];
  const violation = (kind: string, detail: string) => violations.push({ kind, group, example: `${example} → ${response.status}: ${detail}` });

  if (response.status >= 500) violation('5xx', text.slice(0, 200));
  if (after !== before) violation('refused write appended', `the log grew from ${before} to ${after}`);
  const problem = response.body as { code?: string };
  if (judgement.allowed === true && response.status !== 200) violation('refused although allowed', `${problem.code ?? text.slice(0, 120)}`);
  if (judgement.allowed === false) {
    if (!judgement.deniedStatuses.includes(response.status)) violation('not refused as the matrix says', `expected ${judgement.deniedStatuses.join('/')}${judgement.deniedCodes ? ` ${judgement.deniedCodes.join('|')}` : ''}, got ${problem.code ?? text.slice(0, 120)}`);
    else if (!String(response.headers['content-type']).includes('application/problem+json')) violation('refusal not a problem', String(response.headers['content-type']));
    else if (judgement.deniedCodes && response.status !== 409 && !judgement.deniedCodes.includes(problem.code ?? '')) violation('refused with another code', `expected ${judgement.deniedCodes.join('|')}, got ${problem.code}`);
  }
  if (response.status === 200 && judgement.scope) {
    const wrong = judgement.scope(response.body);
    if (wrong) violation('answer beyond the viewer’s scope', wrong);
  }

  // The leak scan, whatever the status: an id the request itself names is no news to the viewer.
  if (s.isPrivileged(me.id)) return violations;
  if (r.target.kind === 'catalogue') {
    for (const entry of catalogue) {
      if (!catalogueVisible(me.id, entry)) {
        if (text.includes(entry.id) && !path.includes(entry.id)) violation('catalogue entry leaked', `${entry.kind} of ${entry.owner}`);
        for (const secret of entry.secrets) if (text.includes(secret)) violation('catalogue secret leaked', `${entry.kind} of ${entry.owner}: ${secret}`);
      } else if (!catalogueFull(me.id, entry)) {
        for (const secret of entry.secrets) if (text.includes(secret)) violation('catalogue disclosure exceeded', `${entry.kind} of ${entry.owner}: ${secret}`);
      }
    }
    return violations;
  }
  const permitted = new Set([...judgement.alsoPermitted, ...[...s.batches.keys()].filter((id) => path.includes(id) || (body !== undefined && JSON.stringify(body).includes(id)))]);
  const seen = (id: string) => permitted.has(id) || s.canSee(me.id, id);
  const forbidden = [...s.batches.values()].filter((b) => !seen(b.id));
  const leakedIds = forbidden.filter((b) => text.includes(b.id));
  if (leakedIds.length > 0) violation('batch id leaked', leakedIds.map((b) => `${b.label} (${s.relationOf(me.id, b.id)})`).join(', '));

  const visibleMasses = new Set([...s.batches.values()].filter((b) => seen(b.id)).flatMap((b) => b.masses));
  const grams = gramsIn(text);
  if (judgement.scanMasses) {
    const leaked = forbidden.filter((b) => b.masses.some((m) => !visibleMasses.has(m) && grams.has(m)));
    if (leaked.length > 0) violation('batch mass leaked', leaked.map((b) => `${b.label} (${s.relationOf(me.id, b.id)})`).join(', '));
  }
  if (judgement.scanFigures) {
    const leaked: string[] = [];
    for (const [orgId, figures] of s.inventoryFigures) {
      if (orgId === me.id) continue;
      const found = figures.filter((f) => !visibleMasses.has(f) && grams.has(f));
      if (found.length > 0) leaked.push(`${s.orgById(orgId)?.label}: ${found.join(', ')}`);
    }
    if (leaked.length > 0) violation('inventory figure leaked', leaked.join('; '));
  }
  return violations;
}

// ------------------------------------------------------------------------------------------ rate limits

/**
 * The rate-limit answers (decision 028) tell nothing about other tenants: an organisation's 429 and
 * its RateLimit fields speak of its own budget only, another organisation is served meanwhile, and
 * a network's 429 for failed authentications names the network, never an organisation.
 */
describe('tenancy leaks: rate-limit answers', () => {
  let limited: LedgerHarness;

  beforeAll(async () => {
    limited = await LedgerHarness.start({
      env: { LEDGER_RATE_LIMIT_PER_MINUTE: '1', LEDGER_RATE_LIMIT_BURST: '4', LEDGER_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1', LEDGER_RATE_LIMIT_UNAUTHENTICATED_BURST: '1' },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('an organisation’s 429 names itself only, and another organisation keeps its whole budget', async () => {
    const a = await limited.registerOrganisation('Herning Kommune', ['municipality'], KOMMUNE.munA);
    const b = await limited.registerOrganisation('Holstebro Kommune', ['municipality'], KOMMUNE.munB);
    let refused = await limited.get<Json>('/batches', a.key);
    while (refused.status === 200) refused = await limited.get<Json>('/batches', a.key);
    expect(refused.status).toBe(429);
    const text = JSON.stringify(refused.body) + JSON.stringify(refused.headers);
    expect(text).toContain(a.id);
    for (const other of [b.id, limited.operatorKey, b.key, a.key]) expect(text).not.toContain(other);
    const served = await limited.get<Json>('/batches', b.key);
    expect(served.status).toBe(200);
    expect(served.headers.ratelimit).toBe('"per-organisation";r=3;t=60');
  });

  it('a network’s 429 for failed authentications names the network, not an organisation', async () => {
    const org = await limited.registerOrganisation('Skive Kommune', ['municipality'], KOMMUNE.munC);
    const wrong = `${org.key.slice(0, 16)}${'x'.repeat(43)}`; // the real key id, a wrong secret
    const first = await limited.app.inject({ method: 'GET', url: '/batches', remoteAddress: '192.0.2.44', headers: { authorization: `Bearer ${wrong}` } });
    expect(first.statusCode).toBe(401);
    const refused = await limited.app.inject({ method: 'GET', url: '/batches', remoteAddress: '192.0.2.44', headers: { authorization: `Bearer ${wrong}` } });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('192.0.2.44');
    expect(refused.body).not.toContain(org.id);
    expect(JSON.stringify(refused.headers)).not.toContain(org.id);
  });
});
