export * from './backoff';
export * from './errors';
export * from './coalescer';
export * from './turns';
