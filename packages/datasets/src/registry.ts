/** The two data sets this package knows by name. */
export type DatasetName = 'mnist' | 'fashion-mnist';

/** Which official split. `test` is the files named `t10k-*`. */
export type Split = 'train' | 'test';

/** Images or labels. */
export type FileKind = 'images' | 'labels';

/** One official `.gz` archive and the checks it must pass. */
export interface RegistryFile {
  /** File name as published, e.g. `train-images-idx3-ubyte.gz`. */
  file: string;
  split: Split;
  kind: FileKind;
  /** Size of the published `.gz`. */
  bytes: number;
  /** sha256 of the published `.gz` (the values in `shared/datasets/SHA256SUMS`). */
  sha256: string;
  /** Size of the decompressed IDX content. */
  decompressedBytes: number;
  /**
   * sha256 of the decompressed IDX content. Recompressed copies (Debian's) differ from the
   * published `.gz` byte for byte but must match this.
   */
  decompressedSha256: string;
  /** Number of items the IDX header must declare. */
  count: number;
}

/** Everything known about one named data set. */
export interface RegistryDataset {
  name: DatasetName;
  title: string;
  /** Images are `rows x cols` unsigned bytes. */
  rows: number;
  cols: number;
  /** Class names, indexed by label. */
  classNames: string[];
  /** Base URLs tried in order; a file's URL is the base followed by its file name. */
  mirrors: string[];
  /** The Debian package that installs it under `/usr/share/datasets/<name>`, if any. */
  debianPackage: string | undefined;
  files: RegistryFile[];
}

function file(
  file: string,
  bytes: number,
  sha256: string,
  decompressedBytes: number,
  decompressedSha256: string,
): RegistryFile {
  const split: Split = file.startsWith('t10k') ? 'test' : 'train';
  const kind: FileKind = file.includes('images') ? 'images' : 'labels';
  const count = split === 'train' ? 60_000 : 10_000;
  return { file, split, kind, bytes, sha256, decompressedBytes, decompressedSha256, count };
}

/**
 * The registry of known data sets. Sizes and checksums are those of the archives the authors
 * publish (see `shared/datasets/README.md` for how they were checked).
 */
export const datasets: Readonly<Record<DatasetName, RegistryDataset>> = {
  mnist: {
    name: 'mnist',
    title: 'MNIST handwritten digits (LeCun, Cortes, Burges)',
    rows: 28,
    cols: 28,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    mirrors: [
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
      'http://yann.lecun.com/exdb/mnist/',
    ],
    debianPackage: undefined,
    files: [
      file(
        'train-images-idx3-ubyte.gz',
        9_912_422,
        '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
        47_040_016,
        'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
      ),
      file(
        'train-labels-idx1-ubyte.gz',
        28_881,
        '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
        60_008,
        '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
      ),
      file(
        't10k-images-idx3-ubyte.gz',
        1_648_877,
        '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
        7_840_016,
        '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
      ),
      file(
        't10k-labels-idx1-ubyte.gz',
        4_542,
        'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
        10_008,
        'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
      ),
    ],
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST (Zalando Research: Xiao, Rasul, Vollgraf)',
    rows: 28,
    cols: 28,
    classNames: [
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ],
    mirrors: [
      // S3 website endpoints serve plain HTTP only; the sha256 check makes that safe.
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
      'https://storage.googleapis.com/tensorflow/tf-keras-datasets/',
    ],
    debianPackage: 'dataset-fashion-mnist',
    files: [
      file(
        'train-images-idx3-ubyte.gz',
        26_421_880,
        '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
        47_040_016,
        'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      ),
      file(
        'train-labels-idx1-ubyte.gz',
        29_515,
        'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
        60_008,
        'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
      ),
      file(
        't10k-images-idx3-ubyte.gz',
        4_422_102,
        '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
        7_840_016,
        '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      ),
      file(
        't10k-labels-idx1-ubyte.gz',
        5_148,
        '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
        10_008,
        '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
      ),
    ],
  },
};

/** Names of the registered data sets, in registry order. */
export const datasetNames: readonly DatasetName[] = Object.keys(datasets) as DatasetName[];

/** True when `name` is a registered data set. */
export function isDatasetName(name: unknown): name is DatasetName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(datasets, name);
}

/** The registry entry of one split's images or labels. */
export function registryFile(name: DatasetName, split: Split, kind: FileKind): RegistryFile {
  const found = datasets[name].files.find((f) => f.split === split && f.kind === kind);
  if (!found) throw new Error(`registry has no ${kind} file for ${name} ${split}`);
  return found;
}
