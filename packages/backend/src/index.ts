export { ApbError, isApbError, type ApbErrorOptions } from './errors.js';
