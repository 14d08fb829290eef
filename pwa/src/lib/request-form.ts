// The new-request form (screens/request.tsx) as data: its state, a pure reducer over the
// operator's edits, what the state allows (validity, missing documents, the next step) and
// the LocalRequest it saves. No DOM, no storage, no translations: pwa/test/request-form.test.ts.
import subjects from '../data/subjects.json';
import { missing, type Service } from './catalog';
import { validateFields, type FieldError, type FormDefinition, type FormsFile, type SectionDef } from './form-rules';
import { addItem, errorsById, fromWire, prefillSubject, removeItem, serverFieldErrors, setValue, subjectFrom, toWire, visibleErrors, type RawFields, type RawValue, type WireFields } from './form-state';
import { definitionOf, fieldId, idOfPath, subjectSection } from './forms';
import type { Applicant, LocalRequest, LocalScan, SasaranRow, Subject } from './storage';
import { parseNumber, type Parsed, type RegionData } from './identity';
import { phoneProblem } from './consent';

export type Step = 'service' | 'data' | 'docs' | 'review';
export const STEPS: Step[] = ['service', 'data', 'docs', 'review'];
// The subject block of a service whose form has no subject section (docs/forms.md).
const SUBJECT_FIELDS = subjects.subject as Record<string, string[]>;
// Reading a worklist NIK's birth date and sex needs no region data (identity.ts).
const NO_REGIONS: RegionData = { kabupaten: { code: '', name: '' }, kecamatan: {} };

export const EMPTY_APPLICANT: Applicant = { nik: '', name: '', kk: '', phone: '', address: '' };
export const EMPTY_SUBJECT: Subject = { name: '', nik: '', birth_date: '', birth_place: '', sex: null };

/** A page Dukcapil already holds (a correction): shown with "Ganti foto ini". */
export interface ServerPage {
  id: string;
  requirement: string;
  sha256: string;
  content_type?: string;
  created_at?: string;
  placed_at?: string;
}

// As the server sorts them (Scan.order_key): a replacing page in its predecessor's place.
const order = (p: ServerPage) => p.placed_at || `${p.created_at ?? ''}|${p.id}`;

/** The server's pages of one document, numbered as Dukcapil and berkas.pdf number them. */
export function serverPages(pages: ServerPage[], requirement: string): (ServerPage & { page: number })[] {
  return pages
    .filter((p) => p.requirement === requirement)
    .sort((a, b) => order(a).localeCompare(order(b)))
    .map((p, i) => ({ ...p, page: i + 1 }));
}

/** A message to show: an i18n key with its values, or a text as it came. */
export type Message = { key: string; vars?: Record<string, string | number> } | { text: string };

export interface FormState {
  step: Step;
  loading: boolean;
  existing: LocalRequest | null;
  serviceCode: string;
  applicant: Applicant;
  subject: Subject;
  notes: string;
  pages: LocalScan[];
  preparing: number;
  scanError: Message | null;
  /** The document the scan error is about, so it shows on that document's card. */
  scanErrorFor: string | null;
  saveError: Message | null;
  saving: boolean;
  /** The stored request changed under this form (another tab): offer to save as a new draft. */
  conflict: boolean;
  blurred: Record<string, boolean>;
  onServer: ServerPage[];
  sasaranId: string | null;
  sasaranName: string | null;
  jemputBola: boolean;
  /** The service's form as typed (lib/form-state.ts). */
  fields: RawFields;
  /** "Lanjut" was pressed with errors: every field's error shows, not only those left. */
  showAll: boolean;
  /** The server's refusal of a parked item, each until its field is edited. */
  serverErrors: FieldError[];
}

/** A new form (`sasaranId`: started from the worklist), or one loading the draft `id`. */
export function initialForm(id: string | undefined, sasaranId: string | null): FormState {
  return {
    step: id ? 'data' : 'service',
    loading: Boolean(id),
    existing: null,
    serviceCode: '',
    applicant: EMPTY_APPLICANT,
    subject: EMPTY_SUBJECT,
    notes: '',
    pages: [],
    preparing: 0,
    scanError: null,
    scanErrorFor: null,
    saveError: null,
    saving: false,
    conflict: false,
    blurred: {},
    onServer: [],
    sasaranId: id ? null : sasaranId,
    sasaranName: null,
    jemputBola: false,
    fields: {},
    showAll: false,
    serverErrors: [],
  };
}

