import { spawn } from 'node:child_process';

/*
 * Why a watchdog: the broker is spawned detached (its own process group) so that Ctrl-C in a terminal
 * reaches only our Node process, which then stops it cleanly. The price is that it would outlive a
 * Node process that dies without cleaning up (Jest killed, SIGKILL, a crash); Linux's
 * PR_SET_PDEATHSIG is not reachable from Node. So a tiny detached Node process polls the parent and
 * stops the broker (SIGTERM, then SIGKILL) and removes its data dir once the parent is gone. It is
 * plain JavaScript run with `node -e` so it needs no TypeScript loader, and works on Linux and macOS.
 */
const WATCHDOG_SOURCE = `
const [parentPid, brokerPid, graceMs, dataDir] = process.argv.slice(1);
const alive = (pid) => {
  try { process.kill(Number(pid), 0); return true; } catch (error) { return error.code === 'EPERM'; }
};
// Once the parent is gone nobody may reap the broker promptly; a zombie has exited all the same.
const zombie = (pid) => {
  try { return / Z /.test(require('fs').readFileSync('/proc/' + pid + '/stat', 'utf8').replace(/\\(.*\\)/, '')); }
  catch { return false; }
};
const running = (pid) => alive(pid) && !zombie(pid);
const signal = (name) => { try { process.kill(Number(brokerPid), name); } catch {} };
const poll = setInterval(() => {
  if (!running(brokerPid)) process.exit(0);
  if (alive(parentPid)) return;
  clearInterval(poll);
  signal('SIGTERM');
  const deadline = Date.now() + Number(graceMs);
  const reap = setInterval(() => {
    if (running(brokerPid) && Date.now() < deadline) return;
    signal('SIGKILL');
    clearInterval(reap);
    setTimeout(() => {
      require('fs').rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
      process.exit(0);
    }, 200);
  }, 100);
}, 500);
`;

/** Returns the watchdog's pid so a clean stop can end it first. */
export function spawnWatchdog(brokerPid: number, dataDir: string, graceMs: number): number {
  const child = spawn(
    process.execPath,
    ['-e', WATCHDOG_SOURCE, String(process.pid), String(brokerPid), String(graceMs), dataDir],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the Kafka broker watchdog');
  return child.pid;
}
