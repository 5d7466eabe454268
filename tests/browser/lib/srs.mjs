// The Smart Registration Service's browser tests (srs_*.test.mjs, docs/srs.md) share this: a
// server with an organization and an API client holding the srs:* scopes, the API called with
// its token, and the outbox read from the database (the SMS codes and terms links; testSql).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { INSERT_ORDER, launchBrowser, makeDir, openPage, removeDir, runSignet, startServer, testSql } from './harness.mjs';

/** Starts the server; resolves to { base, dir, api(method, path, body), call(…), newestSms(mobile, kind), stop() }. */
export async function startSrsServer() {
  const dir = await makeDir();
  const org = JSON.parse((await runSignet(['admin', 'org', 'create', '--name', 'Org', '--type', 'CORPORATE',
    '--data', dir, '--log-level', 'error', '--json'])).stdout);
  const client = JSON.parse((await runSignet(['admin', 'client', 'create', '--org', org.id, '--scopes',
    'srs:registration:create srs:registration:read srs:identity:read', '--data', dir, '--log-level', 'error',
    '--json'])).stdout);
  const server = await startServer(dir, ['--job-interval', '0']);
  const r = await fetch(`${server.base}/realms/signet/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${client.client_id}&client_secret=${client.client_secret}`,
  });
  const token = (await r.json()).access_token;
  assert.ok(token);

  const sql = (query) => testSql(dir, query);
  return {
    base: server.base,
    dir, // the data directory, for `signet admin …` commands while the server runs
    async api(method, path, body) {
      const { ok, status, json } = await this.call(method, path, body);
      assert.ok(ok, `${method} ${path}: ${status} ${JSON.stringify(json)}`);
      return json;
    },
    /** The API's answer whatever its status: { ok, status, json }. */
    async call(method, path, body) {
      const res = await fetch(`${server.base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { ok: res.ok, status: res.status, json: await res.json() };
    },
    async newestSms(mobile, kind) {
      const text = await sql(`SELECT body FROM outbox WHERE recipient = '${mobile}' AND kind = '${kind}' ` +
        `ORDER BY created_at DESC, ${INSERT_ORDER} DESC LIMIT 1`);
      assert.ok(text, `an SMS of kind ${kind}`);
      return text;
    },
    async stop() {
      const { code } = await server.stop();
      await removeDir(dir);
      assert.equal(code, 0, 'the server exits cleanly');
    },
  };
}

/**
 * Registers the test file's before/after: the server (ctx.srs), a browser (ctx.browser) and the
 * screenshots' directory shots; both closed at the end.
 */
export function withSrsServer(shots) {
  const ctx = {};
  before(async () => {
    ctx.srs = await startSrsServer();
    ctx.browser = await launchBrowser();
    await mkdir(shots, { recursive: true });
  });
  after(async () => {
    if (ctx.browser) await ctx.browser.close();
    if (ctx.srs) await ctx.srs.stop();
  });
  return ctx;
}

/**
 * The end of every method's flow, on the registration page `page` (reloaded: the partner has
 * decided): the SMS code to `mobile` entered, then the terms link from the next SMS opened in
 * a new page of `locale` and accepted. `expect` holds the page language's texts: termsSent
 * (after the code), terms (in the terms text), active (after accepting); the terms page is
 * returned (on the service provider's redirect button) after shoot(termsPage) ran on it.
 * consent (default true): the person also ticks the consent that the service provider
 * receives the identity data (unticked on the page; docs/srs.md "Consent").
 */
export async function finishRegistration(srs, browser, page, { mobile, locale, expect, redirectUrl, timeout, shoot, consent = true }) {
  await page.reload();
  await page.locator('#send').waitFor({ timeout });
  await page.click('#send');
  await page.waitForFunction(() => !document.getElementById('message').hidden, null, { timeout });
  const code = (await srs.newestSms(mobile, 'CODE')).match(/(?<!\d)(\d{6})(?!\d)/)[1];
  await page.fill('#code', code);
  await page.click('#verify');
  await page.waitForFunction((text) => document.getElementById('message').textContent.includes(text),
    expect.termsSent, { timeout });
  assert.deepEqual(page.problems(), []);

  const link = (await srs.newestSms(mobile, 'SRS_TERMS')).match(/https?:\/\/\S+\/srs\/terms\/[A-Za-z0-9_-]+/)[0];
  const terms = await openPage(browser, { locale });
  await terms.setViewportSize({ width: 1280, height: 900 });
  await terms.goto(link);
  await terms.locator('#accept').waitFor({ timeout });
  assert.match(await terms.textContent('pre.terms'), expect.terms);
  assert.equal(await terms.isChecked('#consent'), false, 'the consent is not ticked beforehand');
  if (consent) await terms.check('#consent');
  if (shoot) await shoot(terms);
  await terms.click('#accept');
  await terms.locator(`a.button[href="${redirectUrl}"]`).waitFor({ timeout });
  assert.match(await terms.textContent('#message'), expect.active);
  assert.deepEqual(terms.problems(), []);
  return terms;
}
