export { ApbError, isApbError, type ApbErrorOptions } from './errors.js';
export { temporaryPathFor, writeDirectoryAtomic, writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
export { createRng, mulberry32, scrambleSeed, type Rng } from './mulberry32.js';
export { createRandom, type Random } from './xoshiro128.js';
export { lcg32 } from './lcg32.js';
export { seededPermutation, shuffleInPlace, shuffledIndices } from './shuffle.js';
export { deriveSeed } from './derive-seed.js';
export { portablePath } from './portable-path.js';
export { inheritableExecArgv } from './child-exec-argv.js';
