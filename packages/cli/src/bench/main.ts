// `pnpm bench`: parses its few flags and calls runBench, the seam `apb bench` also uses.
import { parseArgs } from 'node:util';

import { isApbError } from '@apb/core';

import { runBench } from './run-bench.js';

const usage = 'usage: bench [--quick] [--backend NAME]... [--suite NAME]... [--out FILE] [--compare-pytorch] [--pytorch-results FILE]';

try {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      backend: { type: 'string', multiple: true },
      suite: { type: 'string', multiple: true },
      out: { type: 'string' },
      'compare-pytorch': { type: 'boolean', default: false },
      'pytorch-results': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
  } else {
    const document = await runBench({
      quick: values.quick,
      ...(values.backend === undefined ? {} : { backends: values.backend.flatMap((b) => b.split(',')) }),
      ...(values.suite === undefined ? {} : { suites: values.suite.flatMap((s) => s.split(',')) }),
      ...(values.out === undefined ? {} : { out: values.out }),
      ...(values['pytorch-results'] !== undefined
        ? { comparePytorch: values['pytorch-results'] }
        : values['compare-pytorch'] ? { comparePytorch: true } : {}),
    });
    if (document.errors.length > 0) process.exitCode = 1;
  }
} catch (error) {
  if (isApbError(error)) {
    process.stderr.write(`error: ${error.message}\n${error.suggestion ?? ''}\n`);
  } else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`error: ${error.message}\n${usage}\n`);
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
}