export type Action =
  | { type: 'step'; step: Step }
  | { type: 'service'; code: string }
  | { type: 'applicant'; key: keyof Applicant; value: string }
  | { type: 'subject'; key: keyof Subject; value: string }
  | { type: 'notes'; value: string }
  | { type: 'jemputBola'; value: boolean }
  /** The resident's consent to status messages to the phone number (lib/consent.ts). */
  | { type: 'notify'; value: boolean }
  | { type: 'blur'; name: string }
  | { type: 'preparing'; delta: 1 | -1 }
  | { type: 'scanError'; error: Message | null; requirement?: string }
  | { type: 'addPage'; scan: Omit<LocalScan, 'page'> }
  | { type: 'removePage'; id: string }
  /** The same page with other bytes, in its place (the crop to the paper, or its undoing). */
  | { type: 'replacePage'; id: string; scan: Omit<LocalScan, 'page'> }
  | { type: 'field'; section: SectionDef; index: number | null; key: string; value: RawValue }
  | { type: 'addItem'; section: SectionDef }
  | { type: 'removeItem'; section: SectionDef; index: number }
  | { type: 'showAll' }
  | { type: 'sasaran'; row: SasaranRow | undefined; service: string | null; forms?: FormsFile | null }
  | { type: 'loaded'; item: LocalRequest | undefined; pages: LocalScan[]; onServer: ServerPage[]; forms?: FormsFile | null }
  | { type: 'stored'; item: LocalRequest }
  | { type: 'saving' }
  | { type: 'saveFailed'; error: Message }
  | { type: 'conflict' }
  | { type: 'detach'; pages: LocalScan[] };

export function reduce(state: FormState, action: Action): FormState {
  switch (action.type) {
    case 'step':
      return { ...state, step: action.step };
    case 'service':
      // Another service asks other fields: what was typed for the first one goes.
      return action.code === state.serviceCode ? state : { ...state, serviceCode: action.code, fields: {}, showAll: false };
    case 'field': {
      const id = fieldId(action.section.key, action.index, action.key);
      const serverErrors = state.serverErrors.filter((e) => idOfPath(e.path) !== id);
      return { ...state, fields: setValue(state.fields, action.section, action.index, action.key, action.value), serverErrors };
    }
    case 'addItem':
    case 'removeItem': {
      const { section } = action;
      const fields = action.type === 'addItem' ? addItem(state.fields, section) : removeItem(state.fields, section, action.index);
      // Items moved: the server's errors of this group no longer point at the right one.
      const serverErrors = state.serverErrors.filter((e) => !idOfPath(e.path).startsWith(fieldId(section.key, null)));
      return { ...state, fields, serverErrors };
    }
    case 'showAll':
      return { ...state, showAll: true };
    case 'stored':
      // Saved on this device (the print button's save): later saves start from this copy.
      return { ...state, existing: action.item };
    case 'applicant':
      return { ...state, applicant: { ...state.applicant, [action.key]: action.value } };
    case 'subject':
      return { ...state, subject: { ...state.subject, [action.key]: action.value || (action.key === 'sex' ? null : '') } as Subject };
    case 'notes':
      return { ...state, notes: action.value };
    case 'jemputBola':
      return { ...state, jemputBola: action.value };
    case 'notify':
      return { ...state, applicant: { ...state.applicant, notify: action.value } };
    case 'blur':
      return { ...state, blurred: { ...state.blurred, [action.name]: true } };
    case 'preparing':
      return { ...state, preparing: state.preparing + action.delta };
    case 'scanError':
      return { ...state, scanError: action.error, scanErrorFor: action.requirement ?? null };
    case 'addPage': {
      const { scan } = action;
      if (state.pages.some((p) => p.requirement === scan.requirement && p.sha256 === scan.sha256)) {
        return { ...state, scanError: { key: 'scan.duplicate' }, scanErrorFor: scan.requirement };
      }
      if (scan.replaces && state.onServer.some((p) => p.sha256 === scan.sha256 && p.requirement === scan.requirement)) {
        return { ...state, scanError: { key: 'scan.duplicate' }, scanErrorFor: scan.requirement };
      }
      // A second replacement of the same server page takes the place of the first.
      const kept = scan.replaces ? state.pages.filter((p) => p.replaces !== scan.replaces) : state.pages;
      const page = Math.max(0, ...kept.filter((p) => p.requirement === scan.requirement).map((p) => p.page)) + 1;
      return { ...state, pages: [...kept, { ...scan, page }] };
    }
    case 'removePage':
      return { ...state, pages: state.pages.filter((p) => p.id !== action.id) };
    case 'replacePage':
      return { ...state, pages: state.pages.map((p) => (p.id === action.id ? { ...action.scan, page: p.page } : p)) };
    case 'sasaran': {
      const { row } = action;
      if (!row) return { ...state, sasaranId: null };
      const serviceCode = action.service ?? row.documents[0]?.service ?? '';
      const subjectFields = SUBJECT_FIELDS[serviceCode];
      const definition = definitionOf(action.forms, serviceCode);
      const common = { ...state, sasaranName: row.name, serviceCode, jemputBola: row.category !== null, fields: {} };
      if (subjectSection(definition)) {
        const known = row.nik ? parseNumber('nik', row.nik, NO_REGIONS) : null;
        const fields = prefillSubject(definition, {}, {
          name: row.name,
          nik: row.nik,
          birth_date: known?.ok ? known.info.date : null,
          sex: known?.ok ? known.info.sex : null,
        });
        return { ...common, fields, applicant: { ...EMPTY_APPLICANT, address: row.address ?? '' } };
      }
      if (!subjectFields) {
        return { ...common, applicant: { ...EMPTY_APPLICANT, name: row.name, nik: row.nik ?? '', address: row.address ?? '' } };
      }
      // The resident on the worklist is who the document is for (a child's akta, a KIA, a
      // death): the subject. The applicant (a parent, the reporting relative) comes to the
      // counter and is typed in; they usually share the address.
      const known = row.nik ? parseNumber('nik', row.nik, NO_REGIONS) : null;
      return {
        ...common,
        applicant: { ...EMPTY_APPLICANT, address: row.address ?? '' },
        subject: {
          ...EMPTY_SUBJECT,
          name: row.name,
          nik: subjectFields.includes('nik') ? (row.nik ?? '') : '',
          birth_date: known?.ok ? known.info.date : '',
          sex: known?.ok ? known.info.sex : null,
        },
      };
    }
    case 'loaded': {
      const { item } = action;
      if (!item) return { ...state, loading: false };
      return {
        ...state,
        loading: false,
        existing: item,
        serviceCode: item.service,
        applicant: { ...EMPTY_APPLICANT, ...item.applicant },
        subject: { ...EMPTY_SUBJECT, ...(item.subject ?? {}) },
        notes: item.notes,
        sasaranId: item.sasaranId ?? null,
        jemputBola: item.jemputBola ?? false,
        pages: action.pages,
        onServer: action.onServer,
        fields: fromWire(definitionOf(action.forms, item.service), item.fields),
        serverErrors: serverFieldErrors(item.fieldErrors),
        // Reopened with a form begun: every error it has shows at once (request.tsx goes to the first).
        showAll: Object.keys(item.fields ?? {}).length > 0 || (item.fieldErrors?.length ?? 0) > 0,
      };
    }
    case 'saving':
      return { ...state, saving: true, saveError: null };
    case 'saveFailed':
      return { ...state, saving: false, saveError: action.error };
    case 'conflict':
      return { ...state, saving: false, conflict: true, saveError: { key: 'save.conflict' } };
    case 'detach':
      // Nothing of the other copy carries over: no server version, code or pages on the server.
      return { ...state, existing: null, onServer: [], pages: action.pages, conflict: false, saveError: null };
  }
}

