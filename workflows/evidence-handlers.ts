import { setHandler } from '@temporalio/workflow';
import { evidenceExportUpdate, evidenceProgressQuery } from './api';
import { nowIso, type Run } from './context';

/**
 * Evidence handlers (issue 13): the progress query, and the export update that records an export
 * (a decrypted one with its authorising DPO) on the audit topic before the CLI writes the archive.
 * New handlers only: no command of the playbook changes, so no patch.
 */
export function registerEvidenceHandlers(run: Run): void {
  setHandler(evidenceProgressQuery, () => run.evidenceProgress ?? null);
  setHandler(
    evidenceExportUpdate,
    async (r) => {
      const authorisedBy = r.authorisedBy?.trim() ? r.authorisedBy.trim() : null;
      run.ledger.commit({
        type: 'EvidenceExported',
        at: nowIso(),
        actor: { kind: 'user', id: authorisedBy ?? 'cli' },
        data: { decrypted: r.decrypted, authorisedBy, archiveSha256: r.archiveSha256, manifests: r.manifests, records: r.records },
      });
      // On the audit topic before the caller hands anything out.
      await run.ledger.flush();
      return { message: r.decrypted ? `Decrypted export authorised by ${authorisedBy ?? ''} recorded.` : 'Export recorded.' };
    },
    {
      validator: (r) => {
        if (run.ledger.open.status === 'closed') throw new Error('the incident is closed: its audit chain is sealed, so an export cannot be recorded');
        if (r.decrypted && !r.authorisedBy?.trim()) throw new Error('a decrypted export needs --authorised-by <dpo>');
        if (!/^[0-9a-f]{64}$/.test(r.archiveSha256)) throw new Error('archiveSha256 must be 64 hex digits');
        if (!Number.isInteger(r.manifests) || r.manifests < 0 || !/^\d+$/.test(r.records)) throw new Error('manifests and records must be counts');
      },
    },
  );
}
