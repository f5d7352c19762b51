import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { SECURITY_HEADERS } from './http-kit';

/** Content types of what Vite emits. */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The answer when the front end has not been built. */
export const NOT_BUILT = 'console front end not built (npm run build)';

/**
 * Serves the built front end (`dist/console/`): the file asked for when it exists inside the
 * directory, else `index.html` (the page routes by its URL fragment). Paths that climb out of the
 * directory never reach the disk. Vite's hashed assets under `assets/` may be cached for good;
 * everything else is revalidated.
 */
export async function serveStatic(dir: string, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain' });
    res.end('method not allowed');
    return;
  }
  const index = join(dir, 'index.html');
  if (!(await isFile(index))) {
    res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(NOT_BUILT);
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = '/';
  }
  const candidate = normalize(join(dir, decoded));
  const inside = candidate === dir || candidate.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  const file = inside && !decoded.includes('\0') && (await isFile(candidate)) ? candidate : index;
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const immutable = file !== index && decoded.startsWith('/assets/');
  const size = (await stat(file)).size;
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': size, 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
