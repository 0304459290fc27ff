/**
 * Kernels that a backend package may register to speed up a layer of ours. The layer checks with
 * `tf.getKernel(name, tf.getBackend())` and otherwise runs its portable tensor operations, which
 * the kernel must match bitwise on the backend it is registered for. The contracts live here
 * because the layers and the backends do not depend on each other.
 */

/**
 * DenseApb's multimodal memory step in one call. Inputs: `gradientSum` `[n]` (the upstream gradient
 * summed over the batch), `apbWeights` `[h, n]`, `memories` `[1, h]`. Output: the next memories `[1, h]`.
 */
export const APB_MULTIMODAL_STEP = 'ApbMultimodalStep';

/** Attributes of {@link APB_MULTIMODAL_STEP}; `clip` is read only when `hasClip`. */
export interface ApbMultimodalStepAttrs {
  eps: number;
  /** +1 for ascent, -1 for descent. */
  sign: number;
  /** `accumulate` mode (memories + step) rather than `reset` (the step alone). */
  accumulate: boolean;
  /** The `budgeted` memory step rather than `fixed`. */
  budgeted: boolean;
  hasClip: boolean;
  clip: number;
}
