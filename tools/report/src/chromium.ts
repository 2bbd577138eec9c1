/**
 * Renders an HTML file in headless Chromium (Debian's `chromium` package) and takes a full-page PNG
 * screenshot, through the DevTools protocol over a pipe (`--remote-debugging-pipe`: no port, no
 * extra dependency). Records every network request the page makes and every error it logs, so a
 * caller can assert the page is really self-contained.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags for headless Chromium as root on a machine with a closed network (see the machine notes). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
  '--mute-audio',
];

export interface ScreenshotOptions {
  /** Chromium binary. Default `/usr/bin/chromium` (or `$CHROMIUM`). */
  chromium?: string;
  /** Viewport width in CSS pixels. Default 1280. */
  width?: number;
  /** Give up after this long (ms). Default 60 000. */
  timeoutMs?: number;
}

export interface ScreenshotResult {
  /** Page size captured (CSS pixels). */
  width: number;
  height: number;
  /** URLs the page requested other than the file itself (a self-contained page requests none). */
  requests: string[];
  /** Exceptions, console errors and log errors (e.g. a Content-Security-Policy violation). */
  errors: string[];
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

class Cdp {
  #id = 0;
  #buffer = '';
  readonly #pending = new Map<
    number,
    { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }
  >();
  readonly #listeners: ((m: Message) => void)[] = [];

  constructor(
    private readonly out: Writable,
    input: Readable,
  ) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let end = this.#buffer.indexOf('\0');
      while (end !== -1) {
        const text = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 1);
        end = this.#buffer.indexOf('\0');
        const message = JSON.parse(text) as Message;
        if (message.id !== undefined) {
          const p = this.#pending.get(message.id);
          this.#pending.delete(message.id);
          if (message.error) p?.reject(new Error(message.error.message));
          else p?.resolve(message.result ?? {});
        } else {
          for (const l of this.#listeners) l(message);
        }
      }
    });
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  on(listener: (m: Message) => void): void {
    this.#listeners.push(listener);
  }

  failAll(error: Error): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}

/** Screenshots `htmlFile` (full page) into `pngFile`. Rejects when Chromium is missing or fails. */
export async function screenshotHtml(
  htmlFile: string,
  pngFile: string,
  options: ScreenshotOptions = {},
): Promise<ScreenshotResult> {
  const chromium = options.chromium ?? process.env.CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!existsSync(chromium)) {
    throw new Error(`Chromium not found at ${chromium} (Debian: apt-get install chromium; or set CHROMIUM)`);
  }
  const width = options.width ?? 1280;
  const profile = mkdtempSync(join(tmpdir(), 'racesync-chromium-'));
  const child: ChildProcess = spawn(
    chromium,
    [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const cdp = new Cdp(child.stdio[3] as Writable, child.stdio[4] as Readable);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start Chromium: ${error.message}`)));
    child.once('exit', (code, signal) =>
      reject(new Error(`Chromium exited (${signal ?? code}) before the screenshot; stderr:\n${stderr}`)),
    );
  });
  exited.catch((error: Error) => cdp.failAll(error));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`Chromium timed out after ${options.timeoutMs ?? 60_000} ms; stderr:\n${stderr}`)),
      options.timeoutMs ?? 60_000,
    );
  });

  const fileUrl = pathToFileURL(resolve(htmlFile)).href;
  const requests: string[] = [];
  const errors: string[] = [];
  const work = (async (): Promise<ScreenshotResult> => {
    const { targetId } = (await cdp.send('Target.createTarget', { url: 'about:blank' })) as {
      targetId: string;
    };
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    let loaded: () => void = () => {};
    const load = new Promise<void>((r) => {
      loaded = r;
    });
    cdp.on((m) => {
      if (m.sessionId !== sessionId) return;
      const p = m.params ?? {};
      if (m.method === 'Page.loadEventFired') loaded();
      else if (m.method === 'Network.requestWillBeSent') {
        const url = String((p.request as { url?: string } | undefined)?.url ?? '');
        if (url !== fileUrl && !url.startsWith('about:')) requests.push(url);
      } else if (m.method === 'Runtime.exceptionThrown') {
        errors.push(String((p.exceptionDetails as { text?: string } | undefined)?.text ?? 'exception'));
      } else if (m.method === 'Runtime.consoleAPICalled' && p.type === 'error') {
        errors.push(`console.error: ${JSON.stringify(p.args)}`);
      } else if (m.method === 'Log.entryAdded') {
        const entry = p.entry as { level?: string; text?: string; url?: string } | undefined;
        // Chromium itself may complain about a missing favicon; that is not the page's doing.
        if (entry?.level === 'error' && !String(entry.url ?? '').endsWith('/favicon.ico')) {
          errors.push(`${entry.text ?? 'log error'}`);
        }
      }
    });
    for (const domain of ['Page', 'Runtime', 'Network', 'Log'])
      await cdp.send(`${domain}.enable`, {}, sessionId);
    await cdp.send(
      'Emulation.setDeviceMetricsOverride',
      { width, height: 900, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    await cdp.send('Page.navigate', { url: fileUrl }, sessionId);
    await load;
    const metrics = (await cdp.send('Page.getLayoutMetrics', {}, sessionId)) as {
      cssContentSize?: { width: number; height: number };
      contentSize?: { width: number; height: number };
    };
    const size = metrics.cssContentSize ?? metrics.contentSize ?? { width, height: 900 };
    const height = Math.min(Math.ceil(size.height), 16_000);
    const pageWidth = Math.max(width, Math.ceil(size.width));
    await cdp.send(
      'Emulation.setDeviceMetricsOverride',
      { width: pageWidth, height, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    const shot = (await cdp.send('Page.captureScreenshot', { format: 'png' }, sessionId)) as { data: string };
    writeFileSync(pngFile, Buffer.from(shot.data, 'base64'));
    return { width: pageWidth, height, requests, errors };
  })();

  try {
    return await Promise.race([work, exited, timeout]);
  } finally {
    clearTimeout(timer);
    await cdp.send('Browser.close').catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(kill);
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
