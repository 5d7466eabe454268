// Pages of the Smart Registration Service (docs/srs.md): the end customer's registration page
// (/srs/r/{token}: method choice, then mobile verification), the terms of use
// (/srs/terms/{token}), the video simulator partner's agent page (/srs/sim/video/{order}) and
// the bank simulator's online-banking page (/srs/sim/bank/{order}).
// Every step is one JSON call to the same path + /state, /start, /code, /verify, /accept,
// /consent, /decide; the link token in the path is the credential.
import { el, fetchJson, loadMessages, pickLanguage, showNotice, t } from './ui.js';

const TEXT = {
  en: {
    title: { register: 'Identity registration', terms: 'Terms of use' },
    choose: 'Choose how you want to prove your identity:',
    start: 'Start',
    waiting: 'Your identification is in progress. This page updates when it is done.',
    open: 'Continue with the identification',
    send: 'Send a code to my mobile',
    code: 'Code from the SMS',
    verify: 'Confirm',
    sent: 'We sent a code by SMS to your verified mobile number.',
    termsSent: 'Your mobile number is confirmed. We sent you an SMS with a link to the terms of use.',
    accept: 'I accept the terms of use',
    consentLegend: 'Sharing your identity data (optional)',
    shared: 'You have consented: the service provider receives your identity data and the evidence.',
    notShared: 'You have not consented: the service provider does not receive your identity data. Your registration still serves for signing.',
    withdraw: 'Withdraw my consent',
    give: 'Give my consent',
    active: 'Your registration is complete.',
    back: 'Back to the service',
    status: { REJECTED: 'The identification was not successful.', EXPIRED: 'This registration has expired.', REVOKED: 'This registration was revoked.' },
  },
  de: {
    title: { register: 'Identitätsregistrierung', terms: 'Nutzungsbedingungen' },
    choose: 'Wählen Sie, wie Sie Ihre Identität nachweisen möchten:',
    start: 'Starten',
    waiting: 'Ihre Identifikation läuft. Diese Seite aktualisiert sich, sobald sie abgeschlossen ist.',
    open: 'Mit der Identifikation fortfahren',
    send: 'Code an mein Mobiltelefon senden',
    code: 'Code aus der SMS',
    verify: 'Bestätigen',
    sent: 'Wir haben einen Code per SMS an Ihre geprüfte Mobilnummer gesendet.',
    termsSent: 'Ihre Mobilnummer ist bestätigt. Sie erhalten eine SMS mit dem Link zu den Nutzungsbedingungen.',
    accept: 'Ich akzeptiere die Nutzungsbedingungen',
    consentLegend: 'Weitergabe Ihrer Identitätsdaten (freiwillig)',
    shared: 'Sie haben eingewilligt: Der Dienstanbieter erhält Ihre Identitätsdaten und den Nachweis.',
    notShared: 'Sie haben nicht eingewilligt: Der Dienstanbieter erhält Ihre Identitätsdaten nicht. Sie können mit Ihrer Registrierung trotzdem signieren.',
    withdraw: 'Einwilligung widerrufen',
    give: 'Einwilligung erteilen',
    active: 'Ihre Registrierung ist abgeschlossen.',
    back: 'Zurück zum Dienst',
    status: { REJECTED: 'Die Identifikation war nicht erfolgreich.', EXPIRED: 'Diese Registrierung ist abgelaufen.', REVOKED: 'Diese Registrierung wurde widerrufen.' },
  },
  fr: {
    title: { register: 'Enregistrement de l’identité', terms: 'Conditions d’utilisation' },
    choose: 'Choisissez comment prouver votre identité :',
    start: 'Commencer',
    waiting: 'Votre identification est en cours. Cette page se met à jour une fois terminée.',
    open: 'Poursuivre l’identification',
    send: 'Envoyer un code à mon mobile',
    code: 'Code reçu par SMS',
    verify: 'Confirmer',
    sent: 'Nous avons envoyé un code par SMS à votre numéro vérifié.',
    termsSent: 'Votre numéro est confirmé. Vous recevez un SMS avec le lien vers les conditions d’utilisation.',
    accept: 'J’accepte les conditions d’utilisation',
    consentLegend: 'Partage de vos données d’identité (facultatif)',
    shared: 'Vous avez consenti : le fournisseur du service reçoit vos données d’identité et la preuve.',
    notShared: 'Vous n’avez pas consenti : le fournisseur du service ne reçoit pas vos données d’identité. Votre enregistrement sert quand même à signer.',
    withdraw: 'Retirer mon consentement',
    give: 'Donner mon consentement',
    active: 'Votre enregistrement est terminé.',
    back: 'Retour au service',
    status: { REJECTED: 'L’identification n’a pas abouti.', EXPIRED: 'Cet enregistrement a expiré.', REVOKED: 'Cet enregistrement a été révoqué.' },
  },
  it: {
    title: { register: 'Registrazione dell’identità', terms: 'Condizioni d’uso' },
    choose: 'Scelga come dimostrare la sua identità:',
    start: 'Inizia',
    waiting: 'L’identificazione è in corso. Questa pagina si aggiorna al termine.',
    open: 'Continua con l’identificazione',
    send: 'Invia un codice al mio cellulare',
    code: 'Codice ricevuto via SMS',
    verify: 'Conferma',
    sent: 'Abbiamo inviato un codice via SMS al suo numero verificato.',
    termsSent: 'Il suo numero è confermato. Riceverà un SMS con il link alle condizioni d’uso.',
    accept: 'Accetto le condizioni d’uso',
    consentLegend: 'Condivisione dei dati d’identità (facoltativa)',
    shared: 'Ha acconsentito: il fornitore del servizio riceve i suoi dati d’identità e la prova.',
    notShared: 'Non ha acconsentito: il fornitore del servizio non riceve i suoi dati d’identità. La registrazione serve comunque per firmare.',
    withdraw: 'Revoca il consenso',
    give: 'Dai il consenso',
    active: 'La registrazione è completata.',
    back: 'Torna al servizio',
    status: { REJECTED: 'L’identificazione non è riuscita.', EXPIRED: 'Questa registrazione è scaduta.', REVOKED: 'Questa registrazione è stata revocata.' },
  },
};

