// Pending callouts: which context made each call and which callback receives its response.
import { HttpCallback } from "./callout-http";
import { GrpcCallback } from "./callout-grpc";

export class HttpCallEntry {
  constructor(public contextId: u32, public callback: HttpCallback) {}
}

export class GrpcCallEntry {
  constructor(public contextId: u32, public callback: GrpcCallback) {}
}

const httpCalls = new Map<u32, HttpCallEntry>();
const grpcCalls = new Map<u32, GrpcCallEntry>();

export function addHttpCall(callId: u32, contextId: u32, callback: HttpCallback): void {
  httpCalls.set(callId, new HttpCallEntry(contextId, callback));
}

/** Removes and returns the entry of `callId`, or null when unknown. */
export function takeHttpCall(callId: u32): HttpCallEntry | null {
  if (!httpCalls.has(callId)) return null;
  const e = httpCalls.get(callId);
  httpCalls.delete(callId);
  return e;
}

export function addGrpcCall(callId: u32, contextId: u32, callback: GrpcCallback): void {
  grpcCalls.set(callId, new GrpcCallEntry(contextId, callback));
}

/** The entry of `callId`, or null when unknown. */
export function findGrpcCall(callId: u32): GrpcCallEntry | null {
  return grpcCalls.has(callId) ? grpcCalls.get(callId) : null;
}

export function removeGrpcCall(callId: u32): void {
  grpcCalls.delete(callId);
}

/** Number of callouts still waiting for a response (for tests and leak checks). */
export function pendingCallouts(): i32 {
  return httpCalls.size + grpcCalls.size;
}
