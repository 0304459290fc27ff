import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

/** Start of the threaded Emscripten factory's source, which tfjs hands its workers as a Blob. */
const FACTORY_PREFIX = 'var WasmBackendModuleThreadedSimd';

/**
 * Globals the factory's source refers to once it is cut out of tfjs-backend-wasm 4.22.0's Node
 * bundle (rollup names for its `require`s and its global object).
 */
const FACTORY_PRELUDE =
  "var require$$0=require('fs'),require$$1=require('path'),require$$3=require('perf_hooks'),require$$4=require('os'),commonjsGlobal=globalThis;\n";

/**
 * EXPERIMENTAL. Lets tfjs-backend-wasm 4.22.0 start its threaded (pthreads + SIMD) build in Node,
 * which tfjs switches off there (tfjs#3830), without changing tfjs. Call it just before the wasm
 * backend starts and call the returned function right after. It
 *
 * - turns on `WASM_HAS_MULTITHREAD_SUPPORT` and asks for `threads`;
 * - catches the two Blobs tfjs makes for its pthread workers (the worker script and the module
 *   factory) and writes them to temporary files, because Node workers cannot start from `blob:`
 *   URLs; the worker script is told to load the factory from its file;
 * - reports twice the logical cores while the module starts, because tfjs caps XNNPACK at
 *   cores / 2 (it assumes hyper-threading), which on a 2-vCPU machine means one thread.
 *
 * It depends on the internals of that exact tfjs build, which the catalog pins.
 */
export function prepareThreadedWasm(threads: number, setThreadsCount: (count: number) => void): () => void {
  const dir = mkdtempSync(join(os.tmpdir(), 'apb-wasm-threads-'));
  const factoryFile = join(dir, 'wasm-factory.cjs');
  const workerFile = join(dir, 'wasm-worker.cjs');
  const texts = new WeakMap<Blob, string>();
  const OriginalBlob = globalThis.Blob;
  const originalCreateObjectURL = URL.createObjectURL.bind(URL);
  const originalCpus = os.cpus.bind(os);

  class RecordingBlob extends OriginalBlob {
    constructor(...args: ConstructorParameters<typeof Blob>) {
      super(...args);
      const [parts] = args;
      if (parts === undefined || !parts.every((part) => typeof part === 'string')) return;
      const text = parts.join('');
      texts.set(this, text);
      if (text.startsWith(FACTORY_PREFIX)) writeFileSync(factoryFile, FACTORY_PRELUDE + text);
    }
  }
  globalThis.Blob = RecordingBlob;
  URL.createObjectURL = (blob: Blob) => {
    const text = texts.get(blob);
    if (text === undefined || text.startsWith(FACTORY_PREFIX)) return originalCreateObjectURL(blob);
    // The worker gets the factory as a Blob it cannot read synchronously; point it at the file.
    const redirect = `;(function(){var handle=self.onmessage;self.onmessage=function(e){if(e.data&&e.data.cmd==="load"&&typeof e.data.urlOrBlob!=="string"){e.data.urlOrBlob=${JSON.stringify(factoryFile)}}return handle(e)}})();\n`;
    writeFileSync(workerFile, `${text}\n${redirect}`);
    return workerFile;
  };
  os.cpus = () => {
    const list = originalCpus();
    return [...list, ...list];
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);

  return () => {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreateObjectURL;
    os.cpus = originalCpus;
  };
}
