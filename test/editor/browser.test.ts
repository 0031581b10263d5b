/**
 * The editor page in a real browser (Debian's Chromium via playwright-core), against the API on
 * node:http with memory storage, serving the BUILT page. Fails — never skips — without Chromium.
 * A screenshot of each state goes to .tmp/editor-screenshots/ (CI keeps it as an artifact).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGraph, type JourneyDraft } from '../../src/editor/index.js';
import { builtPage, launchChromium, startEditorServer, type EditorServer } from './browser-harness.js';

const SHOTS = new URL('../../.tmp/editor-screenshots/', import.meta.url).pathname;
const example = (name: string) => JSON.parse(readFileSync(new URL(`../../examples/journeys/${name}.json`, import.meta.url), 'utf8')) as JourneyDraft & Record<string, unknown>;
const END = '__end__';
/** A browser test's budget: a few seconds alone, much more on a loaded machine (the suite runs files in parallel). */
const SLOW = 90_000;

let browser: Browser;
let server: EditorServer;
let cleanup = () => {};

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const page = await builtPage();
  cleanup = page.cleanup;
  server = await startEditorServer(page.dir);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  cleanup();
});

async function openPage(path = '/editor/'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(`${server.origin}${path}`);
  await page.waitForSelector('[data-testid="journey-editor"]');
  // The editor shows (empty) before the journey asked for has been fetched: wait for its steps.
  if (new URL(path, server.origin).searchParams.has('journey')) await page.locator('[data-step-id]').first().waitFor();
  return page;
}

/** Every step node lies inside the canvas: the journey was fitted into view. */
async function expectAllInView(page: Page): Promise<void> {
  const canvas = (await page.locator('.react-flow').boundingBox())!;
  await expect
    .poll(async () => {
      const boxes = await page.locator('[data-step-id]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height })));
      return boxes.filter((b) => b.x < canvas.x || b.y < canvas.y || b.x + b.w > canvas.x + canvas.width || b.y + b.h > canvas.y + canvas.height).map((b) => Math.round(b.y));
    })
    .toEqual([]);
}

async function create(doc: unknown): Promise<string> {
  const res = await fetch(`${server.origin}/api/v1/journeys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png` });
const panel = (page: Page) => page.locator('[data-testid="config-panel"]');
const field = (page: Page, key: string) => panel(page).locator(`[data-field="${key}"]`);

/** Drag a palette item onto the canvas at (x, y) of the pane; answer the new step's id. */
async function place(page: Page, kind: string, x: number, y: number): Promise<string> {
  const before = await page.locator('[data-step-id]').count();
  await page.locator(`[data-step-kind="${kind}"]`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
  await expect.poll(() => page.locator('[data-step-id]').count()).toBe(before + 1);
  return (await panel(page).getAttribute('data-panel-step'))!;
}

async function rename(page: Page, from: string, to: string): Promise<void> {
  await expect.poll(() => panel(page).getAttribute('data-panel-step')).toBe(from);
  await field(page, 'id').fill(to);
  await field(page, 'id').press('Enter');
  await page.locator(`[data-step-id="${to}"]`).waitFor();
}

/** Wait until the canvas stops moving (a layout or fit view applied): a node's box is the same twice in a row. */
async function settled(page: Page): Promise<void> {
  let last = '';
  await expect
    .poll(async () => {
      const box = JSON.stringify(await page.locator('.react-flow__viewport').getAttribute('style')) + JSON.stringify(await page.locator('[data-step-id]').first().boundingBox());
      const same = box === last;
      last = box;
      return same;
    }, { interval: 100 })
    .toBe(true);
}

/** Drag from a step's transition handle to another step's (or the end's) input handle. */
async function connect(page: Page, source: string, handle: string, target: string): Promise<void> {
  const from = page.locator(`.react-flow__handle[data-nodeid="${source}"][data-handleid="${handle}"]`);
  const to = page.locator(`.react-flow__handle[data-nodeid="${target}"][data-handleid="in"]`);
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 15 });
  await page.mouse.up();
  try {
    await page.locator(`.react-flow__handle[data-nodeid="${source}"][data-handleid="${handle}"][data-target="${target}"]`).waitFor({ timeout: 30_000 });
  } catch (error) {
    await shot(page, `failed-connect-${source}-${target}`);
    console.log(await page.locator('.react-flow__handle.source').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-nodeid')} ${e.getAttribute('data-handleid')} -> ${e.getAttribute('data-target')} ${JSON.stringify(e.getBoundingClientRect())}`)), a, b);
    throw error;
  }
}

/** What a journey means, positions aside: its fields, and per step its config and where each transition leads. */
function meaning(doc: JourneyDraft & Record<string, unknown>) {
  const strip = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !/TargetStepId$|^targetStepId$/.test(k)).map(([k, x]) => [k, strip(x)])) : v;
  return {
    name: doc.name,
    description: doc.description,
    maxDuration: doc.maxDuration,
    entryConditions: doc.entryConditions,
    steps: toGraph(doc).nodes.map((n) => ({ id: n.id, type: n.kind, label: n.step.label, config: strip(n.step.config), targets: n.handles.map((h) => h.target) })),
  };
}

