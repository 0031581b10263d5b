// The HTTP error table through both module formats of the installed package: for every error code
// a request can produce, send that request to a handler built from `import` (ESM), from `require`
// (CommonJS), and from both at once (the engine required, the handler imported: two copies of
// JourneyError in one process), and check that each answers the code with its status from
// HTTP_STATUS_BY_CODE. Run it from a folder where journey-engine is installed (.ci/check-pack
// copies it there). A code in HTTP_STATUS_BY_CODE with neither a row nor a reason in UNREACHABLE
// fails the check, so a new code cannot skip the table.
import { createRequire } from 'node:module';

const require = createRequire(`${process.cwd()}/`);

/** Codes no HTTP request can produce, with the reason. */
const UNREACHABLE = {
  'enrollment-not-found': 'no route takes an enrollment id',
  'invalid-instant': 'the body schemas refuse a bad instant first (invalid-request); simulate() and virtualClock() throw it',
  'concurrent-update': 'needs two writers racing on one journey; covered by the storage conformance suite',
  'inbox-full': 'needs 200 undelivered inputs on one enrollment with no worker applying them; covered by test/runtime/inbox.test.ts',
  'unreadable-file': 'journeys command only',
  'invalid-option': 'journeys command and createEngine/postgresStorage options only',
  'invalid-rules': 'journeys serve --rules only',
  'invalid-customer': 'journeys simulate --customers only',
};

