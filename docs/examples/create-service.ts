// The TypeScript example of packages/create-service/README.md: scaffolding from code.
// Run it: npx tsx --conditions=courier-source docs/examples/create-service.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidNameError, scaffold, TargetNotEmptyError } from '@courier/create-service';

const parent = await mkdtemp(join(tmpdir(), 'courier-scaffold-'));
try {
  const result = await scaffold({ directory: join(parent, 'geo-ip'), compute: true, port: 7010 });
  console.log(result.names); // { name: 'geo-ip', camel: 'geoIp', packageName: 'geo-ip' }
  console.log(result.files); // [ '.gitignore', 'README.md', 'bench/bench.ts', 'package.json', ... ]
  console.log(result.workspaceRoot); // undefined: outside the Courier repository

  await scaffold({ directory: join(parent, 'geo-ip') }); // the directory is not empty now
} catch (err) {
  if (err instanceof TargetNotEmptyError || err instanceof InvalidNameError) console.log(err.message);
  else throw err;
} finally {
  await rm(parent, { recursive: true, force: true });
}
