// A small stand-in for DHIS2's `POST /api/dataValueSets`, for the exchange tests: it checks an
// ADX message (Content-Type application/adx+xml) against the ADX structural schema (adx.xsd,
// with libxml2's xmllint compiled to wasm) and every data value against the mapping file, or a
// dataValueSets JSON body against the mapping; then answers as DHIS2 does, with an import
// summary: 200 and status OK with the count imported, or 409 and status ERROR with conflicts.
//
// Usage: node dhis2-standin.mjs MAPPING.json   (prints "listening PORT" once ready)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

const here = dirname(fileURLToPath(import.meta.url));
const schema = readFileSync(join(here, 'adx.xsd'), 'utf8');
const mapping = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const orgUnit = new RegExp(`^${mapping.org_unit_prefix ?? ''}\\d{2,5}$`);
// What the mapping allows: data element + disaggregation (ADX) and data element + combo (JSON).
const adxKeys = new Set(mapping.values.map((v) => key(v.data_element, v.disaggregation ?? {})));
const jsonKeys = new Set(mapping.values.map((v) => `${v.data_element}|${v.category_option_combo ?? ''}`));

function key(dataElement, categories) {
  const parts = Object.keys(categories).sort().map((c) => `${c}=${categories[c]}`);
  return [dataElement, ...parts].join('|');
}

function attributes(tag) {
  const found = {};
  for (const match of tag.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) found[match[1]] = match[2];
  return found;
}

async function checkAdx(body) {
  const result = await validateXML({ xml: [{ fileName: 'message.xml', contents: body }], schema: [schema] });
  if (!result.valid) {
    return { conflicts: result.errors.map((e) => ({ object: 'adx', value: e.rawMessage ?? String(e) })), imported: 0 };
  }
  const conflicts = [];
  let imported = 0;
  for (const group of body.matchAll(/<group\b([^>]*)>([\s\S]*?)<\/group>/g)) {
    const head = attributes(group[1]);
    if (head.dataSet !== mapping.data_set) conflicts.push({ object: head.dataSet, value: 'unknown data set' });
    if (!orgUnit.test(head.orgUnit)) conflicts.push({ object: head.orgUnit, value: 'unknown org unit' });
    for (const value of group[2].matchAll(/<dataValue\b([^>]*)\/?>/g)) {
      const { dataElement, value: number, ...categories } = attributes(value[1]);
      if (!adxKeys.has(key(dataElement, categories))) {
        conflicts.push({ object: dataElement, value: `not in the mapping: ${JSON.stringify(categories)}` });
      } else if (!/^\d+$/.test(number)) {
        conflicts.push({ object: dataElement, value: `not a count: ${number}` });
      } else {
        imported += 1;
      }
    }
  }
  return { conflicts, imported };
}

function checkJson(body) {
  const conflicts = [];
  let imported = 0;
  let message;
  try {
    message = JSON.parse(body);
  } catch (error) {
    return { conflicts: [{ object: 'body', value: String(error) }], imported };
  }
  if (message.dataSet !== mapping.data_set) conflicts.push({ object: message.dataSet, value: 'unknown data set' });
  for (const value of message.dataValues ?? []) {
    const combo = `${value.dataElement}|${value.categoryOptionCombo ?? ''}`;
    if (!jsonKeys.has(combo)) conflicts.push({ object: value.dataElement, value: 'not in the mapping' });
    else if (!orgUnit.test(value.orgUnit)) conflicts.push({ object: value.orgUnit, value: 'unknown org unit' });
    else if (!/^\d{6}$/.test(value.period)) conflicts.push({ object: value.period, value: 'not a DHIS2 month' });
    else if (!/^\d+$/.test(value.value)) conflicts.push({ object: value.dataElement, value: 'not a count' });
    else imported += 1;
  }
  return { conflicts, imported };
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const type = request.headers['content-type'] ?? '';
    if (request.method !== 'POST' || !request.url.startsWith('/api/dataValueSets')) {
      response.writeHead(404).end();
      return;
    }
    const { conflicts, imported } = type.includes('adx') ? await checkAdx(body) : checkJson(body);
    const ok = conflicts.length === 0 && imported > 0;
    response.writeHead(ok ? 200 : 409, { 'Content-Type': 'application/json' });
    response.end(
      JSON.stringify({
        responseType: 'ImportSummary',
        status: ok ? 'OK' : 'ERROR',
        importCount: { imported: ok ? imported : 0, updated: 0, ignored: ok ? 0 : imported, deleted: 0 },
        conflicts,
      }),
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
