// The API reference and the editor hover text cannot drift from the code: every export of
// lib/index.ts carries a JSDoc comment, every exported function and class has a `####`
// entry written as its signature in docs/api.md (or README.md), and every such entry in
// docs/api.md names something that is exported. The exports are read with the TypeScript
// compiler, so `export *` chains and re-exported aliases count exactly as a user sees them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

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