describe('the editor page in Chromium', () => {
  it("opens the seed's own example and shows its two unknown-target problems on the right node", async () => {
    const id = await create(example('loan-nurture.seed'));
    const page = await openPage(`/editor/?journey=${id}`);
    const badge = page.locator('[data-step-id="step_check_response"] [data-testid="node-problems"]');
    await badge.waitFor();
    await expect.poll(() => badge.textContent()).toBe('2');
    expect(await badge.getAttribute('data-diagnostic-codes')).toBe('unknown-target unknown-target');
    const problems = page.locator('[data-testid="problems"] [data-diagnostic-code="unknown-target"]');
    expect(await problems.count()).toBe(2);
    expect(await problems.evaluateAll((els) => els.map((e) => e.getAttribute('data-problem-step')))).toEqual(['step_check_response', 'step_check_response']);
    // No other node carries a badge.
    expect(await page.locator('[data-testid="node-problems"]').count()).toBe(1);
    // The whole journey is in view (the page fetched it after the editor's first render).
    await expectAllInView(page);
    // Choosing a problem selects its node and its field.
    await problems.nth(1).locator('button').click();
    await expect.poll(() => panel(page).getAttribute('data-panel-step')).toBe('step_check_response');
    await shot(page, '1-seed-problems');
    await page.close();
  }, SLOW);

  it('builds the loan-nurture journey from an empty canvas with the palette and connections only', async () => {
    const want = example('loan-nurture');
    const page = await openPage('/editor/');
    await page.locator('[data-testid="journey-name"]').fill(String(want.name));
    const settings = page.locator('[data-testid="journey-settings"]');
    await settings.locator('[data-field="journey.description"]').fill(String(want.description));
    await settings.locator('[data-field="journey.maxDuration"]').fill('21');
    await settings.locator('[data-field="journey.entryConditions.segments"]').fill('loan_interested');
    await settings.locator('[data-field="journey.entryConditions.segments"]').press('Tab');
    await settings.locator('[data-field="journey.entryConditions.minDaysSinceLastJourney"]').fill('30');
    await settings.locator('[data-field="journey.entryConditions.manual"]').uncheck();

    // Place the ten steps (in the example's order) on a grid, and configure each in its panel.
    const grid = (k: number) => ({ x: 140 + (k % 3) * 300, y: 80 + Math.floor(k / 3) * 170 });
    const put = async (k: number, kind: string, id: string) => rename(page, await place(page, kind, grid(k).x, grid(k).y), id);
    await put(0, 'decide', 'step_initial_offer');
    await field(page, 'config.decisionFlowId').fill('df_personal_loans');
    await field(page, 'config.maxOffers').fill('1');
    await field(page, 'config.storeResultAs').fill('loan_recommendation');
    const send = async (k: number, id: string, channel: string, creative: string) => {
      await put(k, 'send', id);
      await field(page, 'config.channelId').fill(channel);
      await field(page, 'config.creativeId').fill(creative);
      await field(page, 'config.resultSource').fill('loan_recommendation');
    };
    await send(1, 'step_send_email', 'ch_email', 'treat_loan_email_v1');
    await put(2, 'wait', 'step_wait_3d');
    await field(page, 'config.duration').fill('3');
    await field(page, 'config.unit').selectOption('days');
    await put(3, 'branch', 'step_check_response');
    for (const [j, [label, expression]] of [['Converted', "outcome == 'conversion'"], ['Clicked but no conversion', "outcome == 'click'"]].entries()) {
      await panel(page).locator('[data-action="add-config.conditions"]').click();
      await field(page, `config.conditions.${j}.label`).fill(label!);
      await field(page, `config.conditions.${j}.expression`).fill(expression!);
    }
    await send(4, 'step_followup', 'ch_email', 'treat_loan_followup_v1');
    await send(5, 'step_reminder', 'ch_push', 'treat_loan_reminder_v1');
    await put(6, 'wait', 'step_wait_followup');
    await field(page, 'config.duration').fill('4');
    await put(7, 'branch', 'step_final_check');
    await panel(page).locator('[data-action="add-config.conditions"]').click();
    await field(page, 'config.conditions.0.label').fill('Converted');
    await field(page, 'config.conditions.0.expression').fill("outcome == 'conversion'");
    await put(8, 'update', 'step_not_converted');
    await field(page, 'config.operations.0.type').selectOption('set_attribute');
    await field(page, 'config.operations.0.key').fill('journey_stage');
    await field(page, 'config.operations.0.value').fill('nurture_ended');
    await put(9, 'update', 'step_thank_you');
    await field(page, 'config.operations.0.type').selectOption('set_attribute');
    await field(page, 'config.operations.0.key').fill('journey_stage');
    await field(page, 'config.operations.0.value').fill('converted');
    for (const [j, type, segment] of [[1, 'add_segment', 'loan_customers'], [2, 'remove_segment', 'loan_interested']] as const) {
      await panel(page).locator('[data-action="add-config.operations"]').click();
      await field(page, `config.operations.${j}.type`).selectOption(type);
      await field(page, `config.operations.${j}.segment`).fill(segment);
    }
    await shot(page, '2-placed');

    // Draw the transitions (a placed step ends the journey until it is connected), then lay it out.
    await connect(page, 'step_initial_offer', 'next', 'step_send_email');
    await connect(page, 'step_send_email', 'next', 'step_wait_3d');
    await connect(page, 'step_wait_3d', 'next', 'step_check_response');
    await connect(page, 'step_check_response', 'config.conditions.0.targetStepId', 'step_thank_you');
    await connect(page, 'step_check_response', 'config.conditions.1.targetStepId', 'step_followup');
    await connect(page, 'step_check_response', 'next', 'step_reminder');
    await connect(page, 'step_followup', 'next', 'step_wait_followup');
    await connect(page, 'step_reminder', 'next', 'step_wait_followup');
    await connect(page, 'step_wait_followup', 'next', 'step_final_check');
    await connect(page, 'step_final_check', 'config.conditions.0.targetStepId', 'step_thank_you');
    await connect(page, 'step_final_check', 'next', 'step_not_converted');
    await page.locator('[data-testid="layout"]').click();
    await settled(page);
    await expect.poll(() => page.locator('[data-testid="problems"] [data-severity="error"]').count()).toBe(0);
    await shot(page, '3-built');

    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="saved"]').waitFor();
    const id = new URL(page.url()).searchParams.get('journey');
    const saved = (await (await fetch(`${server.origin}/api/v1/journeys/${id}`)).json()) as JourneyDraft & Record<string, unknown>;
    expect(meaning(saved)).toEqual(meaning(want));
    expect(saved.diagnostics).toEqual([]);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  }, 2 * SLOW);

  it('shows a problem as a branch expression breaks, and drops it once fixed', async () => {
    const id = await create(example('loan-nurture'));
    const page = await openPage(`/editor/?journey=${id}`);
    await page.locator('[data-step-id="step_check_response"]').click();
    const expression = field(page, 'config.conditions.0.expression');
    const problems = page.locator('[data-testid="problems"] [data-diagnostic-code][data-problem-step="step_check_response"]');
    expect(await problems.count()).toBe(0);
    await expression.fill("outcome == 'conversion' &&");
    await problems.first().waitFor();
    const code = await problems.first().getAttribute('data-diagnostic-code');
    expect(code).toMatch(/expression/);
    // As you type: the field shows it too, and the node has a badge.
    await panel(page).locator('[data-field-diagnostic]').first().waitFor();
    await page.locator('[data-step-id="step_check_response"] [data-testid="node-problems"]').waitFor();
    await shot(page, '4-broken-expression');
    await expression.fill("outcome == 'conversion'");
    await expect.poll(() => problems.count()).toBe(0);
    expect(await page.locator('[data-testid="node-problems"]').count()).toBe(0);
    await page.close();
  }, SLOW);

  it('edits a form the fields do not show (a wait window) through the configuration as JSON', async () => {
    const id = await create(example('loan-nurture'));
    const page = await openPage(`/editor/?journey=${id}`);
    await page.locator('[data-step-id="step_wait_3d"]').click();
    await panel(page).locator('[data-testid="config-json"] summary').click();
    const json = field(page, 'config');
    expect(JSON.parse(await json.inputValue())).toEqual({ duration: 3, unit: 'days' });
    // Half-typed JSON changes nothing and says so.
    await json.fill('{ "duration": 3, ');
    await panel(page).locator('[data-testid="config-json-problem"]').waitFor();
    expect(await field(page, 'config.duration').inputValue()).toBe('3');
    // A window with a zone that does not exist: applied, and the validator's problem shows on the node.
    const window = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timeZone: 'Mars/Olympus' };
    await json.fill(JSON.stringify({ duration: 2, unit: 'days', window }));
    await expect.poll(() => panel(page).locator('[data-testid="config-json-problem"]').count()).toBe(0);
    expect(await field(page, 'config.duration').inputValue()).toBe('2');
    const problems = page.locator('[data-testid="problems"] [data-diagnostic-code="invalid-time-zone"][data-problem-step="step_wait_3d"]');
    await problems.first().waitFor();
    await json.fill(JSON.stringify({ duration: 2, unit: 'days', window: { ...window, timeZone: 'Europe/London' } }));
    await expect.poll(() => problems.count()).toBe(0);
    await page.locator('[data-testid="save"]').click();
    await expect
      .poll(async () => ((await (await fetch(`${server.origin}/api/v1/journeys/${id}`)).json()) as { steps: { id: string; config: unknown }[] }).steps.find((x) => x.id === 'step_wait_3d')?.config)
      .toEqual({ duration: 2, unit: 'days', window: { ...window, timeZone: 'Europe/London' } });
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  }, SLOW);

  it('saves, activates, and then shows the canvas locked; a sample customer run shows the timeline and the path', async () => {
    const doc = example('loan-nurture');
    const id = await create(doc);
    const page = await openPage(`/editor/?journey=${id}`);
    await expectAllInView(page);
    await page.locator('[data-step-id="step_wait_3d"]').click();
    await field(page, 'config.duration').fill('2');
    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="saved"]').waitFor();
    const stored = (await (await fetch(`${server.origin}/api/v1/journeys/${id}`)).json()) as { steps: { id: string; config: { duration?: number } }[] };
    expect(stored.steps.find((s) => s.id === 'step_wait_3d')!.config.duration).toBe(2);
    await page.locator('[data-testid="activate"]').click();
    await expect.poll(() => page.locator('[data-testid="journey-status"]').textContent()).toBe('active');
    await page.locator('[data-testid="read-only"]').waitFor();
    expect(await page.locator('[data-testid="journey-editor"]').getAttribute('data-read-only')).toBe('true');
    expect(await page.locator('[data-step-kind]').count()).toBe(0);
    expect(await page.locator('[data-testid="save"]').isDisabled()).toBe(true);
    await page.locator('[data-step-id="step_wait_3d"]').click();
    expect(await field(page, 'config.duration').isDisabled()).toBe(true);
    await expectAllInView(page); // the editor, remounted read-only, fits the journey again
    await shot(page, '5-active-locked');

    await page.locator('[data-testid="test-toggle"]').click();
    await page.locator('[data-testid="test-customer"]').fill('{ "id": "c1", "segments": ["loan_interested"] }');
    await page.locator('[data-testid="test-outcomes"]').fill('[{ "afterStepId": "step_send_email", "type": "click" }]');
    await page.locator('[data-testid="test-run"]').click();
    const timeline = page.locator('[data-testid="timeline"] li');
    await timeline.first().waitFor();
    const steps = await timeline.evaluateAll((els) => els.map((e) => e.getAttribute('data-timeline-step')));
    expect(steps).toContain('step_followup');
    expect(steps).not.toContain('step_reminder');
    await page.locator('[data-step-id="step_followup"][data-highlighted="true"]').waitFor();
    expect(await page.locator('[data-step-id="step_reminder"][data-highlighted="true"]').count()).toBe(0);
    expect(await page.locator('[data-testid="test-status"]').textContent()).toMatch(/completed/);
    await settled(page);
    await shot(page, '6-test-run');
    await page.close();
  }, SLOW);

  it('warns, when a paused journey is saved without some steps, how many customers are on them', async () => {
    const id = await create({ ...example('loan-nurture'), status: 'active' });
    const enrolled = await fetch(`${server.origin}/api/v1/journeys/${id}/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerIds: ['c1', 'c2', 'c3'] }) });
    expect(((await enrolled.json()) as { counts: { enrolled: number } }).counts.enrolled).toBe(3);
    while ((await server.engine.runDue({ limit: 100 })).processed > 0);
    const page = await openPage(`/editor/?journey=${id}`);
    // Active: locked, live counts on the nodes; pause to edit.
    await expect.poll(() => page.locator('[data-step-id="step_wait_3d"] [data-testid="step-current"]').textContent()).toBe('3');
    await page.locator('[data-testid="pause-to-edit"]').click();
    await expect.poll(() => page.locator('[data-testid="journey-status"]').textContent()).toBe('paused');
    await page.locator('[data-testid="palette"]').waitFor();
    await page.locator('[data-step-id="step_wait_3d"]').click();
    await expect.poll(() => panel(page).getAttribute('data-panel-step')).toBe('step_wait_3d');
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(9);
    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="save-warning"]').waitFor();
    expect(await page.locator('[data-testid="in-flight"]').textContent()).toBe('3');
    expect(await page.locator('[data-testid="save-warning"]').textContent()).toContain('step_wait_3d');
    await shot(page, '8-paused-save-warning');
    await page.locator('[data-testid="save-anyway"]').click();
    await page.locator('[data-testid="saved"]').waitFor();
    const stored = (await (await fetch(`${server.origin}/api/v1/journeys/${id}`)).json()) as { steps: { id: string }[]; version: number };
    expect(stored.steps.map((s) => s.id)).not.toContain('step_wait_3d');
    expect(stored.version).toBe(2);
    await page.close();
  }, SLOW);

  it('undoes and redoes with the keyboard and the toolbar', async () => {
    const id = await create(example('loan-nurture'));
    const page = await openPage(`/editor/?journey=${id}`);
    const nodes = page.locator('[data-step-id]');
    expect(await nodes.count()).toBe(10);
    await place(page, 'wait', 60, 60);
    expect(await nodes.count()).toBe(11);
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 400 } });
    await page.locator('[data-testid="journey-settings"]').waitFor();
    await page.keyboard.press('Control+z');
    await expect.poll(() => nodes.count()).toBe(10);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => nodes.count()).toBe(11);
    await page.locator('[data-testid="undo"]').click();
    await expect.poll(() => nodes.count()).toBe(10);
    await page.locator('[data-testid="redo"]').click();
    await expect.poll(() => nodes.count()).toBe(11);
    await shot(page, '7-undo-redo');
    // Delete reconnects around; copy and paste makes a fresh id. The editor opens a journey at zoom 1
    // around its first step, so these two steps are below the page: bring the journey into view
    // first (clicking them off-screen made Playwright scroll the canvas, and the click landed on
    // another node or outside the page when the machine was busy).
    await page.locator('[data-testid="fit-view"]').click();
    await settled(page);
    await page.locator('[data-step-id="step_wait_followup"]').click();
    await expect.poll(() => panel(page).getAttribute('data-panel-step')).toBe('step_wait_followup');
    await page.keyboard.press('Delete');
    await expect.poll(() => nodes.count()).toBe(10);
    await page.locator('.react-flow__handle[data-nodeid="step_reminder"][data-handleid="next"][data-target="step_final_check"]').waitFor();
    await page.locator('[data-step-id="step_final_check"]').click();
    await expect.poll(() => panel(page).getAttribute('data-panel-step')).toBe('step_final_check');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(() => nodes.count()).toBe(11);
    await page.close();
  }, SLOW);
});
