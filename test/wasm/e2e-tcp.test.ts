// A Wasm network filter on the TCP proxy rewrites bytes both ways and sees both closes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import { buildE2eFilter, ModuleDir, startWasmProxy } from './e2e-harness.js';

const dir = new ModuleDir();
let e2e = '';
before(async () => {
  e2e = await buildE2eFilter(dir);
});
after(() => dir.cleanup());

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('TCP: downstream bytes are rewritten before the upstream, upstream bytes before the client; both closes reach the filter', async () => {
  const received: Buffer[] = [];
  const echo = net.createServer({ allowHalfOpen: true }, (s: Socket) => {
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      received.push(d);
      s.write(d);
    });
    s.on('end', () => s.end());
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const proxy = await startWasmProxy(
    JSON.stringify({
      listeners: [{ name: 'main', address: '127.0.0.1:0', protocol: 'tcp', tcp: { cluster: 'echo', filter_chain: 'bytes' } }],
      clusters: [{ name: 'echo', endpoints: [{ address: `127.0.0.1:${(echo.address() as AddressInfo).port}` }] }],
      plugins: [{ name: 'bytes', vm_id: 'tcp', module: { file: e2e }, configuration: { mode: 'tcp' }, filter_chains: ['bytes'] }],
    }),
  );
  try {
    const client = net.connect(proxy.port(), '127.0.0.1');
    client.on('error', () => {});
    await once(client, 'connect');
    let got = '';
    client.setEncoding('latin1');
    client.on('data', (d: string) => (got += d));
    client.write('hello ping');
    await until('the first echo', () => got.includes('PONG'));
    assert.equal(Buffer.concat(received).toString(), 'hello PONG', 'the upstream saw the rewritten bytes');
    assert.equal(got, '[w]hello PONG', 'the client saw the upstream bytes with the filter prefix');
    client.write('no change');
    await until('the second echo', () => got.endsWith('no change'));
    assert.equal(got, '[w]hello PONG[w]no change');
    client.end();
    await once(client, 'close');
    await until('both closes counted', async () => {
      const m = await proxy.registry.metrics();
      return /weft_wasm_tcp_closed_total\{plugin="bytes"\} 1/.test(m) && /weft_wasm_tcp_upstream_closed_total\{plugin="bytes"\} 1/.test(m);
    });
  } finally {
    await proxy.close();
    echo.close();
  }
});
