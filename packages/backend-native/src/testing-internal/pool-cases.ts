// The grid of max-pooling geometries shared by the pooling kernel tests.

/** Pooling geometries: input shape, window, strides, padding. */
export const poolCases: Array<{ input: [number, number, number, number]; window: [number, number]; strides: [number, number]; pad: 'valid' | 'same' | number }> = [
  { input: [2, 24, 24, 6], window: [2, 2], strides: [2, 2], pad: 'valid' },
  { input: [3, 8, 8, 16], window: [2, 2], strides: [2, 2], pad: 'valid' },
  { input: [2, 7, 9, 3], window: [2, 2], strides: [2, 2], pad: 'valid' },
  { input: [1, 7, 9, 2], window: [2, 2], strides: [2, 2], pad: 'same' },
  { input: [1, 7, 9, 3], window: [3, 3], strides: [2, 2], pad: 'same' },
  { input: [2, 7, 7, 2], window: [3, 2], strides: [1, 1], pad: 'same' },
  { input: [2, 9, 8, 1], window: [2, 3], strides: [3, 2], pad: 'valid' },
  { input: [1, 6, 6, 4], window: [3, 3], strides: [1, 1], pad: 1 },
  { input: [4, 5, 5, 1], window: [1, 1], strides: [1, 1], pad: 'valid' },
];
