const SPECS_NAMED = process.argv.slice(2).some((arg) => /\.spec\.ts$/.test(arg));

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // One worker per core: jest's default (cores - 1) runs the whole suite in ONE worker on our 2-core
  // machines, and the parent process has little to do while workers run.
  maxWorkers: '100%',
  // A worker that holds more than this after a test file is replaced by a fresh one: a worker grown
  // to 1-2 GB (whole-app synths) makes every later child process slower to start (the release tests
  // run ~270 git commands) and its garbage collection longer; measured: ~10% less CPU for the suite.
  workerIdleMemoryLimit: '600MB',
  // A run never writes a snapshot that does not exist yet (a failing run must not leave new ones in
  // tracked files); `npm run test:update` rewrites snapshots and pinned stateful IDs on purpose.
  ci: true,
  roots: ['<rootDir>/test'],
  // `*.spec.ts` files run inside their folder's `all.test.ts` (one module registry for the folder:
  // test/group.ts). Named on the command line (`npx jest test/stacks/registry-stack.spec.ts`), a spec
  // runs as a test file of its own.
  testMatch: SPECS_NAMED ? ['**/*.spec.ts', '**/*.test.ts'] : ['**/*.test.ts'],
  transform: {
    // Type-checking runs once in `npm test` (tsc --noEmit); jest only transpiles.
    '^.+\\.tsx?$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // A real PostgreSQL (the RDS major version) for the SQL the platform runs against the database, and
  // a folder where the contract tests share the platform they synthesize (test/contracts/world.ts).
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  collectCoverage: true,
  // bin/bench.ts and bin/bench-synth.ts are measuring tools run by `npm run bench`, not product code.
  collectCoverageFrom: [
    'bin/**/*.ts',
    'lib/**/*.ts',
    'cdk8s/**/*.ts',
    '!bin/bench.ts',
    '!bin/bench-synth.ts',
    '!cdk8s/imports/**',
    '!**/*.d.ts',
  ],
  // lcov.info for the pipeline's SonarQube analysis; no HTML report (~300 pages written at the end of every run)
  coverageReporters: ['text-summary', 'lcovonly'],
  coverageThreshold: {
    global: { lines: 80, branches: 80, functions: 80, statements: 80 },
  },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
