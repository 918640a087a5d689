/**
 * Projections are total (docs/decisions/021-projections-are-total.md): whatever a store may already
 * hold, every read model folds it. Commands are generated at and beyond every bound of decision 020
 * (times, masses, list lengths, text), run through the real command schemas and deciders, and
 * appended when accepted. The same steps, when today's ledger refuses them, are ALSO appended raw as
 * "legacy" events: what an older version, whose schemas only asked for an ISO instant and a
 * non-negative safe integer of grams, may have written. Then every projection runs on a real
 * SQLite and a real PostgreSQL read store, and must not fail; a rebuild must equal the live state
 * by checksum; and every cohort must keep collected = Σ buckets.
 *
 * Replay a failure with LEDGER_PROPERTY_FC_SEED=<fast-check seed>; LEDGER_TOTALITY_RUNS scales it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  allocateSequentially,
  CancelTransfer,
  checkConsumption,
  CollectBatch,
  CorrectMass,
  AddProgrammeMember,
  AmendSite,
  CloseSite,
  DeclareOrganisationSize,
  DeclareSite,
  catalogueStreamIds,
  decideAcceptRequest,
  decideOfferBatch,
  decidePublishWant,
  decideRequestOffer,
  decideWithdrawOffer,
  evolveListing,
  evolveWant,
  OfferBatch,
  PublishWant,
  type ListingState,
  type WantState,
  DEFAULT_POLICY,
  decideAddProgrammeMember,
  decideAmendSite,
  decideCloseSite,
  decideDeclareOrganisationSize,
  decideDeclareSite,
  decidePublishEmissionFactorSet,
  decideRegisterProgramme,
  decideRegisterValueChain,
  decideRemoveProgrammeMember,
  evolveEmissionFactorSet,
  evolveOrganisation,
  evolveProgramme,
  PublishEmissionFactorSet,
  RegisterProgramme,
  RegisterValueChain,
  RemoveProgrammeMember,
  type EmissionFactorSetState,
  type OrganisationState,
  type ProgrammeState,
  decideCancelTransfer,
  decideCollectBatch,
  decideCorrectMass,
  decideDispatchTransfer,
  decideReceiveTransfer,
  decideRecordOutcome,
  decideRegisterResidualBatch,
  decideStartProcess,
  DispatchTransfer,
  EARLIEST_OCCURRED_AT_MS,
  evolveBatch,
  MAX_BATCH_MASS_GRAMS,
  MAX_LABEL_LENGTH,
  MAX_PROCESS_ITEMS,
  MAX_PROCESS_MASS_GRAMS,
  MAX_TEXT_LENGTH,
  ReceiveTransfer,
  RecordOutcome,
  RecordProcess,
  RegisterResidualBatch,
  type BatchState,
  type DecisionContext,
  type DomainEvent,
  type OrganisationFacts,
  type ProcessStarted,
} from '#domain';
import { SqliteEventStore, type StoredEvent } from '#event-store';
import { ProjectionRunner, createLedgerProjections, type ReadDb } from '#projections';
import { sql } from 'kysely';
import { EventLog, appendToStore, uid } from '../../projections/testing/fixtures.js';
import { describeOnEachReadDb } from '../../projections/testing/read-db-dialects.js';

const RUNS = Math.max(1, Number(process.env['LEDGER_TOTALITY_RUNS'] ?? 4));
const FC_SEED = process.env['LEDGER_PROPERTY_FC_SEED'];

/** The ledger's clock for every decision: fixed, so a seed always replays the same history. */
const NOW = new Date('2025-06-15T10:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** Business times at and beyond every time bound, plus the instants that are awkward for month keys. */
const TIMES: readonly string[] = [
  // In range, so that today's deciders accept a good share of the steps too.
  iso(NOW.getTime()),
  '2025-06-01T08:00:00+02:00',
  '2024-11-30T23:30:00Z',
  iso(EARLIEST_OCCURRED_AT_MS),
  iso(EARLIEST_OCCURRED_AT_MS - 1),
  iso(NOW.getTime() + DEFAULT_POLICY.clockSkewMs),
  iso(NOW.getTime() + DEFAULT_POLICY.clockSkewMs + 1),
  '0001-01-01T00:00:00Z',
  '0999-12-31T12:00:00Z',
  '0999-12-31T23:30:00Z',
  '1900-01-01T00:00:00+01:00',
  '1969-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999Z',
  // The extremes an ISO offset reaches: UTC years -1 and 10000.
  '0000-01-01T00:00:00+14:00',
  '9999-12-31T23:59:59.999-23:59',
  // Local midnight of a new month and year, and a DST change, in Europe/Copenhagen.
  '2024-12-31T23:30:00Z',
  '2025-03-30T01:30:00+00:00',
];

const MASSES: readonly number[] = [0, 1, 2, 1_000, 250_000, MAX_BATCH_MASS_GRAMS, MAX_BATCH_MASS_GRAMS + 1, 2 ** 53 - 2, MAX_PROCESS_MASS_GRAMS + 1, Number.MAX_SAFE_INTEGER];

/** Lengths and characters at and beyond the text bounds. */
const TEXTS: readonly string[] = [
  'a',
  'x'.repeat(MAX_LABEL_LENGTH),
  'y'.repeat(MAX_LABEL_LENGTH + 1),
  'z'.repeat(MAX_TEXT_LENGTH),
  'w'.repeat(MAX_TEXT_LENGTH + 1),
  ' padded ',
  'two\nlines, "quoted"; \u0000nul',
  '\u202eevil\u202c \u0085 \u007f',
  'lone \ud800 surrogate',
  'ÆØÅ 🧵 ﬁ',
];

const ORGS = {
  municipality: uid(1, 1),
  sorter: uid(2, 1),
  recycler: uid(3, 1),
  operator: uid(4, 1),
} as const;

const FACTS: ReadonlyMap<string, OrganisationFacts> = new Map([
  [ORGS.municipality, { organisationId: ORGS.municipality, name: 'Herning', roles: ['municipality'], kommuneCode: '0657' }],
  [ORGS.sorter, { organisationId: ORGS.sorter, name: 'Sorter', roles: ['sorter'] }],
  [ORGS.recycler, { organisationId: ORGS.recycler, name: 'Recycler', roles: ['recycler', 'manufacturer'] }],
  [ORGS.operator, { organisationId: ORGS.operator, name: 'Operator', roles: ['operator'] }],
]);
/** The organisations material moves between (the operator holds none). */
const ORG_IDS = [ORGS.municipality, ORGS.sorter, ORGS.recycler];

/** Calendar days at and beyond what a day-valued field takes: the first and last day, a leap day, one that does not exist. */
const DAYS: readonly string[] = ['0001-01-01', '1969-12-31', '2023-08-15', '2024-02-29', '2025-06-15', '2025-06-16', '9999-12-31', '2025-02-29', '2025-13-01'];
/** Headcounts and euros at the SME ceilings and the schema's bounds. */
const HEADCOUNTS: readonly number[] = [0, 249, 250, 10_000_000, 10_000_001];
const EUROS: readonly number[] = [0, 43_000_000, 50_000_000, 50_000_001, 1_000_000_000_000_000, 1_000_000_000_000_001];
/** Factors as published: exact decimals at the bounds, unknown (null), and a value the schema refuses. */
const FACTORS: readonly (string | null)[] = ['20.4', null, '0', '-999999.999999', '999999.999999', '0.000001', '1e3'];
const PROCESS_TYPES = ['sorting', 'blending', 'mechanical-recycling', 'chemical-recycling', 'manufacturing', 'repair'] as const;

type Step =
  | { kind: 'collect'; time: string; mass: number; tags: number; site: boolean; estimated: boolean }
  | { kind: 'register'; time: string; mass: number; text: string }
  | { kind: 'dispatch'; pick: number; time: string; mass: number | undefined; text: string; to: number }
  | { kind: 'receive'; pick: number; time: string; mass: number }
  | { kind: 'cancel'; pick: number; time: string; text: string }
  | { kind: 'outcome'; pick: number; time: string; outcome: number }
  | { kind: 'correct'; pick: number; time: string; mass: number; text: string }
  | { kind: 'process'; pick: number; inputs: number; time: string; outputs: number; external: number | undefined; loss: boolean; text: string; type: number }
  | { kind: 'site'; op: 'declare' | 'amend' | 'close'; pick: number; time: string; text: string; pNumber: boolean; edge: boolean }
  | { kind: 'size'; pick: number; day: string; employees: number; turnover: number; balance: number; time: string }
  | { kind: 'programme'; op: 'register' | 'chain' | 'add' | 'remove'; pick: number; day: string; time: string; text: string; tag: boolean; inChain: boolean }
  | { kind: 'factors'; pick: number; day: string; recycling: string | null; reuse: string | null; text: string; time: string }
  | { kind: 'claim'; pick: number; time: string; mass: number }
  | { kind: 'offer'; pick: number; time: string; until: string | undefined; text: string; audience: number; mass: 'exact' | 'band'; location: 'site' | 'kommune' | 'region'; site: boolean }
  | { kind: 'want'; pick: number; time: string; text: string; minGrams: number; maxGrams: number | undefined; share: number }
  | { kind: 'deal'; op: 'request' | 'accept' | 'withdraw'; pick: number; time: string };

const time = fc.constantFrom(...TIMES);
const mass = fc.constantFrom(...MASSES);
const text = fc.constantFrom(...TEXTS);
const pick = fc.nat({ max: 1_000 });
/**
 * For the organisation-, programme- and factor-level steps: mostly values today's deciders accept, so
 * that their events reach the projections at all, and the edges the rest of the time.
 */
const likelyTime = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(TIMES[0]!, TIMES[1]!, TIMES[2]!) }, { weight: 1, arbitrary: time });
const likelyText = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('Closing Loops', 'CØ59 — hospital laundry', 'x'.repeat(MAX_LABEL_LENGTH)) }, { weight: 1, arbitrary: text });
const likelyDay = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('2023-08-15', '2024-02-29', '2025-06-15') }, { weight: 1, arbitrary: fc.constantFrom(...DAYS) });
/** List lengths at and beyond the cap are rare: one such process writes a thousand events. */
const outputCount = fc.oneof({ weight: 40, arbitrary: fc.constantFrom(1, 2, 3) }, { weight: 1, arbitrary: fc.constantFrom(MAX_PROCESS_ITEMS, MAX_PROCESS_ITEMS + 1) });

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('collect' as const), time, mass, tags: fc.constantFrom(0, 20, 21), site: fc.boolean(), estimated: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('register' as const), time, mass, text }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('dispatch' as const), pick, time, mass: fc.option(mass, { nil: undefined }), text, to: fc.nat({ max: 2 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('receive' as const), pick, time, mass }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick, time, text }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('outcome' as const), pick, time, outcome: fc.nat({ max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('correct' as const), pick, time, mass, text }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('process' as const),
      pick,
      inputs: fc.constantFrom(1, 2, 3),
      time,
      outputs: outputCount,
      external: fc.option(mass, { nil: undefined }),
      loss: fc.boolean(),
      text,
      type: fc.nat({ max: PROCESS_TYPES.length - 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('site' as const), op: fc.constantFrom('declare' as const, 'amend' as const, 'close' as const), pick, time: likelyTime, text: likelyText, pNumber: fc.boolean(), edge: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('size' as const), pick, day: likelyDay, employees: fc.constantFrom(...HEADCOUNTS), turnover: fc.constantFrom(...EUROS), balance: fc.constantFrom(...EUROS), time: likelyTime }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('programme' as const),
      op: fc.constantFrom('register' as const, 'chain' as const, 'add' as const, 'add' as const, 'remove' as const),
      pick,
      day: likelyDay,
      time: likelyTime,
      text: likelyText,
      tag: fc.boolean(),
      inChain: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('factors' as const), pick: fc.nat({ max: 3 }), day: likelyDay, recycling: fc.constantFrom(...FACTORS), reuse: fc.constantFrom(...FACTORS), text: likelyText, time: likelyTime }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('claim' as const), pick, time, mass }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('offer' as const),
      pick,
      time: likelyTime,
      until: fc.option(time, { nil: undefined }),
      text: likelyText,
      audience: fc.nat({ max: 2 }),
      mass: fc.constantFrom('exact' as const, 'band' as const),
      location: fc.constantFrom('site' as const, 'kommune' as const, 'region' as const),
      site: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('want' as const), pick, time: likelyTime, text: likelyText, minGrams: mass, maxGrams: fc.option(mass, { nil: undefined }), share: fc.constantFrom(1, 5_000, 10_000, 10_001) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deal' as const), op: fc.constantFrom('request' as const, 'accept' as const, 'withdraw' as const), pick, time: likelyTime }) },
);

