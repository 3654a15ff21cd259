import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector';

/**
 * `BENCH_PROFILE=<dir>`: a CPU profile of one measured stretch of a scenario (not its set-up, its
 * warm-up or the raw floor), written as `<dir>/<name>.cpuprofile`, with the functions that took
 * the most self time printed. Without it, `profiled` only runs `work`.
 */
export async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`profile of ${name}: ${file}\nby package:\n${selfTimes(profile, 15, packageOf)}`);
    console.log(`by function:\n${selfTimes(profile, 40, functionOf)}`);
  }
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

type CallFrame = CpuProfile['nodes'][number]['callFrame'];

const shortUrl = (url: string) =>
  url.replace(/^.*node_modules\//, '~/').replace(/^.*\/(apps|libs|bench)\//, '$1/');

const functionOf = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;

/** A package in node_modules, a folder of the repo's own code, or the engine's own frames. */
function packageOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  if (url.startsWith('~/')) {
    const parts = url.slice(2).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (/^(apps|libs)\//.test(url)) return url.split('/').slice(0, 3).join('/');
  return url.startsWith('node:') ? 'node:' : url || `(${frame.functionName})`;
}

/** Self time per key of a frame, the largest first, as lines of text. */
function selfTimes(profile: CpuProfile, top: number, keyOf: (f: CallFrame) => string): string {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const micros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const key = keyOf(byNode.get(id)!);
    const delta = profile.timeDeltas[i] ?? 0;
    micros.set(key, (micros.get(key) ?? 0) + delta);
    total += delta;
  });
  return [...micros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([key, us]) =>
        `${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
    )
    .join('\n');
}
