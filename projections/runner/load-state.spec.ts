import { describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { createLedgerProjections } from '../index.js';
import type { ReadDb } from './projection.js';

/**
 * Tables that grow with the log: one row per event, batch, period, edge or process ever recorded.
 * Start-up (and every reload after a failed page) must reach the few open rows in them through an
 * index. A scan costs time in proportion to the whole history: 0.1 s at 354k events here, seconds at
 * 10M.
 */
const HISTORY_TABLES = [
  'anomalies_process',
  'anomalies_transfer',
  'audit_log_leaf',
  'audit_log_node',
  'batch_history_event',
  'batch_summary_batch',
  'circularity_batches',
  'custody_period',
  'inventory_movement',
  'lineage_edge',
  'municipal_report_batches',
  'processes_process',
  'provenance_batches',
];

describe('loading the projections’ state at start-up', () => {
  it('reaches the open rows of history tables through indexes, never by scanning them', async () => {
    const database = new Database(':memory:');
    const queries: CompiledQuery[] = [];
    const db = new Kysely<object>({
      dialect: new SqliteDialect({ database }),
      log: (event) => {
        if (event.level === 'query') queries.push(event.query);
      },
    }) as ReadDb;
    try {
      const projections = createLedgerProjections();
      for (const projection of projections) await projection.migrate(db);
      queries.length = 0;
      for (const projection of projections) await projection.load(db);

      const reads = queries.filter((q) => /^\s*select/i.test(q.sql));
      expect(reads.length).toBeGreaterThan(0);
      const scans: string[] = [];
      for (const query of reads) {
        const plan = database.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[];
        for (const { detail } of plan) {
          // "SCAN t USING INDEX i" walks a (partial) index; a bare "SCAN t" reads every row.
          const scanned = /^SCAN (\w+)$/.exec(detail.trim())?.[1];
          if (scanned && HISTORY_TABLES.includes(scanned)) scans.push(`${scanned}: ${query.sql}`);
        }
      }
      expect(scans).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
