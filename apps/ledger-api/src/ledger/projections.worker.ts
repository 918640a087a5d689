/**
 * Entry point of the projection worker thread: the read models are built here, on the second core,
 * so that folding events and writing read-model rows never delays HTTP requests or group commits on
 * the API thread (decision 007). It owns its own connections to the event log (read only in
 * practice) and to the read-model file; the API thread keeps a read connection to the same file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openEventLog } from './event-log.js';
import { openReadModels } from './read-models.js';
import { createLedgerProjections, ProjectionRunner } from '#projections';
import type { FromProjectionWorker, ProjectionWorkerCalls, ProjectionWorkerData, ProjectionWorkerMethod, ToProjectionWorker } from './projection-worker.protocol.js';

const port = parentPort;
if (!port) throw new Error('projections.worker.ts runs only as a worker thread');
const { eventLog, readModels } = workerData as ProjectionWorkerData;

// This connection to the log only reads.
const store = await openEventLog(eventLog);
const db = openReadModels(readModels, 'projections');
const post = (message: FromProjectionWorker): void => port.postMessage(message);
const postState = (): void => post({ kind: 'state', ...runner.health() });
const runner = new ProjectionRunner({ store, db, projections: createLedgerProjections(), onCommitted: postState, onError: postState, singleWriter: readModels.singleWriter !== false });

async function call(id: number, method: ProjectionWorkerMethod): Promise<ProjectionWorkerCalls[ProjectionWorkerMethod]> {
  switch (method) {
    case 'start':
      await runner.start();
      return null;
    case 'stop':
      await runner.stop();
      return null;
    case 'close':
      await runner.close();
      await store.close();
      await db.destroy();
      return null;
    case 'checksum':
      return runner.checksum();
    case 'rebuild':
      return runner.rebuild({ onProgress: (done, total) => post({ kind: 'rebuild-progress', id, done, total }) });
  }
}

port.on('message', (message: ToProjectionWorker) => {
  if (message.kind === 'wake') {
    store.announceCommit();
    return;
  }
  const { id, method } = message;
  call(id, method).then(
    (value) => {
      post({ kind: 'reply', id, ok: true, value });
      postState();
      if (method === 'close') port.close();
    },
    (error: unknown) => post({ kind: 'reply', id, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});

await runner.start();
postState();
