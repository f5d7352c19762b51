import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { readBodyWithLimit, requireJsonContentType } from '../../../src/ingress/body';
import { IngressError } from '../../../src/ingress/errors';

function status(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof IngressError) return error.status;
    throw error;
  }
}

/** A readable shaped like an IncomingMessage: headers plus streamed chunks. */
function fakeRequest(headers: Record<string, string>, chunks: readonly string[]): IncomingMessage {
  const stream = new PassThrough();
  Object.assign(stream, { headers });
  for (const c of chunks) stream.write(c);
  stream.end();
  return stream as unknown as IncomingMessage;
}

describe('requireJsonContentType', () => {
  it('accepts JSON in UTF-8 (charset optional, case-insensitive, +json suffixes)', () => {
    for (const ct of ['application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset="UTF-8"', 'application/vnd.splunk+json']) {
      expect(status(() => requireJsonContentType(ct))).toBe('ok');
    }
  });
  it('refuses anything else with 415', () => {
    for (const ct of [undefined, '', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/jsonx']) {
      expect(status(() => requireJsonContentType(ct))).toBe(415);
    }
  });
});

describe('readBodyWithLimit', () => {
  it('returns the bytes when within the limit, however chunked', async () => {
    const body = await readBodyWithLimit(fakeRequest({}, ['{"a":', '1}']), 7);
    expect(body.toString()).toBe('{"a":1}');
  });
  it('refuses a declared Content-Length over the limit before reading', async () => {
    await expect(readBodyWithLimit(fakeRequest({ 'content-length': '8' }, ['{"a":12}']), 7)).rejects.toMatchObject({ status: 413 });
  });
  it('refuses a streamed body as soon as it passes the limit', async () => {
    await expect(readBodyWithLimit(fakeRequest({}, ['{"a":', '12}']), 7)).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
  });
});
