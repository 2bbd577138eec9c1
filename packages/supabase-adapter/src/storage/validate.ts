import type { EventRecord, ResultRecord, RiderWrite, SignupPresence } from '@racesync/sync-core';
import { PostgresStorageError } from '../errors/postgres-storage-error.js';

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

function invalid(operation: string, message: string): PostgresStorageError {
  return new PostgresStorageError(operation, `${message}; nothing of the batch was written`, {
    reason: 'invalid_input',
  });
}

/** Same checks as sync-core's memory storage, before anything is sent. */
export function assertRiderWrites(writes: readonly RiderWrite[]): void {
  writes.forEach((write, index) => {
    const { rider, history } = write ?? ({} as RiderWrite);
    if (!isId(rider?.riderId))
      throw invalid('writeRiders', `writes[${index}].rider.riderId must be a positive integer`);
    if (!isText(rider.hash))
      throw invalid('writeRiders', `writes[${index}].rider.hash must be a non-empty string`);
    if (!isTime(rider.fetchedAt) || !isTime(rider.changedAt)) {
      throw invalid('writeRiders', `writes[${index}].rider.fetchedAt/changedAt must be finite epoch ms`);
    }
    if (history) {
      if (history.riderId !== rider.riderId) {
        throw invalid('writeRiders', `writes[${index}].history.riderId differs from rider.riderId`);
      }
      if (!isTime(history.at) || !isText(history.hash)) {
        throw invalid('writeRiders', `writes[${index}].history needs a finite \`at\` and a non-empty hash`);
      }
    }
  });
}

export function assertEvents(events: readonly EventRecord[]): void {
  events.forEach((event, index) => {
    if (!isText(event?.eventId))
      throw invalid('upsertEvents', `events[${index}].eventId must be a non-empty string`);
    if (!isText(event.hash))
      throw invalid('upsertEvents', `events[${index}].hash must be a non-empty string`);
    if (!isTime(event.startsAt) || !isTime(event.fetchedAt) || !isTime(event.changedAt)) {
      throw invalid('upsertEvents', `events[${index}].startsAt/fetchedAt/changedAt must be finite epoch ms`);
    }
  });
}

export function assertSignups(eventId: string, present: readonly SignupPresence[], at: number): void {
  if (!isText(eventId)) throw invalid('applySignups', 'eventId must be a non-empty string');
  if (!isTime(at)) throw invalid('applySignups', '`at` must be finite epoch ms');
  present.forEach((p, index) => {
    if (!isId(p?.riderId))
      throw invalid('applySignups', `present[${index}].riderId must be a positive integer`);
  });
}

export function assertResults(eventId: string, rows: readonly ResultRecord[], at: number): void {
  if (!isText(eventId)) throw invalid('applyResults', 'eventId must be a non-empty string');
  if (!isTime(at)) throw invalid('applyResults', '`at` must be finite epoch ms');
  rows.forEach((row, index) => {
    if (!isId(row?.riderId))
      throw invalid('applyResults', `rows[${index}].riderId must be a positive integer`);
    if (!isText(row.hash)) throw invalid('applyResults', `rows[${index}].hash must be a non-empty string`);
    if (!isTime(row.fetchedAt))
      throw invalid('applyResults', `rows[${index}].fetchedAt must be finite epoch ms`);
  });
}

export function assertTime(operation: string, name: string, value: unknown): void {
  if (!isTime(value)) throw invalid(operation, `\`${name}\` must be finite epoch ms`);
}
