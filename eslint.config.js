// Lint: type-aware rules (floating promises, no explicit any), no import cycles,
// no `.only` left in tests, and a Raft core that stays free of node:* modules.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const noOnly = {
  selector:
    "CallExpression[callee.type='MemberExpression'][callee.property.name='only'][callee.object.name=/^(test|it|describe|suite)$/]",
  message: 'Remove .only: it silently skips the rest of the suite.',
};

// The walls between top-level folders (docs/architecture.md draws them): api/ (the shared object
// model, wire messages, network view, clock) and ca/ (the PKI every node uses) import neither
// room; manager/ and agent/ never import each other; daemon/ (a node's composition root) is the
// only production code that imports both. Test-only folders (integration/, e2e/, bench/) may
// import anything below them; lab/ (the lab hosts) imports nothing of shoal.
const ROOMS = ['api', 'ca', 'manager', 'agent', 'daemon', 'cli', 'lab', 'integration', 'e2e', 'bench'];
const mayImport = {
  api: ['api', 'proto'],
  ca: ['api', 'ca', 'proto'],
  manager: ['api', 'ca', 'manager', 'proto'],
  agent: ['api', 'ca', 'agent', 'proto', 'lab'],
  daemon: ['api', 'ca', 'manager', 'agent', 'daemon', 'proto'],
  cli: ['api', 'ca', 'manager', 'daemon', 'cli', 'proto'],
  lab: ['lab'],
  integration: ['api', 'ca', 'manager', 'agent', 'daemon', 'integration', 'proto', 'lab'],
  e2e: ['api', 'ca', 'manager', 'agent', 'daemon', 'cli', 'e2e', 'proto', 'lab'],
  bench: ROOMS.concat('proto'),
};
// Inside the manager, the leader loops are siblings built side by side in manager/leader-loops.ts:
// no loop folder imports another; what they share is in loop/ (the kit), task/ and constraint/.
const LOOPS = ['orchestrator', 'scheduler', 'allocator'];
const loopWalls = [
  ...LOOPS.map((loop) => ({
    target: `./manager/${loop}`,
    from: LOOPS.filter((other) => other !== loop).map((other) => `./manager/${other}`),
    message: 'leader loops do not import each other: share through manager/loop, task or constraint.',
  })),
  ...['loop', 'task', 'constraint'].map((kit) => ({
    target: `./manager/${kit}`,
    from: LOOPS.map((loop) => `./manager/${loop}`),
    message: `manager/${kit} is below the loops and imports none of them.`,
  })),
];
const walls = Object.entries(mayImport)
  .filter(([, allowed]) => ROOMS.some((r) => !allowed.includes(r)))
  .map(([target, allowed]) => ({
    target: `./${target}`,
    from: ROOMS.filter((r) => !allowed.includes(r)).map((r) => `./${r}`),
    message: `${target}/ may import only ${allowed.join(', ')} (docs/architecture.md, "Walls").`,
  }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'proto/gen/**', 'scripts/**', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    // Resolves `./x.js` to `./x.ts`, so the import rules see every edge of the graph.
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
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
      'import-x/no-restricted-paths': ['error', { zones: [...walls, ...loopWalls] }],
      'no-restricted-syntax': ['error', noOnly],
    },
  },
  {
    // The driver uses Raft only through RawNode's public methods (status(), basicStatus(), ready(),
    // propose()…), never the Raft object RawNode wraps (kept reachable for the core's own tests).
    files: ['manager/raft/driver/**/*.ts'],
    ignores: ['manager/raft/driver/**/test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        noOnly,
        {
          selector: "MemberExpression[property.name='raft'][object.property.name='raw']",
          message: "Use RawNode's public methods, not the Raft object inside it.",
        },
        {
          selector: "MemberExpression[property.name='raft'][object.name='raw']",
          message: "Use RawNode's public methods, not the Raft object inside it.",
        },
      ],
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
