import { ACL_HANDLERS } from './acls';
import { CONFIG_HANDLERS } from './configs';
import { FETCH_HANDLERS } from './fetch';
import { GROUP_HANDLERS } from './groups';
import { HANDSHAKE_HANDLERS } from './handshake';
import { METADATA_HANDLERS } from './metadata';
import { OFFSET_HANDLERS } from './offsets';
import { PRODUCE_HANDLERS } from './produce';
import { SCRAM_HANDLERS } from './scram';
import { TOPIC_HANDLERS } from './topics';
import type { ApiHandler } from './types';

/** Handler per API key. */
export const HANDLERS: ReadonlyMap<number, ApiHandler> = new Map([
  ...HANDSHAKE_HANDLERS,
  ...METADATA_HANDLERS,
  ...PRODUCE_HANDLERS,
  ...FETCH_HANDLERS,
  ...GROUP_HANDLERS,
  ...OFFSET_HANDLERS,
  ...TOPIC_HANDLERS,
  ...CONFIG_HANDLERS,
  ...ACL_HANDLERS,
  ...SCRAM_HANDLERS,
]);
