import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { eventStoreConformance } from '../../libs/event-store/src/conformance/event-store.conformance.js';
import { SqliteEventStore } from '../../libs/event-store/src/sqlite/sqlite-event-store.js';

eventStoreConformance('SQLite (WAL, synchronous FULL)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ledger-sqlite-conformance-'));
  const filename = join(dir, 'events.db');
  const opened: SqliteEventStore[] = [];
  const open = async (): Promise<SqliteEventStore> => {
    const store = await SqliteEventStore.open({ filename, pollIntervalMs: 50 });
    opened.push(store);
    return store;
  };
  return {
    store: await open(),
    reopen: open,
    cleanup: async () => {
      for (const store of opened) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
