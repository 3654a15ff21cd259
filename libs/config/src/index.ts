export * from './alert-labels';
export * from './app-config';
export * from './auth-tokens';
export * from './env-reader';
