import nodeVault from 'node-vault';
import { expect } from 'vitest';

/** A node-vault client for the sandbox; `token` defaults to none. */
export function client(address: string, token?: string): ReturnType<typeof nodeVault> {
  return nodeVault({ endpoint: address, apiVersion: 'v1', ...(token === undefined ? {} : { token }) });
}

/** What node-vault rejects with for a non-2xx answer. */
export interface ApiFailure {
  message: string;
  response: { statusCode: number; body: { errors?: string[] } & Record<string, unknown> };
}

/** Awaits a rejection and returns it as node-vault's ApiResponseError shape. */
export async function failure(promise: Promise<unknown>): Promise<ApiFailure> {
  try {
    await promise;
  } catch (err) {
    expect(err).toHaveProperty('response.statusCode');
    return err as ApiFailure;
  }
  throw new Error('expected the call to fail');
}

/** Base64 of a UTF-8 string, as transit wants plaintext. */
export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
