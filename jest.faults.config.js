// Fault suite: Asterisk, worker, database and CRM failures, and a property-based fuzzer over
// the API. Same harness as the end-to-end tests (real PostgreSQL, Asterisk and SIP peers).
module.exports = {
  ...require('./jest.shared'),
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 1,
};
