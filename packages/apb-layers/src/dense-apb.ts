import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { APB_MULTIMODAL_STEP, ApbError, type ApbMultimodalStepAttrs } from '@apb/core';
import {
  defaultMemoryClip,
  rejectUnknownOptions,
  resolveApbUpdate,
  validateApbSpec,
  type ApbDirection,
  type ApbMemoryStep,
  type ApbMode,
  type ApbSpec,
  type ApbUpdateOptions,
} from './apb-options.js';

/** Constructor arguments every tfjs-layers layer accepts (name, inputShape, trainable, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** A tfjs-layers weight initializer, e.g. `tf.initializers.glorotUniform({ seed: 1 })`. */
export type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

/** A serialized initializer as it appears in a layer config. */
export interface InitializerConfig {
  className: string;
  config: Record<string, unknown>;
}

/** Activations `DenseApb` supports; the same names as tfjs-layers' `Dense`, so folding keeps them. */
export type ApbActivation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'tanh' | 'softmax' | 'elu' | 'selu' | 'softplus';

const ACTIVATIONS: Record<ApbActivation, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  softmax: (x) => tf.softmax(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  softplus: (x) => tf.softplus(x),
};

/** Arguments of {@link denseApb}. */
export interface DenseApbArgs extends LayerArgs, ApbUpdateOptions {
  /** Number of output units n. */
  units: number;
  /** Naive or multimodal APB. Default `{ kind: 'naive' }`. */
  apb?: ApbSpec;
  /** Activation applied after `x W + delta`. Default `linear`. */
  activation?: ApbActivation;
  /** Initializer of `W`. Default Glorot uniform seeded with `seed`. */
  kernelInitializer?: Initializer | InitializerConfig;
  /**
   * Seed for the default initializers (`W` gets `seed`, `W_ap` gets `seed + 1`, and with the `fixed`
   * memory step `m` gets `seed + 2`). Absent: unseeded, like tfjs-layers.
   */
  seed?: number;
}

// customObjects is added to every config by tfjs-layers' deserializer, not by users.
const BASE_LAYER_KEYS = ['customObjects', 'name', 'trainable', 'inputShape', 'batchInputShape', 'batchSize', 'dtype', 'weights', 'inputDType'];
const OWN_KEYS = ['units', 'apb', 'activation', 'kernelInitializer', 'seed', 'eps', 'direction', 'mode', 'clip', 'memoryStep'];

function toInitializer(value: Initializer | InitializerConfig): Initializer {
  if (value instanceof tf.serialization.Serializable) {
    return value;
  }
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[value.className];
  if (entry === undefined) {
    throw new ApbError(`denseApb: option 'kernelInitializer' names unknown initializer '${value.className}'`, {
      code: 'INVALID_OPTION',
      suggestion: 'Pass an initializer from tf.initializers, e.g. tf.initializers.glorotUniform({ seed: 1 }).',
    });
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, value.config as tf.serialization.ConfigDict) as Initializer;
}

/**
 * A Dense layer whose bias is an adversarial perturbation bias (APB): `y = act(x W + delta)`, with
 * `delta = m W_ap` for the multimodal kind (paper Alg. 1).
 *
 * `W` (and `W_ap`) are trained by the optimizer. `delta` (naive) or `m` (multimodal) are
 * non-trainable weights moved by an FGSM step in the backward pass of a forward call made with
 * `training: true` (paper Alg. 2), from that step's upstream gradient `G = dL/dz` of the
 * pre-activation `z = x W + delta`, summed over the batch:
 * naive `delta <- delta + s eps sign(G_sum)`; multimodal `m <- m + s eps_m sign(G_sum W_ap^T)`
 * (`reset` mode drops the `delta +` / `m +`; `s` is +1 for ascent, -1 for descent). Calls without
 * `training: true` (predict, evaluate, attacks) compute the same function and move nothing.
 *
 * Multimodal, `budgeted` memory step (default): with `sigma = sign(G_sum W_ap^T)`, the step moves
 * `delta` by `s eps_m sigma W_ap`, so `eps_m = eps / max_j |(sigma W_ap)_j|`, recomputed every step
 * from the current `W_ap`, moves the largest entry of `delta` by exactly `eps` and none by more:
 * the naive APB's budget, for every `h` (a step that `clip` changed is shortened back into the budget). `m` starts
 * at 0 (so `delta` starts at 0, as the naive APB's does; `W_ap`'s gradient `m^T G_sum` is zero on the
 * first step only) and is clipped to `1/h` by default, see {@link defaultMemoryClip}.
 *
 * Multimodal, `fixed` memory step (earlier versions): `eps_m = eps`, `m` starts at `+-eps` with random
 * signs and is unbounded unless `clip` is set; a step moves `delta_j` by up to `eps ||W_ap[:, j]||_1`,
 * about `eps sqrt(1.5 h)` for Glorot `W_ap`. `W_ap` is Glorot-uniform in both.
 */
