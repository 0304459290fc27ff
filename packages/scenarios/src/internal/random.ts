// The seeded generators live in @apb/core (one implementation for every package, same streams).
export { deriveSeed, mulberry32, shuffledIndices } from '@apb/core';
