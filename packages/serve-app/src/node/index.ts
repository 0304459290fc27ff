import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the built web app (`index.html` and `assets/`), for a server to hand out as
 * static files. Resolved from this module, which is built to `dist/index.js` beside `dist/app/`.
 */
export const appDir: string = fileURLToPath(new URL('./app/', import.meta.url));

export type { ChartsResponse, FoldedModel, RunsResponse, ServedRun, TestImages } from './api-types.js';
