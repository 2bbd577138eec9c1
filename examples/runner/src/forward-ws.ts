/**
 * Forwards the engine's change events to a WebSocket endpoint (package `ws`): one JSON text message
 * per event — the event object itself (`{ id, type, at, … }`; `id` is stable, so a receiver can
 * de-duplicate). Events wait in a bounded queue while (re)connecting; the oldest are dropped past
 * `maxQueue`. Reconnects with capped back-off. `close()` flushes what is queued, then closes.
 *
 *   const forwarder = createWebSocketForwarder('ws://127.0.0.1:8080/racesync');
 *   forwarder.attach(engine);
 *   …
 *   await forwarder.close();
 */
import type { ChangeEvent, SyncEngine } from '@racesync/sync-core';
import WebSocket from 'ws';

export interface Forwarder {
  /** Subscribes to the engine's events; returns the unsubscribe function. */
  attach(engine: Pick<SyncEngine, 'on'>): () => void;
  /** Sends what is queued (bounded wait), then disconnects. */
  close(): Promise<void>;
  /** Messages sent / dropped so far. */
  stats(): { sent: number; dropped: number; failed: number };
  /** For the start-up line, e.g. `WebSocket ws://host:port/path`. */
  readonly description: string;
}

export interface WebSocketForwarderOptions {
  /** Which events to forward. Default: every event. */
  filter?: (event: ChangeEvent) => boolean;
  /** Events kept while disconnected. Default 10 000. */
  maxQueue?: number;
  /** First reconnect delay (doubles up to 30 s). Default 1000 ms. */
  reconnectMs?: number;
  /** How long `close()` waits for the queue to be sent. Default 5000 ms. */
  flushTimeoutMs?: number;
  /** Connection problems (one line each). */
  onError?: (message: string) => void;
}

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export function createWebSocketForwarder(url: string, options: WebSocketForwarderOptions = {}): Forwarder {
  const maxQueue = options.maxQueue ?? 10_000;
  const queue: string[] = [];
  let socket: WebSocket | null = null;
  let closing = false;
  let backoff = options.reconnectMs ?? 1000;
  let reconnect: NodeJS.Timeout | null = null;
  let inFlight = 0;
  const counts = { sent: 0, dropped: 0, failed: 0 };
  let lastError = '';

  const report = (message: string) => {
    if (message !== lastError) options.onError?.(message);
    lastError = message;
  };

  const flush = () => {
    while (socket?.readyState === WebSocket.OPEN && queue.length > 0) {
      const message = queue.shift()!;
      inFlight++;
      socket.send(message, (error) => {
        inFlight--;
        if (error) counts.failed++;
        else counts.sent++;
      });
    }
  };

  const connect = () => {
    reconnect = null;
    const ws = new WebSocket(url, { handshakeTimeout: 10_000 });
    socket = ws;
    ws.on('open', () => {
      backoff = options.reconnectMs ?? 1000;
      lastError = '';
      flush();
    });
    ws.on('error', (error) => report(`event forwarding: ${url} — ${error.message}`));
    ws.on('close', () => {
      if (socket === ws) socket = null;
      if (!closing) {
        reconnect = setTimeout(connect, backoff);
        reconnect.unref();
        backoff = Math.min(backoff * 2, 30_000);
      }
    });
  };
  connect();

  return {
    description: `WebSocket ${url}`,
    attach(engine) {
      return engine.on('*', (event) => {
        if (options.filter && !options.filter(event)) return;
        queue.push(JSON.stringify(event));
        if (queue.length > maxQueue) {
          queue.shift();
          counts.dropped++;
        }
        flush();
      });
    },
    async close() {
      closing = true;
      if (reconnect) clearTimeout(reconnect);
      const deadline = Date.now() + (options.flushTimeoutMs ?? 5000);
      let retried = false;
      while ((queue.length > 0 || inFlight > 0) && Date.now() < deadline) {
        if (!socket && queue.length > 0) {
          if (retried) break;
          retried = true;
          connect(); // one last attempt to deliver what is queued
        }
        flush();
        await delay(20);
      }
      counts.dropped += queue.length;
      queue.length = 0;
      const ws = socket;
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'racesync runner stopped');
        await Promise.race([closed, delay(2000).then(() => ws.terminate())]);
      }
    },
    stats: () => ({ ...counts }),
  };
}
