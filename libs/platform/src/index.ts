export * from './database.module';
export * from './health.controller';
export * from './http-app';
export * from './http-exception.filter';
export * from './json-logger';
export * from './messaging.module';
export * from './metrics.registry';
export * from './readiness';
