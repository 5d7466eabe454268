// The public verification page /ui/verify in a real browser: a PDF signed by `signet sign`
// shows as valid with the signer's name; the same file with one flipped byte inside the
// signed range as not valid with the reason; an unsigned PDF as not signed; a file that is
// not a PDF, or too large for the server, shows the Error object's message. Also: the
// page's security headers, its own script runs under its CSP (no console errors),
// languages, and ETag revalidation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CORPUS,
  launchBrowser,
  makeDir,
  openPage,
  removeDir,
  runSignet,
  startServer,
} from './lib/harness.mjs';

const TIMEOUT = 60_000; // an upper bound for slow (sanitizer) builds, not a timing assertion

let dir;
let server;
let browser;
let signedPath;
let tamperedPath;

/** Flips one bit inside the first signed range: in a content stream's data, so the file
 *  still parses and only the digest no longer matches (as tests/api/verify_test.c does). */
function tamper(bytes) {
  const text = bytes.toString('latin1');
  const m = text.match(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/);
  assert.ok(m, 'signed PDF has a /ByteRange');
  const firstEnd = Number(m[2]);
  const stream = text.indexOf('stream\n');
  assert.ok(stream > 0 && stream + 8 < firstEnd, 'a stream inside the first signed range');
  const copy = Buffer.from(bytes);
  copy[stream + 8] ^= 0x01;
  return copy;
}

