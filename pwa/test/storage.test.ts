import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetDbForTests } from '../src/lib/db';
import {
  cachedServerList,
  cachedServerRequest,
  cacheServerRequest,
  forgetServerList,
  mergeServerList,
  pendingLogout,
  saveLanguage,
  savedLanguage,
  setPendingLogout,
  type ServerRequest,
} from '../src/lib/storage';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('screens', () => {
  const screens = [...files(join(SRC, 'screens')), join(SRC, 'app.tsx'), join(SRC, 'main.tsx')];

  it('exist to be checked', () => {
    expect(screens.length).toBeGreaterThan(10);
  });

  it.each(screens.map((path) => [path.slice(SRC.length), path]))('%s goes through lib/storage, not the raw database', (_, path) => {
    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/from '(\.\.\/)+lib\/db'|from '\.\/lib\/db'/);
    expect(text).not.toMatch(/\b(db|getKv|setKv)\(|\.transaction\(|\.objectStore\(|\bindexedDB\b/);
  });
});

describe('storage layer', () => {
  // Only lib/storage.ts (over lib/db.ts, the schema's owner) may open the database.
  const LAYER = new Set(['lib/db.ts', 'lib/storage.ts']);
  const modules = files(SRC).filter((path) => !LAYER.has(path.slice(SRC.length).split('\\').join('/')));

  it('leaves only db.ts and storage.ts out', () => {
    expect(files(SRC).length - modules.length).toBe(LAYER.size);
    expect(modules.map((path) => path.slice(SRC.length))).toEqual(expect.arrayContaining(['lib/outbox.ts', 'lib/sasaran.ts', 'lib/api.ts']));
  });

  it.each(modules.map((path) => [path.slice(SRC.length), path]))('%s does not reach past lib/storage', (_, path) => {
    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/\bfrom\s+['"](\.{1,2}\/)+(lib\/)?db(\.ts)?['"]|\bimport\(\s*['"][^'"]*\/db(\.ts)?['"]/);
    expect(text).not.toMatch(/\b(db|getKv|setKv)\(|\.transaction\(|\.objectStore\(|\bindexedDB\b|\bopenDB\b/);
  });
});

const row = (id: string, extra: Partial<ServerRequest> = {}) =>
  ({ id, code: id, status: 'DIAJUKAN', status_label: 'Diajukan', created_at: `2026-01-0${id.length}T00:00:00Z`, ...extra }) as ServerRequest;

describe('storage', () => {
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
    resetDbForTests();
  });

  it('merges a list page into the cache, keeping detail fetched before', async () => {
    await cacheServerRequest(row('a', { timeline: [{ status: 'DIAJUKAN' }] } as never));
    await mergeServerList([row('a', { status: 'DITERIMA' }), row('bb')]);
    const a = await cachedServerRequest('a');
    expect(a?.status).toBe('DITERIMA');
    expect(a?.timeline).toHaveLength(1);
    expect((await cachedServerList()).map((r) => r.id)).toEqual(['bb', 'a']);
    await forgetServerList();
    expect(await cachedServerList()).toEqual([]);
  });

  it('keeps the language and an offline logout', async () => {
    expect(await savedLanguage()).toBeUndefined();
    await saveLanguage('en');
    expect(await savedLanguage()).toBe('en');
    await setPendingLogout('csrf');
    expect(await pendingLogout()).toBe('csrf');
    await setPendingLogout(null);
    expect(await pendingLogout()).toBeNull();
  });
});
