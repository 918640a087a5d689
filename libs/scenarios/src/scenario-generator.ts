/**
 * Deterministic generator of realistic, valid ledger histories, for property tests and benchmarks.
 *
 * Every command goes through the real domain: the zod command schema, the pure decide function on
 * the batch state folded with evolveBatch, and the process manager's exact step sequence. So a
 * scenario holds only events the ledger itself would have appended, in an order it could have
 * appended them, with the expected revisions it would have used. Nothing random leaves the seeded
 * PRNG, and ids are name-based (uuid v5), so the same options always give byte-identical events.
 */
import { createHash } from 'node:crypto';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import {
  CURRENT_SCHEMA_VERSION,
  commandEventId,
  deterministicId,
  processStepEventId,
  AuthoriseCollector,
  CancelTransfer,
  CollectBatch,
  CorrectMass,
  DEFAULT_POLICY,
  DispatchTransfer,
  MAX_PROCESS_ITEMS,
  FIBRES,
  KOMMUNER,
  ReceiveTransfer,
  RecordOutcome,
  RecordProcess,
  RegisterOrganisation,
  RegisterResidualBatch,
  checkConsumption,
  cohortKey,
  decideAuthoriseCollector,
  decideCancelTransfer,
  decideCollectBatch,
  decideCorrectMass,
  decideDispatchTransfer,
  decideReceiveTransfer,
  decideRecordOutcome,
  decideRegisterOrganisation,
  decideRegisterResidualBatch,
  decideStartProcess,
  evolveBatch,
  evolveOrganisation,
  isValidCvr,
  originKeys,
  parseEvent,
  streamIds,
  type Application,
  type BatchState,
  type Composition,
  type DecisionContext,
  type DomainEvent,
  type EwcCodeValue,
  type ExternalInput,
  type Fibre,
  type Grade,
  type LoadedInput,
  type OrganisationFacts,
  type OrganisationState,
  type ProcessLoss,
  type ProcessStarted,
  type ProcessType,
  type Role,
} from '#domain';
import type { EventMetadata, EventToAppend } from '#event-store';
import type { z } from 'zod';
import { Prng } from './prng.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** Probabilities that shape a scenario; every one is a share in [0, 1]. */
export interface ScenarioMix {
  /** Share of new origin batches that are business residuals rather than municipal collections. */
  readonly residualShare: number;
  /** Share of residual registrations that are post-consumer-business (the rest are pre-consumer). */
  readonly postConsumerBusinessShare: number;
  /** Share of collections in a kommune with a registered municipality that the municipality records. */
  readonly municipalityShare: number;
  /** Share of collected batches that go straight to an outcome without sorting. */
  readonly directDisposalRate: number;
  /** Share of dispatches cancelled (by the sender or refused by the consignee) instead of received. */
  readonly cancelRate: number;
  /** Share of receipts whose weighing differs by more than the 2 % tolerance. */
  readonly transitAnomalyRate: number;
  /** Share of dispatches weighed at a mass other than the batch's current one. */
  readonly dispatchReweighRate: number;
  /** Chance per step on a batch whose mass is still its origin's that the origin mass is corrected. */
  readonly originCorrectionRate: number;
  /** Same for a batch whose mass was weighed later (receipt, process output). */
  readonly weighedCorrectionRate: number;
  /** Share of processes rejected because an input changed between intent and consumption. */
  readonly rejectRate: number;
  /** Share of processes interrupted after the intent, as by a crash of the process manager. */
  readonly unfinishedRate: number;
  /**
   * Share of interrupted processes that recovery resumes further on in the history: it completes
   * them, or rejects them when an input they had not consumed yet was used meanwhile. The rest are
   * still unfinished when the history ends.
   */
  readonly recoveryRate: number;
  /** Share of manufacturing and blending processes that add virgin fibre. */
  readonly virginInputRate: number;
  /** Share of reuse-grade batches that are repaired before sale. */
  readonly repairRate: number;
}

export const DEFAULT_MIX: ScenarioMix = {
  residualShare: 0.2,
  postConsumerBusinessShare: 0.45,
  municipalityShare: 0.35,
  directDisposalRate: 0.05,
  cancelRate: 0.04,
  transitAnomalyRate: 0.06,
  dispatchReweighRate: 0.08,
  originCorrectionRate: 0.03,
  weighedCorrectionRate: 0.02,
  rejectRate: 0.015,
  unfinishedRate: 0.006,
  recoveryRate: 0.6,
  virginInputRate: 0.5,
  repairRate: 0.15,
};

export interface OrganisationCounts {
  readonly municipalities: number;
  readonly collectors: number;
  readonly sorters: number;
  readonly recyclers: number;
  readonly manufacturers: number;
  readonly brands: number;
}

export const DEFAULT_ORGANISATION_COUNTS: OrganisationCounts = {
  municipalities: 40,
  collectors: 6,
  sorters: 5,
  recyclers: 4,
  manufacturers: 7,
  brands: 4,
};

export interface ScenarioOptions {
  readonly seed: number;
  /** Batches created in all: origin batches plus process outputs (exactly this many). */
  readonly batches: number;
  /**
   * Business time of the first collection (default 2023-07-01, when separate collection became a
   * duty). Decisions are taken at the simulated time, so to replay a scenario through the API (which
   * checks occurredAt against its own clock) keep startAt + months in the past.
   */
  readonly startAt?: Date;
  /** Months over which origin events are spread (default 24). */
  readonly months?: number;
  readonly mix?: Partial<ScenarioMix>;
  readonly organisations?: Partial<OrganisationCounts>;
  /**
   * Open batches the simulation hovers around: new material arrives more slowly while many are open.
   * Default max(30, batches / 200).
   */
  readonly openInventory?: number;
  /** Parse every command and event with its zod schema, as the API would (default true). */
  readonly validate?: boolean;
  /**
   * Also make, at the start of the history, one product whose lineage holds about this many upstream
   * batches (see DeepProduct). Off by default: it draws from the PRNG, so it changes the whole
   * history that follows. Needs `batches` of at least three times this.
   */
  readonly deepProductAncestors?: number;
}

/**
 * A product with a wide lineage, as a manufacturer's lot of yarn spun from many recycled-fibre lots
 * would have: each fibre lot comes from a mechanical recycling of several recycling-grade fractions,
 * each fraction sorted out of a collection of its own. So its upstream batches number
 * fibreLots × (1 + 2 × fractionsPerFibreLot).
 */
export interface DeepProduct {
  readonly batchId: string;
  /** Upstream batches of the product (itself not counted): what a lineage walk of it returns besides the root. */
  readonly ancestors: number;
  readonly fibreLots: number;
  readonly fractionsPerFibreLot: number;
}

export type OrganisationKind = 'operator' | 'auditor' | 'municipality' | 'collector' | 'sorter' | 'recycler' | 'manufacturer' | 'brand';

export interface ScenarioOrganisation extends OrganisationFacts {
  readonly kind: OrganisationKind;
  readonly cvr?: string;
  /** Region the organisation mostly works in (collectors pick kommuner by it). */
  readonly region?: string;
  /**
   * The API key whose hash the scenario registers, so that a server over a generated ledger can be
   * called as this organisation (the scale bench does). Derived from the seed: never a secret.
   */
  readonly apiKey: string;
  /** The key's id, as the key names it (`tl_<apiKeyId>_…`) and as its registration records it. */
  readonly apiKeyId: string;
}

export type ScenarioExpectedRevision = number | 'no-stream' | 'any';

export interface ScenarioEvent {
  readonly streamId: string;
  /** What the ledger expected when it appended this event (a multi-event command shares one append). */
  readonly expectedRevision: ScenarioExpectedRevision;
  readonly event: EventToAppend;
}

export interface ScenarioStats {
  readonly organisations: number;
  readonly batches: number;
  readonly originBatches: { readonly collected: number; readonly preConsumer: number; readonly postConsumerBusiness: number };
  readonly producedBatches: number;
  readonly events: number;
  readonly eventsByType: Readonly<Record<string, number>>;
  readonly processes: {
    readonly completed: Readonly<Record<string, number>>;
    readonly rejected: number;
    /** Interrupted processes that recovery ended later in the history (`completed` counts these too). */
    readonly recovered: { readonly completed: number; readonly rejected: number };
    /** Processes still unfinished when the history ends. */
    readonly unfinished: number;
    readonly withVirginInput: number;
    readonly withUntrackedInput: number;
  };
  readonly transfers: { readonly dispatched: number; readonly received: number; readonly cancelled: number; readonly anomalies: number };
  readonly outcomes: Readonly<Record<string, number>>;
  readonly corrections: { readonly origin: number; readonly weighed: number };
  readonly kommuner: number;
  readonly months: number;
  /** Sum of origin masses, as last corrected: what the circularity projection must report as collected. */
  readonly originGrams: number;
  readonly firstOccurredAt: string;
  readonly lastOccurredAt: string;
}

export interface Scenario {
  readonly seed: number;
  readonly organisations: readonly ScenarioOrganisation[];
  readonly events: readonly ScenarioEvent[];
  readonly stats: ScenarioStats;
  /** Present when `deepProductAncestors` was asked for. */
  readonly deepProduct?: DeepProduct;
}

// ---------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------

// Event ids come from #domain (processStepEventId, commandEventId): the same derivation as the
// process manager's, so recovery treats a generated unfinished process as its own and resumes it.

// ---------------------------------------------------------------------------------------------
// Reference data for realism
// ---------------------------------------------------------------------------------------------

const REGIONS = ['Hovedstaden', 'Sjælland', 'Syddanmark', 'Midtjylland', 'Nordjylland'] as const;

const COLLECTOR_NAMES = ['Jysk Tekstilindsamling', 'Sjællands Genbrugstekstil', 'Fynske Tøjcontainere', 'Nordjysk Indsamling', 'Hovedstadens Tekstilretur', 'Sønderjysk Genbrug'];
const SORTER_NAMES = ['Midtjysk Sortering', 'Tekstilsortering Brøndby', 'Herning Tekstilcentral', 'Odense Sorteringshal', 'Aalborg Genbrugssortering'];
const RECYCLER_NAMES = ['Fiber Retur', 'Nordic Fibre Loop', 'Ikast Rivevæveri', 'Kolding Kemisk Fiber'];
const MANUFACTURER_NAMES = ['Herning Væveri', 'Brande Strik', 'Vejle Puder & Tasker', 'Ikast Isolering', 'Silkeborg Syværksted', 'Randers Filt', 'Holstebro Garn'];
const BRAND_NAMES = ['Region Midt Hospitalsvask', 'Dansk Arbejdstøj Udlejning', 'Nordisk Hotelvask', 'Danske Uniformer'];

