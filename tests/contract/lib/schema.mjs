// The contract's schemas (OpenAPI 3.1, components.schemas) turned into JSON Schema 2020-12 for
// ajv (docs/sign-api.md, "Contract test"). What the conversion does:
//   - "#/components/schemas/X" refs point into one document ("contract#/$defs/X");
//   - OpenAPI-only keywords (discriminator, example, externalDocs, xml, x-*) are dropped after
//     use; `nullable: true` (OpenAPI 3.0) becomes a type that also allows null;
//   - readOnly / writeOnly: in a response a writeOnly property must be absent (`false` schema),
//     in a request a readOnly one; neither then counts in `required`;
//   - discriminator: a oneOf whose members are all targets of one discriminator's mapping
//     (Process.initiator → NonPerson/Person/Signer by `type`; signaturePositions →
//     Coordinate/Tag by `locator`) becomes a dispatch on that property: its value must be a
//     mapping key and the object is validated against exactly the mapped schema. (A plain
//     oneOf cannot work: a Signer is also a valid Person, as nothing in Person forbids it.)
// Two validators per schema: `lenient` (the contract as written: no schema of the contract sets
// additionalProperties: false, so extra properties are allowed) and `strict`, the same with
// unevaluatedProperties: false on every object schema a value is validated against as a whole;
// its unevaluatedProperties errors are the properties the contract does not define ("extras").
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';

const DROP = new Set(['discriminator', 'example', 'examples', 'externalDocs', 'xml', 'nullable']);
const REF_PREFIX = '#/components/schemas/';

function refName(ref) {
  if (typeof ref !== 'string' || !ref.startsWith(REF_PREFIX))
    throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(REF_PREFIX.length);
}

/** Loads the contract: {doc, operations, schemaNames, validator(mode)}. */
export function loadContract(path) {
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  const schemas = doc.components?.schemas ?? {};

  // Discriminators: target schema name → {property, mapping}; and which schemas are allOf bases.
  const discriminators = [];
  const allOfBases = new Set();
  for (const [name, s] of Object.entries(schemas)) {
    if (s.discriminator) {
      const mapping = {};
      for (const [k, v] of Object.entries(s.discriminator.mapping ?? {})) mapping[k] = refName(v);
      discriminators.push({ base: name, property: s.discriminator.propertyName, mapping });
    }
    for (const member of s.allOf ?? []) if (member.$ref) allOfBases.add(refName(member.$ref));
  }

  function discriminatorFor(oneOf) {
    if (!Array.isArray(oneOf) || !oneOf.every((m) => m.$ref)) return null;
    const names = oneOf.map((m) => refName(m.$ref));
    return (
      discriminators.find((d) => names.every((n) => Object.values(d.mapping).includes(n))) ?? null
    );
  }

  // mode: 'response' | 'request'; strict: add unevaluatedProperties: false.
  function convert(node, mode, strict, { inAllOf = false } = {}) {
    if (Array.isArray(node)) return node.map((n) => convert(n, mode, strict));
    if (node === null || typeof node !== 'object') return node;
    if (node.$ref) return { $ref: `contract#/$defs/${refName(node.$ref)}` };
    const d = discriminatorFor(node.oneOf);
    if (d) {
      const keys = Object.keys(d.mapping);
      const out = {
        type: 'object',
        required: [d.property],
        properties: { [d.property]: { enum: keys } },
        allOf: keys.map((k) => ({
          if: { properties: { [d.property]: { const: k } }, required: [d.property] },
          then: { $ref: `contract#/$defs/${d.mapping[k]}` },
        })),
      };
      return out;
    }
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (DROP.has(k) || k.startsWith('x-') || k === 'description') continue;
      if (k === 'properties') {
        out.properties = {};
        for (const [pn, ps] of Object.entries(v)) {
          const hidden = mode === 'response' ? ps.writeOnly : ps.readOnly;
          out.properties[pn] = hidden ? false : convert(ps, mode, strict);
        }
      } else if (k === 'allOf') {
        out.allOf = v.map((m) => convert(m, mode, strict, { inAllOf: true }));
      } else if (k === 'items' || k === 'additionalProperties' || k === 'not') {
        out[k] = convert(v, mode, strict);
      } else if (k === 'oneOf' || k === 'anyOf') {
        out[k] = v.map((m) => convert(m, mode, strict));
      } else {
        out[k] = v;
      }
    }
    if (node.nullable && out.type) out.type = [].concat(out.type, 'null');
    if (Array.isArray(out.required) && node.properties) {
      out.required = out.required.filter((r) => out.properties[r] !== false);
    }
    // allOf members (and schemas used as allOf bases) are parts of an object: the whole object
    // carries unevaluatedProperties, which sees what the members evaluated.
    if (strict && !inAllOf && (node.properties || node.allOf) && node.additionalProperties === undefined)
      out.unevaluatedProperties = false;
    return out;
  }

  function buildDefs(mode, strict) {
    const defs = {};
    // A schema used as an allOf base (Participant, FileSignaturePositionInput) is only part of
    // an object: the derived schema's unevaluatedProperties decides about the whole.
    for (const [name, s] of Object.entries(schemas))
      defs[name] = convert(s, mode, strict && !allOfBases.has(name));
    return defs;
  }

  const validators = {};
  function validator(mode) {
    if (validators[mode]) return validators[mode];
    const make = (strict) => {
      const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
      addFormats(ajv);
      ajv.addSchema({ $id: 'contract', $defs: buildDefs(mode, strict) });
      return ajv;
    };
    const lenient = make(false);
    const strict = make(true);
    const cache = new Map();
    // Validates `value` against schema `name` (a components.schemas key):
    // {errors: [text…], extras: ['/path/prop'…]}.
    function validate(name, value) {
      if (!schemas[name]) throw new Error(`no schema ${name} in the contract`);
      let v = cache.get(name);
      if (!v) {
        v = {
          lenient: lenient.compile({ $ref: `contract#/$defs/${name}` }),
          strict: strict.compile({ $ref: `contract#/$defs/${name}` }),
        };
        cache.set(name, v);
      }
      const errors = v.lenient(value)
        ? []
        : v.lenient.errors.map((e) => `${e.instancePath || '/'} ${e.message} (${e.schemaPath})`);
      const extras = [];
      if (!v.strict(value)) {
        for (const e of v.strict.errors) {
          if (e.keyword === 'unevaluatedProperties')
            extras.push(`${e.instancePath}/${e.params.unevaluatedProperty}`);
        }
      }
      return { errors, extras: [...new Set(extras)] };
    }
    validators[mode] = validate;
    return validate;
  }

  // Operations: operationId → {method, path, responses: {status: {schema, media}}, requestSchema}.
  const operations = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const responses = {};
      for (const [status, r] of Object.entries(op.responses)) {
        const media = Object.keys(r.content ?? {});
        const json = r.content?.['application/json']?.schema;
        responses[status] = { media, schema: json?.$ref ? refName(json.$ref) : null };
      }
      const reqSchema = op.requestBody?.content?.['application/json']?.schema;
      operations[op.operationId] = {
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        responses,
        requestSchema: reqSchema?.$ref ? refName(reqSchema.$ref) : null,
        requestExamples: Object.values(op.requestBody?.content?.['application/json']?.examples ?? {})
          .map((e) => e.value),
        parameters: op.parameters ?? [],
        scopes: (op.security ?? doc.security ?? []).flatMap((req) => Object.values(req).flat()),
      };
    }
  }
  return { doc, operations, schemaNames: Object.keys(schemas), validator };
}
