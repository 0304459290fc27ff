import type { RobustnessEvaluation } from '@apb/attacks';
import type { EvaluationPlan } from '@apb/scenarios';
import { needsTransferSource } from '@apb/scenarios/evaluation-attacks';
import { Command, Option } from 'commander';
import { access } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';

import { cliError } from '../cli-error.js';
import { EVAL_RECORD_KIND, evalFileName, type EvalRecord } from '../eval-record.js';
import { checkOutputFile } from '../output-file.js';
import { colors, percent, processOutput, silentOutput, type Output } from '../output.js';
import { createProgress, type Progress } from '../progress.js';
import { BACKENDS, evaluationFlagOptions, evaluationFlags, evaluationOptionKey, flagOption, trainFlags } from '../train-flags.js';
import { flagNameOf } from '../flag-names.js';
import { portablePath, writeFileAtomic } from '@apb/core';


/** The evaluation budgets `apb eval` takes, as `--eval-*` flags: the rows of `apb train`'s table. */
const EVAL_PLAN_KEYS = ['attacks', 'eps', 'pgdSteps', 'pgdRestarts', 'pgdLimit', 'squareQueries', 'squareLimit', 'diagnostics', 'diagnosticsLimit'] as const;

/** Flags `apb eval` had before it shared `apb train`'s names: old option key -> new one. */
export const DEPRECATED_EVAL_FLAGS = {
  attacks: 'evalAttacks',
  eps: 'evalEps',
  pgdSteps: 'evalPgdSteps',
  pgdRestarts: 'evalPgdRestarts',
  pgdLimit: 'evalPgdLimit',
  squareQueries: 'evalSquareQueries',
  squareLimit: 'evalSquareLimit',
  diagnosticsSubset: 'evalDiagnosticsLimit',
} as const;

const planFlags = Object.fromEntries(EVAL_PLAN_KEYS.map((key) => [evaluationOptionKey(key), evaluationFlags[key].schema.optional()])) as {
  [K in (typeof EVAL_PLAN_KEYS)[number] as `eval${Capitalize<K>}`]: z.ZodOptional<(typeof evaluationFlags)[K]['schema']>;
};

/** Options of `apb eval`. Budgets left out take the defaults of `apb train`'s evaluation plan. */
export const evalOptionsSchema = z
  .strictObject({
    model: z.string({ error: 'is required: the --out folder of apb train (or a folder with model.json)' }).min(1, 'must name a folder'),
    dataset: z.string().min(1, 'must name a dataset').optional(),
    dataDir: z.string().min(1, 'must not be empty').optional(),
    ...planFlags,
    transferFrom: z.string().min(1, 'must name a folder').optional(),
    testLimit: trainFlags.testLimit.schema.optional(),
    seed: trainFlags.seed.schema.optional(),
    backend: z.enum(BACKENDS).default('auto'),
    out: z.string().min(1, 'must name a file').optional(),
    force: z.boolean().default(false),
    json: z.boolean().default(false),
  })
  .refine((o) => o.evalAttacks === undefined || !needsTransferSource(o.evalAttacks) || o.transferFrom !== undefined, {
    path: ['transferFrom'],
    message: 'is required with the transfer attacks (transfer, transfer-fgsm, transfer-pgd): the folder of the source model the adversarials are crafted on',
  })
  .refine((o) => o.dataset !== undefined || o.dataDir !== undefined, {
    path: ['dataset'],
    message: 'is required (mnist or fashion-mnist) unless --data-dir holds t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)',
  });

/**
 * Options given under their old names (`--pgd-steps`, `--no-diagnostics`, ...) moved to the new
 * ones, with one line on `output` per old name; given both ways, the new name wins.
 */
export function withCurrentEvalFlags(options: Record<string, unknown>, output: Output): Record<string, unknown> {
  const moved: Record<string, unknown> = { ...options };
  for (const [old, current] of Object.entries(DEPRECATED_EVAL_FLAGS)) {
    if (!(old in moved)) continue;
    const value = moved[old];
    delete moved[old];
    if (value === undefined) continue;
    output.info(`apb eval: ${flagNameOf(old)} is deprecated; use ${flagNameOf(current)} (the name apb train uses).`);
    if (moved[current] === undefined) moved[current] = value;
  }
  // commander sets diagnostics: true for a --no-diagnostics that was not given.
  if ('diagnostics' in moved) {
    const value = moved.diagnostics;
    delete moved.diagnostics;
    if (value === false) {
      output.info('apb eval: --no-diagnostics is deprecated; use --eval-diagnostics false (the name apb train uses).');
      if (moved.evalDiagnostics === undefined) moved.evalDiagnostics = false;
    }
  }
  return moved;
}

/** Options of {@link runEval}. */
export type EvalOptions = z.input<typeof evalOptionsSchema> & Partial<Record<keyof typeof DEPRECATED_EVAL_FLAGS | 'diagnostics', unknown>>;