const FIBRE_WEIGHTS: ReadonlyArray<readonly [Fibre, number]> = [
  ['cotton', 40],
  ['polyester', 30],
  ['wool', 6],
  ['viscose', 8],
  ['polyamide', 5],
  ['acrylic', 4],
  ['elastane', 2],
  ['linen', 3],
  ['silk', 1],
  ['other', 1],
];

const PRODUCTS: ReadonlyArray<readonly [string, Application]> = [
  ['pillow', 'textile'],
  ['tote bag', 'textile'],
  ['t-shirt', 'textile'],
  ['workwear jacket', 'textile'],
  ['blanket', 'textile'],
  ['yarn', 'textile'],
  ['cleaning cloth', 'textile'],
  ['insulation mat', 'non-textile'],
  ['acoustic panel', 'non-textile'],
  ['car interior felt', 'non-textile'],
];

const EXPORT_COUNTRIES = ['DE', 'PL', 'LT', 'SE', 'NL', 'KE', 'GH', 'PK', 'IN', 'AE'] as const;
const REUSE_COUNTRIES = ['PL', 'LT', 'KE', 'GH', 'TZ', 'UA'] as const;
const UNKNOWN_COMPOSITION: Composition = [{ fibre: 'unknown', share: 10_000 }];

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/**
 * Splits `total` grams by weights, exactly: floors first, the rest one gram each to the largest
 * fractional parts (ties to the earlier entry). Parts may be 0 when a weight is tiny.
 */
export function splitGrams(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0) throw new RangeError('weights must sum to more than 0');
  const raw = weights.map((w) => (total * w) / sum);
  const parts = raw.map((r) => Math.floor(r));
  let missing = total - parts.reduce((s, p) => s + p, 0);
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; missing > 0; k = (k + 1) % order.length, missing--) parts[order[k]!.i]! += 1;
  return parts;
}

/** Swap-remove set with O(1) add, remove and uniform pick. */
class Pool {
  private readonly items: string[] = [];
  private readonly at = new Map<string, number>();

  get size(): number {
    return this.items.length;
  }

  add(id: string): void {
    if (this.at.has(id)) return;
    this.at.set(id, this.items.length);
    this.items.push(id);
  }

  remove(id: string): void {
    const index = this.at.get(id);
    if (index === undefined) return;
    const last = this.items.pop()!;
    this.at.delete(id);
    if (last !== id) {
      this.items[index] = last;
      this.at.set(last, index);
    }
  }

  pick(rng: Prng): string {
    return rng.pick(this.items);
  }

  /** Up to `count` distinct members other than `except`, in random order. */
  sample(rng: Prng, count: number, except: string): string[] {
    const candidates = this.items.filter((id) => id !== except);
    const out: string[] = [];
    while (out.length < count && candidates.length > 0) {
      const i = rng.int(0, candidates.length - 1);
      out.push(candidates[i]!);
      candidates[i] = candidates[candidates.length - 1]!;
      candidates.pop();
    }
    return out;
  }
}

/** Where a batch stands in the material flow; it decides what can happen to it next. */
type Stage =
  | 'in-transit'
  | 'collected-at-collector'
  | 'unsorted-at-sorter'
  | 'unsorted-elsewhere'
  | 'cutting-waste'
  | 'linen-at-brand'
  | 'linen-at-manufacturer'
  | 'feedstock-at-recycler'
  | 'recycling-elsewhere'
  | 'reuse'
  | 'fibre-at-recycler'
  | 'fibre-at-manufacturer'
  | 'fibre-elsewhere'
  | 'product'
  | 'residual';

interface BatchEntry {
  state: BatchState;
  /** Last revision of the batch stream. */
  revision: number;
  /**
   * An output of a process that never completed: read models do not see it until recovery finishes
   * the process, so the scenario leaves it untouched (as a snapshot taken before recovery would).
   */
  frozen: boolean;
  repairs: number;
  /** Command metadata of the pending dispatch, so its receipt or cancellation correlates with it. */
  dispatch?: { commandId: string; eventId: string };
  /** Pools the batch is in now. */
  pools: string[];
  /** The origin cohort and the mass the origin event recorded, as corrected (origin batches only). */
  origin?: { cohort: string; grams: number };
}

interface OutputPlan {
  readonly grade: Grade;
  readonly weight: number;
  readonly composition: Composition;
  readonly product?: readonly [string, Application];
  readonly ewcCode?: EwcCodeValue;
}

interface ProcessPlan {
  readonly processType: ProcessType;
  readonly outputs: readonly OutputPlan[];
  readonly losses: ReadonlyArray<{ readonly kind: ProcessLoss['kind']; readonly weight: number }>;
  readonly externalInputs: readonly ExternalInput[];
}

/** An outcome command without its batch and time, which the generator adds. */
type Outcome = z.infer<typeof RecordOutcome>;

/** An interrupted process that recovery will resume at step `due`. */
interface PendingRecovery {
  readonly due: number;
  readonly started: ProcessStarted;
  readonly meta: EventMetadata;
  /** Outputs not produced yet: batches set aside in the budget so the total still comes out exact. */
  readonly reserved: number;
}

interface MutableStats {
  collected: number;
  preConsumer: number;
  postConsumerBusiness: number;
  produced: number;
  eventsByType: Record<string, number>;
  completed: Record<string, number>;
  rejected: number;
  recoveredCompleted: number;
  recoveredRejected: number;
  unfinished: number;
  withVirginInput: number;
  withUntrackedInput: number;
  dispatched: number;
  received: number;
  cancelled: number;
  anomalies: number;
  outcomes: Record<string, number>;
  originCorrections: number;
  weighedCorrections: number;
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

const DAY_MS = 24 * 60 * 60 * 1000;

class ScenarioGenerator {
  private readonly rng: Prng;
  private readonly mix: ScenarioMix;
  private readonly counts: OrganisationCounts;
  private readonly validate: boolean;
  private readonly namespace: string;
  private readonly namespaceBytes: Uint8Array;
  private readonly target: number;
  private readonly openInventory: number;
  private readonly startMs: number;
  private readonly spanMs: number;

  private events: ScenarioEvent[] = [];
  /** Events emitted since the start, taken or not. */
  private emitted = 0;
  private firstOccurredAt = '';
  private lastOccurredAt = '';
  /** Sum of origin masses as last corrected, kept as it changes so that no batch need be kept for it. */
  private originGrams = 0;
  deep: DeepProduct | undefined;
  private readonly revisions = new Map<string, number>();
  private readonly batches = new Map<string, BatchEntry>();
  private readonly pools = new Map<string, Pool>();
  private readonly organisations: ScenarioOrganisation[] = [];
  private readonly orgById = new Map<string, ScenarioOrganisation>();
  private readonly byKind = new Map<OrganisationKind, ScenarioOrganisation[]>();
  private readonly municipalityByKommune = new Map<string, ScenarioOrganisation>();
  /**
   * Municipalities registered during the history, when a collector first collected in their kommune.
   * Kept apart from those that joined at the start, which alone record collections themselves, so
   * that the history's shape does not depend on these late registrations.
   */
  private readonly joinedLater = new Map<string, ScenarioOrganisation>();
  /** Each organisation stream folded, for the decisions taken on it (collector authorisations). */
  private readonly organisationStates = new Map<string, OrganisationState | undefined>();
  private readonly kommuneWeights: Array<readonly [(typeof KOMMUNER)[number], number]> = [];
  private readonly kommunerCollected = new Set<string>();
  private readonly monthsCollected = new Set<string>();
  private idCounter = 0;
  private created = 0;
  /** Batches that pending recoveries will still produce. */
  private reserved = 0;
  private step = 0;
  /** Sorted by `due`. */
  private readonly recoveries: PendingRecovery[] = [];
  private clock: number;
  private readonly stats: MutableStats = {
    collected: 0,
    preConsumer: 0,
    postConsumerBusiness: 0,
    produced: 0,
    eventsByType: {},
    completed: {},
    rejected: 0,
    recoveredCompleted: 0,
    recoveredRejected: 0,
    unfinished: 0,
    withVirginInput: 0,
    withUntrackedInput: 0,
    dispatched: 0,
    received: 0,
    cancelled: 0,
    anomalies: 0,
    outcomes: {},
    originCorrections: 0,
    weighedCorrections: 0,
  };

  constructor(private readonly options: ScenarioOptions) {
    if (!Number.isInteger(options.batches) || options.batches < 1) throw new RangeError(`batches must be a positive integer, got ${options.batches}`);
    this.rng = new Prng(options.seed);
    this.mix = { ...DEFAULT_MIX, ...options.mix };
    this.counts = { ...DEFAULT_ORGANISATION_COUNTS, ...options.organisations };
    if (this.counts.municipalities > KOMMUNER.length) throw new RangeError(`at most ${KOMMUNER.length} municipalities exist`);
    for (const key of ['collectors', 'sorters', 'recyclers', 'manufacturers', 'brands'] as const) {
      if (this.counts[key] < 1) throw new RangeError(`a scenario needs at least one of ${key}`);
    }
    this.validate = options.validate ?? true;
    this.namespace = deterministicId(`textile-ledger/scenario/${String(options.seed)}`);
    this.namespaceBytes = parseUuid(this.namespace);
    this.target = options.batches;
    this.openInventory = options.openInventory ?? Math.max(30, Math.round(options.batches / 200));
    this.startMs = (options.startAt ?? new Date('2023-07-01T06:00:00.000Z')).getTime();
    this.spanMs = Math.max(1, options.months ?? 24) * 30.4 * DAY_MS;
    // Organisations are registered in the month before the first collection.
    this.clock = this.startMs - 30 * DAY_MS;
  }

