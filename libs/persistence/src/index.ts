export * from './data-source';
export * from './entities';
export * from './errors';
export * from './migrate';
export * from './migrations';
export * from './repositories/outbox.repository';
export * from './repositories/processed-message.repository';
export * from './unit-of-work';
