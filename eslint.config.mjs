import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'net',
  'tls',
  'http',
  'https',
  'crypto',
  'child_process',
  'zlib',
  'stream',
  'events',
  'url',
  'util',
  'worker_threads',
];
const nodeImportPatterns = [
  { group: ['node:*'], message: 'renderer/ and shared/ run in a browser: no Node modules.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  // One import order everywhere (packages, then the project's own, then relative), so a
  // diff shows what was added rather than where someone chose to put it. `eslint --fix` sorts.
  {
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // The core, CLI and simulator run under plain Node: electron is off limits there.
  {
    files: ['electron/core/**', 'electron/cli/**', 'electron/simulator/**', 'shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only electron/main and electron/preload may import electron.',
            },
          ],
        },
      ],
    },
  },
  // renderer/ and shared/ are browser code: no electron, no Node built-ins.
  {
    files: ['renderer/**', 'shared/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to the typed API only.' },
            ...nodeBuiltins.map((name) => ({ name, message: 'No Node modules in browser code.' })),
          ],
          patterns: nodeImportPatterns,
        },
      ],
    },
  },
  // The core is promise-heavy: a promise nobody awaits or catches is a crash or a lost error.
  {
    files: ['electron/**/*.ts', 'shared/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
);
