import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * lambdas/local runs without AWS: no AWS adapters, no AWS SDK. Its rooms import relatively among themselves, so a
 * relative import that climbs out of lambdas/local (to ../../adapters, say) is refused too: code outside it is reached
 * by subpath import, which the patterns can see. Inside, the adapters depend on nothing but the core and each other,
 * the demo's Zoom simulator and scenario know nothing of the zoomlake runtime or its CLI, the terminal helpers stand
 * alone, and nothing but the CLI imports the CLI.
 * Flat config lets a later block's options replace an earlier one's, so each block carries the whole list.
 */
const LOCAL_ROOMS_BARRED = {
  adapters: ['pipeline', 'cli', 'report', 'scenario', 'zoom-simulator', 'terminal'],
  'zoom-simulator': ['adapters', 'pipeline', 'cli', 'report', 'scenario', 'terminal'],
  scenario: ['adapters', 'pipeline', 'cli', 'report', 'terminal'],
  terminal: ['adapters', 'pipeline', 'cli', 'report', 'scenario', 'zoom-simulator'],
  pipeline: ['cli', 'report'],
  report: ['cli'],
};

function localRooms() {
  const noAws = {
    group: ['\\#adapters/*', '@aws-sdk/*'],
    message: 'the local runtime must not use AWS adapters or the AWS SDK; use a local adapter behind the port',
  };
  const blocks = [];
  for (let depth = 0; depth <= 3; depth++) {
    const below = '*/'.repeat(depth);
    const noClimb = {
      regex: `^(\\.\\./){${depth + 1},}`,
      message: 'code outside lambdas/local is reached by subpath import (#core/*, #runtime/*, ...), not a relative path out of it',
    };
    blocks.push({ files: [`lambdas/local/${below}*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: [noAws, noClimb] }] } });
    if (depth === 0) continue;
    for (const [room, barred] of Object.entries(LOCAL_ROOMS_BARRED)) {
      const rooms = barred.join('|');
      const noRoom = { regex: `^((\\.\\./)+|#local/)(${rooms})/`, message: `lambdas/local/${room} must not import ${barred.join(', ')}` };
      blocks.push({
        files: [`lambdas/local/${room}/${'*/'.repeat(depth - 1)}*.ts`],
        rules: { 'no-restricted-imports': ['error', { patterns: [noAws, noClimb, noRoom] }] },
      });
    }
  }
  return blocks;
}

/** Lambda code's one bar on the local runtime's folder. */
const NOT_LOCAL = {
  group: ['\\#local/*', '**/local/*'],
  message: 'Lambda code must not depend on the local runtime; shared run-time pieces live in lambdas/runtime (#runtime/*)',
};

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
      'no-restricted-imports': [
        'error',
        { patterns: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'node:fs', 'node:fs/*', 'fs', '\\#adapters/*', '\\#local/*', '\\#runtime/*'] },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'core code takes configuration as arguments' },
        { object: 'Date', property: 'now', message: 'inject a Clock' },
        { object: 'Math', property: 'random', message: 'inject randomness' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'inject a Clock' }],
    },
  },
  {
    // Lambda code (handlers, AWS adapters, the shared runtime) never reaches into the local runtime's folder.
    files: ['lambdas/handlers/**/*.ts', 'lambdas/adapters/**/*.ts', 'lambdas/runtime/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_LOCAL] }] },
  },
  {
    // The shared runtime also runs locally: no AWS SDK and no AWS adapter (a later block replaces the rule, so it
    // repeats the one above).
    files: ['lambdas/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NOT_LOCAL,
            {
              group: ['@aws-sdk/*', '\\#adapters/*', '**/adapters/*'],
              message: 'lambdas/runtime is shared with the local runtime: no AWS SDK or AWS adapter; handlers inject those',
            },
          ],
        },
      ],
    },
  },
  ...localRooms(),
);
