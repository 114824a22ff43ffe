import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.zoomlake/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Import patterns are gitignore-style, where a leading '#' starts a comment: subpath imports are written '\\#local/*'
    // (unescaped, the rule silently matched nothing; test/unit/lint-boundaries.test.ts plants a violation per rule).
    // The core is pure: no AWS SDK, no environment, no clock reads.
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'node:fs', 'node:fs/*', 'fs', '\\#adapters/*', '\\#local/*', '\\#runtime/*'] }],
      'no-restricted-properties': ['error',
        { object: 'process', property: 'env', message: 'core code takes configuration as arguments' },
        { object: 'Date', property: 'now', message: 'inject a Clock' },
        { object: 'Math', property: 'random', message: 'inject randomness' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'inject a Clock' }],
    },
  },
  {
    // Lambda code (handlers, AWS adapters, the shared runtime) never reaches into the local runtime's folder.
    files: ['lambdas/handlers/**/*.ts', 'lambdas/adapters/**/*.ts', 'lambdas/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['\\#local/*', '**/local/*'], message: 'Lambda code must not depend on the local runtime; shared run-time pieces live in lambdas/runtime (#runtime/*)' },
      ] }],
    },
  },
  {
    // The local runtime runs without AWS: no AWS adapters, no AWS SDK.
    files: ['lambdas/local/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['\\#adapters/*', '**/adapters/*', '@aws-sdk/*'], message: 'the local runtime must not use AWS adapters or the AWS SDK; use a local adapter behind the port' },
      ] }],
    },
  },
);
