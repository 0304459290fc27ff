import { Command } from 'commander';
import { readFileSync } from 'node:fs';

import { benchCommand } from './commands/bench.js';
import { datasetsCommand } from './commands/datasets.js';
import { evalCommand } from './commands/eval.js';
import { reportCommand } from './commands/report.js';
import { reproduceCommand } from './commands/reproduce.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { trainCommand } from './commands/train.js';
import { workerCommand } from './commands/worker.js';
import { handleError } from './handle-error.js';

/** The version of this package, read once from its package.json. */
export function cliVersion(): string {
  const json = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return json.version;
}

/** Commander prints its own errors; ours go through {@link handleError}, so silence them and throw. */
function quietErrors(command: Command): void {
  command.exitOverride();
  command.configureOutput({ outputError: () => undefined });
  command.showSuggestionAfterError(true);
  for (const sub of command.commands) quietErrors(sub);
}

/** Assembles the `apb` program: one subcommand per file under `commands/`. */
export function createProgram(): Command {
  const program = new Command('apb')
    .description('Adversarial training research with TensorFlow.js: reproduce the APB paper, train and evaluate your own models.')
    .version(cliVersion(), '-v, --version')
    .option('--debug', 'print stack traces of errors')
    .addCommand(trainCommand())
    .addCommand(evalCommand())
    .addCommand(reproduceCommand())
    .addCommand(workerCommand())
    .addCommand(statusCommand())
    .addCommand(reportCommand())
    .addCommand(datasetsCommand())
    .addCommand(benchCommand())
    .addCommand(serveCommand())
    .addHelpText(
      'after',
      `
Examples:
  $ apb reproduce --preset smoke --out runs/smoke      # minutes on a laptop, then runs/smoke/report.html
  $ apb train --dataset mnist --model lenet --apb naive --epochs 5 --out runs/mnist-apb
  $ apb eval --model runs/mnist-apb --dataset mnist --attacks fgsm,pgd --eps 0.1,0.3
  $ apb datasets verify
  $ apb serve runs/smoke                               # browse runs, attack models in the browser`,
    );
  quietErrors(program);
  return program;
}

/**
 * Runs the CLI on `argv` (as `process.argv`) and returns the exit code; every error ends in
 * {@link handleError}.
 */
export async function main(argv: string[] = process.argv): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return handleError(error, { debug: argv.includes('--debug') });
  }
}
