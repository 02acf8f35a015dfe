# {{name}}

A Courier service, scaffolded by `create-service`.

## Run it

```sh
npm start                 # builds dist/, then runs it with plain node on tcp://127.0.0.1:{{port}} (set BIND to change)
npm run dev               # the same, restarting on changes
```

## Call it

```sh
npx courier call tcp://127.0.0.1:{{port}} {{name}}.greet '{"name":"Ada"}'
npx courier describe tcp://127.0.0.1:{{port}}
npx courier health tcp://127.0.0.1:{{port}}
```

From another service, with types inferred from the definition:

```ts
import { createClient } from '@courier/core';
import { {{camel}} } from '{{package}}/src/service.js';

const client = createClient({{camel}}, { endpoints: ['tcp://127.0.0.1:{{port}}'] });
const { message } = await client.greet({ name: 'Ada' });
```

## Test and measure it

```sh
npm test                  # unit tests: the service runs in-process (inproc://)
npm run typecheck
npm run bench             # throughput and latency percentiles of greet
```

## Deploy it

Run `npm run build`, then `node dist/main.js` (what `npm start` does), with `BIND=tcp://0.0.0.0:{{port}}`, and
security on: `COURIER_SECRET_KEY_FILE` and `COURIER_ALLOWED_KEYS_FILE` pointing at mounted
secrets made with `npx courier keygen` (see Courier's docs/security.md). Without them the
service is plaintext and says so at start-up.
On SIGTERM the service tells its clients it is draining, finishes in-flight calls and exits,
so rolling restarts lose no requests. In Kubernetes, publish the port through a headless
Service; clients find every instance with DNS SRV discovery (`dnsSrv(...)` in @courier/core).
