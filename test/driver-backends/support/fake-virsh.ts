/**
 * A fake `virsh` for the libvirt backend's tests: an executable Node script written into a temp
 * dir. It records every argv to `calls.log`, keeps domains per connection URI in `state.json`,
 * and prints what the real tool prints (domstate words, `domjobinfo` key/value lines, libvirt's
 * error wording on stderr with exit code 1). A live `migrate` runs in steps, writing a job file
 * that `domjobinfo` reads, and watches flag files that `domjobabort`, `migrate-postcopy` and
 * `migrate-setmaxdowntime` drop. `migration.mode`: ok | fail (dies half-way, leaving a paused
 * domain on the destination) | hang (never converges until forced or aborted).
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeVirshState {
  /** uri → domain → state word. */
  hosts: Record<string, Record<string, string>>;
  migration?: {
    mode?: 'ok' | 'fail' | 'hang';
    steps?: number;
    stepMs?: number;
    totalBytes?: number;
  };
  /** `command` or `command uri` → stderr to fail with. */
  fail?: Record<string, string>;
  /** uri → domains undefined while running: they vanish when they stop, as with real virsh. */
  transient?: Record<string, string[]>;
}

const SCRIPT = String.raw`
const fs = require('fs');
const path = require('path');
const dir = __dirname;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls.log'), JSON.stringify(argv) + '\n');
const stateFile = path.join(dir, 'state.json');
const read = () => JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const write = (s) => {
  const tmp = stateFile + '.' + process.pid;
  fs.writeFileSync(tmp, JSON.stringify(s));
  fs.renameSync(tmp, stateFile);
};
let uri = 'qemu:///system';
const args = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '-c' || argv[i] === '--connect') uri = argv[++i];
  else args.push(argv[i]);
}
const [cmd, ...rest] = args;
const flags = rest.filter((a) => a.startsWith('--'));
const pos = rest.filter((a) => !a.startsWith('--'));
// Like virsh: a failed command leaves an empty line on stdout and libvirt's wording on stderr.
const fail = (msg, blank = true) => { if (blank) process.stdout.write('\n'); process.stderr.write(msg + '\n'); process.exit(1); };
const s = read();
const doms = (u) => (s.hosts[u] = s.hosts[u] || {});
const need = (d) => {
  if (!(d in doms(uri))) fail("error: failed to get domain '" + d + "'");
  return doms(uri)[d];
};
// A domain without a definition (undefined while running): it vanishes once it stops.
const transient = (u) => ((s.transient = s.transient || {}), (s.transient[u] = s.transient[u] || []));
const stop = (d) => {
  if (transient(uri).includes(d)) {
    delete doms(uri)[d];
    s.transient[uri] = transient(uri).filter((t) => t !== d);
  } else doms(uri)[d] = 'shut off';
  write(s);
};
const injected = s.fail && (s.fail[cmd + ' ' + uri] || s.fail[cmd]);
if (injected) fail(injected);
const jobFile = (d) => path.join(dir, 'job-' + d + '.json');
const readJob = (d) => (fs.existsSync(jobFile(d)) ? JSON.parse(fs.readFileSync(jobFile(d), 'utf8')) : null);
const MiB = 1024 * 1024;
const size = (b) => (b >= 1024 * MiB ? (b / 1024 / MiB).toFixed(3) + ' GiB' : (b / MiB).toFixed(3) + ' MiB');
const d = pos[0];
switch (cmd) {
  case 'domstate':
    console.log(need(d) + '\n');
    break;
  // Wording captured from virsh 9.0.0 against test:///default (see virsh-real.e2e-spec.ts).
  case 'start':
    if (need(d) !== 'shut off') fail('error: Domain is already active');
    doms(uri)[d] = 'running'; write(s);
    console.log("Domain '" + d + "' started\n");
    break;
  case 'destroy':
    if (!['running', 'paused'].includes(need(d))) fail("error: Failed to destroy domain '" + d + "'\nerror: Requested operation is not valid: domain is not running");
    stop(d);
    console.log("Domain '" + d + "' destroyed\n");
    break;
  case 'shutdown':
    if (need(d) === 'shut off') fail("error: Failed to shutdown domain '" + d + "'\nerror: internal error: domain '" + d + "' not running");
    stop(d);
    console.log("Domain '" + d + "' is being shutdown\n");
    break;
  case 'undefine':
    if (need(d) === 'shut off') delete doms(uri)[d];
    else transient(uri).push(d);
    write(s);
    console.log("Domain '" + d + "' has been undefined\n");
    break;
  case 'resume':
    if (need(d) !== 'paused') fail("error: Failed to resume domain '" + d + "'\nerror: internal error: domain '" + d + "' not paused");
    doms(uri)[d] = 'running'; write(s);
    console.log("Domain '" + d + "' resumed\n");
    break;
  case 'domjobinfo': {
    need(d);
    const job = readJob(d);
    if (!job) { console.log('Job type:         None         \n'); break; }
    const lines = [
      ['Job type', 'Unbounded'], ['Operation', 'Outgoing migration'],
      ['Time elapsed', (Date.now() - job.started) + '         ms'],
      ['Data processed', size(job.processed)], ['Data remaining', size(job.remaining)],
      ['Data total', size(job.total)], ['Memory processed', size(job.processed)],
      ['Memory remaining', size(job.remaining)], ['Memory total', size(job.total)],
      ['Memory bandwidth', '100.000 MiB/s'], ['Dirty rate', job.dirty + '            pages/s'],
    ];
    console.log(lines.map(([k, v]) => (k + ':').padEnd(18) + v).join('\n') + '\n');
    break;
  }
  case 'domjobabort':
    need(d);
    if (!readJob(d)) fail('error: Requested operation is not valid: no job is active on the domain');
    fs.writeFileSync(path.join(dir, 'abort-' + d), '');
    break;
  case 'migrate-postcopy': {
    need(d);
    const job = readJob(d);
    if (!job) fail('error: Requested operation is not valid: no job is active on the domain');
    if (!job.postcopy) fail('error: Requested operation is not valid: switching to post-copy requires migration to be started with VIR_MIGRATE_POSTCOPY flag');
    fs.writeFileSync(path.join(dir, 'force-' + d), '');
    break;
  }
  case 'migrate-setmaxdowntime':
    need(d);
    if (!readJob(d)) fail('error: Requested operation is not valid: no job is active on the domain');
    fs.writeFileSync(path.join(dir, 'force-' + d), pos[1] || '');
    break;
  case 'migrate': {
    const dst = pos[1];
    const st = need(d);
    if (flags.includes('--offline')) {
      if (flags.includes('--undefinesource')) delete doms(uri)[d];
      doms(dst)[d] = 'shut off'; write(s);
      break;
    }
    if (st !== 'running') fail('error: Requested operation is not valid: domain is not running');
    const m = s.migration || {};
    const mode = m.mode || 'ok', steps = m.steps || 5, stepMs = m.stepMs || 30, total = m.totalBytes || 1024 * MiB;
    doms(dst)[d] = 'paused'; write(s);
    const job = { started: Date.now(), processed: 0, remaining: total, total, dirty: 0, postcopy: flags.includes('--postcopy') };
    let step = 0;
    const clear = () => ['job-', 'abort-', 'force-'].forEach((p) => fs.rmSync(path.join(dir, p + d), { force: true }));
    const end = (ok, message) => {
      const now = read();
      if (ok) { delete now.hosts[uri][d]; now.hosts[dst][d] = 'running'; }
      else if (mode !== 'fail') delete now.hosts[dst][d];
      write(now); fs.rmSync(jobFile(d), { force: true }); clear();
      if (ok) { console.log('\nMigration: [100 %]'); process.exit(0); }
      fail(message);
    };
    const tick = () => {
      if (fs.existsSync(path.join(dir, 'abort-' + d))) return end(false, 'error: operation aborted: migration out job: canceled by client');
      if (fs.existsSync(path.join(dir, 'force-' + d)) || job.remaining <= 0) return end(true);
      if (mode === 'fail' && step >= steps / 2) return end(false, "error: internal error: qemu unexpectedly closed the monitor: migration of '" + d + "' failed");
      job.processed += total / steps;
      if (mode === 'hang' && step >= 1) job.dirty = 25600;
      else { step++; job.remaining = Math.max(0, total - (total * step) / steps); }
      fs.writeFileSync(jobFile(d) + '.tmp', JSON.stringify(job));
      fs.renameSync(jobFile(d) + '.tmp', jobFile(d));
      setTimeout(tick, stepMs);
    };
    tick();
    break;
  }
  default:
    fail("error: unknown command: '" + cmd + "'", false);
}
`;

export interface FakeVirsh {
  dir: string;
  path: string;
  /** Every argv virsh was called with, in order (without the program name). */
  calls(): string[][];
  state(): FakeVirshState;
  setState(change: (s: FakeVirshState) => void): void;
}

export function installFakeVirsh(initial: FakeVirshState): FakeVirsh {
  const dir = mkdtempSync(join(tmpdir(), 'reflex-virsh-'));
  const path = join(dir, 'virsh');
  writeFileSync(path, `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(path, 0o755);
  writeFileSync(join(dir, 'calls.log'), '');
  const stateFile = join(dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify(initial));
  const state = () => JSON.parse(readFileSync(stateFile, 'utf8')) as FakeVirshState;
  return {
    dir,
    path,
    calls: () =>
      readFileSync(join(dir, 'calls.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string[]),
    state,
    setState(change) {
      const s = state();
      change(s);
      writeFileSync(stateFile, JSON.stringify(s));
    },
  };
}
