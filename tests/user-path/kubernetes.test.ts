/**
 * examples/kubernetes agrees with the code it deploys: the ports and the
 * SRV name the client's discovery reads, the probe paths the metrics
 * endpoint serves, and a grace period the default drain fits in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMetrics, DEFAULT_METRICS_PORT } from '@courier/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_GRACE_MS } from '../../packages/core/src/server/options.js';
import { scaffold } from '../../packages/create-service/src/scaffold.js';

const DIR = fileURLToPath(new URL('../../examples/kubernetes/', import.meta.url));
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

interface Port {
  name: string;
  containerPort?: number;
  port?: number;
  protocol: string;
  targetPort?: string;
}
const deployment = parse(read('deployment.yaml'));
const service = parse(read('service.yaml'));
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
const containerPort = (name: string): Port => container.ports.find((p: Port) => p.name === name);

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('examples/kubernetes', () => {
  it('the headless Service publishes the SRV name the README gives the client', () => {
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    const [port] = service.spec.ports as Port[];
    expect(port!.targetPort).toBe(port!.name);
    expect(containerPort(port!.name).containerPort).toBe(port!.port);
    const srv = `_${port!.name}._${port!.protocol.toLowerCase()}.${service.metadata.name}.default.svc.cluster.local`;
    expect(read('README.md')).toContain(`dnsSrv('${srv}')`);
    expect(read('service.yaml')).toContain(`dnsSrv('${srv}')`);
  });

  it('the Courier port is the one the scaffold and main.ts default to, bound on every interface', async () => {
    const courier = containerPort('courier');
    expect(env.BIND).toBe(`tcp://0.0.0.0:${courier.containerPort}`);
    expect(read('main.ts')).toContain(`'tcp://127.0.0.1:${courier.containerPort}'`);
    const { mkdtemp, rm, readFile } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/courier-k8s-');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await scaffold({ directory: join(dir, 'svc') });
    expect(await readFile(join(dir, 'svc/src/main.ts'), 'utf8')).toContain(
      `tcp://127.0.0.1:${courier.containerPort}`,
    );
  });

  it('the probes hit paths the metrics endpoint serves, on its default port', async () => {
    const metricsPort = containerPort('metrics');
    expect(metricsPort.containerPort).toBe(DEFAULT_METRICS_PORT);
    expect(Number(env.METRICS_PORT)).toBe(DEFAULT_METRICS_PORT);
    expect(env.METRICS_HOST).toBe('0.0.0.0');
    expect(container.readinessProbe.httpGet.port).toBe('metrics');
    expect(container.livenessProbe.httpGet.port).toBe('metrics');
    const metrics = createMetrics();
    cleanup.push(() => metrics.close());
    const http = await metrics.listen({ port: 0 });
    // Ready needs a started server, so no server here means 503: the path exists and reports readiness.
    expect((await fetch(`${http.url}${container.readinessProbe.httpGet.path}`)).status).toBe(503);
    expect((await fetch(`${http.url}${container.livenessProbe.httpGet.path}`)).status).toBe(200);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
  });

  it('the CURVE keys come from an optional Secret, under the names serverSecurityFromEnv reads', () => {
    for (const name of ['COURIER_SECRET_KEY', 'COURIER_ALLOWED_KEYS']) {
      const entry = container.env.find((e: { name: string }) => e.name === name);
      expect(entry?.valueFrom?.secretKeyRef).toMatchObject({ name: 'hello-curve', optional: true });
    }
    expect(read('main.ts')).toContain('serverSecurityFromEnv()');
  });

  it('the grace period outlasts the drain and the exit backstop', () => {
    expect(Number(env.GRACE_MS)).toBe(DEFAULT_GRACE_MS);
    // serve()'s drain, then up to 5 s more for clients and listeners (the coordinator's backstop).
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(DEFAULT_GRACE_MS + 5_000);
  });

  it('the image is multi-stage, runs dist/ with plain node, as a non-root user', () => {
    const dockerfile = read('Dockerfile');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/kubernetes\/main\.js"\]$/m);
    expect(runtime).not.toMatch(/tsx|typescript/);
    expect(runtime).toContain(`BIND=tcp://0.0.0.0:${containerPort('courier').containerPort}`);
    expect(runtime).toContain(`GRACE_MS=${DEFAULT_GRACE_MS}`);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    // The tsconfig the Dockerfile compiles with emits main.ts where CMD looks for it.
    const tsconfig = JSON.parse(read('tsconfig.build.json'));
    expect(tsconfig.compilerOptions.outDir).toBe('dist');
    expect(tsconfig.compilerOptions.rootDir).toBe('..');
  });
});
