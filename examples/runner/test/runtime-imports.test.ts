/**
 * What each runner loads at run time: the import graph from its entry point, following the
 * runner's own modules and collecting the packages it imports. `import type` (and an import whose
 * bindings are all `type`, which `verbatimModuleSyntax` would still keep as a bare import — so it
 * counts as a runtime import here) is told apart with TypeScript's own parser.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { runnerDir } from './helpers.ts';

/** Packages a module graph imports at run time, and the runner modules it passes through. */
function runtimeImports(entry: string): { packages: Set<string>; modules: Set<string> } {
  const packages = new Set<string>();
  const modules = new Set<string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const found = (specifier: string) => {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:')) packages.add(specifier.split('/').slice(0, 2).join('/'));
    };
    const walk = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        if (!node.importClause?.isTypeOnly) found(node.moduleSpecifier.text);
      } else if (
        ts.isExportDeclaration(node) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        if (!node.isTypeOnly) found(node.moduleSpecifier.text);
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        found(node.arguments[0].text);
      }
      ts.forEachChild(node, walk);
    };
    walk(source);
  };
  visit(resolve(runnerDir, entry));
  return { packages, modules };
}

describe('runtime imports of the runners', () => {
  it('the Supabase runner (pnpm start:supabase) never loads the simulator, the benchmark or the measuring kit', () => {
    const { packages, modules } = runtimeImports('src/supabase.ts');
    expect(modules.size).toBeGreaterThan(5); // the walk did follow the runner's modules
    expect([...packages]).toEqual(
      expect.arrayContaining(['@racesync/sync-core', '@racesync/supabase-adapter']),
    );
    for (const tool of ['@racesync/simulator', '@racesync/bench', '@racesync/verify']) {
      expect(packages.has(tool), `${tool} is loaded by the Supabase runner`).toBe(false);
    }
  });

  it('the memory runner (pnpm start) does load the simulator: its offline default', () => {
    const { packages } = runtimeImports('src/main.ts');
    expect(packages.has('@racesync/simulator')).toBe(true);
    expect(packages.has('@racesync/verify')).toBe(true);
    expect(packages.has('@racesync/bench')).toBe(false);
  });
});