export class DenseApb extends tfl.layers.Layer {
  /** Name under which the class is registered for serialization (namespace `apb`). */
  static className = 'DenseApb';

  readonly units: number;
  readonly apb: ApbSpec;
  readonly activation: ApbActivation;
  readonly eps: number;
  readonly direction: ApbDirection;
  readonly mode: ApbMode;
  readonly clip: number | null;
  readonly memoryStep: ApbMemoryStep;
  readonly seed: number | undefined;
  private readonly kernelInitializer: Initializer;

  private kernel: tfl.LayerVariable | null = null;
  private delta: tfl.LayerVariable | null = null;
  private memories: tfl.LayerVariable | null = null;
  private apbWeights: tfl.LayerVariable | null = null;
  private readonly updateHook: (z: tf.Tensor) => tf.Tensor;

  constructor(args: DenseApbArgs) {
    if (typeof args !== 'object' || args === null) {
      throw new ApbError('denseApb: arguments must be an object', { code: 'INVALID_OPTION', suggestion: 'Call denseApb({ units: 10 }).' });
    }
    rejectUnknownOptions(args, [...OWN_KEYS, ...BASE_LAYER_KEYS], 'denseApb');
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new ApbError(`denseApb: option 'units' must be a positive integer, got ${String(args.units)}`, {
        code: 'INVALID_OPTION',
        suggestion: 'Pass the number of output units, e.g. units: 120.',
      });
    }
    const activation = args.activation ?? 'linear';
    if (!(activation in ACTIVATIONS)) {
      throw new ApbError(`denseApb: option 'activation' must be one of ${Object.keys(ACTIVATIONS).join(', ')}, got ${String(activation)}`, {
        code: 'INVALID_OPTION',
        suggestion: "Use activation: 'relu' or 'linear', or add a separate activation layer.",
      });
    }
    if (args.seed !== undefined && !Number.isInteger(args.seed)) {
      throw new ApbError(`denseApb: option 'seed' must be an integer, got ${String(args.seed)}`, { code: 'INVALID_OPTION', suggestion: 'Pass an integer seed, e.g. seed: 1.' });
    }
    const update = resolveApbUpdate(args, 'denseApb');
    this.units = args.units;
    this.apb = validateApbSpec(args.apb ?? { kind: 'naive' }, 'denseApb');
    this.activation = activation;
    this.eps = update.eps;
    this.direction = update.direction;
    this.mode = update.mode;
    this.memoryStep = update.memoryStep;
    // Only the budgeted multimodal step has a default bound; an explicit null still means none.
    this.clip = update.clip !== undefined ? update.clip : this.apb.kind === 'multimodal' && this.memoryStep === 'budgeted' ? defaultMemoryClip(this.apb.memories) : null;
    this.seed = args.seed;
    this.kernelInitializer =
      args.kernelInitializer === undefined ? tfl.initializers.glorotUniform({ seed: this.seed }) : toInitializer(args.kernelInitializer);
    // Identity in the forward pass; its gradient function is the one place the APB moves, because it
    // is the only code that sees G and runs only when a gradient is actually taken through a training call.
    this.updateHook = tf.customGrad<tf.Tensor>((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tf.clone(inputs[0] as tf.Tensor),
      gradFunc: (dy: tf.Tensor) => {
        this.applyApbStep(dy);
        return tf.clone(dy);
      },
    }));
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const inputDim = shape[shape.length - 1];
    if (typeof inputDim !== 'number') {
      throw new ApbError(`denseApb '${this.name}': the last input dimension must be known, got shape [${shape.join(', ')}]`, {
        code: 'INVALID_INPUT',
        suggestion: 'Flatten the input or give the model an inputShape with a fixed last dimension.',
      });
    }
    this.kernel = this.addWeight('kernel', [inputDim, this.units], 'float32', this.kernelInitializer, undefined, true);
    if (this.apb.kind === 'naive') {
      this.delta = this.addWeight('delta', [this.units], 'float32', tfl.initializers.zeros(), undefined, false);
    } else {
      const h = this.apb.memories;
      this.apbWeights = this.addWeight('apbWeights', [h, this.units], 'float32', tfl.initializers.glorotUniform({ seed: this.seed === undefined ? undefined : this.seed + 1 }), undefined, true);
      this.memories = this.addWeight('memories', [1, h], 'float32', tfl.initializers.zeros(), undefined, false);
      if (this.memoryStep === 'fixed') {
        const eps = this.eps;
        const seed = this.seed === undefined ? undefined : this.seed + 2;
        const initial = tf.tidy(() => tf.where(tf.greaterEqual(tf.randomUniform([1, h], -1, 1, 'float32', seed), 0), tf.fill([1, h], eps), tf.fill([1, h], -eps)));
        // The variable keeps its own reference to the data; ours would otherwise leak with every model built.
        this.memories.write(initial);
        initial.dispose();
      }
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  /** The current bias `delta` (naive) or `m W_ap` (multimodal), shape `[units]`. Caller disposes. */
  currentDelta(): tf.Tensor1D {
    const values = tf.tidy(() =>
      this.apb.kind === 'naive'
        ? this.requireWeight(this.delta).read()
        : tf.matMul(this.requireWeight(this.memories).read(), this.requireWeight(this.apbWeights).read()),
    );
    // A fresh rank-1 tensor, not a reshape of matMul's output: reshapes share storage, and the wasm
    // backend's fused Dense kernel reads the bias rank from the storage ([1, 1, n] for a matMul).
    const delta = tf.tensor1d(values.dataSync() as Float32Array, 'float32');
    if (this.apb.kind !== 'naive') {
      values.dispose();
    }
    return delta;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined) {
        throw new ApbError(`denseApb '${this.name}': called without an input tensor`, { code: 'INVALID_INPUT', suggestion: 'Pass one tensor.' });
      }
      const kernel = this.requireWeight(this.kernel).read();
      const flat = x.rank === 2 ? x : tf.reshape(x, [-1, x.shape[x.rank - 1] ?? -1]);
      // Multimodal reads m here; the engine saves a copy of it for matMul's gradient, so the
      // W_ap gradient uses this step's m even though the hook reassigns m earlier in the backward pass.
      const bias =
        this.apb.kind === 'naive'
          ? this.requireWeight(this.delta).read()
          : tf.reshape(tf.matMul(this.requireWeight(this.memories).read(), this.requireWeight(this.apbWeights).read()), [this.units]);
      let z: tf.Tensor = tf.add(tf.matMul(flat, kernel), bias);
      if (kwargs?.training === true) {
        z = this.updateHook(z);
      }
      const y = ACTIVATIONS[this.activation](z);
      return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), this.units]);
    });
  }

  /** Paper Alg. 2, given the upstream gradient of the pre-activation for this batch. */
  private applyApbStep(upstream: tf.Tensor): void {
    tf.tidy(() => {
      const sign = this.direction === 'ascent' ? 1 : -1;
      const gradientSum = tf.sum(upstream, 0);
      if (this.apb.kind === 'multimodal' && gradientSum.dtype === 'float32' && tf.getKernel(APB_MULTIMODAL_STEP, tf.getBackend()) !== undefined) {
        // A backend's fused step (the native one): the same numbers as the operations below, in one call.
        const attrs: ApbMultimodalStepAttrs = {
          eps: this.eps,
          sign,
          accumulate: this.mode === 'accumulate',
          budgeted: this.memoryStep === 'budgeted',
          hasClip: this.clip !== null,
          clip: this.clip ?? 0,
        };
        const memories = this.requireWeight(this.memories);
        const inputs = { gradientSum, apbWeights: this.requireWeight(this.apbWeights).read(), memories: memories.read() };
        memories.write(tf.engine().runKernel<tf.Tensor>(APB_MULTIMODAL_STEP, inputs, attrs as unknown as tf.NamedAttrMap));
        return;
      }
      let variable: tfl.LayerVariable;
      let moved: tf.Tensor;
      if (this.apb.kind === 'naive') {
        variable = this.requireWeight(this.delta);
        moved = tf.mul(tf.sign(gradientSum), sign * this.eps);
      } else {
        variable = this.requireWeight(this.memories);
        const apbWeights = this.requireWeight(this.apbWeights).read();
        const direction = tf.sign(tf.matMul(tf.reshape(gradientSum, [1, this.units]), apbWeights, false, true));
        // The step moves delta by s eps_m (sigma W_ap); budgeted, eps_m makes its largest entry eps.
        const epsM = this.memoryStep === 'budgeted' ? this.budgetScale(direction, apbWeights) : tf.scalar(this.eps);
        moved = tf.mul(direction, tf.mul(epsM, sign));
      }
      const base = this.mode === 'accumulate' ? variable.read() : tf.zerosLike(moved);
      let next = tf.add(base, moved);
      if (this.clip !== null) {
        next = tf.clipByValue(next, -this.clip, this.clip);
        if (this.apb.kind === 'multimodal' && this.memoryStep === 'budgeted') {
          // Clipping some memories and not others can undo a cancellation inside sigma W_ap and
          // move an entry of delta by more than eps; shorten the clipped step back into the budget.
          // Shortening keeps every memory between its old value and the clipped one, so inside the bound.
          const clipped = tf.sub(next, base);
          next = tf.add(base, tf.mul(clipped, tf.minimum(1, this.budgetScale(clipped, this.requireWeight(this.apbWeights).read()))));
        }
      }
      // Safe inside the backward pass: assign takes a reference on next's storage, so this tidy may
      // dispose next; and the optimizer never sees delta or m, which are non-trainable.
      variable.write(next);
    });
  }

  /** `eps / max_j |(step W_ap)_j|`: the factor that makes `step` move no entry of delta by more than eps (0 if it moves none). */
  private budgetScale(step: tf.Tensor, apbWeights: tf.Tensor): tf.Tensor {
    return tf.divNoNan(tf.scalar(this.eps), tf.max(tf.abs(tf.matMul(step, apbWeights))));
  }

  private requireWeight(weight: tfl.LayerVariable | null): tfl.LayerVariable {
    if (weight === null) {
      throw new ApbError(`denseApb '${this.name}': used before it was built`, { code: 'NOT_BUILT', suggestion: 'Call the layer on an input (or add it to a model) first.' });
    }
    return weight;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      units: this.units,
      apb: { ...this.apb },
      activation: this.activation,
      eps: this.eps,
      direction: this.direction,
      mode: this.mode,
      clip: this.clip,
      memoryStep: this.memoryStep,
      kernelInitializer: { className: this.kernelInitializer.getClassName(), config: this.kernelInitializer.getConfig() },
    };
    if (this.seed !== undefined) {
      config.seed = this.seed;
    }
    return { ...super.getConfig(), ...config };
  }

  /**
   * As tfjs' `fromConfig`, except that a config saved before `memoryStep` existed (no such key) gets
   * `fixed`, the step its model was trained with.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls({ ...config, memoryStep: config.memoryStep ?? 'fixed' });
  }
}
tf.serialization.registerClass(DenseApb, 'apb');

/**
 * A Dense layer with an adversarial perturbation bias in place of its bias; see {@link DenseApb}.
 *
 * @example
 * const layer = denseApb({ units: 84, activation: 'relu', apb: { kind: 'multimodal', memories: 625 }, eps: 0.01 });
 */
export function denseApb(args: DenseApbArgs): DenseApb {
  return new DenseApb(args);
}
