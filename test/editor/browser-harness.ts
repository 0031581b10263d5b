/**
 * The browser tests' harness: the BUILT editor page (dist/editor-app/ when it is newer than the
 * sources, else a fresh Vite build into a temporary folder), served with the API by node:http on
 * memory storage, and Debian's Chromium driven by playwright-core.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createEditorHandler, createHttpHandler, toNodeListener } from '../../src/adapters/http/index.js';
import { createEngine, memoryStorage, systemClock, type JourneyEngine } from '../../src/index.js';
import { memoryProfiles, recordingChannels } from '../../src/testing.js';
import { buildEditorPage } from '../../scripts/build-editor.js';

const root = new URL('../../', import.meta.url).pathname;
/** Where Debian puts Chromium (`apt-get install -y chromium`). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** The folder of a built page for the current sources: dist/editor-app/ if fresh, else a new build. */
export async function builtPage(): Promise<{ dir: string; cleanup: () => void }> {
  const dist = join(root, 'dist/editor-app');
  const index = join(dist, 'index.html');
  const sources = Math.max(...['editor-app', 'src/editor', 'src/validate', 'src/model'].map((d) => newest(join(root, d))));
  if (existsSync(index) && statSync(index).mtimeMs > sources) return { dir: dist, cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'journey-editor-page-'));
  await buildEditorPage(dir);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Launch Chromium, or fail with the command that installs it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y chromium\` (the browser tests never skip), or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** The API and the editor page on node:http (memory storage, an offer for every decision flow). */
export interface EditorServer {
  readonly origin: string;
  readonly engine: JourneyEngine;
  close(): Promise<void>;
}

/** Start the API at /api/v1 and the page at /editor/ on a free port (customers c1–c3 are in `loan_interested`). */
export async function startEditorServer(pageDir: string): Promise<EditorServer> {
  const engine = createEngine({
    storage: memoryStorage(),
    clock: systemClock(),
    profiles: memoryProfiles(['c1', 'c2', 'c3'].map((id) => ({ id, segments: ['loan_interested'], attributes: {} }))),
    channels: recordingChannels(),
    decisions: { decide: async ({ decisionFlowId }) => [{ id: `${decisionFlowId}:offer` }] },
  });
  const api = createHttpHandler(engine);
  const editor = createEditorHandler({ apiBase: '/api/v1', root: pageDir });
  const server: Server = createServer(toNodeListener((request) => (new URL(request.url).pathname.startsWith('/editor') ? editor(request) : api(request))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    engine,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
