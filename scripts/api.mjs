// Writes (`npm run api`) or verifies (`npm run api:check`) the API report of
// every package that has an api-extractor.json: packages/<p>/api/<p>.api.md.
// Both scripts run `tsc -b` first: the reports are made from dist/*.d.ts.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const check = process.argv.includes('--check');
const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages')).filter((p) =>
  existsSync(join(root, 'packages', p, 'api-extractor.json')),
);

let failed = 0;
for (const pkg of packages) {
  const dir = join(root, 'packages', pkg);
  mkdirSync(join(dir, 'api'), { recursive: true });
  const config = ExtractorConfig.loadFileAndPrepare(join(dir, 'api-extractor.json'));
  const result = Extractor.invoke(config, { localBuild: !check });
  if (!result.succeeded) {
    failed++;
    console.error(
      check && result.apiReportChanged
        ? `${pkg}: the public API changed; run \`npm run api\` and commit packages/${pkg}/api/`
        : `${pkg}: api-extractor failed`,
    );
  } else {
    console.log(`${pkg}: ${result.apiReportChanged ? 'report updated' : 'unchanged'}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
