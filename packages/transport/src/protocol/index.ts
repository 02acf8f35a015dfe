export * from './constants.js';
export type * from './envelope.js';
export * from './framing.js';
export { msgpack } from './msgpack.js';
