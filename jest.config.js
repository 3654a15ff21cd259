// Unit specs live beside the code (*.spec.ts) and need nothing running. Integration and end-to-end
// specs live under test/ (*.e2e-spec.ts) and run against the real Kafka broker and PostgreSQL that
// test/support/global-setup.ts provides. Chaos specs (test/chaos/*.chaos-spec.ts) run on the same.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const libs = ['common', 'config', 'contracts', 'domain', 'rules', 'persistence', 'messaging', 'platform'];
const moduleNameMapper = {};
for (const lib of libs) {
  moduleNameMapper[`^@reflex/${lib}$`] = `<rootDir>/libs/${lib}/src`;
  moduleNameMapper[`^@reflex/${lib}/(.*)$`] = `<rootDir>/libs/${lib}/src/$1`;
}
const shared = { transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node' };

module.exports = {
  maxWorkers: 2,
  testTimeout: 60000,
  reporters: ['<rootDir>/test/support/quiet-reporter.js', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testEnvironment: '<rootDir>/test/support/quiet-environment.js',
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    // Kill, cut and fuzz (issue 9): engines and drivers as child processes under SIGKILL, a broker
    // outage, database connections killed, replicas, malformed input. One spec file, so its
    // scenarios run one after another; each sets its own (long) timeouts. `npm run test:chaos`.
    {
      ...shared,
      displayName: 'chaos',
      testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'],
      testEnvironment: '<rootDir>/test/support/quiet-environment.js',
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
