import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HTTP_STATUS_BY_CODE } from '../../src/adapters/http/index.js';

/** The rows of the "Error codes" table in docs/http-api.md: code → documented status. */
function documentedCodes(): Map<string, number> {
  const text = readFileSync(new URL('../../docs/http-api.md', import.meta.url), 'utf8');
  const section = text.slice(text.indexOf('### Error codes'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| Code |')));
  const rows = new Map<string, number>();
  for (const match of table.matchAll(/^\| `([a-z-]+)` \| (\d{3}) \|/gm)) rows.set(match[1]!, Number(match[2]));
  return rows;
}

describe('docs/http-api.md: error codes', () => {
  it('documents every code of JourneyErrorCode with its status, and no code that does not exist', () => {
    const documented = documentedCodes();
    const codes = Object.keys(HTTP_STATUS_BY_CODE).sort();
    expect(codes.filter((code) => !documented.has(code))).toEqual([]);
    expect([...documented.keys()].filter((code) => !Object.hasOwn(HTTP_STATUS_BY_CODE, code))).toEqual([]);
    for (const code of codes) expect({ code, status: documented.get(code) }).toEqual({ code, status: HTTP_STATUS_BY_CODE[code as keyof typeof HTTP_STATUS_BY_CODE] });
  });
});
