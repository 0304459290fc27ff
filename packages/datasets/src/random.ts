// The generators moved to @apb/core (one implementation for every package, same streams);
// re-exported because they are part of this package's public API.
export { createRandom, seededPermutation, shuffleInPlace, type Random } from '@apb/core';