/** What the old schemas asked of a business time: an ISO instant with an offset (zod's `iso.datetime`). */
const LEGACY_INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const legacyGrams = (g: number): boolean => Number.isSafeInteger(g) && g > 0;
const legacyText = (t: string, max: number): boolean => t.length >= 1 && t.length <= max;

/**
 * The ledger as the command side sees it: batch states folded with the domain's evolveBatch from
 * every event appended, accepted or legacy.
 */
class Ledger {
  readonly log = new EventLog('2025-06-15T09:00:00.000Z');
  readonly accepted = { commands: 0, legacy: 0, refused: 0 };
  private readonly batches = new Map<string, BatchState>();
  private readonly organisations = new Map<string, OrganisationState>();
  private readonly programmes = new Map<string, ProgrammeState>();
  private readonly factorSets = new Map<string, EmissionFactorSetState>();
  private readonly listings = new Map<string, ListingState>();
  private readonly wants = new Map<string, WantState>();
  /** Receipts per batch stream: a change of hands ends an offer and spends a reservation. */
  private readonly receipts = new Map<string, number>();
  private nextCatalogue = 1;
  private nextBatch = 1;
  private nextSite = 1;
  private nextProgramme = 1;
  private nextProcess = 1;
  private nextTransfer = 1;

  constructor() {
    for (const [organisationId, facts] of FACTS) {
      this.append(
        `organisation-${organisationId}`,
        {
          type: 'OrganisationRegistered',
          data: { organisationId, name: facts.name, roles: [...facts.roles], ...(facts.kommuneCode ? { kommuneCode: facts.kommuneCode } : {}), sites: [], occurredAt: '0001-01-01T00:00:00Z' },
        },
        organisationId,
      );
    }
  }

