import type { IncomingMessage } from 'node:http';
import { IngressError } from './errors';

/**
 * Checks the declared media type. SIEM webhooks send JSON; anything else (form posts, text) is
 * refused before the body is read, so a misconfigured sender learns it at once.
 */
export function requireJsonContentType(header: string | undefined): void {
  const [type = '', ...params] = (header ?? '').split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  const isJson = type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
  if (!isJson || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new IngressError(415, 'unsupported_media_type', `expected Content-Type application/json (UTF-8), got ${header ? JSON.stringify(header) : 'none'}`);
  }
}

/**
 * Reads the request body, refusing it as soon as it exceeds `limitBytes`: a declared
 * Content-Length over the limit is refused before a byte is read, and a chunked body is counted
 * as it streams, so memory never holds more than the limit. After a refusal the rest of the
 * upload is drained and discarded (not buffered) so the client still reads the 413.
 */
export function readBodyWithLimit(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const tooLarge = (): IngressError =>
    new IngressError(413, 'payload_too_large', `request body exceeds the limit of ${limitBytes} bytes`);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) {
        req.on('error', () => undefined);
        req.resume();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        chunks.length = 0;
        finish(tooLarge());
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = (): void => finish();
    const onError = (err: Error): void => finish(err);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
