// The setup page (docs/setup-page.md): edit the signers of a CREATED process, drag each
// signer's signature field onto the rendered pages (or place it with the keyboard), choose the
// level and methods, and release. Talks to /ui/api/setup with the session cookie and the
// X-CSRF-Token header; texts by data-i18n (setup.* keys), DOM built with textContent only.
import { applyMessages, el, fetchJson, loadMessages, pickLanguage, t, ApiError } from './ui.js';

const API = '/ui/api/setup';
const STEP = 5; // points an arrow key moves a field (Shift: 5×)
const $ = (id) => document.getElementById(id);

let state = null;
let selected = null; // signer id chosen for keyboard placement
let drag = null; // the drag in progress

function showError(message) {
  $('error-message').textContent = message;
  $('error').hidden = !message;
}

function progress(key) {
  $('progress').textContent = key ? t(key) : '';
  $('progress').hidden = !key;
}

async function post(path, body) {
  return fetchJson(`${API}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state.csrfToken },
    body: JSON.stringify(body),
  });
}

function signerName(s) {
  const name = `${s.firstName || ''} ${s.lastName || ''}`.trim();
  return name || s.email || s.mobile || s.externalIdentifier || s.id;
}

function signerIndex(id) {
  return state.signers.findIndex((s) => s.id === id);
}

// ---- signers ----

function field(name, type, value, labelKey, rowId, autocomplete) {
  const id = `${rowId}-${name}`;
  return el('p', { class: 'field' },
    el('label', { for: id }, t(labelKey)),
    el('input', { id, name, type, value: value || '', autocomplete }));
}

let rowCounter = 0;
function signerRow(s) {
  const rowId = `signer-${rowCounter++}`;
  const li = el('li', { class: 'signer-row', 'data-id': s ? s.id : '' },
    el('div', { class: 'signer-fields' },
      field('firstName', 'text', s && s.firstName, 'setup.firstName', rowId, 'off'),
      field('lastName', 'text', s && s.lastName, 'setup.lastName', rowId, 'off'),
      field('email', 'email', s && s.email, 'setup.email', rowId, 'off'),
      field('mobile', 'tel', s && s.mobile, 'setup.mobile', rowId, 'off')),
    el('button', { type: 'button', class: 'button secondary remove-signer' }, t('setup.removeSigner')));
  li.querySelector('.remove-signer').addEventListener('click', () => li.remove());
  return li;
}

function renderSigners() {
  const list = $('signer-rows');
  list.replaceChildren(...state.signers.map((s) => signerRow(s)));
  if (state.signers.length === 0) list.append(signerRow(null));
}

async function saveSigners(event) {
  event.preventDefault();
  showError('');
  const signers = [...$('signer-rows').children].map((li) => {
    const o = {};
    if (li.dataset.id) o.id = li.dataset.id;
    for (const input of li.querySelectorAll('input')) if (input.value.trim()) o[input.name] = input.value.trim();
    return o;
  });
  progress('setup.saving');
  try {
    await post('/signers', { signers });
    await reload();
    progress('setup.signersSaved');
  } catch (e) {
    progress(null);
    showError(e.message);
  }
}

// ---- palette and fields ----

function renderPalette() {
  const palette = $('palette');
  palette.replaceChildren();
  if (state.signers.length === 0) {
    palette.append(el('p', { class: 'hint' }, t('setup.noSigners')));
    return;
  }
  state.signers.forEach((s, i) => {
    const chip = el('button', {
      type: 'button', class: `chip c${i % 6}`, 'data-signer': s.id,
      'aria-pressed': selected === s.id ? 'true' : 'false',
      title: t('setup.chipTitle'),
    }, signerName(s));
    chip.addEventListener('pointerdown', (ev) => startDrag(ev, { signer: s.id, doc: null, index: -1 }));
    chip.addEventListener('click', () => {
      selected = selected === s.id ? null : s.id;
      renderPalette();
      progress(selected ? 'setup.selected' : null);
    });
    palette.append(chip);
  });
}

function pageSize(doc, page) {
  return doc.pages[page] || { width: 595, height: 842 };
}

function placeBox(box, doc, p) {
  const size = pageSize(doc, p.pageNumber);
  box.style.left = `${(100 * p.positionX) / size.width}%`;
  box.style.top = `${(100 * p.positionY) / size.height}%`;
  box.style.width = `${(100 * state.sticker.width) / size.width}%`;
  box.style.height = `${(100 * state.sticker.height) / size.height}%`;
}

function fieldBox(doc, p, index) {
  const i = signerIndex(p.signer);
  const s = state.signers[i];
  const name = s ? signerName(s) : p.signer;
  const label = t('setup.fieldLabel', { name, page: p.pageNumber + 1 });
  const box = el('div', {
    class: `field-box c${Math.max(i, 0) % 6}`, tabindex: '0', role: 'button', 'aria-label': label,
    'data-signer': p.signer, 'data-index': String(index),
  }, el('span', {}, name),
  el('button', { type: 'button', class: 'remove-field', 'aria-label': t('setup.removeField', { name }) }, '×'));
  placeBox(box, doc, p);
  box.querySelector('.remove-field').addEventListener('click', (ev) => {
    ev.stopPropagation();
    removeField(doc, index);
  });
  box.querySelector('.remove-field').addEventListener('pointerdown', (ev) => ev.stopPropagation());
  box.addEventListener('pointerdown', (ev) => startDrag(ev, { signer: p.signer, doc, index }));
  box.addEventListener('keydown', (ev) => fieldKey(ev, doc, index));
  return box;
}

function renderDocuments() {
  const root = $('documents');
  root.replaceChildren();
  for (const doc of state.documents) {
    const pages = el('div', { class: 'pages' });
    for (let n = 0; n < doc.pageCount; n++) {
      const frame = el('div', {
        class: 'page-frame', tabindex: '0', role: 'group', 'data-doc': doc.id, 'data-page': String(n),
        'aria-label': t('setup.pageLabel', { page: n + 1, count: doc.pageCount, name: doc.name }),
      }, el('img', {
        class: 'page-image', alt: '', draggable: 'false',
        src: `${API}/document/${encodeURIComponent(doc.id)}/page/${n}?width=1000`,
      }));
      doc.signaturePositions.forEach((p, index) => {
        if (p.pageNumber === n) frame.append(fieldBox(doc, p, index));
      });
      frame.addEventListener('keydown', (ev) => pageKey(ev, doc, n));
      pages.append(el('figure', { class: 'page' }, frame,
        el('figcaption', {}, t('setup.pageCaption', { page: n + 1, count: doc.pageCount }))));
    }
    root.append(el('section', { class: 'document' }, el('h3', {}, doc.name), pages));
  }
}

function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), Math.max(lo, hi));
}

async function savePositions(doc, focus) {
  showError('');
  try {
    await post('/positions', {
      documentId: doc.id,
      signaturePositions: doc.signaturePositions.map((p) => ({
        signer: p.signer, pageNumber: p.pageNumber, positionX: p.positionX, positionY: p.positionY,
      })),
    });
    renderDocuments();
    progress('setup.fieldsSaved');
    if (focus !== undefined) {
      const box = document.querySelector(`.field-box[data-index="${focus}"]`);
      const frame = box && box.closest(`.page-frame[data-doc="${doc.id}"]`);
      if (frame) box.focus();
    }
  } catch (e) {
    showError(e.message);
    await reload();
  }
}

function removeField(doc, index) {
  doc.signaturePositions.splice(index, 1);
  savePositions(doc);
}

// Keyboard: Enter on a focused page places the selected signer's field in its middle.
function pageKey(ev, doc, page) {
  if (ev.target !== ev.currentTarget || (ev.key !== 'Enter' && ev.key !== ' ')) return;
  ev.preventDefault();
  if (!selected) {
    progress('setup.selectFirst');
    return;
  }
  const size = pageSize(doc, page);
  doc.signaturePositions.push({
    signer: selected, pageNumber: page,
    positionX: Math.round(clamp((size.width - state.sticker.width) / 2, 0, size.width - state.sticker.width)),
    positionY: Math.round(clamp((size.height - state.sticker.height) / 2, 0, size.height - state.sticker.height)),
  });
  savePositions(doc, doc.signaturePositions.length - 1);
}

// Keyboard on a field: arrows move it, Delete/Backspace removes it.
function fieldKey(ev, doc, index) {
  if (ev.target !== ev.currentTarget) return;
  const p = doc.signaturePositions[index];
  if (ev.key === 'Delete' || ev.key === 'Backspace') {
    ev.preventDefault();
    removeField(doc, index);
    return;
  }
  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  const m = moves[ev.key];
  if (!m) return;
  ev.preventDefault();
  const step = ev.shiftKey ? STEP * 5 : STEP;
  const size = pageSize(doc, p.pageNumber);
  p.positionX = Math.round(clamp(p.positionX + m[0] * step, 0, size.width - state.sticker.width));
  p.positionY = Math.round(clamp(p.positionY + m[1] * step, 0, size.height - state.sticker.height));
  savePositions(doc, index);
}

// ---- dragging with the pointer ----

function frameAt(x, y) {
  for (const node of document.elementsFromPoint(x, y)) {
    if (node.classList && node.classList.contains('page-frame')) return node;
  }
  return null;
}

function startDrag(ev, what) {
  if (ev.button !== 0 || !state || state.state !== 'SETUP') return;
  const first = document.querySelector('.page-frame');
  if (!first) return;
  ev.preventDefault();
  const docOfFirst = state.documents.find((d) => d.id === first.dataset.doc);
  const scale = first.getBoundingClientRect().width / pageSize(docOfFirst, 0).width;
  const w = state.sticker.width * scale;
  const h = state.sticker.height * scale;
  // A field being moved keeps the point where it was grabbed; a new one is centred.
  let gx = w / 2;
  let gy = h / 2;
  if (what.index >= 0) {
    const r = ev.currentTarget.getBoundingClientRect();
    gx = ev.clientX - r.left;
    gy = ev.clientY - r.top;
  }
  const i = signerIndex(what.signer);
  const ghost = el('div', { class: `field-ghost c${Math.max(i, 0) % 6}`, 'aria-hidden': 'true' },
    signerName(state.signers[i] || { id: what.signer }));
  ghost.style.width = `${w}px`;
  ghost.style.height = `${h}px`;
  document.body.append(ghost);
  drag = { ...what, ghost, gx, gy, startX: ev.clientX, startY: ev.clientY, moved: false };
  moveGhost(ev);
  document.addEventListener('pointermove', moveGhost);
  document.addEventListener('pointerup', endDrag, { once: true });
}

function moveGhost(ev) {
  if (!drag) return;
  if (Math.abs(ev.clientX - drag.startX) + Math.abs(ev.clientY - drag.startY) > 4) drag.moved = true;
  drag.ghost.hidden = !drag.moved;
  drag.ghost.style.left = `${ev.clientX - drag.gx}px`;
  drag.ghost.style.top = `${ev.clientY - drag.gy}px`;
  for (const f of document.querySelectorAll('.page-frame.drop-target')) f.classList.remove('drop-target');
  const frame = drag.moved ? frameAt(ev.clientX, ev.clientY) : null;
  if (frame) frame.classList.add('drop-target');
}

function endDrag(ev) {
  document.removeEventListener('pointermove', moveGhost);
  const d = drag;
  drag = null;
  if (!d) return;
  d.ghost.remove();
  for (const f of document.querySelectorAll('.page-frame.drop-target')) f.classList.remove('drop-target');
  if (!d.moved) return; // a click: the chip's click handler selects it
  const frame = frameAt(ev.clientX, ev.clientY);
  if (!frame) return;
  const doc = state.documents.find((x) => x.id === frame.dataset.doc);
  if (!doc || (d.doc && d.doc !== doc)) {
    progress('setup.sameDocument');
    return;
  }
  const page = Number(frame.dataset.page);
  const size = pageSize(doc, page);
  const rect = frame.getBoundingClientRect();
  const scale = rect.width / size.width;
  const x = (ev.clientX - d.gx - rect.left) / scale;
  const y = (ev.clientY - d.gy - rect.top) / scale;
  const p = {
    signer: d.signer, pageNumber: page,
    positionX: Math.round(clamp(x, 0, size.width - state.sticker.width)),
    positionY: Math.round(clamp(y, 0, size.height - state.sticker.height)),
  };
  if (d.index >= 0) doc.signaturePositions[d.index] = p;
  else doc.signaturePositions.push(p);
  savePositions(doc);
}

// ---- release ----

function renderMethods() {
  const level = state.levels.find((l) => l.level === $('level').value);
  const list = $('method-list');
  list.replaceChildren();
  for (const m of level ? level.methods : []) {
    const id = `method-${m}`;
    // Checked by default: the methods every tenant may use at this level.
    const box = el('input', { type: 'checkbox', id, value: m, checked: m !== 'PASSKEY' && m !== 'OSS' });
    list.append(el('p', { class: 'method' }, box, el('label', { for: id }, t(`setup.method.${m}`))));
  }
}

function renderRelease() {
  const select = $('level');
  select.replaceChildren(...state.levels.map((l) =>
    el('option', { value: l.level, selected: l.level === state.process.signatureLevel }, t(`setup.level.${l.level}`))));
  renderMethods();
}

function locale() {
  const map = { en: 'en-GB', de: 'de-CH', fr: 'fr-CH', it: 'it-CH' };
  if (state.language) return state.language;
  return map[document.documentElement.lang] || 'en-GB';
}

async function release(event) {
  event.preventDefault();
  showError('');
  const methods = [...$('method-list').querySelectorAll('input:checked')].map((i) => i.value);
  const body = { signatureLevel: $('level').value, release: {} };
  if (methods.length) body.release.signatureMethods = methods;
  const day = $('valid-until').value;
  if (day) body.release.validUntil = new Date(`${day}T23:59:59`).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if ($('notify').checked) body.release.notification = { locale: locale() };
  $('release').disabled = true;
  progress('setup.releasing');
  try {
    await post('/release', body);
    await reload();
  } catch (e) {
    progress(null);
    showError(e.message);
  } finally {
    $('release').disabled = false;
  }
}

// ---- page states ----

function showFinal(titleKey, textKey) {
  $('editor').hidden = true;
  $('lead').hidden = true;
  $('final').hidden = false;
  $('final-title').textContent = t(titleKey);
  $('final-text').textContent = t(textKey);
  const cont = $('final-continue');
  const url = state && (state.successUrl || state.backUrl);
  cont.hidden = !url;
  if (url) cont.href = url;
}

function render() {
  if (state.backUrl) {
    $('back-link').href = state.backUrl;
    $('back-link').hidden = false;
  }
  if (state.state === 'RELEASED') {
    progress(null);
    showFinal('setup.releasedTitle', 'setup.releasedText');
    return;
  }
  if (state.state === 'EXPIRED') {
    showFinal('setup.expiredTitle', 'setup.expiredText');
    return;
  }
  $('editor').hidden = false;
  renderSigners();
  renderPalette();
  renderDocuments();
  renderRelease();
}

async function reload() {
  state = await fetchJson(API);
  if (selected && signerIndex(selected) < 0) selected = null;
  render();
}

async function main() {
  let failure = null;
  try {
    state = await fetchJson(API);
  } catch (e) {
    failure = e;
  }
  const asked = new URLSearchParams(location.search).get('lang');
  const lang = asked || (state && state.language ? state.language : null);
  await loadMessages(pickLanguage(lang ? `?lang=${encodeURIComponent(lang)}` : '', navigator.languages));
  applyMessages();
  $('add-signer').addEventListener('click', () => {
    const row = signerRow(null);
    $('signer-rows').append(row);
    row.querySelector('input').focus();
  });
  $('signers-form').addEventListener('submit', saveSigners);
  $('level').addEventListener('change', renderMethods);
  $('release-form').addEventListener('submit', release);
  if (state) render();
  else if (failure instanceof ApiError && (failure.status === 401 || failure.status === 404)) {
    $('lead').hidden = true;
    showFinal('setup.invalidTitle', 'setup.invalidText');
  } else showError(failure ? failure.message : t('error.network'));
  document.body.dataset.ready = 'true';
}

main();
