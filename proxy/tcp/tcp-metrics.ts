// Prometheus metrics of TCP proxy listeners, in the data plane's style: plain cells on the hot path, read at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import { CounterCell, GaugeCell } from '../stats/proxy-metrics.js';

/** A byte count: `value` grows on the hot path; `flushed` is what prom-client was told. */
export class ByteCell {
  value = 0;
  flushed = 0;
}

/** The metrics of one TCP listener, resolved once. */
export interface TcpListenerMetrics {
  readonly connectionsActive: GaugeCell;
  readonly connectionsTotal: CounterCell;
  readonly connectFailures: CounterCell;
  /** Bytes read from downstream clients. */
  readonly received: ByteCell;
  /** Bytes written to downstream clients. */
  readonly sent: ByteCell;
}

/**
 * Defines the TCP proxy metrics on `registry`:
 * - weft_tcp_connections_active{listener}, weft_tcp_connections_total{listener}
 * - weft_tcp_bytes_total{listener,direction}: direction "received" (from clients) or "sent" (to clients)
 * - weft_tcp_upstream_connect_failures_total{listener}
 */
export class TcpMetrics {
  private readonly listeners = new Map<string, TcpListenerMetrics>();

  constructor(registry: Registry) {
    const registers = [registry];
    const listeners = this.listeners;
    const flush = (counter: Counter<string>, labels: Record<string, string>, cell: { value: number; flushed: number }) => {
      if (cell.value > cell.flushed) {
        counter.inc(labels, cell.value - cell.flushed);
        cell.flushed = cell.value;
      }
    };
    new Gauge({
      name: 'weft_tcp_connections_active',
      help: 'Open TCP proxy connections by listener.',
      labelNames: ['listener'],
      registers,
      collect() {
        for (const [name, l] of listeners) this.set({ listener: name }, l.connectionsActive.value);
      },
    });
    new Counter({
      name: 'weft_tcp_connections_total',
      help: 'TCP proxy connections accepted by listener.',
      labelNames: ['listener'],
      registers,
      collect() {
        for (const [name, l] of listeners) flush(this, { listener: name }, l.connectionsTotal);
      },
    });
    new Counter({
      name: 'weft_tcp_upstream_connect_failures_total',
      help: 'TCP proxy connections closed because no upstream connection could be made.',
      labelNames: ['listener'],
      registers,
      collect() {
        for (const [name, l] of listeners) flush(this, { listener: name }, l.connectFailures);
      },
    });
    new Counter({
      name: 'weft_tcp_bytes_total',
      help: 'Bytes through TCP proxy listeners: "received" from clients, "sent" to clients.',
      labelNames: ['listener', 'direction'],
      registers,
      collect() {
        for (const [name, l] of listeners) {
          flush(this, { listener: name, direction: 'received' }, l.received);
          flush(this, { listener: name, direction: 'sent' }, l.sent);
        }
      },
    });
  }

  listener(name: string): TcpListenerMetrics {
    let m = this.listeners.get(name);
    if (m === undefined) {
      m = { connectionsActive: new GaugeCell(), connectionsTotal: new CounterCell(), connectFailures: new CounterCell(), received: new ByteCell(), sent: new ByteCell() };
      this.listeners.set(name, m);
    }
    return m;
  }
}
