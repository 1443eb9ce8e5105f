// Unit specs sit beside the code (*.spec.ts); black-box e2e specs live in test/ and talk
// to the real MariaDB and the WeChat emulator over HTTP.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

// The service runs in UTC (src/service.ts); so do the tests, which start it in-process.
process.env.TZ = 'UTC';

/*
 * The cluster project (test/cluster, `npm run test:cluster`) needs the local Galera cluster of
 * `npm run cluster` and minutes: it joins the projects only when TEST_CLUSTER=1, so a plain
 * `jest` run never starts it.
 */
const cluster = {
  displayName: 'cluster',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster-spec.ts'],
  transform,
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  // Every suite closes what it opened, but a socket or pool timer still pending in some
  // library after the last afterAll once kept a CI run's process alive until the job's
  // time limit ("Jest did not exit one second after the test run has completed").
  // Results are final by then, so exit instead of waiting on someone else's timer.
  forceExit: true,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: [
        '<rootDir>/src',
        '<rootDir>/emulator',
        '<rootDir>/examples',
        '<rootDir>/bench',
        '<rootDir>/scripts',
      ],
      testMatch: ['**/*.spec.ts'],
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform,
    },
    ...(process.env.TEST_CLUSTER === '1' ? [cluster] : []),
  ],
};
