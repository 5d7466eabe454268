// SRS Direct: the RA agents' app (/ui/ra, docs/ra.md). Sign in, pick the registration point,
// open the customer's reference code, record the identity document with its machine-readable
// zone, take a photo (camera or file), submit with the mobile number, approve as a second
// supervisor where the point demands four eyes, and take the person's SMS code.
// Every call goes to /ui/ra/api/…; POSTs carry the session's X-CSRF-Token.
import { applyMessages, el, fetchJson, loadMessages, pickLanguage, showNotice, t } from './ui.js';

const API = '/ui/ra/api';
const content = document.getElementById('content');
const message = document.getElementById('message');
const who = document.getElementById('who');
let session = null;
let stream = null;

function say(text, error = false) {
  showNotice(message, text, error);
}

function show(...nodes) {
  stopCamera();
  content.replaceChildren(...nodes);
}

function post(path, body, raw) {
  const headers = { 'X-CSRF-Token': session ? session.csrfToken : '' };
  if (!raw) headers['Content-Type'] = 'application/json';
  else headers['Content-Type'] = raw.type || 'application/octet-stream';
  return fetchJson(API + path, { method: 'POST', headers, body: raw || JSON.stringify(body || {}) });
}

function field(id, labelKey, attrs = {}) {
  return [el('label', { for: id }, t(labelKey)), el('input', { id, name: id, ...attrs })];
}

function button(id, key, cls = 'button') {
  return el('button', { type: 'button', class: cls, id }, t(key));
}

function value(id) {
  const node = document.getElementById(id);
  return node ? node.value.trim() : '';
}

// ---- sign-in and session ----

function loginForm() {
  who.textContent = '';
  const submit = el('button', { type: 'submit', class: 'button', id: 'login' }, t('ra.signIn'));
  const form = el('form', { id: 'login-form' },
    ...field('email', 'ra.email', { type: 'email', autocomplete: 'username', required: true }),
    ...field('password', 'ra.password', { type: 'password', autocomplete: 'current-password', required: true }),
    submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      session = await fetchJson(API + '/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: value('email'), password: document.getElementById('password').value }),
      });
      say('');
      home();
    } catch (e) {
      say(e.message, true);
    }
  });
  show(el('section', {}, el('h2', {}, t('ra.signInTitle')), form));
}

async function signOut() {
  try {
    await post('/logout');
  } catch (e) {
    /* signed out anyway */
  }
  session = null;
  say(t('ra.signedOut'));
  loginForm();
}

function header() {
  const out = button('logout', 'ra.signOut', 'button secondary');
  out.addEventListener('click', signOut);
  const role = t(`ra.role.${session.agent.role}`);
  who.replaceChildren(`${session.agent.email} · ${role}`,
    session.point ? ` · ${session.point.name}` : '');
  return out;
}

// ---- home: point, reference code, approvals ----

function pointPicker() {
  const select = el('select', { id: 'point' },
    session.points.map((p) => el('option', { value: p.id }, p.fourEyes ? `${p.name} (${t('ra.fourEyes')})` : p.name)));
  const use = button('use-point', 'ra.usePoint');
  use.addEventListener('click', async () => {
    try {
      session = await post('/point', { pointId: select.value });
      say('');
      home();
    } catch (e) {
      say(e.message, true);
    }
  });
  return el('section', {}, el('h2', {}, t('ra.pickPoint')),
    session.points.length ? [el('label', { for: 'point' }, t('ra.point')), select, use] : el('p', {}, t('ra.noPoints')));
}

function pointAdmin() {
  const create = button('create-point', 'ra.createPoint');
  create.addEventListener('click', async () => {
    try {
      await post('/points', { name: value('point-name'), address: value('point-address'), fourEyes: document.getElementById('point-four').checked });
      session = await fetchJson(API + '/session');
      say(t('ra.pointCreated'));
      home();
    } catch (e) {
      say(e.message, true);
    }
  });
  return el('section', {}, el('h2', {}, t('ra.points')),
    el('ul', {}, session.points.map((p) => el('li', {}, p.fourEyes ? `${p.name} (${t('ra.fourEyes')})` : p.name))),
    ...field('point-name', 'ra.pointName'), ...field('point-address', 'ra.pointAddress'),
    el('label', {}, el('input', { type: 'checkbox', id: 'point-four' }), ' ', t('ra.fourEyesRequired')), create);
}

