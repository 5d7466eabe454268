// The page texts (docs/web.md "Languages"), checked without a browser: every language in
// ui.js's LANGUAGES has a table with exactly the keys of en.js, each a non-empty string with
// the same {placeholders}, and differs from English (it was translated, not copied); every key
// the pages use (data-i18n, data-i18n-attr, t('…') in the modules) is in en.js; and the
// language choice of ui.js picks fr / it from ?lang= and from fr-CH / it-CH browsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';

const WEB = new URL('../../web/', import.meta.url);
const { LANGUAGES, pickLanguage } = await import(new URL('static/ui.js', WEB));

async function table(lang) {
  return (await import(new URL(`static/i18n/${lang}.js`, WEB))).default;
}

function placeholders(text) {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

test('the languages are English, German, French and Italian, with a table each', async () => {
  assert.deepEqual(LANGUAGES, ['en', 'de', 'fr', 'it']);
  const files = (await readdir(new URL('static/i18n/', WEB))).filter((f) => f.endsWith('.js'));
  assert.deepEqual(files.map((f) => f.slice(0, -3)).sort(), [...LANGUAGES].sort(),
    'every table is in LANGUAGES and every language has a table');
});

test('every language has exactly the keys of en.js, with the same placeholders', async () => {
  const en = await table('en');
  const enKeys = Object.keys(en).sort();
  assert.ok(enKeys.length > 200, 'en.js has the texts of every page');
  for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
    const other = await table(lang);
    const keys = Object.keys(other).sort();
    assert.deepEqual(keys.filter((k) => !(k in en)), [], `${lang}.js has no key that en.js lacks`);
    assert.deepEqual(enKeys.filter((k) => !(k in other)), [], `${lang}.js has every key of en.js`);
    let same = 0;
    for (const key of enKeys) {
      assert.equal(typeof other[key], 'string', `${lang} ${key} is a string`);
      assert.ok(other[key].trim().length > 0, `${lang} ${key} is not empty`);
      assert.deepEqual(placeholders(other[key]), placeholders(en[key]), `${lang} ${key}: placeholders`);
      if (other[key] === en[key]) same++;
    }
    // Names and codes (Signet, Passkey, E-Mail, 1 page…) may stay as in English; sentences not.
    assert.ok(same < enKeys.length / 10, `${lang}.js is translated (${same} texts equal to English)`);
  }
});

test('every key the pages and modules use is in en.js', async () => {
  const en = await table('en');
  const used = new Set();
  for (const f of await readdir(new URL('pages/', WEB))) {
    const html = await readFile(new URL(`pages/${f}`, WEB), 'utf8');
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) used.add(m[1]);
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g))
      for (const pair of m[1].split(';')) used.add(pair.split(':')[1].trim());
  }
  for (const f of await readdir(new URL('static/', WEB))) {
    if (!f.endsWith('.js')) continue;
    const js = await readFile(new URL(`static/${f}`, WEB), 'utf8');
    for (const m of js.matchAll(/\bt\(\s*'([\w.]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 100);
  assert.deepEqual([...used].filter((k) => !(k in en)).sort(), [], 'keys used but missing in en.js');
});

// The reasons the server gives beside its English messages (core/reason.h): the literal keys of
// reason_message / reason_tag / reply_reason calls, of `const char *reason = …;` and of the
// functions named *_reason in src/. Each needs error.<reason> in en.js (and so in every table);
// a page shows the server's English message only for a reason it does not know.
async function serverReasons() {
  const reasons = new Set();
  const root = new URL('../../src/', import.meta.url);
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.c'));
  const key = /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/;
  for (const f of files) {
    const c = await readFile(new URL(f, root), 'utf8');
    if (!c.includes('reason')) continue;
    const spans = [
      ...c.matchAll(/\b(?:reason_message|reason_tag|reply_reason)\s*\(([^;]*);/g),
      ...c.matchAll(/const char \*reason\s*=([^;]*);/g),
    ].map((m) => m[1].replace(/json_pack\([^)]*\)/g, ''));
    for (const m of c.matchAll(/^static const char \*\w+_reason\([^)]*\)\s*\{([\s\S]*?)^\}/gm))
      spans.push([...m[1].matchAll(/return\s+("[^"]*")/g)].map((r) => r[1]).join(' '));
    for (const span of spans)
      for (const lit of span.matchAll(/"([^"\\]*)"/g)) if (key.test(lit[1])) reasons.add(lit[1]);
  }
  return reasons;
}

test('every reason the server gives has a text (error.<reason>) in en.js', async () => {
  const en = await table('en');
  const reasons = await serverReasons();
  for (const r of ['code.wrong', 'code.locked', 'code.expired', 'link.invalid', 'unavailable'])
    assert.ok(reasons.has(r), `the scan finds the reason ${r} in src/`);
  assert.deepEqual([...reasons].filter((r) => !(`error.${r}` in en)).sort(), [],
    'reasons without a text in en.js');
});

test('?lang= and the browser languages choose French and Italian', () => {
  assert.equal(pickLanguage('?lang=fr', ['de-CH']), 'fr');
  assert.equal(pickLanguage('?lang=it', ['en-US']), 'it');
  assert.equal(pickLanguage('', ['fr-CH', 'de-CH']), 'fr');
  assert.equal(pickLanguage('', ['rm-CH', 'it-CH']), 'it');
  assert.equal(pickLanguage('?lang=xx', ['es-ES']), 'en');
});
