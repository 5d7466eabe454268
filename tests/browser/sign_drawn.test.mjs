// The drawn signature on the signer page (docs/signer-pages.md, "Drawn signature"): both
// signers' positions ask for CUSTOM_VISUAL_SIGNATURE_PROVIDER. Anna tries to sign without a
// drawing (the page says to draw first and nothing is signed), draws with the mouse on the
// pad (screenshots at 1280 and 390 px), signs with CLICK and downloads a file that pdfsig
// validates and whose signature appearance draws an image. Beat, on the German page, uses
// only the keyboard: types his name, which is written onto the pad, and signs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CORPUS,
  INSERT_ORDER,
  SIGNET_BIN,
  launchBrowser,
  makeDir,
  openPage,
  removeDir,
  runSignet,
  startServer,
  testSql,
} from './lib/harness.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');

let dir;
let server;
let browser;
let token;

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && err.code === 'ENOENT') reject(err);
      else resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

async function api(method, path, body) {
  const r = await fetch(`${server.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

async function releasedProcess() {
  const p = await api('POST', '/system/api/process', {
    signatureLevel: 'SIMPLE',
    initiator: { type: 'NON_PERSON', name: 'ERP' },
    invitees: {
      signers: [
        { type: 'SIGNER', externalIdentifier: 'crm-a', firstName: 'Anna', lastName: 'Muster', email: 'anna@example.com' },
        { type: 'SIGNER', externalIdentifier: 'crm-b', firstName: 'Beat', lastName: 'Beispiel', email: 'beat@example.com' },
      ],
    },
  });
  const pdf = await readFile(join(CORPUS, 'simple-a4.pdf'));
  const custom = 'CUSTOM_VISUAL_SIGNATURE_PROVIDER';
  await api('POST', `/system/api/process/${p.id}/attach`, {
    name: 'Offer.pdf',
    contentType: 'application/pdf',
    content: pdf.toString('base64'),
    signaturePositions: [
      { signer: 'crm-a', pageNumber: 0, positionX: 60, positionY: 600, stickerProvider: custom },
      { signer: 'crm-b', pageNumber: 0, positionX: 300, positionY: 600, stickerProvider: custom },
    ],
  });
  const rel = await api('POST', `/system/api/process/${p.id}/release`, {});
  const ids = Object.fromEntries(p.invitees.signers.map((s) => [s.externalIdentifier, s.identification]));
  const url = (ext) => rel.participants.find((x) => x.id === ids[ext]).url;
  return { id: p.id, ids, a: url('crm-a'), b: url('crm-b') };
}

async function outboxCode(participantId) {
  const stdout = await testSql(dir,
    `SELECT body FROM outbox WHERE participant_id = '${participantId}' AND kind = 'CODE' ORDER BY created_at DESC, ${INSERT_ORDER} DESC LIMIT 1`);
  const m = stdout.match(/(?<!\d)(\d{6})(?!\d)/);
  assert.ok(m, `a code in the outbox message: ${stdout}`);
  return m[1];
}

async function authorize(page, participantId) {
  await page.locator('#authorize').waitFor({ timeout: TIMEOUT });
  await page.click('#send-code');
  await page.locator('#code-form').waitFor({ timeout: TIMEOUT });
  await page.fill('#code-input', await outboxCode(participantId));
  await page.click('#code-form button[type="submit"]');
}

/** The number of appearance streams of file that draw an image (/Img, see appearance.c). */
async function drawnAppearances(file) {
  const qdf = `${file}.qdf`;
  await run('qpdf', ['--qdf', '--object-streams=disable', file, qdf]);
  const text = (await readFile(qdf)).toString('latin1');
  assert.match(text, /\/Subtype \/Image/);
  return (text.match(/\/Img \d+ 0 R/g) || []).length;
}

/**
 * Runs in the page: the number of non-transparent pixels on the pad's canvas, or with `least`
 * whether there are more than that.
 */
function countInk(least = null) {
  // Read from a copy, so that the page's own canvas is never read back (Chrome warns when a
  // canvas is read often without willReadFrequently).
  const c = document.getElementById('pad-canvas');
  const copy = document.createElement('canvas');
  copy.width = c.width;
  copy.height = c.height;
  const ctx = copy.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(c, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return least === null ? n : n > least;
}

function inked(page) {
  return page.evaluate(countInk, null);
}

/**
 * Waits until the pad shows more than `min` inked pixels. Chrome hands pointer moves to the page
 * aligned with its frames, so the last strokes can be drawn a frame after mouse.up() returns.
 */
async function waitInked(page, min) {
  await page.waitForFunction(countInk, min, { timeout: TIMEOUT });
}

async function signerStatus(p, ext) {
  const status = await api('GET', `/system/api/process/${p.id}`);
  return status.invitees.signers.find((s) => s.externalIdentifier === ext).status;
}

before(async () => {
  dir = await makeDir();
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Org', '--type', 'CORPORATE',
    '--data', dir, '--log-level', 'error', '--json'])).stdout);
  const client = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', org.id, '--scopes',
    'sswp:process:create sswp:process:read sswp:process:read:all', '--data', dir, '--log-level', 'error',
    '--json'])).stdout);
  server = await startServer(dir);
  const r = await fetch(`${server.base}/realms/signet/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${client.client_id}&client_secret=${client.client_secret}`,
  });
  token = (await r.json()).access_token;
  assert.ok(token);
  browser = await launchBrowser();
  await mkdir(SHOTS, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const { code } = await server.stop();
    assert.equal(code, 0, 'the server exits cleanly');
  }
  if (dir) await removeDir(dir);
});

describe('drawn signature', () => {
  let p;
  test('draw with the mouse, sign, the signed file shows the drawing', { timeout: TIMEOUT * 3 }, async () => {
    p = await releasedProcess();
    const page = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(p.a);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await authorize(page, p.ids['crm-a']);
    await page.locator('#pad-canvas').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.textContent('#pad-title'), 'Your handwritten signature');
    assert.equal(await page.getAttribute('#pad-canvas', 'aria-label'), 'Signature field: draw your signature here');

    // Without a drawing nothing is signed: the page says what to do.
    await page.click('#methods button[data-method="CLICK"]');
    await page.locator('#pad-status.error').waitFor({ timeout: TIMEOUT });
    assert.match(await page.textContent('#pad-status'), /Draw your signature/);
    assert.ok(await page.locator('#error').isHidden(), 'the message is under the pad, not above it');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'pad-name');
    assert.equal(await signerStatus(p, 'crm-a'), 'PENDING');

    // Draw a stroke with the mouse.
    // The mouse draws where the pad is on the screen: bring it into view as a signer would.
    await page.locator('#pad-canvas').scrollIntoViewIfNeeded();
    const pad = await page.locator('#pad-canvas').boundingBox();
    await page.mouse.move(pad.x + pad.width * 0.1, pad.y + pad.height * 0.7);
    await page.mouse.down();
    // The pen's first touch must not move the pad (it did, when the message sat above it).
    assert.deepEqual(await page.locator('#pad-canvas').boundingBox(), pad, 'the pad stays put');
    for (let i = 1; i <= 20; i++) {
      const x = pad.x + pad.width * (0.1 + 0.04 * i);
      const y = pad.y + pad.height * (0.5 + 0.25 * Math.sin(i / 2));
      await page.mouse.move(x, y, { steps: 2 });
    }
    await page.mouse.up();
    assert.deepEqual(await page.locator('#pad-canvas').boundingBox(), pad, 'nothing moved the pad while drawing');
    await waitInked(page, 100); // the stroke is on the canvas
    assert.equal(await page.textContent('#pad-status'), 'Your signature is ready.');
    assert.ok(!(await page.locator('#pad-status').getAttribute('class')).includes('error'), 'the message to draw first is gone');
    await page.screenshot({ path: join(SHOTS, 'sign-drawn-pad-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#pad').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'sign-drawn-pad-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Clear empties it; draw again and sign.
    await page.click('#pad-clear');
    assert.equal(await inked(page), 0);
    await page.locator('#pad-canvas').scrollIntoViewIfNeeded();
    const again = await page.locator('#pad-canvas').boundingBox();
    await page.mouse.move(again.x + 20, again.y + again.height / 2);
    await page.mouse.down();
    await page.mouse.move(again.x + again.width - 20, again.y + again.height / 3, { steps: 10 });
    await page.mouse.up();
    await page.click('#methods button[data-method="CLICK"]');
    await page.locator('#final-title').filter({ hasText: 'You have signed' }).waitFor({ timeout: TIMEOUT });

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('a.download-signed'),
    ]);
    const saved = join(dir, 'drawn.pdf');
    await download.saveAs(saved);
    const sig = await run('pdfsig', [saved]);
    assert.match(sig.stdout, /Signature is Valid\./, sig.stdout + sig.stderr);
    assert.equal(await drawnAppearances(saved), 1, 'the appearance draws the drawing');
    assert.deepEqual(page.problems(), []);
  });

  test('keyboard: the typed name is written as the signature (German page)', { timeout: TIMEOUT * 3 }, async () => {
    const page = await openPage(browser, { locale: 'de-CH' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(p.b);
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await authorize(page, p.ids['crm-b']);
    await page.locator('#pad-canvas').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.textContent('#pad-title'), 'Ihre handschriftliche Unterschrift');
    await page.focus('#pad-name');
    await page.keyboard.type('Beat Beispiel');
    await page.keyboard.press('Enter');
    assert.ok((await inked(page)) > 100, 'the name is written on the canvas');
    assert.equal(await page.textContent('#pad-status'), 'Ihre Unterschrift ist bereit.');
    await page.screenshot({ path: join(SHOTS, 'sign-drawn-typed-390.png'), fullPage: true });
    await page.focus('#methods button[data-method="CLICK"]');
    await page.keyboard.press('Enter');
    await page.locator('#final').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => !document.getElementById('final').hidden, null, { timeout: TIMEOUT });
    assert.equal(await signerStatus(p, 'crm-b'), 'SIGNED');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('a.download-signed'),
    ]);
    const saved = join(dir, 'typed.pdf');
    await download.saveAs(saved);
    const sig = await run('pdfsig', [saved]);
    assert.equal((sig.stdout.match(/Signature is Valid\./g) || []).length, 2, sig.stdout);
    assert.equal(await drawnAppearances(saved), 2, 'both appearances draw a signature');
    assert.deepEqual(page.problems(), []);
  });
});
