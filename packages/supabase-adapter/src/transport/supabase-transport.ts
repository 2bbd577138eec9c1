import { SyncConfigError } from '@racesync/sync-core';
import { type CallFailure, toStorageError } from '../errors/map-error.js';
import { createRedactor } from '../errors/redact.js';
import { toStorableJson } from '../json.js';
import { assertSchemaName, DEFAULT_SCHEMA, splitQualified } from '../schema-name.js';
import type { RpcTransport } from './transport.js';

/** The error object supabase-js returns (`PostgrestError`). */
export interface PostgrestErrorLike {
  code?: string | null;
  message?: string | null;
  details?: string | null;
  hint?: string | null;
}

/** The answer of a supabase-js `rpc()` call. */
export interface RpcResponseLike {
  data: unknown;
  error: PostgrestErrorLike | null;
  status?: number;
}

/**
 * The part of a supabase-js `SupabaseClient` the transport uses (`client.schema(s).rpc(fn, args)`),
 * declared structurally so this package never imports supabase-js. Any `SupabaseClient` fits.
 */
export interface SupabaseClientLike {
  schema(schema: string): {
    rpc(fn: string, args?: object): PromiseLike<RpcResponseLike>;
  };
}

/** Options of {@link createSupabaseTransport}. */
export interface SupabaseTransportOptions {
  /**
   * A supabase-js client created with the project's **service-role key** (server side only; the
   * anon key has no access). On Node 20 pass `{ realtime: { transport: ws } }` to `createClient`.
   * Its key never appears in errors.
   */
  client: SupabaseClientLike;
  /**
   * Schema of bare function names passed to `call()`. The storage always passes schema-qualified
   * names, so its own `schema` option is what counts; the schema must be listed in the project's
   * exposed schemas.
   * @default 'racesync'
   */
  schema?: string;
}

/**
 * A transport that calls racesync's functions through Supabase's REST API with supabase-js
 * `rpc()` (`POST /rest/v1/rpc/<fn>`, `Content-Profile: <schema>`). Same SQL as the direct
 * transport; works wherever supabase-js works (servers, Edge Functions).
 *
 * @example
 * import { createClient } from '@supabase/supabase-js';
 * const client = createClient(url, serviceRoleKey, { auth: { persistSession: false } });
 * const transport = createSupabaseTransport({ client });
 */
export function createSupabaseTransport(options: SupabaseTransportOptions): RpcTransport {
  if (!options || typeof options !== 'object') throw new SyncConfigError('options', 'must be an object');
  const { client } = options;
  if (!client || typeof client.schema !== 'function') {
    throw new SyncConfigError(
      'client',
      'must be a supabase-js SupabaseClient created with the service-role key (createClient(url, key))',
    );
  }
  const defaultSchema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const key = (client as { supabaseKey?: unknown }).supabaseKey;
  const redact = createRedactor([typeof key === 'string' ? key : null]);
  return {
    kind: 'supabase',
    async call(fn, args) {
      const { schema, name } = splitQualified(fn, defaultSchema);
      let response: RpcResponseLike;
      try {
        response = await client.schema(schema).rpc(name, toStorableJson(args));
      } catch (error) {
        throw toStorageError(name, schema, {
          code: null,
          message: redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
          details: null,
          hint: null,
          status: 0,
        });
      }
      if (response.error) {
        const e = response.error;
        const str = (value: unknown) => (typeof value === 'string' && value !== '' ? redact(value) : null);
        const failure: CallFailure = {
          code: str(e.code),
          message: str(e.message) ?? '',
          // A network failure's details carry a stack trace: keep only its first line.
          details: response.status === 0 ? (str(e.details)?.split('\n')[0] ?? null) : str(e.details),
          hint: str(e.hint),
          status: typeof response.status === 'number' ? response.status : null,
        };
        throw toStorageError(name, schema, failure);
      }
      return response.data ?? null;
    },
    async close() {},
  };
}
