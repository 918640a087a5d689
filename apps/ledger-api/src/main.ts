import { loadLedgerConfig } from './config/ledger.config.js';
import { createLedgerApp } from './ledger-app.js';

const config = loadLedgerConfig();
const { app } = await createLedgerApp(config);
await app.listen({ port: config.port, host: config.host });
process.stdout.write(`Textile ledger listening on http://localhost:${config.port} (data in ${config.dataDir}); API docs at /docs\n`);
