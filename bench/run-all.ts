/**
 * Runs every benchmark in this folder, one process each so one benchmark's warm caches and
 * sockets never flatter the next. Each prints its own figures and in-run baseline.
 * Usage: `npm run bench [-- name…]` (names without `.ts`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = __dirname;
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts' && !f.startsWith('_'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
  .sort();

let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
if (failed > 0) {
  process.stderr.write(`${failed} benchmark(s) failed\n`);
  process.exitCode = 1;
}
