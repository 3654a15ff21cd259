import type { PGlite } from '@electric-sql/pglite';
import { Logger } from '@nestjs/common';
import { createServer, type Server, type Socket } from 'node:net';
import { fatalError, ScramExchange, ScramSecret } from './wire-auth';
import { refusedStatement } from './wire-statement-guard';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** Messages of the extended query protocol; the exchange they open ends with Sync ('S'). */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H']);
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

interface Queued {
  connection: Connection;
  message: Buffer;
  /** The message type byte; '' for the startup message, which has none. */
  type: string;
}

interface Connection {
  socket: Socket;
  buffer: Buffer;
  started: boolean;
  closed: boolean;
  /** The startup message, held back from PGlite until the password is proven; null after. */
  startup: Buffer | null;
  scram: ScramExchange;
  /** Which SASL message comes next; 'done' once authenticated. */
  auth: 'startup' | 'first' | 'final' | 'done';
}

/**
 * The PostgreSQL wire protocol on a TCP port, in front of one PGlite instance, for a process whose
 * connection pools open several connections to it.
 *
 * PGlite is one backend session, so the connections take turns, one message at a time, and a
 * connection keeps the session while it is inside an extended-query exchange (Parse ... Sync) or
 * a transaction: another connection's Parse would otherwise replace its unnamed statement, or run
 * inside its transaction. (@electric-sql/pglite-socket 0.2 keeps a connection only during
 * transactions, so concurrent parameterised queries fail with `portal "" does not exist`:
 * electric-sql/pglite#1046.) The flip side is PGlite's, not this server's: a connection that holds
 * a transaction and waits for a second connection waits forever.
 *
 * PGlite takes any user and password as its superuser, so this server asks for the password itself
 * (SCRAM-SHA-256) before PGlite sees a connection's startup message, and refuses statements that
 * reach server-side programs and files (wire-statement-guard.ts).
 */