function agentAdmin() {
  const role = el('select', { id: 'agent-role' },
    ['AGENT', 'SUPERVISOR', 'ADMIN'].map((r) => el('option', { value: r }, t(`ra.role.${r}`))));
  const point = el('select', { id: 'agent-point' }, el('option', { value: '' }, t('ra.anyPoint')),
    session.points.map((p) => el('option', { value: p.id }, p.name)));
  const result = el('p', { id: 'agent-created', class: 'notice', hidden: true });
  const create = button('create-agent', 'ra.createAgent');
  create.addEventListener('click', async () => {
    try {
      const a = await post('/agents', { email: value('agent-email'), role: role.value, pointId: point.value });
      say('');
      // The initial password is shown here once; the server keeps only its hash.
      result.replaceChildren(t('ra.agentCreated', { email: a.email }), ' ', el('code', {}, a.initialPassword));
      result.hidden = false;
    } catch (e) {
      say(e.message, true);
    }
  });
  return el('section', {}, el('h2', {}, t('ra.agents')),
    ...field('agent-email', 'ra.email', { type: 'email', autocomplete: 'off' }),
    el('label', { for: 'agent-role' }, t('ra.agentRole')), role,
    el('label', { for: 'agent-point' }, t('ra.point')), point, create, result);
}

function referenceForm() {
  const input = el('input', { id: 'reference', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', placeholder: 'XXXXX-XXXXX' });
  const open = button('open-case', 'ra.openCase');
  open.addEventListener('click', async () => {
    try {
      const c = await post('/cases', { reference: input.value });
      say('');
      caseView(c);
    } catch (e) {
      say(e.message, true);
    }
  });
  const nodes = [el('h2', {}, t('ra.newIdentification')), el('p', {}, t('ra.referenceHelp')),
    el('label', { for: 'reference' }, t('ra.reference')), input, open];
  if ('BarcodeDetector' in window && navigator.mediaDevices) {
    const scan = button('scan', 'ra.scanQr', 'button secondary');
    scan.addEventListener('click', () => scanQr(input, open));
    nodes.push(scan);
  }
  return el('section', {}, nodes);
}

async function scanQr(input, open) {
  try {
    const video = await startCamera();
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    content.prepend(el('section', {}, video));
    const tick = async () => {
      if (!stream) return;
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) {
        input.value = codes[0].rawValue;
        stopCamera();
        video.remove();
        open.click();
      } else {
        requestAnimationFrame(tick);
      }
    };
    tick();
  } catch (e) {
    say(t('ra.cameraFailed'), true);
  }
}

async function pendingList() {
  const section = el('section', { id: 'pending' }, el('h2', {}, t('ra.pending')));
  try {
    const r = await fetchJson(API + '/cases/pending');
    if (!r.cases.length) section.append(el('p', {}, t('ra.noPending')));
    const list = el('ul', { class: 'ra-pending' });
    for (const c of r.cases) {
      const review = el('button', { type: 'button', class: 'button secondary', 'data-case': c.id }, t('ra.review'));
      review.addEventListener('click', () => openCase(c.id));
      list.append(el('li', {}, `${c.reference.slice(0, 5)}-${c.reference.slice(5)} `, c.mine ? `(${t('ra.yours')}) ` : '', review));
    }
    section.append(list);
  } catch (e) {
    section.append(el('p', { class: 'notice error' }, e.message));
  }
  return section;
}

async function home() {
  const out = header();
  const parts = [];
  if (session.agent.role === 'ADMIN') {
    parts.push(pointAdmin(), agentAdmin());
  } else if (!session.point) {
    parts.push(pointPicker());
  } else {
    parts.push(referenceForm());
    if (session.agent.role === 'SUPERVISOR') parts.push(await pendingList());
  }
  show(...parts, out);
}

async function openCase(id) {
  try {
    caseView(await fetchJson(`${API}/cases/${encodeURIComponent(id)}`));
  } catch (e) {
    say(e.message, true);
  }
}

// ---- a case ----

function facts(c) {
  const d = c.document || {};
  const p = c.person || {};
  const rows = [
    ['ra.docType', d.type ? t(`ra.docType.${d.type}`) : ''], ['ra.docNumber', d.number], ['ra.issuingCountry', d.issuingCountry],
    ['ra.expiry', d.expiryDate], ['ra.givenName', p.givenName], ['ra.familyName', p.familyName],
    ['ra.birthDate', p.birthDate], ['ra.nationality', p.nationality], ['ra.mobile', c.mobile],
  ];
  return el('dl', { class: 'ra-facts' }, rows.filter((r) => r[1]).map(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]));
}

