// The API reference and the editor hover text cannot drift from the code: every export of
// lib/index.ts carries a JSDoc comment, every exported function and class has a `####`
// entry written as its signature in docs/api.md (or README.md), and every such entry in
// docs/api.md names something that is exported. The exports are read with the TypeScript
// compiler, so `export *` chains and re-exported aliases count exactly as a user sees them.
// Every family section (`## name`) of docs/api.md has a code example; every ```ts example
// type-checks against lib/ as a user's module importing 'sockfd', and each fenced
// ```ts runnable is executed here against real sockets (loopback, socketpairs) — its asserts
// must hold and it must close every fd it opens (the suite's fd-leak check).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as sockfd from '../lib';

const root = join(__dirname, '..');
const read = (f: string) => (existsSync(join(root, f)) ? readFileSync(join(root, f), 'utf8') : '');

interface Export {
  name: string;
  kind: 'function' | 'class' | 'value' | 'type';
  doc: string;
  file: string;
}

function exportsOfIndex(): Export[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error('tsconfig.json could not be read');
  const index = join(root, 'lib', 'index.ts');
  const program = ts.createProgram([index], config.options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(index);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error('lib/index.ts has no module symbol');

  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const sym = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = sym.declarations?.[0];
    let kind: Export['kind'] = 'type';
    if (sym.flags & ts.SymbolFlags.Class) kind = 'class';
    else if (sym.flags & ts.SymbolFlags.Function) kind = 'function';
    else if (sym.flags & ts.SymbolFlags.Variable && decl) {
      const type = checker.getTypeOfSymbolAtLocation(sym, decl);
      kind = type.getCallSignatures().length > 0 ? 'function' : 'value';
    } else if (sym.flags & ts.SymbolFlags.Value) kind = 'value';
    const doc = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();
    const file = decl ? decl.getSourceFile().fileName.slice(root.length + 1) : '?';
    return { name: exported.name, kind, doc, file };
  });
}

const all = exportsOfIndex();
const api = read('docs/api.md');
const readme = read('README.md');
const headings = (text: string) => text.split('\n').filter((l) => /^####\s/.test(l));
const escape = (s: string) => s.replace(/[$]/g, '\\$&');
/**
 * A `####` heading written as the export's signature: `#### name(args)` for a function (a
 * heading may group several, `#### htons(x) / ntohs(x)`); for a class `#### class name`
 * (docs/api.md's convention), `#### new name(args)` or `#### name(args)`.
 */
const documents = (heading: string, e: Export) => {
  const n = escape(e.name);
  if (new RegExp(`(?<![\\w.$])${n}\\s*\\(`).test(heading)) return true;
  return e.kind === 'class' && new RegExp(`^####\\s+\`?class\\s+${n}(?![\\w$])`).test(heading);
};

describe('API documentation', () => {
  it('lib/index.ts exports functions, classes and constants (the check sees the real exports)', () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all.find((e) => e.name === 'ErrnoError')?.kind).toBe('class');
    expect(all.find((e) => e.name === 'AF_INET')?.kind).toBe('value');
    expect(all.find((e) => e.name === 'strerror')?.kind).toBe('function');
  });

  it('every export of lib/index.ts has a JSDoc comment (the editor hover text)', () => {
    const undocumented = all.filter((e) => e.doc === '').map((e) => `${e.name} (${e.file})`);
    expect(undocumented, 'exports without a /** JSDoc */ comment').toEqual([]);
  });

  it('every exported function and class has a `#### name(` / `#### class name` entry in docs/api.md or README.md', () => {
    const entries = [...headings(api), ...headings(readme)];
    const missing = all
      .filter((e) => e.kind === 'function' || e.kind === 'class')
      .filter((e) => !entries.some((h) => documents(h, e)))
      .map((e) => `${e.name} (${e.kind}, ${e.file})`);
    expect(missing, 'exports with no `#### name(args)` heading in docs/api.md or README.md').toEqual([]);
  });

  it('every `#### name(` and `#### class name` entry in docs/api.md names an export (no stale reference)', () => {
    const exported = new Set(all.map((e) => e.name));
    const stale: string[] = [];
    for (const h of headings(api)) {
      // the callee of the heading's signature (`#### epoll_ctl(epfd, ...)`), or the class
      const m =
        /^####\s+`?(?:new\s+)?([A-Za-z_$][\w$]*)\s*\(/.exec(h) ?? /^####\s+`?class\s+([A-Za-z_$][\w$]*)/.exec(h);
      if (m && !exported.has(m[1])) stale.push(h);
    }
    expect(stale, 'docs/api.md headings naming something lib/index.ts does not export').toEqual([]);
  });
});

