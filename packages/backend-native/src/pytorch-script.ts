import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the shipped PyTorch script that times the same LeNet steps as `apb bench`'s
 * native suite (`python3 <path> --batch 128 --threads 2 --steps N`, JSON on stdout).
 */
export function pytorchLenetScriptPath(): string {
  // src/ and dist/ both sit one level below the package root.
  return fileURLToPath(new URL('../bench/lenet_torch.py', import.meta.url));
}
