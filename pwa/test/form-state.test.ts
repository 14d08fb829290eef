// The service's form as typed and as sent (src/lib/form-state.ts), and the request form
// around it (src/lib/request-form.ts): items added and removed within repeat's min/max,
// the subject copied from its section, the draft body carrying the fields.
import 'fake-indexeddb/auto';
import regions from 'virtual:regions';
import { describe, expect, it } from 'vitest';
import vectors from '../../backend/bakso/data/form_vectors.json';
import type { Service } from '../src/lib/catalog';
import type { LocalRequest, SasaranRow } from '../src/lib/db';
import { validateFields, type FormsFile, type SectionDef } from '../src/lib/form-rules';
import { addItem, errorsById, fromWire, itemsOf, prefillSubject, removeItem, serverFieldErrors, setValue, subjectFrom, toWire, visibleErrors } from '../src/lib/form-state';
import { BUILT_FORMS, fieldId, filledRequirements, idOfPath } from '../src/lib/forms';
import { buildRequest, check, initialForm, reduce, type Action, type FormState } from '../src/lib/request-form';

const DESA = '52.03.01.2001';
const NIK = '5203015708900001';
const CHILD_NIK = '5203010303150003';

const FORMS: FormsFile = {
  choices: { jenis_kelamin: [{ value: 'L', label: 'Laki-laki' }, { value: 'P', label: 'Perempuan' }] },
  services: {
    TEST: {
      sections: [
        {
          key: 'child',
          label: 'Data anak',
          subject: true,
          fills: 'F201',
          fields: [
            { key: 'name', label: 'Nama anak', type: 'text', required: true },
            { key: 'nik', label: 'NIK anak', type: 'nik', required: false },
            { key: 'birth_date', label: 'Tanggal lahir', type: 'date', required: true },
            { key: 'sex', label: 'Jenis kelamin', type: 'choice', choices: 'jenis_kelamin', required: true },
            { key: 'weight_kg', label: 'Berat', type: 'number', required: false },
            { key: 'has_akta', label: 'Punya akta', type: 'boolean', required: false },
          ],
        },
        {
          key: 'witnesses',
          label: 'Saksi',
          repeat: { min: 2, max: 3 },
          fields: [
            { key: 'nik', label: 'NIK saksi', type: 'nik', required: true },
            { key: 'name', label: 'Nama saksi', type: 'text', required: true },
          ],
        },
      ],
    },
  },
};
const definition = FORMS.services.TEST;
const [child, witnesses] = definition.sections as [SectionDef, SectionDef];
const CATALOG: Service[] = [{ code: 'TEST', label: 'Test', label_en: 'Test', referral: null, requirements: [{ code: 'F201', label: 'F-2.01', required: true, one_of: null }] }];

const run = (state: FormState, ...actions: Action[]) => actions.reduce(reduce, state);

