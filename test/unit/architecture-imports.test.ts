import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Who may import what, checked on the sources with the TypeScript parser (ESLint's
// no-restricted-imports says the same in the editor; this also catches require(), import(),
// import("x") types and "node:" names its list would miss).
const ROOT = path.join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (/\.(ts|tsx|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        found.push(full);
      }
    }
  };
  walk(path.join(ROOT, dir));
  return found;
}

interface ImportSite {
  file: string;
  specifier: string;
  typeOnly: boolean;
}

/** Every module a file loads: imports and re-exports, import(), require() (comments and strings ignored). */
export function importsOf(file: string): ImportSite[] {
  const rel = path.relative(ROOT, file);
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const sites: ImportSite[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      sites.push({ file: rel, specifier: node.moduleSpecifier.text, typeOnly: isTypeOnly(node) });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression))
        sites.push({ file: rel, specifier: expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      const callee = node.expression;
      const loads =
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === 'require');
      if (loads && first && ts.isStringLiteralLike(first))
        sites.push({ file: rel, specifier: first.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal))
        sites.push({ file: rel, specifier: argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** `import type`, or `import { type A, type B }`: erased from the JavaScript. */
function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const isNodeBuiltin = (specifier: string) =>
  specifier.startsWith('node:') ||
  NODE_BUILTINS.has(specifier) ||
  NODE_BUILTINS.has(specifier.split('/')[0] ?? '');
const isElectron = (specifier: string) =>
  specifier === 'electron' || specifier.startsWith('electron/');

function violations(
  dirs: string[],
  forbidden: (specifier: string) => boolean,
  includeTypes = true,
): string[] {
  return dirs
    .flatMap((dir) => sourceFiles(dir))
    .flatMap(importsOf)
    .filter((site) => forbidden(site.specifier) && (includeTypes || !site.typeOnly))
    .map((site) => `${site.file} imports ${site.specifier}`);
}

describe('architecture: who may import electron and Node', () => {
  it('finds the imports it is meant to police, and only those (the scanner works)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-arch-'));
    try {
      const file = path.join(dir, 'sample.ts');
      fs.writeFileSync(
        file,
        [
          "// require('electron') in a comment is not an import",
          'const text = "import x from \'electron\'";',
          "import type { BrowserWindow } from 'electron';",
          "import { type Menu, app } from 'electron/main';",
          "import { type A, type B } from './types';",
          "export { thing } from 'node:path';",
          "const fs = require('fs');",
          "const later = () => import('node:os');",
          "type W = import('electron').WebContents;",
        ].join('\n'),
      );
      expect(importsOf(file).map((s) => [s.specifier, s.typeOnly])).toEqual([
        ['electron', true],
        ['electron/main', false],
        ['./types', true],
        ['node:path', false],
        ['fs', false],
        ['node:os', false],
        ['electron', true],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const main = importsOf(path.join(ROOT, 'electron', 'main', 'main.ts'));
    expect(main.some((s) => s.specifier === 'electron' && !s.typeOnly)).toBe(true);
  });

  it('renderer/ and shared/ never import electron or Node modules', () => {
    expect(
      violations(['renderer/src', 'shared'], (s) => isElectron(s) || isNodeBuiltin(s)),
    ).toEqual([]);
  });

  it('the core, the CLI and the simulator never import electron (not even its types)', () => {
    expect(violations(['electron/core', 'electron/cli', 'electron/simulator'], isElectron)).toEqual(
      [],
    );
  });

  it('only electron/main and electron/preload import electron', () => {
    const everywhere = ['electron', 'shared', 'renderer/src', 'test', 'scripts'].flatMap((dir) =>
      fs.existsSync(path.join(ROOT, dir)) ? [dir] : [],
    );
    const outside = violations(everywhere, isElectron, false).filter(
      (line) => !/^electron[\\/](main|preload)[\\/]/.test(line),
    );
    expect(outside).toEqual([]);
  });

  it('the Electron-bound code stays in a few wiring files; the logic modules only take its types', () => {
    const wiring = sourceFiles('electron/main')
      .concat(sourceFiles('electron/preload'))
      .filter((file) => importsOf(file).some((s) => isElectron(s.specifier) && !s.typeOnly))
      .map((file) => path.relative(ROOT, file).split(path.sep).join('/'))
      .sort();
    expect(wiring).toEqual([
      'electron/main/desktop-commands.ts',
      'electron/main/main-window.ts',
      'electron/main/main.ts',
      'electron/main/notifications.ts',
      'electron/main/secure-session.ts',
      'electron/main/web-contents-guards.ts',
      'electron/preload/preload.ts',
    ]);
  });

  it('the preload runs in the sandbox: no Node module, even bundled', () => {
    expect(violations(['electron/preload'], isNodeBuiltin)).toEqual([]);
    // Nor anything the bridge pulls in from shared/ (checked above) or the core.
    const fromCore = violations(['electron/preload'], (s) => s.includes('/core/'));
    expect(fromCore).toEqual([]);
  });
});

describe('architecture: the renderer is a client of the typed API only', () => {
  it('renderer/ never reaches into electron/ by a relative path', () => {
    expect(violations(['renderer'], reachesElectron)).toEqual([]);
  });

  it('the relative-path rule sees a reach into electron/, and nothing else', () => {
    expect(
      ['../../electron/core/station', '../electron', './api/electron-bridge', 'electron'].map(
        reachesElectron,
      ),
    ).toEqual([true, true, false, false]);
  });
});

/** A relative import that climbs into electron/ (`electron` itself is the package, not the folder). */
function reachesElectron(specifier: string): boolean {
  return /^\.{1,2}\//.test(specifier) && /(^|\/)electron(\/|$)/.test(specifier);
}

/** The database handle's own SQL calls: `db.exec(...)`, `this.deps.db.pragma(...)`. */
const DB_SQL_METHODS = new Set(['exec', 'pragma']);

/**
 * Where a file runs SQL of its own: any `.prepare(...)` call, and `exec`/`pragma` called on
 * something named `db` (a RegExp's `.exec` is not SQL).
 */
export function sqlCallsOf(file: string): string[] {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const { name, expression: receiver } = node.expression;
      const receiverName = ts.isPropertyAccessExpression(receiver)
        ? receiver.name.text
        : ts.isIdentifier(receiver)
          ? receiver.text
          : '';
      if (name.text === 'prepare' || (DB_SQL_METHODS.has(name.text) && receiverName === 'db')) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${rel}:${line + 1} ${name.text}()`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('architecture: SQL lives in the repositories', () => {
  it('finds the SQL calls it is meant to police, and only those (the scanner works)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-arch-'));
    try {
      const file = path.join(dir, 'sample.ts');
      fs.writeFileSync(
        file,
        [
          "// db.prepare('SELECT 1') in a comment is not a call",
          'const text = "db.exec(\'DROP TABLE x\')";',
          "deps.db.prepare('SELECT 1').get();",
          "this.db.exec('VACUUM');",
          "db.pragma('user_version');",
          "const match = /x/.exec('x');",
          "const other = PATTERN.exec('x');",
          "statement.prepare('SELECT 2');",
        ].join('\n'),
      );
      expect(sqlCallsOf(file).map((call) => call.replace(/^.*:(\d+) /, '$1 '))).toEqual([
        '3 prepare()',
        '4 exec()',
        '5 pragma()',
        '8 prepare()',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('only electron/core/repositories/ and electron/core/storage/ prepare or run SQL', () => {
    const outside = sourceFiles('electron')
      .filter((file) => {
        const rel = path.relative(ROOT, file).split(path.sep).join('/');
        return !/^electron\/core\/(repositories|storage)\//.test(rel);
      })
      .flatMap(sqlCallsOf);
    expect(outside).toEqual([]);
  });
});