  run(): Scenario {
    this.begin();
    this.advance(Number.POSITIVE_INFINITY);
    return { seed: this.options.seed, organisations: this.organisations, events: this.events, stats: this.finalStats(), ...(this.deep ? { deepProduct: this.deep } : {}) };
  }

  /** The organisations, then the deep product if asked for: everything before the simulation loop. */
  begin(): void {
    this.registerOrganisations();
    this.clock = this.startMs;
    const ancestors = this.options.deepProductAncestors;
    if (ancestors !== undefined) {
      try {
        this.deep = this.makeDeepProduct(ancestors);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`scenario seed ${this.options.seed}, deep product: ${message}`, { cause: error });
      }
    }
  }

  get organisationList(): readonly ScenarioOrganisation[] {
    return this.organisations;
  }

  get done(): boolean {
    return !(this.created + this.reserved < this.target || this.recoveries.length > 0);
  }

  /** Events emitted and not taken yet; taking them lets a caller stream a history too large to hold. */
  take(): ScenarioEvent[] {
    const taken = this.events;
    this.events = [];
    return taken;
  }

  /** Runs the history until it ends or at least `minEvents` events wait to be taken. */
  advance(minEvents: number): void {
    const maxSteps = this.target * 200 + 1000;
    // Once the budget is spoken for, only the pending recoveries still run (in due order); one that
    // rejects frees its reservation and the history carries on.
    while (!this.done && this.events.length < minEvents) {
      this.step += 1;
      if (this.step > maxSteps) throw new Error(`scenario seed ${this.options.seed}: no progress after ${maxSteps} steps`);
      this.tick();
      try {
        const due = this.recoveries[0];
        if (due && (due.due <= this.step || this.created + this.reserved >= this.target)) {
          this.recoveries.shift();
          this.recover(due);
          continue;
        }
        const actionable = this.pool('actionable');
        const originChance = this.openInventory / (this.openInventory + actionable.size);
        if (actionable.size === 0 || this.rng.chance(originChance)) this.originate();
        else this.act(actionable.pick(this.rng));
      } catch (error) {
        // A domain error here means the generator asked for something the ledger refuses: a
        // generator bug, reported with what is needed to replay it.
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`scenario seed ${this.options.seed}, step ${this.step}: ${message}`, { cause: error });
      }
    }
  }

  // ---- time, ids, emission --------------------------------------------------------------

  /** Business time runs with the share of batches created, so origins spread over the months asked. */
  private tick(): void {
    const scheduled = this.startMs + Math.floor((this.spanMs * this.created) / this.target);
    this.clock = Math.max(this.clock + this.rng.int(1, 120) * 1000, scheduled);
  }

  private now(): string {
    return new Date(this.clock).toISOString();
  }

  private newId(kind: string): string {
    this.idCounter += 1;
    return uuidv5(`${kind}/${this.idCounter}`, this.namespaceBytes);
  }

  private ctx(actor: ScenarioOrganisation): DecisionContext {
    return {
      now: new Date(this.clock),
      actor,
      organisation: (id) => this.orgById.get(id),
      policy: DEFAULT_POLICY,
      collectorAuthorised: (kommuneCode, collectorOrgId) => this.isAuthorised(kommuneCode, collectorOrgId),
    };
  }

  private isAuthorised(kommuneCode: string, collectorOrgId: string): boolean {
    const municipality = this.municipalityByKommune.get(kommuneCode) ?? this.joinedLater.get(kommuneCode);
    return municipality !== undefined && (this.organisationStates.get(municipality.organisationId)?.authorisedCollectors.includes(collectorOrgId) ?? false);
  }

  private commandMeta(actorOrgId: string, correlationId?: string, causationId?: string): EventMetadata {
    const commandId = this.newId('command');
    return { actorOrgId, commandId, correlationId: correlationId ?? commandId, causationId: causationId ?? commandId };
  }

  /** Appends one event to the scenario, with the revision the ledger would have expected. */
  private emit(streamId: string, event: DomainEvent, eventId: string, metadata: EventMetadata, expected?: 'any'): void {
    // Validate against the event schema, as the store's readers will parse it.
    if (this.validate) parseEvent(event.type, CURRENT_SCHEMA_VERSION[event.type], event.data);
    const last = this.revisions.get(streamId) ?? -1;
    this.events.push({
      streamId,
      expectedRevision: expected ?? (last === -1 ? 'no-stream' : last),
      event: { eventId, type: event.type, schemaVersion: CURRENT_SCHEMA_VERSION[event.type], data: event.data, metadata },
    });
    this.revisions.set(streamId, last + 1);
    this.stats.eventsByType[event.type] = (this.stats.eventsByType[event.type] ?? 0) + 1;
    this.emitted += 1;
    const occurredAt = (event.data as { occurredAt?: unknown }).occurredAt;
    if (typeof occurredAt === 'string') {
      this.lastOccurredAt = occurredAt;
      if (this.firstOccurredAt === '' && (event.type === 'BatchCollected' || event.type === 'ResidualBatchRegistered')) this.firstOccurredAt = occurredAt;
    }
  }

  /** Emits a command's events on a batch stream and folds them into the batch state. */
  private emitBatch(batchId: string, events: readonly DomainEvent[], metadata: EventMetadata, eventIds?: readonly string[], expected?: 'any'): BatchState {
    let entry = this.batches.get(batchId);
    events.forEach((event, index) => {
      const eventId = eventIds?.[index] ?? commandEventId(metadata.commandId, index);
      this.emit(streamIds.batch(batchId), event, eventId, metadata, expected);
      const state = evolveBatch(entry?.state, event, { eventId });
      if (!state) throw new Error(`${event.type} left batch ${batchId} without state`);
      if (!entry) {
        entry = { state, revision: 0, frozen: false, repairs: 0, pools: [] };
        this.batches.set(batchId, entry);
      } else {
        entry.state = state;
        entry.revision += 1;
      }
    });
    if (!entry) throw new Error(`no events for batch ${batchId}`);
    this.reclassify(batchId, entry);
    return entry.state;
  }

  private entry(batchId: string): BatchEntry {
    const entry = this.batches.get(batchId);
    if (!entry) throw new Error(`unknown batch ${batchId}`);
    return entry;
  }

  // ---- pools ---------------------------------------------------------------------------

  private pool(key: string): Pool {
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool();
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Moves a batch to the pools its new state belongs in (none once consumed, closed or frozen). */
  private reclassify(batchId: string, entry: BatchEntry): void {
    for (const key of entry.pools) this.pool(key).remove(batchId);
    entry.pools = [];
    const { status } = entry.state;
    if (entry.frozen || status === 'consumed' || status === 'closed') return;
    const stage = this.stageOf(entry.state);
    entry.pools = ['actionable', `${stage}|${entry.state.custodianOrgId}`];
    for (const key of entry.pools) this.pool(key).add(batchId);
  }

  private stageOf(state: BatchState): Stage {
    if (state.status === 'in-transit') return 'in-transit';
    const kind = this.org(state.custodianOrgId).kind;
    switch (state.grade) {
      case 'unsorted':
        if (kind === 'sorter') return 'unsorted-at-sorter';
        if (kind === 'recycler' && state.origin.kind === 'residual') return 'feedstock-at-recycler';
        if (state.origin.kind === 'collected') return kind === 'collector' || kind === 'municipality' ? 'collected-at-collector' : 'unsorted-elsewhere';
        if (state.origin.kind === 'residual' && state.origin.originClass === 'pre-consumer') return 'cutting-waste';
        if (state.origin.kind === 'residual') return kind === 'manufacturer' ? 'linen-at-manufacturer' : 'linen-at-brand';
        return 'unsorted-elsewhere';
      case 'recycling':
        return kind === 'recycler' ? 'feedstock-at-recycler' : 'recycling-elsewhere';
      case 'reuse':
        return 'reuse';
      case 'fibre':
        return kind === 'recycler' ? 'fibre-at-recycler' : kind === 'manufacturer' ? 'fibre-at-manufacturer' : 'fibre-elsewhere';
      case 'product':
        return 'product';
      case 'residual':
        return 'residual';
    }
  }

  private org(id: string): ScenarioOrganisation {
    const org = this.orgById.get(id);
    if (!org) throw new Error(`unknown organisation ${id}`);
    return org;
  }

  private orgsOf(kind: OrganisationKind): ScenarioOrganisation[] {
    return this.byKind.get(kind) ?? [];
  }

  // ---- organisations -------------------------------------------------------------------

  private cvr(): string {
    // 8 digits, no leading zero, weights 2,7,6,5,4,3,2,1 summing to a multiple of 11.
    for (;;) {
      const digits = [this.rng.int(1, 9), ...Array.from({ length: 6 }, () => this.rng.int(0, 9))];
      const weights = [2, 7, 6, 5, 4, 3, 2];
      const partial = digits.reduce((s, d, i) => s + d * weights[i]!, 0);
      const check = (11 - (partial % 11)) % 11;
      if (check > 9) continue;
      const cvr = [...digits, check].join('');
      if (isValidCvr(cvr)) return cvr;
    }
  }

  private registerOrganisations(): void {
    const operator = this.addOrganisation('operator', 'Ledger operator', ['operator']);
    this.addOrganisation('auditor', 'Tekstil Revision ApS', ['auditor']);

    const kommuner = [...KOMMUNER];
    // A seeded shuffle picks which kommuner have joined the ledger as organisations.
    for (let i = kommuner.length - 1; i > 0; i--) {
      const j = this.rng.int(0, i);
      [kommuner[i], kommuner[j]] = [kommuner[j]!, kommuner[i]!];
    }
    for (const kommune of kommuner.slice(0, this.counts.municipalities)) {
      const org = this.addOrganisation('municipality', `${kommune.name} Kommune`, ['municipality'], kommune.code, kommune.region);
      this.municipalityByKommune.set(kommune.code, org);
    }
    for (const kommune of KOMMUNER) this.kommuneWeights.push([kommune, this.municipalityByKommune.has(kommune.code) ? 4 : 1]);

    const named = (names: readonly string[], i: number, suffix: string) => `${names[i % names.length]!}${i >= names.length ? ` ${Math.floor(i / names.length) + 1}` : ''} ${suffix}`;
    for (let i = 0; i < this.counts.collectors; i++) {
      this.addOrganisation('collector', named(COLLECTOR_NAMES, i, 'ApS'), ['collector'], undefined, REGIONS[i % REGIONS.length]);
    }
    for (let i = 0; i < this.counts.sorters; i++) {
      // The first sorter also collects, as integrated collector-sorters do: its own collections go
      // straight to its sorting line without a transfer.
      this.addOrganisation('sorter', named(SORTER_NAMES, i, 'A/S'), i === 0 ? ['collector', 'sorter'] : ['sorter'], undefined, REGIONS[(i + 3) % REGIONS.length]);
    }
    for (let i = 0; i < this.counts.recyclers; i++) this.addOrganisation('recycler', named(RECYCLER_NAMES, i, 'A/S'), ['recycler']);
    for (let i = 0; i < this.counts.manufacturers; i++) this.addOrganisation('manufacturer', named(MANUFACTURER_NAMES, i, 'ApS'), ['manufacturer']);
    for (let i = 0; i < this.counts.brands; i++) this.addOrganisation('brand', named(BRAND_NAMES, i, 'A/S'), ['brand']);

    for (const org of this.organisations) this.registerOrganisation(org, operator);
  }

  private addOrganisation(kind: OrganisationKind, name: string, roles: Role[], kommuneCode?: string, region?: string): ScenarioOrganisation {
    const organisationId = this.newId('organisation');
    const derived = (what: string) => createHash('sha256').update(`${this.namespace}/${what}/${organisationId}`);
    const apiKeyId = derived('api-key-id').digest('hex').slice(0, 12);
    const org: ScenarioOrganisation = {
      organisationId,
      // The shape of a real key (`tl_<keyId>_<secret>`), so the API accepts it as one.
      apiKey: `tl_${apiKeyId}_${derived('api-key').digest('base64url')}`,
      apiKeyId,
      name,
      roles,
      kind,
      ...(kommuneCode !== undefined ? { kommuneCode } : {}),
      ...(kind !== 'municipality' && kind !== 'operator' ? { cvr: this.cvr() } : {}),
      ...(region !== undefined ? { region } : {}),
    };
    this.organisations.push(org);
    this.orgById.set(org.organisationId, org);
    const list = this.byKind.get(kind) ?? [];
    list.push(org);
    this.byKind.set(kind, list);
    return org;
  }

  private registerOrganisation(org: ScenarioOrganisation, operator: ScenarioOrganisation, advanceClock = true): void {
    if (advanceClock) this.clock += 60_000;
    const keyHash = createHash('sha256').update(org.apiKey).digest('hex');
    const raw: RegisterOrganisation = {
      organisationId: org.organisationId,
      name: org.name,
      ...(org.cvr !== undefined ? { cvr: org.cvr } : {}),
      roles: [...org.roles],
      ...(org.kommuneCode !== undefined ? { kommuneCode: org.kommuneCode } : {}),
      sites: org.kind === 'operator' || org.kind === 'auditor' ? [] : [{ name: `${org.name} hovedsite` }],
      occurredAt: this.now(),
      apiKeyHash: keyHash,
      apiKeyId: org.apiKeyId,
    };
    const command = this.validate ? RegisterOrganisation.parse(raw) : raw;
    // The operator registers itself first (as the app's bootstrap does), then everyone else.
    const events = decideRegisterOrganisation(false, command, this.ctx(operator));
    this.emitOrganisation(org.organisationId, events, this.commandMeta(operator.organisationId));
  }

  /** Emits a command's events on an organisation stream and folds them into its state. */
  private emitOrganisation(organisationId: string, events: readonly DomainEvent[], meta: EventMetadata): void {
    let state = this.organisationStates.get(organisationId);
    events.forEach((event, i) => {
      this.emit(streamIds.organisation(organisationId), event, commandEventId(meta.commandId, i), meta);
      state = evolveOrganisation(state, event);
    });
    this.organisationStates.set(organisationId, state);
  }

  /**
   * A collector records a kommune's collections only once its municipality authorised it. A kommune
   * that has not joined the ledger yet joins first: the operator registers its
   * municipality, which then authorises the collector. Neither step draws from the PRNG, so the
   * history keeps its shape and only gains these events.
   */
  private ensureAuthorised(kommune: (typeof KOMMUNER)[number], collector: ScenarioOrganisation): void {
    let municipality = this.municipalityByKommune.get(kommune.code) ?? this.joinedLater.get(kommune.code);
    if (!municipality) {
      const operator = this.orgsOf('operator')[0];
      if (!operator) throw new Error('no operator to register a municipality');
      municipality = this.addOrganisation('municipality', `${kommune.name} Kommune`, ['municipality'], kommune.code, kommune.region);
      this.joinedLater.set(kommune.code, municipality);
      this.registerOrganisation(municipality, operator, false);
    }
    if (this.isAuthorised(kommune.code, collector.organisationId)) return;
    const raw: AuthoriseCollector = { organisationId: municipality.organisationId, collectorOrgId: collector.organisationId, occurredAt: this.now() };
    const command = this.validate ? AuthoriseCollector.parse(raw) : raw;
    const events = decideAuthoriseCollector(this.organisationStates.get(municipality.organisationId), command, this.ctx(municipality));
    this.emitOrganisation(municipality.organisationId, events, this.commandMeta(municipality.organisationId));
  }

  // ---- origin --------------------------------------------------------------------------

  private originate(): void {
    if (this.rng.chance(this.mix.residualShare)) this.registerResidual();
    else this.collect();
  }

  private pickCollector(region: string): ScenarioOrganisation {
    const collectors = this.organisations.filter((o) => o.roles.includes('collector'));
    const local = collectors.filter((o) => o.region === region);
    return local.length > 0 && this.rng.chance(0.8) ? this.rng.pick(local) : this.rng.pick(collectors);
  }

  private batchMass(min: number, max: number): number {
    return this.rng.logInt(min, max);
  }

  /** A collection in a kommune drawn by weight; by `collectedBy` when given, else by whoever the draws pick. */
  private collect(collectedBy?: ScenarioOrganisation): string {
    const kommune = this.rng.weighted(this.kommuneWeights);
    const municipality = this.municipalityByKommune.get(kommune.code);
    let actor: ScenarioOrganisation;
    let collector: ScenarioOrganisation;
    if (collectedBy) {
      collector = collectedBy;
      actor = collectedBy;
      this.ensureAuthorised(kommune, collector);
    } else if (municipality && this.rng.chance(this.mix.municipalityShare)) {
      actor = municipality;
      // Some municipalities run their own recycling centres and hold the material themselves.
      collector = this.rng.chance(0.3) ? municipality : this.pickCollector(kommune.region);
    } else {
      collector = this.pickCollector(kommune.region);
      actor = collector;
      this.ensureAuthorised(kommune, collector);
    }
    const batchId = this.newId('batch');
    const tags = kommune.code === '0657' || (kommune.region === 'Midtjylland' && this.rng.chance(0.3)) ? ['tekstilsymbiose-herning'] : [];
    const raw: CollectBatch = {
      batchId,
      kommuneCode: kommune.code,
      collectionScheme: this.rng.weighted([
        ['kerbside', 3],
        ['bring-bank', 4],
        ['recycling-centre', 3],
        ['charity-shop', 1],
        ['other', 0.3],
      ] as const),
      ewcCode: this.rng.chance(0.7) ? '20 01 10' : '20 01 11',
      massGrams: this.batchMass(20_000, 3_000_000),
      occurredAt: this.now(),
      collectorOrgId: collector.organisationId,
      programmeTags: tags,
    };
    const command = this.validate ? CollectBatch.parse(raw) : raw;
    const events = decideCollectBatch(undefined, command, this.ctx(actor));
    this.emitBatch(batchId, events, this.commandMeta(actor.organisationId));
    this.originated(batchId, cohortKey(originKeys.kommune(kommune.code), command.occurredAt), command.massGrams);
    this.kommunerCollected.add(kommune.code);
    this.stats.collected += 1;
    return batchId;
  }

  private registerResidual(): void {
    const postConsumer = this.rng.chance(this.mix.postConsumerBusinessShare);
    let actor: ScenarioOrganisation;
    let raw: RegisterResidualBatch;
    const batchId = this.newId('batch');
    if (postConsumer) {
      actor = this.rng.pick(this.orgsOf('brand'));
      raw = {
        batchId,
        originClass: 'post-consumer-business',
        ewcCode: '20 01 11',
        massGrams: this.batchMass(50_000, 1_500_000),
        composition: this.rng.chance(0.6) ? [{ fibre: 'cotton', share: 10_000 }] : this.randomComposition(),
        description: this.rng.pick(['discarded hospital-laundry linen', 'worn-out workwear returned by customers', 'hotel towels and bed linen taken out of service']),
        programmeTags: this.rng.chance(0.5) ? ['closing-loops', 'co59'] : ['closing-loops'],
        occurredAt: this.now(),
      };
    } else {
      const fromRecycler = this.rng.chance(0.25);
      actor = this.rng.pick(this.orgsOf(fromRecycler ? 'recycler' : 'manufacturer'));
      raw = {
        batchId,
        originClass: 'pre-consumer',
        ewcCode: fromRecycler ? '04 02 22' : this.rng.pick(['04 02 21', '04 02 22', '15 01 09'] as const),
        massGrams: this.batchMass(10_000, 800_000),
        composition: this.randomComposition(),
        description: fromRecycler ? 'carding and spinning fibre waste' : this.rng.pick(['cutting waste from production', 'yarn ends and selvedges', 'off-spec fabric rolls']),
        programmeTags: this.rng.chance(0.6) ? ['tekstilsymbiose-herning'] : [],
        occurredAt: this.now(),
      };
    }
    const command = this.validate ? RegisterResidualBatch.parse(raw) : raw;
    const events = decideRegisterResidualBatch(undefined, command, this.ctx(actor));
    this.emitBatch(batchId, events, this.commandMeta(actor.organisationId));
    this.originated(batchId, cohortKey(originKeys.residual(command.originClass, actor.organisationId), command.occurredAt), command.massGrams);
    if (postConsumer) this.stats.postConsumerBusiness += 1;
    else this.stats.preConsumer += 1;
  }

  private originated(batchId: string, cohort: string, grams: number): void {
    this.entry(batchId).origin = { cohort, grams };
    this.originGrams += grams;
    this.monthsCollected.add(cohort.slice(cohort.lastIndexOf('|') + 1));
    this.created += 1;
  }

  private randomComposition(): Composition {
    const count = this.rng.weighted([
      [1, 0.35],
      [2, 0.45],
      [3, 0.2],
    ] as const);
    const fibres: Fibre[] = [];
    while (fibres.length < count) {
      const fibre = this.rng.weighted(FIBRE_WEIGHTS);
      if (!fibres.includes(fibre)) fibres.push(fibre);
    }
    const shares = splitGrams(10_000, fibres.map(() => this.rng.int(1, 10)));
    return canonicalComposition(fibres.map((fibre, i) => ({ fibre, share: shares[i]! })));
  }

  // ---- acting on a batch ----------------------------------------------------------------

  private act(batchId: string): void {
    const entry = this.entry(batchId);
    const stage = this.stageOf(entry.state);
    if (stage !== 'in-transit') {
      const rate = entry.state.massFromOrigin ? this.mix.originCorrectionRate : this.mix.weighedCorrectionRate;
      if (this.rng.chance(rate)) {
        this.correctMass(batchId);
        return;
      }
    }
    switch (stage) {
      case 'in-transit':
        if (this.rng.chance(this.mix.cancelRate)) this.cancel(batchId);
        else this.receive(batchId);
        return;
      case 'collected-at-collector':
        if (this.rng.chance(this.mix.directDisposalRate)) {
          this.outcome(
            batchId,
            this.rng.weighted<Outcome>([
              [{ outcome: 'incinerated', energyRecovery: true }, 4],
              [{ outcome: 'incinerated', energyRecovery: false }, 1],
              [{ outcome: 'landfilled' }, 1],
              [{ outcome: 'exported', destinationCountry: this.rng.pick(EXPORT_COUNTRIES), purpose: 'unknown' }, 2],
            ]),
          );
        } else this.dispatch(batchId, 'sorter');
        return;
      case 'unsorted-at-sorter':
        this.sort(batchId);
        return;
      case 'unsorted-elsewhere':
        this.dispatch(batchId, 'sorter');
        return;
      case 'cutting-waste':
        this.dispatch(batchId, 'recycler');
        return;
      case 'linen-at-brand':
        this.dispatch(batchId, this.rng.chance(0.7) ? 'manufacturer' : 'sorter');
        return;
      case 'linen-at-manufacturer':
      case 'fibre-at-manufacturer':
        this.manufacture(batchId, stage);
        return;
      case 'feedstock-at-recycler':
        this.recycle(batchId);
        return;
      case 'recycling-elsewhere': {
        const choice = this.rng.weighted([
          ['dispatch', 80],
          ['export', 10],
          ['split', entry.state.massGrams >= 2_000 ? 4 : 0],
        ] as const);
        if (choice === 'dispatch') this.dispatch(batchId, 'recycler');
        else if (choice === 'export') this.outcome(batchId, { outcome: 'exported', destinationCountry: this.rng.pick(EXPORT_COUNTRIES), purpose: 'recycling' });
        else this.split(batchId);
        return;
      }
      case 'reuse':
        this.reuse(batchId);
        return;
      case 'fibre-at-recycler': {
        const choice = this.rng.weighted([
          ['dispatch', 80],
          ['export', 8],
          ['blend', 12],
        ] as const);
        if (choice === 'dispatch') this.dispatch(batchId, 'manufacturer');
        else if (choice === 'export') this.outcome(batchId, { outcome: 'exported', destinationCountry: this.rng.pick(EXPORT_COUNTRIES), purpose: 'recycling' });
        else this.blend(batchId, 'fibre-at-recycler', 'fibre');
        return;
      }
      case 'fibre-elsewhere':
        this.dispatch(batchId, 'manufacturer');
        return;
      case 'product':
        this.product(batchId);
        return;
      case 'residual':
        this.residual(batchId);
        return;
    }
  }

  private reuse(batchId: string): void {
    const entry = this.entry(batchId);
    const canRepair = entry.repairs < 2 && entry.state.massGrams >= 1_000;
    const choice = this.rng.weighted([
      ['domestic', 35],
      ['export-sale', 20],
      ['export-reuse', 12],
      ['repair', canRepair ? this.mix.repairRate * 100 : 0],
      ['split', entry.state.massGrams >= 5_000 ? 2 : 0],
      ['trade', 8],
    ] as const);
    switch (choice) {
      case 'domestic':
        this.outcome(batchId, { outcome: 'sold-for-reuse', market: 'domestic' });
        return;
      case 'export-sale':
        this.outcome(batchId, { outcome: 'sold-for-reuse', market: 'export', destinationCountry: this.rng.pick(REUSE_COUNTRIES) });
        return;
      case 'export-reuse':
        this.outcome(batchId, { outcome: 'exported', destinationCountry: this.rng.pick(REUSE_COUNTRIES), purpose: 'reuse' });
        return;
      case 'repair':
        this.repair(batchId);
        return;
      case 'split':
        this.split(batchId);
        return;
      case 'trade':
        // Reuse grades are traded between sorters (and to brands' take-back shops).
        this.dispatch(batchId, this.rng.chance(0.8) ? 'sorter' : 'brand');
        return;
    }
  }

  private product(batchId: string): void {
    const custodian = this.org(this.entry(batchId).state.custodianOrgId);
    const choice = this.rng.weighted([
      ['domestic', 55],
      ['export', 15],
      ['to-brand', custodian.kind === 'brand' ? 0 : 25],
      ['exported-unknown', 5],
    ] as const);
    if (choice === 'domestic') this.outcome(batchId, { outcome: 'placed-on-market', market: 'domestic' });
    else if (choice === 'export') this.outcome(batchId, { outcome: 'placed-on-market', market: 'export', destinationCountry: this.rng.pick(EXPORT_COUNTRIES) });
    else if (choice === 'to-brand') this.dispatch(batchId, 'brand');
    else this.outcome(batchId, { outcome: 'exported', destinationCountry: this.rng.pick(EXPORT_COUNTRIES), purpose: 'unknown' });
  }

  private residual(batchId: string): void {
    const choice = this.rng.weighted<Outcome>([
      [{ outcome: 'incinerated', energyRecovery: true }, 45],
      [{ outcome: 'incinerated', energyRecovery: false }, 10],
      [{ outcome: 'landfilled' }, 15],
      [{ outcome: 'exported', destinationCountry: this.rng.pick(EXPORT_COUNTRIES), purpose: 'recycling' }, 15],
      [{ outcome: 'exported', destinationCountry: this.rng.pick(EXPORT_COUNTRIES), purpose: 'unknown' }, 10],
    ]);
    this.outcome(batchId, choice);
  }

  // ---- custody -------------------------------------------------------------------------

  /** To an organisation of `toKind` the draws pick, or to `consignee` when given. */
  private dispatch(batchId: string, toKind: OrganisationKind, consignee?: ScenarioOrganisation): void {
    const entry = this.entry(batchId);
    const from = this.org(entry.state.custodianOrgId);
    const candidates = this.orgsOf(toKind).filter((o) => o.organisationId !== from.organisationId);
    if (candidates.length === 0) return;
    const to = consignee ?? this.rng.pick(candidates);
    const reweigh = this.rng.chance(this.mix.dispatchReweighRate);
    const mass = entry.state.massGrams;
    const dispatched = reweigh ? Math.max(1, mass + this.rng.int(-Math.ceil(mass * 0.01), Math.ceil(mass * 0.01))) : undefined;
    const raw: DispatchTransfer = {
      batchId,
      transferId: this.newId('transfer'),
      toOrgId: to.organisationId,
      ...(dispatched !== undefined ? { massGrams: dispatched } : {}),
      ...(this.rng.chance(0.7) ? { transportDocument: `CMR-${this.rng.int(100_000, 999_999)}` } : {}),
      // Toll processing keeps the ownership with the sender now and then; a custodian that does not
      // own the batch cannot hand the ownership on, so it leaves the flag to its default (false).
      ...(entry.state.ownerOrgId === from.organisationId ? { ownershipTransferred: this.rng.chance(0.92) } : {}),
      occurredAt: this.now(),
    };
    const command = this.validate ? DispatchTransfer.parse(raw) : raw;
    const meta = this.commandMeta(from.organisationId);
    const events = decideDispatchTransfer(entry.state, command, this.ctx(from));
    this.emitBatch(batchId, events, meta);
    entry.dispatch = { commandId: meta.commandId, eventId: commandEventId(meta.commandId, 0) };
    this.stats.dispatched += 1;
  }

  private receive(batchId: string): void {
    const entry = this.entry(batchId);
    const transfer = entry.state.pendingTransfer;
    if (!transfer) throw new Error(`batch ${batchId} is in transit without a transfer`);
    const sent = transfer.massGrams;
    const anomalous = this.rng.chance(this.mix.transitAnomalyRate);
    // Within tolerance: mostly small losses (moisture, spillage), now and then a gain (rain).
    const basisPoints = anomalous ? this.rng.int(210, 800) * (this.rng.chance(0.75) ? -1 : 1) : this.rng.int(-150, 50);
    const received = Math.max(1, sent + Math.trunc((sent * basisPoints) / 10_000));
    const raw: ReceiveTransfer = { batchId, receivedMassGrams: received, occurredAt: this.now() };
    const command = this.validate ? ReceiveTransfer.parse(raw) : raw;
    const consignee = this.org(transfer.toOrgId);
    const events = decideReceiveTransfer(entry.state, command, this.ctx(consignee));
    const meta = this.commandMeta(consignee.organisationId, entry.dispatch?.commandId, entry.dispatch?.eventId);
    delete entry.dispatch;
    this.emitBatch(batchId, events, meta);
    this.stats.received += 1;
    const first = events[0];
    if (first?.type === 'CustodyTransferReceived' && first.data.anomaly) this.stats.anomalies += 1;
  }

  private cancel(batchId: string): void {
    const entry = this.entry(batchId);
    const transfer = entry.state.pendingTransfer;
    if (!transfer) throw new Error(`batch ${batchId} is in transit without a transfer`);
    const bySender = this.rng.chance(0.5);
    const actor = this.org(bySender ? transfer.fromOrgId : transfer.toOrgId);
    const raw: CancelTransfer = {
      batchId,
      reason: bySender ? this.rng.pick(['truck broke down', 'wrong consignee', 'shipment postponed']) : this.rng.pick(['refused: contaminated with wet waste', 'refused: no capacity', 'refused: not the agreed grade']),
      occurredAt: this.now(),
    };
    const command = this.validate ? CancelTransfer.parse(raw) : raw;
    const events = decideCancelTransfer(entry.state, command, this.ctx(actor));
    const meta = this.commandMeta(actor.organisationId, entry.dispatch?.commandId, entry.dispatch?.eventId);
    delete entry.dispatch;
    this.emitBatch(batchId, events, meta);
    this.stats.cancelled += 1;
  }

  private outcome(batchId: string, outcome: Outcome): void {
    const entry = this.entry(batchId);
    const actor = this.org(entry.state.custodianOrgId);
    const parsed = this.validate ? RecordOutcome.parse(outcome) : outcome;
    const events = decideRecordOutcome(entry.state, { ...parsed, batchId, occurredAt: this.now() }, this.ctx(actor));
    if (this.emitBatch(batchId, events, this.commandMeta(actor.organisationId)).status === 'closed') this.forget(batchId);
    const key = outcome.outcome === 'incinerated' ? `incinerated-${outcome.energyRecovery ? 'r1' : 'd10'}` : outcome.outcome === 'exported' ? `exported-${outcome.purpose}` : outcome.outcome === 'sold-for-reuse' || outcome.outcome === 'placed-on-market' ? `${outcome.outcome}-${outcome.market}` : outcome.outcome;
    this.stats.outcomes[key] = (this.stats.outcomes[key] ?? 0) + 1;
  }

  private correctMass(batchId: string, actorOverride?: ScenarioOrganisation): void {
    const entry = this.entry(batchId);
    const actor = actorOverride ?? this.org(entry.state.custodianOrgId);
    const mass = entry.state.massGrams;
    const fromOrigin = entry.state.massFromOrigin;
    const spread = Math.max(1, Math.ceil(mass * (fromOrigin ? 0.1 : 0.05)));
    let corrected = mass + this.rng.int(-spread, spread);
    if (corrected === mass) corrected = mass + 1;
    if (corrected < 1) corrected = mass + 1;
    const raw: CorrectMass = {
      batchId,
      correctedEventId: entry.state.massEventId,
      massGrams: corrected,
      reason: fromOrigin ? this.rng.pick(['weighbridge ticket re-read', 'collection scale was not tared']) : this.rng.pick(['re-weighed on a calibrated scale', 'pallet weight was not deducted']),
      occurredAt: this.now(),
    };
    const command = this.validate ? CorrectMass.parse(raw) : raw;
    const events = decideCorrectMass(entry.state, command, this.ctx(actor));
    this.emitBatch(batchId, events, this.commandMeta(actor.organisationId));
    if (fromOrigin) {
      if (!entry.origin) throw new Error(`batch ${batchId} has an origin mass but no origin`);
      this.originGrams += corrected - entry.origin.grams;
      entry.origin.grams = corrected;
      this.stats.originCorrections += 1;
    } else this.stats.weighedCorrections += 1;
  }

  // ---- processes -------------------------------------------------------------------------

  private compositionOf(batchIds: readonly string[], externals: readonly ExternalInput[] = []): Composition {
    return mixCompositions([
      ...batchIds.map((id) => ({ composition: this.entry(id).state.composition, grams: this.entry(id).state.massGrams })),
      ...externals.map((x) => ({ composition: x.composition, grams: x.massGrams })),
    ]);
  }

  private inputMass(batchIds: readonly string[]): number {
    return batchIds.reduce((sum, id) => sum + this.entry(id).state.massGrams, 0);
  }

  /** The batch plus up to `max - 1` others of the same stage at the same custodian. */
  private inputsFrom(batchId: string, stage: Stage, max: number): string[] {
    const custodian = this.entry(batchId).state.custodianOrgId;
    const extra = max > 1 ? this.pool(`${stage}|${custodian}`).sample(this.rng, this.rng.int(0, max - 1), batchId) : [];
    return [batchId, ...extra];
  }

  private sort(batchId: string): void {
    const outputs: OutputPlan[] = [];
    const reuseBatches = this.rng.int(1, 2);
    for (let i = 0; i < reuseBatches; i++) outputs.push({ grade: 'reuse', weight: this.rng.real(15, 30), composition: this.randomComposition() });
    const recyclingBatches = this.rng.int(1, 2);
    for (let i = 0; i < recyclingBatches; i++) outputs.push({ grade: 'recycling', weight: this.rng.real(15, 30), composition: this.randomComposition() });
    if (this.rng.chance(0.8)) outputs.push({ grade: 'residual', weight: this.rng.real(3, 15), composition: UNKNOWN_COMPOSITION, ewcCode: '19 12 08' });
    this.runProcess(batchId, [batchId], {
      processType: 'sorting',
      outputs,
      losses: this.rng.chance(0.85) ? [{ kind: 'moisture-dust', weight: this.rng.real(0.3, 1.5) }] : [],
      externalInputs: [],
    });
  }

  private split(batchId: string): void {
    const state = this.entry(batchId).state;
    if (state.grade === 'unsorted') throw new Error(`cannot split unsorted batch ${batchId}`);
    const grade: Grade = state.grade;
    const parts = this.rng.int(2, 4);
    this.runProcess(batchId, [batchId], {
      processType: 'splitting',
      outputs: Array.from({ length: parts }, () => ({ grade, weight: this.rng.real(1, 3), composition: state.composition })),
      losses: [],
      externalInputs: [],
    });
  }

  private repair(batchId: string): void {
    const entry = this.entry(batchId);
    const mass = entry.state.massGrams;
    const externals: ExternalInput[] = this.rng.chance(0.6)
      ? [{ description: 'thread, buttons and zips', massGrams: Math.max(1, Math.round(mass * this.rng.real(0.001, 0.01))), composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'untracked' }]
      : [];
    entry.repairs += 1;
    this.runProcess(batchId, [batchId], {
      processType: 'repair',
      outputs: [{ grade: 'reuse', weight: 97, composition: entry.state.composition }],
      losses: this.rng.chance(0.4) ? [{ kind: 'process-waste', weight: this.rng.real(0.5, 3) }] : [],
      externalInputs: externals,
    });
  }

  private blend(batchId: string, stage: Stage, grade: Grade): void {
    const inputs = this.inputsFrom(batchId, stage, 5);
    const externals: ExternalInput[] = this.rng.chance(this.mix.virginInputRate)
      ? [this.virgin(this.inputMass(inputs), 0.05, 0.3)]
      : [];
    this.runProcess(batchId, inputs, {
      processType: 'blending',
      outputs: [{ grade, weight: 1, composition: this.compositionOf(inputs, externals) }],
      losses: [],
      externalInputs: externals,
    });
  }

  private recycle(batchId: string): void {
    const type = this.rng.weighted([
      ['mechanical-recycling', 75],
      ['chemical-recycling', 8],
      ['blending', 12],
      ['splitting', 2],
    ] as const);
    const state = this.entry(batchId).state;
    if (type === 'blending') return this.blend(batchId, 'feedstock-at-recycler', 'recycling');
    if (type === 'splitting' && state.grade !== 'unsorted' && state.massGrams >= 2_000) return this.split(batchId);
    const chemical = type === 'chemical-recycling';
    const inputs = this.inputsFrom(batchId, 'feedstock-at-recycler', chemical ? 3 : 4);
    const composition = this.compositionOf(inputs);
    const outputs: OutputPlan[] = [{ grade: 'fibre', weight: this.rng.real(60, 80), composition }];
    if (!chemical && this.rng.chance(0.3)) outputs.push({ grade: 'fibre', weight: this.rng.real(10, 30), composition });
    if (this.rng.chance(0.5)) outputs.push({ grade: 'residual', weight: this.rng.real(2, 10), composition: UNKNOWN_COMPOSITION, ewcCode: '04 02 22' });
    this.runProcess(batchId, inputs, {
      processType: chemical ? 'chemical-recycling' : 'mechanical-recycling',
      outputs,
      losses: [
        { kind: 'process-waste', weight: this.rng.real(2, 10) },
        ...(this.rng.chance(0.5) ? [{ kind: 'moisture-dust' as const, weight: this.rng.real(0.5, 2) }] : []),
        ...(this.rng.chance(0.1) ? [{ kind: 'unknown' as const, weight: this.rng.real(0.1, 1) }] : []),
      ],
      externalInputs: [],
    });
  }

  private virgin(inputGrams: number, min: number, max: number): ExternalInput {
    const fibre = this.rng.pick(['cotton', 'polyester', 'wool'] as const);
    return {
      description: `virgin ${fibre} staple fibre`,
      massGrams: Math.max(1, Math.round(inputGrams * this.rng.real(min, max))),
      composition: [{ fibre, share: 10_000 }],
      originClass: 'virgin',
    };
  }

  private manufacture(batchId: string, stage: 'linen-at-manufacturer' | 'fibre-at-manufacturer'): void {
    const inputs = this.inputsFrom(batchId, stage, 4);
    const inputGrams = this.inputMass(inputs);
    const externals: ExternalInput[] = [];
    if (this.rng.chance(this.mix.virginInputRate)) externals.push(this.virgin(inputGrams, 0.05, 0.4));
    if (this.rng.chance(0.5)) {
      externals.push({
        description: this.rng.pick(['sewing thread', 'filling', 'labels and trims']),
        massGrams: Math.max(1, Math.round(inputGrams * this.rng.real(0.005, 0.03))),
        composition: [{ fibre: 'polyester', share: 10_000 }],
        originClass: 'untracked',
      });
    }
    const composition = this.compositionOf(inputs, externals);
    // Hospital linen becomes pillows and bags (the CØ59 chain); fibre becomes anything on the list.
    const catalogue = stage === 'linen-at-manufacturer' ? PRODUCTS.filter(([p]) => p === 'pillow' || p === 'tote bag' || p === 'cleaning cloth') : PRODUCTS;
    const outputs: OutputPlan[] = Array.from({ length: this.rng.int(1, 3) }, () => ({
      grade: 'product' as const,
      weight: this.rng.real(20, 40),
      composition,
      product: this.rng.pick(catalogue),
    }));
    if (this.rng.chance(0.4)) outputs.push({ grade: 'residual', weight: this.rng.real(2, 10), composition, ewcCode: '04 02 22' });
    this.runProcess(batchId, inputs, {
      processType: 'manufacturing',
      outputs,
      losses: [{ kind: 'process-waste', weight: this.rng.real(2, 10) }],
      externalInputs: externals,
    });
  }

  /**
   * Decides a process with decideStartProcess and records it exactly as the process manager does:
   * ProcessStarted, BatchConsumed per input, BatchProduced per output, ProcessCompleted. Some are
   * rejected instead (an input changes between the intent and its consumption, so the consumed ones
   * are reverted) and some stop part-way, as a crash before recovery leaves them.
   */
  private runProcess(anchorId: string, inputIds: readonly string[], plan: ProcessPlan, alwaysCompletes = false): ProcessStarted | undefined {
    const organisation = this.org(this.entry(anchorId).state.custodianOrgId);
    const inGrams = this.inputMass(inputIds) + plan.externalInputs.reduce((s, x) => s + x.massGrams, 0);
    const items = splitGrams(inGrams, [...plan.outputs.map((o) => o.weight), ...plan.losses.map((l) => l.weight)]);
    let outputs = plan.outputs.map((o, i) => ({ plan: o, grams: items[i]! })).filter((o) => o.grams > 0);
    const losses = plan.losses.map((l, i) => ({ kind: l.kind, massGrams: items[plan.outputs.length + i]! })).filter((l) => l.massGrams > 0);
    if (outputs.length === 0) {
      // Every gram went to losses (a tiny batch): keep one output of the first kind planned.
      const first = plan.outputs[0]!;
      const loss = losses.pop();
      outputs = [{ plan: first, grams: loss?.massGrams ?? inGrams }];
    }
    // Exactly `batches` batches in all: trim the outputs to what is left, folding extra grams into
    // the last output kept.
    const budget = this.target - this.created - this.reserved;
    if (outputs.length > budget) {
      const dropped = outputs.slice(budget).reduce((s, o) => s + o.grams, 0);
      outputs = outputs.slice(0, budget);
      const last = outputs[outputs.length - 1]!;
      outputs[outputs.length - 1] = { plan: last.plan, grams: last.grams + dropped };
    }

    const processId = this.newId('process');
    const raw: RecordProcess = {
      processId,
      processType: plan.processType,
      inputs: inputIds.map((batchId) => ({ batchId })),
      externalInputs: [...plan.externalInputs],
      outputs: outputs.map(({ plan: o, grams }) => ({
        batchId: this.newId('batch'),
        massGrams: grams,
        grade: o.grade,
        composition: o.composition,
        ...(o.product ? { productType: o.product[0], application: o.product[1] } : {}),
        ...(o.ewcCode ? { ewcCode: o.ewcCode } : {}),
      })),
      losses,
      occurredAt: this.now(),
    };
    const command = this.validate ? RecordProcess.parse(raw) : raw;
    const loaded = new Map<string, LoadedInput>(inputIds.map((id) => [id, { state: this.entry(id).state, revision: this.entry(id).revision }]));
    const intent = decideStartProcess(loaded, new Set(), command, this.ctx(organisation));
    const started = intent.data;
    const meta = this.commandMeta(organisation.organisationId);
    this.emit(streamIds.process(processId), intent, processStepEventId(processId, 'started', 0), meta);
    if (started.externalInputs.some((x) => x.originClass === 'virgin')) this.stats.withVirginInput += 1;
    if (started.externalInputs.some((x) => x.originClass === 'untracked')) this.stats.withUntrackedInput += 1;

    const mode = alwaysCompletes
      ? 'complete'
      : this.rng.weighted([
          ['reject', this.mix.rejectRate],
          ['unfinished', this.mix.unfinishedRate],
          ['complete', Math.max(0, 1 - this.mix.rejectRate - this.mix.unfinishedRate)],
        ] as const);
    if (mode === 'reject') {
      this.rejectProcess(started, organisation, meta);
      return undefined;
    }

    const consumeCount = mode === 'unfinished' ? this.rng.int(0, started.inputs.length) : started.inputs.length;
    for (let index = 0; index < consumeCount; index++) this.consume(started, index, meta);
    const produceCount = mode === 'complete' || consumeCount === started.inputs.length ? (mode === 'unfinished' ? this.rng.int(0, started.outputs.length) : started.outputs.length) : 0;
    for (let index = 0; index < produceCount; index++) this.produce(started, index, meta, mode === 'unfinished');
    if (mode === 'unfinished') {
      this.interrupted(started, meta, started.outputs.length - produceCount);
      return undefined;
    }
    this.complete(started, meta);
    return started;
  }

  private complete(started: ProcessStarted, meta: EventMetadata): void {
    const { processId } = started;
    this.emit(streamIds.process(processId), { type: 'ProcessCompleted', data: { processId } }, processStepEventId(processId, 'completed', 0), meta);
    this.stats.completed[started.processType] = (this.stats.completed[started.processType] ?? 0) + 1;
    this.revisions.delete(streamIds.process(processId));
    for (const input of started.inputs) this.forget(input.batchId);
  }

  /**
   * Drops what the generator holds for a batch that no command can touch any more: consumed by a
   * completed process, or closed by an outcome. So memory follows the open inventory, not the
   * history's length (a 10M-event history does not fit in V8's default heap otherwise). A batch that
   * a pending recovery will still check is kept until then.
   */
  private forget(batchId: string): void {
    if (this.recoveries.some((r) => r.started.inputs.some((input) => input.batchId === batchId))) return;
    this.batches.delete(batchId);
    this.revisions.delete(streamIds.batch(batchId));
  }

  /** A crash after some steps: recovery picks the process up later, or the history ends first. */
  private interrupted(started: ProcessStarted, meta: EventMetadata, outputsLeft: number): void {
    this.stats.unfinished += 1;
    if (!this.rng.chance(this.mix.recoveryRate)) return;
    const recovery: PendingRecovery = { due: this.step + this.rng.int(1, 3_000), started, meta, reserved: outputsLeft };
    this.reserved += outputsLeft;
    const at = this.recoveries.findIndex((r) => r.due > recovery.due);
    this.recoveries.splice(at === -1 ? this.recoveries.length : at, 0, recovery);
  }

  /**
   * What the process manager's resume does: the same ids (actor, command and correlation of the
   * intent, caused by the intent event) and the same steps, skipping those already recorded. An
   * input used by someone else meanwhile fails its consumption check, so the consumptions already
   * made are reverted and the process rejected.
   */
  private recover(recovery: PendingRecovery): void {
    const { started } = recovery;
    const meta: EventMetadata = { ...recovery.meta, causationId: processStepEventId(started.processId, 'started', 0) };
    this.reserved -= recovery.reserved;
    this.stats.unfinished -= 1;
    const consumed: number[] = [];
    for (const [index, input] of started.inputs.entries()) {
      const check = checkConsumption(this.entry(input.batchId).state, input, started.processId, started.organisationId);
      if (check.kind === 'already-consumed') {
        consumed.push(index);
        continue;
      }
      if (check.kind === 'reject') {
        this.rejectAndRevert(started, consumed, check.reason, input.batchId, meta);
        this.stats.recoveredRejected += 1;
        return;
      }
      this.consume(started, index, meta);
      consumed.push(index);
    }
    started.outputs.forEach((output, index) => {
      const existing = this.batches.get(output.batchId);
      if (!existing) {
        this.produce(started, index, meta, false);
        return;
      }
      // Produced before the crash: it counts, and can be used, from the completion on.
      existing.frozen = false;
      this.reclassify(output.batchId, existing);
    });
    this.complete(started, meta);
    this.stats.recoveredCompleted += 1;
  }

  /** As the process manager does (decision 002): ProcessRejected first, so no driver can still complete it, then the reverts. */
  private rejectAndRevert(started: ProcessStarted, consumed: readonly number[], reason: string, batchId: string, meta: EventMetadata): void {
    this.emit(
      streamIds.process(started.processId),
      { type: 'ProcessRejected', data: { processId: started.processId, reason, batchId } },
      processStepEventId(started.processId, 'rejected', 0),
      meta,
    );
    for (const index of consumed) {
      const input = started.inputs[index]!;
      this.emitBatch(
        input.batchId,
        [{ type: 'BatchConsumptionReverted', data: { batchId: input.batchId, processId: started.processId } }],
        meta,
        [processStepEventId(started.processId, 'reverted', index)],
        'any',
      );
    }
  }

  private consume(started: ProcessStarted, index: number, meta: EventMetadata): void {
    const input = started.inputs[index]!;
    const entry = this.entry(input.batchId);
    const check = checkConsumption(entry.state, input, started.processId, started.organisationId);
    if (check.kind !== 'consume') throw new Error(`input ${input.batchId} of process ${started.processId} cannot be consumed: ${JSON.stringify(check)}`);
    this.emitBatch(
      input.batchId,
      [{ type: 'BatchConsumed', data: { batchId: input.batchId, processId: started.processId, massGrams: input.massGrams } }],
      meta,
      [processStepEventId(started.processId, 'consumed', index)],
    );
  }

  private produce(started: ProcessStarted, index: number, meta: EventMetadata, frozen: boolean): void {
    const output = started.outputs[index]!;
    // Built field by field as the process manager builds it, so the stored JSON is the same.
    const data = {
      batchId: output.batchId,
      processId: started.processId,
      processType: started.processType,
      organisationId: started.organisationId,
      massGrams: output.massGrams,
      grade: output.grade,
      composition: output.composition,
      ...(output.productType !== undefined ? { productType: output.productType } : {}),
      ...(output.application !== undefined ? { application: output.application } : {}),
      ...(output.ewcCode !== undefined ? { ewcCode: output.ewcCode } : {}),
      parents: output.parents,
      occurredAt: started.occurredAt,
    };
    if (this.batches.has(output.batchId)) throw new Error(`output ${output.batchId} already exists`);
    const eventId = processStepEventId(started.processId, 'produced', index);
    const event: DomainEvent = { type: 'BatchProduced', data };
    this.emit(streamIds.batch(output.batchId), event, eventId, meta);
    const state = evolveBatch(undefined, event, { eventId });
    if (!state) throw new Error(`BatchProduced left ${output.batchId} without state`);
    // An output of an unfinished process is frozen before it could enter a pool.
    const entry: BatchEntry = { state, revision: 0, frozen, repairs: 0, pools: [] };
    this.batches.set(output.batchId, entry);
    this.reclassify(output.batchId, entry);
    this.created += 1;
    this.stats.produced += 1;
  }

  /**
   * Another command of the same organisation changes input j after the intent was recorded (a
   * mass correction, or a dispatch): the process manager consumes the inputs before j, finds j
   * changed, reverts those consumptions and rejects the process.
   */
  private rejectProcess(started: ProcessStarted, organisation: ScenarioOrganisation, meta: EventMetadata): void {
    const j = this.rng.int(0, started.inputs.length - 1);
    const culprit = started.inputs[j]!;
    if (this.rng.chance(0.5)) this.correctMass(culprit.batchId, organisation);
    else {
      const kind = this.rng.pick(['sorter', 'recycler', 'manufacturer'] as const);
      const before = this.entry(culprit.batchId).state.status;
      this.dispatch(culprit.batchId, kind);
      // dispatch() skips when no other organisation of that kind exists; fall back to a correction.
      if (this.entry(culprit.batchId).state.status === before) this.correctMass(culprit.batchId, organisation);
    }
    for (let index = 0; index < j; index++) this.consume(started, index, meta);
    const check = checkConsumption(this.entry(culprit.batchId).state, culprit, started.processId, started.organisationId);
    if (check.kind !== 'reject') throw new Error(`input ${culprit.batchId} of process ${started.processId} was changed but still passes the consumption check`);
    this.rejectAndRevert(started, Array.from({ length: j }, (_, i) => i), check.reason, culprit.batchId, meta);
    this.stats.rejected += 1;
  }

  // ---- the deep product --------------------------------------------------------------------

  /**
   * Builds the DeepProduct through the same commands as the rest of the history: the integrated
   * collector-sorter collects and sorts, sends each recycling fraction to one recycler, which
   * recycles them a few at a time into fibre lots and sends those to one manufacturer, which spins
   * them all into one lot of yarn. Every process completes (none is rejected or interrupted), so
   * the lineage is whole; sibling outputs (reuse, residual) join the history like any others.
   */
  private makeDeepProduct(ancestors: number): DeepProduct {
    const fractionsPerFibreLot = 4;
    const fibreLots = Math.round(ancestors / (1 + 2 * fractionsPerFibreLot));
    if (!Number.isInteger(ancestors) || fibreLots < 1 || fibreLots > MAX_PROCESS_ITEMS) {
      throw new RangeError(`deepProductAncestors must be a whole number from ${1 + 2 * fractionsPerFibreLot} to about ${MAX_PROCESS_ITEMS * (1 + 2 * fractionsPerFibreLot)}, got ${ancestors}`);
    }
    if (this.target < 3 * ancestors) throw new RangeError(`a deep product of ${ancestors} ancestors needs at least ${3 * ancestors} batches, got ${this.target}`);
    const sorter = this.orgsOf('sorter').find((o) => o.roles.includes('collector'));
    const recycler = this.orgsOf('recycler')[0];
    const manufacturer = this.orgsOf('manufacturer')[0];
    if (!sorter || !recycler || !manufacturer) throw new Error('a deep product needs a collector-sorter, a recycler and a manufacturer');
    const outputOf = (started: ProcessStarted | undefined, grade: Grade): string => {
      const output = started?.outputs.find((o) => o.grade === grade);
      if (!output) throw new Error(`a process of the deep product has no ${grade} output`);
      return output.batchId;
    };
    const handOver = (batchId: string, to: ScenarioOrganisation): void => {
      this.tick();
      this.dispatch(batchId, to.kind, to);
      this.tick();
      this.receive(batchId);
    };

    const fibres: string[] = [];
    for (let lot = 0; lot < fibreLots; lot++) {
      const fractions: string[] = [];
      for (let f = 0; f < fractionsPerFibreLot; f++) {
        this.tick();
        const collected = this.collect(sorter);
        this.tick();
        const sorted = this.runProcess(
          collected,
          [collected],
          {
            processType: 'sorting',
            outputs: [
              { grade: 'reuse', weight: this.rng.real(15, 30), composition: this.randomComposition() },
              { grade: 'recycling', weight: this.rng.real(15, 30), composition: this.randomComposition() },
              { grade: 'residual', weight: this.rng.real(3, 15), composition: UNKNOWN_COMPOSITION, ewcCode: '19 12 08' },
            ],
            losses: [{ kind: 'moisture-dust', weight: this.rng.real(0.3, 1.5) }],
            externalInputs: [],
          },
          true,
        );
        const fraction = outputOf(sorted, 'recycling');
        handOver(fraction, recycler);
        fractions.push(fraction);
      }
      this.tick();
      const recycled = this.runProcess(
        fractions[0]!,
        fractions,
        {
          processType: 'mechanical-recycling',
          outputs: [
            { grade: 'fibre', weight: this.rng.real(60, 80), composition: this.compositionOf(fractions) },
            { grade: 'residual', weight: this.rng.real(2, 10), composition: UNKNOWN_COMPOSITION, ewcCode: '04 02 22' },
          ],
          losses: [{ kind: 'process-waste', weight: this.rng.real(2, 10) }],
          externalInputs: [],
        },
        true,
      );
      const fibre = outputOf(recycled, 'fibre');
      handOver(fibre, manufacturer);
      fibres.push(fibre);
    }
    this.tick();
    const spun = this.runProcess(
      fibres[0]!,
      fibres,
      {
        processType: 'manufacturing',
        outputs: [{ grade: 'product', weight: 1, composition: this.compositionOf(fibres), product: ['yarn', 'textile'] }],
        losses: [{ kind: 'process-waste', weight: this.rng.real(0.02, 0.1) }],
        externalInputs: [],
      },
      true,
    );
    return { batchId: outputOf(spun, 'product'), ancestors: fibreLots * (1 + 2 * fractionsPerFibreLot), fibreLots, fractionsPerFibreLot };
  }

  // ---- results ---------------------------------------------------------------------------

  finalStats(): ScenarioStats {
    const s = this.stats;
    return {
      organisations: this.organisations.length,
      batches: this.created,
      originBatches: { collected: s.collected, preConsumer: s.preConsumer, postConsumerBusiness: s.postConsumerBusiness },
      producedBatches: s.produced,
      events: this.emitted,
      eventsByType: sortedRecord(s.eventsByType),
      processes: {
        completed: sortedRecord(s.completed),
        rejected: s.rejected,
        recovered: { completed: s.recoveredCompleted, rejected: s.recoveredRejected },
        unfinished: s.unfinished,
        withVirginInput: s.withVirginInput,
        withUntrackedInput: s.withUntrackedInput,
      },
      transfers: { dispatched: s.dispatched, received: s.received, cancelled: s.cancelled, anomalies: s.anomalies },
      outcomes: sortedRecord(s.outcomes),
      corrections: { origin: s.originCorrections, weighed: s.weighedCorrections },
      kommuner: this.kommunerCollected.size,
      months: this.monthsCollected.size,
      originGrams: this.originGrams,
      firstOccurredAt: this.firstOccurredAt,
      lastOccurredAt: this.lastOccurredAt,
    };
  }
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Fibres in the fixed list's order, so equal compositions serialise identically. */
function canonicalComposition(shares: Composition): Composition {
  return [...shares].sort((a, b) => FIBRES.indexOf(a.fibre) - FIBRES.indexOf(b.fibre));
}

/** The mass-weighted composition of a mix, in basis points summing to exactly 10,000. */
export function mixCompositions(parts: ReadonlyArray<{ composition: Composition; grams: number }>): Composition {
  const weights = new Map<Fibre, number>();
  for (const { composition, grams } of parts) {
    for (const { fibre, share } of composition) weights.set(fibre, (weights.get(fibre) ?? 0) + grams * share);
  }
  const fibres = FIBRES.filter((f) => (weights.get(f) ?? 0) > 0);
  if (fibres.length === 0) return UNKNOWN_COMPOSITION;
  const shares = splitGrams(10_000, fibres.map((f) => weights.get(f)!));
  const out = fibres.map((fibre, i) => ({ fibre, share: shares[i]! })).filter((s) => s.share > 0);
  return out.length > 0 ? out : UNKNOWN_COMPOSITION;
}

/**
 * Generates a valid ledger history: organisations first, then collections, residual
 * registrations, transfers, processes, outcomes and corrections interleaved over `months`, in an
 * order the ledger could have appended them. Deterministic in its options.
 */
export function generateScenario(options: ScenarioOptions): Scenario {
  return new ScenarioGenerator(options).run();
}

/**
 * The same history as generateScenario, handed out a part at a time, for ledgers too large to hold
 * in memory as one array of events (the scale bench's 10M events). The parts joined are exactly
 * generateScenario's events for the same options; every part ends between two commands, so a
 * multi-event append is never split. What the generator keeps per batch and stream stays in memory.
 */
export class ScenarioStream {
  private readonly generator: ScenarioGenerator;

  constructor(readonly options: ScenarioOptions) {
    this.generator = new ScenarioGenerator(options);
    this.generator.begin();
  }

  /** The organisations registered so far: the operator and most others come first, municipalities also join during the history. */
  get organisations(): readonly ScenarioOrganisation[] {
    return this.generator.organisationList;
  }

  get deepProduct(): DeepProduct | undefined {
    return this.generator.deep;
  }

  /** The next events, at least `minEvents` of them unless the history ends first; undefined once it has ended and all were taken. */
  next(minEvents: number): ScenarioEvent[] | undefined {
    this.generator.advance(minEvents);
    const part = this.generator.take();
    return part.length > 0 ? part : undefined;
  }

  /** The history's figures so far (all of it once next() returned undefined). */
  stats(): ScenarioStats {
    return this.generator.finalStats();
  }
}
