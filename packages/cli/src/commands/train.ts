import type { RunRecord, TrainProgress } from '@apb/scenarios';
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { z } from 'zod';

import { cliError } from '../cli-error.js';
import { colors, percent, processOutput, silentOutput, type Output } from '../output.js';
import { createProgress, type Progress } from '../progress.js';
import { configFromFlags, trainFlagOptions, trainFlagsSchema } from '../train-flags.js';

/** Options of `apb train`: the config flags of the table plus where and how to run. */
export const trainOptionsSchema = trainFlagsSchema.extend({
  out: z.string({ error: 'is required: the folder for run.json, model/ and model-folded/' }).min(1, 'must name a folder'),
  resume: z.boolean().default(false),
  json: z.boolean().default(false),
});

/** Options of {@link runTrain} (flag values as strings or already typed). */
export type TrainOptions = z.input<typeof trainOptionsSchema>;

/** Extra hooks of {@link runTrain}. */
export interface RunTrainHooks {
  output?: Output;
  /** Stops the run between batches; the record is written with status `interrupted`. */
  signal?: AbortSignal;
}

/** A progress-bar driver for {@link TrainProgress} events (also used by `apb reproduce`). */
export function trainProgressBar(output: Output, label: string): { onProgress: (event: TrainProgress) => void; stop: () => void } {
  let bar: Progress | undefined;
  let barKey = '';
  return {
    onProgress: (event) => {
      const prefix = event.source === undefined ? label : `${label} (${event.source} source)`;
      if (event.type === 'source') {
        // Said even with a progress bar: the source model lands outside --out, and is reused by sibling runs.
        bar?.stop();
        barKey = '';
        output.info(
          event.status === 'found'
            ? `${prefix}: using the ${event.kind}-source model in ${event.directory}`
            : `${prefix}: training the ${event.kind}-source model (a classical LeNet on clean data) in ${event.directory}`,
        );
        return;
      }
      if (event.type === 'phase') {
        if (!output.interactive) output.info(`${prefix}: ${event.phase}${event.detail === undefined ? '' : ` ${event.detail}`}`);
        return;
      }
      if (event.type === 'epoch') {
        if (!output.interactive) output.info(`${prefix}: epoch ${event.entry.epoch}/${event.epochs} loss ${event.entry.loss.toFixed(4)} train accuracy ${percent(event.entry.trainAccuracy)}`);
        return;
      }
      const key = `${prefix} ${event.epoch}`;
      if (key !== barKey) {
        bar?.stop();
        barKey = key;
        bar = createProgress(output, `${prefix} epoch ${event.epoch}/${event.epochs}`, event.batches);
      }
      bar?.update(event.batch, `loss ${event.loss.toFixed(4)}`);
    },
    stop: () => bar?.stop(),
  };
}

/**
 * Trains one configuration into `out` (run.json, model/, model-folded/) and evaluates it.
 * A NaN loss or a failed run is an error with one line saying so.
 */
export async function runTrain(options: TrainOptions, hooks: RunTrainHooks = {}): Promise<RunRecord> {
  const output = hooks.output ?? silentOutput;
  const parsed = trainOptionsSchema.parse(options);
  const { LEGACY_APB_MODEL, trainRun } = await import('@apb/scenarios');
  if (parsed.model === LEGACY_APB_MODEL) {
    output.info(`apb: --model ${LEGACY_APB_MODEL} is deprecated; use --model lenet --apb ${parsed.apb ?? 'naive'} (same run, same id)`);
  }
  const progress = trainProgressBar(output, 'train');
  let record: RunRecord;
  try {
    record = await trainRun(configFromFlags(parsed), {
      outDir: resolve(parsed.out),
      resume: parsed.resume,
      onProgress: progress.onProgress,
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    });
  } finally {
    progress.stop();
  }
  if (record.status === 'failed') {
    throw cliError('RUN_FAILED', `Training in ${parsed.out} failed: ${record.error ?? 'no reason recorded'}.`, 'Lower --lr or check the data; the partial run.json says where it stopped.');
  }
  return record;
}

/** A few lines summarising a run for humans. */
export function summariseRun(record: RunRecord, output: Output): void {
  const c = colors(output.interactive);
  const last = record.history.at(-1);
  output.log(`${c.bold(record.id)}: ${record.status}, ${record.history.length} epochs${last === undefined ? '' : `, last loss ${last.loss.toFixed(4)}, train accuracy ${percent(last.trainAccuracy)}`}`);
  const evaluation = record.evaluation;
  if (evaluation !== undefined) {
    output.log(`  clean accuracy ${percent(evaluation.clean.accuracy)} (n=${evaluation.clean.n})`);
    for (const attack of evaluation.attacks) output.log(`  ${attack.attack} eps ${attack.eps}: ${percent(attack.accuracy)} (n=${attack.n})`);
    for (const flag of evaluation.diagnostics.filter((d) => d.raised)) {
      // collapsed is about the training, not about the gradients the attacks saw.
      output.log(c.yellow(flag.flag === 'collapsed' ? `  training collapsed: ${flag.detail}` : `  gradient-masking flag ${flag.flag}: ${flag.detail}`));
    }
  }
  output.log(`  cost: ${record.cost.trainSeconds.toFixed(1)} s training, ${record.cost.imagesPerSecond.toFixed(0)} images/s`);
}

/** `apb train`. */
export function trainCommand(): Command {
  const command = new Command('train').description('train one model (LeNet, classical or APB) in one scenario, evaluate it and write run.json');
  for (const option of trainFlagOptions()) command.addOption(option);
  return command
    .addOption(new Option('--out <dir>', "the run's folder (not a file, unlike apb eval --out): run.json, checkpoints/, model/ (tfjs) and model-folded/ (plain tfjs layers); source models go to --sources-dir"))
    .option('--resume', 'continue from the last checkpoint in --out (a finished run is left as is)')
    .option('--json', 'print run.json to stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ apb train --dataset mnist --model lenet --apb naive --epochs 5 --out runs/mnist-apb
  $ apb train --dataset mnist --model lenet --apb multimodal --memories 64 --out runs/mnist-apb-h64
  $ apb train --dataset fashion-mnist --model lenet --scenario mixed --attack-eps 0.3 --out runs/fmnist-mixed
  $ apb train --dataset mnist --model lenet --scenario adversarial --method pgd --pgd-steps 7 --out runs/pgd-at
  $ apb train --dataset mnist --train-limit 1000 --test-limit 200 --eval-attacks fgsm,pgd --out runs/tiny --json
  $ apb train ... --out runs/mnist-apb --resume      # after an interruption`,
    )
    .action(async (flags: Record<string, unknown>) => {
      const output = processOutput({ json: flags.json === true });
      const controller = new AbortController();
      const onSignal = () => {
        output.info('apb: stopping after this batch (run.json will say interrupted; rerun with --resume)');
        controller.abort();
      };
      process.once('SIGINT', onSignal);
      try {
        const record = await runTrain(flags as TrainOptions, { output, signal: controller.signal });
        if (flags.json === true) output.log(JSON.stringify(record, null, 2));
        else summariseRun(record, output);
        if (record.status !== 'complete') process.exitCode = 1;
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
