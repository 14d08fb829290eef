import { describe, expect, it } from 'vitest';
import { CATALOGS, setLang, t } from '../src/i18n';
import '../src/i18n/dukcapil';
import '../src/i18n/reports';

describe('string catalogs', () => {
  it('have the same keys and placeholders in every language', () => {
    const id = CATALOGS.id;
    const en = CATALOGS.en;
    expect(Object.keys(en).sort()).toEqual(Object.keys(id).sort());
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(id)) expect(holes(en[key]), key).toEqual(holes(id[key]));
  });
  it('fills placeholders, Indonesian first', () => {
    setLang('id');
    expect(t('home.title', { name: 'op.a' })).toBe('Halo, op.a');
    setLang('en');
    expect(t('home.title', { name: 'op.a' })).toBe('Hello, op.a');
    setLang('id');
  });
});

describe('audit entries in words', () => {
  it('names the action and writes statuses and known keys in Indonesian, no JSON', async () => {
    const { actionText, actorText, detailsText } = await import('../src/lib/audit-text');
    const entry = { seq: 1, at: '', actor: 'system', action: 'request.transition', target: 'x', data: { from: 'DIAJUKAN', to: 'DITERIMA', note: 'lengkap' } };
    expect(actionText(entry.action)).toBe('Status permohonan diubah');
    expect(detailsText(entry)).toBe('Diajukan → Diterima Dukcapil · catatan: lengkap');
    expect(actorText('system')).toBe('sistem');
    expect(detailsText({ ...entry, action: 'batch.download', data: { volume: 2, count: 250 } })).toBe('jilid: 2 · jumlah: 250');
    expect(actionText('something.new')).toBe('something.new');
    expect(detailsText(entry)).not.toContain('{');
    // What the log of a day's work holds, all in words (the user review found these raw).
    expect(actionText('request.create')).toBe('Permohonan dibuat');
    const done = detailsText({ ...entry, action: 'returns.done', data: { applied: 2, unchanged: 0, noted: false, table: { sha256: 'a'.repeat(64), size: 120 } } });
    expect(done).toBe(`diterapkan: 2 · tanpa perubahan: 0 · dengan catatan: tidak · tabel: sidik berkas ${'a'.repeat(12)}…, ukuran 120`);
    expect(detailsText({ ...entry, action: 'sasaran.followup', data: { outcome: 'DITEMUKAN' } })).toBe('hasil: Ditemukan');
  });
});
