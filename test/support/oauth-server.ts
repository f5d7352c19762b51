import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Signs an HS256 JWT (or an unsecured one with `key` undefined) for tests. */
export function signJwt(claims: Record<string, unknown>, key: string | undefined): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = enc({ alg: key === undefined ? 'none' : 'HS256', typ: 'JWT' });
  const body = enc(claims);
  const sig = key === undefined ? '' : createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** A running test OAuth 2.0 authorization server. */
export interface TestOAuthServer {
  readonly tokenUrl: string;
  /** Client-credentials grants answered with a token so far. */
  readonly issued: number;
  close(): Promise<void>;
}

/**
 * An OAuth 2.0 token endpoint for the client-credentials grant (RFC 6749 §4.4): checks HTTP Basic
 * client authentication and answers HS256 JWTs whose `sub` is the client id, valid `lifetimeS`.
 */
export async function startOAuthServer(options: { clientId: string; clientSecret: string; key: string; audience: string; lifetimeS: number }): Promise<TestOAuthServer> {
  let issued = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const [id, secret] = Buffer.from(basic ?? '', 'base64').toString('utf8').split(':').map(decodeURIComponent);
      const form = new URLSearchParams(body);
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials') {
        res.writeHead(400).end(JSON.stringify({ error: 'unsupported_grant_type' }));
        return;
      }
      if (id !== options.clientId || secret !== options.clientSecret) {
        res.writeHead(401).end(JSON.stringify({ error: 'invalid_client' }));
        return;
      }
      issued += 1;
      const now = Math.floor(Date.now() / 1000);
      const token = signJwt({ sub: id, aud: options.audience, iat: now, exp: now + options.lifetimeS, jti: String(issued) }, options.key);
      res.writeHead(200).end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: options.lifetimeS }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenUrl: `http://127.0.0.1:${port}/oauth2/token`,
    get issued() {
      return issued;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
