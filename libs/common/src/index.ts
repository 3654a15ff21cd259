export * from './backoff';
export * from './errors';
