/** Text output shared by the commands: timelines, tables, durations, a progress bar. */
import type { TimelineEntry } from '../index.js';

/** `2026-03-10 09:00:00Z` from an ISO instant. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

function detailText(entry: TimelineEntry): string {
  const d = (entry.detail ?? {}) as Record<string, unknown>;
  switch (entry.type) {
    case 'entered':
      return `${String(d['stepType'] ?? '')}${typeof d['visit'] === 'number' && d['visit'] > 1 ? ` (visit ${d['visit']})` : ''}`;
    case 'waiting':
    case 'waiting for':
      return `until ${shortTime(String(d['until']))}`;
    case 'received':
      if (d['timedOut'] === true) return 'timed out';
      return `path ${JSON.stringify(String(d['path']))}: ${d['event'] !== undefined ? `event ${String(d['event'])}` : `outcome ${String(d['outcome'])}`}${typeof d['at'] === 'number' ? ` at ${instant(d['at'])}` : ''}`;
    case 'decided':
      return Array.isArray(d['offerIds']) ? `offers: ${d['offerIds'].join(', ') || '(none)'}` : '';
    case 'sent':
      return [`channel ${String(d['channelId'] ?? '?')}`, d['messageId'] ? `message ${String(d['messageId'])}` : ''].filter(Boolean).join(', ');
    case 'branched':
      return `${d['matched'] === 'default' ? 'default' : typeof d['matched'] === 'number' ? `condition ${d['matched']}` : `"${String(d['matched'])}"`} → ${String(d['target'] ?? 'end')}`;
    case 'outcome':
      return `customer responded: ${String(d['type'])}`;
    case 'outcome-unmatched':
      return `response ${String(d['type'])} not recorded: ${String(d['reason'])}`;
    case 'noted': {
      const { note, ...rest } = d;
      return [String(note), compact(rest)].filter(Boolean).join(' ');
    }
    case 'deferred':
      return `${String(d['reason'])}${d['cap'] === undefined ? '' : ` ${String(d['cap'])}`} until ${shortTime(String(d['until']))}`;
    case 'skipped':
      return d['cap'] === undefined ? compact(d) : `${String(d['skipped'])} ${String(d['cap'])}`;
    case 'exited':
      return `reason: ${String(d['reason'])}`;
    case 'failed':
    case 'retry':
      return String(d['message'] ?? '');
    default:
      return compact(d);
  }
}

function compact(d: Record<string, unknown>): string {
  const keys = Object.keys(d);
  return keys.length === 0 ? '' : keys.map((k) => `${k}=${k === 'at' && typeof d[k] === 'number' ? instant(d[k]) : typeof d[k] === 'string' ? d[k] : JSON.stringify(d[k])}`).join(' ');
}

/** An epoch-ms instant as the timeline prints times (an unrepresentable one as its number). */
function instant(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? shortTime(new Date(ms).toISOString()) : String(ms);
}

/** One line per entry: time, step, what happened, detail — in aligned columns. */
export function formatTimeline(timeline: readonly TimelineEntry[]): string[] {
  const stepWidth = Math.max(4, ...timeline.map((t) => (t.stepId ?? '—').length));
  const typeWidth = Math.max(4, ...timeline.map((t) => t.type.length));
  return timeline.map((t) => `${shortTime(t.at)}  ${(t.stepId ?? '—').padEnd(stepWidth)}  ${t.type.padEnd(typeWidth)}  ${detailText(t)}`.trimEnd());
}

/** A table with a header row; numbers right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r, rowIndex) =>
    r
      .map((c, i) => (rowIndex > 0 && typeof rows[rowIndex - 1]![i] === 'number' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** `\r[#####.....]  50%  500/1000` for a terminal. */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${done}/${total}`;
}

/** `1.23 s` or `850 ms`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
