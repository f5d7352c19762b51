import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates generated in the test, with the `openssl` CLI: a CA, a server certificate for
 * 127.0.0.1 / localhost signed by it, a client certificate signed by it (for mTLS), and a second,
 * unrelated CA that must not be trusted in place of the first. Each PEM is also written to a file
 * in `dir`, so configuration that takes file names can be tested; `dispose()` removes the files.
 */
export interface TestPki {
  readonly dir: string;
  readonly ca: Pem;
  readonly server: Pem & { key: string; keyFile: string };
  readonly client: Pem & { key: string; keyFile: string };
  /** A CA that signed nothing here: trusting it instead of {@link ca} must fail the handshake. */
  readonly otherCa: Pem;
  dispose(): void;
}

/** A certificate and the file it was written to. */
export interface Pem {
  readonly cert: string;
  readonly certFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}

function makeLeaf(dir: string, name: string, ca: string, ext: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

/** True when the `openssl` CLI can be run (tests that need certificates skip without it). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Generates a fresh {@link TestPki} in a temporary directory. */
export function generateTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'breachline-pki-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  makeLeaf(dir, 'server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:broker.test\nextendedKeyUsage=serverAuth\n');
  makeLeaf(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
  const pem = (name: string): Pem => ({ cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), certFile: join(dir, `${name}.crt`) });
  const withKey = (name: string): Pem & { key: string; keyFile: string } => ({ ...pem(name), key: readFileSync(join(dir, `${name}.key`), 'utf8'), keyFile: join(dir, `${name}.key`) });
  return {
    dir,
    ca: pem('ca'),
    otherCa: pem('other-ca'),
    server: withKey('server'),
    client: withKey('client'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
