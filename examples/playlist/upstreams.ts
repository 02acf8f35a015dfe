import { type Client, createClient } from '@courier/core';
import { metadata } from '../metadata/service.js';

let metadataClient: Client<typeof metadata> | undefined;

/** Connects the metadata client the playlist handlers call. */
export function connectMetadata(endpoints: readonly string[]): Client<typeof metadata> {
  metadataClient = createClient(metadata, { endpoints, caller: 'playlist' });
  return metadataClient;
}

export function metadataClientOrThrow(): Client<typeof metadata> {
  if (metadataClient === undefined)
    throw new Error('playlist: connectMetadata() was not called before serving');
  return metadataClient;
}
