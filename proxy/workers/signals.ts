// Process signals of a running proxy: SIGTERM/SIGINT drain (a second one exits at once), SIGHUP reloads.

export interface SignalActions {
  /** First SIGTERM or SIGINT. */
  terminate(signal: NodeJS.Signals): void;
  /** A SIGTERM or SIGINT after the first. */
  forceExit(signal: NodeJS.Signals): void;
  reload(): void;
}

/** Installs the handlers; returns a function that removes them. */
export function installSignalHandlers(actions: SignalActions): () => void {
  let terminating = false;
  const onTerminate = (signal: NodeJS.Signals) => {
    if (terminating) return actions.forceExit(signal);
    terminating = true;
    actions.terminate(signal);
  };
  const onHup = () => actions.reload();
  process.on('SIGTERM', onTerminate);
  process.on('SIGINT', onTerminate);
  process.on('SIGHUP', onHup);
  return () => {
    process.off('SIGTERM', onTerminate);
    process.off('SIGINT', onTerminate);
    process.off('SIGHUP', onHup);
  };
}