  private ctx(actorId: string): DecisionContext {
    return { now: NOW, actor: FACTS.get(actorId)!, organisation: (id) => FACTS.get(id), policy: DEFAULT_POLICY, collectorAuthorised: () => false, actorSites: this.organisations.get(`organisation-${actorId}`)?.sites ?? [] };
  }

  private append(streamId: string, event: DomainEvent, actorOrgId: string): StoredEvent {
    const stored = this.log.append(streamId, event, { actorOrgId });
    const batchId = streamId.startsWith('batch-') ? streamId.slice('batch-'.length) : undefined;
    if (batchId !== undefined) {
      const next = evolveBatch(this.batches.get(batchId), event, { eventId: stored.eventId });
      if (next) this.batches.set(batchId, next);
    }
    if (streamId.startsWith('organisation-')) {
      const next = evolveOrganisation(this.organisations.get(streamId), event);
      if (next) this.organisations.set(streamId, next);
    }
    if (streamId.startsWith('programme-')) {
      const next = evolveProgramme(this.programmes.get(streamId), event);
      if (next) this.programmes.set(streamId, next);
    }
    if (batchId !== undefined && event.type === 'CustodyTransferReceived') this.receipts.set(batchId, (this.receipts.get(batchId) ?? 0) + 1);
    if (streamId.startsWith('catalogue-batch-') || streamId.startsWith('catalogue-offer-')) {
      const next = evolveListing(this.listings.get(streamId), event);
      if (next) this.listings.set(streamId, next);
    }
    if (streamId.startsWith('catalogue-want-')) {
      const next = evolveWant(this.wants.get(streamId), event);
      if (next) this.wants.set(streamId, next);
    }
    if (streamId.startsWith('emission-factor-set-')) {
      const next = evolveEmissionFactorSet(this.factorSets.get(streamId), event);
      if (next) this.factorSets.set(streamId, next);
    }
    return stored;
  }

  /** Runs a command through its schema and decider; on refusal, appends `legacy()` if an old version would have. */
  private attempt(streamId: string, actorOrgId: string, decide: () => DomainEvent[], legacy: () => DomainEvent | undefined): void {
    let events: DomainEvent[] | undefined;
    try {
      events = decide();
    } catch {
      events = undefined;
    }
    if (events) {
      this.accepted.commands += 1;
      for (const event of events) this.append(streamId, event, actorOrgId);
      return;
    }
    const old = legacy();
    if (old) {
      this.accepted.legacy += 1;
      this.append(streamId, old, actorOrgId);
    } else {
      this.accepted.refused += 1;
    }
  }