// ---- the examples ------------------------------------------------------------------------

interface Example {
  section: string; // the `## family` it sits in
  line: number; // 1-based line of its opening fence in docs/api.md
  runnable: boolean;
  code: string;
}

function examplesOf(markdown: string): Example[] {
  const out: Example[] = [];
  const lines = markdown.split('\n');
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^## (\S+)/.exec(lines[i]);
    if (h) section = h[1];
    const fence = /^```ts(?:\s+(\w+))?\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    out.push({ section, line: start + 1, runnable: fence[1] === 'runnable', code: body.join('\n') });
  }
  return out;
}

/**
 * The example as a module: its imports stay on top, the rest becomes the body of
 * `export async function example()`, so top-level `await` works and nothing runs on import.
 */
function asModule(code: string): string {
  const sf = ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true);
  const imports = sf.statements.filter(ts.isImportDeclaration);
  const end = imports.length > 0 ? imports[imports.length - 1].end : 0;
  return `${code.slice(0, end)}\nexport async function example(): Promise<void> {\n${code.slice(end)}\n}\n`;
}

const examples = examplesOf(api);
const exampleFile = (e: Example) => join(root, 'docs', `api.md.example-${e.line}.ts`);
const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
  baseUrl: root,
  paths: { sockfd: ['lib/index.ts'] }, // as a user imports it
};

describe('docs/api.md examples', () => {
  it('every family section has an example', () => {
    const sections = [...api.matchAll(/^## (\S+)/gm)].map((m) => m[1]);
    expect(sections.length).toBeGreaterThanOrEqual(11);
    const without = sections.filter((s) => !examples.some((e) => e.section === s));
    expect(without, 'sections of docs/api.md without a ```ts example').toEqual([]);
  });

  it('every example type-checks as a module importing sockfd (strict)', () => {
    const files = new Map(examples.map((e) => [exampleFile(e), asModule(e.code)]));
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, ...rest) =>
      files.has(name) ? ts.createSourceFile(name, files.get(name)!, lang) : getSourceFile(name, lang, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => files.has(name) || fileExists(name);
    // lib/node-gyp-build.d.ts types the one untyped dependency, as tsconfig.json's include does
    const program = ts.createProgram([...files.keys(), join(root, 'lib', 'node-gyp-build.d.ts')], options, host);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const name = d.file ? d.file.fileName.replace(root + '/', '') : '';
      return `${name}${where ? `:${where.line}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  }, 60_000);

  const req = createRequire(__filename);
  const runnable = examples.filter((e) => e.runnable);
  it('most examples are runnable', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(10);
  });
  it.each(runnable.map((e) => [`${e.section} (docs/api.md:${e.line})`, e] as const))(
    'the %s example runs against real sockets',
    async (_, e) => {
      const js = ts.transpileModule(asModule(e.code), { compilerOptions: { ...options, noEmit: false } }).outputText;
      const mod: { exports: { example?: () => Promise<void> } } = { exports: {} };
      const printed: unknown[][] = [];
      const quiet = { ...console, log: (...a: unknown[]) => printed.push(a) };
      const load = (id: string): unknown => (id === 'sockfd' ? sockfd : req(id));
      new Function('require', 'module', 'exports', 'console', js)(load, mod, mod.exports, quiet);
      await mod.exports.example!();
    },
  );
});