async function photoPreview(c) {
  const img = el('img', { class: 'ra-photo', alt: t('ra.photoAlt'), id: 'photo-preview' });
  try {
    const r = await fetch(`${API}/cases/${encodeURIComponent(c.id)}/photo`, { credentials: 'same-origin' });
    if (r.ok) img.src = await dataUrl(await r.blob());
  } catch (e) {
    /* no preview */
  }
  return img;
}

function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = reject;
    reader.readAsDataURL(blob);
  });
}

function documentForm(c) {
  const d = c.document || {};
  const p = c.person || {};
  const type = el('select', { id: 'doc-type' },
    el('option', { value: 'ID_CARD' }, t('ra.docType.ID_CARD')), el('option', { value: 'PASSPORT' }, t('ra.docType.PASSPORT')));
  if (d.type) type.value = d.type;
  const mrz = el('textarea', { id: 'mrz', class: 'mrz', rows: '3', spellcheck: 'false', autocapitalize: 'characters' });
  const save = button('save-document', 'ra.saveDocument');
  save.addEventListener('click', async () => {
    try {
      await post(`/cases/${encodeURIComponent(c.id)}/document`, {
        document: { type: type.value, number: value('doc-number'), issuingCountry: value('doc-country').toUpperCase(), expiryDate: value('doc-expiry') },
        person: { givenName: value('given-name'), familyName: value('family-name'), birthDate: value('birth-date'), nationality: value('nationality').toUpperCase() },
        mrz: mrz.value.toUpperCase(),
      });
      say(t('ra.documentSaved'));
      openCase(c.id);
    } catch (e) {
      say(e.message, true);
    }
  });
  return el('section', { id: 'document' }, el('h2', {}, t('ra.document')),
    el('div', { class: 'grid' },
      el('div', {}, el('label', { for: 'doc-type' }, t('ra.docType')), type),
      el('div', {}, ...field('doc-number', 'ra.docNumber', { value: d.number || '', autocomplete: 'off' })),
      el('div', {}, ...field('doc-country', 'ra.issuingCountry', { value: d.issuingCountry || 'CH', maxlength: '2' })),
      el('div', {}, ...field('doc-expiry', 'ra.expiry', { type: 'date', value: d.expiryDate || '' })),
      el('div', {}, ...field('given-name', 'ra.givenName', { value: p.givenName || '', autocomplete: 'off' })),
      el('div', {}, ...field('family-name', 'ra.familyName', { value: p.familyName || '', autocomplete: 'off' })),
      el('div', {}, ...field('birth-date', 'ra.birthDate', { type: 'date', value: p.birthDate || '' })),
      el('div', {}, ...field('nationality', 'ra.nationality', { value: p.nationality || 'CH', maxlength: '2' }))),
    el('label', { for: 'mrz' }, t('ra.mrz')), el('p', { class: 'hint' }, t('ra.mrzHelp')), mrz, save);
}

async function startCamera() {
  stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
  const video = el('video', { class: 'ra-camera', autoplay: true, playsinline: true, muted: true });
  video.srcObject = stream;
  await video.play().catch(() => {});
  return video;
}

function stopCamera() {
  if (stream) stream.getTracks().forEach((tr) => tr.stop());
  stream = null;
}

async function uploadPhoto(c, blob) {
  try {
    await post(`/cases/${encodeURIComponent(c.id)}/photo`, null, blob);
    say(t('ra.photoSaved'));
    openCase(c.id);
  } catch (e) {
    say(e.message, true);
  }
}

