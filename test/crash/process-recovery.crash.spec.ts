import { afterEach, describe, expect, it } from '@jest/globals';
import { decideStartProcess, DEFAULT_POLICY, streamIds, type LoadedInput } from '#domain';
import { v7 as uuidv7 } from 'uuid';
import { ProcessManager } from '../../apps/ledger-api/src/processes/process-manager.js';
import { loadBatch } from '../../apps/ledger-api/src/ledger/stream-loader.js';
import { COTTON } from '../fixtures/composition.js';
import { SimulatedCrash, crashingAfter } from '../fixtures/crashing-store.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';


describe('recovery of a process stopped after consuming some inputs', () => {
  let ledger: LedgerHarness | undefined;
  afterEach(async () => {
    await ledger?.close();
  });

  async function setUp(): Promise<{ sorter: RegisteredOrganisation; inputs: string[]; crash: (appendsBeforeDeath?: number, beforeStart?: () => Promise<void>) => Promise<{ processId: string; outputId: string }> }> {
    ledger = await LedgerHarness.start();
    const sorter = await ledger.registerOrganisation('Sorter', ['sorter', 'collector']);
    // a collector records collections only for a kommune whose municipality authorised it.
    await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), sorter.id);
    const inputs: string[] = [];
    for (const massGrams of [40_000, 60_000]) {
      const r = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams }, sorter.key);
      inputs.push(r.body.batchId);
    }
    const crash = async (appendsBeforeDeath = 2, beforeStart?: () => Promise<void>) => {
      const store = ledger!.store;
      const loaded = new Map<string, LoadedInput>();
      for (const id of inputs) {
        const b = await loadBatch(store, id);
        loaded.set(id, { state: b.state, revision: b.revision });
      }
      const processId = uuidv7();
      const outputId = uuidv7();
      const started = decideStartProcess(
        loaded,
        new Set(),
        { processId, processType: 'blending', inputs: inputs.map((batchId) => ({ batchId })), externalInputs: [], outputs: [{ batchId: outputId, massGrams: 100_000, grade: 'recycling', composition: COTTON as never }], losses: [], occurredAt: new Date().toISOString() },
        { now: new Date(), actor: { organisationId: sorter.id, name: 'Sorter', roles: ['sorter'] }, organisation: () => undefined, policy: DEFAULT_POLICY },
      );
      await beforeStart?.();
      // By default ProcessStarted + the first BatchConsumed get through; then the process dies.
      const manager = new ProcessManager(crashingAfter(store, appendsBeforeDeath));
      await expect(manager.start(started.data, { actorOrgId: sorter.id, commandId: uuidv7(), correlationId: uuidv7(), causationId: uuidv7(), idempotent: false })).rejects.toThrow(SimulatedCrash);
      const first = await store.readStream(streamIds.batch(inputs[0]!));
      expect(first.at(-1)?.type).toBe('BatchConsumed');
      return { processId, outputId };
    };
    return { sorter, inputs, crash };
  }

  async function restart(): Promise<void> {
    const dataDir = ledger!.dataDir;
    await ledger!.close({ keepData: true });
    ledger = await LedgerHarness.start({ dataDir });
  }

  it('finishes it at start-up when every input is still available', async () => {
    const { sorter, inputs, crash } = await setUp();
    const { processId, outputId } = await crash();
    await restart();
    const process = await ledger!.get<{ status: string }>(`/processes/${processId}`, sorter.key);
    expect(process.body.status).toBe('completed');
    const output = await ledger!.get<{ massGrams: number; status: string }>(`/batches/${outputId}`, sorter.key);
    expect(output.body).toMatchObject({ massGrams: 100_000, status: 'available' });
    for (const id of inputs) expect((await ledger!.get<{ status: string }>(`/batches/${id}`, sorter.key)).body.status).toBe('consumed');
  });

  it('refuses to use an output until its process has completed, then allows it after recovery', async () => {
    const { sorter, crash } = await setUp();
    // ProcessStarted, both BatchConsumed and the BatchProduced get through; ProcessCompleted does not.
    const { processId, outputId } = await crash(4);
    expect((await ledger!.store.readStream(streamIds.batch(outputId))).map((e) => e.type)).toEqual(['BatchProduced']);
    const early = await ledger!.post<{ code: string }>(`/batches/${outputId}/outcome`, { outcome: 'landfilled' }, sorter.key);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('process-not-completed');
    const asInput = await ledger!.post<{ code: string }>(
      '/processes',
      { processType: 'sorting', inputs: [{ batchId: outputId }], outputs: [{ massGrams: 100_000, grade: 'reuse', composition: COTTON }] },
      sorter.key,
    );
    expect(asInput.status).toBe(409);
    expect(asInput.body.code).toBe('process-not-completed');
    await restart();
    expect((await ledger!.get<{ status: string }>(`/processes/${processId}`, sorter.key)).body.status).toBe('completed');
    expect((await ledger!.post(`/batches/${outputId}/outcome`, { outcome: 'landfilled' }, sorter.key)).status).toBe(200);
  });

  it('finishes the reverts of a process killed between ProcessRejected and its reverts', async () => {
    const { sorter, inputs, crash } = await setUp();
    // The second input is taken after the decision; the manager consumes the first, finds the second
    // gone, writes ProcessRejected and dies before reverting the first.
    const { processId } = await crash(3, async () => {
      expect((await ledger!.post(`/batches/${inputs[1]}/outcome`, { outcome: 'landfilled' }, sorter.key)).status).toBe(200);
    });
    const stuck = await ledger!.store.readStream(streamIds.batch(inputs[0]!));
    expect(stuck.map((e) => e.type)).toEqual(['BatchCollected', 'BatchConsumed']);
    await restart();
    expect((await ledger!.get<{ status: string }>(`/processes/${processId}`, sorter.key)).body.status).toBe('rejected');
    const healed = await ledger!.store.readStream(streamIds.batch(inputs[0]!));
    expect(healed.map((e) => e.type)).toEqual(['BatchCollected', 'BatchConsumed', 'BatchConsumptionReverted']);
    expect((await ledger!.get<{ status: string }>(`/batches/${inputs[0]}`, sorter.key)).body.status).toBe('available');
  });

  it('rejects it, and reverts what it consumed, when an input was taken meanwhile', async () => {
    const { sorter, inputs, crash } = await setUp();
    const { processId, outputId } = await crash();
    // While the process lay half-done, the second input was incinerated.
    expect((await ledger!.post(`/batches/${inputs[1]}/outcome`, { outcome: 'incinerated', energyRecovery: true }, sorter.key)).status).toBe(200);
    await restart();
    const process = await ledger!.get<{ status: string; rejectionReason: string }>(`/processes/${processId}`, sorter.key);
    expect(process.body.status).toBe('rejected');
    expect((await ledger!.get<{ status: string }>(`/batches/${inputs[0]}`, sorter.key)).body.status).toBe('available');
    expect((await ledger!.store.readStream(streamIds.batch(outputId))).length).toBe(0);
    const reverted = await ledger!.store.readStream(streamIds.batch(inputs[0]!));
    expect(reverted.map((e) => e.type)).toEqual(['BatchCollected', 'BatchConsumed', 'BatchConsumptionReverted']);
  });
});
