// The public verification page (/ui/verify, docs/web.md): a PDF dropped or chosen here is
// sent as is to POST /system/api/verify and its report (docs/verify.md) is shown.
import {
  ApiError,
  applyMessages,
  el,
  fetchJson,
  formatBytes,
  loadMessages,
  pickLanguage,
  reasonText,
  t,
  timeElement,
} from './ui.js';

const dropZone = document.getElementById('drop-zone');
const input = document.getElementById('file-input');
const progress = document.getElementById('progress');
const errorBox = document.getElementById('error');
const errorMessage = document.getElementById('error-message');
const result = document.getElementById('result');

let busy = false;

function showError(message) {
  errorMessage.textContent = message;
  errorBox.hidden = false;
}

function clearOutput() {
  errorBox.hidden = true;
  errorMessage.textContent = '';
  result.hidden = true;
  result.replaceChildren();
}

function setBusy(file) {
  busy = Boolean(file);
  dropZone.setAttribute('aria-busy', busy ? 'true' : 'false');
  input.disabled = busy;
  progress.hidden = !busy;
  progress.textContent = busy ? t('verify.checking', { file: file.name }) : '';
}

/**
 * The text for a failed verification. The Sign API's Error objects carry no reason (only the
 * pages' APIs do: docs/web.md), so the answers that only say "not now" are recognised by their
 * status; a 400 (why the file is not a PDF) and a 413 (the sizes) keep the server's words.
 */
function verifyError(e) {
  const reason = { 429: 'tooManyRequests', 500: 'unavailable', 503: 'unavailable' }[e && e.status];
  return (e instanceof ApiError && reason && reasonText(reason)) || e.message || String(e);
}

/** Sends the file to the verifier and shows the report or the Error object's message. */
async function verify(file) {
  if (busy) return;
  clearOutput();
  setBusy(file);
  try {
    const report = await fetchJson('/system/api/verify', {
      method: 'POST',
      headers: { 'Content-Type': 'application/pdf' },
      body: file,
    });
    renderReport(file, report);
  } catch (e) {
    showError(verifyError(e));
  } finally {
    setBusy(null);
    input.value = '';
  }
}

function levelText(level) {
  const key = `verify.level.${level}`;
  const text = t(key);
  return text === key ? level : text;
}

function revocationText(revocation) {
  const keys = {
    good: 'verify.revocation.good',
    revoked: 'verify.revocation.revoked',
    unknown: 'verify.revocation.unknown',
    'not checked': 'verify.revocation.notChecked',
  };
  return keys[revocation] ? t(keys[revocation]) : revocation;
}

function statusBadge(valid) {
  return el(
    'span',
    { class: `status-badge ${valid ? 'ok' : 'bad'}` },
    el('span', { 'aria-hidden': 'true' }, valid ? '✓' : '✗'),
    t(valid ? 'verify.statusValid' : 'verify.statusInvalid'),
  );
}

function fact(label, value, attrs = {}) {
  return [el('dt', {}, label), el('dd', attrs, value)];
}

function timeStampValue(sig) {
  if (!sig.hasTimeStamp) return t('verify.noTimeStamp');
  const when = sig.timeStampTime ? timeElement(sig.timeStampTime) : t('verify.none');
  const note = sig.timeStampValid ? t('verify.timeStampValid') : t('verify.timeStampInvalid');
  return el('span', {}, when, ' — ', note);
}

function changedValue(sig) {
  if (sig.modifiedAfterSigning) return t('verify.changedYes');
  if (sig.coversWholeFile) return [t('verify.changedNo'), '. ', t('verify.wholeFile')];
  return sig.changes ? t('verify.changedNoLater', { changes: sig.changes }) : t('verify.changedNo');
}

