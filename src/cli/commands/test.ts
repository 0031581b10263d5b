import { JourneyError, simulate, type SimulateOptions, type SimulatedEvent, type SimulatedOutcome } from '../../index.js';
import type { JsonValue } from '../../model/schema.js';
import { EXIT } from '../command.js';
import { parseCommandLine } from '../parse-command-line.js';
import type { Command } from '../command.js';
import { jsonOption, loadJourney, reportError } from '../journey-file.js';
import { formatTimeline } from '../print.js';

const USAGE = `Usage: journeys test <journey.json> [--customer <json|file>] [--outcome <when>:<type> ...]
                     [--event <when>:<type>[:<json>] ...] [--decisions <json|file>] [--start <ISO>]
                     [--check-entry] [--policy <json|file>] [--json]

Run one sample customer through a journey on a virtual clock and print the timeline: one line
per entry with the time, the step, what happened and the detail.

Options:
  --customer <json|file>     the customer: {"id":"c1","segments":[...],"attributes":{...}}
  --outcome <when>:<type>    a scripted response, repeatable. <when> is a step id (the customer
                             responds right after that step completes) or +<duration> after the
                             start (+2d, +36h). Example: --outcome step_send_email:click
  --event <when>:<type>[:<json>]  a scripted customer event (what a waitFor path or a goal
                             waits for), repeatable; <when> as for --outcome, then the event
                             type and its properties. Example: --event '+1d:purchase:{"amount":120}'
  --decisions <json|file>    offers per decision flow: {"df_personal_loans":[{"id":"loan_a"}]}
                             (default: one offer "<flowId>:offer")
  --start <ISO>              when the customer enters (default 2026-01-01T00:00:00Z)
  --check-entry              apply the journey's entry conditions (segments) to the customer
  --policy <json|file>       a send policy (quiet hours, caps, rate limits) applied as the
                             engine applies it: held-back sends show as "deferred" lines
                             (docs/send-policies.md)
  --json                     print { status, exitReason, timeline } as JSON
  -h, --help                 show this help

Exit status: 0 when the run finished, 1 when the journey or an input is invalid, 2 for a usage error.
`;

/** `stepId:type` or `+3d:type`. */
export function parseOutcome(spec: string): SimulatedOutcome {
  const colon = spec.lastIndexOf(':');
  const when = spec.slice(0, colon);
  const type = spec.slice(colon + 1);
  if (colon <= 0 || type === '') throw new JourneyError('invalid-option', `--outcome "${spec}" is not <stepId>:<type> or +<duration>:<type>`, { path: ['outcome'] });
  if (when.startsWith('+')) {
    if (!/^\d+(?:\.\d+)?(?:ms|s|m|h|d|w)$/.test(when.slice(1))) throw new JourneyError('invalid-option', `--outcome "${spec}": "${when}" is not a duration like +2d`, { path: ['outcome'] });
    return { at: when.slice(1), type };
  }
  return { afterStepId: when, type };
}

/** `stepId:type`, `+3d:type` or either with `:{"json":"properties"}`. */
export function parseEvent(spec: string): SimulatedEvent {
  const first = spec.indexOf(':');
  const rest = first < 0 ? '' : spec.slice(first + 1);
  const json = rest.search(/:[{[]/);
  const head = json < 0 ? spec : spec.slice(0, first + 1 + json);
  let properties: Record<string, JsonValue> | undefined;
  if (json >= 0) {
    const text = rest.slice(json + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new JourneyError('invalid-option', `--event "${spec}": the properties "${text}" are not JSON`, { path: ['event'] });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new JourneyError('invalid-option', `--event "${spec}": the properties must be a JSON object`, { path: ['event'] });
    }
    properties = value as Record<string, JsonValue>;
  }
  let when: SimulatedOutcome;
  try {
    when = parseOutcome(head);
  } catch (error) {
    throw new JourneyError('invalid-option', (error as Error).message.replace('--outcome', '--event'), { path: ['event'] });
  }
  return { ...when, ...(properties === undefined ? {} : { properties }) };
}

function checkStart(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value) || !Number.isFinite(Date.parse(value))) {
    throw new JourneyError('invalid-option', `--start "${value}" is not an ISO-8601 date-time such as 2026-03-10T09:00:00Z`, { path: ['start'] });
  }
  return value;
}

/** An error about `outcomes[i]` or `events[i]` of the simulation, told as the `--outcome` / `--event` the user typed. */
function optionError(error: unknown, specs: { readonly outcomes: readonly string[]; readonly events: readonly string[] }): unknown {
  if (!(error instanceof JourneyError) || typeof error.path[1] !== 'number') return error;
  const field = error.path[0];
  if (field !== 'outcomes' && field !== 'events') return error;
  const option = field === 'outcomes' ? 'outcome' : 'event';
  const spec = specs[field][error.path[1]];
  return new JourneyError(error.code, `--${option} "${spec}": ${error.message}`, { path: [option, error.path[1]], details: error.details, cause: error });
}

/** `journeys test`: one sample customer through `simulate`. */
export const testCommand: Command = {
  name: 'test',
  summary: 'run a sample customer through a journey and print the timeline',
  usage: USAGE,
  async run(argv, io) {
    const options = {
      customer: { type: 'string' },
      outcome: { type: 'string', multiple: true },
      event: { type: 'string', multiple: true },
      decisions: { type: 'string' },
      start: { type: 'string' },
      'check-entry': { type: 'boolean' },
      policy: { type: 'string' },
      json: { type: 'boolean' },
    } as const;
    const parsed = parseCommandLine({ name: 'test', usage: USAGE }, argv, options, io);
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      io.stderr(`journeys test: name exactly one journey file.\n\n${USAGE}`);
      return EXIT.usage;
    }
    try {
      const journey = await loadJourney(positionals[0]!, io);
      const customer = values.customer === undefined ? undefined : await jsonOption(values.customer, io, 'customer');
      if (customer !== undefined && (customer === null || typeof customer !== 'object' || Array.isArray(customer))) {
        throw new JourneyError('invalid-option', '--customer must be a JSON object like {"id":"c1","segments":["loan_interested"]}', { path: ['customer'] });
      }
      const decisions = values.decisions === undefined ? undefined : await jsonOption(values.decisions, io, 'decisions');
      const start = checkStart(values.start);
      const sendPolicy = values.policy === undefined ? undefined : await jsonOption(values.policy, io, 'policy');
      const options: SimulateOptions = {
        ...(customer ? { customer: customer as SimulateOptions['customer'] } : {}),
        outcomes: (values.outcome ?? []).map(parseOutcome),
        events: (values.event ?? []).map(parseEvent),
        ...(decisions ? { decisions: decisions as SimulateOptions['decisions'] } : {}),
        ...(start ? { start } : {}),
        ...(values['check-entry'] ? { checkEntry: true } : {}),
        ...(sendPolicy === undefined ? {} : { sendPolicy: sendPolicy as SimulateOptions['sendPolicy'] }),
      };
      const result = await simulate(journey, options).catch((error: unknown) => {
        throw optionError(error, { outcomes: values.outcome ?? [], events: values.event ?? [] });
      });
      if (values.json) {
        io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        return EXIT.ok;
      }
      const lines = formatTimeline(result.timeline);
      if (result.refusal) lines.push(`not enrolled: ${result.refusal.reason}: ${result.refusal.message}`);
      else lines.push(`result: ${result.status}${result.exitReason ? ` (${result.exitReason})` : ''}`);
      io.stdout(`${lines.join('\n')}\n`);
      return EXIT.ok;
    } catch (error) {
      return reportError(io, 'test', error);
    }
  },
};
