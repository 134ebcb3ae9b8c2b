// Lets plain `node` run the TypeScript sources: `node -r ./scripts/ts-register.cjs file.ts`.
// Used by bench/overhead (npm run bench:overhead) and by tests that need a child process
// (a blocking wait interrupted by a signal, a raised RLIMIT_NOFILE). Each .ts file is
// transpiled on load, without type checking (tsc does that), to CommonJS as tsconfig.json.
const ts = require('typescript');
const fs = require('node:fs');

require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(out.outputText, filename);
};
