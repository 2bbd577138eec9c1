/**
 * Change-event forwarding: to a real loopback `ws` server (through the memory runner, and the
 * forwarder's queue across a reconnect), and as Supabase Realtime broadcasts through a real
 * supabase-js client against a loopback HTTP endpoint that answers like Realtime's broadcast API.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { type ChangeEvent, createMemoryStorage, createSyncEngine } from '@racesync/sync-core';
import { createZwiftClient } from '@racesync/zwift-client';
import { createClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createRealtimeForwarder } from '../src/forward-realtime.ts';
import { createWebSocketForwarder } from '../src/forward-ws.ts';
import { runMemoryRunner } from '../src/memory-runner.ts';
import { captureIo, fakeSignals } from './helpers.ts';

async function wsServer(port = 0) {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await once(server, 'listening');
  const messages: ChangeEvent[] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as ChangeEvent));
  });
  return {
    server,
    messages,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/racesync`,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('WebSocket forwarding', () => {
  it('the memory runner forwards every change event to RACESYNC_WS_URL', async () => {
    const target = await wsServer();
    try {
      const io = captureIo();
      const code = await runMemoryRunner({
        argv: ['--hours', '1', '--riders', '15'],
        env: { RACESYNC_WS_URL: target.url },
        stdout: io.stdout,
        stderr: io.stderr,
        signals: fakeSignals(),
      });
      expect(io.err()).toBe('');
      expect(code).toBe(0);
      const sent = Number(/forwarded to WebSocket \S+: (\d+) sent/.exec(io.out())?.[1]);
      expect(sent).toBeGreaterThan(100);
      await expect.poll(() => target.messages.length).toBe(sent);
      const ids = new Set(target.messages.map((m) => m.id));
      expect(ids.size).toBe(sent); // each event once, with its stable id
      const types = new Set(target.messages.map((m) => m.type));
      for (const type of ['rider.changed', 'event.added', 'sync.completed']) expect(types).toContain(type);
      const rider = target.messages.find((m) => m.type === 'rider.changed');
      expect(rider).toMatchObject({
        riderId: expect.any(Number),
        changedFields: expect.any(Array),
        at: expect.any(Number),
      });
    } finally {
      await target.close();
    }
  });

  it('queues while the endpoint is down and delivers after it comes (back) up', async () => {
    // Reserve a port, then close it: nothing listens there at first.
    const probe = await wsServer();
    const port = probe.port;
    await probe.close();

    const listeners: ((e: ChangeEvent) => void)[] = [];
    const source = {
      on: (_type: '*', listener: (e: ChangeEvent) => void) => {
        listeners.push(listener);
        return () => undefined;
      },
    };
    const errors: string[] = [];
    const forwarder = createWebSocketForwarder(`ws://127.0.0.1:${port}/racesync`, {
      reconnectMs: 50,
      onError: (m) => errors.push(m),
    });
    forwarder.attach(source as never);
    const event = (i: number): ChangeEvent => ({
      id: `signup.added:e1:${i}`,
      type: 'signup.added',
      at: i,
      eventId: 'e1',
      riderId: i,
      pen: 'B',
    });
    for (let i = 1; i <= 5; i++) for (const l of listeners) l(event(i));
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/ECONNREFUSED/);

    const target = await wsServer(port);
    try {
      await expect.poll(() => target.messages.length, { timeout: 10_000 }).toBe(5);
      for (const l of listeners) l(event(6));
      await forwarder.close();
      expect(target.messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `signup.added:e1:${i}`));
      expect(forwarder.stats()).toEqual({ sent: 6, dropped: 0, failed: 0 });
    } finally {
      await target.close();
    }
  });
});

describe('Supabase Realtime broadcast forwarding', () => {
  it('sends each change (but sync.completed) as a broadcast on the channel, with the service-role key', async () => {
    const received: { path: string; apikey: string | undefined; body: ChangeEvent }[] = [];
    const http = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          apikey: req.headers.apikey as string | undefined,
          body: JSON.parse(body),
        });
        res.writeHead(202).end();
      });
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const supabaseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const supabase = createClient(supabaseUrl, 'service-role-key-for-test', {
      auth: { persistSession: false, autoRefreshToken: false },
    });

    const sim = createSimulation({ seed: 2, teamSize: 10, days: 1 });
    const urls = await sim.listen();
    const clock = sim.clock as VirtualClock;
    try {
      const engine = createSyncEngine({
        source: createZwiftClient({ ...urls, fetch: sim.fetch, clock }),
        storage: createMemoryStorage(),
        team: { clubId: urls.clubId },
        clock,
      });
      const forwarder = createRealtimeForwarder(supabase, 'racesync');
      forwarder.attach(engine);
      const emitted: ChangeEvent[] = [];
      engine.on('*', (e) => {
        if (e.type !== 'sync.completed') emitted.push(e);
      });
      await clock.run(engine.runOnce());
      await forwarder.close();

      expect(emitted.length).toBeGreaterThan(10);
      expect(forwarder.stats()).toEqual({ sent: emitted.length, dropped: 0, failed: 0 });
      expect(received).toHaveLength(emitted.length);
      const first = received.find((r) => r.body.type === 'rider.changed')!;
      expect(first.path.split('?')[0]).toBe('/realtime/v1/api/broadcast/racesync/events/rider.changed');
      expect(first.apikey).toBe('service-role-key-for-test');
      expect(new Set(received.map((r) => r.body.id))).toEqual(new Set(emitted.map((e) => e.id)));
    } finally {
      await sim.close();
      await supabase.removeAllChannels();
      http.close();
    }
  });
});
