// Found by the chaos suite: a SIGTERM never stopped an engine whose HTTP clients kept their
// connections alive and busy (the server's close waited for them; its relay and ticker had stopped
// already), and SHUTDOWN_TIMEOUT_MS was read but never enforced. Both services, as child processes.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ServiceProcess } from '../chaos/support/service-process';
import { freePort } from '../support/free-port';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { kafkaBrokers, testTopicPrefix } from '../support/kafka';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['engine', 'driver'] as const)('%s stopped with SIGTERM', (kind) => {
  let database: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    database = await createTestDatabase(`shutdown_${kind}`);
    service = new ServiceProcess(`shutdown-${kind}`, kind, {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      DATABASE_URL: database.url,
      TOPIC_PREFIX: testTopicPrefix(),
      TOPIC_PARTITIONS: '3',
      TOPIC_REPLICATION_FACTOR: '1',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RULES_DIR: join(__dirname, '..', '..', 'rules'),
      SHUTDOWN_TIMEOUT_MS: '3000',
    });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it('stops at once while clients keep their keep-alive connections busy', async () => {
    await service.start();
    let stop = false;
    let answered = 0;
    const client = async () => {
      while (!stop) {
        const res = await fetch(`${service.url}/readyz`).catch(() => null);
        if (res) {
          await res.text();
          answered += 1;
        } else await sleep(20);
      }
    };
    const clients = [client(), client(), client(), client()];
    await sleep(500);
    const started = Date.now();
    const exit = await service.kill('SIGTERM');
    const took = Date.now() - started;
    stop = true;
    await Promise.all(clients);
    expect(answered).toBeGreaterThan(0);
    expect(exit).toMatchObject({ signal: 'SIGTERM' });
    expect(took).toBeLessThan(2500);
  }, 90_000);

  it('exits with code 1 once SHUTDOWN_TIMEOUT_MS has passed, whatever holds it up', async () => {
    await service.start();
    // A request whose body never finishes keeps its connection busy (Node's own request timeout
    // is five minutes).
    const port = Number(new URL(service.url).port);
    const socket: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(
      'POST /v1/none HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000\r\n\r\n{"partial":',
    );
    await sleep(200);
    const started = Date.now();
    const exit = await service.kill('SIGTERM');
    const took = Date.now() - started;
    socket.destroy();
    expect(exit).toMatchObject({ code: 1 });
    expect(took).toBeGreaterThanOrEqual(2900);
    expect(took).toBeLessThan(15_000);
  }, 90_000);
});
