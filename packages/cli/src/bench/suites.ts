import { backendSuite } from './backend.js';
import { layersSuite } from './layers.js';
import type { BenchSuite } from './suite.js';

/** Every bench suite, in the order `apb bench` runs them. Add a suite with one line here. */
export const suites: BenchSuite[] = [backendSuite, layersSuite];
