/** An abort signal tied to SIGINT/SIGTERM; `dispose` puts the process's default handling back. */
export interface InterruptSignal {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * For commands: the first Ctrl-C (or SIGTERM) aborts the returned signal, so `trainRun` and
 * `runReproduction` stop between two batches and write status `interrupted`; a second one exits
 * at once (code 130), for a user who does not want to wait for the current batch.
 */
export function interruptSignal(): InterruptSignal {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
