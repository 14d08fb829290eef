import { useEffect, useState } from 'preact/hooks';
import forms from '../data/forms.json';
import { t } from '../i18n';
import { missing, type Service } from '../lib/catalog';
import { prepareScan } from '../lib/compress';
import { db, saveRequestWithScans, scansOf, type Applicant, type LocalRequest, type LocalScan, type Subject } from '../lib/db';
import { parseNumber, type Parsed } from '../lib/identity';
import { Refused } from '../lib/images';
import { regions } from '../lib/regions';
import { uuid } from '../lib/uuid';
import { reloadLocal, runSync, toast, unsaved, useStore } from '../lib/store';
import { serviceLabel, Thumb } from './common';

type Step = 'service' | 'data' | 'docs' | 'review';
const STEPS: Step[] = ['service', 'data', 'docs', 'review'];
const SUBJECT_FIELDS = forms.subject as Record<string, string[]>;
const PHONE = /^\+?[0-9][0-9 -]{6,19}$/;

function idMessage(parsed: Parsed | null, what: string): string | null {
  if (!parsed || parsed.ok) return null;
  return t(`id.error.${parsed.error}`, { what, ...parsed.detail });
}

function idWarnings(parsed: Parsed | null, what: string): string[] {
  if (!parsed || !parsed.ok) return [];
  return parsed.info.warnings.map((w) => t(`id.warn.${w.code}`, { what, kecamatan: w.kecamatan, kabupaten: w.kabupaten }));
}

export async function requestBackgroundSync(): Promise<void> {
  try {
    if (!navigator.serviceWorker?.controller) return;
    const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
      sync?: { register(tag: string): Promise<void> };
    };
    await registration.sync?.register('bakso-outbox');
  } catch {
    // Background Sync is a bonus; the foreground loop sends anyway.
  }
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | null;
  warnings?: string[];
  required?: boolean;
  type?: 'text' | 'tel' | 'date';
  inputMode?: 'numeric' | 'tel' | 'text';
  autoComplete?: string;
  maxLength?: number;
}

function Field(props: FieldProps) {
  const described = [props.error ? `${props.id}-err` : '', props.warnings?.length ? `${props.id}-warn` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>
        {props.label}
        {props.required ? ' *' : ` (${t('form.optional')})`}
      </label>
      <input
        id={props.id}
        name={props.id}
        {...({ type: props.type ?? 'text' } as { type: 'text' }) /* Preact 11 narrows per type */}
        inputMode={props.inputMode}
        autoComplete={props.autoComplete ?? 'off'}
        required={props.required}
        maxLength={props.maxLength}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.error && (
        <p id={`${props.id}-err`} class="error">
          {props.error}
        </p>
      )}
      {props.warnings && props.warnings.length > 0 && (
        <p id={`${props.id}-warn`} class="warning">
          {props.warnings.join(' ')}
        </p>
      )}
    </div>
  );
}

const EMPTY_APPLICANT: Applicant = { nik: '', name: '', kk: '', phone: '', address: '' };
const EMPTY_SUBJECT: Subject = { name: '', nik: '', birth_date: '', birth_place: '', sex: null };

