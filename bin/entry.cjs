'use strict';
// Loads one of breachline's entry modules: the compiled one under dist/ when `npm run build` has
// made it from the current sources (fast start), else the TypeScript source through tsx (a clean
// checkout, or sources edited since the build), so a stale build is never run.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const SOURCE_DIRS = ['src', 'workflows', 'activities', 'worker'];
const STAMP = join(ROOT, 'dist', '.build-stamp');

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  if (!existsSync(STAMP)) return false;
  const built = statSync(STAMP).mtimeMs;
  return SOURCE_DIRS.every((dir) => !existsSync(join(ROOT, dir)) || newestSourceMtime(join(ROOT, dir)) <= built);
}

/** Requires `<relative>` (no extension, from the project root): compiled when current, else the source. */
exports.load = function load(relative) {
  if (process.env.BREACHLINE_FROM_SOURCE !== '1' && buildIsCurrent()) return require(join(ROOT, 'dist', `${relative}.js`));
  require('tsx/cjs/api').register();
  return require(join(ROOT, `${relative}.ts`));
};
