import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/journey-file.js';
import { foreignJourneyError } from '../model/foreign-journey-error.js';
import { fakeIo } from './cli-io.js';

describe('journeys: error reports', () => {
  it("prints a JourneyError's code and diagnostics, also when another copy of the library threw it", () => {
    const Foreign = foreignJourneyError();
    const io = fakeIo();
    const diagnostic = { code: 'unknown-target', severity: 'error', message: 'no step "x"', path: ['steps', 0, 'next'] };
    expect(reportError(io, 'test', new Foreign('invalid-journey', 'j.json has errors', { details: { file: 'j.json', diagnostics: [diagnostic] } }))).toBe(1);
    expect(io.err).toContain('journeys test: invalid-journey: j.json has errors');
    expect(io.err).toContain('unknown-target');
  });

  it('prints only the message of any other error', () => {
    const io = fakeIo();
    reportError(io, 'test', Object.assign(new Error('boom'), { code: 'invalid-journey' }));
    expect(io.err).toBe('journeys test: boom\n');
  });
});
