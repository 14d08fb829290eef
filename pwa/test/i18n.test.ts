import { describe, expect, it } from 'vitest';
import { CATALOGS, setLang, t } from '../src/i18n';

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
