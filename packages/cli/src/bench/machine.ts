import { availableParallelism, cpus, totalmem } from 'node:os';

/** The machine a benchmark ran on. */
export interface MachineInfo {
  platform: string;
  arch: string;
  cpuModel: string;
  /** Logical cores the OS reports. */
  cores: number;
  /** Cores this process may use (cgroup / affinity aware). */
  availableCores: number;
  memoryGiB: number;
  node: string;
}

/** Describes this machine for bench and run records. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    platform: process.platform,
    arch: process.arch,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    availableCores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.versions.node,
  };
}
