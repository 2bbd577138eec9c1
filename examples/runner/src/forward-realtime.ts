/**
 * Forwards the engine's change events as Supabase Realtime **broadcast** messages on one channel
 * (REST `httpSend`: no subscription, no open socket). The broadcast `event` is the change type
 * (`signup.added`, `results.ready`, …) and the payload the event object. A dashboard listens with:
 *
 *   supabase.channel('racesync')
 *     .on('broadcast', { event: 'signup.added' }, ({ payload }) => …)
 *     .subscribe();
 *
 * `sync.completed` is not forwarded by default (one per job run: mostly noise, and Realtime
 * messages count against the project's quota).
 */
import type { ChangeEvent, SyncEngine } from '@racesync/sync-core';
import type { Forwarder } from './forward-ws.ts';

/** The part of a supabase-js client this needs. */
export interface RealtimeClient {
  channel(name: string): {
    httpSend(event: string, payload: unknown, opts?: { timeout?: number }): Promise<unknown>;
  };
  removeChannel(channel: unknown): Promise<unknown>;
}

export interface RealtimeForwarderOptions {
  /** Default: every event but `sync.completed`. */
  filter?: (event: ChangeEvent) => boolean;
  onError?: (message: string) => void;
}

export function createRealtimeForwarder(
  client: RealtimeClient,
  channelName: string,
  options: RealtimeForwarderOptions = {},
): Forwarder {
  const channel = client.channel(channelName);
  const filter = options.filter ?? ((e: ChangeEvent) => e.type !== 'sync.completed');
  const pending = new Set<Promise<unknown>>();
  const counts = { sent: 0, dropped: 0, failed: 0 };
  let lastError = '';
  return {
    description: `Supabase Realtime channel "${channelName}" (broadcast)`,
    attach(engine: Pick<SyncEngine, 'on'>) {
      return engine.on('*', (event) => {
        if (!filter(event)) return;
        const send = channel
          .httpSend(event.type, event)
          .then(() => {
            counts.sent++;
          })
          .catch((error: unknown) => {
            counts.failed++;
            const message = `Realtime broadcast failed: ${error instanceof Error ? error.message : String(error)}`;
            if (message !== lastError) options.onError?.(message);
            lastError = message;
          })
          .finally(() => pending.delete(send));
        pending.add(send);
      });
    },
    async close() {
      await Promise.allSettled([...pending]);
      await client.removeChannel(channel).catch(() => undefined);
    },
    stats: () => ({ ...counts }),
  };
}
