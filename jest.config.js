/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/__tests__/deploy/'],
  // Type-checking is `npm run build`'s job; tests only transpile, which keeps `npm test` fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/jest/setup.ts'],
  // A temporary directory per run, checked and removed at the end: see __tests__/jest/.
  globalSetup: '<rootDir>/__tests__/jest/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/jest/global-teardown.ts',
  // Jest's transform cache stays with the project, not in the machine's temporary directory.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  testTimeout: 60000,
  // Most suites wait on child processes (terraform, the local server, dynalite), so
  // two workers finish in about 40 s where jest's default of cores - 1 (one worker
  // on a 2-core machine) takes over 60 s.
  maxWorkers: 2,
};
