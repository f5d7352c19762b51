import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EVIDENCE_SIGNING_KEY } from '../../audit/evidence-manifest';
import { buildExport, readEvidenceFromKafka, readExport } from '../../audit/evidence-export';
import { checkProof, proveRecord, verifyEvidence, type EvidenceReport, type EvidenceSet, type InclusionProof } from '../../audit/evidence-verify';
import { loadConfig } from '../../config/config';
import { ed25519FromRaw, type PublicKeyRing } from '../../domain/audit-checkpoint';
import type { SecretsPort } from '../../vault/port';
import { evidenceExportUpdate, type EvidenceExportRequest } from '../../../workflows/api';
import { configuredVault, kafkaFor, print, resolveConnection, withConnectionOptions, type ConnectionFlags } from './audit';
import { parsePublicKeys, publicKeysExport } from './audit-trust';
import { commandClient } from './temporal-client';

/**
 * `breachline evidence verify | export | prove | check-proof` (issue 13). Evidence is read from the
 * evidence topics the incident's audit events name (Kafka and Vault found as `audit verify` finds
 * them), or from an export archive (`--archive`). Verify exits 1 on any problem; decrypting needs
 * `decrypt` on the transit key in Vault (`--decrypt`), hash-only verification needs no key at all.
 */

interface EvidenceFlags extends ConnectionFlags {
  archive?: string;
  publicKey?: string;
  signingKey?: string;
  decrypt?: boolean;
  json?: boolean;
}

async function evidenceSet(id: string, flags: EvidenceFlags): Promise<{ set: EvidenceSet; archiveKey?: string }> {
  if (flags.archive !== undefined) {
    const { set, publicKey } = readExport(await readFile(flags.archive), id);
    return { set, ...(publicKey !== undefined ? { archiveKey: publicKey } : {}) };
  }
  const { connection, topic } = await resolveConnection(flags);
  return { set: await readEvidenceFromKafka(kafkaFor(connection), topic, id) };
}

/** Trusted keys: `--public-key`, else Vault, else (archives only) the archive's own key, said so. */
async function trustedKeys(flags: EvidenceFlags, secrets: SecretsPort | undefined, archiveKey: string | undefined): Promise<{ keys?: PublicKeyRing; source: string }> {
  if (flags.publicKey !== undefined) return { keys: parsePublicKeys(await readFile(flags.publicKey, 'utf8')), source: flags.publicKey };
  if (secrets !== undefined) {
    const info = await secrets.publicKeys(flags.signingKey ?? EVIDENCE_SIGNING_KEY).catch(() => undefined);
    if (info !== undefined) return { keys: new Map(Object.entries(info.publicKeys).map(([n, raw]) => [Number(n), ed25519FromRaw(raw)])), source: 'Vault' };
  }
  if (archiveKey !== undefined) return { keys: parsePublicKeys(archiveKey), source: 'the archive itself (pass --public-key to trust a key you obtained independently)' };
  return { source: 'none' };
}

function unwrapper(secrets: SecretsPort | undefined): (transitKey: string, wrappedKey: string) => Promise<Buffer> {
  if (secrets === undefined) throw new Error('--decrypt needs Vault: set BREACHLINE_VAULT_ADDRESS and BREACHLINE_VAULT_TOKEN');
  return (transitKey, wrappedKey) => secrets.decrypt(transitKey, wrappedKey);
}

