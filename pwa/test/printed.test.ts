// Printed F-forms against the data typed since (src/lib/printed.ts): a requirement's printed
// stamp, the warning when the data changed after its signed page was photographed, and the
// local copy of a request the server holds (a draft printed on another device).
import { describe, expect, it } from 'vitest';
import vectors from '../../backend/bakso/data/form_vectors.json';
import type { ServerRequest } from '../src/lib/db';
import type { FormDefinition, FormsFile } from '../src/lib/form-rules';
import { BUILT_FORMS } from '../src/lib/forms';
import { hasPrintedData, localCopyOf, printStamp, signedStamp, stalePrints } from '../src/lib/printed';
import { draftBody } from '../src/lib/outbox';

const DEF: FormDefinition = {
  sections: [
    { key: 'child', label: 'Anak', fills: 'F201', fields: [{ key: 'name', label: 'Nama', type: 'text', required: true }] },
    {
      key: 'extra',
      label: 'Lain',
      fields: [
        { key: 'kk_note', label: 'Catatan KK', type: 'text', required: false, fills: 'F101' },
        { key: 'free', label: 'Bebas', type: 'text', required: false },
      ],
    },
  ],
} as unknown as FormDefinition;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const valid = (service: string): any => JSON.parse(JSON.stringify((vectors.valid as Record<string, unknown>)[service]));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('printStamp', () => {
  it('covers the sections and fields that fill the requirement, nothing else', () => {
    const a = { child: { name: 'Rizki' }, extra: { kk_note: 'x', free: 'y' } };
    expect(printStamp(DEF, a, 'F201')).toBe(printStamp(DEF, { ...a, extra: { free: 'other' } }, 'F201'));
    expect(printStamp(DEF, a, 'F201')).not.toBe(printStamp(DEF, { ...a, child: { name: 'Rizky' } }, 'F201'));
    expect(printStamp(DEF, a, 'F101')).toBe(printStamp(DEF, { ...a, extra: { kk_note: 'x', free: 'z' } }, 'F101'));
    expect(printStamp(DEF, a, 'F101')).not.toBe(printStamp(DEF, { ...a, extra: { kk_note: 'w' } }, 'F101'));
    expect(hasPrintedData(DEF, { extra: { free: 'y' } }, 'F201')).toBe(false);
    expect(hasPrintedData(DEF, a, 'F201')).toBe(true);
  });
});

describe('stalePrints', () => {
  const kk = BUILT_FORMS.services.KK_BARU;
  const printedFields = valid('KK_BARU');
  const printed = { F101: printStamp(kk, printedFields, 'F101') };
  const renamed = clone(printedFields);
  renamed.members[2].name = 'Nama Baru';

  it('warns when the printed data changed after its signed page was photographed', () => {
    const signed = signedStamp(kk, printedFields, printed, 'F101');
    expect(signed).toBe(printed.F101);
    const pages = [{ requirement: 'F101', signed }];
    expect(stalePrints(kk, printedFields, printed, pages, [])).toEqual([]);
    expect(stalePrints(kk, renamed, printed, pages, [])).toEqual(['F101']);
  });

  it('warns for a page photographed after the edit: only the old print exists', () => {
    expect(signedStamp(kk, renamed, printed, 'F101')).toBeUndefined();
    expect(stalePrints(kk, renamed, printed, [{ requirement: 'F101' }], [])).toEqual(['F101']);
  });

  it('does not warn without a page of that form, or once printed again', () => {
    expect(stalePrints(kk, renamed, printed, [{ requirement: 'F102', signed: printed.F101 }], [])).toEqual([]);
    const again = { F101: printStamp(kk, renamed, 'F101') };
    expect(stalePrints(kk, renamed, again, [{ requirement: 'F101', signed: printed.F101 }], [])).toEqual([]);
    expect(stalePrints(kk, renamed, undefined, [{ requirement: 'F101', signed: printed.F101 }], [])).toEqual([]);
  });

  it('counts the pages the server holds as signed with the data as loaded', () => {
    expect(stalePrints(kk, renamed, printed, [], [{ requirement: 'F101' }])).toEqual(['F101']);
    expect(stalePrints(kk, printedFields, printed, [], [{ requirement: 'F101' }])).toEqual([]);
  });
});

describe('localCopyOf: a request the server holds, opened on a device without it', () => {
  const fields = valid('AKTA_LAHIR');
  const server = {
    id: '0a6f3c3e-1111-4222-8333-944445555666',
    code: 'LTG-2026-000123',
    status: 'DRAF',
    status_label: 'Draf',
    version: 3,
    service: 'AKTA_LAHIR',
    desa: '52.03.01.2001',
    applicant: { nik: '5203015708900001', name: 'Siti', kk: '5203010101200001', phone: null, address: 'Dusun I' },
    subject: { name: fields.subject.name, nik: null, birth_date: fields.subject.birth_date, birth_place: fields.subject.birth_place, sex: fields.subject.sex },
    notes: 'catatan',
    fields,
    created_at: '2026-12-01T08:00:00Z',
    updated_at: '2026-12-01T08:00:00Z',
    warnings: [],
    token: null,
    scans: [
      { id: 's1', requirement: 'F201', sha256: 'a'.repeat(64), size: 10, content_type: 'image/jpeg', state: 'ok' },
      { id: 's2', requirement: 'KTP_IBU', sha256: 'b'.repeat(64), size: 10, content_type: 'image/jpeg', state: 'pending' },
    ],
  } as unknown as ServerRequest;
  const forms: FormsFile = BUILT_FORMS;

  it('carries the data, form and version, so the send changes that version of it', () => {
    const local = localCopyOf(server, 'op1', forms.services.AKTA_LAHIR, '2026-12-01T09:00:00Z');
    expect(local).toMatchObject({ id: server.id, owner: 'op1', service: 'AKTA_LAHIR', state: 'draft', serverVersion: 3, code: server.code, serverStatus: 'DRAF', fix: true, fixNote: null, notes: 'catatan' });
    expect(local.fields).toEqual(fields);
    expect(local.applicant.name).toBe('Siti');
    const body = draftBody(local);
    expect(body.version).toBe(3);
    expect(body.fields).toEqual(fields);
    expect(body.subject).toEqual(server.subject);
  });

  it('takes the server form as signed only for a requirement with a checked page there', () => {
    const local = localCopyOf(server, 'op1', forms.services.AKTA_LAHIR, '2026-12-01T09:00:00Z');
    expect(Object.keys(local.printed ?? {})).toEqual(['F201']);
    const edited = clone(fields);
    edited.subject.name = 'Nama Lain';
    const onServer = [{ requirement: 'F201' }];
    expect(stalePrints(forms.services.AKTA_LAHIR, edited, local.printed, [], onServer)).toEqual(['F201']);
    expect(stalePrints(forms.services.AKTA_LAHIR, fields, local.printed, [], onServer)).toEqual([]);
  });

  it('a correction keeps what Dukcapil asked for', () => {
    const returned = { ...server, status: 'PERLU_PERBAIKAN', timeline: [{ status: 'PERLU_PERBAIKAN', label: '', at: '', by: '', note: 'Nama ayah salah' }] } as ServerRequest;
    expect(localCopyOf(returned, 'op1', forms.services.AKTA_LAHIR, 'now').fixNote).toBe('Nama ayah salah');
  });
});
