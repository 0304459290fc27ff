import { DatasetError } from './errors.js';
import { decodeIdx, idxMagic } from './idx.js';
import type { ResolvedFile } from './resolve-file.js';
import type { Split } from './registry.js';

/** A loaded split: images as bytes (row-major, `count * rows * cols`), labels, class names. */
export interface Dataset {
  name: string;
  split: Split;
  count: number;
  rows: number;
  cols: number;
  /** Values per pixel, channels last (1: grey, 3: RGB); absent means 1, as for every IDX data set. */
  channels?: number;
  /** `count * rows * cols * channels` pixel values in [0, 255], image after image, row-major. */
  images: Uint8Array;
  /** One label per image, in [0, classNames.length). */
  labels: Uint8Array;
  classNames: string[];
  /** Where the two files were found and how they verified. */
  files: { images: ResolvedFile; labels: ResolvedFile };
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Decodes an images and a labels IDX content into a {@link Dataset}, checking that they are of
 * the right kind (magic `0x00000803` / `0x00000801`) and hold the same number of items.
 */
export function datasetFromIdx(
  name: string,
  split: Split,
  images: { content: Uint8Array; resolved: ResolvedFile },
  labels: { content: Uint8Array; resolved: ResolvedFile },
  classNames: string[],
): Dataset {
  const imageArray = decodeIdx(images.content, images.resolved.path);
  const labelArray = decodeIdx(labels.content, labels.resolved.path);
  const imageMagic = idxMagic(imageArray.dtype, imageArray.shape.length);
  if (imageMagic !== 0x803) {
    throw new DatasetError(
      `${images.resolved.path}: wrong magic number ${hex(imageMagic)} for an images file (expected 0x00000803: uint8 images, 3 dimensions)`,
      { code: 'IDX_WRONG_KIND', suggestion: `check that ${images.resolved.path} is an images file (*-images-idx3-ubyte), not a labels file` },
    );
  }
  const labelMagic = idxMagic(labelArray.dtype, labelArray.shape.length);
  if (labelMagic !== 0x801) {
    throw new DatasetError(
      `${labels.resolved.path}: wrong magic number ${hex(labelMagic)} for a labels file (expected 0x00000801: uint8 labels, 1 dimension)`,
      { code: 'IDX_WRONG_KIND', suggestion: `check that ${labels.resolved.path} is a labels file (*-labels-idx1-ubyte), not an images file` },
    );
  }
  const [count = 0, rows = 0, cols = 0] = imageArray.shape;
  const labelCount = labelArray.shape[0] ?? 0;
  if (count !== labelCount) {
    throw new DatasetError(
      `${labels.resolved.path}: ${labelCount} labels but ${images.resolved.path} has ${count} images`,
      { code: 'COUNT_MISMATCH', suggestion: 'use an images file and a labels file from the same split and release' },
    );
  }
  const labelData = labelArray.data as Uint8Array;
  let maxLabel = 0;
  for (let i = 0; i < labelData.length; i++) if (labelData[i]! > maxLabel) maxLabel = labelData[i]!;
  if (count > 0 && maxLabel >= classNames.length) {
    throw new DatasetError(
      `${labels.resolved.path}: label ${maxLabel} is out of range for ${classNames.length} classes`,
      { code: 'LABEL_OUT_OF_RANGE', suggestion: `list one class name per label (0..${maxLabel}) in classes.txt beside the files, or fix the labels` },
    );
  }
  return {
    name,
    split,
    count,
    rows,
    cols,
    images: imageArray.data as Uint8Array,
    labels: labelData,
    classNames,
    files: { images: images.resolved, labels: labels.resolved },
  };
}

/** A new dataset holding the images at `indices` of `dataset`, in that order (copies the pixels). */
export function selectExamples(dataset: Dataset, indices: ArrayLike<number>, name = dataset.name): Dataset {
  const size = dataset.rows * dataset.cols * (dataset.channels ?? 1);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i]!;
    images.set(dataset.images.subarray(from * size, (from + 1) * size), i * size);
    labels[i] = dataset.labels[from]!;
  }
  return { ...dataset, name, count: indices.length, images, labels };
}
