// Shared by the unit and end-to-end configs: SWC with decorator metadata (TypeORM, class-validator).
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          // resolve @pbx/* at transform time: globalSetup does not get moduleNameMapper
          baseUrl: __dirname,
          paths: { '@pbx/*': ['libs/*/src'] },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@pbx/(.*)$': '<rootDir>/libs/$1/src' },
};
