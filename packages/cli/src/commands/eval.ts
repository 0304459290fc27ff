import type { RobustnessEvaluation } from '@apb/attacks';
import { Command } from 'commander';
import { access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';

import { cliError } from '../cli-error.js';
import { colors, percent, processOutput, silentOutput, type Output } from '../output.js';
import { createProgress, type Progress } from '../progress.js';
import { BACKENDS } from '../train-flags.js';
import { writeFileAtomic } from '../write-atomic.js';

const EVAL_ATTACKS = ['fgsm', 'pgd', 'square', 'noise', 'transfer'] as const;
const count = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be at least 1');

function list<Item extends z.ZodType>(item: Item) {
  // Strings from the command line are split at commas; arrays (from runX callers) pass through.
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter((part) => part !== '') : value),
    z.array(item).min(1, 'needs at least one value (comma-separated)'),
  );
}

/** Options of `apb eval`. */
export const evalOptionsSchema = z
  .strictObject({
    model: z.string({ error: 'is required: the --out folder of apb train (or a folder with model.json)' }).min(1, 'must name a folder'),
    dataset: z.string().min(1, 'must name a dataset').optional(),
    dataDir: z.string().min(1, 'must not be empty').optional(),
    attacks: list(z.enum(EVAL_ATTACKS)).default(['fgsm', 'pgd']),
    eps: list(z.coerce.number({ error: 'must be a number' }).finite('must be a number').gt(0, 'must be greater than 0').max(1, 'must be at most 1')).default([0.3]),
    transferFrom: z.string().min(1, 'must name a folder').optional(),
    testLimit: count.optional(),
    pgdSteps: count.default(40),
    pgdRestarts: count.default(1),
    squareQueries: count.default(1000),
    squareLimit: count.default(1000),
    seed: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be at least 0').default(0),
    diagnostics: z.boolean().default(true),
    diagnosticsSubset: count.default(200),
    backend: z.enum(BACKENDS).default('auto'),
    out: z.string().min(1, 'must name a file').optional(),
    json: z.boolean().default(false),
  })
  .refine((o) => !o.attacks.includes('transfer') || o.transferFrom !== undefined, {
    path: ['transferFrom'],
    message: 'is required with --attacks transfer: the folder of the source model the adversarials are crafted on',
  })
  .refine((o) => o.dataset !== undefined || o.dataDir !== undefined, {
    path: ['dataset'],
    message: 'is required (mnist or fashion-mnist) unless --data-dir holds t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)',
  });

/** Options of {@link runEval}. */
export type EvalOptions = z.input<typeof evalOptionsSchema>;

/** What `apb eval` measured, and on what. */
export interface EvalResult {
  model: string;
  dataset: string;
  dataFiles: { images: string; labels: string };
  evaluation: RobustnessEvaluation;
}

async function hasTestFiles(dir: string): Promise<boolean> {
  const names = ['t10k-images-idx3-ubyte', 't10k-images-idx3-ubyte.gz'];
  for (const name of names) {
    if (await access(join(dir, name)).then(() => true, () => false)) return true;
  }
  return false;
}

/**
 * Evaluates a saved model on a test set under the chosen attacks at every eps (clean accuracy,
 * per-attack accuracy, worst case, gradient-masking diagnostics). With `dataDir` pointing at a
 * folder of IDX test files, any such data set works; otherwise `dataset` is MNIST or Fashion-MNIST.
 */