describe('form state', () => {
  it('starts a repeating group with its min items and keeps it within min and max', () => {
    expect(itemsOf({}, witnesses)).toEqual([{}, {}]);
    let raw = addItem({}, witnesses);
    expect(itemsOf(raw, witnesses)).toHaveLength(3);
    expect(itemsOf(addItem(raw, witnesses), witnesses)).toHaveLength(3); // max 3
    raw = setValue(raw, witnesses, 2, 'name', 'Ketiga');
    raw = removeItem(raw, witnesses, 0);
    expect(itemsOf(raw, witnesses)).toEqual([{}, { name: 'Ketiga' }]);
    expect(itemsOf(removeItem(raw, witnesses, 0), witnesses)).toHaveLength(2); // min 2
  });

  it('sends trimmed values in the definition order, numbers as numbers, empty ones left out', () => {
    let a = setValue({}, child, null, 'weight_kg', ' 3,25 ');
    a = setValue(a, child, null, 'name', '  Rizki ');
    a = setValue(a, child, null, 'nik', '5203 0103 0315 0003');
    a = setValue(a, child, null, 'has_akta', false);
    a = setValue(a, witnesses, 1, 'name', '');
    const b = setValue(setValue(setValue({}, child, null, 'nik', CHILD_NIK), child, null, 'name', 'Rizki'), child, null, 'weight_kg', '3.25');
    expect(toWire(definition, a)).toEqual({ child: { name: 'Rizki', nik: CHILD_NIK, weight_kg: 3.25, has_akta: false }, witnesses: [{}, {}] });
    a = setValue(a, child, null, 'has_akta', '');
    // Typed in another order: the same bytes, so the outbox's PUT replays as one.
    expect(JSON.stringify(toWire(definition, a))).toBe(JSON.stringify(toWire(definition, b)));
    expect(toWire(definition, setValue({}, child, null, 'weight_kg', '3 kg'))).toMatchObject({ child: { weight_kg: '3 kg' } });
    expect(toWire(definition, setValue({}, child, null, 'has_akta', true))).toMatchObject({ child: { has_akta: true } });
    expect(toWire(definition, {})).toEqual({ witnesses: [{}, {}] }); // a box never touched is left out
  });

  it("reads every service's valid vector back unchanged (a draft reopened, a correction)", () => {
    for (const [service, valid] of Object.entries(vectors.valid)) {
      const def = BUILT_FORMS.services[service];
      expect(def, service).toBeDefined();
      expect(toWire(def, fromWire(def, valid as Record<string, unknown>)), service).toEqual(valid);
    }
  });

  it('copies the subject section into the subject and prefills it from the worklist', () => {
    const wire = { child: { name: ' Rizki ', birth_date: '2015-03-03', sex: 'L' } };
    expect(subjectFrom(definition, wire)).toEqual({ name: 'Rizki', nik: null, birth_date: '2015-03-03', birth_place: null, sex: 'L' });
    expect(subjectFrom(BUILT_FORMS.services.KK_BARU, {})).toBeNull();
    // birth_place is no field of this section: it is not invented.
    expect(prefillSubject(definition, {}, { name: 'Rizki', nik: CHILD_NIK, birth_place: 'Selong' })).toEqual({ child: { name: 'Rizki', nik: CHILD_NIK } });
  });

  it("shows a group's own error only after \"Lanjut\", a field's once it was left", () => {
    const errors = [
      { path: 'members', code: 'exactly_one', message: 'tepat satu kepala keluarga' },
      { path: 'members[0].nik', code: 'nik', message: 'NIK salah' },
    ];
    expect(visibleErrors(errors, { 'f-members-0-relationship': true }, false)).toEqual({});
    expect(visibleErrors(errors, { 'f-members-0-nik': true }, false)).toEqual({ 'f-members-0-nik': 'NIK salah' });
    expect(visibleErrors(errors, {}, true)).toEqual({ 'f-members': 'tepat satu kepala keluarga', 'f-members-0-nik': 'NIK salah' });
  });

  it('names the input of each error, and reads the server refusal of a parked item', () => {
    expect(idOfPath('members[1].nik')).toBe('f-members-1-nik');
    expect(idOfPath('mother.birth_date')).toBe(fieldId('mother', null, 'birth_date'));
    expect(idOfPath('witnesses')).toBe('f-witnesses');
    const server = serverFieldErrors([
      { field: 'fields.members[1].nik', code: 'nik', message: 'NIK salah' },
      { field: 'applicant.nik', code: 'nik', message: 'bukan isian formulir' },
    ]);
    expect(errorsById(server)).toEqual({ 'f-members-1-nik': 'NIK salah' });
    expect(filledRequirements(BUILT_FORMS.services.KK_BARU)).toEqual(['F101']);
  });
});

