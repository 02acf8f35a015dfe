import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages export their TypeScript sources under this condition,
    // so tests run against src/ without a build step.
    conditions: ['courier-source'],
  },
  // Test files run in the SSR environment, which resolves with its own conditions.
  ssr: { resolve: { conditions: ['courier-source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'tests/**/*.test.ts',
      'examples/**/*.test.ts',
      'docs/examples/**/*.test.ts',
    ],
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts', 'tests/**/*.test-d.ts'],
      tsconfig: './tsconfig.check.json',
    },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    execArgv: ['--conditions=courier-source', '--import', 'tsx'],
  },
});
