// From the installed package (run in the scratch consumer by .ci/check-pack): the page ships,
// createEditorHandler serves it under node:http, and journey-engine/editor/react resolves.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createEditorHandler, toNodeListener } from 'journey-engine/http';

const require = createRequire(import.meta.url);
const pkg = require.resolve('journey-engine/package.json').replace(/package\.json$/, '');
if (!existsSync(`${pkg}dist/editor-app/index.html`)) throw new Error('the packed package has no dist/editor-app/index.html');
if (!existsSync(`${pkg}dist/editor/style.css`)) throw new Error('the packed package has no dist/editor/style.css');

const server = createServer(toNodeListener(createEditorHandler({ apiBase: '/custom/api' })));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
try {
  const page = await fetch(`${origin}/editor/`);
  const html = await page.text();
  if (page.status !== 200 || !page.headers.get('content-type').startsWith('text/html')) throw new Error(`GET /editor/: ${page.status}`);
  if (!html.includes('content="/custom/api"')) throw new Error('apiBase is not written into the page');
  const assets = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  if (assets.length === 0) throw new Error('the page names no assets');
  for (const a of assets) {
    const r = await fetch(`${origin}/editor/${a}`);
    if (r.status !== 200 || r.headers.get('cache-control') !== 'public, max-age=31536000, immutable') throw new Error(`GET /editor/${a}: ${r.status}`);
    await r.arrayBuffer();
  }
  console.log(`editor page from the installed package: ok (${assets.length} assets)`);
} finally {
  server.close();
}

// The subpath resolves both ways (its peers are not installed here, so only resolution is checked).
const esm = import.meta.resolve('journey-engine/editor/react');
const cjs = require.resolve('journey-engine/editor/react');
const css = import.meta.resolve('journey-engine/editor/style.css');
if (!esm.endsWith('dist/editor/react.js') || !cjs.endsWith('dist/editor/react.cjs') || !css.endsWith('dist/editor/style.css')) throw new Error(`editor/react resolves to ${esm}, ${cjs}, ${css}`);
console.log('journey-engine/editor/react resolves: ok');
