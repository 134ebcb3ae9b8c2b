#!/usr/bin/env node
// `npx sockfd <command>`: the package's executable. Each command lives in its own module and
// is loaded only when named, so `sockfd --help` never loads the addon.
//
// A command module (dist/<command>/cli.js) either exports `main(args: string[])` returning an
// exit code (or a promise of one), or runs on load and reads process.argv.slice(2) itself.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const commands: Record<string, string> = {
  bench: 'run the select / poll / epoll benchmark (sockfd bench --help)',
};

/** The usage text `sockfd --help` prints. */
export function usage(): string {
  const lines = Object.entries(commands).map(([name, what]) => `  ${name.padEnd(8)}${what}`);
  return ['usage: sockfd <command> [options]', '', 'commands:', ...lines, ''].join('\n');
}

/**
 * Runs `sockfd <command> ...args`; resolves to the exit code, or undefined when the command
 * module ran on load and owns process.exitCode.
 */
export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage());
    return command === undefined ? 2 : 0;
  }
  if (!(command in commands)) {
    process.stderr.write(`sockfd: unknown command '${command}'\n\n${usage()}`);
    return 2;
  }
  const file = join(__dirname, command, 'cli.js');
  if (!existsSync(file)) {
    process.stderr.write(`sockfd: '${command}' is not part of this build (${file} is missing)\n`);
    return 1;
  }
  process.argv = [process.argv[0], file, ...args];
  const mod = require(file) as { main?: (args: string[]) => number | void | Promise<number | void> };
  if (typeof mod.main !== 'function') return undefined;
  return (await mod.main(args)) ?? undefined;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`sockfd: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
