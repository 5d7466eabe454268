// The store of a JS test's data directory (docs/postgres.md, "Tests"), shared by the browser
// harness (tests/browser/lib/harness.mjs) and the contract test's (tests/contract/lib/server.mjs).
// Without SIGNET_TEST_STORE a data directory's store is its SQLite file, DIR/signet.db. With it
// (tests/postgres/with_postgres.sh sets it) each data directory gets a schema of its own on that
// server, made on first use, and every `signet` run on the directory gets that schema's URL in
// SIGNET_STORE (envFor), as tests/api/harness/harness.c does for the API tests. The schemas go
// with the throwaway cluster; none is dropped here (a server may still hold a connection).
import { execFile, execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const TEST_STORE = process.env.SIGNET_TEST_STORE || '';

/** True when the tests run against PostgreSQL (SIGNET_TEST_STORE). */
export function onPostgres() {
  return TEST_STORE !== '';
}

const schemas = new Map(); // resolved data directory -> schema name
let counter = 0;

/** The schema of dataDir, created on the server the first time it is asked for. */
function schemaFor(dataDir) {
  const key = resolve(dataDir);
  let schema = schemas.get(key);
  if (!schema) {
    schema = `js_${process.pid}_${++counter}`;
    execFileSync('psql', [TEST_STORE, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c',
      `DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    schemas.set(key, schema);
  }
  return schema;
}

/** The store URL of dataDir: `sqlite:DIR/signet.db`, or the server's URL on the directory's schema. */
export function storeFor(dataDir) {
  if (!onPostgres()) return `sqlite:${join(dataDir, 'signet.db')}`;
  const sep = TEST_STORE.includes('?') ? '&' : '?';
  return `${TEST_STORE}${sep}options=-csearch_path%3D${schemaFor(dataDir)}`;
}

/**
 * The environment for a `signet` process (serve, admin, or a tool that loads the configuration)
 * on dataDir, or on the directory named by `--data DIR` in args: process.env, plus SIGNET_STORE
 * on PostgreSQL. Without a data directory the environment is inherited unchanged.
 */
export function envFor(dataDir, args = []) {
  let dir = dataDir;
  if (!dir) {
    const i = args.indexOf('--data');
    if (i >= 0 && i + 1 < args.length) dir = args[i + 1];
  }
  if (!onPostgres() || !dir) return process.env;
  return { ...process.env, SIGNET_STORE: storeFor(dir) };
}

/** "The newest row" within one created_at second, as test_sql_insert_order() in harness.c. */
export const INSERT_ORDER = onPostgres() ? 'xmin::text::bigint' : 'rowid';

/**
 * Runs one SQL statement on dataDir's database behind Signet's back and resolves to its rows as
 * sqlite3 prints them (fields joined by "|", one row a line, NULL empty): `sqlite3` on
 * DIR/signet.db, or `psql` on the directory's schema.
 */
export function testSql(dataDir, statement) {
  const [cmd, args] = onPostgres()
    ? ['psql', [storeFor(dataDir), '-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-c', statement]]
    : ['sqlite3', ['-cmd', '.timeout 5000', join(dataDir, 'signet.db'), statement]];
  return new Promise((ok, fail) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? fail(new Error(`${cmd} ${statement}: ${stderr}`)) : ok(stdout));
  });
}
