import { readFileSync } from 'node:fs';

/** Loads a copied upstream sample from test/fixtures (parsed fresh each time). */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
}
