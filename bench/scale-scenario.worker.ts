/**
 * The scale bench's ledger, generated in a thread of its own so that generating the next part and
 * appending the current one overlap (each takes about as long as the other). The main thread asks
 * for a part with the least number of events it wants; the worker answers with the next part of
 * ScenarioStream, or with the history's figures once it has ended. Only one part is asked for at a
 * time, so at most two parts are in memory whatever the ledger's size.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ScenarioStream, type DeepProduct, type ScenarioEvent, type ScenarioOptions, type ScenarioOrganisation, type ScenarioStats } from '#scenarios';

export type ScenarioWorkerMessage =
  | { readonly kind: 'part'; readonly events: ScenarioEvent[]; readonly organisations: readonly ScenarioOrganisation[]; readonly deepProduct: DeepProduct | undefined }
  | { readonly kind: 'end'; readonly stats: ScenarioStats };

if (!parentPort) throw new Error('scale-scenario.worker.js runs as a worker thread');
const port = parentPort;
const stream = new ScenarioStream(workerData as ScenarioOptions);
port.on('message', (minEvents: number) => {
  const events = stream.next(minEvents);
  const message: ScenarioWorkerMessage = events ? { kind: 'part', events, organisations: stream.organisations, deepProduct: stream.deepProduct } : { kind: 'end', stats: stream.stats() };
  port.postMessage(message);
});
