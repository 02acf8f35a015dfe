import { serve, serverSecurityFromEnv } from '@courier/core';
import { {{camel}} } from './service.js';

// BIND may list several endpoints, comma-separated (e.g. tcp://0.0.0.0:{{port}}).
const bind = (process.env.BIND ?? 'tcp://127.0.0.1:{{port}}').split(',');

// CURVE keys from COURIER_SECRET_KEY(_FILE) and COURIER_ALLOWED_KEYS(_FILE) (docs/security.md).
// Without them the service is plaintext: bind only to loopback or a network you trust.
const security = serverSecurityFromEnv();
if (security === undefined && !bind.every((b) => b.startsWith('tcp://127.') || !b.startsWith('tcp://'))) {
  console.warn('{{name}}: no COURIER_SECRET_KEY, serving PLAINTEXT on a non-loopback address: anyone who can reach it may call it');
}

// serve() drains and stops by itself on SIGTERM/SIGINT: in-flight calls finish first.
const server = await serve({{camel}}, { bind, ...(security !== undefined && { security }) });
console.log(`{{name}} listening on ${server.endpoints.join(', ')}`);