export function NewRequest(props: { id?: string }) {
  const state = useStore();
  const user = state.session!.user;
  const [formId] = useState(() => props.id ?? uuid());
  const [existing, setExisting] = useState<LocalRequest | null>(null);
  const [loading, setLoading] = useState(Boolean(props.id));
  const [step, setStep] = useState<Step>(props.id ? 'data' : 'service');
  const [serviceCode, setServiceCode] = useState('');
  const [applicant, setApplicant] = useState<Applicant>(EMPTY_APPLICANT);
  const [subject, setSubject] = useState<Subject>(EMPTY_SUBJECT);
  const [notes, setNotes] = useState('');
  const [pages, setPages] = useState<LocalScan[]>([]);
  const [preparing, setPreparing] = useState(0);
  const [scanError, setScanError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [blurred, setBlurred] = useState<Record<string, boolean>>({});
  const [onServer, setOnServer] = useState<{ requirement: string; sha256: string }[]>([]);
  // Started from the desa worklist: #/baru?sasaran=<row id>&layanan=<service code>
  const [sasaranId, setSasaranId] = useState<string | null>(() =>
    props.id ? null : new URLSearchParams(location.hash.split('?')[1] ?? '').get('sasaran'),
  );
  const [sasaranName, setSasaranName] = useState<string | null>(null);
  const [jemputBola, setJemputBola] = useState(false);

  useEffect(() => {
    if (props.id || !sasaranId) return undefined;
    void (async () => {
      const row = await (await db()).get('sasaran', sasaranId);
      if (!row) {
        setSasaranId(null);
        return;
      }
      const wanted = new URLSearchParams(location.hash.split('?')[1] ?? '').get('layanan');
      setSasaranName(row.name);
      setServiceCode(wanted ?? row.documents[0]?.service ?? '');
      setApplicant({ ...EMPTY_APPLICANT, name: row.name, nik: row.nik ?? '' });
      setJemputBola(row.category !== null);
    })();
    return undefined;
  }, [props.id, sasaranId]);

  useEffect(() => {
    if (!props.id) return undefined;
    void (async () => {
      const item = await (await db()).get('requests', props.id as string);
      if (item) {
        setExisting(item);
        setServiceCode(item.service);
        setApplicant({ ...EMPTY_APPLICANT, ...item.applicant });
        setSubject({ ...EMPTY_SUBJECT, ...(item.subject ?? {}) });
        setNotes(item.notes);
        setSasaranId(item.sasaranId ?? null);
        setJemputBola(item.jemputBola ?? false);
        setPages(await scansOf(item.id));
        if (item.fix) {
          const server = await (await db()).get('server', item.id);
          setOnServer((server?.scans ?? []).filter((sc) => sc.state === 'ok'));
        }
      }
      setLoading(false);
    })();
    return undefined;
  }, [props.id]);
  useEffect(() => () => void unsaved.delete(formId), [formId]);

  if (!user.desa) return <p class="note">{t('form.operatorOnly')}</p>;
  if (loading) return <p>{t('app.loading')}</p>;
  if (props.id && !existing) return <p class="note">{t('detail.notFound')}</p>;
  if (existing && existing.state === 'queued') return <p class="note">{t('form.queuedLocked')}</p>;

  const dirty = () => unsaved.add(formId);
  const service: Service | undefined = state.catalog.find((s) => s.code === serviceCode);
  const subjectFields = SUBJECT_FIELDS[serviceCode] ?? null;
  const live = (key: string, value: string) => blurred[key] || value.replace(/\D/g, '').length >= 16;
  const nik = applicant.nik ? parseNumber('nik', applicant.nik, regions, { desa: user.desa }) : null;
  const kk = applicant.kk ? parseNumber('kk', applicant.kk, regions, { desa: user.desa }) : null;
  const subjectNik = subjectFields?.includes('nik') && subject.nik ? parseNumber('nik', subject.nik, regions, { desa: user.desa }) : null;
  const phoneOk = !applicant.phone || PHONE.test(applicant.phone.trim());
  const dataOk =
    nik?.ok === true &&
    applicant.name.trim() !== '' &&
    (!kk || kk.ok) &&
    phoneOk &&
    (!subjectFields || (subject.name.trim() !== '' && (!subjectNik || subjectNik.ok)));
  const have = new Set([...pages.map((p) => p.requirement), ...onServer.map((p) => p.requirement)]);
  const lacking = service ? missing(service, have) : [];

  const setA = (key: keyof Applicant) => (value: string) => {
    dirty();
    setApplicant({ ...applicant, [key]: value });
  };
  const setS = (key: keyof Subject) => (value: string) => {
    dirty();
    setSubject({ ...subject, [key]: value || (key === 'sex' ? null : '') } as Subject);
  };

  const addFiles = async (requirement: string, files: FileList | null) => {
    if (!files || files.length === 0) return;
    dirty();
    setScanError(null);
    for (const file of Array.from(files)) {
      setPreparing((n) => n + 1);
      try {
        const prepared = await prepareScan(file);
        setPages((current) => {
          if (current.some((p) => p.requirement === requirement && p.sha256 === prepared.sha256)) {
            setScanError(t('scan.duplicate'));
            return current;
          }
          const page = Math.max(0, ...current.filter((p) => p.requirement === requirement).map((p) => p.page)) + 1;
          return [
            ...current,
            {
              id: uuid(),
              requestId: formId,
              requirement,
              page,
              blob: prepared.blob,
              name: file.name,
              contentType: prepared.contentType,
              size: prepared.size,
              sha256: prepared.sha256,
              done: false,
              failures: 0,
            },
          ];
        });
      } catch (error) {
        setScanError(error instanceof Refused ? t(`scan.refused.${error.reason}`, { name: file.name }) : String(error));
      } finally {
        setPreparing((n) => n - 1);
      }
    }
  };

  const removePage = (id: string) => {
    dirty();
    setPages(pages.filter((p) => p.id !== id));
  };

  const save = async (send: boolean) => {
    if (!nik?.ok) return;
    setSaving(true);
    setSaveError(null);
    const now = new Date().toISOString();
    const trimmed = (v: string | null) => (v && v.trim() ? v.trim() : null);
    const item: LocalRequest = {
      ...(existing ?? {}),
      id: formId,
      owner: existing?.owner ?? user.username,
      desa: existing?.desa ?? (user.desa as string),
      service: serviceCode,
      applicant: {
        nik: nik.info.number,
        name: applicant.name.trim(),
        kk: kk?.ok ? kk.info.number : null,
        phone: trimmed(applicant.phone),
        address: trimmed(applicant.address),
      },
      subject: subjectFields
        ? {
            name: subject.name.trim(),
            nik: subjectNik?.ok ? subjectNik.info.number : null,
            birth_date: subjectFields.includes('birth_date') ? trimmed(subject.birth_date) : null,
            birth_place: subjectFields.includes('birth_place') ? trimmed(subject.birth_place) : null,
            sex: subjectFields.includes('sex') ? subject.sex : null,
          }
        : null,
      notes: notes.trim(),
      sasaranId,
      jemputBola,
      state: send ? 'queued' : 'draft',
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      serverVersion: existing?.serverVersion ?? 0,
      code: existing?.code ?? null,
      serverStatus: existing?.serverStatus ?? null,
      attempts: 0,
      nextAttemptAt: 0,
      message: null,
    };
    try {
      await saveRequestWithScans(item, pages.map((p) => ({ ...p, requestId: formId })));
    } catch (error) {
      const quota = error instanceof DOMException && error.name === 'QuotaExceededError';
      setSaveError(t(quota ? 'save.quota' : 'save.failed'));
      setSaving(false);
      return;
    }
    unsaved.delete(formId);
    await reloadLocal();
    toast(t(send ? 'save.queued' : 'save.saved'));
    if (send) {
      void requestBackgroundSync();
      void runSync(true);
      location.hash = '#/antrean';
    } else {
      location.hash = `#/permohonan/${formId}`;
    }
  };

  const index = STEPS.indexOf(step);
  const canNext = step === 'service' ? Boolean(service) : step === 'data' ? dataOk : step === 'docs' ? preparing === 0 : false;

  return (
    <section class="wizard">
      <h1>{existing ? t('form.editTitle') : t('form.title')}</h1>
      {sasaranId && <p class="note">{t('sasaran.linkedTo', { name: sasaranName ?? existing?.applicant.name ?? '' })}</p>}
      <ol class="steps" aria-label={t('form.steps')}>
        {STEPS.map((s, i) => (
          <li class={i === index ? 'step step-current' : i < index ? 'step step-done' : 'step'} aria-current={i === index ? 'step' : undefined}>
            {t(`form.step.${s}`)}
          </li>
        ))}
      </ol>

      {step === 'service' && (
        <fieldset class="choices">
          <legend>{t('form.chooseService')}</legend>
          {state.catalog.length === 0 && <p class="note">{t('form.noCatalog')}</p>}
          {state.catalog.map((s) => (
            <label class={serviceCode === s.code ? 'choice choice-on' : 'choice'}>
              <input
                type="radio"
                name="service"
                value={s.code}
                checked={serviceCode === s.code}
                onChange={() => {
                  dirty();
                  setServiceCode(s.code);
                }}
              />
              <span>{serviceLabel(state.catalog, s.code)}</span>
            </label>
          ))}
        </fieldset>
      )}

      {step === 'data' && (
        <div onFocusOut={(e) => setBlurred({ ...blurred, [(e.target as HTMLInputElement).name]: true })}>
          <h2>{t('form.applicant')}</h2>
          <Field
            id="nik"
            label={t('field.nik')}
            inputMode="numeric"
            required
            value={applicant.nik}
            onInput={setA('nik')}
            error={live('nik', applicant.nik) ? idMessage(nik, 'NIK') : null}
            warnings={idWarnings(nik, 'NIK')}
          />
          <Field id="name" label={t('field.name')} required maxLength={120} value={applicant.name} onInput={setA('name')} />
          <Field
            id="kk"
            label={t('field.kk')}
            inputMode="numeric"
            value={applicant.kk ?? ''}
            onInput={setA('kk')}
            error={live('kk', applicant.kk ?? '') ? idMessage(kk, 'No. KK') : null}
            warnings={idWarnings(kk, 'No. KK')}
          />
          <Field
            id="phone"
            label={t('field.phone')}
            type="tel"
            inputMode="tel"
            value={applicant.phone ?? ''}
            onInput={setA('phone')}
            error={phoneOk ? null : t('field.phoneInvalid')}
          />
          <Field id="address" label={t('field.address')} maxLength={300} value={applicant.address ?? ''} onInput={setA('address')} />
          {subjectFields && (
            <>
              <h2>{t(`form.subject.${serviceCode}`)}</h2>
              <Field id="subject_name" label={t('field.name')} required maxLength={120} value={subject.name} onInput={setS('name')} />
              {subjectFields.includes('nik') && (
                <Field
                  id="subject_nik"
                  label={t('field.nik')}
                  inputMode="numeric"
                  value={subject.nik ?? ''}
                  onInput={setS('nik')}
                  error={live('subject_nik', subject.nik ?? '') ? idMessage(subjectNik, 'NIK') : null}
                  warnings={idWarnings(subjectNik, 'NIK')}
                />
              )}
              {subjectFields.includes('birth_date') && (
                <Field id="birth_date" label={t('field.birthDate')} type="date" value={subject.birth_date ?? ''} onInput={setS('birth_date')} />
              )}
              {subjectFields.includes('birth_place') && (
                <Field id="birth_place" label={t('field.birthPlace')} maxLength={120} value={subject.birth_place ?? ''} onInput={setS('birth_place')} />
              )}
              {subjectFields.includes('sex') && (
                <fieldset class="choices choices-inline">
                  <legend>{t('field.sex')}</legend>
                  {(['L', 'P'] as const).map((sex) => (
                    <label class={subject.sex === sex ? 'choice choice-on' : 'choice'}>
                      <input type="radio" name="sex" value={sex} checked={subject.sex === sex} onChange={() => setS('sex')(sex)} />
                      <span>{t(`sex.${sex}`)}</span>
                    </label>
                  ))}
                </fieldset>
              )}
            </>
          )}
          <div class="field">
            <label for="notes">
              {t('field.notes')} ({t('form.optional')})
            </label>
            <textarea
              id="notes"
              name="notes"
              rows={2}
              maxLength={2000}
              value={notes}
              onInput={(e) => {
                dirty();
                setNotes(e.currentTarget.value);
              }}
            />
          </div>
          <label class="check">
            <input
              type="checkbox"
              id="jemput-bola"
              checked={jemputBola}
              onChange={(e) => {
                dirty();
                setJemputBola(e.currentTarget.checked);
              }}
            />{' '}
            {t('sasaran.jemputBola')}
          </label>
        </div>
      )}

      {step === 'docs' && service && (
        <div>
          <p class="lead">{t('form.docsHelp')}</p>
          {service.requirements.map((r) => {
            const mine = pages.filter((p) => p.requirement === r.code);
            const kind = !r.required ? 'optional' : r.one_of ? 'oneOf' : 'required';
            return (
              <section class={`req ${mine.length ? 'req-ok' : ''}`} aria-labelledby={`req-${r.code}`}>
                <h3 id={`req-${r.code}`}>
                  {(mine.length > 0 || onServer.some((p) => p.requirement === r.code)) && <span aria-hidden="true">✓ </span>}
                  {r.label}
                </h3>
                <p class={`req-kind req-${kind}`}>{t(`req.${kind}`)}</p>
                {onServer.some((p) => p.requirement === r.code) && (
                  <p class="muted">{t('scan.onServer', { n: onServer.filter((p) => p.requirement === r.code).length })}</p>
                )}
                {mine.length > 0 && (
                  <ul class="thumbs">
                    {mine.map((p) => (
                      <li>
                        <Thumb blob={p.blob} label={t('scan.page', { n: p.page, doc: r.label })} />
                        <button type="button" class="btn btn-small btn-danger" onClick={() => removePage(p.id)}>
                          {t('scan.remove', { n: p.page })}
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
                <div class="row">
                  <label class="btn btn-file">
                    <span>{mine.length ? t('scan.cameraMore') : t('scan.camera')}</span>
                    <input
                      type="file"
                      class="sr-only"
                      accept="image/*"
                      capture="environment"
                      data-req={r.code}
                      data-mode="camera"
                      onChange={(e) => {
                        void addFiles(r.code, e.currentTarget.files);
                        e.currentTarget.value = '';
                      }}
                    />
                  </label>
                  <label class="btn btn-file">
                    <span>{t('scan.pick')}</span>
                    <input
                      type="file"
                      class="sr-only"
                      accept="image/*,application/pdf"
                      multiple
                      data-req={r.code}
                      data-mode="file"
                      onChange={(e) => {
                        void addFiles(r.code, e.currentTarget.files);
                        e.currentTarget.value = '';
                      }}
                    />
                  </label>
                </div>
              </section>
            );
          })}
          {preparing > 0 && (
            <p class="note" role="status">
              {t('scan.preparing', { n: preparing })}
            </p>
          )}
          {scanError && (
            <p class="error" role="alert">
              {scanError}
            </p>
          )}
        </div>
      )}

      {step === 'review' && service && nik?.ok && (
        <div>
          <dl class="summary">
            <dt>{t('form.service')}</dt>
            <dd>{serviceLabel(state.catalog, service.code)}</dd>
            <dt>{t('field.nik')}</dt>
            <dd>{nik.info.number}</dd>
            <dt>{t('field.name')}</dt>
            <dd>{applicant.name}</dd>
            {subjectFields && (
              <>
                <dt>{t(`form.subject.${serviceCode}`)}</dt>
                <dd>{subject.name}</dd>
              </>
            )}
            <dt>{t('form.documents')}</dt>
            <dd>{t('form.pages', { n: pages.length, docs: have.size })}</dd>
          </dl>
          {[...idWarnings(nik, 'NIK'), ...idWarnings(kk, 'No. KK')].map((w) => (
            <p class="warning">{w}</p>
          ))}
          {lacking.length > 0 && (
            <div class="note" role="status">
              <p>{t('form.missing')}</p>
              <ul>
                {lacking.map((r) => (
                  <li>{r.label}</li>
                ))}
              </ul>
            </div>
          )}
          {saveError && (
            <p class="error" role="alert">
              {saveError}
            </p>
          )}
          <div class="row">
            <button type="button" class="btn" disabled={saving} onClick={() => void save(false)}>
              {t('form.saveDraft')}
            </button>
            <button type="button" class="btn btn-primary" disabled={saving || lacking.length > 0} onClick={() => void save(true)}>
              {t('form.send')}
            </button>
          </div>
        </div>
      )}

      <div class="row wizard-nav">
        {index > 0 && (
          <button type="button" class="btn" onClick={() => setStep(STEPS[index - 1])}>
            {t('form.back')}
          </button>
        )}
        {index < STEPS.length - 1 && (
          <button type="button" class="btn btn-primary" disabled={!canNext} onClick={() => setStep(STEPS[index + 1])}>
            {t('form.next')}
          </button>
        )}
      </div>
    </section>
  );
}
