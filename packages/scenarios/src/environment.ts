import { createRequire } from 'node:module';
import { cpus, arch, platform, totalmem } from 'node:os';

/** Machine facts a run record keeps, so timings can be compared honestly. */
export interface MachineInfo {
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
}

/** Platform, architecture, CPU count and model, memory of this machine. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    platform: platform(),
    arch: arch(),
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  };
}

const PACKAGES = [
  '@apb/scenarios',
  '@apb/backend',
  '@apb/datasets',
  '@apb/layers',
  '@apb/attacks',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
];

/** Versions of our packages, TensorFlow.js and Node, as resolved from this package. */
export function packageVersions(extra: Record<string, string> = {}): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      versions[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      // a package that exports no package.json (or is absent) is simply not listed
    }
  }
  return { ...versions, ...extra, node: process.versions.node };
}
