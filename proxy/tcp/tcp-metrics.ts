// Prometheus metrics of TCP proxy listeners (prom-client, on the data plane's registry).
import { Counter, Gauge, type Registry } from 'prom-client';

/** The metrics of one TCP listener, resolved once. Byte counts are plain adds; they reach the counter at scrape time. */
export interface TcpListenerMetrics {
  readonly connectionsActive: Gauge.Internal<string>;
  readonly connectionsTotal: Counter.Internal;
  readonly connectFailures: Counter.Internal;
  /** Bytes read from downstream clients, not yet added to the counter. */
  received: number;
  /** Bytes written to downstream clients, not yet added to the counter. */
  sent: number;
}

interface ListenerEntry {
  readonly metrics: TcpListenerMetrics;
  readonly received: Counter.Internal;
  readonly sent: Counter.Internal;
}

/**
 * - weft_tcp_connections_active{listener}, weft_tcp_connections_total{listener}
 * - weft_tcp_bytes_total{listener,direction}: direction "received" (from clients) or "sent" (to clients)
 * - weft_tcp_upstream_connect_failures_total{listener}
 *
 * Byte counts are accumulated per listener as plain numbers on the hot path and folded into the
 * counter when the registry is collected (prom-client hashes labels on every inc).
 */
export class TcpMetrics {
  private readonly active: Gauge<'listener'>;
  private readonly total: Counter<'listener'>;
  private readonly failures: Counter<'listener'>;
  private readonly bytes: Counter<'listener' | 'direction'>;
  private readonly listeners = new Map<string, ListenerEntry>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.active = new Gauge({ name: 'weft_tcp_connections_active', help: 'Open TCP proxy connections by listener.', labelNames: ['listener'], registers });
    this.total = new Counter({ name: 'weft_tcp_connections_total', help: 'TCP proxy connections accepted by listener.', labelNames: ['listener'], registers });
    this.failures = new Counter({
      name: 'weft_tcp_upstream_connect_failures_total',
      help: 'TCP proxy connections closed because no upstream connection could be made.',
      labelNames: ['listener'],
      registers,
    });
    this.bytes = new Counter({
      name: 'weft_tcp_bytes_total',
      help: 'Bytes through TCP proxy listeners: "received" from clients, "sent" to clients.',
      labelNames: ['listener', 'direction'],
      registers,
      collect: () => this.flushBytes(),
    });
  }

  listener(name: string): TcpListenerMetrics {
    let e = this.listeners.get(name);
    if (e === undefined) {
      e = {
        metrics: {
          connectionsActive: this.active.labels(name),
          connectionsTotal: this.total.labels(name),
          connectFailures: this.failures.labels(name),
          received: 0,
          sent: 0,
        },
        received: this.bytes.labels(name, 'received'),
        sent: this.bytes.labels(name, 'sent'),
      };
      this.listeners.set(name, e);
    }
    return e.metrics;
  }

  private flushBytes(): void {
    for (const e of this.listeners.values()) {
      const m = e.metrics;
      if (m.received > 0) e.received.inc(m.received);
      if (m.sent > 0) e.sent.inc(m.sent);
      m.received = 0;
      m.sent = 0;
    }
  }
}
