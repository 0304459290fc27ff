// Prints the paper's cost claim measured on this machine, as JSON (build the package first).
// Usage: node scripts/measure-training-cost.mjs [trainLimit] [dataDir]
import { measureTrainingCost } from '../dist/index.js';

const [trainLimit, dataDir] = process.argv.slice(2);
const result = await measureTrainingCost({
  trainLimit: trainLimit === undefined ? undefined : Number(trainLimit),
  dataDir,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
