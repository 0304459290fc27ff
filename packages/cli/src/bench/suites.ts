import { attacksSuite } from './attacks.js';
import { backendSuite } from './backend.js';
import { datasetsSuite } from './datasets.js';
import { layersSuite } from './layers.js';
import { nativeSuite } from './native.js';
import type { BenchSuite } from './suite.js';
import { userPathsSuite } from './user-paths.js';

/** Every bench suite, in the order `apb bench` runs them. Add a suite with one line here. */
export const suites: BenchSuite[] = [backendSuite, datasetsSuite, layersSuite, attacksSuite, nativeSuite, userPathsSuite];
