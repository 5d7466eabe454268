// Shared helpers for Signet's pages (docs/web.md): language choice and text lookup, JSON
// requests that turn the API's Error object into an exception, and DOM building without
// innerHTML (text from documents and servers is never parsed as HTML).

/** Languages that have a messages table in ./i18n/{lang}.js; the first is the default. */
export const LANGUAGES = ['en', 'de', 'fr', 'it'];

let messages = {};
let fallback = {};
let current = LANGUAGES[0];

/**
 * Picks the page language: ?lang= when it names a supported language, else the first of the
 * browser's preferred languages we have (by primary subtag: "de-CH" → "de"), else English.
 */
export function pickLanguage(search = location.search, preferred = navigator.languages) {
  const asked = new URLSearchParams(search).get('lang');
  const candidates = [asked, ...(preferred && preferred.length ? preferred : [navigator.language])];
  for (const c of candidates) {
    if (!c) continue;
    const primary = String(c).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return LANGUAGES[0];
}

/** Loads the messages of lang (and English as the fallback for missing keys). */
export async function loadMessages(lang) {
  current = LANGUAGES.includes(lang) ? lang : LANGUAGES[0];
  fallback = (await import('./i18n/en.js')).default;
  messages = current === 'en' ? fallback : (await import(`./i18n/${current}.js`)).default;
  document.documentElement.lang = current;
  return current;
}

/** The current language. */
export function language() {
  return current;
}

/**
 * The text for key in the current language, with {name} placeholders replaced from params.
 * A key missing everywhere is returned as is (and logged), so a gap is visible, not blank.
 */
export function t(key, params = {}) {
  let text = messages[key] ?? fallback[key];
  if (text === undefined) {
    console.warn(`missing message: ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/**
 * Replaces the text of every element with data-i18n="key" under root, and the attributes
 * named in data-i18n-attr="attr:key;attr:key" (e.g. aria-label, title).
 */
export function applyMessages(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
  const title = document.querySelector('title[data-i18n]');
  if (title) document.title = title.textContent;
}

/** An API answer that was not 2xx: message is the page's text for the Error object's reason
 *  when it has one, else the Error object's (English) message. */
export class ApiError extends Error {
  constructor(message, { status = 0, name = '', id = '', reason = '' } = {}) {
    super(message);
    this.status = status;
    this.errorName = name;
    this.requestId = id;
    this.reason = reason;
  }
}

/**
 * The text in the page's language for a reason of the server (the Error object's "reason" and
 * "params" of the pages' APIs: the key error.<reason>, its {placeholders} from params), or null
 * when no table has it — then the page shows the server's English message.
 */
export function reasonText(reason, params) {
  if (typeof reason !== 'string' || !/^[A-Za-z0-9.]+$/.test(reason)) return null;
  const key = `error.${reason}`;
  if (!(key in messages) && !(key in fallback)) return null;
  return t(key, params && typeof params === 'object' ? params : {});
}

/**
 * fetch() that expects JSON. Resolves with the parsed body of a 2xx answer; rejects with an
 * ApiError carrying the text of the Error object's reason in the page's language (reasonText),
 * else its message (or the HTTP status when the body is not one),
 * or with an ApiError of status 0 and the message t('error.network') when nothing came back.
 */
export async function fetchJson(url, options = {}) {
  let response;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      ...options,
      headers: { Accept: 'application/json', ...(options.headers || {}) },
    });
  } catch (e) {
    throw new ApiError(t('error.network'), { status: 0 });
  }
  let body = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) {
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
  }
  if (!response.ok) {
    const message =
      (body && reasonText(body.reason, body.params)) ||
      (body && typeof body.message === 'string' && body.message
        ? body.message
        : t('error.status', { status: response.status }));
    throw new ApiError(message, {
      status: response.status,
      name: body && body.name,
      id: body && body.id,
      reason: (body && typeof body.reason === 'string' && body.reason) || '',
    });
  }
  if (body === null) throw new ApiError(t('error.notJson'), { status: response.status });
  return body;
}

/** Shows text in the page's notice element node (hides it when text is empty); error marks it
 *  as an error. */
export function showNotice(node, text, error = false) {
  node.hidden = !text;
  node.textContent = text || '';
  node.className = error ? 'notice error' : 'notice';
}

/**
 * Builds an element: el('p', {class: 'x', 'aria-live': 'polite'}, 'text', child…).
 * Strings become text nodes, arrays (nested too) are spread; null/undefined/false are skipped.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'hidden') node.hidden = Boolean(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A date-time (ISO 8601) for people, in the page language, with the ISO value kept in
 *  a <time datetime> element. */
export function timeElement(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return el('span', {}, iso);
  const text = new Intl.DateTimeFormat(current, {
    dateStyle: 'medium',
    timeStyle: 'long',
  }).format(d);
  return el('time', { datetime: iso, title: iso }, text);
}

/** A byte count for people ("1.2 MB"). */
export function formatBytes(n) {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = n;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  const digits = i === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(current, { maximumFractionDigits: digits }).format(value)} ${units[i]}`;
}
