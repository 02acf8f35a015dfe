import { readFileSync } from 'node:fs';
import { DEFAULT_METRICS_PORT } from '@courier/metrics';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
// Internal, so this test reads serve()'s real default rather than a copy of it.
import { DEFAULT_GRACE_MS } from '../../packages/core/src/server/options.js';
import { DRAIN_TIMEOUT_MS, METRICS_PORT, PORT, SRV_NAME } from './src/config.js';

/** The manifests, the service's config and the library's defaults must agree. */

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked field by field below
type Doc = any;
const docs: Doc[] = parseAllDocuments(readFileSync(new URL('./k8s.yaml', import.meta.url), 'utf8')).map((d) =>
  d.toJS(),
);
const service = docs.find((d) => d.kind === 'Service');
const deployment = docs.find((d) => d.kind === 'Deployment');
const pod = deployment?.spec.template.spec;
const container = pod?.containers[0];
const containerPort = (name: string): number =>
  container.ports.find((p: { name: string }) => p.name === name).containerPort;

describe('examples/kubernetes', () => {
  it('has a Deployment and a headless Service selecting its pods', () => {
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
  });

  it("names the Service's port so DNS serves the SRV record the client reads", () => {
    const [port] = service.spec.ports;
    expect(port.protocol).toBe('TCP');
    const srv = `_${port.name}._tcp.${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`;
    expect(srv).toBe(SRV_NAME);
    expect(port.port).toBe(PORT);
    expect(containerPort(port.targetPort)).toBe(PORT);
  });

  it('probes /readyz and /healthz on the metrics port', () => {
    expect(METRICS_PORT).toBe(DEFAULT_METRICS_PORT);
    expect(containerPort('metrics')).toBe(METRICS_PORT);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(METRICS_PORT));
  });

  it('lets the pod drain: termination grace longer than the drain timeout', () => {
    expect(DRAIN_TIMEOUT_MS).toBe(DEFAULT_GRACE_MS);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(DRAIN_TIMEOUT_MS);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
  });

  it('builds a multi-stage image that runs plain node on dist/ as a non-root user', () => {
    const dockerfile = readFileSync(new URL('./Dockerfile', import.meta.url), 'utf8');
    const stages = dockerfile.split('\n').filter((l) => l.startsWith('FROM '));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^USER node$/m);
    expect(final).toContain('CMD ["node", "dist/main.js"]');
    expect(final).not.toContain('tsx');
    expect(final).toContain(`EXPOSE ${PORT} ${METRICS_PORT}`);
  });
});
