// Unit tests of the network filter chain: order, new-connection holds, Stop buffering, continue, close, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BodyBuffer } from '../http/body-buffer.js';
import { FilterAction } from '../http/filter.js';
import type { ConnectionInfo } from '../http/stream-info.js';
import { NetworkFilterChain, type NetworkChainSink } from './network-filter-chain.js';
import type { NetworkFilter, NetworkFilterCallbacks, NetworkFilterFactory } from './network-filter.js';

const { Continue, Stop } = FilterAction;
const info: ConnectionInfo = { id: 1, listenerName: 'tcp', remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2 };

function sink() {
  const s = {
    up: [] as string[],
    upEnd: false,
    down: [] as string[],
    downEnd: false,
    readyCalls: 0,
    closed: 0,
    toUpstream(chunks: readonly Buffer[], end: boolean) {
      if (chunks.length > 0) s.up.push(Buffer.concat(chunks).toString());
      if (end) s.upEnd = true;
    },
    toDownstream(chunks: readonly Buffer[], end: boolean) {
      if (chunks.length > 0) s.down.push(Buffer.concat(chunks).toString());
      if (end) s.downEnd = true;
    },
    ready() {
      s.readyCalls++;
    },
    close() {
      s.closed++;
    },
    buffered() {},
    upstreamAddress: () => '10.0.0.1:80',
  };
  return s satisfies NetworkChainSink;
}

/** A factory whose filters are made by `make`, which also receives the callbacks. */
function factory(name: string, make: (cb: NetworkFilterCallbacks) => NetworkFilter): NetworkFilterFactory & { callbacks: NetworkFilterCallbacks[] } {
  const callbacks: NetworkFilterCallbacks[] = [];
  return {
    name,
    callbacks,
    create(cb) {
      callbacks.push(cb);
      return make(cb);
    },
  };
}

const b = (s: string) => Buffer.from(s);

test('without filters bytes pass straight through and the upstream may open at once', () => {
  const s = sink();
  const c = new NetworkFilterChain([], info, s);
  c.start();
  assert.equal(s.readyCalls, 1);
  c.downstreamData(b('hello'), false);
  c.downstreamData(undefined, true);
  c.upstreamData(b('world'), true);
  assert.deepEqual(s.up, ['hello']);
  assert.equal(s.upEnd, true);
  assert.deepEqual(s.down, ['world']);
  assert.equal(s.downEnd, true);
});

test('downstream bytes go through filters in order, upstream bytes in reverse order; filters may rewrite them', () => {
  const order: string[] = [];
  const tag = (name: string) =>
    factory(name, () => ({
      onDownstreamData(data: BodyBuffer) {
        order.push(`${name}:down`);
        const text = data.toBuffer().toString();
        data.splice(0, data.length, b(`${text}>${name}`));
        return Continue;
      },
      onUpstreamData(data: BodyBuffer) {
        order.push(`${name}:up`);
        const text = data.toBuffer().toString();
        data.splice(0, data.length, b(`${text}<${name}`));
        return Continue;
      },
    }));
  const s = sink();
  const c = new NetworkFilterChain([tag('a'), tag('b')], info, s);
  c.start();
  c.downstreamData(b('x'), false);
  c.upstreamData(b('y'), false);
  assert.deepEqual(s.up, ['x>a>b']);
  assert.deepEqual(s.down, ['y<b<a']);
  assert.deepEqual(order, ['a:down', 'b:down', 'b:up', 'a:up']);
});

test('Stop on onNewConnection holds the upstream and every byte behind the filter until continue()', () => {
  const later: string[] = [];
  const holder = factory('holder', () => ({ onNewConnection: () => Stop, onDownstreamData: () => Continue }));
  const next = factory('next', () => ({
    onNewConnection() {
      later.push('new');
      return Continue;
    },
    onDownstreamData(d: BodyBuffer) {
      later.push(`data:${d.toBuffer().toString()}`);
      return Continue;
    },
  }));
  const s = sink();
  const c = new NetworkFilterChain([holder, next], info, s);
  c.start();
  c.downstreamData(b('early'), false);
  assert.equal(s.readyCalls, 0, 'no upstream while held');
  assert.deepEqual(s.up, []);
  assert.deepEqual(later, [], 'later filters have not started');
  holder.callbacks[0]!.continue();
  assert.equal(s.readyCalls, 1);
  assert.deepEqual(later, ['new', 'data:early']);
  assert.deepEqual(s.up, ['early']);
});

