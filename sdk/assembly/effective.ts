// Tracks which context the host treats as effective, so SDK calls on a context object act on that
// context even from another context's callback (a callout response, a timer tick, a queue).
import { Status } from "./abi/enums";
import { setEffectiveContext } from "./hostcalls/streams";
import { collectIfDue } from "./runtime";

let activeId: u32 = 0;
let depth: i32 = 0;

/** The id of the context host calls currently act on. */
export function activeContextId(): u32 {
  return activeId;
}

/** Makes `contextId` effective for the following host calls, if it is not already. */
export function makeEffective(contextId: u32): Status {
  if (activeId == contextId) return Status.Ok;
  const s = setEffectiveContext(contextId);
  if (s == Status.Ok) activeId = contextId;
  return s;
}

/** Marks the start of a host callback for `contextId`; returns what `leaveCallback` restores. */
// @ts-ignore: decorator
@inline export function enterCallback(contextId: u32): u32 {
  const saved = activeId;
  activeId = contextId;
  depth++;
  return saved;
}

/** Marks the end of a host callback; at the outermost level the runtime may collect garbage. */
// @ts-ignore: decorator
@inline export function leaveCallback(saved: u32): void {
  activeId = saved;
  if (--depth == 0) collectIfDue();
}
