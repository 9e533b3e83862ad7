// End-to-end: the real PostgreSQL, the real Asterisk and a SIP test peer (a second Asterisk).
module.exports = {
  ...require('./jest.shared'),
  displayName: 'e2e',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/harness/file-isolation.ts'],
  testTimeout: 60_000,
  maxWorkers: 1,
};
