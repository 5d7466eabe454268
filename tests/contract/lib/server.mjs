// Runs the real `signet` binary (SIGNET_BIN) for the contract test: the CLI to prepare the data
// directory and `signet serve` on a free port. The same helpers as tests/browser/lib/harness.mjs
// without its browser part, so that this test needs neither chromium nor playwright-core.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envFor } from '../../postgres/test_store.mjs';

export const SIGNET_BIN = process.env.SIGNET_BIN;
if (!SIGNET_BIN) throw new Error('SIGNET_BIN must name the signet binary');

/** A new empty temporary directory (removed by removeDir). */
export function makeDir(prefix = 'signet-contract-') {
  return mkdtemp(join(tmpdir(), prefix));
}

export function removeDir(dir) {
  return rm(dir, { recursive: true, force: true });
}

/** Runs `bin ARGS…` to completion; resolves {stdout, stderr, code}; rejects on a non-zero
 * exit unless allowFailure. */
export function run(bin, args, { allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { maxBuffer: 16 << 20, env: envFor(null, args) }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (err && !allowFailure) {
        reject(new Error(`${bin} ${args.join(' ')} failed (${err.code}): ${stderr}${stdout}`));
        return;
      }
      resolve({ stdout, stderr, code });
    });
  });
}

/** Runs `signet ARGS… --json` and parses its standard output. */
export async function signetJson(args) {
  const { stdout } = await run(SIGNET_BIN, [...args, '--json', '--log-level', 'error']);
  return JSON.parse(stdout);
}

/**
 * Starts `signet serve --listen 127.0.0.1:0 --data dataDir …` and resolves once it printed its
 * "listening on … (port N)" line (no sleeps): {base, port, log(), stop()}. Rejects with what the
 * server printed when it exits first.
 */
export function startServer(dataDir, extraArgs = []) {
  const args = ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--log-level',
    process.env.SIGNET_TEST_LOG || 'warn', ...extraArgs];
  const child = spawn(SIGNET_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: envFor(dataDir) });
  let out = '';
  let err = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.stderr.on('data', (d) => {
    err += d;
    if (process.env.SIGNET_TEST_LOG) process.stderr.write(d);
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/signet: listening on \S+ \(port (\d+)\)/);
      if (m) {
        const port = Number(m[1]);
        resolve({
          port,
          base: `http://127.0.0.1:${port}`,
          log: () => err,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            const { code, signal } = await exited;
            return { code, signal, log: err };
          },
        });
      }
    });
    child.on('error', reject);
    exited.then(({ code, signal }) =>
      reject(new Error(`signet serve exited (${code ?? signal}) before listening:\n${out}${err}`)),
    );
  });
}

// The data directory's store: SQLite, or a schema of its own on SIGNET_TEST_STORE's server.
export { INSERT_ORDER, onPostgres, storeFor, testSql } from '../../postgres/test_store.mjs';