/** What the state allows: parsed numbers, validity of the data step, documents still missing. */
export interface Checked {
  service: Service | undefined;
  subjectFields: string[] | null;
  nik: Parsed | null;
  kk: Parsed | null;
  subjectNik: Parsed | null;
  phoneOk: boolean;
  /** Why the phone field is not fine (lib/consent.ts); null when phoneOk. */
  phoneProblem: 'invalid' | 'needed' | null;
  dataOk: boolean;
  /** Requirements with at least one page (here or already on the server). */
  have: Set<string>;
  lacking: Service['requirements'];
  canNext: boolean;
  /** Why "Lanjut" is disabled, in words: empty when it is not. */
  blocked: Message[];
  /** Show a number's error: once the field was left, or as soon as it has 16 digits. */
  live: (key: string, value: string) => boolean;
  /** The service's form definition (undefined: it asks no fields). */
  definition: FormDefinition | undefined;
  /** The form's `fields` as they would be stored and sent, and every error in them. */
  wire: WireFields;
  fieldErrors: FieldError[];
  /** The errors to show now, by input id: those of fields left, all after "Lanjut", the server's. */
  shownErrors: Record<string, string>;
  /** The request's subject: from the subject section when the form has one. */
  subjectName: string | null;
}

export function check(state: FormState, catalog: Service[], regions: RegionData, desa: string, forms?: FormsFile | null, today = new Date()): Checked {
  const { applicant, subject, serviceCode } = state;
  const service = catalog.find((s) => s.code === serviceCode);
  const definition = definitionOf(forms, serviceCode);
  // A form with a subject section asks the subject there, not in the old block.
  const subjectFields = subjectSection(definition) ? null : (SUBJECT_FIELDS[serviceCode] ?? null);
  const wire = definition ? toWire(definition, state.fields) : {};
  const fieldErrors = definition && forms ? validateFields(forms, serviceCode, wire, regions, today) : [];
  const shownErrors = { ...errorsById(state.serverErrors), ...visibleErrors(fieldErrors, state.blurred, state.showAll) };
  const nik = applicant.nik ? parseNumber('nik', applicant.nik, regions, { desa }) : null;
  const kk = applicant.kk ? parseNumber('kk', applicant.kk, regions, { desa }) : null;
  const subjectNik = subjectFields?.includes('nik') && subject.nik ? parseNumber('nik', subject.nik, regions, { desa }) : null;
  const phoneIssue = phoneProblem(applicant.phone, applicant.notify);
  const phoneOk = phoneIssue === null;
  const applicantOk =
    nik?.ok === true &&
    applicant.name.trim() !== '' &&
    (!kk || kk.ok) &&
    phoneOk &&
    (!subjectFields || (subject.name.trim() !== '' && (!subjectNik || subjectNik.ok)));
  const dataOk = applicantOk && fieldErrors.length === 0;
  const have = new Set([...state.pages.map((p) => p.requirement), ...state.onServer.map((p) => p.requirement)]);
  const lacking = service ? missing(service, have) : [];
  const { step } = state;
  // With the applicant in order "Lanjut" stays enabled: pressed with errors in the form, it
  // shows them all (request.tsx) instead of moving on.
  const canNext = step === 'service' ? Boolean(service) : step === 'data' ? applicantOk : step === 'docs' ? state.preparing === 0 : false;
  const live = (key: string, value: string) => state.blurred[key] || value.replace(/\D/g, '').length >= 16;
  const blocked: Message[] = [];
  if (step === 'service' && !service) blocked.push({ key: 'why.service' });
  if (step === 'data') {
    if (nik?.ok !== true) blocked.push({ key: nik ? 'why.nikInvalid' : 'why.nik' });
    if (applicant.name.trim() === '') blocked.push({ key: 'why.name' });
    if (kk && !kk.ok) blocked.push({ key: 'why.kk' });
    if (phoneIssue) blocked.push({ key: phoneIssue === 'needed' ? 'why.phoneNotify' : 'why.phone' });
    if (subjectFields && subject.name.trim() === '') blocked.push({ key: 'why.subjectName' });
    if (subjectNik && !subjectNik.ok) blocked.push({ key: 'why.subjectNik' });
  }
  if (step === 'docs' && state.preparing > 0) blocked.push({ key: 'why.preparing' });
  const fromFields = subjectFrom(definition, wire);
  const subjectName = fromFields ? fromFields.name : subjectFields ? subject.name.trim() : null;
  return { service, subjectFields, nik, kk, subjectNik, phoneOk, phoneProblem: phoneIssue, dataOk, have, lacking, canNext, blocked, live, definition, wire, fieldErrors, shownErrors, subjectName };
}


