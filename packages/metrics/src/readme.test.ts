import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MetricsErrorCode } from './errors.js';
import { MetricNames } from './names.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it.each(Object.values(MetricNames))('documents %s', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });

  it.each(['ERR_COURIER_METRICS_REGISTERED', 'ERR_COURIER_METRICS_CLOSED'] satisfies MetricsErrorCode[])(
    'documents error code %s',
    (code) => {
      expect(readme).toContain(`\`${code}\``);
    },
  );
});
