import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const SCHEMA = resolve(root, 'rules/rule.schema.json');
const VIRTUAL = 'virtual:rule-schema-validator';

/**
 * The rule schema compiled to plain code at build time. Ajv compiles a schema with `new Function`,
 * which the engine's Content-Security-Policy (no 'unsafe-eval') forbids in the browser; the
 * standalone output needs no eval. Same options as the engine's validator (libs/rules).
 */
function ruleSchemaValidator(): Plugin {
  return {
    name: 'reflex-rule-schema-validator',
    resolveId: (id) => (id === VIRTUAL ? `\0${VIRTUAL}` : null),
    load(id) {
      if (id !== `\0${VIRTUAL}`) return null;
      this.addWatchFile(SCHEMA);
      const ajv = new Ajv2020({
        allErrors: true,
        strict: true,
        strictRequired: false,
        code: { source: true, esm: true },
      });
      const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
      return standaloneCode(ajv, validate);
    },
  };
}

/** Built into dist/console and served by the engine at /console (apps/engine/src/console). */
export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [preact(), ruleSchemaValidator()],
  build: {
    outDir: resolve(root, 'dist/console'),
    emptyOutDir: true,
    // One small app: no need for a warning about chunk sizes, nor for source maps in production.
    chunkSizeWarningLimit: 600,
  },
});
