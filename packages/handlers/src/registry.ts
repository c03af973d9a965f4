import { CronfleetError } from '@cronfleet/core';
import { assertHandlerName, type HandlerDefinition } from './define.js';
import { formatPayloadError, payloadErrorMap } from './issues.js';

export type ParsePayloadResult = { ok: true; payload: unknown } | { ok: false; message: string };

export interface HandlerRegistry {
  get(name: string): HandlerDefinition | undefined;
  /** Sorted. */
  names(): string[];
  /**
   * Validates a payload: `{ ok: true, payload }` (defaults applied) or
   * `{ ok: false, message }` where message names each bad field path and
   * problem, e.g. `payload.ms: expected an integer, got string`, joined with '; '.
   * An unknown handler name is reported the same way, with UnknownHandlerError's message.
   */
  parsePayload(name: string, payload: unknown): ParsePayloadResult;
}

/** A schedule names a handler that no worker has registered. */
export class UnknownHandlerError extends CronfleetError {
  readonly handler: string;

  constructor(handler: string, registered: readonly string[], options?: { cause?: unknown }) {
    const list = registered.length > 0 ? registered.join(', ') : '(none)';
    super('unknown_handler', `unknown handler "${handler}"; registered handlers: ${list}`, options);
    this.handler = handler;
  }
}

export function createRegistry(handlers: readonly HandlerDefinition[]): HandlerRegistry {
  const byName = new Map<string, HandlerDefinition>();
  for (const handler of handlers) {
    assertHandlerName(handler.name);
    if (byName.has(handler.name)) {
      throw new Error(
        `duplicate handler name "${handler.name}": each handler must be registered once`,
      );
    }
    byName.set(handler.name, handler);
  }
  const sorted = [...byName.keys()].sort();

  return {
    get: (name) => byName.get(name),
    names: () => [...sorted],
    parsePayload(name, payload) {
      const handler = byName.get(name);
      if (!handler) return { ok: false, message: new UnknownHandlerError(name, sorted).message };
      const parsed = handler.payload.safeParse(payload, {
        error: payloadErrorMap,
        reportInput: true,
      });
      return parsed.success
        ? { ok: true, payload: parsed.data }
        : { ok: false, message: formatPayloadError(parsed.error) };
    },
  };
}
