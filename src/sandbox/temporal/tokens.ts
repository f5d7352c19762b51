import { serviceErrors } from './errors';

/**
 * Task tokens are opaque to workers. Ours name the run, the scheduling event and the attempt, so a
 * token stays meaningful across a server restart: a worker that finishes a task while the server
 * was down completes it when the server is back.
 */
export type TaskToken =
  | { t: 'wft'; ns: string; rid: string; sid: number; attempt: number }
  | { t: 'act'; ns: string; rid: string; sid: number; attempt: number }
  | { t: 'query'; id: string };

/** Encodes a token for the wire. */
export function encodeToken(token: TaskToken): Uint8Array {
  return Buffer.from(JSON.stringify(token), 'utf8');
}

/** Decodes a token; INVALID_ARGUMENT if it is not one of ours (as the real server answers). */
export function decodeToken(raw: Uint8Array | null | undefined): TaskToken {
  if (!raw || raw.length === 0) throw serviceErrors.invalidArgument('Task token not set on request.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw serviceErrors.invalidArgument('Error deserializing task token.');
  }
  const t = parsed as Partial<TaskToken> | null;
  if (!t || typeof t !== 'object') throw serviceErrors.invalidArgument('Error deserializing task token.');
  if ((t.t === 'wft' || t.t === 'act') && typeof t.rid === 'string' && typeof t.ns === 'string' && typeof t.sid === 'number' && typeof t.attempt === 'number') {
    return t as TaskToken;
  }
  if (t.t === 'query' && typeof t.id === 'string') return t as TaskToken;
  throw serviceErrors.invalidArgument('Error deserializing task token.');
}
