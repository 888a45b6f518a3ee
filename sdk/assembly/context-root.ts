// The root (plugin) context: lifecycle, configuration, timers, queues; creates the stream contexts.
import { BufferType, Status } from "./abi/enums";
import { Context } from "./context";
import { HttpContext } from "./context-http";
import { TcpContext } from "./context-tcp";
import { makeEffective } from "./effective";
import { getBufferBytes, getBufferString } from "./hostcalls/buffers";
import { setTickPeriod } from "./hostcalls/system";
import { JsonParseResult, parseJsonBytes } from "./json";

/**
 * The plugin's root context: one per plugin configuration, alive as long as the plugin. Override
 * what you need; every callback has a no-op default.
 *
 * @example
 * class Root extends RootContext {
 *   header: string = "x-hello";
 *   onConfigure(size: usize): bool {
 *     const cfg = this.pluginConfigurationJson();
 *     if (!cfg.ok) { log(LogLevel.Error, "bad config: " + cfg.error); return false; }
 *     this.header = cfg.object().getString("header", "x-hello");
 *     return true;
 *   }
 *   createHttpContext(id: u32): HttpContext | null { return new Hello(id, this); }
 * }
 * registerRootContext((id: u32): RootContext => new Root(id), "hello");
 */
export class RootContext extends Context {
  /** The root id this context was registered under ("" for the default). */
  rootId: string = "";
  /** Size of the VM configuration given to `onVmStart`. */
  vmConfigurationSize: usize = 0;
  /** Size of the plugin configuration given to the latest `onConfigure`. */
  pluginConfigurationSize: usize = 0;

  /** The VM started; its configuration is `vmConfiguration()`. Return false to fail the VM. */
  onVmStart(vmConfigurationSize: usize): bool {
    return true;
  }

  /** The plugin (re)starts with a configuration. Return false to reject it. */
  onConfigure(pluginConfigurationSize: usize): bool {
    return true;
  }

  /** The timer set with `setTickPeriod` fired. */
  onTick(): void {}

  /** An item was enqueued on a shared queue this VM registered. */
  onQueueReady(queueId: u32): void {}

  /** A foreign function the host registered called back (host-specific). */
  onForeignFunction(functionId: u32, argumentsSize: usize): void {}

  /** Creates the context of a new HTTP stream; null when this plugin is not an HTTP filter. */
  createHttpContext(contextId: u32): HttpContext | null {
    return null;
  }

  /** Creates the context of a new TCP connection; null when this plugin is not a network filter. */
  createTcpContext(contextId: u32): TcpContext | null {
    return null;
  }

  /**
   * Calls `onTick` every `milliseconds` (0 stops the timer).
   *
   * @example
   * onConfigure(size: usize): bool { this.setTickPeriod(1000); return true; }
   */
  setTickPeriod(milliseconds: u32): Status {
    const s = makeEffective(this.id);
    return s != Status.Ok ? s : setTickPeriod(milliseconds);
  }

  /** The VM configuration bytes (valid in `onVmStart`), or null. */
  vmConfiguration(): ArrayBuffer | null {
    return getBufferBytes(BufferType.VmConfiguration, 0, this.vmConfigurationSize);
  }

  /** The VM configuration as UTF-8 ("" when absent). */
  vmConfigurationString(): string {
    const s = getBufferString(BufferType.VmConfiguration, 0, this.vmConfigurationSize);
    return s === null ? "" : s;
  }

  /**
   * The VM configuration parsed as JSON; an absent or empty configuration parses as `{}`.
   *
   * @example
   * onVmStart(size: usize): bool { return this.vmConfigurationJson().ok; }
   */
  vmConfigurationJson(): JsonParseResult {
    const bytes = this.vmConfiguration();
    if (bytes === null || bytes.byteLength == 0) return parseJsonBytes(String.UTF8.encode("{}"));
    return parseJsonBytes(bytes);
  }

  /** The plugin configuration bytes (valid in `onConfigure`), or null. */
  pluginConfiguration(): ArrayBuffer | null {
    return getBufferBytes(BufferType.PluginConfiguration, 0, this.pluginConfigurationSize);
  }

  /**
   * The plugin configuration as UTF-8 ("" when absent).
   *
   * @example
   * onConfigure(size: usize): bool { this.greeting = this.pluginConfigurationString(); return true; }
   */
  pluginConfigurationString(): string {
    const s = getBufferString(BufferType.PluginConfiguration, 0, this.pluginConfigurationSize);
    return s === null ? "" : s;
  }

  /**
   * The plugin configuration parsed as JSON; an absent or empty configuration parses as `{}`.
   *
   * @example
   * const cfg = this.pluginConfigurationJson();
   * if (!cfg.ok) return false;
   * const limit = cfg.object().getInteger("limit", 100);
   */
  pluginConfigurationJson(): JsonParseResult {
    const bytes = this.pluginConfiguration();
    if (bytes === null || bytes.byteLength == 0) return parseJsonBytes(String.UTF8.encode("{}"));
    return parseJsonBytes(bytes);
  }
}
