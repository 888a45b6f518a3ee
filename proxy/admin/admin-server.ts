// The admin listener: readiness, Prometheus metrics, config dump, runtime log levels, listeners, workers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatAddress, type HostPort, type Snapshot } from '../../api/snapshot/index.js';
import { LOG_LEVELS, type LogLevel, type Logger } from '../../lib/log.js';
import { WeftError } from '../../lib/errors.js';
import { redactSnapshot } from './redact.js';

export type ServingState = 'starting' | 'serving' | 'draining';

/** One data-plane process as /workers shows it. */
export interface WorkerStatus {
  readonly id: number;
  readonly pid: number | undefined;
  readonly state: 'starting' | 'serving' | 'draining' | 'exited';
  /** Version of the Snapshot the worker serves. */
  readonly version: string | undefined;
  readonly restarts: number;
}

/** What the admin listener shows and controls; the process (single or primary of workers) provides it. */
export interface AdminState {
  state(): ServingState;
  /** The live Snapshot (undefined while starting). */
  snapshot(): Snapshot | undefined;
  /** Prometheus exposition text of every metric (with workers: aggregated over all of them). */
  metrics(): Promise<{ contentType: string; body: string }>;
  logLevels(): Record<string, string>;
  /** Sets a component's level (`*` for all); with workers, in every worker too. */
  setLogLevel(component: string, level: LogLevel): void;
  /** Bound listener addresses by name. */
  listeners(): Record<string, string>;
  workers(): readonly WorkerStatus[];
}

interface Endpoint {
  readonly path: string;
  readonly methods: readonly string[];
  readonly help: string;
  readonly handle: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;
}

const COMPONENT_RE = /^(\*|[A-Za-z0-9][A-Za-z0-9._:-]{0,63})$/;

/**
 * The admin HTTP server (node:http: not a hot path). Bind it to loopback: it has no authentication.
 * Unknown paths answer 404 and known paths with another method 405, both as JSON errors.
 */
export class AdminServer {
  private server: Server;
  private bound: HostPort | undefined;
  private readonly endpoints: readonly Endpoint[];

  constructor(
    private readonly admin: AdminState,
    private readonly log: Logger,
  ) {
    this.endpoints = [
      { path: '/', methods: ['GET'], help: 'This list of endpoints.', handle: (_q, res) => this.index(res) },
      { path: '/ready', methods: ['GET'], help: '200 "ready" while serving; 503 while starting or draining.', handle: (_q, res) => this.ready(res) },
      { path: '/stats/prometheus', methods: ['GET'], help: 'Metrics in the Prometheus text format (all workers aggregated).', handle: (_q, res) => this.metrics(res) },
      { path: '/config_dump', methods: ['GET'], help: 'The live Snapshot as JSON; private keys and secret values redacted.', handle: (_q, res) => this.configDump(res) },
      { path: '/logging', methods: ['GET', 'POST'], help: 'GET: log levels by component. POST ?component=NAME&level=LEVEL: change one (component * or omitted: all).', handle: (q, res, url) => this.logging(q, res, url) },
      { path: '/listeners', methods: ['GET'], help: 'Bound listener addresses by name.', handle: (_q, res) => json(res, 200, { listeners: this.admin.listeners() }) },
      { path: '/workers', methods: ['GET'], help: 'Data-plane processes: id, pid, state, config version, restarts.', handle: (_q, res) => json(res, 200, { workers: this.admin.workers() }) },
    ];
    this.server = this.createServer();
  }

  /** The bound address (port 0 resolved); undefined before `listen`. */
  get address(): HostPort | undefined {
    return this.bound;
  }

  async listen(address: HostPort): Promise<HostPort> {
    await listenOn(this.server, address);
    const a = this.server.address() as AddressInfo;
    this.bound = { host: a.address, port: a.port };
    this.log.info({ address: formatAddress(this.bound) }, 'admin listening');
    return this.bound;
  }

  /**
   * Moves to another address (the Snapshot's admin.address changed): binds the new one first and
   * keeps the old one if that fails.
   */
  async rebind(address: HostPort): Promise<HostPort> {
    const next = this.createServer();
    await listenOn(next, address);
    const old = this.server;
    this.server = next;
    const a = next.address() as AddressInfo;
    this.bound = { host: a.address, port: a.port };
    this.log.info({ address: formatAddress(this.bound) }, 'admin moved');
    await closeServer(old);
    return this.bound;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  private createServer(): Server {
    const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
      void this.dispatch(req, res);
    });
    server.keepAliveTimeout = 5_000;
    return server;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://admin');
    } catch {
      return json(res, 400, { error: 'bad_request', message: 'unparseable request target' });
    }
    const endpoint = this.endpoints.find((e) => e.path === url.pathname);
    if (!endpoint) return json(res, 404, { error: 'not_found', message: `no admin endpoint ${url.pathname}; GET / lists them` });
    const method = req.method === 'HEAD' ? 'GET' : req.method ?? 'GET';
    if (!endpoint.methods.includes(method)) {
      res.setHeader('allow', [...endpoint.methods, ...(endpoint.methods.includes('GET') ? ['HEAD'] : [])].join(', '));
      return json(res, 405, { error: 'method_not_allowed', message: `${url.pathname} accepts ${endpoint.methods.join(', ')}` });
    }
    try {
      await endpoint.handle(req, res, url);
    } catch (e) {
      this.log.error({ err: e, path: url.pathname }, 'admin endpoint failed');
      if (!res.headersSent) json(res, 500, { error: 'internal', message: (e as Error).message });
      else res.destroy();
    }
  }

  private index(res: ServerResponse): void {
    json(res, 200, { endpoints: this.endpoints.map((e) => ({ path: e.path, methods: e.methods, help: e.help })) });
  }

  private ready(res: ServerResponse): void {
    const state = this.admin.state();
    res.statusCode = state === 'serving' ? 200 : 503;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.end(state === 'serving' ? 'ready\n' : `${state}\n`);
  }

  private async metrics(res: ServerResponse): Promise<void> {
    const { contentType, body } = await this.admin.metrics();
    res.setHeader('content-type', contentType);
    res.setHeader('cache-control', 'no-store');
    res.end(body);
  }

  private configDump(res: ServerResponse): void {
    const snapshot = this.admin.snapshot();
    if (!snapshot) return json(res, 503, { error: 'no_config', message: 'no Snapshot is applied yet' });
    json(res, 200, redactSnapshot(snapshot));
  }

  private logging(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method === 'POST') {
      const component = url.searchParams.get('component') ?? '*';
      const level = url.searchParams.get('level');
      if (!COMPONENT_RE.test(component)) return json(res, 400, { error: 'bad_request', message: `"${component}" is not a component name` });
      if (level === null || !(LOG_LEVELS as readonly string[]).includes(level)) {
        return json(res, 400, { error: 'bad_request', message: `level must be one of ${LOG_LEVELS.join(', ')}` });
      }
      this.admin.setLogLevel(component, level as LogLevel);
      this.log.info({ target: component, level }, 'log level changed');
    }
    json(res, 200, { levels: this.admin.logLevels() });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function listenOn(server: Server, address: HostPort): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(new WeftError('admin_listen_failed', `cannot listen on ${formatAddress(address)} (admin): ${e.message}`, { cause: e }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(address.port, address.host);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
