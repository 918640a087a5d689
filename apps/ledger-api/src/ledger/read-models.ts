import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ReadDb } from '#projections';
import { openPostgresReadDb, openSqliteReadDb } from '#read-store';
import type { ReadModelsConfig } from '../config/ledger.config.js';

/**
 * Opens the configured read-model database: the API thread's connection for queries, and the
 * projection worker's for writing (which needs only a couple of connections).
 */
export function openReadModels(config: ReadModelsConfig, role: 'queries' | 'projections' = 'queries'): ReadDb {
  switch (config.kind) {
    case 'sqlite':
      mkdirSync(path.dirname(config.filename), { recursive: true, mode: 0o700 });
      return openSqliteReadDb({ filename: config.filename });
    case 'postgres':
      return openPostgresReadDb({ connectionString: config.connectionString, poolSize: role === 'queries' ? 10 : 2 });
  }
}
