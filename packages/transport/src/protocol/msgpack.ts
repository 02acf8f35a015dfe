import { Packr } from 'msgpackr';

/**
 * The one MessagePack codec configuration used on the wire. Records and other
 * msgpackr-only extensions are off, so any MessagePack library (pyzmq +
 * msgpack, Java, Go) reads and writes the same bytes.
 */
export const msgpack = new Packr({
  useRecords: false,
  moreTypes: false,
  // Keep `undefined` distinct from nil-less omission: encode it as nil.
  encodeUndefinedAsNil: true,
  // Maps decode as plain objects; metadata and details are string-keyed.
  mapsAsObjects: true,
  int64AsType: 'number',
});
