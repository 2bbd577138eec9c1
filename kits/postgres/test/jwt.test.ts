import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mintSupabaseKeys, signHs256 } from '../src/index.ts';

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

describe('HS256 tokens', () => {
  it('signs the well-known HS256 example exactly', () => {
    const token = signHs256({ sub: '1234567890', name: 'John Doe', iat: 1516239022 }, 'your-256-bit-secret');
    expect(token).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    );
  });

  it("mints Supabase's three keys: {role, iss: supabase, iat, exp}, signed with the secret", () => {
    const secret = 'a-secret-of-at-least-thirty-two-characters';
    const keys = mintSupabaseKeys(secret, { now: 1_700_000_000_999, ttlSeconds: 60 });
    const roles = { serviceRoleKey: 'service_role', anonKey: 'anon', authenticatedKey: 'authenticated' };
    for (const [name, role] of Object.entries(roles)) {
      const [header, payload, signature] = keys[name as keyof typeof keys].split('.') as [
        string,
        string,
        string,
      ];
      expect(decode(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(decode(payload)).toEqual({ role, iss: 'supabase', iat: 1_700_000_000, exp: 1_700_000_060 });
      expect(signature).toBe(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url'));
      expect(signature).not.toBe(
        createHmac('sha256', `${secret}x`).update(`${header}.${payload}`).digest('base64url'),
      );
    }
  });
});
