import { describe, expect, it } from 'vitest';
import { stripRestV1 } from '../src/index.ts';

describe('stripRestV1 (what Supabase’s gateway does to supabase-js paths)', () => {
  const seen: string[] = [];
  const inner = (async (input: RequestInfo | URL) => {
    seen.push(input instanceof Request ? input.url : String(input));
    return new Response('{}');
  }) as typeof fetch;
  const fetch = stripRestV1(inner);

  it('removes a leading /rest/v1 from strings, URLs and Requests, and nothing else', async () => {
    seen.length = 0;
    await fetch('http://127.0.0.1:1/rest/v1/rpc/get_team?x=1');
    await fetch(new URL('http://127.0.0.1:1/rest/v1'));
    await fetch(new Request('http://127.0.0.1:1/rest/v1/riders?select=*', { method: 'POST', body: '{}' }));
    await fetch('http://127.0.0.1:1/other/rest/v1/x');
    await fetch('http://127.0.0.1:1/rest/v10/x');
    expect(seen).toEqual([
      'http://127.0.0.1:1/rpc/get_team?x=1',
      'http://127.0.0.1:1/',
      'http://127.0.0.1:1/riders?select=*',
      'http://127.0.0.1:1/other/rest/v1/x',
      'http://127.0.0.1:1/rest/v10/x',
    ]);
  });
});
