// The Snapshot contract between config sources (file, control plane) and the proxy.
export * from './schema.js';
export * from './units.js';
export * from './errors.js';
export { parseSnapshot, validateSnapshot, type ParseOptions, type ValidateOptions } from './parse.js';
