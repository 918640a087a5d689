/**
 * The long concurrent import the crash harness drives over HTTP: organisations, collections (single
 * and bulk), business residuals, custody transfers, sorting, recycling and manufacturing processes,
 * and outcomes. Several pipelines run at once; each retries every request until it gets an answer,
 * exactly as a real client would: same body, same Idempotency-Key, same client-supplied ids.
 *
 * Every command is recorded with the command id the ledger derives for it and the events it must
 * leave in the log (crash-harness.checks.ts), and whether it was acknowledged (2xx received before
 * the kill), refused, or is still unanswered.
 */
import { deterministicId } from '#domain';
import { Prng } from '#scenarios';
import { v7 as uuidv7 } from 'uuid';
import type { Answer, CheckedCommand, Expectation } from './crash-harness.checks.js';
import { delay } from './crash-harness.server.js';

/** Closed while the server is down and while the harness checks; requests wait at it. */
export class Gate {
  private opened: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  get isOpen(): boolean {
    return this.release === undefined;
  }

  close(): void {
    if (this.release) return;
    this.opened = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  wait(): Promise<void> {
    return this.opened;
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The instance that answered (its index in the InstancePool). */
  readonly instance: number;
  /**
   * The log position a write's answer names in a header, when the ledger sends one: a read on another
   * instance passes it back as Ledger-Min-Position, so that instance answers once its read models include it.
   */
  readonly position?: string | undefined;
  /** The write answered before the read models of its instance included it (`Ledger-Read-Models: behind`). */
  readonly readModelsBehind?: boolean;
}

/**
 * The ledger's server processes, as a load balancer sees them: requests go round-robin to the ones
 * that are up; the harness marks one down just before it kills it and up again once it is healthy.
 * With one instance nothing is ever marked down: the Gate holds the clients while it is dead.
 */
export class InstancePool {
  private readonly up: boolean[];
  private readonly killCounts: number[];
  private readonly attemptsInFlight: number[];
  private next = 0;

  constructor(readonly urls: readonly string[]) {
    if (urls.length === 0) throw new Error('crash harness: no instance to send requests to');
    this.up = urls.map(() => true);
    this.killCounts = urls.map(() => 0);
    this.attemptsInFlight = urls.map(() => 0);
  }

  /** Attempts sent to this instance and not yet answered. */
  inFlight(index: number): number {
    return this.attemptsInFlight[index]!;
  }

  began(index: number): void {
    this.attemptsInFlight[index]! += 1;
  }

  ended(index: number): void {
    this.attemptsInFlight[index]! -= 1;
  }

  get size(): number {
    return this.urls.length;
  }

  /** The next instance that is up, round-robin; another one than `avoid` when there is one. */
  pick(avoid?: number): number {
    for (let tries = 0; tries < 2 * this.size; tries += 1) {
      const index = this.next % this.size;
      this.next += 1;
      if (this.up[index] && (index !== avoid || tries >= this.size)) return index;
    }
    // Every instance is down (only ever with one, whose requests wait at the gate anyway).
    return avoid ?? 0;
  }

  markDown(index: number): void {
    this.up[index] = false;
    this.killCounts[index]! += 1;
  }

  markUp(index: number): void {
    this.up[index] = true;
  }

  isUp(index: number): boolean {
    return this.up[index]!;
  }

  /** How often this instance was marked down: a change during an attempt explains its network error. */
  kills(index: number): number {
    return this.killCounts[index]!;
  }
}

export interface ClientStats {
  /** Logical requests (one per command, one per bulk request). */
  requests: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  /** Requests that needed more than one attempt. */
  retriedRequests: number;
  /** Attempts that failed at the network level (the kill, mostly). */
  networkErrors: number;
  /** Network errors while the gate was open, i.e. not explained by a kill. */
  unexplainedNetworkErrors: number;
  /** 5xx answers (retried; each one is reported). */
  serverErrors: number;
  /** Requests retried on another instance than the one their previous attempt died on. */
  retriedElsewhere: number;
  /**
   * "Retry later" answers, retried: 409 `idempotency-key-in-flight` (the key's first request is still
   * claimed, e.g. by an instance that died with it, until its lease runs out) and 503 with
   * Retry-After (a read's Ledger-Min-Position not reached yet on that instance).
   */
  retryLaterAnswers: number;
  /** Answers the ledger replayed from its idempotency record (`Idempotent-Replayed`). */
  replayedAnswers: number;
}

/**
 * How long a request keeps retrying "retry later" answers before the harness reports it: an orphaned
 * Idempotency-Key claim is taken over after its lease (30 s), plus the server's own 10 s wait.
 */
const RETRY_LATER_LIMIT_MS = 120_000;

export type CommandKind = 'register-organisation' | 'collect' | 'collect-bulk-item' | 'register-residual' | 'dispatch' | 'receive' | 'outcome' | 'process';

export interface CommandRecord extends CheckedCommand {
  readonly kind: CommandKind;
  answer: Answer;
  refusalCode?: string | undefined;
  refusalProcessStatus?: string | undefined;
  /** The problem body of a refusal, for the report. */
  refusalDetail?: string | undefined;
}

/** One HTTP request as sent, kept so that the harness can send it again after a restart. */
export interface SentRequest {
  readonly path: string;
  readonly apiKey: string;
  readonly idempotencyKey: string;
  readonly body: unknown;
  readonly commands: readonly CommandRecord[];
  answer?: HttpAnswer;
}

/** Thrown to a pipeline when the harness ends the run early (a failed check). */
export class WorkloadAborted extends Error {}

/** Retries every request until it gets an answer: same body, same Idempotency-Key. */
export class LedgerHttpClient {
  /** Attempts sent and not yet answered (the harness waits for none before it checks). */
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly instances: InstancePool,
    private readonly gate: Gate,
    readonly stats: ClientStats,
    private readonly onServerError: (message: string) => void,
    private readonly aborted: () => boolean = () => false,
  ) {}

  get inFlight(): number {
    return this.pending;
  }

  /** Resolves once no attempt is in flight (requests waiting at a closed gate are not). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async post(path: string, apiKey: string, idempotencyKey: string, body: unknown, options: { readonly instance?: number } = {}): Promise<HttpAnswer> {
    return this.request('POST', path, { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey }, JSON.stringify(body), `(Idempotency-Key ${idempotencyKey})`, options);
  }

  /** A read, on another instance than `avoid` when one is up (reading where one did not write). */
  async get(path: string, apiKey: string, options: { readonly avoid?: number; readonly minPosition?: string | undefined } = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
    if (options.minPosition !== undefined) headers['ledger-min-position'] = options.minPosition;
    return this.request('GET', path, headers, undefined, '', options.avoid !== undefined ? { avoid: options.avoid } : {});
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    what: string,
    options: { readonly instance?: number; readonly avoid?: number },
  ): Promise<HttpAnswer> {
    this.stats.requests += 1;
    let previous: number | undefined;
    let diedOn: number | undefined;
    let retryingSince: number | undefined;
    for (let attempt = 1; ; attempt += 1) {
      await this.gate.wait();
      if (this.aborted()) throw new WorkloadAborted('the crash harness ended the run');
      // A resend names its instance; a retry after a network error goes elsewhere, as a load balancer would send it.
      const instance = options.instance ?? this.instances.pick(diedOn ?? options.avoid);
      const killsBefore = this.instances.kills(instance);
      this.stats.attempts += 1;
      if (attempt === 2) this.stats.retriedRequests += 1;
      if (diedOn !== undefined && instance !== diedOn && previous === diedOn) this.stats.retriedElsewhere += 1;
      previous = instance;
      diedOn = undefined;
      this.pending += 1;
      this.instances.began(instance);
      try {
        const response = await fetch(`${this.instances.urls[instance]}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(60_000) });
        const text = await response.text();
        const parsed: unknown = text === '' ? null : JSON.parse(text);
        if (retryLater(response, parsed)) {
          this.stats.retryLaterAnswers += 1;
          retryingSince ??= Date.now();
          if (Date.now() - retryingSince <= RETRY_LATER_LIMIT_MS) {
            await delay(250);
            continue;
          }
          this.onServerError(`${method} ${path} ${what} on instance ${instance} still answered ${response.status} after ${RETRY_LATER_LIMIT_MS} ms of retries: ${text.slice(0, 300)}`);
        } else if (response.status >= 500) {
          this.stats.serverErrors += 1;
          this.onServerError(`${method} ${path} ${what} on instance ${instance} answered ${response.status}: ${text.slice(0, 300)}`);
          await delay(100);
          continue;
        }
        if (response.headers.get('idempotent-replayed') === 'true') this.stats.replayedAnswers += 1;
        return {
          status: response.status,
          body: parsed,
          instance,
          position: response.headers.get(LEDGER_POSITION_HEADER) ?? undefined,
          readModelsBehind: response.headers.get('ledger-read-models') === 'behind',
        };
      } catch {
        this.stats.networkErrors += 1;
        // Explained: the gate is closed (the only server is dead), or this instance was killed meanwhile.
        if (this.gate.isOpen && this.instances.isUp(instance) && this.instances.kills(instance) === killsBefore) this.stats.unexplainedNetworkErrors += 1;
        diedOn = instance;
        await delay(20);
      } finally {
        this.instances.ended(instance);
        this.pending -= 1;
        if (this.pending === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      }
    }
  }
}

/** The header in which a write's answer names its log position (read-your-writes across instances, decision 024). */
const LEDGER_POSITION_HEADER = 'ledger-position';

/** An answer that asks to be retried later rather than refusing the request. */
function retryLater(response: Response, body: unknown): boolean {
  if (response.status === 409) return field(body, 'code') === 'idempotency-key-in-flight';
  return response.status === 503 && response.headers.has('retry-after');
}

export interface Organisation {
  readonly id: string;
  readonly key: string;
  readonly name: string;
}

interface Holding {
  readonly batchId: string;
  readonly massGrams: number;
}

const MUNICIPALITIES = [
  { name: 'Herning Kommune', kommuneCode: '0657' },
  { name: 'Ikast-Brande Kommune', kommuneCode: '0756' },
  { name: 'Holstebro Kommune', kommuneCode: '0661' },
] as const;

const COTTON = [{ fibre: 'cotton', share: 10_000 }];
const MIXED = [
  { fibre: 'cotton', share: 6_000 },
  { fibre: 'polyester', share: 4_000 },
];
const UNKNOWN = [{ fibre: 'unknown', share: 10_000 }];

export interface WorkloadOptions {
  readonly seed: number;
  readonly instances: InstancePool;
  readonly operatorKey: string;
  readonly gate: Gate;
  /** The number of kills so far; dates each client failure for the report. */
  readonly epoch: () => number;
}

/** A read on another instance that did not show the write acknowledged before it. */
export interface StaleRead {
  readonly message: string;
  readonly epoch: number;
  readonly batchId: string;
}

/** Something that went wrong on the client side: an unexpected refusal, a contest won twice. */
export interface WorkloadFailure {
  readonly message: string;
  readonly epoch: number;
}

export class CrashWorkload {
  readonly commands: CommandRecord[] = [];
  readonly requests: SentRequest[] = [];
  readonly failures: WorkloadFailure[] = [];
  readonly serverErrors: string[] = [];
  readonly stats: ClientStats = { requests: 0, attempts: 0, retriedRequests: 0, networkErrors: 0, unexplainedNetworkErrors: 0, serverErrors: 0, retriedElsewhere: 0, retryLaterAnswers: 0, replayedAnswers: 0 };
  /**
   * With several instances: reads, each on another instance than the one that acknowledged the write
   * just before, that must already show that write (read-your-writes across instances).
   */
  readonly readsAcross = { sent: 0, withMinPosition: 0 };
  /** Reads that did not show the write acknowledged just before (taken by the harness at each check). */
  readonly staleReads: StaleRead[] = [];
  /** Contested processes (two processes racing for one input): how many, and how they ended. */
  readonly contests = { held: 0, lostBeforeStart: 0, lostByRejection: 0 };
  /** Registrations whose first answer died with the server: the retry answers without the API key. */
  registrationsWithLostKey = 0;

  readonly client: LedgerHttpClient;
  private organisations: { operator: Organisation; municipalities: Array<Organisation & { kommuneCode: string }>; sorter: Organisation; recycler: Organisation; manufacturer: Organisation } | undefined;
  private stopping = false;
  private aborted = false;
  private seq = 0;

  constructor(private readonly options: WorkloadOptions) {
    this.client = new LedgerHttpClient(options.instances, options.gate, this.stats, (message) => this.serverErrors.push(message), () => this.aborted);
  }

  /** Registers the organisations the pipelines act as (their keys are needed, so before any kill). */
  async setup(): Promise<void> {
    const operator: Organisation = { id: deterministicId('organisation/operator'), key: this.options.operatorKey, name: 'Ledger operator' };
    const register = async (name: string, roles: string[], kommuneCode?: string): Promise<Organisation> => {
      const registered = await this.registerOrganisation(operator, name, roles, kommuneCode);
      if (!registered) throw new Error(`crash harness: registering ${name} failed; see the failures`);
      return registered;
    };
    const municipalities: Array<Organisation & { kommuneCode: string }> = [];
    for (const m of MUNICIPALITIES) municipalities.push({ ...(await register(m.name, ['municipality'], m.kommuneCode)), kommuneCode: m.kommuneCode });
    this.organisations = {
      operator,
      municipalities,
      sorter: await register('Herning Sortering', ['sorter', 'collector']),
      recycler: await register('Fibre Loop', ['recycler']),
      manufacturer: await register('Puder & Poser', ['manufacturer']),
    };
  }

  /** Runs `pipelines` concurrent client loops until stop(); each ends after its current step. */
  run(pipelines: number): Promise<void> {
    const one = (i: number) =>
      this.pipeline(i).catch((error: unknown) => {
        if (!(error instanceof WorkloadAborted)) this.fail(`pipeline ${i} stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      });
    return Promise.all(Array.from({ length: pipelines }, (_, i) => one(i))).then(() => undefined);
  }

  stop(): void {
    this.stopping = true;
  }

  /** Ends the run now: every request still waiting or retrying gives up. */
  abort(): void {
    this.stopping = true;
    this.aborted = true;
  }

  private get orgs() {
    if (!this.organisations) throw new Error('crash harness: setup() first');
    return this.organisations;
  }

  private nextKey(prefix: string): string {
    this.seq += 1;
    return `crash-${this.options.seed}-${prefix}-${this.seq}`;
  }

  private fail(message: string): void {
    this.failures.push({ message, epoch: this.options.epoch() });
  }

  /** Sends one request carrying the given commands and records each command's answer. */
  private async send(path: string, actor: Organisation, idempotencyKey: string, body: unknown, commands: Array<Omit<CommandRecord, 'answer' | 'commandId'> & { commandId?: string }>): Promise<{ answer: HttpAnswer; records: CommandRecord[] }> {
    const commandId = deterministicId(`idempotency/${actor.id}/${idempotencyKey}`);
    const records: CommandRecord[] = commands.map((c) => ({ ...c, commandId: c.commandId ?? commandId, answer: 'pending' as Answer }));
    for (const record of records) this.commands.push(record);
    const request: SentRequest = { path, apiKey: actor.key, idempotencyKey, body, commands: records };
    this.requests.push(request);
    const answer = await this.client.post(path, actor.key, idempotencyKey, body);
    request.answer = answer;
    const items = path.endsWith('/bulk') ? bulkItems(answer) : undefined;
    records.forEach((record, index) => {
      const status = items ? (items[index]?.status ?? answer.status) : answer.status;
      const problem = items ? items[index]?.problem : answer.body;
      if (status >= 200 && status < 300) {
        record.answer = 'acknowledged';
      } else {
        record.answer = 'refused';
        record.refusalCode = problemCode(problem) ?? `http-${status}`;
        const processStatus = field(problem, 'processStatus');
        if (typeof processStatus === 'string') record.refusalProcessStatus = processStatus;
        record.refusalDetail = JSON.stringify(problem).slice(0, 400);
      }
    });
    return { answer, records };
  }

  private async registerOrganisation(operator: Organisation, name: string, roles: string[], kommuneCode?: string): Promise<Organisation | undefined> {
    const organisationId = uuidv7();
    const body = { organisationId, name, roles, ...(kommuneCode ? { kommuneCode } : {}) };
    const { answer, records } = await this.send('/organisations', operator, this.nextKey('org'), body, [
      {
        kind: 'register-organisation',
        label: `register organisation ${name} ${organisationId}`,
        expect: { shape: 'single', streamId: `organisation-${organisationId}`, types: ['OrganisationRegistered', 'ApiKeyIssued'] },
      },
    ]);
    if (records[0]!.answer !== 'acknowledged') {
      this.fail(`register organisation ${name}: refused ${answer.status} ${JSON.stringify(answer.body)}`);
      return undefined;
    }
    const key = field(answer.body, 'apiKey');
    if (typeof key !== 'string') {
      // Decision 004: a replayed registration omits the key, which exists only in the first answer.
      this.registrationsWithLostKey += 1;
      return undefined;
    }
    return { id: organisationId, key, name };
  }

  private async pipeline(index: number): Promise<void> {
    const prng = new Prng(this.options.seed * 1_000 + index + 1);
    const recyclerStock: Holding[] = [];
    const manufacturerResiduals: Holding[] = [];
    while (!this.stopping) {
      const municipality = prng.pick(this.orgs.municipalities);
      const collected = await this.collect(prng, municipality);
      for (const batch of collected) {
        if (this.stopping) return;
        const sorted = await this.sort(prng, batch);
        if (!sorted) continue;
        if (this.stopping) return;
        await this.outcome(this.orgs.sorter, sorted.reuse, { outcome: 'sold-for-reuse', market: 'domestic' }, 'BatchSoldForReuse');
        if (this.stopping) return;
        await this.outcome(this.orgs.sorter, sorted.residual, { outcome: 'incinerated', energyRecovery: true }, 'BatchIncinerated');
        if (this.stopping) return;
        // A small transit loss, and now and then one above tolerance (an anomaly, still recorded).
        const lost = prng.chance(0.05) ? Math.floor(sorted.recycling.massGrams * 0.03) : prng.int(0, Math.floor(sorted.recycling.massGrams / 200));
        const received = await this.transfer(this.orgs.sorter, this.orgs.recycler, sorted.recycling, lost);
        if (!received) continue;
        recyclerStock.push(received);
        if (recyclerStock.length < prng.int(2, 4)) continue;
        if (this.stopping) return;
        const fibre = await this.recycle(recyclerStock.splice(0));
        if (!fibre || this.stopping) continue;
        const delivered = await this.transfer(this.orgs.recycler, this.orgs.manufacturer, fibre, 0);
        if (!delivered || this.stopping) continue;
        const product = await this.manufacture(prng, [delivered, ...manufacturerResiduals.splice(0, 1)]);
        if (!product || this.stopping) continue;
        await this.outcome(this.orgs.manufacturer, product, { outcome: 'placed-on-market', market: 'domestic' }, 'ProductPlacedOnMarket');
      }
      if (this.stopping) return;
      if (prng.chance(0.3)) {
        const residual = await this.registerResidual(prng);
        if (residual) manufacturerResiduals.push(residual);
      }
      if (!this.stopping && prng.chance(0.05)) await this.registerOrganisation(this.orgs.operator, `Genbrug ${this.seq}`, ['collector']);
    }
  }

  private collectionBody(prng: Prng, municipality: { kommuneCode: string }) {
    return {
      batchId: uuidv7(),
      kommuneCode: municipality.kommuneCode,
      collectionScheme: prng.pick(['kerbside', 'bring-bank', 'recycling-centre', 'charity-shop'] as const),
      ewcCode: prng.pick(['20 01 10', '20 01 11'] as const),
      massGrams: prng.logInt(50_000, 800_000),
      collectorOrgId: this.orgs.sorter.id,
    };
  }

  /** Single collections, or one bulk import whose items are each their own command. */
  private async collect(prng: Prng, municipality: Organisation & { kommuneCode: string }): Promise<Holding[]> {
    const collected: Holding[] = [];
    if (prng.chance(0.4)) {
      const collections = Array.from({ length: prng.int(2, 8) }, () => this.collectionBody(prng, municipality));
      const key = this.nextKey('bulk');
      const bulkCommandId = deterministicId(`idempotency/${municipality.id}/${key}`);
      const { answer, records } = await this.send(
        '/batches/collections/bulk',
        municipality,
        key,
        { collections },
        collections.map((c, index) => ({
          kind: 'collect-bulk-item' as const,
          label: `bulk collection item ${index} batch ${c.batchId}`,
          commandId: deterministicId(`${bulkCommandId}/item/${index}`),
          expect: { shape: 'single', streamId: `batch-${c.batchId}`, types: ['BatchCollected'] } satisfies Expectation,
        })),
      );
      records.forEach((record, index) => {
        if (record.answer === 'acknowledged') collected.push({ batchId: collections[index]!.batchId, massGrams: collections[index]!.massGrams });
        else this.fail(`${record.label}: refused ${record.refusalDetail} (bulk answered ${answer.status})`);
      });
      return collected;
    }
    for (let i = prng.int(1, 3); i > 0 && !this.stopping; i -= 1) {
      const body = this.collectionBody(prng, municipality);
      const { answer, records } = await this.send('/batches/collections', municipality, this.nextKey('collect'), body, [
        { kind: 'collect', label: `collection batch ${body.batchId}`, expect: { shape: 'single', streamId: `batch-${body.batchId}`, types: ['BatchCollected'] } },
      ]);
      if (records[0]!.answer === 'acknowledged') {
        collected.push({ batchId: body.batchId, massGrams: body.massGrams });
        await this.readAcross(municipality, body.batchId, answer, 'its collected mass', (batch) => field(batch, 'massGrams') === body.massGrams);
      } else this.fail(`${records[0]!.label}: refused ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return collected;
  }

  /**
   * With several instances: reads the batch a write just changed on another instance than the one
   * that acknowledged it; the answer must already show the write. The write's position, if its answer
   * named one, goes along as Ledger-Min-Position.
   */
  private async readAcross(actor: Organisation, batchId: string, written: HttpAnswer, what: string, shows: (summary: unknown) => boolean): Promise<void> {
    if (this.options.instances.size < 2 || this.stopping) return;
    this.readsAcross.sent += 1;
    if (written.position !== undefined) this.readsAcross.withMinPosition += 1;
    const read = await this.client.get(`/batches/${batchId}`, actor.key, { avoid: written.instance, minPosition: written.position });
    if (read.status !== 200 || !shows(read.body)) {
      // What that instance said of itself right after: the read models' position it claims.
      const health = await fetch(`${this.options.instances.urls[read.instance]}/health`, { headers: { authorization: `Bearer ${this.options.operatorKey}` }, signal: AbortSignal.timeout(5_000) })
        .then(async (response) => JSON.stringify(await response.json()))
        .catch((error: unknown) => `unavailable (${String(error)})`);
      this.staleReads.push({
        message:
          `GET /batches/${batchId} on instance ${read.instance}, right after instance ${written.instance} acknowledged the write` +
          `${written.position !== undefined ? ` (Ledger-Position ${written.position}, sent back as Ledger-Min-Position)` : ' (no Ledger-Position)'}` +
          `${written.readModelsBehind ? ' with Ledger-Read-Models: behind' : ''}, answered ${read.status} without ${what}: ${JSON.stringify(read.body).slice(0, 200)}; ` +
          `its /health just after: ${health.slice(0, 300)}`,
        epoch: this.options.epoch(),
        batchId,
      });
    }
  }

  private async registerResidual(prng: Prng): Promise<Holding | undefined> {
    const batchId = uuidv7();
    const massGrams = prng.logInt(5_000, 60_000);
    const body = { batchId, originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams, composition: COTTON, description: 'cutting waste from pillow covers' };
    const { answer, records } = await this.send('/batches/residuals', this.orgs.manufacturer, this.nextKey('residual'), body, [
      { kind: 'register-residual', label: `residual batch ${batchId}`, expect: { shape: 'single', streamId: `batch-${batchId}`, types: ['ResidualBatchRegistered'] } },
    ]);
    if (records[0]!.answer === 'acknowledged') return { batchId, massGrams };
    this.fail(`${records[0]!.label}: refused ${answer.status} ${JSON.stringify(answer.body)}`);
    return undefined;
  }

  /** Sends one process command; answers with its record and body. */
  private async process(actor: Organisation, body: ProcessBody): Promise<CommandRecord> {
    const { records } = await this.send('/processes', actor, this.nextKey('process'), body, [
      {
        kind: 'process',
        label: `${body.processType} process ${body.processId} (inputs ${body.inputs.map((i) => i.batchId).join(', ')})`,
        expect: { shape: 'process', processId: body.processId, inputs: body.inputs.map((i) => i.batchId), outputs: body.outputs.map((o) => o.batchId) },
      },
    ]);
    return records[0]!;
  }

  /**
   * Sorting of one collected batch. Now and then a second sorting of the same batch races it (a
   * contest): exactly one may win, the other must be refused (before its intent, or rejected).
   */
  private async sort(prng: Prng, batch: Holding): Promise<{ reuse: Holding; recycling: Holding; residual: Holding } | undefined> {
    const plan = () => {
      // At most 98 % in outputs, so the moisture-and-dust loss is never below 2 %.
      const reuse = Math.floor(batch.massGrams * prng.real(0.3, 0.42));
      const recycling = Math.floor(batch.massGrams * prng.real(0.35, 0.48));
      const residual = Math.floor(batch.massGrams * 0.08);
      const body: ProcessBody = {
        processId: uuidv7(),
        processType: 'sorting',
        inputs: [{ batchId: batch.batchId }],
        outputs: [
          { batchId: uuidv7(), massGrams: reuse, grade: 'reuse', composition: UNKNOWN },
          { batchId: uuidv7(), massGrams: recycling, grade: 'recycling', composition: MIXED },
          { batchId: uuidv7(), massGrams: residual, grade: 'residual', composition: UNKNOWN, ewcCode: '19 12 08' },
        ],
        losses: [{ kind: 'moisture-dust', massGrams: batch.massGrams - reuse - recycling - residual }],
      };
      return body;
    };
    const contested = prng.chance(0.15);
    const bodies = contested ? [plan(), plan()] : [plan()];
    const records = await Promise.all(bodies.map((body) => this.process(this.orgs.sorter, body)));
    const winners = records.flatMap((record, i) => (record.answer === 'acknowledged' ? [i] : []));
    if (contested) {
      this.contests.held += 1;
      const loser = records.find((r) => r.answer !== 'acknowledged');
      if (winners.length !== 1 || !loser) {
        this.fail(`contest for batch ${batch.batchId}: ${winners.length} of 2 processes won (${records.map((r) => `${r.label}: ${r.answer} ${r.refusalCode ?? ''}`).join('; ')})`);
      } else if (loser.refusalCode === 'process-rejected' || (loser.refusalCode === 'batch-not-available' && loser.refusalProcessStatus === 'rejected')) {
        this.contests.lostByRejection += 1;
      } else if (loser.refusalCode === 'batch-not-available') {
        this.contests.lostBeforeStart += 1;
      } else {
        this.fail(`contest for batch ${batch.batchId}: the loser was refused with ${loser.refusalDetail}, expected process-rejected or batch-not-available`);
      }
    } else if (winners.length !== 1) {
      this.fail(`${records[0]!.label}: refused ${records[0]!.refusalDetail}`);
    }
    if (winners.length === 0) return undefined;
    const outputs = bodies[winners[0]!]!.outputs;
    const holding = (i: number): Holding => ({ batchId: outputs[i]!.batchId, massGrams: outputs[i]!.massGrams });
    return { reuse: holding(0), recycling: holding(1), residual: holding(2) };
  }

  private async recycle(inputs: Holding[]): Promise<Holding | undefined> {
    const total = inputs.reduce((sum, h) => sum + h.massGrams, 0);
    const fibre = Math.floor(total * 0.88);
    const body: ProcessBody = {
      processId: uuidv7(),
      processType: 'mechanical-recycling',
      inputs: inputs.map((h) => ({ batchId: h.batchId })),
      outputs: [{ batchId: uuidv7(), massGrams: fibre, grade: 'fibre', composition: MIXED }],
      losses: [{ kind: 'process-waste', massGrams: total - fibre }],
    };
    const record = await this.process(this.orgs.recycler, body);
    if (record.answer === 'acknowledged') return { batchId: body.outputs[0]!.batchId, massGrams: fibre };
    this.fail(`${record.label}: refused ${record.refusalDetail}`);
    return undefined;
  }

  private async manufacture(prng: Prng, inputs: Holding[]): Promise<Holding | undefined> {
    const total = inputs.reduce((sum, h) => sum + h.massGrams, 0);
    const virgin = Math.max(1, Math.floor(total * prng.real(0.05, 0.15)));
    const product = Math.floor((total + virgin) * 0.97);
    const body: ProcessBody = {
      processId: uuidv7(),
      processType: 'manufacturing',
      inputs: inputs.map((h) => ({ batchId: h.batchId })),
      externalInputs: [{ description: 'virgin polyester filling', massGrams: virgin, composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'virgin' }],
      outputs: [{ batchId: uuidv7(), massGrams: product, grade: 'product', composition: MIXED, productType: 'pillow', application: 'textile' }],
      losses: [{ kind: 'process-waste', massGrams: total + virgin - product }],
    };
    const record = await this.process(this.orgs.manufacturer, body);
    if (record.answer === 'acknowledged') return { batchId: body.outputs[0]!.batchId, massGrams: product };
    this.fail(`${record.label}: refused ${record.refusalDetail}`);
    return undefined;
  }

  /** Dispatch by `from`, receipt by `to`, `lostGrams` lighter on arrival. */
  private async transfer(from: Organisation, to: Organisation, batch: Holding, lostGrams: number): Promise<Holding | undefined> {
    const transferId = uuidv7();
    const streamId = `batch-${batch.batchId}`;
    const dispatched = await this.send(`/batches/${batch.batchId}/dispatch`, from, this.nextKey('dispatch'), { toOrgId: to.id, transferId }, [
      { kind: 'dispatch', label: `dispatch of ${batch.batchId} to ${to.name}`, expect: { shape: 'single', streamId, types: ['CustodyTransferDispatched'] } },
    ]);
    if (dispatched.records[0]!.answer !== 'acknowledged') {
      this.fail(`${dispatched.records[0]!.label}: refused ${dispatched.answer.status} ${JSON.stringify(dispatched.answer.body)}`);
      return undefined;
    }
    if (this.stopping) return undefined;
    const receivedMassGrams = batch.massGrams - lostGrams;
    const received = await this.send(`/batches/${batch.batchId}/receive`, to, this.nextKey('receive'), { receivedMassGrams }, [
      { kind: 'receive', label: `receipt of ${batch.batchId} by ${to.name}`, expect: { shape: 'single', streamId, types: ['CustodyTransferReceived'] } },
    ]);
    if (received.records[0]!.answer !== 'acknowledged') {
      this.fail(`${received.records[0]!.label}: refused ${received.answer.status} ${JSON.stringify(received.answer.body)}`);
      return undefined;
    }
    await this.readAcross(to, batch.batchId, received.answer, `${to.name} as its custodian`, (summary) => field(summary, 'custodianOrgId') === to.id);
    return { batchId: batch.batchId, massGrams: receivedMassGrams };
  }

  private async outcome(actor: Organisation, batch: Holding, body: Record<string, unknown>, eventType: string): Promise<void> {
    const { answer, records } = await this.send(`/batches/${batch.batchId}/outcome`, actor, this.nextKey('outcome'), body, [
      { kind: 'outcome', label: `${String(body.outcome)} of ${batch.batchId}`, expect: { shape: 'single', streamId: `batch-${batch.batchId}`, types: [eventType] } },
    ]);
    if (records[0]!.answer !== 'acknowledged') this.fail(`${records[0]!.label}: refused ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

interface ProcessBody {
  processId: string;
  processType: string;
  inputs: Array<{ batchId: string }>;
  externalInputs?: Array<Record<string, unknown>>;
  outputs: Array<{ batchId: string; massGrams: number; grade: string; composition: ReadonlyArray<{ fibre: string; share: number }>; [extra: string]: unknown }>;
  losses: Array<{ kind: string; massGrams: number }>;
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/**
 * The refusal as the checks need it: a process that lost its input after recording its intent is
 * answered `batch-not-available` like every other loser, with `processStatus: 'rejected'` because a
 * rejected process is then on record; the checks tell the two apart as `process-rejected`.
 */
function problemCode(body: unknown): string | undefined {
  if (field(body, 'processStatus') === 'rejected') return 'process-rejected';
  const code = field(body, 'code');
  return typeof code === 'string' ? code : undefined;
}

function bulkItems(answer: HttpAnswer): Array<{ status: number; problem?: unknown }> | undefined {
  const results = field(answer.body, 'results');
  if (!Array.isArray(results)) return undefined;
  return results.map((r) => ({ status: Number(field(r, 'status')), problem: field(r, 'problem') }));
}
