#!/usr/bin/env node
'use strict';
// The field-ota program is TypeScript compiled to dist/; this shim only finds it.
const path = require('node:path');
const fs = require('node:fs');

const main = path.join(__dirname, '..', 'dist', 'electron', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write(
    `field-ota: the program is not built (${path.relative(process.cwd(), main) || main} is missing): run npm run build\n`,
  );
  process.exit(1);
}
require(main);
