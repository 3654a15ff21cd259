import type { PGlite } from '@electric-sql/pglite';
import { createServer, type Server, type Socket } from 'node:net';

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
 */
export class PgliteWireServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly queue: Queued[] = [];
  /** The connection that has the session (open exchange or transaction), if any. */
  private owner: Connection | null = null;
  private draining = false;

  constructor(
    private readonly db: PGlite,
    private readonly maxConnections: number,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens on a free loopback port and returns it. */
  async start(): Promise<number> {
    await this.db.waitReady;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
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
      const type = startup ? '' : String.fromCharCode(message[0]);
      if (message.length > 0) this.queue.push({ connection, message, type });
    }
    void this.drain();
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
        } catch {
          // PGlite could not even answer with an ErrorResponse: this connection is unusable,
          // the others go on.
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
    void this.drain();
  }
}
