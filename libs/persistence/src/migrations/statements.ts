import type { QueryRunner } from 'typeorm';

/** Runs reviewed SQL statements one by one, so a failure names the statement that failed. */
export async function runStatements(queryRunner: QueryRunner, statements: string[]): Promise<void> {
  for (const statement of statements) await queryRunner.query(statement);
}
