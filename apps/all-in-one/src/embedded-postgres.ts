import { PGlite } from '@electric-sql/pglite';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PgliteWireServer } from './pglite-wire-server';
import { randomPassword } from './wire-auth';

export interface EmbeddedPostgres {
  /**
   * A PostgreSQL URL for `pg` and TypeORM, with this start's password, e.g.
   * `postgres://postgres:<password>@127.0.0.1:41234/postgres`.
   */
  url: string;
  /** The data directory, or null in memory. */
  dataDir: string | null;
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Where the database lives across restarts; null keeps it in memory (gone at exit). */
  dataDir: string | null;
  /**
   * Client connections the socket accepts: every connection pool of the process together. PGlite
   * runs one backend session, so more connections only queue; they never run in parallel.
   */
  maxConnections: number;
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly, in this process) behind a PostgreSQL wire-protocol
 * socket on a free loopback port, so engine and driver reach it exactly as they reach a server:
 * through `pg`, with the same migrations and queries.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const release = options.dataDir ? lockDataDir(options.dataDir) : () => undefined;
  let db: PGlite | undefined;
  try {
    db = await PGlite.create(options.dataDir ?? 'memory://');
    // A new password each start, known only to this process (and whoever it shows the URL to).
    const password = randomPassword();
    const server = new PgliteWireServer(db, options.maxConnections, password);
    const port = await server.start();
    const running = db;
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      dataDir: options.dataDir,
      close: async () => {
        try {
          await server.stop();
          await running.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    release();
    throw error;
  }
}

/** Data directories this process has open: a pid in a lock file may be ours only by reuse. */
const lockedHere = new Set<string>();

/**
 * PGlite has no postmaster to keep a second process off its files, and two writers would corrupt
 * them: a lock file with our pid does. A lock whose process is gone (a crash, kill -9) is taken
 * over, also when a container gave this process the dead one's pid.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lock = join(dataDir, 'reflex.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      lockedHere.add(lock);
      return () => {
        lockedHere.delete(lock);
        rmSync(lock, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lock, 'utf8').trim());
      const held = holder === process.pid ? lockedHere.has(lock) : holder > 0 && isAlive(holder);
      if (held) {
        throw new Error(
          `${dataDir} is in use by Reflex process ${holder}; stop that one, or run this one ` +
            'with --in-memory or another REFLEX_DATA_DIR',
        );
      }
      rmSync(lock, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