/** What `apb eval` measured, and on what. */
export interface EvalResult {
  model: string;
  dataset: string;
  dataFiles: { images: string; labels: string };
  evaluation: RobustnessEvaluation;
  /** The plan evaluated, in `apb train`'s terms. */
  plan: EvaluationPlan;
  seed: number;
  /** Where the record was written, if anywhere. */
  out?: string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function hasTestFiles(dir: string): Promise<boolean> {
  for (const name of ['t10k-images-idx3-ubyte', 't10k-images-idx3-ubyte.gz']) {
    if (await exists(join(dir, name))) return true;
  }
  return false;
}

/** The run folder a model folder belongs to (the one holding run.json), if any. */
async function runFolderOf(modelDir: string): Promise<string | undefined> {
  const { modelFolder } = await import('../model-dir.js');
  const folder = await modelFolder(modelDir);
  for (const candidate of [resolve(modelDir), dirname(resolve(folder))]) {
    if (await exists(join(candidate, 'run.json'))) return candidate;
  }
  return undefined;
}

/**
 * Evaluates a saved model on a test set under the chosen attacks at every eps (clean accuracy,
 * per-attack accuracy, worst case, gradient-masking diagnostics), with `@apb/scenarios`'
 * `evaluateModel`, so the defaults and the subsets are exactly those of `apb train`'s evaluation.
 * With `dataDir` pointing at a folder of IDX test files, any such data set works (named after the
 * folder unless `dataset` names it); otherwise `dataset` is MNIST or Fashion-MNIST.
 *
 * The result is kept as `eval-<dataset>-<digest>.json` beside the run's run.json (where
 * `apb report` reads it) or in `out`; that file is checked before any work starts, and an existing
 * one is refused unless `force`. Data the model does not fit (image size, classes) is refused.
 */
export async function runEval(options: EvalOptions, output: Output = silentOutput): Promise<EvalResult> {
  const parsed = evalOptionsSchema.parse(withCurrentEvalFlags(options, output));
  const scenarios = await import('@apb/scenarios');
  const run = await runFolderOf(parsed.model).catch(() => undefined);
  const recorded = run === undefined ? undefined : await scenarios.tryReadRunRecord(join(run, 'run.json'));
  const defaults = scenarios.evaluationPlanSchema.parse({});
  // Transfer needs a source model, which apb train trains itself; here only --transfer-from gives one.
  const attacks = parsed.evalAttacks ?? defaults.attacks.filter((attack) => attack !== 'transfer' || parsed.transferFrom !== undefined);
  const given = Object.fromEntries(EVAL_PLAN_KEYS.map((key) => [key, parsed[evaluationOptionKey(key) as keyof typeof planFlags]]));
  const plan = scenarios.evaluationPlanSchema.parse({ ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)), attacks, limit: null });
  // A run's own seed by default, so evaluating its model again reproduces its record's subsets.
  const seed = parsed.seed ?? recorded?.seed ?? scenarios.resolveTrainConfig({}).seed;

  const custom = parsed.dataDir !== undefined && (await hasTestFiles(parsed.dataDir));
  const name = parsed.dataset ?? (parsed.dataDir === undefined ? undefined : scenarios.datasetNameForFolder(parsed.dataDir)) ?? '';
  const datasets = await import('@apb/datasets');
  if (!custom && !datasets.isDatasetName(name)) {
    throw cliError('UNKNOWN_DATASET', `--dataset ${name} is not a known dataset, and --data-dir holds no t10k-images-idx3-ubyte(.gz).`, 'Pass --dataset mnist|fashion-mnist, or --data-dir a folder with t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz).');
  }
  const transferFrom = parsed.transferFrom === undefined ? null : resolve(parsed.transferFrom);
  const settings = { dataset: name, dataDir: parsed.dataDir === undefined ? null : resolve(parsed.dataDir), testLimit: parsed.testLimit ?? null, seed, plan, transferFrom };
  const out = parsed.out ?? (run === undefined ? undefined : join(run, evalFileName(settings)));
  // Before any work: a result that cannot be kept would be lost after the whole evaluation.
  if (out !== undefined) await checkOutputFile(out, { force: parsed.force, what: parsed.out === undefined ? 'the evaluation record' : '--out' });

  const [{ initBackend }, { loadModelDir }] = await Promise.all([import('@apb/backend'), import('../model-dir.js')]);
  await initBackend({ backend: parsed.backend });
  const loadOptions = { download: false, ...(parsed.testLimit === undefined ? {} : { limit: parsed.testLimit, stratified: true }) };
  const test = custom
    ? await datasets.loadDataset({ dir: parsed.dataDir!, name }, 'test', loadOptions)
    : await datasets.loadDataset(name as 'mnist' | 'fashion-mnist', 'test', { ...loadOptions, ...(parsed.dataDir === undefined ? {} : { dataDir: parsed.dataDir }) });

  const model = await loadModelDir(parsed.model);
  let source: Awaited<ReturnType<typeof loadModelDir>> | undefined;
  try {
    scenarios.checkDataFitsModel(model, test, `model ${parsed.model}`);
    if (parsed.transferFrom !== undefined) {
      source = await loadModelDir(parsed.transferFrom);
      scenarios.checkDataFitsModel(source, test, `--transfer-from model ${parsed.transferFrom}`);
    }
    let bar: Progress | undefined;
    let barKey = '';
    let evaluated: Awaited<ReturnType<typeof scenarios.evaluateModel>>;
    try {
      evaluated = await scenarios.evaluateModel(model, test, plan, {
        seed,
        ...(source === undefined ? {} : { transferSource: source }),
        onProgress: (progress) => {
          const key = `${progress.attack} ${progress.eps}`;
          if (key !== barKey) {
            bar?.stop();
            barKey = key;
            const label = progress.attack === 'clean' || progress.attack === 'diagnostics' ? progress.attack : `${progress.attack} eps ${progress.eps}`;
            // Without a bar (not a terminal, --json), one line per attack says where it is.
            if (!output.interactive) output.info(`eval: ${label} (${progress.total} images)`);
            bar = createProgress(output, label, progress.total);
          }
          bar?.update(progress.done);
        },
      });
    } finally {
      bar?.stop();
    }
    // evaluateModel returns undefined only when aborted, and no signal is passed here.
    const evaluation = evaluated!.evaluation;
    const result: EvalResult = {
      model: resolve(parsed.model),
      dataset: name,
      dataFiles: { images: test.files.images.path, labels: test.files.labels.path },
      evaluation,
      plan,
      seed,
    };
    if (out !== undefined) {
      // Portable like a results folder: paths relative to the record, data files by name and digest.
      const here = dirname(resolve(out));
      const local = (path: string) => portablePath(here, path);
      const record: EvalRecord = {
        kind: EVAL_RECORD_KIND,
        createdAt: new Date().toISOString(),
        model: local(result.model),
        run: recorded?.id ?? null,
        dataset: name,
        dataFiles: { images: basename(test.files.images.path), labels: basename(test.files.labels.path) },
        dataSha256: { images: test.files.images.sha256, labels: test.files.labels.sha256 },
        testLimit: settings.testLimit,
        seed,
        plan,
        transferFrom: transferFrom === null ? null : local(transferFrom),
        evaluation,
      };
      await writeFileAtomic(resolve(out), `${JSON.stringify(record, null, 2)}\n`);
      result.out = resolve(out);
    }
    return result;
  } finally {
    model.dispose();
    source?.dispose();
  }
}