function printReport(r: EvidenceReport, keySource: string): void {
  print(`evidence of ${r.incidentId}: ${r.manifests} manifest(s), ${r.chunks} chunk(s), ${r.records} records` + (r.legacyRecords > 0 ? `, ${r.legacyRecords} in the legacy per-record format (chain checked only)` : ''));
  for (const p of r.partitions) print(`  ${p.ok ? 'ok    ' : 'BROKEN'} ${p.topic}/${p.partition}: ${p.records} records in ${p.chunks} chunks, Merkle root ${p.merkleRoot}`);
  print(`signatures: ${r.signaturesChecked ? `checked (key from ${keySource})` : 'NOT checked (no public key)'}; records: ${r.decrypted ? 'decrypted and re-hashed' : 'hash-only (no --decrypt)'}`);
  if (r.ok) print('evidence intact');
  else if (r.problems.length === 0) print('FAILED: no evidence found for this incident');
  for (const p of r.problems) print(`FAILED ${p.kind}: ${p.message}`);
}

/**
 * A decrypted export needs the DPO's authorisation: with roles configured (`roles`), the
 * authoriser must hold `dpo` there; without roles there is no one to check against, so the id is
 * recorded as given.
 */
function checkAuthoriser(by: string): void {
  const { roles } = loadConfig();
  if (Object.keys(roles).length > 0 && roles[by] !== 'dpo') throw new Error(`--authorised-by ${by}: not a DPO in the configured roles; a decrypted export needs the DPO's authorisation`);
}

/**
 * Records an export on the incident (a Temporal Update); refuses a decrypted export it cannot record.
 * The client carries the payload codec like every other client: the request names the DPO and the
 * archive, and must reach the journal encrypted (and a worker with the codec could not read it otherwise).
 */
async function recordExport(id: string, request: EvidenceExportRequest, stateFile?: string): Promise<string> {
  const { client, close } = await commandClient(stateFile, 'to record the export on');
  try {
    const answer = await client.workflow.getHandle(id).executeUpdate(evidenceExportUpdate, { args: [request] });
    return answer.message;
  } finally {
    await close();
  }
}