export class PgliteWireServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly queue: Queued[] = [];
  /** The connection that has the session (open exchange or transaction), if any. */
  private owner: Connection | null = null;
  private draining = false;
  private readonly logger = new Logger('embedded-postgres');
  private readonly secret: ScramSecret;

  constructor(
    private readonly db: PGlite,
    private readonly maxConnections: number,
    password: string,
  ) {
    this.secret = new ScramSecret(password);
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens on a free loopback port and returns it. */
  async start(): Promise<number> {
    await this.db.waitReady;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server.on('error', (error) => this.logger.error(`wire server: ${error.message}`));
    return (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of [...this.connections]) connection.socket.destroy();
    await closed;
    // Whatever a dropped connection left open must not survive into the database's last state.
    await this.reset();
  }

  private accept(socket: Socket): void {
    if (this.connections.size >= this.maxConnections) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const connection: Connection = {
      socket,
      buffer: Buffer.alloc(0),
      started: false,
      closed: false,
      startup: null,
      scram: new ScramExchange(this.secret),
      auth: 'startup',
    };
    this.connections.add(connection);
    socket.on('data', (data) => this.receive(connection, data));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.drop(connection));
  }

  private receive(connection: Connection, data: Buffer): void {
    connection.buffer = Buffer.concat([connection.buffer, data]);
    for (;;) {
      const startup = !connection.started;
      const message = this.nextMessage(connection);
      if (!message) break;
      if (message.length === 0) continue;
      if (connection.auth !== 'done') {
        const startupMessage = this.authenticate(connection, message);
        if (connection.closed) return;
        if (startupMessage) this.queue.push({ connection, message: startupMessage, type: '' });
        continue;
      }
      const type = startup ? '' : String.fromCharCode(message[0]);
      this.queue.push({ connection, message: guarded(type, message), type });
    }
    this.drainSoon();
  }

  /**
   * One step of the password exchange; a wrong step answers 28P01 and closes the connection. The
   * last step gives back the startup message held until then, for PGlite to answer.
   */
  private authenticate(connection: Connection, message: Buffer): Buffer | null {
    const { socket, scram } = connection;
    if (connection.auth === 'startup') {
      connection.startup = Buffer.from(message);
      connection.auth = 'first';
      socket.write(scram.request());
      return null;
    }
    let answer: Buffer | null = null;
    try {
      if (message[0] === 0x70 /* 'p' */) {
        answer = connection.auth === 'first' ? scram.first(message) : scram.final(message);
      }
    } catch {
      // A message cut short reads past its end: as wrong as a wrong password.
    }
    if (!answer) {
      this.logger.warn('a connection to the embedded database failed password authentication');
      socket.end(fatalError('28P01', 'password authentication failed'));
      this.drop(connection);
      return null;
    }
    socket.write(answer);
    if (connection.auth === 'first') {
      connection.auth = 'final';
      return null;
    }
    connection.auth = 'done';
    const startup = connection.startup;
    connection.startup = null;
    return startup;
  }

  private drainSoon(): void {
    this.drain().catch((error: unknown) =>
      this.logger.error(
        `embedded database: ${error instanceof Error ? error.stack : String(error)}`,
      ),
    );
  }

  /** The next complete message, an empty buffer for one answered here, or null for "need more". */
  private nextMessage(connection: Connection): Buffer | null {
    const buffer = connection.buffer;
    if (!connection.started) {
      if (buffer.length < 8) return null;
      const length = buffer.readInt32BE(0);
      if (buffer.length < length) return null;
      const code = buffer.readInt32BE(4);
      connection.buffer = buffer.subarray(length);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        connection.socket.write('N');
        return Buffer.alloc(0);
      }
      if (code === CANCEL_REQUEST) {
        // There is no second backend to signal; the protocol expects no answer.
        connection.socket.end();
        return Buffer.alloc(0);
      }
      connection.started = true;
      return buffer.subarray(0, length);
    }
    if (buffer.length < 5) return null;
    const length = 1 + buffer.readInt32BE(1);
    if (buffer.length < length) return null;
    connection.buffer = buffer.subarray(length);
    return buffer.subarray(0, length);
  }

  private next(): Queued | undefined {
    const index = this.owner ? this.queue.findIndex((q) => q.connection === this.owner) : 0;
    return index >= 0 ? this.queue.splice(index, 1)[0] : undefined;
  }

  /** The one place that talks to PGlite, so that no two messages ever run at once. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        if (this.owner?.closed) {
          await this.reset();
          this.owner = null;
        }
        const item = this.next();
        if (!item) break;
        const { connection, message, type } = item;
        if (connection.closed) continue;
        if (type === 'X') {
          connection.socket.end();
          continue;
        }
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(message, {
              onRawData: (chunk) => {
                if (!connection.closed) connection.socket.write(chunk);
              },
            }),
          );
        } catch (error) {
          // PGlite could not even answer with an ErrorResponse: this connection is unusable,
          // the others go on.
          this.logger.error(`embedded database failed a statement: ${String(error)}`);
          connection.socket.destroy();
        }
        const holds = EXTENDED.has(type) || this.db.isInTransaction();
        this.owner = holds ? connection : null;
      }
    } finally {
      this.draining = false;
    }
  }

  /** Gives the session back clean after its owner went away: end its exchange, roll back. */
  private async reset(): Promise<void> {
    await this.db
      .runExclusive(async () => {
        await this.db.execProtocolRawStream(SYNC, { onRawData: () => undefined });
        if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
      })
      .catch(() => undefined);
  }

  private drop(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    this.connections.delete(connection);
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].connection === connection) this.queue.splice(i, 1);
    }
    this.drainSoon();
  }
}

/**
 * A refused statement, swapped for one that makes PGlite itself raise the error: it answers as for
 * any failed statement (ErrorResponse, transaction state, ReadyForQuery) and keeps serving.
 */
function guarded(type: string, message: Buffer): Buffer {
  if (type !== 'Q' && type !== 'P') return message;
  const nameEnd = type === 'P' ? message.indexOf(0, 5) : 4;
  const sqlEnd = message.indexOf(0, nameEnd + 1);
  const reason = refusedStatement(message.toString('utf8', nameEnd + 1, sqlEnd));
  if (!reason) return message;
  const raise = Buffer.from(
    `DO $refused$BEGIN RAISE EXCEPTION USING ERRCODE = '42501', ` +
      `MESSAGE = '${reason.replace(/'/g, "''")}'; END$refused$\0`,
  );
  const body = Buffer.concat([
    message.subarray(5, nameEnd + 1),
    raise,
    message.subarray(sqlEnd + 1),
  ]);
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}
