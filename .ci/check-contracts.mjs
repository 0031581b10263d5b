// The contracts in the packed package (run by check-pack from the scratch consumer, with the
// repository's root as argv[2] for the validators, which are its devDependencies):
// journey-engine/openapi.json is a valid OpenAPI 3.1 document and what openApiDocument() answers;
// journey-engine/journey.schema.json compiles and accepts the shipped example.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { openApiDocument } from 'journey-engine/http';

const root = process.argv[2];
const require = createRequire(import.meta.url);
const fromRoot = (name) => import(require.resolve(name, { paths: [root] }));
const fail = (message) => {
  console.error(message);
  process.exit(1);
};

const shipped = JSON.parse(readFileSync(require.resolve('journey-engine/openapi.json'), 'utf8'));
if (!isDeepStrictEqual(shipped, JSON.parse(JSON.stringify(openApiDocument())))) fail('journey-engine/openapi.json differs from openApiDocument()');
const { Validator } = await fromRoot('@seriousme/openapi-schema-validator');
const result = await new Validator().validate(shipped);
if (!result.valid) fail(`journey-engine/openapi.json is not a valid OpenAPI document: ${JSON.stringify(result.errors).slice(0, 2000)}`);
console.log(`openapi.json: valid OpenAPI ${shipped.openapi}, ${Object.keys(shipped.paths).length} paths`);

const schema = JSON.parse(readFileSync(require.resolve('journey-engine/journey.schema.json'), 'utf8'));
const { Ajv2020 } = await fromRoot('ajv/dist/2020.js');
const check = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false }).compile(schema);
const example = JSON.parse(readFileSync(require.resolve('journey-engine/examples/journeys/loan-nurture.json'), 'utf8'));
if (!check(example)) fail(`the shipped example fails journey.schema.json: ${JSON.stringify(check.errors)}`);
if (check({ name: 'x' })) fail('journey.schema.json accepts a document without maxDuration and steps');
console.log('journey.schema.json: compiles, accepts the shipped example');
