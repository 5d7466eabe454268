// Smart Registration Service in a real browser (docs/srs.md): the service provider creates a
// registration over the API; the end customer opens the link, chooses video identification;
// the simulator's test agent enters the ID data and approves; the customer confirms the SMS
// code (read from the outbox) and accepts the terms from the SMS link; the registration is
// ACTIVE with the version hash of the terms shown. Screenshots at 1280 px.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { SIGNET_BIN, openPage } from './lib/harness.mjs';
import { finishRegistration, withSrsServer } from './lib/srs.mjs';

const TIMEOUT = 120_000; // an upper bound for slow (sanitizer) builds, not a timing assertion
const SHOTS = process.env.SIGNET_SCREENSHOT_DIR || join(dirname(SIGNET_BIN), 'screenshots');
const MOBILE = '+41795550011';

const ctx = withSrsServer(SHOTS);
const api = (...args) => ctx.srs.api(...args);

describe('registration by video identification', () => {
  test('choose video, agent approves, SMS code, terms accepted: ACTIVE', { timeout: TIMEOUT * 3 }, async () => {
    const reg = await api('POST', '/srs/v1/registrations', {
      methods: ['SRS_VIDEO'], jurisdiction: 'CH', level: 'QUALIFIED', externalIdentifier: 'crm-7',
      redirectUrl: 'https://provider.example/done',
    });
    assert.equal(reg.status, 'OPEN');

    // The end customer chooses the method (German page).
    const page = await openPage(ctx.browser, { locale: 'de-CH' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(reg.url);
    const start = page.locator('button[data-method="SRS_VIDEO"]');
    await start.waitFor({ timeout: TIMEOUT });
    assert.equal((await page.locator('ul.methods h2').first().textContent()).trim(), 'Video-Identifikation');
    await page.screenshot({ path: join(SHOTS, 'srs-register-choose-1280.png'), fullPage: true });
    await start.click();
    const partner = page.locator('a.button[target="_blank"]');
    await partner.waitFor({ timeout: TIMEOUT });
    const simUrl = await partner.getAttribute('href');
    assert.match(simUrl, /\/srs\/sim\/video\/[0-9a-f]{32}$/);

    // The simulator's test agent checks the document and approves.
    const agent = await openPage(ctx.browser);
    await agent.goto(simUrl);
    await agent.locator('#sim').waitFor({ timeout: TIMEOUT });
    await agent.fill('#givenName', 'Zora');
    await agent.fill('#familyName', 'Quellmatt');
    await agent.fill('#birthDate', '1985-04-12');
    await agent.selectOption('#docType', 'ID_CARD');
    await agent.fill('#docNumber', 'C7654321');
    await agent.fill('#docExpiry', '2031-01-31');
    await agent.fill('#mobile', MOBILE);
    await agent.screenshot({ path: join(SHOTS, 'srs-sim-agent-1280.png'), fullPage: true });
    await agent.click('#approve');
    await agent.waitForFunction(() => document.getElementById('message').textContent.includes('AWAITING_TERMS'),
      null, { timeout: TIMEOUT });
    assert.deepEqual(agent.problems(), []);

    // Back on the registration page: the SMS code, then the terms from the SMS link: ACTIVE.
    const terms = await finishRegistration(ctx.srs, ctx.browser, page, {
      mobile: MOBILE, locale: 'de-CH', redirectUrl: 'https://provider.example/done', timeout: TIMEOUT,
      expect: { termsSent: 'Nutzungsbedingungen', terms: /Nutzungsbedingungen Ihrer Signet-Registrierung/,
        active: /Registrierung ist abgeschlossen/ },
      shoot: (terms) => terms.screenshot({ path: join(SHOTS, 'srs-terms-1280.png'), fullPage: true }),
    });

    const done = await api('GET', `/srs/v1/registrations/${reg.id}`);
    assert.equal(done.status, 'ACTIVE');
    assert.equal(done.verified_claims.claims.family_name, 'Quellmatt');
    assert.equal(done.verified_claims.verification.evidence[0].document_details.type, 'idcard');
    assert.match(done.termsVersionHash, /^[0-9a-f]{64}$/);
    assert.equal(done.identityShared, true);
    assert.match(done.consentTextHash, /^[0-9a-f]{64}$/);

    // The person withdraws the consent on the same terms page: the service provider gets no
    // identity data any more (docs/srs.md "Consent"), the registration stays ACTIVE.
    assert.match(await terms.textContent('#consentText'), /Ich willige ein, dass Org/);
    await terms.click('#withdraw');
    await terms.locator('#give').waitFor({ timeout: TIMEOUT });
    assert.match(await terms.textContent('#consentState'), /nicht eingewilligt/);
    assert.deepEqual(terms.problems(), []);
    const withdrawn = await api('GET', `/srs/v1/registrations/${reg.id}`);
    assert.equal(withdrawn.status, 'ACTIVE');
    assert.equal(withdrawn.identityShared, false);
    assert.equal(withdrawn.verified_claims, undefined);
    const evidence = await ctx.srs.call('GET', `/srs/v1/registrations/${reg.id}/evidence`);
    assert.equal(evidence.status, 403);
    assert.match(evidence.json.message, /not consented/);
  });
});
