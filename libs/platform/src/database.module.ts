import { DynamicModule, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { CommonConfig } from '@reflex/config';
import { createDataSource, runMigrations, UnitOfWork } from '@reflex/persistence';
import { ReadinessCheck } from './readiness';

export const DATABASE_READINESS = Symbol('DATABASE_READINESS');

/**
 * A first run against a fresh server should just work: create the configured database when the
 * server has none of that name (the role needs CREATEDB; if it lacks it, the connect error says so).
 */
async function ensureDatabaseExists(url: string, logger: Logger): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name || name === 'postgres') return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({
    connectionString: admin.toString(),
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      logger.log(`created database ${name}`);
    }
  } catch (error) {
    // Not fatal here: the real connection below reports what is wrong with the URL or the server.
    logger.warn(`could not check for database ${name}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}
  async onApplicationShutdown() {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * Provides the TypeORM DataSource, migrated (under the advisory lock) before the app serves, and the
 * unit of work its transactions are opened through.
 */
@Module({})
export class DatabaseModule {
  static forRoot(
    config: Pick<CommonConfig, 'databaseUrl' | 'databasePoolSize'>,
    applicationName: string,
  ): DynamicModule {
    const logger = new Logger('database');
    const dataSourceProvider = {
      provide: DataSource,
      useFactory: async () => {
        await ensureDatabaseExists(config.databaseUrl, logger);
        const dataSource = createDataSource(config.databaseUrl, {
          applicationName,
          poolSize: config.databasePoolSize,
        });
        await dataSource.initialize();
        const applied = await runMigrations(dataSource);
        if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
        return dataSource;
      },
    };
    const readiness = {
      provide: DATABASE_READINESS,
      useFactory: (dataSource: DataSource): ReadinessCheck => ({
        name: 'database',
        check: async () => {
          await dataSource.query('SELECT 1');
          return true;
        },
      }),
      inject: [DataSource],
    };
    const unitOfWork = {
      provide: UnitOfWork,
      useFactory: (dataSource: DataSource) => {
        const hooks = new Logger('transactions');
        return new UnitOfWork(dataSource, (error) =>
          hooks.warn(`after-commit hook failed: ${error.message}`),
        );
      },
      inject: [DataSource],
    };
    return {
      module: DatabaseModule,
      global: true,
      providers: [dataSourceProvider, readiness, DatabaseLifecycle, unitOfWork],
      exports: [DataSource, DATABASE_READINESS, UnitOfWork],
    };
  }
}
