import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { BackendHandle } from '../../../apps/driver/src/backends/backend.port';
import type { ExecutionListener } from '../../../apps/driver/src/actions/action.executor';
import type { HookPayload } from '../../../apps/driver/src/hooks/hook.types';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `reflex-${prefix}-`));
}

/** A /bin/sh script, executable. */
export function writeExecutable(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A hook that saves the JSON it receives on stdin, one file per call. */
export function recordingHook(dir: string, name = 'record.sh') {
  const out = tempDir('hook-out');
  const path = writeExecutable(
    dir,
    name,
    `cat > "${out}/$REFLEX_HOOK_PHASE-$REFLEX_ACTION_ID-$$.json"\necho "recorded $REFLEX_ACTION_TYPE"`,
  );
  return {
    path,
    payloads(phase?: string): HookPayload[] {
      return readdirSync(out)
        .filter((f) => !phase || f.startsWith(`${phase}-`))
        .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as HookPayload);
    },
  };
}

/** Collects what the executor emits, as the Kafka producer would. */
export function recorder() {
  const events: DriverEventV1[] = [];
  const handles: BackendHandle[] = [];
  const listener: ExecutionListener = {
    emit: (e) => void events.push(e),
    started: (h) => void handles.push(h),
  };
  return {
    events,
    handles,
    listener,
    statuses: () => events.map((e) => e.status),
    progress: () => events.filter((e) => e.status === 'progress').map((e) => e.progress),
  };
}

export const deadlineIn = (ms: number): string => new Date(Date.now() + ms).toISOString();
