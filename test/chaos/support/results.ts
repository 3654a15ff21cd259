// The chaos results table: printed at the end of the run and written to .cache/chaos/results.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAOS_DIR } from './service-process';

export interface ResultRow {
  scenario: string;
  kills: number;
  restarts: number;
  /** Messages through Kafka and HTTP: alarms sent (resends included), driver commands and events. */
  messages: number;
  /** Alarm rows stored. */
  alarms: number;
  plans: number;
  /** Instances not running on a live host in the simulator at the end (issue 15): count, excused. */
  leftDown: string;
  /** Plans ended `failed`, with their failed actions tallied by type and error code. */
  failedPlans: string;
  lost: number;
  duplicated: number;
  pass: boolean;
  seconds: number;
  /** What was run, and anything that did not hold. */
  notes: string;
}

export const RESULTS_FILE = join(CHAOS_DIR, 'results.md');

const COLUMNS: Array<[keyof ResultRow, string]> = [
  ['scenario', 'scenario'],
  ['kills', 'kills'],
  ['restarts', 'restarts'],
  ['messages', 'messages'],
  ['alarms', 'alarms'],
  ['plans', 'plans'],
  ['leftDown', 'left down'],
  ['failedPlans', 'failed plans'],
  ['lost', 'lost'],
  ['duplicated', 'duplicated'],
  ['pass', 'pass'],
  ['seconds', 's'],
  ['notes', 'notes'],
];

export function renderTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((row) =>
    COLUMNS.map(([key]) => {
      const value = row[key];
      return key === 'pass' ? (value ? 'yes' : 'NO') : String(value).replace(/\|/g, '\\|');
    }),
  );
  const header = COLUMNS.map(([, title]) => title);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? header[i].length + 2 : w + 2)).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}

export function writeResults(rows: readonly ResultRow[], totalSeconds: number): string {
  mkdirSync(CHAOS_DIR, { recursive: true });
  const text =
    `# Reflex chaos results\n\n${new Date().toISOString()}, ${totalSeconds} s in all\n\n` +
    `${renderTable(rows)}\n\n` +
    'messages: alarm messages sent over Kafka and HTTP (resends included) plus driver commands and ' +
    'events; alarms: rows stored; lost: distinct alarm messages sent but not stored; duplicated: ' +
    'alarm rows beyond one per message, plus backend actions started or migrations completed twice; ' +
    'left down: instances not running on a live host in the simulator at the end (those for which no ' +
    'capacity existed, named in a plan reason, listed); failed plans: plans ended failed, tallied by ' +
    'their failed actions (type and error code).\n';
  writeFileSync(RESULTS_FILE, text);
  return text;
}
