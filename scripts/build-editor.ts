/**
 * Builds the editor page (editor-app/) with Vite into static assets, and the component's
 * stylesheet. `npm run build` runs it after tsup: the page → dist/editor-app/, the styles →
 * dist/editor/style.css (React Flow's base styles + the editor's). The browser tests call
 * {@link buildEditorPage} into a temporary folder when dist/ is missing or older than the sources.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Build the page into `outDir` (default dist/editor-app/). */
export async function buildEditorPage(outDir = join(root, 'dist/editor-app')): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: join(root, 'editor-app/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** The stylesheet `journey-engine/editor/style.css`: React Flow's styles, then the editor's. */
export function editorStylesheet(): string {
  const flow = readFileSync(join(root, 'node_modules/@xyflow/react/dist/style.css'), 'utf8');
  const own = readFileSync(join(root, 'src/editor/react/style.css'), 'utf8');
  return `/* @xyflow/react (MIT) */\n${flow}\n${own}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildEditorPage();
  const css = join(root, 'dist/editor/style.css');
  mkdirSync(dirname(css), { recursive: true });
  writeFileSync(css, editorStylesheet());
  console.log(`editor page: ${out}; styles: ${css}`);
}
