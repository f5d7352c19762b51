/*
 * ACL APIs, version 1 (Describe/Create/DeleteAcls): as version 0, plus resource_pattern_type INT8
 * (LITERAL 3, PREFIXED 4; filters also ANY 1, MATCH 2) right after resource_name in every
 * binding, filter and matching entry.
 */
import { codec } from './v0';

/** Version 1 codecs. */
export const v1 = codec(true);
