#!/usr/bin/env node
// `npx reflex <command>` from a clone after `npm install`, with no `npm run build` first: the
// TypeScript is compiled as it loads by @swc-node/register, as `npm run demo` and `npm run rules`
// already do (`npm install` in a clone installs devDependencies). A compiled copy under dist/ would
// go stale whenever the sources change and would need a build step before the first command.
// The project's tsconfig is named explicitly so its @reflex/* paths resolve from any directory.
'use strict';
const { join } = require('node:path');

process.env.SWC_NODE_PROJECT ??= join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
require('../scripts/cli/main.ts').runCli(process.argv.slice(2));