describe('request form with fields', () => {
  const filled = () =>
    run(
      initialForm(undefined, null),
      { type: 'service', code: 'TEST' },
      { type: 'step', step: 'data' },
      { type: 'applicant', key: 'nik', value: NIK },
      { type: 'applicant', key: 'name', value: 'Siti' },
      { type: 'field', section: child, index: null, key: 'name', value: 'Rizki' },
      { type: 'field', section: child, index: null, key: 'birth_date', value: '2015-03-03' },
      { type: 'field', section: child, index: null, key: 'sex', value: 'L' },
      { type: 'field', section: witnesses, index: 0, key: 'nik', value: NIK },
      { type: 'field', section: witnesses, index: 0, key: 'name', value: 'Saksi Satu' },
      { type: 'field', section: witnesses, index: 1, key: 'nik', value: '5203011708850001' },
      { type: 'field', section: witnesses, index: 1, key: 'name', value: 'Saksi Dua' },
    );

  it('keeps the data step while a field is wrong, showing errors of fields left and all after "Lanjut"', () => {
    let state = run(filled(), { type: 'field', section: witnesses, index: 1, key: 'nik', value: '1234' });
    let checked = check(state, CATALOG, regions, DESA, FORMS);
    expect(checked.dataOk).toBe(false);
    expect(checked.fieldErrors.map((e) => e.path)).toEqual(['witnesses[1].nik']);
    expect(checked.shownErrors).toEqual({}); // not left yet
    state = run(state, { type: 'blur', name: 'f-witnesses-1-nik' });
    expect(Object.keys(check(state, CATALOG, regions, DESA, FORMS).shownErrors)).toEqual(['f-witnesses-1-nik']);
    state = run(state, { type: 'removeItem', section: witnesses, index: 0 }); // at min: stays
    state = run(state, { type: 'field', section: child, index: null, key: 'name', value: '' }, { type: 'showAll' });
    checked = check(state, CATALOG, regions, DESA, FORMS);
    expect(Object.keys(checked.shownErrors).sort()).toEqual(['f-child-name', 'f-witnesses-1-nik']);
    expect(checked.subjectFields).toBeNull(); // the old subject block is not asked as well
  });

  it('stores the fields and copies the subject from them; the draft body carries them', async () => {
    const state = filled();
    const checked = check(state, CATALOG, regions, DESA, FORMS);
    expect(checked.dataOk).toBe(true);
    expect(validateFields(FORMS, 'TEST', checked.wire, regions, new Date())).toEqual([]);
    const item = buildRequest(state, checked, { id: 'r1', username: 'op.a', desa: DESA, send: true, now: '2026-12-01T00:00:00Z' }) as LocalRequest;
    expect(item.subject).toEqual({ name: 'Rizki', nik: null, birth_date: '2015-03-03', birth_place: null, sex: 'L' });
    expect(item.fields).toEqual({
      child: { name: 'Rizki', birth_date: '2015-03-03', sex: 'L' },
      witnesses: [
        { nik: NIK, name: 'Saksi Satu' },
        { nik: '5203011708850001', name: 'Saksi Dua' },
      ],
    });
    const { draftBody } = await import('../src/lib/outbox');
    expect(draftBody(item).fields).toEqual(item.fields);
    expect(JSON.stringify(draftBody(item))).toBe(JSON.stringify(draftBody(structuredClone(item))));
    // Reopened: the same inputs, and the server's refusal shows on its field until edited.
    const refused = { ...item, fieldErrors: [{ field: 'fields.witnesses[1].nik', message: 'NIK ini tidak dikenal.' }] };
    let reopened = run(initialForm('r1', null), { type: 'loaded', item: refused, pages: [], onServer: [], forms: FORMS });
    expect(reopened.fields).toEqual(fromWire(definition, item.fields));
    expect(check(reopened, CATALOG, regions, DESA, FORMS).shownErrors).toEqual({ 'f-witnesses-1-nik': 'NIK ini tidak dikenal.' });
    reopened = run(reopened, { type: 'field', section: witnesses, index: 1, key: 'nik', value: NIK });
    expect(check(reopened, CATALOG, regions, DESA, FORMS).shownErrors).toEqual({});
  });

  it('a draft reopened with a wrong field shows its error at once, untouched', () => {
    const state = run(filled(), { type: 'field', section: witnesses, index: 1, key: 'nik', value: '1234' });
    const item = buildRequest(state, check(state, CATALOG, regions, DESA, FORMS), { id: 'r1', username: 'op.a', desa: DESA, send: false, now: '2026-12-01T00:00:00Z' }) as LocalRequest;
    const reopened = run(initialForm('r1', null), { type: 'loaded', item, pages: [], onServer: [], forms: FORMS });
    expect(Object.keys(check(reopened, CATALOG, regions, DESA, FORMS).shownErrors)).toEqual(['f-witnesses-1-nik']);
    // A draft saved before its form was begun does not open as a wall of "wajib diisi".
    const empty = run(initialForm('r2', null), { type: 'loaded', item: { ...item, fields: {} }, pages: [], onServer: [], forms: FORMS });
    expect(check(empty, CATALOG, regions, DESA, FORMS).shownErrors).toEqual({});
  });

  it('prefills the subject section from a worklist row, and another service starts empty', () => {
    const row = { id: 's1', name: 'Rizki', nik: CHILD_NIK, address: 'Dusun', category: null, documents: [{ code: 'AL', label: 'Akta', service: 'TEST' }] } as unknown as SasaranRow;
    let state = run(initialForm(undefined, 's1'), { type: 'sasaran', row, service: 'TEST', forms: FORMS });
    expect(state.fields).toEqual({ child: { name: 'Rizki', nik: CHILD_NIK, birth_date: '2015-03-03', sex: 'L' } });
    expect(state.applicant.name).toBe(''); // the applicant comes to the counter
    state = run(state, { type: 'service', code: 'KK_UBAH' });
    expect(state.fields).toEqual({});
  });
});
