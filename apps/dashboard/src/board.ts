/**
 * Bull Board at /queues, behind the dashboard's auth. Two boards share the
 * path: operators get the full board, viewers a read-only one (its buttons
 * hidden, its queue refusing changes). A route constraint picks the board per
 * request from the caller's role, so both roles use the same URLs; the guard
 * also refuses every non-GET from a viewer before any board sees it.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { RunQueue } from '@cronfleet/queue';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Authenticator } from './auth.js';

export const BOARD_PATH = '/queues';
const CONSTRAINT = 'boardAccess';
type Access = 'full' | 'read-only';
const ACCESS_VALUES: readonly string[] = ['full', 'read-only'];

/** The router constraint that tells the two boards apart ('none' matches neither). */
export function boardAccessConstraint(auth: Authenticator) {
  return {
    name: CONSTRAINT,
    storage() {
      const handlers = new Map<string, unknown>();
      return {
        get: (value: string) => (handlers.get(value) ?? null) as never,
        set: (value: string, handler: unknown) => void handlers.set(value, handler),
      };
    },
    deriveConstraint(req: IncomingMessage): string {
      const principal = auth.resolve(req).principal;
      if (!principal) return 'none';
      return principal.role === 'operator' ? 'full' : 'read-only';
    },
    validate(value: unknown) {
      if (typeof value !== 'string' || !ACCESS_VALUES.includes(value)) {
        throw new Error(`${CONSTRAINT} must be one of ${ACCESS_VALUES.join(', ')}`);
      }
    },
  };
}

async function mountBoard(
  app: FastifyInstance,
  queue: RunQueue['queue'],
  access: Access,
): Promise<void> {
  const readOnly = access === 'read-only';
  const serverAdapter = new FastifyAdapter().setBasePath(BOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queue, { readOnlyMode: readOnly })],
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnly ? 'cronfleet (read-only)' : 'cronfleet' } },
  });
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.constraints = { ...route.constraints, [CONSTRAINT]: access };
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
  });
}

/** The full board, and the read-only one when a viewer token exists. */
export async function registerBoards(
  app: FastifyInstance,
  opts: { queue: RunQueue['queue']; withViewerBoard: boolean },
): Promise<void> {
  await mountBoard(app, opts.queue, 'full');
  if (opts.withViewerBoard) await mountBoard(app, opts.queue, 'read-only');
}