  private pickBatch(n: number, status: BatchState['status'], custodian?: string): BatchState | undefined {
    const candidates = [...this.batches.values()].filter((b) => b.status === status && (custodian === undefined || b.custodianOrgId === custodian));
    return candidates.length === 0 ? undefined : candidates[n % candidates.length];
  }

  run(s: Step): void {
    switch (s.kind) {
      case 'collect': {
        const batchId = uid(this.nextBatch++, 7);
        // A site of the municipality's, open or closed (a closed one is refused), when it has one.
        const site = s.site ? this.organisations.get(`organisation-${ORGS.municipality}`)?.sites.at(-1) : undefined;
        const command = {
          batchId,
          kommuneCode: '0657',
          collectionScheme: 'kerbside',
          ewcCode: '20 01 10',
          massGrams: s.mass,
          occurredAt: s.time,
          collectorOrgId: ORGS.municipality,
          programmeTags: Array.from({ length: s.tags }, (_, i) => `tag-${i}`),
          ...(site ? { siteId: site.siteId } : {}),
          ...(s.estimated ? { measurement: 'estimated' as const } : {}),
        };
        this.attempt(
          `batch-${batchId}`,
          ORGS.municipality,
          () => decideCollectBatch(undefined, CollectBatch.parse(command), this.ctx(ORGS.municipality)),
          () => (legacyGrams(s.mass) && LEGACY_INSTANT.test(s.time) && s.tags <= 20 ? { type: 'BatchCollected', data: { ...command, collectionScheme: 'kerbside', ewcCode: '20 01 10' } } : undefined),
        );
        return;
      }
      case 'register': {
        const batchId = uid(this.nextBatch++, 7);
        const command = { batchId, originClass: 'pre-consumer' as const, ewcCode: '04 02 22' as const, massGrams: s.mass, composition: [{ fibre: 'cotton' as const, share: 10_000 }], description: s.text, programmeTags: [], occurredAt: s.time };
        this.attempt(
          `batch-${batchId}`,
          ORGS.sorter,
          () => decideRegisterResidualBatch(undefined, RegisterResidualBatch.parse(command), this.ctx(ORGS.sorter)),
          () => (legacyGrams(s.mass) && LEGACY_INSTANT.test(s.time) && legacyText(s.text, 1000) ? { type: 'ResidualBatchRegistered', data: { ...command, organisationId: ORGS.sorter } } : undefined),
        );
        return;
      }
      case 'dispatch': {
        const batch = this.pickBatch(s.pick, 'available');
        if (!batch) return;
        const from = batch.custodianOrgId;
        const to = ORG_IDS.filter((o) => o !== from)[s.to % 2]!;
        const transferId = uid(this.nextTransfer++, 9);
        const command = { batchId: batch.batchId, transferId, toOrgId: to, ...(s.mass !== undefined ? { massGrams: s.mass } : {}), transportDocument: s.text, occurredAt: s.time };
        const massGrams = s.mass ?? batch.massGrams;
        this.attempt(
          `batch-${batch.batchId}`,
          from,
          () => decideDispatchTransfer(batch, DispatchTransfer.parse(command), this.ctx(from)),
          () =>
            legacyGrams(massGrams) && LEGACY_INSTANT.test(s.time) && s.text.length <= 200
              ? { type: 'CustodyTransferDispatched', data: { batchId: batch.batchId, transferId, fromOrgId: from, toOrgId: to, massGrams, transportDocument: s.text, ownershipTransferred: batch.ownerOrgId === from, occurredAt: s.time } }
              : undefined,
        );
        return;
      }
      case 'receive': {
        const batch = this.pickBatch(s.pick, 'in-transit');
        const transfer = batch?.pendingTransfer;
        if (!batch || !transfer) return;
        const command = { batchId: batch.batchId, receivedMassGrams: s.mass, occurredAt: s.time };
        const differenceGrams = s.mass - transfer.massGrams;
        this.attempt(
          `batch-${batch.batchId}`,
          transfer.toOrgId,
          () => decideReceiveTransfer(batch, ReceiveTransfer.parse(command), this.ctx(transfer.toOrgId)),
          () =>
            legacyGrams(s.mass) && LEGACY_INSTANT.test(s.time)
              ? {
                  type: 'CustodyTransferReceived',
                  data: { batchId: batch.batchId, transferId: transfer.transferId, receivedMassGrams: s.mass, dispatchedMassGrams: transfer.massGrams, differenceGrams, anomaly: Math.abs(differenceGrams) * 10_000 > 200 * transfer.massGrams, toleranceBasisPoints: 200, occurredAt: s.time },
                }
              : undefined,
        );
        return;
      }
      case 'cancel': {
        const batch = this.pickBatch(s.pick, 'in-transit');
        const transfer = batch?.pendingTransfer;
        if (!batch || !transfer) return;
        const command = { batchId: batch.batchId, reason: s.text, occurredAt: s.time };
        this.attempt(
          `batch-${batch.batchId}`,
          transfer.fromOrgId,
          () => decideCancelTransfer(batch, CancelTransfer.parse(command), this.ctx(transfer.fromOrgId)),
          () =>
            LEGACY_INSTANT.test(s.time) && legacyText(s.text, 1000)
              ? { type: 'CustodyTransferCancelled', data: { batchId: batch.batchId, transferId: transfer.transferId, cancelledBy: 'sender', reason: s.text, occurredAt: s.time } }
              : undefined,
        );
        return;
      }
      case 'outcome': {
        const batch = this.pickBatch(s.pick, 'available');
        if (!batch) return;
        const outcomes = [
          { outcome: 'sold-for-reuse', market: 'export', destinationCountry: 'DE' },
          { outcome: 'incinerated', energyRecovery: true },
          { outcome: 'incinerated', energyRecovery: false },
          { outcome: 'landfilled' },
          { outcome: 'exported', destinationCountry: 'PL', purpose: 'recycling' },
          { outcome: 'exported', destinationCountry: 'KE', purpose: 'unknown' },
        ] as const;
        const body = outcomes[s.outcome % outcomes.length]!;
        const command = { ...RecordOutcome.parse(body), batchId: batch.batchId, occurredAt: s.time };
        const { batchId } = batch;
        const legacy = (): DomainEvent | undefined => {
          if (!LEGACY_INSTANT.test(s.time)) return undefined;
          switch (body.outcome) {
            case 'sold-for-reuse':
              return { type: 'BatchSoldForReuse', data: { batchId, market: body.market, destinationCountry: body.destinationCountry, occurredAt: s.time } };
            case 'incinerated':
              return { type: 'BatchIncinerated', data: { batchId, energyRecovery: body.energyRecovery, occurredAt: s.time } };
            case 'landfilled':
              return { type: 'BatchLandfilled', data: { batchId, occurredAt: s.time } };
            case 'exported':
              return { type: 'BatchExported', data: { batchId, destinationCountry: body.destinationCountry, purpose: body.purpose, occurredAt: s.time } };
          }
        };
        this.attempt(`batch-${batchId}`, batch.custodianOrgId, () => decideRecordOutcome(batch, command, this.ctx(batch.custodianOrgId)), legacy);
        return;
      }
      case 'correct': {
        const batch = this.pickBatch(s.pick, 'available');
        if (!batch || batch.massGrams === s.mass) return;
        const command = { batchId: batch.batchId, correctedEventId: batch.massEventId, massGrams: s.mass, reason: s.text, occurredAt: s.time };
        this.attempt(
          `batch-${batch.batchId}`,
          batch.custodianOrgId,
          () => decideCorrectMass(batch, CorrectMass.parse(command), this.ctx(batch.custodianOrgId)),
          () =>
            legacyGrams(s.mass) && LEGACY_INSTANT.test(s.time) && legacyText(s.text, 1000)
              ? { type: 'BatchMassCorrected', data: { ...command, previousMassGrams: batch.massGrams } }
              : undefined,
        );
        return;
      }
      case 'process':
        this.process(s);
        return;
      case 'site':
        this.site(s);
        return;
      case 'size': {
        const organisationId = ORG_IDS[s.pick % ORG_IDS.length]!;
        const streamId = `organisation-${organisationId}`;
        const command = { organisationId, appliesFrom: s.day, employees: s.employees, annualTurnoverEur: s.turnover, balanceSheetTotalEur: s.balance, occurredAt: s.time };
        this.attempt(streamId, organisationId, () => decideDeclareOrganisationSize(this.organisations.get(streamId), DeclareOrganisationSize.parse(command), this.ctx(organisationId)), () => undefined);
        return;
      }
      case 'programme':
        this.programme(s);
        return;
      case 'factors': {
        const factorSetId = `set-${s.pick}`;
        const streamId = `emission-factor-set-${factorSetId}`;
        const command = {
          factorSetId,
          validFrom: s.day,
          factors: [
            { route: 'recycling', kgCo2eAvoidedPerKg: s.recycling, baseline: 'incineration', source: s.text },
            { route: 'reuse', kgCo2eAvoidedPerKg: s.reuse, baseline: 'new production', source: 'seed' },
          ],
          occurredAt: s.time,
        };
        this.attempt(streamId, ORGS.operator, () => decidePublishEmissionFactorSet(this.factorSets.get(streamId), PublishEmissionFactorSet.parse(command), this.ctx(ORGS.operator)), () => undefined);
        return;
      }
      case 'offer':
        this.offer(s);
        return;
      case 'want':
        this.want(s);
        return;
      case 'deal':
        this.deal(s);
        return;
      case 'claim':
        this.claim(s);
        return;
    }
  }

