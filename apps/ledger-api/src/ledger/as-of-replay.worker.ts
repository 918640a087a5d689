/**
 * Entry point of the as-of replay worker thread (decision 013): replaying the log into an as-of read
 * store costs ~100 µs of CPU per event, which on the API thread would stall every live request for
 * the length of the replay (the reason the live projections run in a worker too, decision 007).
 * It owns its own connection to the event log and the as-of stores' write connections.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openEventLog } from './event-log.js';
import { LocalAsOfReplayer } from './as-of-replay.js';
import type { AsOfReplayWorkerData, FromAsOfReplayWorker, ToAsOfReplayWorker } from './as-of-replay-worker.client.js';

const port = parentPort;
if (!port) throw new Error('as-of-replay.worker.ts runs only as a worker thread');
const { eventLog } = workerData as AsOfReplayWorkerData;

// This connection to the log only reads.
const store = await openEventLog(eventLog);
const replayer = new LocalAsOfReplayer(store);
const post = (message: FromAsOfReplayWorker): void => port.postMessage(message);

async function call(message: ToAsOfReplayWorker): Promise<unknown> {
  switch (message.method) {
    case 'resolve':
      return replayer.resolve(message.asOf);
    case 'replay':
      return replayer.replay(message.file, message.position);
    case 'drop':
      await replayer.drop(message.file);
      return null;
    case 'close':
      await replayer.close();
      await store.close();
      return null;
  }
}

port.on('message', (message: ToAsOfReplayWorker) => {
  call(message).then(
    (value) => {
      post({ kind: 'reply', id: message.id, ok: true, value });
      if (message.method === 'close') port.close();
    },
    (error: unknown) => post({ kind: 'reply', id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});

post({ kind: 'ready' });
