/**
 * Child-process entry for bench/emmett-peer.ts: `node run.mjs '{"connectionString":…,"seconds":4,"writers":32}'`.
 * Prints exactly one JSON line, {"appendsPerSecond","appends"}, on stdout; anything else goes to stderr.
 */
import { emmettAppends } from './emmett-appends.mjs';

const raw = process.argv[2];
if (raw === undefined) {
  process.stderr.write('usage: node run.mjs \'{"connectionString":"postgres://…","seconds":4,"writers":32}\'\n');
  process.exit(2);
}
const { connectionString, seconds, writers } = JSON.parse(raw);
if (typeof connectionString !== 'string' || !(seconds > 0) || !Number.isInteger(writers) || writers < 1) {
  process.stderr.write(`run.mjs: bad arguments ${raw}\n`);
  process.exit(2);
}
const result = await emmettAppends({ connectionString, seconds, writers });
process.stdout.write(`${JSON.stringify(result)}\n`);
