// Renders the OpenAPI document of this Signet instance (GET api-docs, relative to this page)
// as readable HTML: authentication, operations with parameters, bodies and answers, error
// names, and schemas. Plain DOM, no dependencies, nothing fetched from elsewhere.

const main = document.getElementById('doc');
const statusLine = document.getElementById('status');

// el('p', {class: 'x'}, 'text', child…): an element; strings become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

// Inline text: `code` spans become <code>; everything else stays text (never HTML).
function inline(text) {
  const out = [];
  String(text).split('`').forEach((part, i) => {
    if (part) out.push(i % 2 ? el('code', {}, part) : part);
  });
  return out;
}

// Block text: paragraphs separated by blank lines; lines starting with "- " form a list.
function prose(text) {
  if (!text) return [];
  const blocks = [];
  for (const para of String(text).split(/\n\s*\n/)) {
    const lines = para.split('\n');
    let list = null;
    let buf = [];
    const flush = () => {
      if (buf.length) blocks.push(el('p', {class: 'desc'}, inline(buf.join('\n'))));
      buf = [];
    };
    for (const line of lines) {
      if (line.startsWith('- ')) {
        flush();
        if (!list) blocks.push((list = el('ul')));
        list.append(el('li', {}, inline(line.slice(2))));
      } else {
        list = null;
        buf.push(line);
      }
    }
    flush();
  }
  return blocks;
}

const refName = (ref) => ref.split('/').pop();
const schemaLink = (name) => el('a', {href: `#schema-${name}`}, name);

// A short rendering of a schema's type: links to named schemas, array of X, one of X | Y.
function typeOf(s) {
  if (!s) return ['any'];
  if (s.$ref) return [schemaLink(refName(s.$ref))];
  if (s.oneOf) return joinNodes(s.oneOf.map(typeOf), ' | ', 'one of ');
  if (s.allOf) return joinNodes(s.allOf.map(typeOf), ' & ');
  if (s.type === 'array') return ['array of ', ...typeOf(s.items)];
  if (s.type === 'object' && s.additionalProperties) return ['map of ', ...typeOf(s.additionalProperties)];
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type || 'any';
  return [s.format ? `${t} (${s.format})` : t];
}

function joinNodes(parts, sep, prefix) {
  const out = prefix ? [prefix] : [];
  parts.forEach((p, i) => {
    if (i) out.push(sep);
    out.push(...p);
  });
  return out;
}

// Constraints and flags of a schema as short text pieces.
function constraints(s) {
  if (!s) return [];
  const c = [];
  const items = s.type === 'array' && s.items ? s.items : null;
  const en = s.enum || (items && items.enum);
  if (en) c.push(['one of ', ...joinNodes(en.map((v) => [el('code', {}, String(v))]), ', ')]);
  if (s.default !== undefined) c.push(['default ', el('code', {}, JSON.stringify(s.default))]);
  if (s.minLength !== undefined && s.minLength > 0) c.push([`at least ${s.minLength} characters`]);
  if (s.maxLength !== undefined) c.push([`at most ${s.maxLength} characters`]);
  if (s.minimum !== undefined) c.push([`≥ ${s.minimum}`]);
  if (s.maximum !== undefined) c.push([`≤ ${s.maximum}`]);
  if (s.minItems) c.push([`at least ${s.minItems} items`]);
  if (s.maxItems !== undefined) c.push([`at most ${s.maxItems} items`]);
  if (s.uniqueItems) c.push(['no repeats']);
  if (s.pattern) c.push(['pattern ', el('code', {}, s.pattern)]);
  if (s.readOnly) c.push(['read-only (ignored in requests)']);
  if (s.writeOnly) c.push(['write-only (not in answers)']);
  if (s.deprecated) c.push(['deprecated']);
  return c;
}

function constraintLine(s) {
  const c = constraints(s);
  return c.length ? el('div', {class: 'flags'}, joinNodes(c, '; ')) : null;
}

// Properties of a schema including those of its allOf members (inline or referenced).
function collectProperties(schema, schemas, seen = new Set()) {
  const props = {};
  const required = new Set(schema.required || []);
  for (const part of schema.allOf || []) {
    let s = part;
    if (part.$ref) {
      const name = refName(part.$ref);
      if (seen.has(name)) continue;
      seen.add(name);
      s = schemas[name] || {};
    }
    const sub = collectProperties(s, schemas, seen);
    Object.assign(props, sub.props);
    sub.required.forEach((r) => required.add(r));
  }
  Object.assign(props, schema.properties || {});
  return {props, required};
}