function withDescription(option: Option, extra: string): Option {
  option.description = option.description.replace(/( \(default: [^)]*\))?$/, (defaultText) => `${extra}${defaultText}`);
  return option;
}

/** `apb eval`. */
export function evalCommand(): Command {
  const command = new Command('eval')
    .description('evaluate a saved model: clean accuracy, attacks at each eps, worst case, gradient-masking diagnostics')
    .option('--model <dir>', 'the --out folder of apb train (or a folder holding model.json)')
    .option('--dataset <name>', 'mnist | fashion-mnist (or a name for the --data-dir folder)')
    .option('--data-dir <dir>', 'datasets root, or any folder holding t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)')
    .option('--transfer-from <dir>', 'source model of the transfer attack (required with transfer)')
    .addOption(flagOption('testLimit', trainFlags.testLimit))
    .addOption(flagOption('seed', { ...trainFlags.seed, description: "seed of attacks and subsets", default: "the run's seed, else 1" }))
    .addOption(flagOption('backend', trainFlags.backend))
    .option('--out <file>', 'a file (not a folder, unlike apb train --out) for the result JSON (default: eval-<dataset>-<digest>.json beside the run\'s run.json, where apb report reads it)')
    .option('--force', 'replace the result file if it exists')
    .option('--json', 'print the result as JSON');
  // apb train's --eval-* rows; with transfer only when --transfer-from names the source model.
  for (const option of evaluationFlagOptions(EVAL_PLAN_KEYS)) command.addOption(option.long === '--eval-attacks' ? withDescription(option, ' (transfer only with --transfer-from, else left out of the default)') : option);
  for (const old of Object.keys(DEPRECATED_EVAL_FLAGS)) command.addOption(new Option(`${flagNameOf(old)} <value>`).hideHelp());
  command.addOption(new Option('--no-diagnostics').hideHelp());
  return command
    .addHelpText(
      'after',
      `
Examples:
  $ apb eval --model runs/mnist-apb --dataset mnist
  $ apb eval --model runs/mnist-apb --dataset mnist --eval-attacks fgsm,pgd,square --eval-eps 0.1,0.2,0.3 --out eval.json
  $ apb eval --model runs/mnist-apb --dataset mnist --eval-attacks transfer --transfer-from runs/mnist-classical
  $ apb eval --model runs/mnist-apb --data-dir ./my-digits --test-limit 500 --json
  $ apb eval --model runs/mnist-apb --dataset mnist --force    # evaluate again, replacing the kept result`,
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
      if (result.out !== undefined) output.log(`wrote ${result.out}`);
    });
}