test('Stop on data keeps the bytes and the filter is called again with all of them', () => {
  const calls: string[] = [];
  const lines = factory('lines', () => ({
    onDownstreamData(d: BodyBuffer) {
      const text = d.toBuffer().toString();
      calls.push(text);
      return text.includes('\n') ? Continue : Stop;
    },
  }));
  const s = sink();
  const c = new NetworkFilterChain([lines], info, s);
  c.start();
  c.downstreamData(b('GET '), false);
  c.downstreamData(b('/x'), false);
  assert.deepEqual(s.up, []);
  c.downstreamData(b('\nrest'), false);
  assert.deepEqual(calls, ['GET ', 'GET /x', 'GET /x\nrest']);
  assert.deepEqual(s.up, ['GET /x\nrest']);
  assert.equal(c.bufferedBytes('downstream'), 0);
});

test('continue() passes held bytes on without calling the filter again; the end of stream follows', () => {
  let calls = 0;
  const hold = factory('hold', () => ({
    onDownstreamData() {
      calls++;
      return Stop;
    },
  }));
  const s = sink();
  const c = new NetworkFilterChain([hold], info, s);
  c.start();
  c.downstreamData(b('abc'), false);
  c.downstreamData(undefined, true);
  assert.equal(calls, 2);
  assert.deepEqual(s.up, []);
  assert.equal(s.upEnd, false);
  hold.callbacks[0]!.continue();
  assert.equal(calls, 2);
  assert.deepEqual(s.up, ['abc']);
  assert.equal(s.upEnd, true);
});

test('continue() from inside a callback is picked up after the pass', () => {
  const f = factory('eager', (cb) => ({
    onNewConnection() {
      cb.continue();
      return Stop;
    },
  }));
  const s = sink();
  const c = new NetworkFilterChain([f], info, s);
  c.start();
  assert.equal(s.readyCalls, 1);
});

test('close() from a filter closes the connection; a throwing filter closes it too', () => {
  const closer = factory('closer', (cb) => ({
    onDownstreamData() {
      cb.close();
      return Stop;
    },
  }));
  const s1 = sink();
  const c1 = new NetworkFilterChain([closer], info, s1);
  c1.start();
  c1.downstreamData(b('x'), false);
  assert.equal(s1.closed, 1);
  assert.equal(closer.callbacks[0]!.upstreamAddress(), '10.0.0.1:80');

  const thrower = factory('thrower', () => ({
    onUpstreamData() {
      throw new Error('bug');
    },
  }));
  const s2 = sink();
  const c2 = new NetworkFilterChain([thrower], info, s2);
  c2.start();
  c2.upstreamData(b('y'), false);
  assert.equal(s2.closed, 1);
  assert.deepEqual(s2.down, []);
});

test('close callbacks and onConnectionComplete reach every filter once', () => {
  const seen: string[] = [];
  const f = (name: string) =>
    factory(name, () => ({
      onDownstreamClose: (p) => seen.push(`${name}:down:${p}`),
      onUpstreamClose: (p) => seen.push(`${name}:up:${p}`),
      onConnectionComplete: () => seen.push(`${name}:done`),
    }));
  const s = sink();
  const c = new NetworkFilterChain([f('a'), f('b')], info, s);
  c.start();
  c.downstreamClosed('remote');
  c.upstreamClosed('local');
  c.completed();
  c.completed();
  assert.deepEqual(seen, ['a:down:remote', 'b:down:remote', 'a:up:local', 'b:up:local', 'a:done', 'b:done']);
});
