import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from './errors.js';
import { MetricNames } from './names.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it.each(Object.values(MetricNames))('documents %s', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });

  it.each(Object.keys(errorCodes))('documents error code %s', (code) => {
    expect(readme).toContain(`\`${code}\``);
  });
});
