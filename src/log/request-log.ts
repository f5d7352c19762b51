import type { Bindings } from 'pino';
import type { Logger } from './logger';

/** The four levels a request handler logs at, each with bindings and a message. */
export interface RequestLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * A request's logger whose child (with the request's bindings) is made on the first line that the
 * configured level lets through. In an alert storm most requests log nothing at `warn` or `error`,
 * and making a scrubbing child for each of them was a measurable part of an alert's cost.
 */
export function lazyRequestLog(parent: Logger, bindings: Bindings): RequestLog {
  let child: Logger | undefined;
  const at =
    (level: keyof RequestLog) =>
    (fields: object, message: string): void => {
      if (!parent.isLevelEnabled(level)) return;
      child ??= parent.child(bindings);
      child[level](fields, message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