function propertyTable(schema, schemas) {
  const {props, required} = collectProperties(schema, schemas);
  const names = Object.keys(props);
  if (!names.length) return null;
  return el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'Field'), el('th', {}, 'Type'), el('th', {}, 'Meaning'))),
    el('tbody', {}, names.map((n) => {
      const p = props[n];
      return el('tr', {},
        el('td', {class: 'name'}, n, required.has(n) ? el('span', {class: 'req'}, ' required') : null),
        el('td', {}, typeOf(p)),
        el('td', {}, inline(p.description || ''), constraintLine(p)));
    })));
}

function contentRows(content) {
  return Object.entries(content || {}).map(([type, media]) =>
    el('div', {}, el('code', {}, type), ' → ', typeOf(media.schema)));
}

function renderOperation(path, method, op, schemas) {
  const id = `op-${op.operationId || method + path}`;
  const scopes = (op.security || []).flatMap((req) => Object.values(req).flat());
  const isPublic = Array.isArray(op.security) && op.security.length === 0;
  const d = el('details', {class: 'op', id},
    el('summary', {},
      el('span', {class: `method ${method}`}, method.toUpperCase()),
      el('span', {class: 'path'}, path),
      el('span', {class: 'summary'}, op.summary || ''),
      isPublic ? el('span', {class: 'badge'}, 'public, no token') : null,
      scopes.map((s) => el('span', {class: 'badge', title: 'OAuth scope required'}, s))),
    prose(op.description),
    op.operationId ? el('p', {class: 'flags'}, 'operationId ', el('code', {}, op.operationId)) : null);

  const params = op.parameters || [];
  if (params.length) {
    d.append(el('h4', {}, 'Parameters'), el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', {}, 'In'), el('th', {}, 'Type'), el('th', {}, 'Meaning'))),
      el('tbody', {}, params.map((p) => el('tr', {},
        el('td', {class: 'name'}, p.name, p.required ? el('span', {class: 'req'}, ' required') : null),
        el('td', {}, p.in),
        el('td', {}, typeOf(p.schema)),
        el('td', {}, inline(p.description || ''), constraintLine(p.schema)))))));
  }
  if (op.requestBody) {
    const rb = op.requestBody;
    d.append(el('h4', {}, 'Request body', rb.required ? '' : ' (optional)'),
      el('p', {}, inline(rb.description || '')), ...contentRows(rb.content));
  }
  d.append(el('h4', {}, 'Answers'), el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'Status'), el('th', {}, 'Meaning'), el('th', {}, 'Body'))),
    el('tbody', {}, Object.entries(op.responses || {}).map(([code, r]) => el('tr', {},
      el('td', {class: `status-${code[0]}`}, code),
      el('td', {}, inline(r.description || ''),
        Object.entries(r.headers || {}).map(([h, hv]) =>
          el('div', {class: 'flags'}, 'header ', el('code', {}, h), ': ', inline(hv.description || '')))),
      el('td', {}, contentRows(r.content)))))));
  return d;
}

function renderSchema(name, s, schemas) {
  const sec = el('section', {class: 'schema', id: `schema-${name}`}, el('h3', {}, name), prose(s.description));
  const bases = (s.allOf || []).filter((p) => p.$ref).map((p) => refName(p.$ref));
  if (bases.length) sec.append(el('p', {class: 'flags'}, 'Extends ', joinNodes(bases.map((b) => [schemaLink(b)]), ', '), '.'));
  if (s.discriminator) {
    const m = Object.entries(s.discriminator.mapping || {});
    sec.append(el('p', {class: 'flags'}, 'The field ', el('code', {}, s.discriminator.propertyName),
      ' selects the kind: ', joinNodes(m.map(([v, ref]) => [el('code', {}, v), ' → ', schemaLink(refName(ref))]), ', '), '.'));
  }
  const table = propertyTable(s, schemas);
  if (table) sec.append(table);
  return sec;
}

