import { cpus, freemem, hostname, loadavg, platform, release, totalmem } from 'node:os';

/** `>=`: the figure must reach the target; `<=`: it must stay under it. */
export type Comparator = '>=' | '<=';

/** One line of the table: a measured figure, and its target when it has one. */
export interface Row {
  /** Which scenario measured it (`intake`, `planner`...). */
  scenario: string;
  name: string;
  figure: number;
  unit: string;
  target: number | null;
  comparator: Comparator | null;
  /** null for a figure without a target (context, like the raw floor itself). */
  pass: boolean | null;
  /** What the figure does not say by itself: sizes, what was checked, why a target is missed. */
  note?: string;
}

export function row(
  scenario: string,
  name: string,
  figure: number,
  unit: string,
  goal?: { target: number; comparator: Comparator },
  note?: string,
): Row {
  const pass = goal
    ? goal.comparator === '>='
      ? figure >= goal.target
      : figure <= goal.target
    : null;
  return {
    scenario,
    name,
    figure,
    unit,
    target: goal?.target ?? null,
    comparator: goal?.comparator ?? null,
    pass,
    ...(note ? { note } : {}),
  };
}

/** A row for a figure that could not be measured: it fails its target, with the reason. */
export function failedRow(
  scenario: string,
  name: string,
  unit: string,
  reason: string,
  goal?: { target: number; comparator: Comparator },
): Row {
  return {
    scenario,
    name,
    figure: Number.NaN,
    unit,
    target: goal?.target ?? null,
    comparator: goal?.comparator ?? null,
    pass: goal ? false : null,
    note: reason,
  };
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  freeMemoryGb: number;
  node: string;
  os: string;
  host: string;
  /** 1-minute load average when measured: other work on the machine skews every figure. */
  loadAverage: number;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    freeMemoryGb: Math.round(freemem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    host: hostname(),
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB RAM, Node ${m.node}, ${m.os}; load average ${m.loadAverage}`;
}

/** 12345.6 → "12,346"; 12.345 → "12.3"; 0.01234 → "0.0123". Enough digits to compare, no more. */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function targetText(r: Row): string {
  return r.target === null ? '' : `${r.comparator} ${formatFigure(r.target)}`;
}

function verdict(r: Row): string {
  return r.pass === null ? '' : r.pass ? 'pass' : 'FAIL';
}

/** The table as aligned plain text, for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const header = ['scenario', 'figure', 'value', 'unit', 'target', 'result'];
  const lines = rows.map((r) => [
    r.scenario,
    r.name,
    formatFigure(r.figure),
    r.unit,
    targetText(r),
    verdict(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const right = new Set([2, 4]);
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [fmt(header), rule, ...lines.map(fmt)].join('\n');
}

/** The table as Markdown, for the README's Performance section. */
export function markdownTable(rows: readonly Row[]): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    '| scenario | figure | value | unit | target | result |',
    '|---|---|---:|---|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${escape(r.name)} | ${formatFigure(r.figure)} | ${r.unit} | ${escape(targetText(r))} | ${verdict(r)} |`,
    ),
  ];
  return lines.join('\n');
}

/** Notes under the table, one per row that has one. */
export function notes(rows: readonly Row[]): string[] {
  return rows.filter((r) => r.note).map((r) => `${r.scenario} / ${r.name}: ${r.note}`);
}
