// noop: one HTTP context per stream that does nothing — what the host and the SDK's dispatch cost a request.
export * from "@weft/sdk/assembly/exports";
import { HttpContext, RootContext, registerRootContext } from "@weft/sdk/assembly";

class NoopRoot extends RootContext {
  createHttpContext(contextId: u32): HttpContext | null {
    return new HttpContext(contextId, this);
  }
}

registerRootContext((id: u32): RootContext => new NoopRoot(id), "");
