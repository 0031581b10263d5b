/**
 * Branch-condition evaluation throughput: journey-engine's compiled expressions against
 * filtrex, expr-eval, jexl (compiled, evalSync) and a hand-written JS closure, on the same
 * expressions over the same scopes, in the same run.
 *
 *   npx tsx bench/expressions.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Parser } from 'expr-eval';
import { compileExpression as filtrex } from 'filtrex';
import jexl from 'jexl';
import { compileExpression } from '../src/validate/expression/index.js';

/** One engine's measured throughput. */
export interface BenchResult {
  readonly name: string;
  /** Median branch-condition evaluations per second. */
  readonly opsPerSecond: number;
}

type Scope = Record<string, unknown>;
type Condition = (scope: Scope) => unknown;

interface Case {
  readonly ours: string;
  readonly filtrex: string;
  readonly exprEval: string;
  readonly jexl: string;
  readonly closure: Condition;
}

const CASES: readonly Case[] = [
  {
    ours: "outcome == 'conversion'",
    filtrex: 'outcome == "conversion"',
    exprEval: 'outcome == "conversion"',
    jexl: "outcome == 'conversion'",
    closure: (s) => s['outcome'] === 'conversion',
  },
  {
    ours: "customer.age >= 18 && 'vip' in segments",
    filtrex: 'age of customer >= 18 and "vip" in segments',
    exprEval: 'customer.age >= 18 and "vip" in segments',
    jexl: "customer.age >= 18 && 'vip' in segments",
    closure: (s) => (s['customer'] as { age: number }).age >= 18 && (s['segments'] as string[]).includes('vip'),
  },
  {
    ours: 'outcomes.length > 2 || customer.score * 2 > 100',
    filtrex: 'length of outcomes > 2 or score of customer * 2 > 100',
    exprEval: 'length(outcomes) > 2 or customer.score * 2 > 100',
    // jexl reads a property of an array from its first element, so length needs a transform.
    jexl: 'outcomes|length > 2 || customer.score * 2 > 100',
    closure: (s) => (s['outcomes'] as string[]).length > 2 || (s['customer'] as { score: number }).score * 2 > 100,
  },
  {
    ours: "results.offer.score > 0.5 && customer.country == 'NL'",
    filtrex: 'score of offer of results > 0.5 and country of customer == "NL"',
    exprEval: 'results.offer.score > 0.5 and customer.country == "NL"',
    jexl: "results.offer.score > 0.5 && customer.country == 'NL'",
    closure: (s) =>
      (s['results'] as { offer: { score: number } }).offer.score > 0.5 &&
      (s['customer'] as { country: string }).country === 'NL',
  },
  {
    ours: "!(outcome in ['opt_out', 'complaint']) && (customer.tier == 'gold' && customer.spend > 1000 || customer.spend > 5000)",
    filtrex: 'not (outcome in ("opt_out", "complaint")) and (tier of customer == "gold" and spend of customer > 1000 or spend of customer > 5000)',
    exprEval: 'not (outcome in ["opt_out", "complaint"]) and (customer.tier == "gold" and customer.spend > 1000 or customer.spend > 5000)',
    jexl: "!(outcome in ['opt_out', 'complaint']) && (customer.tier == 'gold' && customer.spend > 1000 || customer.spend > 5000)",
    closure: (s) => {
      const outcome = s['outcome'];
      const customer = s['customer'] as { tier: string; spend: number };
      return (
        outcome !== 'opt_out' &&
        outcome !== 'complaint' &&
        ((customer.tier === 'gold' && customer.spend > 1000) || customer.spend > 5000)
      );
    },
  },
];

const SCOPES: readonly Scope[] = [
  {
    outcome: 'conversion',
    outcomes: ['impression', 'click', 'conversion'],
    customer: { age: 34, score: 61, country: 'NL', tier: 'gold', spend: 2400 },
    segments: ['vip', 'returning'],
    results: { offer: { score: 0.72 } },
  },
  {
    outcome: 'click',
    outcomes: ['impression', 'click'],
    customer: { age: 17, score: 40, country: 'DE', tier: 'silver', spend: 300 },
    segments: ['new'],
    results: { offer: { score: 0.31 } },
  },
  {
    outcome: 'opt_out',
    outcomes: ['impression', 'opt_out'],
    customer: { age: 52, score: 12, country: 'NL', tier: 'gold', spend: 9000 },
    segments: [],
    results: { offer: { score: 0.5 } },
  },
  {
    outcome: 'impression',
    outcomes: ['impression', 'impression', 'click', 'save'],
    customer: { age: 29, score: 75, country: 'FR', tier: 'bronze', spend: 5200 },
    segments: ['vip'],
    results: { offer: { score: 0.9 } },
  },
];

