/**
 * Imports a package that may not be installed. The specifier is a variable so that TypeScript and
 * bundlers do not insist on it. Returns the module, or the reason it would not load (first line).
 */
export async function optionalImport<T = Record<string, unknown>>(specifier: string): Promise<{ module: T } | { reason: string }> {
  try {
    return { module: (await import(specifier)) as T };
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = firstLine(error);
    // Node says ERR_MODULE_NOT_FOUND; Vite's resolver (under Vitest) says "Could not resolve".
    if (code === 'ERR_MODULE_NOT_FOUND' || message.startsWith('Could not resolve')) {
      if (message.includes(specifier)) return { reason: `${specifier} is not installed` };
    }
    return { reason: message };
  }
}

/** The first line of an error's message, for one-line notes. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? '';
}
