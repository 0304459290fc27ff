import { readFile } from 'node:fs/promises';

/** Clean and FGSM accuracy of one model in one panel of the paper's Figure 2 (null: not readable). */
export interface PaperCell {
  clean: number | null;
  fgsm: number | null;
}

/** The paper's numbers, as shipped in `data/paper-results.json` (copied from the project's paper notes). */
export interface PaperResults {
  /** Where the numbers come from. */
  source: string;
  /** `testImages`: the size of the test sets the paper's accuracies are fractions of. */
  setup: { epochs: number; testImages: number; attack: string; model: string; hardware: string; unstated: string[] };
  figure2: {
    note: string;
    readings: string[];
  } & Record<'mnist' | 'fashion-mnist', Record<'clean' | 'adversarial' | 'mixed', Record<'classical' | 'apb', PaperCell>>>;
  figure3a: { note: string; eps: number[] } & Record<'mnist' | 'fashion-mnist', number[]>;
  figure3b: { note: string; memories: number[] } & Record<'mnist' | 'fashion-mnist', number[] | null>;
  cost: { claim: string; apbOverFgsmAdversarialTraining: number };
}

/** The datasets of the paper, in its order. */
export const PAPER_DATASETS = ['mnist', 'fashion-mnist'] as const;
/** The scenarios of the paper's Figure 2, in its order. */
export const PAPER_SCENARIOS = ['clean', 'adversarial', 'mixed'] as const;
/** The paper's FGSM budget. */
export const PAPER_EPS = 0.3;

/**
 * Loads the paper's numbers from the package's own data file (resolved from this module, so it
 * works from `src/` under Vitest and from `dist/` once built).
 */
export async function loadPaperResults(): Promise<PaperResults> {
  const url = new URL('../../data/paper-results.json', import.meta.url);
  return JSON.parse(await readFile(url, 'utf8')) as PaperResults;
}