function engines(): Array<{ name: string; conditions: Condition[] }> {
  const parser = new Parser();
  const jexlInstance = new jexl.Jexl(); // a private instance: the transform stays out of the global one
  jexlInstance.addTransform('length', (value) => (Array.isArray(value) ? value.length : undefined));
  return [
    { name: 'journey-engine', conditions: CASES.map((c) => compileExpression(c.ours).evaluate) },
    { name: 'filtrex', conditions: CASES.map((c) => filtrex(c.filtrex) as Condition) },
    { name: 'expr-eval', conditions: CASES.map((c) => { const e = parser.parse(c.exprEval); return (s: Scope) => e.evaluate(s as never); }) },
    { name: 'jexl', conditions: CASES.map((c) => { const e = jexlInstance.compile(c.jexl); return (s: Scope) => e.evalSync(s); }) },
    { name: 'closure', conditions: CASES.map((c) => c.closure) },
    // The same closures with the own-property checks our evaluator must make: the floor for
    // any evaluator that refuses to read through prototypes.
    { name: 'closure+hasOwn', conditions: OWN_CHECKED_CLOSURES },
  ];
}

const hasOwn = Object.hasOwn;
/** An own-property read, as a careful hand-written closure would do it. */
const own = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;

/** The five closures again, with own-property reads (same order as CASES). */
const OWN_CHECKED_CLOSURES: Condition[] = [
  (s) => own(s, 'outcome') === 'conversion',
  (s) => {
    const age = own(own(s, 'customer'), 'age');
    const segments = own(s, 'segments');
    return typeof age === 'number' && age >= 18 && Array.isArray(segments) && segments.includes('vip');
  },
  (s) => {
    const outcomes = own(s, 'outcomes');
    const score = own(own(s, 'customer'), 'score');
    return (Array.isArray(outcomes) && outcomes.length > 2) || (typeof score === 'number' && score * 2 > 100);
  },
  (s) => {
    const score = own(own(own(s, 'results'), 'offer'), 'score');
    return typeof score === 'number' && score > 0.5 && own(own(s, 'customer'), 'country') === 'NL';
  },
  (s) => {
    const outcome = own(s, 'outcome');
    const customer = own(s, 'customer');
    const spend = own(customer, 'spend');
    return (
      outcome !== 'opt_out' &&
      outcome !== 'complaint' &&
      ((own(customer, 'tier') === 'gold' && typeof spend === 'number' && spend > 1000) ||
        (typeof spend === 'number' && spend > 5000))
    );
  },
];

let sink = 0;

/** Time `iterations` passes over every condition × scope; returns evaluations per second. */
function measure(conditions: readonly Condition[], iterations: number): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    for (let c = 0; c < conditions.length; c++) {
      const condition = conditions[c] as Condition;
      for (let s = 0; s < SCOPES.length; s++) if (condition(SCOPES[s] as Scope)) sink++;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return (iterations * conditions.length * SCOPES.length) / seconds;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/** Runs the benchmark, prints a table with ratios, and returns the medians. */
export async function run(options: { rounds?: number; iterations?: number } = {}): Promise<BenchResult[]> {
  const rounds = options.rounds ?? 9;
  const iterations = options.iterations ?? 20_000;
  const all = engines();

  // Every engine must agree with the hand-written closure before we time anything.
  const reference = all.find((e) => e.name === 'closure') as { conditions: Condition[] };
  for (const engine of all) {
    engine.conditions.forEach((condition, c) => {
      for (const scope of SCOPES) {
        if (!!condition(scope) !== !!(reference.conditions[c] as Condition)(scope)) {
          throw new Error(`${engine.name} disagrees with the closure on ${CASES[c]?.ours}`);
        }
      }
    });
  }

  for (const engine of all) measure(engine.conditions, Math.ceil(iterations / 4)); // warm-up
  const samples = new Map<string, number[]>(all.map((e) => [e.name, []]));
  for (let round = 0; round < rounds; round++) {
    // Interleave engines in every round so drift affects all of them alike.
    for (const engine of all) samples.get(engine.name)?.push(measure(engine.conditions, iterations));
  }
  await Promise.resolve();

  const results: BenchResult[] = all.map((e) => ({ name: e.name, opsPerSecond: median(samples.get(e.name) ?? []) }));
  const ours = results.find((r) => r.name === 'journey-engine')?.opsPerSecond ?? Number.NaN;
  const byName = (name: string): number => results.find((r) => r.name === name)?.opsPerSecond ?? Number.NaN;

  console.log(`branch-condition evaluations/s — ${CASES.length} expressions × ${SCOPES.length} scopes, median of ${rounds} rounds`);
  console.table(
    results.map((r) => ({
      engine: r.name,
      'ops/s': Math.round(r.opsPerSecond).toLocaleString('en-US'),
      'ours ÷ engine': (ours / r.opsPerSecond).toFixed(2),
    })),
  );
  console.log(`ours ÷ filtrex:   ${(ours / byName('filtrex')).toFixed(2)}x`);
  console.log(`ours ÷ expr-eval: ${(ours / byName('expr-eval')).toFixed(2)}x`);
  console.log(`ours ÷ jexl:      ${(ours / byName('jexl')).toFixed(2)}x`);
  console.log(`closure ÷ ours:   ${(byName('closure') / ours).toFixed(2)}x`);
  if (sink === -1) console.log(sink); // keep the work observable
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
