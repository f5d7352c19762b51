import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { client, failure } from './helpers';

let vault: RunningVaultSandbox;

beforeAll(async () => {
  vault = await start();
});
afterAll(async () => {
  await vault.close();
});

function raw(bytes: string): Promise<string> {
  const url = new URL(vault.address);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes));
    let out = '';
    socket.on('data', (d) => {
      out += d.toString();
    });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(out);
    });
  });
}

const call = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${vault.address}${path}`, { ...init, headers: { 'X-Vault-Token': vault.rootToken, ...(init.headers ?? {}) } });

describe('bad input gets Vault errors and the server keeps serving', () => {
  it('malformed JSON → 400 failed to parse JSON input', async () => {
    const res = await call('/v1/secret/data/x', { method: 'POST', body: '{"data": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: string[] }).errors[0]).toMatch(/^failed to parse JSON input/);
    const notObject = await call('/v1/secret/data/x', { method: 'POST', body: '[1,2]' });
    expect(notObject.status).toBe(400);
  });

  it('unknown path → 404 no handler for route; unknown method → 405', async () => {
    const res = await call('/v1/nowhere/at/all');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errors: ['no handler for route "nowhere/at/all". route entry not found.'] });
    expect((await call('/v1/sys/mounts', { method: 'OPTIONS' })).status).toBe(405);
    expect((await call('/v1/secret/data/x', { method: 'LIST' })).status).toBe(405);
    expect((await call('/not-v1')).status).toBe(404);
  });

  it('garbage on the socket → 400 and the connection closes', async () => {
    const answer = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });

  it('LIST over keep-alive, chunked bodies and pipelined requests are framed correctly', async () => {
    const token = vault.rootToken;
    const body = JSON.stringify({ data: { a: 'chunked' } });
    const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const answer = await raw(
      `POST /v1/secret/data/framing HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}` +
        `LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\n\r\n` +
        `GET /v1/secret/data/framing HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${token}\r\nConnection: close\r\n\r\n`,
    );
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '200', '200']);
    expect(answer).toContain('"keys":["framing"]');
    expect(answer).toContain('"a":"chunked"');
  });

  it('names that exist on Object.prototype are ordinary names', async () => {
    const v = client(vault.address, vault.rootToken);
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect((await failure(v.read(`secret/data/${name}`))).response.statusCode).toBe(404);
      await v.write(`secret/data/${name}`, { data: { name } });
      expect((await v.read(`secret/data/${name}`)).data.data).toEqual({ name });
      expect((await failure(v.transitReadKey({ name }))).response.statusCode).toBe(404);
    }
    expect((await failure(client(vault.address, 'constructor').read('secret/data/constructor'))).response.statusCode).toBe(403);
    expect((await failure(v.write('auth/token/lookup', { token: 'hasOwnProperty' }))).response.statusCode).toBe(403);
  });

  it('still serves node-vault after all that', async () => {
    expect((await client(vault.address, vault.rootToken).read('secret/data/framing')).data.data).toEqual({ a: 'chunked' });
  });
});
