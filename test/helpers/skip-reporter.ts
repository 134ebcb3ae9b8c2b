// A vitest reporter that runs beside the default one (vitest.config.mts). At the end of the
// run it lists every skipped test by name with its reason, so a skip is never silent: on a
// machine without nc, `npm test` ends with "skipped 3: ... needs nc on PATH (apt-get install
// netcat-openbsd)". With SOCKFD_TEST_SUMMARY=<file> it also writes the counts and the skipped
// tests as JSON there; .ci/run reads that file and fails the build on any skip.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export interface TestSummary {
  passed: number;
  failed: number;
  skipped: { file: string; test: string; note: string }[];
}

export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const summary: TestSummary = { passed: 0, failed: 0, skipped: [] };
    for (const m of modules) {
      const file = relative(process.cwd(), m.moduleId);
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === 'passed') summary.passed++;
        else if (r.state === 'failed') summary.failed++;
        else if (r.state === 'skipped') {
          const note = r.note ?? (t.options.mode === 'todo' ? 'todo' : 'skipped in the test file (it.skip / skipIf / runIf)');
          summary.skipped.push({ file, test: t.fullName, note });
        }
      }
    }
    if (summary.skipped.length > 0) {
      const lines = summary.skipped.map((s) => `  - ${s.file} > ${s.test}\n      ${s.note}`);
      process.stdout.write(`\nskipped ${summary.skipped.length}:\n${lines.join('\n')}\n`);
    }
    const out = process.env.SOCKFD_TEST_SUMMARY;
    if (out) writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
  }
}
