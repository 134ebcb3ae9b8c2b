// Shared by the tests of `sockfd bench` (bench.test.ts, bench-suites.test.ts): the compiled
// CLI, a way to run it, and the check that its SVG chart is well-formed XML.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'bench', 'cli.js');

/** Newest modification time of the files in a folder (non-recursive), 0 if none. */
function newest(dir: string, ext: string): number {
  if (!existsSync(dir)) return 0;
  return Math.max(0, ...readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => statSync(join(dir, f)).mtimeMs));
}

/** The CLI runs compiled (each case is a fresh `node` process): compiles bench/ if dist/bench is stale. */
export function compileBench(): void {
  if (!existsSync(cli) || newest(join(root, 'bench'), '.ts') > statSync(cli).mtimeMs) {
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'bench', 'tsconfig.json')], {
      encoding: 'utf8',
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }
}

/** Runs `sockfd bench ARGS` (the compiled CLI) and returns its exit status and output. */
export function bench(args: string[], env: Record<string, string> = {}, timeout = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'bench', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A small XML well-formedness check: every tag closes in order, attributes are quoted,
 * entities are the predefined five or numeric, and there is exactly one root element.
 */
export function wellFormed(xml: string): string | null {
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->/g;
  let at = 0;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    const text = xml.slice(at, m.index);
    if (/[<>]/.test(text)) return `stray markup near offset ${at}: ${JSON.stringify(text.slice(0, 40))}`;
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) return `bad entity near offset ${at}`;
    at = tag.lastIndex;
    if (m[2] === undefined) continue; // declaration or comment
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return `</${m[2]}> closes the wrong element`;
    } else if (m[4] !== '/') {
      if (stack.length === 0) roots++;
      stack.push(m[2]);
    } else if (stack.length === 0) roots++;
  }
  if (/[<>]/.test(xml.slice(at))) return 'stray markup at the end';
  if (stack.length > 0) return `unclosed <${stack.join('> <')}>`;
  return roots === 1 ? null : `${roots} root elements`;
}
