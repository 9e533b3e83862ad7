module.exports = {
  ...require('./jest.shared'),
  displayName: 'unit',
  // test/harness: the pure helpers of the end-to-end harness (audio-analysis.ts)
  testMatch: ['<rootDir>/{apps,libs,asterisk}/**/*.spec.ts', '<rootDir>/test/harness/**/*.spec.ts'],
};
