// Checks two rules of the public API on every published package (packages/*), from the sources:
// 1. every optional field of an option type carries a `@default` JSDoc tag — exported types named
//    …Options, …Config, …Query or …Input, and the inline object parameters of exported functions
//    and of the methods of exported interfaces and classes (nested object types included);
// 2. every type a public export refers to is itself exported from one of the packages' entries.
// Run by `pnpm lint`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const OPTION_TYPE = /(Options|Config|Query|Input)$/;

/** The source file of each entry in a package's `exports` (`.` → src/index.ts, `./x` → src/x.ts or src/x/index.ts). */
function entriesOf(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.private) return [];
  const files = [];
  for (const key of Object.keys(pkg.exports ?? {})) {
    if (key === './package.json') continue;
    const name = key === '.' ? 'index' : key.slice(2);
    const file = [join(dir, 'src', `${name}.ts`), join(dir, 'src', name, 'index.ts')].find(existsSync);
    if (!file) throw new Error(`${pkg.name}: no source for the export "${key}"`);
    files.push(file);
  }
  return files;
}

const entries = readdirSync(join(root, 'packages')).flatMap((d) => entriesOf(join(root, 'packages', d)));
const config = ts.getParsedCommandLineOfConfigFile(
  join(root, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => {},
  },
);
const program = ts.createProgram(entries, { ...config.options, noEmit: true });
const checker = program.getTypeChecker();
const where = (node) => {
  const sf = node.getSourceFile();
  return `${relative(root, sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
};
const inPackages = (node) => {
  const file = node.getSourceFile().fileName;
  return file.includes('/packages/') && !file.includes('/node_modules/');
};
const resolve = (symbol) =>
  symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

const exported = new Set();
for (const file of entries) {
  const module = checker.getSymbolAtLocation(program.getSourceFile(file));
  for (const symbol of checker.getExportsOfModule(module))
    for (const d of resolve(symbol).declarations ?? []) exported.add(d);
}

const problems = [];

// 1. @default on optional option fields.
function checkMembers(members, owner) {
  for (const m of members) {
    if (!ts.isPropertySignature(m) && !ts.isMethodSignature(m)) continue;
    const name = `${owner}.${m.name.getText()}`;
    if (m.questionToken && !ts.getJSDocTags(m).some((t) => t.tagName.text === 'default'))
      problems.push(`${where(m)}  ${name}: optional option without @default`);
    if (ts.isPropertySignature(m) && m.type && ts.isTypeLiteralNode(m.type))
      checkMembers(m.type.members, name);
  }
}
function checkTypeNode(type, owner) {
  if (!type) return;
  if (ts.isTypeLiteralNode(type)) checkMembers(type.members, owner);
  else if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type))
    for (const t of type.types) checkTypeNode(t, owner);
}
function checkParams(params, owner) {
  for (const p of params) checkTypeNode(p.type, `${owner}(${p.name.getText()})`);
}
for (const d of exported) {
  if (!inPackages(d)) continue;
  const name = d.name?.getText?.() ?? '?';
  if (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) {
    if (OPTION_TYPE.test(name)) {
      if (ts.isInterfaceDeclaration(d)) checkMembers(d.members, name);
      else checkTypeNode(d.type, name);
    }
  }
  if (ts.isFunctionDeclaration(d)) checkParams(d.parameters, name);
  if (ts.isVariableDeclaration(d) && d.initializer && ts.isArrowFunction(d.initializer))
    checkParams(d.initializer.parameters, name);
  if (ts.isInterfaceDeclaration(d) || ts.isClassDeclaration(d)) {
    const visit = (node) => {
      if (ts.isMethodSignature(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node))
        checkParams(node.parameters, `${name}.${node.name?.getText() ?? 'constructor'}`);
      else if (ts.isPropertySignature(node) && node.type && ts.isFunctionTypeNode(node.type))
        checkParams(node.type.parameters, `${name}.${node.name.getText()}`);
      if (!ts.isBlock(node)) ts.forEachChild(node, visit);
    };
    ts.forEachChild(d, visit);
  }
}

// 2. Types the public surface refers to but no entry exports.
const isPrivate = (node) =>
  (node.name !== undefined && ts.isPrivateIdentifier(node.name)) ||
  (ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword));
const seen = new Set();
function walk(node, from) {
  if (seen.has(node)) return;
  seen.add(node);
  if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
    const target = resolve(
      checker.getSymbolAtLocation(ts.isTypeReferenceNode(node) ? node.typeName : node.expression),
    );
    for (const d of target?.declarations ?? []) {
      if (!inPackages(d) || ts.isTypeParameterDeclaration(d)) continue;
      if (!exported.has(d))
        problems.push(`${where(d)}  ${target.name}: used by the public ${from} but not exported`);
      walk(d, from);
    }
  }
  ts.forEachChild(node, (child) => {
    if (ts.isBlock(child)) return; // bodies are not the surface
    if (isPrivate(child)) return; // nor private class members
    if (child === node.initializer && node.type) return;
    walk(child, from);
  });
}
for (const d of exported) if (inPackages(d)) walk(d, d.name?.getText?.() ?? '?');

const unique = [...new Set(problems)].sort();
for (const p of unique) console.error(p);
console.log(`check-docs: ${entries.length} entries, ${unique.length} problem(s)`);
process.exit(unique.length ? 1 : 0);