  /**
   * A claim with its account movements (decision 044), at the bounds the stored-event schemas allow:
   * any instant, any safe mass. Written as stored, so the claims read model and every other one meet them.
   */
  private claim(s: Extract<Step, { kind: 'claim' }>): void {
    const batchIds = [...this.batches.keys()];
    const batchId = batchIds[s.pick % Math.max(batchIds.length, 1)];
    if (batchId === undefined || !legacyGrams(s.mass) || !LEGACY_INSTANT.test(s.time)) {
      this.accepted.refused += 1;
      return;
    }
    const organisationId = this.batches.get(batchId)!.ownerOrgId;
    const n = this.log.events.length;
    const claimId = uid(n, 8);
    const processId = uid(n, 9);
    const of = { accountId: `${organisationId}-2025`, organisationId, periodId: '2025' };
    const streamId = `mass-balance-account-${of.accountId}`;
    const grams = s.mass;
    this.accepted.legacy += 1;
    this.append(streamId, { type: 'MassBalanceCredited', data: { ...of, processId, processType: 'manufacturing', creditedGrams: grams, inputs: [{ batchId, recycledGrams: grams }], occurredAt: s.time } }, organisationId);
    this.append(
      streamId,
      {
        type: 'RecycledContentClaimed',
        data: { claimId, batchId, claimantOrganisationId: organisationId, standard: 'grs', model: 'mass-balance', recycledContentBasisPoints: 10_000, batchMassGrams: grams, claimedRecycledGrams: grams, batchRecycledGrams: grams, accountId: of.accountId, periodId: of.periodId, occurredAt: s.time },
      },
      organisationId,
    );
    this.append(streamId, { type: 'MassBalanceDebited', data: { ...of, claimId, batchId, debitedGrams: grams, occurredAt: s.time } }, organisationId);
    this.append(streamId, { type: 'MassBalanceCreditReversed', data: { ...of, processId, voidAttempt: 0, reversedGrams: 0, occurredAt: s.time } }, organisationId);
  }

