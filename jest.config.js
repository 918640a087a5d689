/** Jest runs in ES-module mode (see STACK.md): NODE_OPTIONS=--experimental-vm-modules. */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
    target: 'es2022',
  },
  module: { type: 'es6' },
};

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swc],
  },
  moduleNameMapper: {
    '^#domain$': '<rootDir>/libs/domain/src/index.ts',
    '^#event-store$': '<rootDir>/libs/event-store/src/index.ts',
    '^#read-store$': '<rootDir>/libs/read-store/src/index.ts',
    '^#projections$': '<rootDir>/projections/index.ts',
    '^#scenarios$': '<rootDir>/libs/scenarios/src/index.ts',
    '^#audit-evidence$': '<rootDir>/libs/audit-evidence/src/index.ts',
    '^#collection-import$': '<rootDir>/libs/collection-import/src/index.ts',
    '^#epcis$': '<rootDir>/libs/epcis/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{apps,libs,projections,test}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60000,
  // Two workers on these 2-core machines (Jest's default is one fewer than the cores, so one): most
  // suites wait on fsync, PostgreSQL or chromium rather than the CPU, and one worker took the suite
  // past half an hour.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/skipped-tests.reporter.js'],
};
