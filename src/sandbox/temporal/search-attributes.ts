import { serviceErrors } from './errors';
import { payloadJson, temporal, type IPayload } from './proto';

/** Search attribute types, as the visibility query module names them. */
export type SearchAttributeTypeName = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';
/** A decoded search attribute value; Datetime as an ISO-8601 string. */
export type DecodedSearchAttribute = string | number | boolean | string[];

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const TYPE_BY_ENUM: Record<number, SearchAttributeTypeName> = {
  [IndexedValueType.INDEXED_VALUE_TYPE_TEXT]: 'Text',
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]: 'Keyword',
  [IndexedValueType.INDEXED_VALUE_TYPE_INT]: 'Int',
  [IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE]: 'Double',
  [IndexedValueType.INDEXED_VALUE_TYPE_BOOL]: 'Bool',
  [IndexedValueType.INDEXED_VALUE_TYPE_DATETIME]: 'Datetime',
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST]: 'KeywordList',
};

/** Attributes every namespace has: the system ones and those the SDK itself writes. */
const SYSTEM: Record<string, SearchAttributeTypeName> = {
  WorkflowId: 'Keyword',
  RunId: 'Keyword',
  WorkflowType: 'Keyword',
  ExecutionStatus: 'Keyword',
  TaskQueue: 'Keyword',
  StartTime: 'Datetime',
  CloseTime: 'Datetime',
  ExecutionTime: 'Datetime',
  ExecutionDuration: 'Int',
  HistoryLength: 'Int',
  TemporalChangeVersion: 'KeywordList',
  BinaryChecksums: 'KeywordList',
  BuildIds: 'KeywordList',
  TemporalScheduledById: 'Keyword',
  TemporalScheduledStartTime: 'Datetime',
  TemporalSchedulePaused: 'Bool',
};

/** Custom attributes the dev server pre-registers, so samples that use them work unchanged. */
const DEFAULT_CUSTOM: Record<string, SearchAttributeTypeName> = {
  CustomKeywordField: 'Keyword',
  CustomStringField: 'Text',
  CustomTextField: 'Text',
  CustomIntField: 'Int',
  CustomDoubleField: 'Double',
  CustomBoolField: 'Bool',
  CustomDatetimeField: 'Datetime',
};

/** Converts between the wire enum and type names. */
export function typeFromEnum(value: number | null | undefined): SearchAttributeTypeName | undefined {
  return value == null ? undefined : TYPE_BY_ENUM[value];
}

/** Wire enum for a type name. */
export function enumFromType(type: SearchAttributeTypeName): number {
  return Number(Object.entries(TYPE_BY_ENUM).find(([, t]) => t === type)?.[0] ?? 0);
}

/** The per-namespace registry of search attribute types. */
export class SearchAttributeRegistry {
  private readonly custom = new Map<string, SearchAttributeTypeName>(Object.entries(DEFAULT_CUSTOM));

  /** Type of an attribute, system or custom. */
  typeOf(name: string): SearchAttributeTypeName | undefined {
    return SYSTEM[name] ?? this.custom.get(name);
  }

  /** Registers a custom attribute; re-registering with the same type is a no-op. */
  add(name: string, type: SearchAttributeTypeName): void {
    if (SYSTEM[name]) throw serviceErrors.invalidArgument(`Search attribute ${name} is reserved by system.`);
    const existing = this.custom.get(name);
    if (existing && existing !== type) throw serviceErrors.alreadyExists(`Search attribute ${name} already exists with type ${existing}.`);
    this.custom.set(name, type);
  }

  /** Removes a custom attribute. */
  remove(name: string): void {
    if (!this.custom.delete(name)) throw serviceErrors.notFound(`Search attribute ${name} doesn't exist.`);
  }

  /** System attributes, for ListSearchAttributes. */
  systemAttributes(): Record<string, SearchAttributeTypeName> {
    return { ...SYSTEM };
  }

  /** Custom attributes, for ListSearchAttributes. */
  customAttributes(): Record<string, SearchAttributeTypeName> {
    return Object.fromEntries(this.custom);
  }

  /**
   * Decodes a payload map into typed values. An attribute set at start or upserted is accepted
   * when its payload names its type (the SDK always does) even if it was never registered.
   */
  decode(fields: Record<string, IPayload>): Record<string, DecodedSearchAttribute> {
    const out: Record<string, DecodedSearchAttribute> = {};
    for (const [name, payload] of Object.entries(fields)) {
      const value = decodeValue(payload, this.typeOf(name));
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  /** Names in `fields` that are neither registered nor typed by their payload (the real server rejects them). */
  unknown(fields: Record<string, IPayload>): string[] {
    return Object.entries(fields).filter(([name, p]) => !this.typeOf(name) && !declaredType(p)).map(([name]) => name);
  }

  /** Registers the types that payloads declare, so a later query can name the attribute. */
  learn(fields: Record<string, IPayload>): Array<{ name: string; type: SearchAttributeTypeName }> {
    const learned: Array<{ name: string; type: SearchAttributeTypeName }> = [];
    for (const [name, payload] of Object.entries(fields)) {
      const type = declaredType(payload);
      if (type && !this.typeOf(name)) {
        this.custom.set(name, type);
        learned.push({ name, type });
      }
    }
    return learned;
  }
}

function declaredType(payload: IPayload): SearchAttributeTypeName | undefined {
  const raw = payload.metadata?.type;
  if (!raw) return undefined;
  const name = Buffer.from(raw).toString('utf8');
  return (Object.values(TYPE_BY_ENUM) as string[]).includes(name) ? (name as SearchAttributeTypeName) : undefined;
}

function decodeValue(payload: IPayload, registered: SearchAttributeTypeName | undefined): DecodedSearchAttribute | undefined {
  let value: unknown;
  try {
    value = payloadJson(payload);
  } catch {
    return undefined;
  }
  const type = registered ?? declaredType(payload);
  if (value == null) return undefined;
  if (type === 'KeywordList') return (Array.isArray(value) ? value : [value]).map(String);
  // Older SDKs wrap single values in an array.
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    value = value[0];
  }
  if (type === 'Int' || type === 'Double') return Number(value);
  if (type === 'Bool') return value === true || value === 'true';
  if (type === 'Datetime') return new Date(String(value)).toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}
