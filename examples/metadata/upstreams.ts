import { type Client, createClient } from '@courier/core';
import { storage } from './storage.js';

let storageClient: Client<typeof storage> | undefined;

/** Connects the storage client the metadata handlers call. */
export function connectStorage(endpoints: readonly string[]): Client<typeof storage> {
  storageClient = createClient(storage, { endpoints, caller: 'metadata' });
  return storageClient;
}

export function storageClientOrThrow(): Client<typeof storage> {
  if (storageClient === undefined)
    throw new Error('metadata: connectStorage() was not called before serving');
  return storageClient;
}
