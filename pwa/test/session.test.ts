import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { api, ApiError, getSession, login, setFetcher, setSession } from '../src/lib/api';
import { resetDbForTests } from '../src/lib/db';

function answer(status: number, body: unknown) {
  setFetcher(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } }));
}

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  await setSession({ user: { username: 'admin', role: 'admin', desa: null }, csrf: 'csrf-a', expired: false });
});

describe('a session the server ended', () => {
  it('is marked expired by a 401 on any screen, so the app offers to log in again', async () => {
    answer(401, { status: 401, detail: 'Silakan masuk terlebih dahulu.' });
    await expect(api('GET', '/api/v1/users')).rejects.toBeInstanceOf(ApiError);
    expect((await getSession())?.expired).toBe(true);
  });
  it('is not what a wrong password is', async () => {
    answer(401, { status: 401, detail: 'Nama pengguna atau kata sandi salah.' });
    await expect(login('admin', 'salah')).rejects.toBeInstanceOf(ApiError);
    expect((await getSession())?.expired).toBe(false);
  });
});
