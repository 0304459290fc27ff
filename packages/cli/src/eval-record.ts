import type { RobustnessEvaluation } from '@apb/attacks';
import type { EvaluationPlan } from '@apb/scenarios';
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Marks a JSON file as an `apb eval` result. */
export const EVAL_RECORD_KIND = 'apb-eval';

/** What `apb eval` measured, on what, and how: the file it keeps beside a run's run.json. */
export interface EvalRecord {
  kind: typeof EVAL_RECORD_KIND;
  createdAt: string;
  /** The evaluated model folder, relative to this record's folder (`.` beside the run's run.json). */
  model: string;
  /** Id of the run whose model this is, when the model folder belongs to a run. */
  run: string | null;
  dataset: string;
  /** File names of the test split, and their sha256 as stored (the folder they came from is this machine's). */
  dataFiles: { images: string; labels: string };
  dataSha256: { images: string; labels: string };
  /** Test images loaded (stratified), or null for all of them. */
  testLimit: number | null;
  /** Seed of the subsets and the attacks' random starts. */
  seed: number;
  /** The evaluation plan, in `apb train`'s terms (`@apb/scenarios`' `EvaluationPlan`). */
  plan: EvaluationPlan;
  /** The transfer attack's source model folder, relative to this record's folder. */
  transferFrom: string | null;
  evaluation: RobustnessEvaluation;
}

/** File names `apb eval` gives its records beside run.json, and that `apb report` reads. */
export const EVAL_FILE_PATTERN = /^eval-.*\.json$/;

/**
 * The default file name of an evaluation: `eval-<dataset>-<8 hex>.json`, the hex a digest of
 * every setting, so the same evaluation lands on the same file (and is refused there unless
 * `--force`) while a different one gets its own.
 */
export function evalFileName(settings: { dataset: string; dataDir: string | null; testLimit: number | null; seed: number; plan: EvaluationPlan; transferFrom: string | null }): string {
  const digest = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 8);
  const dataset = settings.dataset.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `eval-${dataset}-${digest}.json`;
}

const measured = z.looseObject({ accuracy: z.number(), n: z.number() });

/** What `apb report` needs of an eval record; other fields may come and go. */
export const evalRecordSchema = z.looseObject({
  kind: z.literal(EVAL_RECORD_KIND),
  createdAt: z.string(),
  run: z.string().nullable(),
  dataset: z.string(),
  seed: z.number(),
  evaluation: z.looseObject({
    clean: measured,
    attacks: z.array(z.looseObject({ attack: z.string(), eps: z.number(), accuracy: z.number(), n: z.number() })),
    worstCase: z.array(z.looseObject({ eps: z.number(), accuracy: z.number() })),
  }),
});

/** An eval record as `apb report` reads it. */
export type ReadEvalRecord = z.output<typeof evalRecordSchema>;
