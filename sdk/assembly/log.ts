// Logging through the host, at the spec's levels.
import { LogLevel, Status } from "./abi/enums";
import { getLogLevel as hostLogLevel, log as hostLog } from "./hostcalls/system";

/**
 * Logs `message` at `level` in the host's log (Weft tags it with the plugin's name).
 *
 * @example
 * log(LogLevel.Info, "configured with " + n.toString() + " rules");
 */
export function log(level: LogLevel, message: string): Status {
  return hostLog(level, message);
}

/** `log(LogLevel.Trace, message)`. */
export function logTrace(message: string): Status {
  return hostLog(LogLevel.Trace, message);
}
/** `log(LogLevel.Debug, message)`. */
export function logDebug(message: string): Status {
  return hostLog(LogLevel.Debug, message);
}
/** `log(LogLevel.Info, message)`. */
export function logInfo(message: string): Status {
  return hostLog(LogLevel.Info, message);
}
/** `log(LogLevel.Warn, message)`. */
export function logWarn(message: string): Status {
  return hostLog(LogLevel.Warn, message);
}
/** `log(LogLevel.Error, message)`. */
export function logError(message: string): Status {
  return hostLog(LogLevel.Error, message);
}
/** `log(LogLevel.Critical, message)`. */
export function logCritical(message: string): Status {
  return hostLog(LogLevel.Critical, message);
}

/**
 * The host's current log level: messages below it are dropped, so skip building them.
 *
 * @example
 * if (getLogLevel() <= LogLevel.Debug) logDebug("headers: " + describe(this.requestHeaders));
 */
export function getLogLevel(): LogLevel {
  return hostLogLevel();
}

/** Whether a message at `level` would be logged. */
export function logEnabled(level: LogLevel): bool {
  return level >= hostLogLevel();
}
