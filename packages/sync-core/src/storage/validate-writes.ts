import { StorageError } from '../errors/storage-error.js';
import type { RiderWrite } from './storage-adapter.js';

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * Checks a rider batch before anything of it is written, so a bad batch is rejected whole with an
 * error naming the record at fault. Adapters backed by a database get the same from a transaction.
 */
export function assertRiderWrites(writes: readonly RiderWrite[]): void {
  writes.forEach((write, index) => {
    const { rider, history } = write;
    if (!isId(rider?.riderId)) {
      throw new StorageError('writeRiders', `writes[${index}].rider.riderId must be a positive integer`);
    }
    if (typeof rider.hash !== 'string' || rider.hash === '') {
      throw new StorageError('writeRiders', `writes[${index}].rider.hash must be a non-empty string`);
    }
    if (history && history.riderId !== rider.riderId) {
      throw new StorageError('writeRiders', `writes[${index}].history.riderId differs from rider.riderId`);
    }
  });
}
