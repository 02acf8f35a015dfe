export * from './constants.js';
export type * from './envelope.js';
export * from './framing.js';
export * from './limits.js';
export { msgpack } from './msgpack.js';
