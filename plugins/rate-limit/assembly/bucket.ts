// A token bucket kept in shared data (every worker's VM sees it), updated with compare-and-swap.
import { Status, getSharedData, setSharedData } from "@weft/sdk/assembly";

/** What one take() decided, and the bucket after it. */
export class Take {
  constructor(
    readonly allowed: bool,
    /** Tokens left after this request. */
    readonly tokens: f64,
    /** CAS conflicts retried. */
    readonly retries: i32,
    /** The shared store failed (the caller fails open). */
    readonly failed: bool,
  ) {}
}

/** Bucket state: tokens (f64) and the time they were counted (f64, ms since the epoch). */
const STATE_BYTES = 16;
const MAX_ATTEMPTS = 16;

export class BucketSpec {
  constructor(
    /** Capacity (burst). */
    readonly maxTokens: f64,
    /** Tokens added per millisecond. */
    readonly ratePerMs: f64,
  ) {}
}

/**
 * Takes one token from the bucket under `key` at time `nowMs`. Reads the state and its CAS token,
 * refills for the time passed, and writes back only if nobody wrote in between (else retries).
 * A refused request writes nothing. A bucket seen for the first time starts full.
 */
export function take(key: string, spec: BucketSpec, nowMs: f64): Take {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const cur = getSharedData(key);
    if (cur.status != Status.Ok && cur.status != Status.NotFound) return new Take(true, 0, attempt, true);
    let tokens = spec.maxTokens;
    let last = nowMs;
    const v = cur.value;
    if (v !== null && v.byteLength == STATE_BYTES) {
      tokens = load<f64>(changetype<usize>(v));
      last = load<f64>(changetype<usize>(v), 8);
    }
    const elapsed = nowMs > last ? nowMs - last : 0;
    tokens = Math.min(spec.maxTokens, tokens + elapsed * spec.ratePerMs);
    if (tokens < 1) return new Take(false, tokens, attempt, false);
    tokens -= 1;
    const next = new ArrayBuffer(STATE_BYTES);
    store<f64>(changetype<usize>(next), tokens);
    store<f64>(changetype<usize>(next), nowMs > last ? nowMs : last, 8);
    const s = setSharedData(key, next, cur.cas);
    if (s == Status.Ok) return new Take(true, tokens, attempt, false);
    if (s != Status.CasMismatch) return new Take(true, 0, attempt, true);
  }
  // Still contended after every attempt: let the request through rather than stall it.
  return new Take(true, 0, MAX_ATTEMPTS, true);
}