export async function runEval(options: EvalOptions, output: Output = silentOutput): Promise<EvalResult> {
  const parsed = evalOptionsSchema.parse(options);
  const [{ initBackend }, datasets, attacksModule, { loadModelDir }] = await Promise.all([
    import('@apb/backend'),
    import('@apb/datasets'),
    import('@apb/attacks'),
    import('../model-dir.js'),
  ]);
  await initBackend({ backend: parsed.backend });

  const custom = parsed.dataDir !== undefined && (await hasTestFiles(parsed.dataDir));
  const name = parsed.dataset ?? basename(resolve(parsed.dataDir ?? '.'));
  if (!custom && !datasets.isDatasetName(name)) {
    throw cliError('UNKNOWN_DATASET', `--dataset ${name} is not a known dataset, and --data-dir holds no t10k-images-idx3-ubyte(.gz).`, 'Pass --dataset mnist|fashion-mnist, or --data-dir a folder with t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz).');
  }
  const loadOptions = { download: false, ...(parsed.testLimit === undefined ? {} : { limit: parsed.testLimit, stratified: true }) };
  const test = custom
    ? await datasets.loadDataset({ dir: parsed.dataDir!, name }, 'test', loadOptions)
    : await datasets.loadDataset(name as 'mnist' | 'fashion-mnist', 'test', { ...loadOptions, ...(parsed.dataDir === undefined ? {} : { dataDir: parsed.dataDir }) });

  const model = await loadModelDir(parsed.model);
  const source = parsed.transferFrom === undefined ? undefined : await loadModelDir(parsed.transferFrom);
  try {
    const attacks = parsed.attacks.map((attack) => {
      switch (attack) {
        case 'pgd':
          return attacksModule.createAttack('pgd', { steps: parsed.pgdSteps, restarts: parsed.pgdRestarts, seed: parsed.seed });
        case 'square':
          return attacksModule.createAttack('square', { queries: parsed.squareQueries, seed: parsed.seed });
        case 'noise':
          return attacksModule.createAttack('noise', { seed: parsed.seed });
        case 'transfer':
          return attacksModule.createAttack('transfer', { source, attack: 'pgd', attackParams: { steps: parsed.pgdSteps, seed: parsed.seed } });
        default:
          return attacksModule.createAttack(attack);
      }
    });
    let bar: Progress | undefined;
    let barKey = '';
    let evaluation: RobustnessEvaluation;
    try {
      evaluation = await attacksModule.evaluateRobustness(
        model,
        { images: datasets.toFloat32(test.images), labels: test.labels },
        attacks,
        {
          epsilons: parsed.eps,
          seed: parsed.seed,
          subset: { square: parsed.squareLimit },
          diagnostics: parsed.diagnostics,
          diagnosticsSubset: parsed.diagnosticsSubset,
          onProgress: (progress) => {
            const key = `${progress.attack} ${progress.eps}`;
            if (key !== barKey) {
              bar?.stop();
              barKey = key;
              bar = createProgress(output, progress.attack === 'clean' ? 'clean' : `${progress.attack} eps ${progress.eps}`, progress.total);
            }
            bar?.update(progress.done);
          },
        },
      );
    } finally {
      bar?.stop();
    }
    const result: EvalResult = {
      model: resolve(parsed.model),
      dataset: name,
      dataFiles: { images: test.files.images.path, labels: test.files.labels.path },
      evaluation,
    };
    if (parsed.out !== undefined) await writeFileAtomic(resolve(parsed.out), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    model.dispose();
    source?.dispose();
  }
}

/** `apb eval`. */
export function evalCommand(): Command {
  return new Command('eval')
    .description('evaluate a saved model: clean accuracy, attacks at each eps, worst case, gradient-masking diagnostics')
    .option('--model <dir>', 'the --out folder of apb train (or a folder holding model.json)')
    .option('--dataset <name>', 'mnist | fashion-mnist (or a name for the --data-dir folder)')
    .option('--data-dir <dir>', 'datasets root, or any folder holding t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)')
    .option('--attacks <list>', `comma-separated: ${EVAL_ATTACKS.join(',')} (default fgsm,pgd)`)
    .option('--eps <list>', 'comma-separated l-inf budgets in (0, 1] (default 0.3)')
    .option('--transfer-from <dir>', 'source model of the transfer attack (required with transfer)')
    .option('--test-limit <n>', 'evaluate on n test images (stratified; default all)')
    .option('--pgd-steps <n>', 'PGD steps (default 40)')
    .option('--pgd-restarts <n>', 'PGD restarts (default 1)')
    .option('--square-queries <n>', 'Square attack queries (default 1000)')
    .option('--square-limit <n>', 'images of the fixed seeded Square subset (default 1000)')
    .option('--seed <s>', 'seed of attacks and subsets (default 0)')
    .option('--no-diagnostics', 'skip the gradient-masking diagnostics (extra PGD and noise runs)')
    .option('--diagnostics-subset <n>', 'images of the fixed seeded subset the diagnostics use (default 200)')
    .option('--backend <name>', BACKENDS.join(' | '))
    .option('--out <file>', 'also write the result as JSON to this file')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ apb eval --model runs/mnist-apb --dataset mnist
  $ apb eval --model runs/mnist-apb --dataset mnist --attacks fgsm,pgd,square --eps 0.1,0.2,0.3 --out eval.json
  $ apb eval --model runs/mnist-apb --dataset mnist --attacks transfer --transfer-from runs/mnist-classical
  $ apb eval --model runs/mnist-apb --data-dir ./my-digits --test-limit 500 --json`,
    )
    .action(async (flags: Record<string, unknown>) => {
      const output = processOutput({ json: flags.json === true });
      const result = await runEval(flags as EvalOptions, output);
      if (flags.json === true) {
        output.log(JSON.stringify(result, null, 2));
        return;
      }
      const c = colors(output.interactive);
      const { evaluation } = result;
      output.log(`${c.bold(result.dataset)}: clean accuracy ${percent(evaluation.clean.accuracy)} (n=${evaluation.clean.n})`);
      for (const attack of evaluation.attacks) output.log(`  ${attack.attack.padEnd(9)} eps ${attack.eps}: ${percent(attack.accuracy)} (n=${attack.n}, ${attack.seconds.toFixed(1)} s)`);
      for (const worst of evaluation.worstCase) output.log(`  worst case eps ${worst.eps}: ${percent(worst.accuracy)}`);
      for (const flag of evaluation.diagnostics) output.log(`  ${flag.raised ? c.yellow('raised') : c.green('ok    ')} ${flag.flag}: ${flag.detail}`);
    });
}
