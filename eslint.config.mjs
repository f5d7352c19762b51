// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'crypto', 'http', 'https', 'net', 'tls', 'os', 'child_process', 'dns', 'zlib', 'stream', 'events', 'worker_threads', 'timers'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed deterministically inside Temporal's sandbox: no I/O, no clients,
    // no Node built-ins. Activities are imported as types only.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        // Built-ins by exact name: a pattern like `events` would also match `../src/domain/events`.
        paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows must be deterministic: no Node built-ins.' })),
        patterns: [
          { group: ['node:*'], message: 'Workflows must be deterministic: no Node built-ins.' },
          { group: ['kafkajs', 'node-vault', '@slack/*', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Workflows must not import clients or adapters; call activities.' },
          { group: ['**/src/kafka/**', '**/src/vault/**', '**/src/slack/**', '**/src/audit/**', '**/src/sandbox/**', '**/src/ingress/**', '**/activities/*'], message: 'Workflows reach adapters only through activities (import type).', allowTypeImports: true },
        ],
      }],
    },
  },
  {
    // One door into the sandbox (design §4): product code reaches `src/sandbox` only through
    // src/app/sandbox-door.ts, which loads it with a dynamic import behind an explicit request.
    // Type-only imports are allowed (they vanish at compile time); tests import the sandbox freely.
    // Workflows are covered by their own rule above.
    files: ['src/**/*.ts', 'activities/**/*.ts', 'worker/**/*.ts'],
    ignores: ['src/sandbox/**', 'src/app/sandbox-door.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { regex: '(^|/)sandbox/', message: 'Product code reaches the sandbox only through src/app/sandbox-door.ts (design §4: one door).', allowTypeImports: true },
        ],
      }],
    },
  },
  {
    // The incident console's front end (issue 16) is browser code with its own tsconfig (DOM, JSX).
    files: ['console/src/**/*.ts', 'console/src/**/*.tsx'],
    languageOptions: { parserOptions: { project: './console/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'bin/**'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The launchers are plain CommonJS scripts run by node.
    files: ['bin/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
