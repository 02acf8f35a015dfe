import { serve } from '@courier/core';
import { {{camel}} } from './service.js';

// BIND may list several endpoints, comma-separated (e.g. tcp://0.0.0.0:{{port}}).
const bind = (process.env.BIND ?? 'tcp://127.0.0.1:{{port}}').split(',');

// serve() drains and stops by itself on SIGTERM/SIGINT: in-flight calls finish first.
const server = await serve({{camel}}, { bind });
console.log(`{{name}} listening on ${server.endpoints.join(', ')}`);
