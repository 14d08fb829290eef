// The resident's consent to status messages on the data step (issue #18): it needs a mobile
// number, blocks "Lanjut" without one with the phone field's error, and is stored with the
// request (src/lib/consent.ts, src/lib/request-form.ts).
import regions from 'virtual:regions';
import { describe, expect, it } from 'vitest';
import type { Service } from '../src/lib/catalog';
import { isMobile, phoneProblem } from '../src/lib/consent';
import { buildRequest, check, initialForm, reduce, type Action, type FormState } from '../src/lib/request-form';

const DESA = '52.03.01.2001';
const CATALOG: Service[] = [{ code: 'KK_UBAH', label: 'KK perubahan data', label_en: 'Family card change', referral: null, requirements: [] }];
const run = (state: FormState, ...actions: Action[]) => actions.reduce(reduce, state);
const atData = () =>
  run(
    initialForm(undefined, null),
    { type: 'service', code: 'KK_UBAH' },
    { type: 'step', step: 'data' },
    { type: 'applicant', key: 'nik', value: '5203015708900001' },
    { type: 'applicant', key: 'name', value: 'Siti' },
  );
const keys = (state: FormState) => check(state, CATALOG, regions, DESA).blocked.map((m) => ('key' in m ? m.key : m.text));

describe('consent to messages', () => {
  it('takes an Indonesian mobile number as the server does (domain/phone.py)', () => {
    for (const ok of ['0812-3456-7890', '0812 3456 789', '+62 812 3456 7890', '6281234567890', '(0812) 345.678']) expect(isMobile(ok), ok).toBe(true);
    for (const no of ['', '0376 21234', '812345678', '+1 202 555 0100', '0812', '08123456789012345']) expect(isMobile(no), no).toBe(false);
  });

  it('keeps the old phone rule without consent', () => {
    expect(phoneProblem('', false)).toBeNull();
    expect(phoneProblem('0376 21234', false)).toBeNull(); // a landline is still a contact number
    expect(phoneProblem('abc', false)).toBe('invalid');
    expect(phoneProblem('', true)).toBe('needed');
    expect(phoneProblem('0376 21234', true)).toBe('needed');
    expect(phoneProblem('abc', true)).toBe('invalid');
    expect(phoneProblem(' 0812 3456 7890 ', true)).toBeNull();
  });

  it('blocks "Lanjut" while consented without a mobile number, and says why', () => {
    let state = atData();
    expect(check(state, CATALOG, regions, DESA).canNext).toBe(true);
    state = run(state, { type: 'notify', value: true });
    expect(check(state, CATALOG, regions, DESA)).toMatchObject({ canNext: false, dataOk: false, phoneOk: false, phoneProblem: 'needed' });
    expect(keys(state)).toEqual(['why.phoneNotify']);
    state = run(state, { type: 'applicant', key: 'phone', value: '0376 21234' });
    expect(check(state, CATALOG, regions, DESA).canNext).toBe(false);
    state = run(state, { type: 'applicant', key: 'phone', value: '0812 3456 7890' });
    expect(check(state, CATALOG, regions, DESA)).toMatchObject({ canNext: true, phoneProblem: null });
    state = run(state, { type: 'notify', value: false }, { type: 'applicant', key: 'phone', value: '' });
    expect(check(state, CATALOG, regions, DESA).canNext).toBe(true); // unticked: no number needed
  });

  it('is stored with the request only when given, and comes back with the draft', () => {
    const context = { id: 'r1', username: 'op.a', desa: DESA, send: false, now: '2026-12-01T00:00:00Z' };
    const given = run(atData(), { type: 'applicant', key: 'phone', value: '0812 3456 7890' }, { type: 'notify', value: true });
    const item = buildRequest(given, check(given, CATALOG, regions, DESA), context)!;
    expect(item.applicant).toMatchObject({ phone: '0812 3456 7890', notify: true });
    const none = buildRequest(atData(), check(atData(), CATALOG, regions, DESA), context)!;
    expect('notify' in none.applicant).toBe(false);
    const reopened = run(initialForm('r1', null), { type: 'loaded', item, pages: [], onServer: [] });
    expect(reopened.applicant.notify).toBe(true);
  });
});
