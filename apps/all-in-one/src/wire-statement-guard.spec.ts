import { refusedStatement } from './wire-statement-guard';

describe('refusedStatement', () => {
  it.each([
    "copy (select 1) to program 'id'",
    "COPY/* c */(SELECT 1)\n\tTO -- c\n  PrOgRaM 'id'",
    "select 1; copy t from program 'cat /etc/passwd'",
    "copy t to '/tmp/x'",
    "copy t from E'/etc/\\\\passwd'",
    "copy (select ')' from t) to '/tmp/x'",
    "copy (select * from stdin) to '/tmp/x'",
    "do $$ begin execute 'copy (select 1) to program ''id'''; end $$",
    "do $f$ begin execute format('COPY %s TO PROGRAM %L', 't', 'id'); end $f$",
    "select pg_read_file('PG_VERSION')",
    'select PG_LS_DIR ( $1 )',
    "select lo_export(16384, '/tmp/x')",
    "create function f() returns void as 'begin execute ''copy t to program ''''id''''''; end' language plpgsql",
    "do language plpgsql 'begin execute ''copy t to ''''/tmp/x''''''; end'",
    "alter system set work_mem = '1GB'",
    "load 'plpgsql'",
  ])('refuses %j', (sql) => {
    expect(refusedStatement(sql)).toEqual(expect.any(String));
  });

  it.each([
    'select 1',
    'copy t to stdout',
    'COPY t (a, b) FROM STDIN WITH (FORMAT csv)',
    'copy (select program from t) to stdout',
    'select "pg_read_file" from t',
    "insert into notes(text) values ('copy me to the program')",
    'select * from plans where id = $1 -- copy to program',
    'alter table t add column system text',
  ])('lets %j run', (sql) => {
    expect(refusedStatement(sql)).toBeNull();
  });
});
