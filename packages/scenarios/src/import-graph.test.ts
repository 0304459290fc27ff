import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Relative imports (static and dynamic) of every non-test module of this package, by absolute path. */
async function importGraph(): Promise<Map<string, string[]>> {
  const files = (await readdir(here, { recursive: true })).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.startsWith('testing-internal'));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const path = join(here, file);
    const text = await readFile(path, 'utf8');
    const targets = [...text.matchAll(/(?:from\s+|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)].map((match) => resolve(dirname(path), `${match[1]}.ts`));
    graph.set(path, targets);
  }
  return graph;
}

describe('the scenarios modules', () => {
  it('import one another without a cycle, dynamic imports included', async () => {
    const graph = await importGraph();
    expect(graph.size).toBeGreaterThan(20);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].map((file) => file.slice(here.length + 1)).join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