const lang = pickLanguage();
const T = TEXT[lang] || TEXT.en;
const base = location.pathname.replace(/\/$/, '');
const content = document.getElementById('content');
const message = document.getElementById('message');

function say(text, error = false) {
  showNotice(message, text, error);
}

function post(path, body) {
  return fetchJson(base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body || {}),
  });
}

function show(...nodes) {
  content.replaceChildren(...nodes);
}

async function register() {
  let state;
  try {
    state = await fetchJson(base + '/state');
  } catch (e) {
    say(e.message, true);
    return;
  }
  if (T.status[state.status]) {
    show();
    say(T.status[state.status], true);
  } else if (state.status === 'OPEN' || state.status === 'IN_IDENTIFICATION') {
    const list = state.methods.map((m) =>
      el('li', {}, el('h2', {}, m.name[lang] || m.name.en), el('p', {}, m.description[lang] || m.description.en),
        el('button', { type: 'button', class: 'button', 'data-method': m.id }, T.start)));
    show(el('p', {}, state.status === 'OPEN' ? T.choose : T.waiting), el('ul', { class: 'methods' }, list));
    content.querySelectorAll('button[data-method]').forEach((b) => b.addEventListener('click', async () => {
      try {
        const r = await post('/start', { method: b.dataset.method });
        const a = el('a', { href: r.url, target: '_blank', rel: 'noopener', class: 'button' }, T.open);
        show(el('p', {}, T.waiting), a);
        setTimeout(register, 3000);
      } catch (e) {
        say(e.message, true);
      }
    }));
    if (state.status === 'IN_IDENTIFICATION') setTimeout(register, 3000);
  } else if (state.status === 'AWAITING_TERMS' && !state.mobileVerified) {
    const input = el('input', { id: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' });
    const send = el('button', { type: 'button', class: 'button secondary', id: 'send' }, T.send);
    const verify = el('button', { type: 'button', class: 'button', id: 'verify' }, T.verify);
    send.addEventListener('click', async () => {
      try { await post('/code'); say(T.sent); } catch (e) { say(e.message, true); }
    });
    verify.addEventListener('click', async () => {
      try { await post('/verify', { code: input.value.trim() }); say(T.termsSent); show(); } catch (e) { say(e.message, true); }
    });
    show(send, el('label', { for: 'code' }, T.code), input, verify);
  } else if (state.status === 'AWAITING_TERMS') {
    show();
    say(T.termsSent);
  } else if (state.status === 'ACTIVE') {
    show(state.redirectUrl ? el('a', { href: state.redirectUrl, class: 'button' }, T.back) : '');
    say(T.active);
  }
}

async function terms() {
  let state;
  try {
    state = await fetchJson(`${base}/state?lang=${lang}`);
  } catch (e) {
    say(e.message, true);
    return;
  }
  const text = el('pre', { class: 'terms' }, state.text);
  if (state.status === 'ACTIVE') {
    // The consent can be withdrawn, or given later, with the same link (docs/srs.md "Consent").
    const change = el('button', { type: 'button', class: 'button secondary', id: state.identityShared ? 'withdraw' : 'give' },
      state.identityShared ? T.withdraw : T.give);
    change.addEventListener('click', async () => {
      try {
        await post('/consent', state.identityShared ? { consent: false } : { consent: true, consentHash: state.consentHash });
        terms();
      } catch (e) { say(e.message, true); }
    });
    const consent = el('fieldset', { class: 'consent' }, el('legend', {}, T.consentLegend),
      el('p', { id: 'consentText' }, state.consentText),
      el('p', { id: 'consentState' }, state.identityShared ? T.shared : T.notShared), change);
    show(text, consent, state.redirectUrl ? el('a', { href: state.redirectUrl, class: 'button' }, T.back) : '');
    say(T.active);
    return;
  }
  // Separate from the terms and unticked: the person's consent that the service provider
  // receives their identity data and the evidence. The hash of the text shown is recorded.
  const box = el('input', { type: 'checkbox', id: 'consent' });
  const consent = el('fieldset', { class: 'consent' }, el('legend', {}, T.consentLegend),
    el('div', { class: 'check' }, box, el('label', { for: 'consent' }, state.consentText)));
  const accept = el('button', { type: 'button', class: 'button', id: 'accept' }, T.accept);
  accept.addEventListener('click', async () => {
    try {
      await post('/accept', { versionHash: state.versionHash, consent: box.checked, consentHash: state.consentHash });
      terms();
    } catch (e) { say(e.message, true); }
  });
  show(text, consent, accept);
}

// A simulator page's order (/state), or null when it is decided already: decided(state) is
// said then.
async function simOrder(decided) {
  let state;
  try {
    state = await fetchJson(base + '/state');
  } catch (e) {
    say(e.message, true);
    return null;
  }
  if (state.decided || state.status !== 'IN_IDENTIFICATION') {
    show();
    say(decided(state));
    return null;
  }
  return state;
}

// A labelled input of a simulator's form.
function simField(id, label, value = '', type = 'text', extra = {}) {
  return el('div', {}, el('label', { for: id }, label), el('input', { id, type, value, ...extra }));
}

// Sends a simulator form's answer (POST path) and says sent(result status) on the page.
async function simSend(path, body, sent) {
  try {
    const r = await post(path, body);
    show();
    say(sent(r.status));
  } catch (e) {
    say(e.message, true);
  }
}

// The simulator is a stand-in for a partner's agent tool: English only.
async function sim() {
  const state = await simOrder((s) => `This order is decided (registration ${s.status}).`);
  if (!state) return;
  const field = simField;
  const form = el('form', { id: 'sim' },
    el('p', {}, `Registration for ${state.jurisdiction} / ${state.level}. Check the ID document, then approve or reject.`),
    field('agent', 'Agent', 'Test Agent'), field('givenName', 'Given name'), field('familyName', 'Family name'),
    field('birthDate', 'Birth date', '', 'date'), field('nationality', 'Nationality (ISO code)', 'CH'),
    el('div', {}, el('label', { for: 'docType' }, 'Document type'),
      el('select', { id: 'docType' }, el('option', { value: 'PASSPORT' }, 'Passport'), el('option', { value: 'ID_CARD' }, 'Identity card'))),
    field('docNumber', 'Document number'), field('docExpiry', 'Document expiry', '', 'date'),
    field('issuingCountry', 'Issuing country (ISO code)', 'CH'), field('mobile', 'Mobile number (E.164)', '+41'),
    field('reason', 'Reason (when rejecting)'),
    el('button', { type: 'submit', class: 'button', value: 'APPROVE', id: 'approve' }, 'Approve'),
    el('button', { type: 'submit', class: 'button secondary', value: 'REJECT', id: 'reject' }, 'Reject'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (id) => form.querySelector('#' + id).value.trim();
    const decision = ev.submitter ? ev.submitter.value : 'APPROVE';
    const body = decision === 'REJECT'
      ? { decision, agent: v('agent'), reason: v('reason') || 'rejected by the agent' }
      : { decision, agent: v('agent'), mobile: v('mobile'),
          person: { givenName: v('givenName'), familyName: v('familyName'), birthDate: v('birthDate'), nationality: v('nationality') },
          document: { type: v('docType'), number: v('docNumber'), expiryDate: v('docExpiry'), issuingCountry: v('issuingCountry') } };
    await simSend('/decide', body, (status) => `Result sent: registration ${status}.`);
  });
  show(form);
}

// The bank simulator (/srs/sim/bank/{order}): the person, as the account holder, logs in to
// the simulated online bank and confirms the reference transfer, or cancels. Its texts are
// srsBank.* of i18n/LANG.js: the end customer sees this page.
async function bank() {
  const state = await simOrder((s) => t('srsBank.decided', { status: s.status }));
  if (!state) return;
  const tr = state.transfer;
  const field = (id, key, ...rest) => simField(id, t(key), ...rest);
  const row = (key, value, id) => el('tr', {}, el('th', { scope: 'row' }, t(key)), el('td', { id }, value));
  const form = el('form', { id: 'bank' },
    el('p', {}, t('srsBank.notice', { amount: tr.amount, currency: tr.currency })),
    el('fieldset', {}, el('legend', {}, t('srsBank.login')),
      el('p', { class: 'hint', id: 'testLogin' }, t('srsBank.testLogin', state.testLogin)),
      field('login', 'srsBank.user', '', 'text', { autocomplete: 'username' }),
      field('password', 'srsBank.password', '', 'password', { autocomplete: 'current-password' })),
    el('fieldset', {}, el('legend', {}, t('srsBank.holder')),
      field('givenName', 'srsBank.givenName', state.prefill.givenName),
      field('familyName', 'srsBank.familyName', state.prefill.familyName),
      field('birthDate', 'srsBank.birthDate', '', 'date'),
      field('iban', 'srsBank.iban', state.prefill.iban, 'text', { autocomplete: 'off', spellcheck: 'false' }),
      field('mobile', 'srsBank.mobile', state.prefill.mobile || '+41', 'tel')),
    el('fieldset', {}, el('legend', {}, t('srsBank.transfer')),
      el('table', { class: 'transfer' },
        row('srsBank.amount', `${tr.amount} ${tr.currency}`, 'amount'),
        row('srsBank.beneficiary', tr.beneficiary, 'beneficiary'),
        row('srsBank.reference', tr.reference, 'reference'))),
    el('button', { type: 'submit', class: 'button', value: 'CONFIRM', id: 'confirm' }, t('srsBank.confirm')),
    el('button', { type: 'submit', class: 'button secondary', value: 'CANCEL', id: 'cancel' }, t('srsBank.cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (id) => form.querySelector('#' + id).value.trim();
    const action = ev.submitter ? ev.submitter.value : 'CONFIRM';
    const body = action === 'CANCEL' ? { action }
      : { action, login: v('login'), password: form.querySelector('#password').value, iban: v('iban'), mobile: v('mobile'),
          accountHolder: { givenName: v('givenName'), familyName: v('familyName'), ...(v('birthDate') ? { birthDate: v('birthDate') } : {}) } };
    await simSend('/confirm', body, (status) => t('srsBank.sent', { status }));
  });
  show(form);
}

// The server's reasons (error.* of i18n/LANG.js: wrong code, link not valid…) in the page's
// language; the page's own texts are TEXT above.
await loadMessages(lang);
const page = document.body.dataset.srsPage;
if (T.title[page]) {
  document.getElementById('title').textContent = T.title[page];
  document.title = `${T.title[page]} – Signet`;
  document.documentElement.lang = lang;
}
if (page === 'register') register();
else if (page === 'terms') terms();
else if (page === 'sim') sim();
else if (page === 'bank') {
  document.title = `${t('srsBank.title')} – Signet`;
  document.getElementById('title').textContent = t('srsBank.title');
  bank();
}
