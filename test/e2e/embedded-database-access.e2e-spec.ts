// The all-in-one's embedded database port (issue 14): a per-start password, and no server-side
// programs or files, so that a client can neither log in as anyone nor wedge the only session.
import { Client } from 'pg';
import { http } from '../support/http';
import { quietEnv, type RunningReflex, spawnAllInOne } from './support/spawn-all-in-one';

describe('all-in-one embedded database port', () => {
  let reflex: RunningReflex;
  let url: URL;

  beforeAll(async () => {
    reflex = await spawnAllInOne(quietEnv(), ['--in-memory']);
    url = new URL(reflex.embeddedDatabaseUrl!);
  }, 120_000);
  afterAll(() => reflex?.close());

  const connect = async (password: string) => {
    const client = new Client({
      host: url.hostname,
      port: Number(url.port),
      user: 'postgres',
      password,
      database: 'postgres',
    });
    await client.connect();
    return client;
  };

  it('listens on loopback only, behind a password of this start', async () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(decodeURIComponent(url.password)).toMatch(/^[0-9a-f]{48}$/);
    await expect(connect('postgres')).rejects.toMatchObject({ code: '28P01' });
    await expect(connect('')).rejects.toThrow();
    const client = await connect(decodeURIComponent(url.password));
    await client.end();
  });

  it('refuses COPY TO PROGRAM and server files, and keeps serving', async () => {
    const client = await connect(decodeURIComponent(url.password));
    try {
      for (const sql of [
        "copy (select 1) to program 'id'",
        "CoPy/* hidden */(SELECT 1)\n  TO --\n PROGRAM 'id'",
        "do $x$ begin execute 'COPY (select 1) TO PROGRAM ''id'''; end $x$",
        "copy (select 1) to '/tmp/reflex-copy'",
        "select pg_read_file('PG_VERSION')",
        "select lo_import('/etc/hostname')",
      ]) {
        await expect(client.query(sql)).rejects.toMatchObject({ code: '42501' });
      }
      expect((await client.query('select 41 + 1 as answer')).rows).toEqual([{ answer: 42 }]);
      expect((await client.query('select $1::int as n', [7])).rows).toEqual([{ n: 7 }]);
    } finally {
      await client.end();
    }
    const ready = await http('GET', `${reflex.engineUrl}/readyz`);
    expect(ready.status).toBe(200);
    const plans = await http('GET', `${reflex.engineUrl}/v1/plans`);
    expect(plans.status).toBe(200);
  });
});
