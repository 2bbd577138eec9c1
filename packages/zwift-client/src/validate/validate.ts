import { z } from 'zod';
import type { ClientContext } from '../context.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { excerptOf } from '../redact.ts';
import type { SkippedRecord } from '../types.ts';
import { formatPath } from './path.ts';

function firstIssue(error: z.ZodError): { path: readonly PropertyKey[]; message: string } {
  const issue = error.issues[0];
  return issue === undefined
    ? { path: [], message: error.message }
    : { path: issue.path, message: issue.message };
}

/**
 * Validates a whole body (or a part that must be valid for the list to make sense).
 * Throws a {@link ValidationError} naming the endpoint, the payload path and an excerpt.
 */
export function validateBody<S extends z.ZodType>(
  ctx: ClientContext,
  endpoint: string,
  schema: S,
  value: unknown,
  basePath = '',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { path, message } = firstIssue(result.error);
  const where = formatPath(basePath, path);
  throw new ValidationError(
    ctx.redact(`${endpoint}: unexpected response at ${where === '' ? '(root)' : where}: ${message}`),
    { endpoint, path: where, excerpt: excerptOf(value, ctx.redact) },
  );
}

/**
 * Validates and normalises each record of a list on its own. A malformed record becomes a
 * {@link SkippedRecord} (reported through `onSkip` and `logger.warn`); the rest are returned.
 */
export function validateList<S extends z.ZodType, T>(
  ctx: ClientContext,
  endpoint: string,
  items: readonly unknown[],
  schema: S,
  basePath: string,
  normalise: (record: z.output<S>, index: number) => T,
  skipped: SkippedRecord[],
): T[] {
  const out: T[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const result = schema.safeParse(item);
    let failure: { path: readonly PropertyKey[]; message: string } | null = null;
    if (result.success) {
      try {
        out.push(normalise(result.data, index));
        continue;
      } catch (error) {
        failure = { path: [], message: error instanceof Error ? error.message : String(error) };
      }
    } else failure = firstIssue(result.error);
    const record: SkippedRecord = {
      endpoint,
      index,
      path: formatPath(`${basePath}[${index}]`, failure.path),
      message: ctx.redact(failure.message),
      excerpt: excerptOf(item, ctx.redact),
    };
    skipped.push(record);
    ctx.reportSkip(record);
  }
  return out;
}

const listBodySchema = z.array(z.unknown());

/**
 * A body that must be a JSON array (else a {@link ValidationError}), each record then validated and
 * normalised on its own by {@link validateList}; `skipped` collects the records left out, `length`
 * is the number of records the body held.
 */
export function validateListBody<S extends z.ZodType, T>(
  ctx: ClientContext,
  endpoint: string,
  body: unknown,
  schema: S,
  normalise: (record: z.output<S>, index: number) => T,
  skipped: SkippedRecord[] = [],
): { items: T[]; skipped: SkippedRecord[]; length: number } {
  const list = validateBody(ctx, endpoint, listBodySchema, body);
  const items = validateList(ctx, endpoint, list, schema, '', normalise, skipped);
  return { items, skipped, length: list.length };
}