function photoForm(c, preview) {
  const file = el('input', { type: 'file', id: 'photo-file', accept: 'image/jpeg,image/png' });
  file.addEventListener('change', () => {
    if (file.files[0]) uploadPhoto(c, file.files[0]);
  });
  const section = el('section', { id: 'photo' }, el('h2', {}, t('ra.photo')), c.hasPhoto ? preview : null,
    el('label', { for: 'photo-file' }, t('ra.photoUpload')), file);
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const cam = button('camera', 'ra.useCamera', 'button secondary');
    cam.addEventListener('click', async () => {
      try {
        const video = await startCamera();
        const take = button('take-photo', 'ra.takePhoto');
        take.addEventListener('click', () => {
          const canvas = document.createElement('canvas');
          canvas.width = video.videoWidth || 640;
          canvas.height = video.videoHeight || 480;
          canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
          stopCamera();
          canvas.toBlob((blob) => blob && uploadPhoto(c, blob), 'image/jpeg', 0.85);
        });
        cam.replaceWith(video, take);
      } catch (e) {
        say(t('ra.cameraFailed'), true);
      }
    });
    section.append(cam);
  }
  return section;
}

function submitForm(c) {
  const submit = button('submit-case', 'ra.submit');
  submit.addEventListener('click', async () => {
    try {
      const r = await post(`/cases/${encodeURIComponent(c.id)}/submit`, { mobile: value('mobile') });
      say(r.status === 'AWAITING_APPROVAL' ? t('ra.waitsForApproval') : t('ra.identified'));
      caseView(r);
    } catch (e) {
      say(e.message, true);
    }
  });
  return el('section', { id: 'submit' }, el('h2', {}, t('ra.mobileTitle')),
    ...field('mobile', 'ra.mobile', { type: 'tel', autocomplete: 'off', placeholder: '+41791234567' }),
    el('p', { class: 'hint' }, c.fourEyes ? t('ra.fourEyesHint') : t('ra.submitHint')), submit);
}

function codeForm(c) {
  if (c.registration.mobileVerified)
    return el('section', { id: 'code-done' }, el('p', {}, t('ra.mobileConfirmed')));
  const send = button('send-code', 'ra.sendCode', 'button secondary');
  const code = el('input', { id: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' });
  const verify = button('verify-code', 'ra.confirmCode');
  send.addEventListener('click', async () => {
    try {
      await post(`/cases/${encodeURIComponent(c.id)}/code`);
      say(t('ra.codeSent'));
    } catch (e) {
      say(e.message, true);
    }
  });
  verify.addEventListener('click', async () => {
    try {
      await post(`/cases/${encodeURIComponent(c.id)}/verify`, { code: code.value.trim() });
      say(t('ra.mobileConfirmed'));
      openCase(c.id);
    } catch (e) {
      say(e.message, true);
    }
  });
  return el('section', { id: 'code-step' }, el('h2', {}, t('ra.codeTitle')), el('p', {}, t('ra.codeHelp')),
    send, el('label', { for: 'code' }, t('ra.code')), code, verify);
}

async function caseView(c) {
  const back = button('back', 'ra.back', 'button secondary');
  back.addEventListener('click', () => { say(''); home(); });
  const ref = `${c.reference.slice(0, 5)}-${c.reference.slice(5)}`;
  const head = el('section', { id: 'case' }, el('h2', {}, t('ra.case', { reference: ref })),
    el('p', { id: 'case-status' }, t(`ra.status.${c.status}`)),
    el('p', {}, t('ra.registrationLevel', { jurisdiction: c.registration.jurisdiction, level: c.registration.level })));
  const parts = [head];
  const preview = c.hasPhoto ? await photoPreview(c) : null;
  if (c.status === 'OPEN' && c.mine) {
    parts.push(documentForm(c), photoForm(c, preview));
    if (c.document && c.hasPhoto) parts.push(submitForm(c));
  } else {
    parts.push(el('section', {}, facts(c), preview));
    if (c.status === 'AWAITING_APPROVAL' && !c.mine && session.agent.role === 'SUPERVISOR') {
      const approve = button('approve', 'ra.approve');
      approve.addEventListener('click', async () => {
        try {
          const r = await post(`/cases/${encodeURIComponent(c.id)}/approve`);
          say(t('ra.approved'));
          caseView(r);
        } catch (e) {
          say(e.message, true);
        }
      });
      parts.push(el('section', {}, el('p', {}, t('ra.approveHelp')), approve));
    }
    if (c.status === 'DONE' && c.mine) parts.push(codeForm(c));
  }
  header();
  show(...parts, back);
}

async function main() {
  await loadMessages(pickLanguage());
  applyMessages();
  try {
    session = await fetchJson(API + '/session');
    home();
  } catch (e) {
    if (e.status !== 401) say(e.message, true);
    loginForm();
  }
}

main();
