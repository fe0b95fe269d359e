import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'cdk.out/', 'node_modules/', '**/*.js', '**/*.mjs', '**/*.d.ts', 'tmp/', '.stryker-tmp/', 'reports/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  // The arrows run one way (docs/release-code.md): the library imports neither the CLI nor the
  // app; the handlers import only the contract and the shared core; the contract imports no CDK
  // and no SDK; the core knows nothing of the CLI around it.
  {
    files: ['constructs/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: '^(\\.\\./)+(src|lib|lambda|bin)(/|$)', message: 'constructs/ is the library: it imports nothing from src/, lib/, lambda/ or bin/ (shared names live in constructs/contract/).' }],
      }],
    },
  },
  {
    files: ['lambda/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(\\.\\./)+(lib|bin)(/|$)|^(\\.\\./)+constructs/(?!contract/|contract$)', message: 'lambda/ imports only constructs/contract/ and src/release/core/.' },
          { regex: '^(\\.\\./)+src/(?!release/core/)', message: 'lambda/ imports only constructs/contract/ and src/release/core/.' },
          { regex: '^aws-cdk-lib|^constructs$', message: 'a handler has no use for the CDK.' },
        ],
      }],
    },
  },
  {
    files: ['constructs/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { regex: '^aws-cdk-lib|^constructs$|^@aws-sdk/', message: 'constructs/contract/ imports neither aws-cdk-lib nor the AWS SDK: every side imports it.' },
          { regex: '^\\.\\./', message: 'constructs/contract/ depends on nothing else in the repository.' },
        ],
      }],
    },
  },
  // The release CLI works on any stack built with the constructs: it reads the deployed stack,
  // never this repository's app or config (docs/contracts.md "Release settings").
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: '^(\\.\\./)+(lib|bin)(/|$)', message: 'src/ (the CLI) imports nothing from lib/ or bin/: what a release needs comes from the deployed stack (ReleaseSettings and the other outputs, docs/contracts.md).' }],
      }],
    },
  },
  {
    files: ['src/release/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { regex: '^\\.\\./(commands|steps|state|runtime)(/|$)|^(\\.\\./)+(commands|cli|build|diff)(/|$)', message: 'the core runs in the Lambdas too: it knows nothing of the CLI around it.' },
          { regex: '^(\\.\\./)+(lib|bin)(/|$)', message: 'the core reads no app config: what a release needs comes from the deployed stack (docs/contracts.md).' },
        ],
      }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
