// ESLint flat config. Folder rules mirror VS Code's environment folders:
// shared/ is pure TS (no Node, no DOM, no electron), main/services/ never imports electron,
// renderer/ never imports Node built-ins.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const nodeBuiltins = [
  'fs',
  'fs/promises',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'net',
  'worker_threads',
  'stream',
  'url',
  'util',
  'readline',
  'events',
];
const nodePatterns = ['node:*', ...nodeBuiltins];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'reports/',
      'test-results/',
      'playwright-report/',
      'test/fixtures/',
      'datasets/*/',
      '!datasets/generator/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...nodePatterns, 'electron', '**/main/**', '**/renderer/**'] },
      ],
    },
  },
  {
    files: ['main/services/**/*.ts', 'main/cli/**/*.ts', 'main/web-server.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron'], patterns: ['**/renderer/**'] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...nodePatterns, 'electron', '**/main/**'] }],
    },
  },
);
