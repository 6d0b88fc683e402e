// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import patterns that reach into another top-level folder. */
const folder = (name) => [
  `../${name}/*`,
  `../../${name}/*`,
  `../../../${name}/*`,
  `../../../../${name}/*`,
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'tests/e2e/artifacts/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // digital-twin/ is pure and deterministic: time and randomness come in as arguments.
    files: ['digital-twin/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'digital-twin/ is pure: pass time in.' },
        { name: 'setInterval', message: 'digital-twin/ is pure: pass time in.' },
        { name: 'fetch', message: 'digital-twin/ does no I/O.' },
        { name: 'performance', message: 'digital-twin/ is deterministic: pass time in.' },
        { name: 'process', message: 'digital-twin/ runs in browsers and workers too.' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'digital-twin/ is deterministic: pass time in.',
        },
        {
          object: 'Math',
          property: 'random',
          message: 'Use the seeded PRNG in digital-twin/prng.ts.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'http', 'net'],
              message: 'digital-twin/ does no I/O.',
            },
            {
              group: [...folder('sim-server'), ...folder('xr-client'), ...folder('workers')],
              message: 'digital-twin/ imports nothing outside itself.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['sim-server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...folder('xr-client'), ...folder('workers')],
              message: 'sim-server/ may import only digital-twin/.',
            },
            {
              group: [
                '../digital-twin/*/**',
                '../../digital-twin/*/**',
                '../../../digital-twin/*/**',
              ],
              message: 'Import digital-twin/ through its index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['xr-client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: folder('sim-server'),
              message: 'xr-client/ talks to the server over the network only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...folder('sim-server'), ...folder('xr-client')],
              message: 'workers/ may import only digital-twin/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  // Plain-JS boot files (the branch worker's tsx loader) are outside the TypeScript project.
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
