import { loadLedgerConfig } from './config/ledger.config.js';
import { createLedgerApp } from './ledger-app.js';

const config = loadLedgerConfig();
const { app } = await createLedgerApp(config);
await app.listen({ port: config.port, host: config.host });
// Loopback by default (decision 027): say so, so that "connection refused" from another host is not a mystery.
const where = config.host === '127.0.0.1' || config.host === '::1' ? `http://localhost:${config.port} (this host only; set LEDGER_HOST to listen elsewhere)` : `http://${config.host}:${config.port}`;
process.stdout.write(`Textile ledger listening on ${where} (data in ${config.dataDir}); API docs at /docs\n`);
