// The complete state of a tfjs optimizer between two steps, for checkpoints.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Adam's running products beta1^(t+1) and beta2^(t+1). tfjs keeps them as private variables that
 * `getWeights` leaves out; its `setWeights` recomputes them with `pow`, which differs in float32
 * from the product an uninterrupted run has carried, so a resumed run would drift from the
 * uninterrupted one. Saving them next to the moments makes the restore exact.
 */
const RUNNING_PRODUCTS = ['accBeta1', 'accBeta2'] as const;
const PREFIX = 'apb-optimizer-state/';

/** A tensor with its name, as tfjs' optimizers get and set their weights. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];

type RunningProducts = Partial<Record<(typeof RUNNING_PRODUCTS)[number], tf.Variable>>;

/** The running-product variables the optimizer holds (Adam, Adamax); empty for others. */
function runningProducts(optimizer: tf.Optimizer): { key: (typeof RUNNING_PRODUCTS)[number]; variable: tf.Variable }[] {
  const fields = optimizer as unknown as RunningProducts;
  return RUNNING_PRODUCTS.flatMap((key) => {
    const variable = fields[key];
    return variable instanceof tf.Variable ? [{ key, variable }] : [];
  });
}

/**
 * Every tensor the optimizer carries from one step to the next: tfjs' own `getWeights` (step count
 * and moments) followed by the running products. The step-count scalar is made fresh by
 * `getWeights`, so the caller disposes the entries listed in `fresh`; the others are the optimizer's.
 */
export async function optimizerState(optimizer: tf.Optimizer): Promise<{ weights: NamedTensor[]; fresh: tf.Tensor[] }> {
  const weights = await optimizer.getWeights();
  const fresh = weights.filter((weight) => weight.name === 'iter').map((weight) => weight.tensor);
  const extras = runningProducts(optimizer).map(({ key, variable }) => ({ name: `${PREFIX}${key}`, tensor: variable }));
  return { weights: [...weights, ...extras], fresh };
}

/**
 * Restores what {@link optimizerState} saved into a fresh optimizer of the same kind. State saved
 * before the running products were kept still loads; then tfjs' recomputed values stay (close, not
 * bit-exact). The caller keeps ownership of the given tensors.
 */
export async function restoreOptimizerState(optimizer: tf.Optimizer, weights: NamedTensor[]): Promise<void> {
  const extras = new Map(weights.filter((weight) => weight.name.startsWith(PREFIX)).map((weight) => [weight.name.slice(PREFIX.length), weight.tensor]));
  await optimizer.setWeights(weights.filter((weight) => !weight.name.startsWith(PREFIX)));
  for (const { key, variable } of runningProducts(optimizer)) {
    const saved = extras.get(key);
    // assign shares the saved tensor's storage (reference counted), so the caller may dispose it.
    if (saved) variable.assign(saved);
  }
}