function renderErrors(doc) {
  const err = (doc.components?.schemas || {}).Error;
  const names = err?.['x-signet-error-names'];
  if (!names) return null;
  return el('section', {id: 'errors'},
    el('h2', {}, 'Errors'),
    el('p', {}, 'Every refusal is an ', schemaLink('Error'), ' object. Its ', el('code', {}, 'name'),
      ' is one of these, the same in every operation; its ', el('code', {}, 'message'), ' says what to fix.'),
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'Status'), el('th', {}, 'Meaning'))),
      el('tbody', {}, names.map((e) => el('tr', {},
        el('td', {class: 'name'}, e.name),
        el('td', {class: `status-${String(e.httpStatus)[0]}`}, String(e.httpStatus)),
        el('td', {}, inline(e.meaning || '')))))));
}

function renderAuth(doc) {
  const sec = el('section', {id: 'auth'}, el('h2', {}, 'Server and authentication'));
  for (const s of doc.servers || []) {
    sec.append(el('p', {}, 'Base URL: ', el('code', {}, s.url), s.description ? ` — ${s.description}` : ''));
  }
  for (const [name, scheme] of Object.entries(doc.components?.securitySchemes || {})) {
    sec.append(el('p', {class: 'flags'}, `Scheme ${name} (${scheme.type})`), ...prose(scheme.description));
    const flow = scheme.flows?.clientCredentials;
    if (flow) {
      sec.append(el('p', {}, 'Token URL: ', el('code', {}, flow.tokenUrl)),
        el('table', {},
          el('thead', {}, el('tr', {}, el('th', {}, 'Scope'), el('th', {}, 'Allows'))),
          el('tbody', {}, Object.entries(flow.scopes || {}).map(([sc, what]) =>
            el('tr', {}, el('td', {class: 'name'}, sc), el('td', {}, inline(what)))))));
    }
  }
  return sec;
}

function render(doc) {
  const schemas = doc.components?.schemas || {};
  const title = `${doc.info?.title || 'API'} ${doc.info?.version || ''}`.trim();
  document.title = title;
  document.getElementById('title').textContent = title;
  main.replaceChildren();
  if (doc.info?.summary) main.append(el('p', {}, inline(doc.info.summary)));
  main.append(...prose(doc.info?.description), renderAuth(doc));

  // Operations, grouped by their first tag in the document's tag order.
  const groups = new Map((doc.tags || []).map((t) => [t.name, {tag: t, ops: []}]));
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']) {
      if (!item[method]) continue;
      const tag = (item[method].tags || ['Other'])[0];
      if (!groups.has(tag)) groups.set(tag, {tag: {name: tag}, ops: []});
      groups.get(tag).ops.push([path, method, item[method]]);
    }
  }
  const toc = el('ul');
  for (const {tag, ops} of groups.values()) {
    if (!ops.length) continue;
    const gid = `tag-${tag.name.replace(/[^A-Za-z0-9]+/g, '-')}`;
    main.append(el('h2', {id: gid}, tag.name), ...prose(tag.description),
      ...ops.map(([p, m, op]) => renderOperation(p, m, op, schemas)));
    toc.append(el('li', {}, el('a', {href: `#${gid}`}, tag.name), el('ul', {},
      ops.map(([p, m, op]) => el('li', {}, el('a', {href: `#op-${op.operationId || m + p}`},
        `${m.toUpperCase()} ${p}`))))));
  }
  const errors = renderErrors(doc);
  if (errors) main.append(errors);
  main.append(el('h2', {id: 'schemas'}, 'Schemas'),
    ...Object.entries(schemas).map(([n, s]) => renderSchema(n, s, schemas)));
  toc.append(el('li', {}, el('a', {href: '#auth'}, 'Server and authentication')));
  if (errors) toc.append(el('li', {}, el('a', {href: '#errors'}, 'Errors')));
  toc.append(el('li', {}, el('a', {href: '#schemas'}, 'Schemas')));
  document.getElementById('toc').replaceChildren(el('strong', {}, 'Contents'), toc);

  // Open the operation a link points at.
  const open = () => {
    const target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === 'DETAILS') target.open = true;
  };
  window.addEventListener('hashchange', open);
  open();
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

async function load() {
  try {
    const res = await fetch(main.dataset.spec, {headers: {Accept: 'application/json'}});
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    render(await res.json());
  } catch (e) {
    statusLine.textContent = `The API description could not be loaded: ${e.message}.`;
    statusLine.classList.add('error');
  }
}

load();
