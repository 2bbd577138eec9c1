import { test } from 'vitest';
import { createMemoryStorage } from '../src/index.js';
import { runStorageConformance } from '../src/testing/index.js';

runStorageConformance(test, () => createMemoryStorage(), { largeBatch: 5000 });
