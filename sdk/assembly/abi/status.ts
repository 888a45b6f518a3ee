// The status of the most recent host call made through the SDK, for getters that return null.
import { Status } from "./enums";

let last: Status = Status.Ok;

/**
 * The status of the most recent host call the SDK made. Getters return `null` (or a fallback) when
 * the host answers anything but `Ok`; this tells why — `NotFound`, `BadArgument` (asked outside the
 * callback where the data is available), `Empty`…
 *
 * @example
 * const v = this.requestHeaders.get("x-user");
 * if (v === null && lastStatus() != Status.NotFound) log(LogLevel.Warn, "headers unavailable");
 */
export function lastStatus(): Status {
  return last;
}

/** Records `status` as the last host status and returns it (for SDK internals). */
// @ts-ignore: decorator
@inline export function record(status: u32): Status {
  last = <Status>status;
  return <Status>status;
}
