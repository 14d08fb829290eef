// The consent names the channel the deployment sends by, as the receipt does (#18 review:
// the checkbox said "SMS/WhatsApp", the receipt "SMS"); with no notifier, nothing is asked.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { setFetcher, setSession } from '../src/lib/api';
import { cachedChannel, refreshCatalog } from '../src/lib/catalog';
import { consentLabel, consentReadBack } from '../src/lib/consent';
import { resetDbForTests } from '../src/lib/db';

describe('the consent names the configured channel', () => {
  it('says SMS or WhatsApp, never both; no channel: no checkbox and no review row', () => {
    setLang('id');
    expect(consentLabel('SMS')).toBe('Pemohon setuju menerima pemberitahuan status lewat SMS ke nomor ini');
    expect(consentLabel('WhatsApp')).toContain('lewat WhatsApp ke nomor ini');
    expect(consentLabel('SMS')).not.toContain('WhatsApp');
    expect(consentLabel(null)).toBeNull();
    expect(consentReadBack({ notify: true, phone: ' 0812 3456 7890 ' }, 'SMS')).toBe('Ya, lewat SMS ke 0812 3456 7890');
    expect(consentReadBack({ notify: false }, 'SMS')).toBe('Tidak');
    expect(consentReadBack({ notify: true, phone: '0812' }, null)).toBeNull();
    setLang('en');
    expect(consentLabel('WhatsApp')).toBe('The applicant agrees to receive status updates by WhatsApp at this number');
    setLang('id');
  });
});

describe('the channel from the catalog answer, cached offline', () => {
  let answer: Record<string, unknown>;
  beforeEach(async () => {
    globalThis.indexedDB = new IDBFactory();
    resetDbForTests();
    await setSession({ user: { username: 'op.a', role: 'operator', desa: '52.03.01.2001' }, csrf: 'c', expired: false });
    setFetcher(async () => new Response(JSON.stringify(answer), { status: 200, headers: { 'Content-Type': 'application/json' } }));
  });

  it('is SMS before the first answer, then what the server configured, kept offline', async () => {
    expect(await cachedChannel()).toBe('SMS');
    answer = { services: [], notify_channel: 'WhatsApp' };
    await refreshCatalog();
    expect(await cachedChannel()).toBe('WhatsApp');
    answer = { services: [] }; // a server from before the channel was served
    await refreshCatalog();
    expect(await cachedChannel()).toBe('WhatsApp');
  });

  it('is none when the server sends no messages', async () => {
    answer = { services: [], notify_channel: null };
    await refreshCatalog();
    expect(await cachedChannel()).toBeNull();
  });
});
