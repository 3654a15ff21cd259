import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { kafkaVersionOf } from './broker-config';
import { runToolOrFail } from './tools';

const POM = join(__dirname, 'pom.xml');
const REPO_ROOT = resolve(__dirname, '..', '..');
// Written last, inside the folder that is renamed into place: a folder without it is a download that
// was interrupted, never a cache. It holds the pom's hash so editing the pom refreshes the cache.
const MARKER = '.complete';

export interface KafkaJars {
  version: string;
  /** Folder of the broker's jars; `<libsDir>/*` is its Java classpath. */
  libsDir: string;
  /** False when this call ran Maven. */
  fromCache: boolean;
}

export interface EnsureJarsOptions {
  /** Progress messages for people waiting on a first download. */
  log?: (message: string) => void;
  /** Where the cache lives; `.cache/kafka/<version>` in the repository by default. */
  cacheDir?: string;
}

/**
 * The pom's version, or KAFKA_VERSION to run on another release (the suite passes on 3.9.1, the
 * pom's, and on 4.0.0; both log through reload4j).
 */
export function kafkaVersion(pom = readFileSync(POM, 'utf8')): string {
  return process.env.KAFKA_VERSION?.trim() || kafkaVersionOf(pom);
}

export function defaultCacheDir(version = kafkaVersion()): string {
  return join(REPO_ROOT, '.cache', 'kafka', version);
}

async function isComplete(libsDir: string, pomHash: string): Promise<boolean> {
  try {
    return (await readFile(join(libsDir, MARKER), 'utf8')).trim() === pomHash;
  } catch {
    return false;
  }
}

/**
 * The Apache Kafka broker's jars, fetched from Maven Central through scripts/kafka/pom.xml on first
 * use and cached under `.cache/kafka/<version>/libs`. Maven is only needed when the cache is missing;
 * MAVEN_OPTS (e.g. -Dmaven.repo.local=...) reaches the Maven it runs.
 */
export async function ensureKafkaJars(options: EnsureJarsOptions = {}): Promise<KafkaJars> {
  const pom = await readFile(POM, 'utf8');
  const version = kafkaVersion(pom);
  const pomHash = createHash('sha256').update(pom).digest('hex');
  const cacheDir = options.cacheDir ?? defaultCacheDir(version);
  const libsDir = join(cacheDir, 'libs');
  if (await isComplete(libsDir, pomHash)) return { version, libsDir, fromCache: true };

  options.log?.(
    `Fetching Apache Kafka ${version} jars from Maven Central into ${libsDir} (once)...`,
  );
  await mkdir(cacheDir, { recursive: true });
  // A staging folder per process: two runs downloading at once never see each other's half-copies.
  const staging = join(cacheDir, `libs.partial-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    await runToolOrFail('Fetching the Kafka jars with Maven', 'mvn', [
      '-q',
      '-B',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-Dkafka.version=${version}`,
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ]);
    const jars = (await readdir(staging)).filter((name) => name.endsWith('.jar'));
    if (!jars.some((name) => name.startsWith(`kafka_2.13-${version}`))) {
      throw new Error(`Maven finished but ${staging} has no kafka_2.13-${version} jar`);
    }
    await writeFile(join(staging, MARKER), `${pomHash}\n`);
    await moveIntoPlace(staging, libsDir, pomHash);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { version, libsDir, fromCache: false };
}

async function moveIntoPlace(staging: string, libsDir: string, pomHash: string): Promise<void> {
  // Another process may have finished first; its copy is as good as ours.
  if (await isComplete(libsDir, pomHash)) return;
  if (existsSync(libsDir)) await rm(libsDir, { recursive: true, force: true });
  try {
    await rename(staging, libsDir);
  } catch (error) {
    if (!(await isComplete(libsDir, pomHash))) throw error;
  }
}
