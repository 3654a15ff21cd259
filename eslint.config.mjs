// @ts-check
import { builtinModules } from 'node:module';
import eslint from '@eslint/js';
import eslintPluginPrettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The processes under apps/; each may be used by another only through its `src/index.ts`. */
const APPS = ['engine', 'driver', 'all-in-one'];

const PURE_DOMAIN =
  'libs/domain is pure: data in, data out, no framework, database or Node.js I/O (STYLE.md). Put the adapter in an app or another lib.';
const PUBLIC_ENTRY =
  "An app uses another app only through its entry module (apps/<app>/src/index.ts): import '../../<app>/src', and export there what is needed.";

/** Whichever way it is spelt: `../../engine/src/x`, `../../../apps/driver/src/x/y`. */
const reachesInto = (apps) => `^(\\.\\./)+(apps/)?(${apps.join('|')})/src/(?!index$).+`;

/** Boundaries between the parts of the monorepo; a violation fails `npm run lint`. */
const boundaries = [
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules
            .filter((name) => !name.startsWith('_'))
            .map((name) => ({ name, message: PURE_DOMAIN })),
          patterns: [
            { group: ['node:*'], message: PURE_DOMAIN },
            { group: ['@nestjs/*'], message: PURE_DOMAIN },
            { group: ['typeorm', 'typeorm/*'], message: PURE_DOMAIN },
          ],
        },
      ],
    },
  },
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: reachesInto(APPS.filter((other) => other !== app)), message: PUBLIC_ENTRY },
          ],
        },
      ],
    },
  })),
];

export default tseslint.config(
  { ignores: ['eslint.config.mjs', 'dist/**', 'node_modules/**', '.cache/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  eslintPluginPrettierRecommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      sourceType: 'commonjs',
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // The console runs in a browser, as ES modules (its own tsconfig: apps/console/tsconfig.json).
    files: ['apps/console/**/*.{ts,tsx,mts}'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'module' },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-floating-promises': 'warn',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'prettier/prettier': ['error', { endOfLine: 'auto' }],
    },
  },
  ...boundaries,
);