async function visit(page, query = '') {
  const response = await page.goto(`${server.base}/ui/verify${query}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
  return response;
}

async function verdict(page) {
  const v = page.locator('#verdict');
  await v.waitFor({ timeout: TIMEOUT });
  return v;
}

/** Drops a file on the drop zone the way a browser does (a drop event with a DataTransfer). */
async function dropFile(page, path, name, type = 'application/pdf') {
  const b64 = (await readFile(path)).toString('base64');
  const dataTransfer = await page.evaluateHandle(
    ({ b64, name, type }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      return dt;
    },
    { b64, name, type },
  );
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
}

describe('verification page /ui/verify', () => {
  before(async () => {
    dir = await makeDir();
    const data = join(dir, 'data');
    signedPath = join(dir, 'signed-contract.pdf');
    tamperedPath = join(dir, 'tampered-contract.pdf');
    // Signed with the instance's CA before the server starts on the same data directory.
    await runSignet(['sign', join(CORPUS, 'simple-a4.pdf'), signedPath, '--name', 'Ada Lovelace',
      '--data', data]);
    await writeFile(tamperedPath, tamper(await readFile(signedPath)));
    server = await startServer(data);
    browser = await launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) {
      const { code, signal, log } = await server.stop();
      assert.equal(code, 0, `signet serve exited with ${code ?? signal}:\n${log}`);
    }
    if (dir) await removeDir(dir);
  });

  test('page is served with its security headers and runs its own script under the CSP', async () => {
    const page = await openPage(browser);
    const response = await visit(page);
    assert.equal(response.status(), 200);
    const h = response.headers();
    assert.match(h['content-type'], /^text\/html; charset=utf-8/);
    assert.match(h['content-security-policy'], /default-src 'self'/);
    assert.match(h['content-security-policy'], /script-src 'self'(;|$)/);
    assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(h['x-frame-options'], 'DENY');
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['referrer-policy'], 'no-referrer');
    assert.match(h.etag, /^"[0-9a-f]{32}"$/);
    assert.equal(h['cache-control'], 'no-cache');

    // The stylesheet applied (dashed drop zone) and the texts came from the messages table.
    assert.equal(
      await page.locator('#drop-zone').evaluate((e) => getComputedStyle(e).borderTopStyle),
      'dashed',
    );
    assert.equal(await page.locator('h1').textContent(), 'Verify a signed PDF');
    assert.equal(await page.title(), 'Verify a signed PDF – Signet');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');

    // The root certificate link works.
    const href = await page.locator('#root-link').getAttribute('href');
    assert.equal(href, '/pki/root.pem');
    const pem = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    assert.match(pem, /^-----BEGIN CERTIFICATE-----/);

    assert.deepEqual(page.problems(), []);
    await page.context().close();
  });

  test('a PDF signed by signet sign shows as valid with the signer', async () => {
    const page = await openPage(browser);
    await visit(page);
    await page.setInputFiles('#file-input', signedPath);
    const v = await verdict(page);
    assert.equal(await v.getAttribute('data-valid'), 'true');
    assert.match(await v.textContent(), /The signatures are valid/);
    assert.match(await v.textContent(), /signed-contract\.pdf/);

    const cards = page.locator('article.signature');
    assert.equal(await cards.count(), 1);
    const card = cards.first();
    assert.equal(await card.getAttribute('data-status'), 'VALID');
    assert.match(await card.locator('h3').textContent(), /Signature 1: Ada Lovelace/);
    assert.match(await card.locator('.status-badge').textContent(), /Valid/);
    assert.equal(await card.locator('dd.signer').textContent(), 'Ada Lovelace');
    const text = await card.textContent();
    assert.match(text, /Simple electronic signature/);
    assert.match(text, /Signet Simple CA/);
    assert.match(text, /proven by a valid time stamp/);
    assert.match(text, /Revision covered\s*2 of 2/);
    assert.match(text, /Changed after signing\s*No\. This signature covers the whole file\./);
    assert.equal(await card.locator('time').count(), 2); // signing time and time stamp
    assert.equal(await page.locator('#error').isHidden(), true);
    assert.deepEqual(page.problems(), []);
    await page.context().close();
  });

  test('a signed PDF with a flipped byte, dropped on the page, shows as not valid with the reason', async () => {
    const page = await openPage(browser);
    await visit(page);
    await dropFile(page, tamperedPath, 'tampered-contract.pdf');
    const v = await verdict(page);
    assert.equal(await v.getAttribute('data-valid'), 'false');
    assert.match(await v.textContent(), /The signatures are not valid/);
    assert.match(await v.textContent(), /1 of 1 signatures not valid/);
    const card = page.locator('article.signature').first();
    assert.equal(await card.getAttribute('data-status'), 'INVALID');
    assert.match(await card.locator('.status-badge').textContent(), /Not valid/);
    assert.match(await card.locator('dd.problem').textContent(), /digest mismatch/);
    assert.deepEqual(page.problems(), []);
    await page.context().close();
  });

  test('an unsigned PDF shows as not signed', async () => {
    const page = await openPage(browser);
    await visit(page);
    await page.setInputFiles('#file-input', join(CORPUS, 'simple-a4.pdf'));
    const v = await verdict(page);
    assert.equal(await v.getAttribute('data-valid'), 'false');
    assert.match(await v.textContent(), /This PDF is not signed/);
    assert.equal(await page.locator('article.signature').count(), 0);
    assert.deepEqual(page.problems(), []);
    await page.context().close();
  });

  test('a file that is not a PDF shows the Error object\'s message', async () => {
    const page = await openPage(browser);
    await visit(page);
    await page.setInputFiles('#file-input', join(CORPUS, 'not-a-pdf.pdf'));
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.match(await error.textContent(), /The file could not be checked/);
    assert.match(await page.locator('#error-message').textContent(), /is not a PDF that can be verified/);
    assert.equal(await page.locator('#result').isHidden(), true);
    // The 400 itself is expected (chromium logs it to the console too); nothing else is.
    const unexpected = page
      .problems()
      .filter((p) => !/\/system\/api\/verify/.test(p) && !/status of 400/.test(p));
    assert.deepEqual(unexpected, []);
    assert.ok(page.problems().some((p) => /HTTP 400: POST .*\/system\/api\/verify/.test(p)));

    // A valid file afterwards replaces the error with the report.
    page.clearProblems();
    await page.setInputFiles('#file-input', signedPath);
    assert.equal(await (await verdict(page)).getAttribute('data-valid'), 'true');
    assert.equal(await error.isHidden(), true);
    assert.deepEqual(page.problems(), []);
    await page.context().close();
  });

  test('a file larger than the server accepts shows the Error object\'s message', async () => {
    // A second server with the smallest body limit; the PDF itself is ~34 kB.
    const small = await startServer(join(dir, 'small-data'), ['--max-body', '1024']);
    try {
      const page = await openPage(browser);
      const response = await page.goto(`${small.base}/ui/verify`);
      assert.equal(response.status(), 200);
      await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
      await page.setInputFiles('#file-input', signedPath);
      const error = page.locator('#error');
      await error.waitFor({ state: 'visible', timeout: TIMEOUT });
      assert.match(
        await page.locator('#error-message').textContent(),
        /^The request body has \d+ bytes; the limit is 1024 bytes\.$/,
      );
      assert.equal(await page.locator('#result').isHidden(), true);
      await page.context().close();
    } finally {
      const { code, log } = await small.stop();
      assert.equal(code, 0, log);
    }
  });

  test('the page speaks German with ?lang=de or a German browser', async () => {
    let page = await openPage(browser);
    await visit(page, '?lang=de');
    assert.equal(await page.locator('h1').textContent(), 'Signiertes PDF prüfen');
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await page.setInputFiles('#file-input', signedPath);
    assert.match(await (await verdict(page)).textContent(), /Die Signaturen sind gültig/);
    assert.deepEqual(page.problems(), []);
    await page.context().close();

    page = await openPage(browser, { locale: 'de-CH' });
    await visit(page);
    assert.equal(await page.locator('h1').textContent(), 'Signiertes PDF prüfen');
    await page.context().close();

    page = await openPage(browser, { locale: 'de-CH' });
    await visit(page, '?lang=en');
    assert.equal(await page.locator('h1').textContent(), 'Verify a signed PDF');
    await page.context().close();
  });

  test('static files revalidate with their ETag and nothing outside web/static is served', async () => {
    const first = await fetch(`${server.base}/ui/static/verify.js`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(first.headers.get('content-security-policy'), /default-src 'self'/);
    const etag = first.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    const again = await fetch(`${server.base}/ui/static/verify.js`, {
      headers: { 'If-None-Match': etag },
    });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    const css = await fetch(`${server.base}/ui/static/signet.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.notEqual(css.headers.get('etag'), etag);
    for (const path of ['/ui/static/', '/ui/static/nope.js', '/ui/static/%2e%2e/samples/sample.pdf',
      '/ui/static/..%2fpages%2fverify.html', '/ui/verify.html']) {
      const r = await fetch(`${server.base}${path}`);
      // fetch() resolves "%2e%2e" itself, so some never reach the /ui/static/ route.
      assert.equal(r.status, 404, path);
      assert.match((await r.json()).name, /^(Route)?NotFound$/, path);
    }
  });
});