  /** The catalogue sees a batch as its state and how often it changed hands. */
  private catalogueBatch(batchId: string | undefined): { state: BatchState | undefined; receipts: number } | undefined {
    return batchId === undefined ? undefined : { state: this.batches.get(batchId), receipts: this.receipts.get(batchId) ?? 0 };
  }

  /** A custodian offers an available batch, to every kind of audience and with every disclosure. */
  private offer(s: Extract<Step, { kind: 'offer' }>): void {
    const batch = this.pickBatch(s.pick, 'available');
    if (!batch) return;
    const holder = batch.custodianOrgId;
    const site = s.site ? this.organisations.get(`organisation-${holder}`)?.sites.find((x) => x.open) : undefined;
    const programme = [...this.programmes.values()][s.pick % Math.max(1, this.programmes.size)];
    const audiences = [
      { kind: 'everyone' as const },
      { kind: 'organisations' as const, organisationIds: ORG_IDS.filter((o) => o !== holder) },
      programme ? { kind: 'programme' as const, programmeId: programme.programmeId } : { kind: 'everyone' as const },
    ];
    const streamId = catalogueStreamIds.batchListing(batch.batchId);
    const offerId = uid(this.nextCatalogue++, 10);
    this.attempt(
      streamId,
      holder,
      () => {
        const input = OfferBatch.parse({
          batchId: batch.batchId,
          title: s.text,
          ewcCode: '20 01 10',
          place: site ? { siteId: site.siteId } : { kommuneCode: '0657' },
          visibility: { audience: audiences[s.audience % audiences.length], disclosure: { name: s.audience !== 1, mass: s.mass, location: s.location } },
        });
        const command = {
          ...input,
          offerId,
          location: site ? { kommuneCode: site.kommuneCode, siteId: site.siteId } : { kommuneCode: '0657' },
          availableFrom: s.time,
          ...(s.until !== undefined ? { availableUntil: s.until } : {}),
          occurredAt: s.time,
        };
        return decideOfferBatch(this.listings.get(streamId), this.catalogueBatch(batch.batchId)!, command, this.ctx(holder));
      },
      () => undefined,
    );
  }

  /** A want with masses and shares at and beyond their bounds. */
  private want(s: Extract<Step, { kind: 'want' }>): void {
    const buyer = ORG_IDS[s.pick % ORG_IDS.length]!;
    const wantId = uid(this.nextCatalogue++, 10);
    const streamId = catalogueStreamIds.want(wantId);
    this.attempt(
      streamId,
      buyer,
      () => {
        const input = PublishWant.parse({ title: s.text, fibres: [{ fibre: 'cotton', minShare: s.share }], grades: ['recycling'], minGrams: s.minGrams, ...(s.maxGrams !== undefined ? { maxGrams: s.maxGrams } : {}), place: { kommuneCode: '0657' } });
        return decidePublishWant(this.wants.get(streamId), { ...input, wantId, location: { kommuneCode: '0657' }, occurredAt: s.time }, this.ctx(buyer));
      },
      () => undefined,
    );
  }

  /** Requests, acceptances (the reservation) and withdrawals on the listings there are. */
  private deal(s: Extract<Step, { kind: 'deal' }>): void {
    const listings = [...this.listings.entries()];
    if (listings.length === 0) return;
    const [streamId, listing] = listings[s.pick % listings.length]!;
    const offers = Object.values(listing.offers);
    const offer = offers[s.pick % Math.max(1, offers.length)];
    if (!offer) return;
    const batch = this.catalogueBatch(offer.batchId);
    if (s.op === 'request') {
      const buyer = ORG_IDS.filter((o) => o !== offer.holderOrgId)[s.pick % 2]!;
      const command = { requestId: uid(this.nextCatalogue++, 10), offerId: offer.offerId, occurredAt: s.time };
      this.attempt(streamId, buyer, () => decideRequestOffer(listing, batch, command, this.ctx(buyer)), () => undefined);
    } else if (s.op === 'accept') {
      const request = Object.values(listing.requests).find((r) => r.status === 'pending');
      if (!request) return;
      this.attempt(streamId, request.holderOrgId, () => decideAcceptRequest(listing, batch, { requestId: request.requestId, occurredAt: s.time }, this.ctx(request.holderOrgId)), () => undefined);
    } else {
      this.attempt(streamId, offer.holderOrgId, () => decideWithdrawOffer(listing, batch, { offerId: offer.offerId, occurredAt: s.time }, this.ctx(offer.holderOrgId)), () => undefined);
    }
  }

  /** Sites of the material-handling organisations, with names, P-numbers and positions at their bounds. */
  private site(s: Extract<Step, { kind: 'site' }>): void {
    const organisationId = ORG_IDS[s.pick % ORG_IDS.length]!;
    const streamId = `organisation-${organisationId}`;
    const existing = this.organisations.get(streamId)?.sites ?? [];
    const description = {
      name: s.text,
      address: s.text,
      kommuneCode: '0657',
      ...(s.pNumber ? { pNumber: String(1_000_000_000 + (s.pick % 9_000_000_000)) } : {}),
      ...(s.edge ? { latitude: 90, longitude: -180 } : { latitude: 56.1, longitude: 8.97 }),
    };
    const ctx = this.ctx(organisationId);
    if (s.op === 'declare' || existing.length === 0) {
      const command = { ...description, organisationId, siteId: uid(this.nextSite++, 6), occurredAt: s.time };
      this.attempt(streamId, organisationId, () => decideDeclareSite(this.organisations.get(streamId), DeclareSite.parse(command), ctx), () => undefined);
      return;
    }
    const site = existing[s.pick % existing.length]!;
    if (s.op === 'amend') {
      const command = { ...description, organisationId, siteId: site.siteId, reason: s.text, occurredAt: s.time };
      this.attempt(streamId, organisationId, () => decideAmendSite(this.organisations.get(streamId), AmendSite.parse(command), ctx), () => undefined);
    } else {
      const command = { organisationId, siteId: site.siteId, reason: s.text, occurredAt: s.time };
      this.attempt(streamId, organisationId, () => decideCloseSite(this.organisations.get(streamId), CloseSite.parse(command), ctx), () => undefined);
    }
  }

