import { describe, expect, it } from 'vitest';
import { Acl } from '../../../src/sandbox/vault/acl';
import { VaultApiError } from '../../../src/sandbox/vault/errors';
import { parseHcl } from '../../../src/sandbox/vault/hcl';
import { parsePolicy } from '../../../src/sandbox/vault/policy';

describe('HCL subset', () => {
  it('reads blocks, labels, lists, nested objects and all comment styles', () => {
    const body = parseHcl(`
      # hash comment
      // slash comment
      /* block
         comment */
      path "secret/data/*" {
        capabilities = ["read", "list"]
        allowed_parameters = { "ttl" = [] }
      }
      name = "x"
    `);
    expect(body.items.map((i) => [i.key, i.labels, i.isBlock])).toEqual([
      ['path', ['secret/data/*'], true],
      ['name', [], false],
    ]);
  });

  it('reports where it stopped instead of crashing', () => {
    expect(() => parseHcl('path "x" { capabilities = ["read" }')).toThrow(/line 1/);
    expect(() => parseHcl('path "x" {')).toThrow(/missing "}"/);
    expect(() => parseHcl('path "unterminated')).toThrow(/unterminated string/);
  });
});

describe('policy parsing', () => {
  it('accepts HCL, JSON and the legacy policy word', () => {
    const hcl = parsePolicy('a', 'path "secret/*" { capabilities = ["READ", "list"] }');
    expect(hcl.rules).toEqual([{ pattern: 'secret/*', capabilities: ['read', 'list'] }]);
    const json = parsePolicy('b', JSON.stringify({ path: { 'secret/x': { capabilities: ['update'] } } }));
    expect(json.rules).toEqual([{ pattern: 'secret/x', capabilities: ['update'] }]);
    const legacy = parsePolicy('c', 'path "old/*" { policy = "write" }');
    expect(legacy.rules[0]?.capabilities).toEqual(['create', 'read', 'update', 'delete', 'list']);
  });

  it('rejects unknown capabilities and keys with a 400', () => {
    for (const text of ['path "x" { capabilities = ["fly"] }', 'other "x" {}', 'path "x" { capabilities = "read" }']) {
      try {
        parsePolicy('bad', text);
        throw new Error('should not parse');
      } catch (err) {
        expect(err).toBeInstanceOf(VaultApiError);
        expect((err as VaultApiError).status).toBe(400);
      }
    }
  });
});

describe('ACL evaluation', () => {
  const acl = (...texts: string[]): Acl => new Acl(texts.map((t, i) => parsePolicy(`p${i}`, t)), false);

  it('exact beats glob; longer literal prefix beats shorter', () => {
    const a = acl('path "secret/*" { capabilities = ["read"] }', 'path "secret/data/app" { capabilities = ["update"] }', 'path "secret/data/*" { capabilities = ["list"] }');
    expect(a.capabilities('secret/data/app')).toEqual(['update']);
    expect(a.capabilities('secret/data/other')).toEqual(['list']);
    expect(a.capabilities('secret/meta')).toEqual(['read']);
    expect(a.capabilities('other')).toEqual(['deny']);
  });

  it('+ matches exactly one segment and ranks below a literal at that position', () => {
    const a = acl('path "auth/approle/role/+/secret-id" { capabilities = ["list"] }', 'path "auth/approle/role/admin/secret-id" { capabilities = ["deny"] }');
    expect(a.allows('auth/approle/role/orders/secret-id', 'list', false)).toBe(true);
    expect(a.allows('auth/approle/role/orders/x/secret-id', 'list', false)).toBe(false);
    expect(a.allows('auth/approle/role/admin/secret-id', 'list', false)).toBe(false);
  });

  it('merges the same pattern across policies, and deny wins', () => {
    const merged = acl('path "kv/x" { capabilities = ["read"] }', 'path "kv/x" { capabilities = ["update"] }');
    expect(merged.capabilities('kv/x')).toEqual(['read', 'update']);
    const denied = acl('path "kv/x" { capabilities = ["read", "sudo"] }', 'path "kv/x" { capabilities = ["deny"] }');
    expect(denied.allows('kv/x', 'read', false)).toBe(false);
  });

  it('sudo is needed on root-protected paths; root allows everything', () => {
    const a = acl('path "auth/token/accessors" { capabilities = ["list"] }');
    expect(a.allows('auth/token/accessors', 'list', true)).toBe(false);
    expect(acl('path "auth/token/accessors" { capabilities = ["list", "sudo"] }').allows('auth/token/accessors', 'list', true)).toBe(true);
    expect(new Acl([], true).allows('sys/seal', 'update', true)).toBe(true);
  });
});
