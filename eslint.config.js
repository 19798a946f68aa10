// Lint: type-aware rules (floating promises, no explicit any), no import cycles,
// no `.only` left in tests, and a Raft core that stays free of node:* modules.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const noOnly = {
  selector:
    "CallExpression[callee.type='MemberExpression'][callee.property.name='only'][callee.object.name=/^(test|it|describe|suite)$/]",
  message: 'Remove .only: it silently skips the rest of the suite.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'proto/gen/**', 'scripts/**', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'import-x/no-cycle': ['error', { maxDepth: Infinity }],
      'no-restricted-syntax': ['error', noOnly],
    },
  },
  {
    // The Raft core is a pure state machine: no timers, sockets, disk or clock.
    files: ['manager/raft/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'net', 'timers', 'crypto'],
              message: 'The Raft core imports no node:* module.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'The Raft core has no timers: it is driven by tick().' },
        { name: 'setInterval', message: 'The Raft core has no timers: it is driven by tick().' },
        { name: 'Date', message: 'The Raft core has no clock.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the injected seeded generator.' },
      ],
    },
  },
);