const GOOD = { name: 'good', maxDuration: 30, steps: [{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }] };
const WITH_ERRORS = { name: 'bad', maxDuration: 30, steps: [{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' }, next: 'nowhere' }] };
// Loops through a one-minute wait for a year (its way out is never taken): more steps than a
// simulation may take.
const ENDLESS = {
  name: 'endless',
  maxDuration: 365,
  steps: [
    { id: 'w', type: 'wait', config: { duration: 1, unit: 'minutes' } },
    { id: 'b', type: 'branch', config: { conditions: [{ expression: "outcome == 'opt_out'", targetStepId: 'end' }], defaultTargetStepId: 'w' } },
    { id: 'end', type: 'wait', config: { duration: 1, unit: 'minutes' }, next: null },
  ],
};

/** The rows: a code and a request that produces it (`a` sends a request; `j` holds journey ids). */
const ROWS = [
  ['invalid-json', (a) => a('POST', '/journeys', '{"name":')],
  ['invalid-request', (a) => a('GET', '/journeys?limit=0')],
  ['invalid-request', (a, j) => a('POST', `/journeys/${j.active}/test`, { outcomes: [{ at: 'whenever', type: 'click' }] })],
  ['invalid-field', (a, j) => a('PUT', `/journeys/${j.draft}`, { status: 'finished' })],
  ['unknown-field', (a, j) => a('POST', `/journeys/${j.active}/enroll`, { customerId: 'c1', color: 'red' })],
  ['unknown-parameter', (a) => a('GET', '/journeys?colour=red')],
  ['read-only-field', (a, j) => a('PUT', `/journeys/${j.draft}`, { id: 'another' })],
  ['forbidden-key', (a) => a('POST', '/journeys', '{"name":"x","__proto__":{"polluted":true}}')],
  ['invalid-journey', (a) => a('POST', '/journeys', { name: 1 })],
  ['invalid-status', (a) => a('POST', '/journeys', { ...GOOD, status: 'paused' })],
  ['invalid-path', (a) => a('GET', '/journeys/%ZZ')],
  ['too-many-customers', (a, j) => a('POST', `/journeys/${j.active}/enroll`, { customerIds: Array.from({ length: 1001 }, (_, i) => `c${i}`) })],
  ['invalid-id', (a, j) => a('POST', `/journeys/${j.active}/enroll`, { customerId: 'c\u0001' })],
  ['unknown-step', (a, j) => a('POST', `/journeys/${j.active}/test`, { outcomes: [{ afterStepId: 'nope', type: 'click' }] })],
  ['outcome-unmatched', (a) => a('POST', '/outcomes', { customerId: 'nobody', type: 'click', idempotencyKey: 'k9' })],
  ['invalid-context', (a, j) => a('POST', `/journeys/${j.active}/enroll`, { customerId: 'c1', context: { note: 'a\u0000b' } })],
  ['context-too-large', (a, j) => a('POST', `/journeys/${j.active}/enroll`, { customerId: 'c1', context: { note: 'x'.repeat(20_000) } })],
  ['idempotency-key-mismatch', (a) => a('POST', '/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: 'k1' }, { 'idempotency-key': 'k2' })],
  ['unauthorized', (a) => a('GET', '/journeys', undefined, { 'x-tenant': '' })],
  ['not-found', (a) => a('GET', '/nothing-here')],
  ['journey-not-found', (a) => a('POST', '/journeys/missing/enroll', { customerId: 'c1' })],
  ['method-not-allowed', (a) => a('DELETE', '/journeys')],
  ['journey-active', (a, j) => a('PUT', `/journeys/${j.active}`, { maxDuration: 99 })],
  ['journey-archived', (a, j) => a('PUT', `/journeys/${j.archived}`, { name: 'renamed' })],
  ['journey-not-archived', (a, j) => a('DELETE', `/journeys/${j.active}`)],
  ['journey-not-active', (a, j) => a('POST', `/journeys/${j.draft}/enroll`, { customerId: 'c1' })],
  ['invalid-transition', (a, j) => a('PUT', `/journeys/${j.draft}`, { status: 'paused' })],
  ['duplicate-id', (a) => a('POST', '/journeys', GOOD, { 'x-tenant': 'same-ids' })],
  ['payload-too-large', (a) => a('POST', '/journeys', { ...GOOD, description: 'x'.repeat(200_000) })],
  ['unsupported-media-type', (a) => a('POST', '/journeys', 'name=x', { 'content-type': 'text/plain' })],
  ['activation-refused', (a, j) => a('PUT', `/journeys/${j.withErrors}`, { status: 'active' })],
  ['simulation-too-long', (a, j) => a('POST', `/journeys/${j.endless}/test`, {})],
  ['internal', (a) => a('GET', '/journeys', undefined, { 'x-tenant': 'broken' })],
];

/** The library as each kind of host gets it; `mixed` holds two copies (the engine's errors come from the CommonJS one). */
async function load(format) {
  if (format === 'import') return { ...(await import('journey-engine')), ...(await import('journey-engine/http')) };
  if (format === 'mixed') return { ...require('journey-engine'), ...(await import('journey-engine/http')) };
  return { ...require('journey-engine'), ...require('journey-engine/http') };
}
const FORMATS = ['import', 'require', 'mixed'];

/** A handler over three engines, picked by the x-tenant header: normal, fixed journey ids, failing storage. */
async function setUp(lib) {
  const { createEngine, memoryStorage, virtualClock, createHttpHandler } = lib;
  const engine = createEngine({ storage: memoryStorage(), clock: virtualClock(Date.UTC(2026, 2, 10)) });
  const sameIds = createEngine({ storage: memoryStorage(), clock: virtualClock(0), newId: () => 'same' });
  await sameIds.forTenant('same-ids').createJourney(GOOD);
  const storage = memoryStorage();
  const failing = new Proxy(storage, {
    get(target, key) {
      if (key === 'listJourneys') return async () => { throw new Error('the disk is on fire'); };
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const broken = createEngine({ storage: failing, clock: virtualClock(0) });
  const handlers = new Map();
  const handlerFor = (e) => createHttpHandler(e, { resolveTenant: (r) => r.headers.get('x-tenant') || null, limits: { maxBodyBytes: 100_000 }, onError: () => {} });
  for (const [tenant, e] of [['same-ids', sameIds], ['broken', broken]]) handlers.set(tenant, handlerFor(e));
  const main = handlerFor(engine);
  const send = async (method, path, body, headers = {}) => {
    const all = { 'x-tenant': 't1', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers };
    const init = { method, headers: all, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) };
    const handler = handlers.get(all['x-tenant']) ?? main;
    const response = await handler(new Request(`http://check.local/api/v1${path}`, init));
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  const created = async (doc, status) => {
    const r = await send('POST', '/journeys', doc);
    if (r.status !== 201) throw new Error(`set-up: create ${doc.name}: ${r.status} ${JSON.stringify(r.body)}`);
    for (const s of status) {
      const u = await send('PUT', `/journeys/${r.body.id}`, { status: s });
      if (u.status !== 200) throw new Error(`set-up: ${doc.name} → ${s}: ${u.status} ${JSON.stringify(u.body)}`);
    }
    return r.body.id;
  };
  const journeys = {
    draft: await created(GOOD, []),
    active: await created(GOOD, ['active']),
    archived: await created(GOOD, ['archived']),
    withErrors: await created(WITH_ERRORS, []),
    endless: await created(ENDLESS, []),
  };
  return { send, journeys };
}

const failures = [];
const { HTTP_STATUS_BY_CODE } = await load('import');
for (const code of Object.keys(HTTP_STATUS_BY_CODE)) {
  const status = HTTP_STATUS_BY_CODE[code];
  if (!ROWS.some(([c]) => c === code) && !(code in UNREACHABLE) && status < 500) failures.push(`${code}: no row in .ci/check-error-table.mjs (add the request that produces it, or say in UNREACHABLE why none can)`);
}
for (const [code] of ROWS) if (!Object.hasOwn(HTTP_STATUS_BY_CODE, code)) failures.push(`${code}: a row for a code HTTP_STATUS_BY_CODE does not have`);

const answers = {};
for (const format of FORMATS) {
  const lib = await load(format);
  answers[format] = [];
  for (const [, request] of ROWS) {
    const { send, journeys } = await setUp(lib); // a fresh engine per row: no row depends on another
    const r = await request(send, journeys);
    answers[format].push(`${r.status} ${r.body?.error?.code}`);
  }
}
ROWS.forEach(([code, request], i) => {
  const expected = `${HTTP_STATUS_BY_CODE[code] ?? '?'} ${code}`;
  const got = FORMATS.map((format) => `${format} answered ${answers[format][i]}`);
  if (FORMATS.some((format) => answers[format][i] !== expected)) failures.push(`${code} (${request}): expected ${expected}; ${got.join(', ')}`);
});
if (failures.length > 0) {
  console.error(`error table: ${failures.length} problem(s)\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`error table: ${ROWS.length} requests, ${new Set(ROWS.map(([c]) => c)).size} codes, the same status and code from import, require and both mixed`);
