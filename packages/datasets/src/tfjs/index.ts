export { toTensor4D } from './to-tensor4d.js';
