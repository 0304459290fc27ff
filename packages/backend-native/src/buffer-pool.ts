/**
 * Reuse of the native kernels' output arrays.
 *
 * A training step allocates the same large outputs every step (activations, gradients, Adam's new
 * values and moments: 25 MB per step for multimodal APB at h = 10,000). Fresh multi-megabyte
 * allocations come from the kernel as untouched pages, and the first write to each page faults:
 * measured here, Adam's update over 2.1 M floats took 3.8-12 ms into fresh outputs and 1.2-2.3 ms
 * into reused ones. So an output array whose tensor is disposed goes back to a pool, and the next
 * kernel output of the same length takes it.
 *
 * That is safe only for an array that nothing outside the backend can still see. An array is
 * *recyclable* from the moment a native kernel allocates it until it escapes:
 * - it is read out (`dataSync`, `data`, `bufferSync`, moving to another backend all go through
 *   `readSync`), which hands the array itself to the caller;
 * - it is the input of a kernel not known to keep no view of its inputs (the cpu backend's `Slice`
 *   returns a `subarray` of its input, and so do kernels built on it).
 * Tensors that share the data (`clone`, `reshape`, a variable made from a tensor) share one entry
 * whose reference count keeps the array out of the pool until the last of them is disposed.
 * An escaped array is never pooled; a pooled array is referenced by no tensor.
 *
 * The native kernels already write every element of their outputs (their arrays were never
 * zero-filled), so a reused array's old contents cannot leak into a result.
 */

/** Arrays allocated for native kernel outputs that have not escaped. */
const recyclable = new WeakSet<Float32Array>();
/** Pooled arrays by length. */
const pool = new Map<number, Float32Array[]>();
let pooledBytes = 0;
let enabled = true;

/** Smaller arrays come cheaply from the allocator's own free lists; pooling them saves nothing. */
const MIN_POOLED_LENGTH = 4096;
/** Memory the pool may hold, so that a change of shapes cannot grow it without bound. */
const MAX_POOLED_BYTES = 512 * 1024 * 1024;

/** Turns reuse on or off (`registerNativeBackend({ reuseBuffers })`); off empties the pool. */
export function setBufferReuse(on: boolean): void {
  enabled = on;
  if (!on) releasePooledBuffers();
}

/**
 * An output array for a native kernel, left uninitialised: every native kernel writes each element
 * of its output, so the zero-fill of `new Float32Array` would be wasted. A pooled array of this
 * length when there is one, else a fresh one with its own ArrayBuffer.
 */
export function outputArray(length: number): Float32Array {
  const reused = enabled ? pool.get(length)?.pop() : undefined;
  if (reused !== undefined) {
    pooledBytes -= reused.byteLength;
    recyclable.add(reused);
    return reused;
  }
  const bytes = Buffer.allocUnsafeSlow(length * Float32Array.BYTES_PER_ELEMENT);
  const array = new Float32Array(bytes.buffer, bytes.byteOffset, length);
  if (enabled && length >= MIN_POOLED_LENGTH) recyclable.add(array);
  return array;
}

/** Records that `values` may now be seen outside the backend: it will never be pooled. */
export function markEscaped(values: unknown): void {
  if (values instanceof Float32Array) recyclable.delete(values);
}

/**
 * True for an array a native kernel allocated that never escaped: nothing outside the backend can
 * see it, so a kernel may overwrite it when a single tensor holds it (the fused Adam step updates
 * variables in place this way). Always false while reuse is off.
 */
export function isUnescaped(values: unknown): boolean {
  return values instanceof Float32Array && recyclable.has(values);
}

/** Called when the last tensor holding `values` is disposed: pools it if it never escaped. */
export function recycle(values: unknown): void {
  if (!enabled || !(values instanceof Float32Array) || !recyclable.has(values)) return;
  // Out of the set while pooled, so that a second release of the same array cannot pool it twice.
  recyclable.delete(values);
  if (pooledBytes + values.byteLength > MAX_POOLED_BYTES) return;
  const list = pool.get(values.length);
  if (list === undefined) pool.set(values.length, [values]);
  else list.push(values);
  pooledBytes += values.byteLength;
}

/** Drops every pooled array (the garbage collector frees them). */
export function releasePooledBuffers(): void {
  pool.clear();
  pooledBytes = 0;
}

/** Bytes held in the pool now. */
export function pooledBufferBytes(): number {
  return pooledBytes;
}
