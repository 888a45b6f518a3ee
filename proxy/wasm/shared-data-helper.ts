// Helper thread of CrossWorkerSharedData: owns the socket to the primary and wakes the blocked main thread with each answer.
import { connect } from 'node:net';
import { workerData, type MessagePort } from 'node:worker_threads';

const { path, requests, replies, notifications, flag } = workerData as {
  path: string;
  requests: MessagePort;
  replies: MessagePort;
  notifications: MessagePort;
  flag: SharedArrayBuffer;
};
const signal = new Int32Array(flag);
const wake = () => {
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
};
const socket = connect(path);
socket.setEncoding('utf8');
let pending = '';
let connected = false;
const queued: string[] = [];
socket.on('connect', () => {
  connected = true;
  for (const line of queued.splice(0)) socket.write(line);
  replies.postMessage({ ready: true });
});
socket.on('data', (chunk: string) => {
  pending += chunk;
  let nl: number;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (!line) continue;
    const msg = JSON.parse(line) as { notify?: number };
    if (msg.notify !== undefined) {
      notifications.postMessage(msg);
      continue;
    }
    replies.postMessage(msg);
    wake();
  }
});
socket.on('error', (e) => {
  replies.postMessage({ error: e.message });
  wake();
});
requests.on('message', (r: unknown) => {
  const line = `${JSON.stringify(r)}\n`;
  if (connected) socket.write(line);
  else queued.push(line);
});
