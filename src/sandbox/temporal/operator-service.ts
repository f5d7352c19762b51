import type { Engine } from './engine';
import { serviceErrors } from './errors';
import { temporal } from './proto';
import { enumFromType, typeFromEnum } from './search-attributes';
import type { RpcHandler } from './server';

type OS = typeof temporal.api.operatorservice.v1;
type Req<K extends keyof OS> = OS[K] extends { create(p?: infer P): unknown } ? P : never;

/** OperatorService handlers: custom search attribute registration, served on the same port. */
export function operatorServiceHandlers(engine: Engine): Record<string, RpcHandler> {
  const namespace = (name: string | null | undefined): string => engine.existingNamespace(name || 'default').name;
  const handlers = {
    AddSearchAttributes: (req: Req<'AddSearchAttributesRequest'>) => {
      const ns = namespace(req.namespace);
      const registry = engine.namespace(ns).searchAttributes;
      for (const [name, value] of Object.entries(req.searchAttributes ?? {})) {
        const type = typeFromEnum(value);
        if (!type) throw serviceErrors.invalidArgument(`Unknown search attribute type ${String(value)} for ${name}.`);
        registry.add(name, type);
        engine.record({ k: 'sa', ns, name, type });
      }
      return {};
    },
    RemoveSearchAttributes: (req: Req<'RemoveSearchAttributesRequest'>) => {
      const ns = namespace(req.namespace);
      const registry = engine.namespace(ns).searchAttributes;
      for (const name of req.searchAttributes ?? []) {
        registry.remove(name);
        engine.record({ k: 'saRemove', ns, name });
      }
      return {};
    },
    ListSearchAttributes: (req: Req<'ListSearchAttributesRequest'>) => {
      const registry = engine.namespace(namespace(req.namespace)).searchAttributes;
      const asEnums = (m: Record<string, Parameters<typeof enumFromType>[0]>): Record<string, number> =>
        Object.fromEntries(Object.entries(m).map(([k, t]) => [k, enumFromType(t)]));
      return { systemAttributes: asEnums(registry.systemAttributes()), customAttributes: asEnums(registry.customAttributes()), storageSchema: {} };
    },
  };
  return handlers as Record<string, RpcHandler>;
}