  /** Programmes, value chains and members over days at and beyond the bounds, run by the operator. */
  private programme(s: Extract<Step, { kind: 'programme' }>): void {
    const programmes = [...this.programmes.values()];
    const ctx = this.ctx(ORGS.operator);
    if (s.op === 'register' || programmes.length === 0) {
      const programmeId = uid(this.nextProgramme++, 5);
      const command = { programmeId, name: s.text, ...(s.tag ? { tag: 'tag-0' } : {}), managerOrganisationId: ORGS.sorter, occurredAt: s.time };
      this.attempt(`programme-${programmeId}`, ORGS.operator, () => decideRegisterProgramme(undefined, RegisterProgramme.parse(command), ctx), () => undefined);
      return;
    }
    const programme = programmes[s.pick % programmes.length]!;
    const streamId = `programme-${programme.programmeId}`;
    if (s.op === 'chain') {
      const command = { programmeId: programme.programmeId, valueChainId: uid(this.nextProgramme++, 5), name: s.text, occurredAt: s.time };
      this.attempt(streamId, ORGS.operator, () => decideRegisterValueChain(this.programmes.get(streamId), RegisterValueChain.parse(command), ctx), () => undefined);
      return;
    }
    const chain = s.inChain ? programme.valueChainIds[s.pick % Math.max(1, programme.valueChainIds.length)] : undefined;
    const member = { programmeId: programme.programmeId, ...(chain !== undefined ? { valueChainId: chain } : {}), organisationId: ORG_IDS[s.pick % ORG_IDS.length]!, from: s.day, occurredAt: s.time };
    if (s.op === 'add') {
      this.attempt(streamId, ORGS.operator, () => decideAddProgrammeMember(this.programmes.get(streamId), AddProgrammeMember.parse(member), ctx), () => undefined);
    } else {
      this.attempt(streamId, ORGS.operator, () => decideRemoveProgrammeMember(this.programmes.get(streamId), RemoveProgrammeMember.parse({ ...member, reason: s.text }), ctx), () => undefined);
    }
  }

  /**
   * A sorting process over up to `inputs` available batches of one custodian: its outputs share what
   * goes in (each at most MAX_SAFE_INTEGER, as the old schema allowed), optionally less a loss.
   */
  private process(s: Extract<Step, { kind: 'process' }>): void {
    const first = this.pickBatch(s.pick, 'available');
    // Outputs of a process are usable here at once: every process below completes before the next step.
    if (!first) return;
    const org = first.custodianOrgId;
    const inputs = [first, ...[...this.batches.values()].filter((b) => b.status === 'available' && b.custodianOrgId === org && b.batchId !== first.batchId)].slice(0, s.inputs);
    const external = s.external === undefined ? [] : [{ description: s.text.slice(0, 500) || 'virgin', massGrams: s.external, composition: [{ fibre: 'polyester' as const, share: 10_000 }], originClass: 'virgin' as const }];
    const total = inputs.reduce((sum, b) => sum + BigInt(b.massGrams), 0n) + external.reduce((sum, x) => sum + BigInt(x.massGrams), 0n);
    const loss = s.loss && total > 1n ? total / 100n + 1n : 0n;
    const outputGrams = total - loss;
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    // At least enough outputs that none exceeds a safe integer, and never more than grams to share.
    let count = BigInt(s.outputs);
    if (count * max < outputGrams) count = (outputGrams + max - 1n) / max;
    if (count > outputGrams) count = outputGrams;
    if (count < 1n) return;
    const base = outputGrams / count;
    const processType = PROCESS_TYPES[s.type % PROCESS_TYPES.length]!;
    const outputs = Array.from({ length: Number(count) }, (_, i) => ({
      batchId: uid(this.nextBatch++, 7),
      massGrams: Number(base + (BigInt(i) < outputGrams % count ? 1n : 0n)),
      grade: 'recycling' as const,
      composition: [{ fibre: 'cotton' as const, share: 10_000 }],
      // Products of a known application close the circularity buckets differently.
      ...(processType === 'manufacturing' ? { application: i % 2 === 0 ? ('textile' as const) : ('non-textile' as const) } : {}),
    }));
    const losses = loss > 0n ? [{ kind: 'process-waste' as const, massGrams: Number(loss) }] : [];
    const processId = uid(this.nextProcess++, 8);
    const command = { processId, processType, inputs: inputs.map((b) => ({ batchId: b.batchId })), externalInputs: external, outputs, losses, occurredAt: s.time };

    let started: ProcessStarted | undefined;
    try {
      const loaded = new Map(inputs.map((b) => [b.batchId, { state: b, revision: 0 }]));
      started = decideStartProcess(loaded, new Set(), RecordProcess.parse(command), this.ctx(org)).data;
      this.accepted.commands += 1;
    } catch {
      const legacy = LEGACY_INSTANT.test(s.time) && outputs.every((o) => legacyGrams(o.massGrams)) && external.every((x) => legacyGrams(x.massGrams) && legacyText(x.description, 500));
      if (!legacy) {
        this.accepted.refused += 1;
        return;
      }
      this.accepted.legacy += 1;
      // As an old version decided it: the same proportional parents, without today's bounds.
      const pool = new Map<string, bigint>(inputs.map((b) => [`batch:${b.batchId}`, BigInt(b.massGrams)]));
      external.forEach((x, i) => pool.set(`external:${i}`, BigInt(x.massGrams)));
      const shares = allocateSequentially(pool, [...outputs, ...losses].map((o) => BigInt(o.massGrams)));
      started = {
        processId,
        organisationId: org,
        processType,
        inputs: inputs.map((b, i) => ({ batchId: b.batchId, massGrams: b.massGrams, expectedRevision: i })),
        externalInputs: external,
        outputs: outputs.map((o, i) => ({ ...o, parents: inputs.map((b) => ({ batchId: b.batchId, massGrams: Number(shares[i]?.get(`batch:${b.batchId}`) ?? 0n) })).filter((p) => p.massGrams > 0) })),
        losses,
        occurredAt: s.time,
      };
    }
    // The process manager's steps, as it writes them.
    this.append(`process-${processId}`, { type: 'ProcessStarted', data: started }, org);
    for (const input of started.inputs) {
      const check = checkConsumption(this.batches.get(input.batchId), input, processId, org);
      if (check.kind !== 'consume') throw new Error(`generator bug: ${JSON.stringify(check)}`);
      this.append(`batch-${input.batchId}`, { type: 'BatchConsumed', data: { batchId: input.batchId, processId, massGrams: input.massGrams } }, org);
    }
    for (const output of started.outputs) {
      this.append(`batch-${output.batchId}`, { type: 'BatchProduced', data: { ...output, processId, processType: started.processType, organisationId: org, occurredAt: started.occurredAt } }, org);
    }
    this.append(`process-${processId}`, { type: 'ProcessCompleted', data: { processId } }, org);
  }
}

