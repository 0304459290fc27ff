import { broadcast_util, util, type TensorInfo } from '@tensorflow/tfjs-core';

/** Sizes of a (batched) matrix product as the addon takes them, plus the output shape. */
export interface MatMulGeometry {
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  outShape: number[];
}

/**
 * Works out a BatchMatMul's sizes the way tfjs's cpu kernel does (outer dims flattened, a batch of
 * one broadcast). Returns undefined for what the native kernel leaves to the cpu kernel: rank < 2
 * or batch sizes that are neither equal nor one.
 */
export function matMulGeometry(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): MatMulGeometry | undefined {
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  if (rankA < 2 || rankB < 2) return undefined;
  const innerA = transposeA ? a.shape[rankA - 2]! : a.shape[rankA - 1]!;
  const innerB = transposeB ? b.shape[rankB - 1]! : b.shape[rankB - 2]!;
  if (innerA !== innerB) return undefined;
  const m = transposeA ? a.shape[rankA - 1]! : a.shape[rankA - 2]!;
  const n = transposeB ? b.shape[rankB - 2]! : b.shape[rankB - 1]!;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = util.sizeFromShape(outerA);
  const batchB = util.sizeFromShape(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const outShape = [...broadcast_util.assertAndGetBroadcastShape(outerA, outerB), m, n];
  return { batchA, batchB, m, n, k: innerA, outShape };
}
