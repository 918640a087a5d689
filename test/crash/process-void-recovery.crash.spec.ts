import { afterEach, describe, expect, it } from '@jest/globals';
import { decideStartVoid, DEFAULT_POLICY, streamIds, VoidProcess, type LoadedOutput } from '#domain';
import type { EventStore } from '#event-store';
import { v7 as uuidv7 } from 'uuid';
import { ProcessVoidManager } from '../../apps/ledger-api/src/corrections/process-void.manager.js';
import { loadBatch, loadProcess } from '../../apps/ledger-api/src/ledger/stream-loader.js';
import { COTTON } from '../fixtures/composition.js';
import { SimulatedCrash, crashingAfter } from '../fixtures/crashing-store.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';


const types = async (store: EventStore, batchId: string): Promise<string[]> => (await store.readStream(streamIds.batch(batchId))).map((e) => e.type);

/** Recovery (start-up and periodic) finishes, or rejects and compensates, a void that was killed half-way (decision 011). */
describe('recovery of a void stopped half-way', () => {
  let ledger: LedgerHarness | undefined;
  afterEach(async () => {
    await ledger?.close();
  });

  interface SetUp {
    sorter: RegisteredOrganisation;
    input: string;
    processId: string;
    outputs: [string, string];
    /** Decides the void as the HTTP handler would, then drives it on a store that dies after `appendsBeforeDeath` appends. */
    voidUntilCrash: (appendsBeforeDeath: number, beforeStart?: () => Promise<void>) => Promise<void>;
  }

  async function setUp(): Promise<SetUp> {
    ledger = await LedgerHarness.start();
    const sorter = await ledger.registerOrganisation('Sorter', ['sorter', 'collector']);
    // a collector records collections only for a kommune whose municipality authorised it.
    await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), sorter.id);
    const collected = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 100_000 }, sorter.key);
    const input = collected.body.batchId;
    const sorted = await ledger.post<{ processId: string; outputBatchIds: [string, string] }>(
      '/processes',
      { processType: 'sorting', inputs: [{ batchId: input }], outputs: [{ massGrams: 60_000, grade: 'reuse', composition: COTTON }, { massGrams: 40_000, grade: 'recycling', composition: COTTON }] },
      sorter.key,
    );
    expect(sorted.status).toBe(201);
    const { processId, outputBatchIds: outputs } = sorted.body;

    const voidUntilCrash = async (appendsBeforeDeath: number, beforeStart?: () => Promise<void>): Promise<void> => {
      const store = ledger!.store;
      const process = await loadProcess(store, processId);
      const loadedOutputs = new Map<string, LoadedOutput>();
      for (const id of outputs) {
        const b = await loadBatch(store, id);
        loadedOutputs.set(id, { state: b.state, revision: b.revision, producedEventId: b.events[0]?.eventId });
      }
      const consumed = (await store.readStream(streamIds.batch(input))).find((e) => e.type === 'BatchConsumed')!;
      const intent = decideStartVoid(
        { process: process.state, completedEventId: process.events[1]?.eventId, outputs: loadedOutputs, consumedEventIds: new Map([[input, consumed.eventId]]) },
        VoidProcess.parse({ processId, reason: 'sorted twice', occurredAt: new Date().toISOString() }),
        { now: new Date(), actor: { organisationId: sorter.id, name: 'Sorter', roles: ['sorter'] }, organisation: () => undefined, policy: DEFAULT_POLICY },
      );
      await beforeStart?.();
      const manager = new ProcessVoidManager(crashingAfter(store, appendsBeforeDeath));
      const meta = { actorOrgId: sorter.id, commandId: uuidv7(), correlationId: uuidv7(), causationId: uuidv7(), idempotent: false };
      await expect(manager.start(intent.data, process.revision, meta)).rejects.toThrow(SimulatedCrash);
      await ledger!.runner.waitForPosition(await store.headPosition());
    };
    return { sorter, input, processId, outputs, voidUntilCrash };
  }

  async function restart(): Promise<void> {
    const dataDir = ledger!.dataDir;
    await ledger!.close({ keepData: true });
    ledger = await LedgerHarness.start({ dataDir });
  }

  const status = async (path: string, key: string): Promise<unknown> => (await ledger!.get<{ status: string }>(path, key)).body.status;

  it('finishes it at start-up when every output is still as the process made it', async () => {
    const { sorter, input, processId, outputs, voidUntilCrash } = await setUp();
    // The intent and the first BatchVoided get through; then the driver dies.
    await voidUntilCrash(2);
    expect(await types(ledger!.store, outputs[0])).toEqual(['BatchProduced', 'BatchVoided']);
    expect(await status(`/processes/${processId}`, sorter.key)).toBe('completed');

    await restart();
    expect(await status(`/processes/${processId}`, sorter.key)).toBe('voided');
    for (const output of outputs) expect(await status(`/batches/${output}`, sorter.key)).toBe('voided');
    expect(await types(ledger!.store, input)).toEqual(['BatchCollected', 'BatchConsumed', 'BatchRestored']);
    expect(await status(`/batches/${input}`, sorter.key)).toBe('available');
    const live = await ledger!.runner.checksum();
    await ledger!.runner.rebuild();
    expect((await ledger!.runner.checksum()).total).toBe(live.total);
  });

  it('rejects it, and hands back the output it had voided, when another output was used meanwhile', async () => {
    const { sorter, input, processId, outputs, voidUntilCrash } = await setUp();
    await voidUntilCrash(2);
    // While the void lay half-done, the second output was sold: the void can no longer be carried out.
    expect((await ledger!.post(`/batches/${outputs[1]}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, sorter.key)).status).toBe(200);

    await restart();
    const process = await ledger!.get<{ status: string; void: { status: string; rejectionReason: string } }>(`/processes/${processId}`, sorter.key);
    expect(process.body).toMatchObject({ status: 'completed', void: { status: 'rejected', rejectionReason: expect.stringContaining(outputs[1]) } });
    expect(await types(ledger!.store, outputs[0])).toEqual(['BatchProduced', 'BatchVoided', 'BatchVoidReverted']);
    expect(await status(`/batches/${outputs[0]}`, sorter.key)).toBe('available');
    expect(await status(`/batches/${input}`, sorter.key)).toBe('consumed');
  });

  it('restores the inputs of a void killed between ProcessVoided and its restores; until then they take no commands', async () => {
    const { sorter, input, processId, outputs, voidUntilCrash } = await setUp();
    // Intent, both BatchVoided and ProcessVoided get through; no BatchRestored does.
    await voidUntilCrash(4);
    expect(await types(ledger!.store, input)).toEqual(['BatchCollected', 'BatchConsumed']);
    // The read models count the void at ProcessVoided; the write side still holds the input consumed.
    expect(await status(`/batches/${input}`, sorter.key)).toBe('available');
    expect(await ledger!.post(`/batches/${input}/outcome`, { outcome: 'landfilled' }, sorter.key)).toMatchObject({ status: 409, body: { code: 'batch-not-available' } });
    expect(await status(`/batches/${outputs[0]}`, sorter.key)).toBe('voided');

    await restart();
    expect(await types(ledger!.store, input)).toEqual(['BatchCollected', 'BatchConsumed', 'BatchRestored']);
    expect((await ledger!.get<{ heldInputs: number }>(`/processes/${processId}`, sorter.key)).body.heldInputs).toBe(0);
    expect((await ledger!.post(`/batches/${input}/outcome`, { outcome: 'landfilled' }, sorter.key)).status).toBe(200);
  });

  it('finishes the reverts of a void killed between ProcessVoidRejected and its reverts', async () => {
    const { sorter, processId, outputs, voidUntilCrash } = await setUp();
    const recycler = await ledger!.registerOrganisation('Recycler', ['recycler']);
    // The second output is dispatched after the decision: the driver voids the first, finds the
    // second gone, writes ProcessVoidRejected and dies before reverting the first.
    await voidUntilCrash(3, async () => {
      expect((await ledger!.post(`/batches/${outputs[1]}/dispatch`, { toOrgId: recycler.id }, sorter.key)).status).toBe(200);
    });
    expect(await types(ledger!.store, outputs[0])).toEqual(['BatchProduced', 'BatchVoided']);
    expect(await status(`/processes/${processId}`, sorter.key)).toBe('completed');

    await restart();
    expect(await types(ledger!.store, outputs[0])).toEqual(['BatchProduced', 'BatchVoided', 'BatchVoidReverted']);
    expect(await status(`/batches/${outputs[0]}`, sorter.key)).toBe('available');
    expect((await ledger!.get<{ void: { voidedOutputs: number } }>(`/processes/${processId}`, sorter.key)).body.void.voidedOutputs).toBe(0);
  });

  it('lets a new void command finish the reverts of a rejected one first, then void the process', async () => {
    const { sorter, input, processId, outputs, voidUntilCrash } = await setUp();
    const recycler = await ledger!.registerOrganisation('Recycler', ['recycler']);
    await voidUntilCrash(3, async () => {
      expect((await ledger!.post(`/batches/${outputs[1]}/dispatch`, { toOrgId: recycler.id }, sorter.key)).status).toBe(200);
    });
    // The shipment is called off: the second output is back as it was made, the first still voided.
    expect((await ledger!.post(`/batches/${outputs[1]}/cancel-transfer`, { reason: 'wrong truck' }, sorter.key)).status).toBe(200);
    const voided = await ledger!.post<{ status: string }>(`/processes/${processId}/void`, { reason: 'sorted twice' }, sorter.key);
    expect(voided).toMatchObject({ status: 200, body: { status: 'voided' } });
    expect(await types(ledger!.store, outputs[0])).toEqual(['BatchProduced', 'BatchVoided', 'BatchVoidReverted', 'BatchVoided']);
    expect(await status(`/batches/${input}`, sorter.key)).toBe('available');
    expect((await ledger!.get<{ void: { attempts: number } }>(`/processes/${processId}`, sorter.key)).body.void.attempts).toBe(2);
  });
});
