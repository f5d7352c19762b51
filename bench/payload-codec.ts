/**
 * What payload encryption (issue 15) costs per payload, against the SDK's JSON conversion alone.
 *
 *   npx tsx bench/payload-codec.ts [payloads]      (default 20000)
 *
 * One incident-sized value (an alert plus 40 client rows, ~2.9 kB of JSON) is converted to a
 * payload (the in-run baseline: what every payload costs without the codec), then encoded and
 * decoded one payload per call, as the SDK calls the codec for each activation, against the Vault
 * sandbox. Also: the size added to each payload, and the first decode in a fresh process, which
 * unwraps the data key through Vault transit.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { start as startVault } from '../src/sandbox/vault';
import { VaultPayloadCodec } from '../src/temporal/payload-codec';
import { createVaultSecrets } from '../src/vault';

const ms = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;
const per = (total: number, n: number): string => `${((total * 1000) / n).toFixed(1)} µs/payload`;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 20_000);
  const vault = await startVault({});
  try {
    const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
    const codec = new VaultPayloadCodec({ secrets, transitKey: 'bench-temporal' });
    const value = {
      title: 'report-exporter reads orders at 40x its baseline',
      principal: 'User:report-exporter',
      clients: Array.from({ length: 40 }, (_, i) => ({ accountId: `ACC-${String(i).padStart(7, '0')}`, name: `Client ${i}`, email: `client.${i}@example.com` })),
    };
    await codec.encode([defaultPayloadConverter.toPayload(value)]);

    let t = process.hrtime.bigint();
    let plain: Payload = defaultPayloadConverter.toPayload(value);
    for (let i = 0; i < n; i++) plain = defaultPayloadConverter.toPayload(value);
    const baseline = ms(t);

    const encoded: Payload[] = [];
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) encoded.push(...(await codec.encode([plain])));
    const encodeMs = ms(t);

    t = process.hrtime.bigint();
    for (const p of encoded) await codec.decode([p]);
    const decodeMs = ms(t);

    const fresh = new VaultPayloadCodec({ secrets, transitKey: 'bench-temporal' });
    t = process.hrtime.bigint();
    await fresh.decode([encoded[0] as Payload]);
    const coldMs = ms(t);

    const size = (p: Payload): number => (p.data?.length ?? 0) + Object.entries(p.metadata ?? {}).reduce((s, [k, v]) => s + k.length + (v?.length ?? 0), 0);
    console.log(`payloads                         ${n}, ${size(plain)} B each in clear`);
    console.log(`baseline: JSON to payload        ${baseline.toFixed(0)} ms (${per(baseline, n)})`);
    console.log(`encode (AES-256-GCM)             ${encodeMs.toFixed(0)} ms (${per(encodeMs, n)}), ${codec.dataKeysIssued} data key(s) from Vault`);
    console.log(`decode (data key cached)         ${decodeMs.toFixed(0)} ms (${per(decodeMs, n)})`);
    console.log(`first decode, fresh process      ${coldMs.toFixed(1)} ms (one transit decrypt)`);
    console.log(`bytes added per payload          ${size(encoded[0] as Payload) - size(plain)} B (nonce, tag, wrapped key and metadata)`);
  } finally {
    await vault.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
