import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { get } from '../system/net.js';
import { Pinning, ProcessGroup } from '../system/processes.js';
import { distPath } from '../paths.js';
import { LARGE_BYTES, LARGE_PATH, TINY_BODY, TINY_PATH } from './content.js';

async function withOrigin(fn: (h1: number, h2: number) => Promise<void>): Promise<void> {
  const group = new ProcessGroup(Pinning.detect(true));
  try {
    const child = group.spawn(process.execPath, [distPath('bench/upstream/node-origin.js')], { core: 0, label: 'origin' });
    const m = await child.waitForLine(/\{"h1":(\d+),"h2":(\d+)\}/, 10_000);
    await fn(Number(m[1]), Number(m[2]));
  } finally {
    await group.stopAll();
  }
}

/** Sends raw bytes and collects what arrives until `done(text)` says enough. */
function raw(port: number, bytes: string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (c) => {
      text += c.toString('latin1');
      if (done(text)) {
        s.destroy();
        resolve(text);
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(text));
    s.write(bytes);
  });
}

test('node origin: both bodies over HTTP/1.1 and HTTP/2', async () => {
  await withOrigin(async (h1, h2) => {
    assert.deepEqual(await get('h1', h1, TINY_PATH), { status: 200, bytes: Buffer.byteLength(TINY_BODY) });
    assert.deepEqual(await get('h1', h1, LARGE_PATH), { status: 200, bytes: LARGE_BYTES });
    assert.deepEqual(await get('h2', h2, TINY_PATH), { status: 200, bytes: Buffer.byteLength(TINY_BODY) });
    assert.deepEqual(await get('h2', h2, LARGE_PATH), { status: 200, bytes: LARGE_BYTES });
  });
});

test('node origin: pipelined requests, a request body skipped by Content-Length, HEAD without a body', async () => {
  await withOrigin(async (h1) => {
    const reqs =
      'GET /tiny HTTP/1.1\r\nHost: x\r\n\r\n' +
      'POST /tiny HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nGET /' +
      'HEAD /tiny HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /tiny HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const text = await raw(h1, reqs, () => false);
    assert.equal(text.match(/HTTP\/1\.1 200 OK/g)?.length, 4);
    assert.equal(text.split(TINY_BODY).length - 1, 3, 'three bodies: the HEAD answer has none');
  });
});

test('node origin: chunked request bodies are refused with 501 and the connection closed', async () => {
  await withOrigin(async (h1) => {
    const text = await raw(h1, 'POST /tiny HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', () => false);
    assert.match(text, /^HTTP\/1\.1 501 /);
  });
});
