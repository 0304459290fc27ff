export { batches, type Batch, type BatchOptions } from './batches.js';
export { customFileNames, type CustomDatasetSpec } from './custom-dataset.js';
export { selectExamples, type Dataset } from './dataset.js';
export {
  datasetDescriptor,
  loadRegisteredDataset,
  registerDataset,
  registeredDatasetNames,
  unregisterDataset,
  type DatasetDescriptor,
  type DescriptorLoadOptions,
} from './dataset-descriptors.js';
export { downloadFile, type DownloadProgress, type DownloadRequest, type DownloadResult } from './download.js';
export { DatasetError, isDatasetError, type DatasetErrorOptions } from './errors.js';
export { decodeIdx, encodeIdx, idxMagic, readIdx, writeIdx, type IdxArray, type IdxData, type IdxDtype, type WriteIdxOptions } from './idx.js';
export { loadDataset, type LoadDatasetOptions } from './load-dataset.js';
export { cacheDirFor, defaultCacheDir, locations, type FileSource, type Location, type LocationOptions } from './locations.js';
export { createRandom, seededPermutation, shuffleInPlace, type Random } from './random.js';
export {
  datasetNames,
  datasets,
  isDatasetName,
  registryFile,
  type DatasetName,
  type FileKind,
  type RegistryDataset,
  type RegistryFile,
  type Split,
} from './registry.js';
export { candidatePaths, type ResolvedFile, type ResolveOptions } from './resolve-file.js';
export {
  runDatasets,
  type DatasetReport,
  type DatasetsAction,
  type DatasetsReport,
  type FileReport,
  type RunDatasetsOptions,
} from './run-datasets.js';
export { subsetIndices } from './subset.js';
export { trainValidationSplit, type SplitOptions } from './split.js';
export { toFloat32 } from './to-float32.js';