function signatureCard(sig, index) {
  const isTimeStamp = sig.type === 'documentTimeStamp';
  const name = sig.signer || sig.subject || sig.field;
  const headingId = `sig-${index}-title`;
  const facts = [];
  if (!sig.valid) facts.push(fact(t('verify.reason'), sig.problem || '', { class: 'problem' }));
  facts.push(fact(t(isTimeStamp ? 'verify.tsa' : 'verify.signer'), name, { class: 'signer' }));
  if (!isTimeStamp && sig.level) facts.push(fact(t('verify.level'), levelText(sig.level)));
  if (sig.issuer) facts.push(fact(t('verify.issuer'), sig.issuer));
  if (!isTimeStamp) {
    facts.push(
      fact(
        t('verify.signingTime'),
        sig.signingTime ? timeElement(sig.signingTime) : t('verify.none'),
      ),
    );
    facts.push(fact(t('verify.timeStamp'), timeStampValue(sig)));
  } else if (sig.timeStampTime) {
    facts.push(fact(t('verify.timeStamp'), timeElement(sig.timeStampTime)));
  }
  facts.push(
    fact(
      t('verify.revision'),
      t('verify.revisionOf', { revision: sig.revision, revisions: sig.revisions }),
    ),
  );
  facts.push(fact(t('verify.changed'), changedValue(sig), { class: 'changed' }));
  if (!isTimeStamp && sig.revocation)
    facts.push(fact(t('verify.revocation'), revocationText(sig.revocation)));
  facts.push(fact(t('verify.field'), el('span', { class: 'mono' }, sig.field)));

  return el(
    'article',
    {
      class: `card signature ${sig.valid ? 'ok' : 'bad'}`,
      'aria-labelledby': headingId,
      'data-status': sig.status,
    },
    el(
      'header',
      {},
      el(
        'h3',
        { id: headingId },
        t(isTimeStamp ? 'verify.timeStampHeading' : 'verify.signatureHeading', {
          n: index + 1,
          name,
        }),
      ),
      statusBadge(sig.valid),
    ),
    el('dl', { class: 'facts' }, facts),
  );
}

function renderReport(file, report) {
  const signatures = Array.isArray(report.signatures) ? report.signatures : [];
  const count = signatures.length;
  const bad = signatures.filter((s) => !s.valid).length;
  let title;
  let summary;
  if (count === 0) {
    title = t('verify.noneTitle');
    summary = t('verify.summaryNone');
  } else if (report.valid) {
    title = t('verify.validTitle');
    summary = count === 1 ? t('verify.summaryValidOne') : t('verify.summaryValid', { count });
  } else {
    title = t('verify.invalidTitle');
    summary = t('verify.summaryInvalid', { bad, count });
  }
  const ok = Boolean(report.valid);
  result.replaceChildren(
    el(
      'h2',
      { class: 'visually-hidden' },
      t('verify.resultFor', { file: file.name, size: formatBytes(file.size) }),
    ),
    el(
      'div',
      { id: 'verdict', class: `verdict ${ok ? 'ok' : 'bad'}`, 'data-valid': String(ok) },
      el('span', { class: 'symbol', 'aria-hidden': 'true' }, ok ? '✓' : '✗'),
      el(
        'div',
        {},
        el('h2', {}, title),
        el('p', {}, summary),
        el('p', { class: 'mono' }, `${file.name} · ${formatBytes(file.size)}`),
      ),
    ),
    ...signatures.map(signatureCard),
  );
  result.hidden = false;
}

function firstFile(fileList) {
  return fileList && fileList.length ? fileList[0] : null;
}

async function main() {
  await loadMessages(pickLanguage());
  applyMessages();

  input.addEventListener('change', () => {
    const file = firstFile(input.files);
    if (file) verify(file);
  });

  // Drag and drop anywhere on the zone. dragover must be cancelled for drop to fire.
  let depth = 0;
  dropZone.addEventListener('dragenter', (e) => {
    e.preventDefault();
    depth++;
    dropZone.classList.add('dragging');
  });
  dropZone.addEventListener('dragover', (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  });
  dropZone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) dropZone.classList.remove('dragging');
  });
  dropZone.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    dropZone.classList.remove('dragging');
    const file = firstFile(e.dataTransfer && e.dataTransfer.files);
    if (file) verify(file);
  });
  // A file dropped next to the zone must not make the browser navigate away to it.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());

  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  console.error(e);
  showError(e.message || String(e));
});
