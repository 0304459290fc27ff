/**
 * The Node flags of this process that are safe to hand to a child it forks to run work: memory and
 * diagnostics only. Anything else could change what the child runs (`-e` would re-run the parent's
 * script; custom export conditions, such as Vitest's `@apb/source`, would make a built child load
 * TypeScript sources).
 */
const INHERITED_FLAGS = ['--max-old-space-size', '--max-semi-space-size', '--stack-size', '--enable-source-maps', '--expose-gc', '--no-warnings', '--no-deprecation'];

/** `execArgv` for `fork`: this process's flags from {@link INHERITED_FLAGS}, as given. */
export function inheritableExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  return execArgv.filter((flag) => INHERITED_FLAGS.some((allowed) => flag === allowed || flag.startsWith(`${allowed}=`)));
}
