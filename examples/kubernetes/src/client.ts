// How another service in the cluster calls this one: DNS SRV discovery of every ready pod.
import { createClient, dnsSrv } from '@courier/core';
import { SRV_NAME } from './config.js';
import { greeter } from './service.js';

export const greeterClient = () =>
  createClient(greeter, { discovery: dnsSrv(SRV_NAME, { refreshMs: 5000 }) });
