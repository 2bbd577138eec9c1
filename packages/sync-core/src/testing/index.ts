export { runStorageConformance } from './conformance.js';
export type { ConformanceOptions, TestFn } from './context.js';
export { makeEvent, makeResult, makeRider, riderChange, riderTouch } from './factories.js';