/** Registers the `evidence` commands. */
export function registerEvidenceCommands(program: Command): void {
  const evidence = program.command('evidence').description('preserved evidence: verify, export for a regulator or court, prove one record');
  withConnectionOptions(
    evidence
      .command('verify <incident>')
      .description('check every chunk against its signed manifest: chain, Merkle root, signature, gaps, duplicates (exit 1 on any problem)')
      .option('--archive <file>', 'verify an export archive instead of the evidence topics')
      .option('--decrypt', 'also decrypt every chunk (needs decrypt on the transit key) and re-hash each record')
      .option('--public-key <file>', 'trusted public key of the manifest signing key (Vault export JSON or PEM)')
      .option('--signing-key <name>', `transit key name (default ${EVIDENCE_SIGNING_KEY})`)
      .option('--json', 'machine-readable output'),
  ).action(async (id: string, flags: EvidenceFlags) => {
    const secrets = await configuredVault(flags.stateFile);
    const { set, archiveKey } = await evidenceSet(id, flags);
    const { keys, source } = await trustedKeys(flags, secrets, archiveKey);
    const report = await verifyEvidence(set, { ...(keys !== undefined ? { keys } : {}), ...(flags.decrypt ? { unwrap: unwrapper(secrets) } : {}) });
    if (flags.json) print(JSON.stringify(report));
    else printReport(report, source);
    if (!report.ok) process.exitCode = 1;
  });

  withConnectionOptions(
    evidence
      .command('export <incident>')
      .description('write a self-contained archive (manifests, chunks, public key, README) for a regulator or a court')
      .requiredOption('--out <file>', 'archive to write (ustar)')
      .option('--decrypt', 'include the records in clear (needs --authorised-by; recorded on the audit topic first)')
      .option('--authorised-by <dpo>', "the DPO's user id authorising a decrypted export")
      .option('--signing-key <name>', `transit key name (default ${EVIDENCE_SIGNING_KEY})`),
  ).action(async (id: string, flags: EvidenceFlags & { out: string; authorisedBy?: string }) => {
    if (flags.decrypt && !flags.authorisedBy?.trim()) throw new Error('--decrypt needs --authorised-by <dpo>: a decrypted export is recorded with who authorised it');
    if (flags.decrypt) checkAuthoriser((flags.authorisedBy ?? '').trim());
    const secrets = await configuredVault(flags.stateFile);
    if (secrets === undefined) throw new Error('no Vault configured: the export carries the signing public key from Vault');
    const { set } = await evidenceSet(id, flags);
    const publicKey = publicKeysExport(await secrets.publicKeys(flags.signingKey ?? EVIDENCE_SIGNING_KEY));
    const built = await buildExport(set, { publicKey, ...(flags.decrypt ? { decrypt: { unwrap: unwrapper(secrets), authorisedBy: (flags.authorisedBy ?? '').trim() } } : {}) });
    if (built.manifests === 0) throw new Error(`no signed evidence manifests for incident ${id}`);
    const request: EvidenceExportRequest = { decrypted: flags.decrypt === true, authorisedBy: flags.authorisedBy?.trim() || null, archiveSha256: built.sha256, manifests: built.manifests, records: built.records };
    if (flags.decrypt) {
      // Recorded before anything in clear is written: no record, no decrypted export.
      print(await recordExport(id, request, flags.stateFile));
    } else {
      const note = await recordExport(id, request, flags.stateFile).catch((err: unknown) => `export not recorded on the incident: ${(err as Error).message}`);
      print(note);
    }
    await writeFile(flags.out, built.archive);
    print(`wrote ${flags.out}: ${built.manifests} manifest(s), ${built.chunks} chunk(s), ${built.records} records${flags.decrypt ? ' (DECRYPTED)' : ''}, sha256 ${built.sha256}`);
  });

  withConnectionOptions(
    evidence
      .command('prove <incident> <topic> <partition> <offset>')
      .description('a Merkle inclusion proof of one source record, checkable with `evidence check-proof`')
      .option('--archive <file>', 'prove from an export archive instead of the evidence topics')
      .option('--out <file>', 'write the proof (JSON) here instead of stdout'),
  ).action(async (id: string, topic: string, partition: string, offset: string, flags: EvidenceFlags & { out?: string }) => {
    if (!/^\d+$/.test(partition) || !/^\d+$/.test(offset)) throw new Error('partition and offset must be non-negative integers');
    const { set } = await evidenceSet(id, flags);
    const proof = proveRecord(set, topic, Number(partition), BigInt(offset));
    const text = `${JSON.stringify(proof, null, 2)}\n`;
    if (flags.out !== undefined) {
      await writeFile(flags.out, text);
      print(`proof of ${topic}/${partition}@${offset}: leaf ${proof.leafIndex} of ${proof.treeSize}, ${proof.path.length} hashes, root ${proof.manifest.merkleRoot}`);
    } else process.stdout.write(text);
  });

  evidence
    .command('check-proof <file>')
    .description('check a proof: audit path to the signed Merkle root and the manifest signature (exit 1 on failure)')
    .option('--public-key <file>', 'trusted public key of the manifest signing key (Vault export JSON or PEM)')
    .option('--record-hash <hex>', 'the SHA-256 of the record as you computed it from the original (docs/evidence-format.md §3)')
    .option('--state-file <path>', 'a running `breachline start` whose Vault to ask for the public key')
    .action(async (file: string, flags: { publicKey?: string; recordHash?: string; stateFile?: string; signingKey?: string }) => {
      const proof = JSON.parse(await readFile(file, 'utf8')) as InclusionProof;
      const { keys, source } = await trustedKeys(flags, await configuredVault(flags.stateFile), undefined);
      const verdict = checkProof(proof, keys, flags.recordHash?.toLowerCase());
      if (verdict.ok) print(`proof holds: ${proof.topic}/${proof.partition}@${proof.offset} is leaf ${proof.leafIndex} of the manifest signed with the key from ${source}`);
      for (const p of verdict.problems) print(`FAILED: ${p}`);
      if (!verdict.ok) process.exitCode = 1;
    });
}