/** The request to store (a draft, or queued when `send`); null while the NIK is not valid. */
export function buildRequest(
  state: FormState,
  checked: Checked,
  context: { id: string; username: string; desa: string; send: boolean; now: string },
): LocalRequest | null {
  const { nik, kk, subjectNik, subjectFields, definition, wire } = checked;
  if (!nik?.ok) return null;
  const fromFields = subjectFrom(definition, wire);
  const { existing, applicant, subject } = state;
  const trimmed = (v: string | null) => (v && v.trim() ? v.trim() : null);
  return {
    ...(existing ?? {}),
    id: context.id,
    owner: existing?.owner ?? context.username,
    desa: existing?.desa ?? context.desa,
    service: state.serviceCode,
    applicant: {
      nik: nik.info.number,
      name: applicant.name.trim(),
      kk: kk?.ok ? kk.info.number : null,
      phone: trimmed(applicant.phone),
      address: trimmed(applicant.address),
      ...(applicant.notify ? { notify: true } : {}),
    },
    subject: fromFields
      ? fromFields
      : subjectFields
      ? {
          name: subject.name.trim(),
          nik: subjectNik?.ok ? subjectNik.info.number : null,
          birth_date: subjectFields.includes('birth_date') ? trimmed(subject.birth_date) : null,
          birth_place: subjectFields.includes('birth_place') ? trimmed(subject.birth_place) : null,
          sex: subjectFields.includes('sex') ? subject.sex : null,
        }
      : null,
    notes: state.notes.trim(),
    fields: definition ? wire : undefined,
    fieldErrors: undefined,
    sasaranId: state.sasaranId,
    jemputBola: state.jemputBola,
    state: context.send ? 'queued' : 'draft',
    createdAt: existing?.createdAt ?? context.now,
    updatedAt: context.now,
    serverVersion: existing?.serverVersion ?? 0,
    code: existing?.code ?? null,
    serverStatus: existing?.serverStatus ?? null,
    attempts: 0,
    nextAttemptAt: 0,
    message: null,
  };
}