const big = (value: unknown): bigint => {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`not an exact integer: ${String(value)}`);
};

/** Polls the runner; throws at once when a projection failed on a page (the runner would retry forever). */
async function caughtUp(runner: ProjectionRunner, failure: () => unknown, position: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (runner.position() < position) {
    const error = failure();
    if (error !== undefined) throw error;
    if (Date.now() > deadline) throw new Error(`read models reached position ${runner.position()}, not ${position}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function circularityViolations(db: ReadDb): Promise<string[]> {
  const { rows } = await sql<Record<string, unknown>>`select * from circularity_cohorts`.execute(db);
  const violations: string[] = [];
  for (const row of rows) {
    const collected = big(row['collected_grams']);
    const buckets = Object.keys(row)
      .filter((column) => column.endsWith('_grams') && column !== 'collected_grams')
      .reduce((sum, column) => sum + big(row[column]), 0n);
    if (collected !== buckets) violations.push(`cohort ${String(row['cohort'])}: collected ${collected} g ≠ Σ buckets ${buckets} g`);
  }
  return violations;
}

describeOnEachReadDb('projection totality (property)', (openDb, dialect) => {
  it('every projection folds commands at and beyond the bounds and legacy events; rebuild = live; collected = Σ buckets', async () => {
    let totals = { commands: 0, legacy: 0, refused: 0, events: 0 };
    const byType = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 60 }), async (steps) => {
        const ledger = new Ledger();
        for (const s of steps) ledger.run(s);
        const dir = mkdtempSync(path.join(tmpdir(), 'ledger-totality-'));
        const store = await SqliteEventStore.open({ filename: path.join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
        const db = await openDb();
        let failure: unknown;
        const runner = new ProjectionRunner({ store, db, projections: createLedgerProjections(), retryDelayMs: 10, onError: (error) => (failure ??= error) });
        try {
          await runner.start();
          await appendToStore(store, ledger.log.events);
          await caughtUp(runner, () => failure, ledger.log.events.length - 1);
          const live = await runner.checksum();
          expect(await circularityViolations(db)).toEqual([]);
          await runner.rebuild();
          if (failure !== undefined) throw failure;
          const again = await runner.checksum();
          expect(again.perTable).toEqual(live.perTable);
          totals = {
            commands: totals.commands + ledger.accepted.commands,
            legacy: totals.legacy + ledger.accepted.legacy,
            refused: totals.refused + ledger.accepted.refused,
            events: totals.events + ledger.log.events.length,
          };
          for (const event of ledger.log.events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
        } finally {
          await runner.stop();
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS, endOnFailure: true, ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}) },
    );
    const newer = ['CatalogueBatchOffered', 'CatalogueWantPublished', 'CatalogueOfferRequested', 'SiteDeclared', 'SiteAmended', 'SiteClosed', 'OrganisationSizeDeclared', 'ProgrammeRegistered', 'ValueChainRegistered', 'ProgrammeMemberAdded', 'ProgrammeMemberRemoved', 'EmissionFactorSetPublished', 'RecycledContentClaimed'];
    const reached = newer.map((type) => `${type} ${byType.get(type) ?? 0}`).join(', ');
    process.stdout.write(`projection totality [${dialect}]: ${totals.events} events, ${totals.commands} commands accepted, ${totals.legacy} legacy events, ${totals.refused} refused outright; ${reached}\n`);
    // The organisation-, programme- and factor-level events reach the projections too.
    expect(newer.reduce((sum, type) => sum + (byType.get(type) ?? 0), 0)).toBeGreaterThan(0);
    // The generator must reach both paths, or the property proves nothing about one of them.
    expect(totals.commands).toBeGreaterThan(0);
    expect(totals.legacy).toBeGreaterThan(0);
  }, 120_000);
});
