// The grid of convolution geometries shared by the conv kernel tests.
import { backend_util } from '@tensorflow/tfjs-core';

/** One convolution geometry: NHWC input, HWIO filter. */
export interface ConvCase {
  input: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];
  dilations: [number, number];
}

const explicit: ConvCase['pad'] = [[0, 0], [1, 2], [2, 1], [0, 0]];

/** Batch sizes x shapes x strides x paddings x dilations, kept small enough for the cpu reference. */
export function convCases(options: { dilations: boolean }): ConvCase[] {
  const cases: ConvCase[] = [];
  const shapes: Array<[ConvCase['input'], ConvCase['filter']]> = [
    [[1, 7, 9, 1], [3, 3, 1, 2]],
    [[3, 12, 12, 6], [5, 5, 6, 16]],
    [[2, 28, 28, 1], [5, 5, 1, 6]],
    [[2, 8, 6, 3], [1, 1, 3, 4]],
    [[4, 9, 11, 2], [2, 3, 2, 5]],
  ];
  for (const [input, filter] of shapes) {
    for (const strides of [[1, 1], [2, 2], [1, 2]] as Array<[number, number]>) {
      for (const pad of ['valid', 'same', explicit] as Array<ConvCase['pad']>) {
        cases.push({ input, filter, strides, pad, dilations: [1, 1] });
      }
    }
  }
  if (options.dilations) {
    cases.push({ input: [2, 11, 10, 2], filter: [3, 3, 2, 3], strides: [1, 1], pad: 'valid', dilations: [2, 2] });
    cases.push({ input: [2, 11, 10, 2], filter: [3, 2, 2, 3], strides: [1, 1], pad: 'same', dilations: [2, 3] });
    cases.push({ input: [1, 9, 9, 1], filter: [2, 2, 1, 2], strides: [1, 1], pad: explicit, dilations: [3, 1] });
  }
  return cases;
}

/** A short readable name for a case, for test titles. */
export function caseName(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : 'explicit';
  return `x ${c.input.join('x')} f ${c.filter.join('x')} s ${c.strides.join(',')} ${pad} d ${c.dilations.join(',')}`;
}

/** Output shape of a case, computed the way tfjs does, for building dy tensors. */
export function outputShape(c: ConvCase): [number, number, number, number] {
  return backend_util.computeConv2DInfo(c.input, c.filter, c.strides, c.dilations, c.pad).outShape;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
