// Browser-test harness (docs/web.md): runs the real `signet` binary (SIGNET_BIN) — the CLI to
// prepare files, `signet serve` on a free port in a temporary data directory — and drives
// Debian's chromium (CHROMIUM, default /usr/bin/chromium) through playwright-core.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envFor } from '../../postgres/test_store.mjs';
import { chromium } from 'playwright-core';

export const SIGNET_BIN = process.env.SIGNET_BIN;
export const CORPUS =
  process.env.SIGNET_CORPUS || new URL('../../../../shared/pdf-corpus', import.meta.url).pathname;

if (!SIGNET_BIN) throw new Error('SIGNET_BIN must name the signet binary');

/** A new empty temporary directory (removed by removeDir). */
export function makeDir(prefix = 'signet-browser-') {
  return mkdtemp(join(tmpdir(), prefix));
}

export function removeDir(dir) {
  return rm(dir, { recursive: true, force: true });
}

/** Runs `signet ARGS…` to completion; resolves {stdout, stderr}, rejects on a non-zero exit. */
export function runSignet(args) {
  return new Promise((resolve, reject) => {
    execFile(SIGNET_BIN, args, { maxBuffer: 16 << 20, env: envFor(null, args) }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`signet ${args.join(' ')} failed (${err.code}): ${stderr}${stdout}`));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}

/**
 * Starts `signet serve --listen 127.0.0.1:0 --data dataDir` and resolves once it printed its
 * "listening on … (port N)" line (no sleeps): {base, port, stop()}. Rejects with what the
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

/** Launches headless chromium (the Debian package, not a downloaded one). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A new page that records what would show a broken page: console errors (CSP violations are
 * reported there by chromium), uncaught exceptions, failed requests and answers >= 400 from
 * our own server. page.problems() lists them; expected ones can be filtered by the caller.
 */
/**
 * Saves screenshots of the whole page at phone and desktop widths, DIR/NAME-390.png and
 * DIR/NAME-1280.png (dir: SIGNET_SCREENSHOT_DIR or BUILD/screenshots), then gives the page its
 * viewport back.
 */
export async function screenshots(page, name, dir) {
  const before = page.viewportSize();
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

/**
 * Waits until every page preview (img.page-image) has arrived, as a person looking at the
 * document would; a reload before that aborts the loads the page has under way.
 */
export async function imagesLoaded(page, timeout) {
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('img.page-image')];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, null, { timeout });
}

export async function openPage(browser, { locale = 'en-US' } = {}) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning')
      problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // net::ERR_ABORTED is a load the browser cancelled (the page navigated on while a status poll
  // or a preview was under way): nothing a person sees. Server errors show up as HTTP statuses
  // (below) and broken connections as other net:: errors, which stay problems.
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText;
    if (why !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.problems = () => problems.slice();
  page.clearProblems = () => problems.splice(0, problems.length);
  return page;
}

// The data directory's store: SQLite, or a schema of its own on SIGNET_TEST_STORE's server.
export { INSERT_ORDER, onPostgres, storeFor, testSql } from '../../postgres/test_store.mjs';
