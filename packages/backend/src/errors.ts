// The error class moved to @apb/core (the package with no dependencies, so every package can
// share it); re-exported so that imports of it from @apb/backend keep working.
export { ApbError, isApbError, type ApbErrorOptions } from '@apb/core';
