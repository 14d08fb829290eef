import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { prepareScan } from '../lib/compress';
import { Refused } from '../lib/images';
import { regions } from '../lib/regions';
import { buildRequest, check, initialForm, reduce, serverPages, STEPS, type Action, type Message } from '../lib/request-form';
import { cachedSasaranRow, cachedServerRequest, EditConflict, localRequest, saveRequestWithScans, scansOf } from '../lib/storage';
import { getState, reloadLocal, requestBackgroundSync, runSync, toast, unsaved, useStore } from '../lib/store';
import { uuid } from '../lib/uuid';
import { serviceLabel } from './common';
import { filledRequirements, formsOf, subjectSection } from '../lib/forms';
import { idWarnings } from './field';
import { usePhotoCheck, withBytes } from './photo-check';
import { DataStep } from './request-data';
import { usePrint } from './request-print';
import { RequirementCard } from './requirement-card';
import { goToSection } from './form-sections';
import { focusFirstError, useAfterRender } from './after-render';
import { FormReadBack } from './request-review';
import { NotifyReadBack } from './notify-consent';
import { signedStamp, stalePrints } from '../lib/printed';

const show = (message: Message) => ('text' in message ? message.text : t(message.key, message.vars));

export function NewRequest(props: { id?: string }) {
  const state = useStore();
  const user = state.session!.user;
  const [formId, setFormId] = useState(() => props.id ?? uuid());
  // Started from the desa worklist: #/baru?sasaran=<row id>&layanan=<service code>
  const [form, dispatch] = useReducer(reduce, undefined, () =>
    initialForm(props.id, new URLSearchParams(location.hash.split('?')[1] ?? '').get('sasaran')),
  );
  // Flagged photos (dark, blurred, small) wait for "Ambil ulang" or "Tetap pakai".
  const photoCheck = usePhotoCheck((scan) => (unsaved.add(formId), dispatch({ type: 'addPage', scan })));
  const after = useAfterRender();
  const { step, existing, serviceCode, applicant, pages, preparing, scanError, saveError, saving, onServer, sasaranId, sasaranName } = form;
  const forms = formsOf(state.forms);

  useEffect(() => {
    if (props.id || !sasaranId) return undefined;
    void (async () => {
      const row = await cachedSasaranRow(sasaranId);
      dispatch({ type: 'sasaran', row, service: new URLSearchParams(location.hash.split('?')[1] ?? '').get('layanan'), forms: formsOf(getState().forms) });
    })();
    return undefined;
  }, [props.id, sasaranId]);

  useEffect(() => {
    if (!props.id) return undefined;
    void (async () => {
      const item = await localRequest(props.id as string);
      const server = item?.fix ? await cachedServerRequest(item.id) : undefined;
      dispatch({
        type: 'loaded',
        item,
        pages: item ? await scansOf(item.id) : [],
        onServer: (server?.scans ?? []).filter((sc) => sc.state === 'ok'),
        forms: formsOf(getState().forms),
      });
    })();
    return undefined;
  }, [props.id]);
  useEffect(() => () => void unsaved.delete(formId), [formId]);
  // Reopened with errors stored (the server's refusal, or a form left incomplete): all show
  // (request-form.ts 'loaded'), and the first is brought into view once.
  const openedAtError = useRef(false);
  useEffect(() => {
    if (form.loading || !props.id || !form.showAll || openedAtError.current) return;
    openedAtError.current = true;
    const first = document.querySelector('[aria-invalid="true"]') as HTMLElement | null;
    first?.focus();
    first?.scrollIntoView({ block: 'center' });
  }, [form.loading, props.id, form.showAll]);

  if (!user.desa) return <p class="note">{t('form.operatorOnly')}</p>;
  if (form.loading) return <p>{t('app.loading')}</p>;
  if (props.id && !existing && formId === props.id) return <p class="note">{t('detail.notFound')}</p>;
  if (existing && existing.state === 'queued') return <p class="note">{t('form.queuedLocked')}</p>;

  /** An edit of the operator's: the form now holds input not yet saved. */
  const edit = (action: Action) => {
    unsaved.add(formId);
    dispatch(action);
  };
  const checked = check(form, state.catalog, regions, user.desa, forms);
  const { service, nik, kk, have, lacking, canNext, blocked, subjectName, fieldErrors } = checked;

  const addFiles = async (requirement: string, files: FileList | null, replaces?: string) => {
    if (!files || files.length === 0) return;
    edit({ type: 'scanError', error: null });
    // A page of a printed form taken while the data still matches what was printed.
    const signed = signedStamp(checked.definition, checked.wire, existing?.printed, requirement);
    // A replacement is one photo for one page.
    for (const file of Array.from(files).slice(0, replaces ? 1 : undefined)) {
      dispatch({ type: 'preparing', delta: 1 });
      try {
        const prepared = await prepareScan(file);
        const scan = {
          id: uuid(),
          requestId: formId,
          requirement,
          blob: prepared.blob,
          name: file.name,
          contentType: prepared.contentType,
          size: prepared.size,
          sha256: prepared.sha256,
          done: false,
          failures: 0,
          ...(replaces ? { replaces } : {}),
          ...(signed ? { signed } : {}),
        };
        if (prepared.flags?.length) photoCheck.hold({ scan, flags: prepared.flags, label: service?.requirements.find((r) => r.code === requirement)?.label ?? '' });
        else dispatch({ type: 'addPage', scan });
      } catch (error) {
        const problem = error instanceof Refused ? { key: `scan.refused.${error.reason}`, vars: { name: file.name } } : { text: String(error) };
        dispatch({ type: 'scanError', error: problem, requirement });
      } finally {
        dispatch({ type: 'preparing', delta: -1 });
      }
    }
  };

  const save = async (send: boolean) => {
    const item = buildRequest(form, checked, { id: formId, username: user.username, desa: user.desa as string, send, now: new Date().toISOString() });
    if (!item) return;
    dispatch({ type: 'saving' });
    try {
      await saveRequestWithScans(item, pages.map((p) => ({ ...p, requestId: formId })), existing?.updatedAt ?? null);
    } catch (error) {
      if (error instanceof EditConflict) {
        dispatch({ type: 'conflict' });
        return;
      }
      const quota = error instanceof DOMException && error.name === 'QuotaExceededError';
      dispatch({ type: 'saveFailed', error: { key: quota ? 'save.quota' : 'save.failed' } });
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

  /** After a conflict: the same input becomes a new draft of its own (new ids, new photos' ids). */
  const saveAsNew = () => {
    const id = uuid();
    unsaved.delete(formId);
    unsaved.add(id);
    setFormId(id);
    dispatch({ type: 'detach', pages: pages.map((p) => ({ ...p, id: uuid(), requestId: id, done: false, failures: 0 })) });
  };

  const index = STEPS.indexOf(step);
  /** "Lanjut": on the data step with errors in the form, show them all and go to the first. */
  const next = () => {
    if (step === 'data' && fieldErrors.length > 0) {
      dispatch({ type: 'showAll' });
      after(focusFirstError);
      return;
    }
    dispatch({ type: 'step', step: STEPS[index + 1] });
  };
  const print = usePrint({ form, checked, formId, pages, user, dispatch });
  const printable = filledRequirements(checked.definition);
  // Printed forms whose data changed after their signed page was photographed (lib/printed.ts).
  const stale = stalePrints(checked.definition, checked.wire, existing?.printed, pages, onServer.filter((s) => !pages.some((p) => p.replaces === s.id)));
  const printOf = (code: string) => ({
    busy: print.busy === code,
    note: print.notes[code] ?? '',
    // Only while the draft stored for it still holds what is typed now.
    link: print.links[code] && signedStamp(checked.definition, checked.wire, existing?.printed, code) ? print.links[code] : null,
    stale: stale.includes(code),
    onPrint: () => print.print(code),
  });

  return (
    <section class="wizard">
      <h1>{existing ? t('form.editTitle') : t('form.title')}</h1>
      {existing?.fix && existing.fixNote && (
        // What Dukcapil asked for stays in sight while the operator fixes it.
        <div class="note note-warn" role="status">
          <strong>{t('detail.toFix')}</strong> {existing.fixNote}
        </div>
      )}
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
                onChange={() => edit({ type: 'service', code: s.code })}
              />
              <span>{serviceLabel(state.catalog, s.code)}</span>
            </label>
          ))}
        </fieldset>
      )}

      {step === 'data' && <DataStep form={form} checked={checked} forms={forms} edit={edit} dispatch={dispatch} />}
      {step === 'data' && checked.definition && nik?.ok && (
        // A long form (a KK of many members) may be kept half filled and finished later.
        <>
          {saveError && (
            <p class="error" role="alert">
              {show(saveError)}
            </p>
          )}
          <button type="button" class="btn btn-block" disabled={saving} onClick={() => void save(false)}>
            {t('form.saveDraft')}
          </button>
        </>
      )}

      {step === 'docs' && service && (
        <div>
          <p class="lead">{t('form.docsHelp')}</p>
          {service.requirements.map((r) => (
            <RequirementCard
              requirement={r}
              group={service.requirements.filter((o) => r.one_of && o.one_of === r.one_of && o.code !== r.code)}
              have={have}
              pages={pages.filter((p) => p.requirement === r.code)}
              onServer={serverPages(onServer, r.code)}
              requestId={formId}
              error={form.scanErrorFor === r.code && scanError ? show(scanError) : null}
              onRemove={(id) => edit({ type: 'removePage', id })}
              onCrop={(page, prepared) => edit({ type: 'replacePage', id: page.id, scan: withBytes(page, prepared, uuid()) })}
              onFiles={(files) => void addFiles(r.code, files)}
              onReplace={(serverId, files) => void addFiles(r.code, files, serverId)}
              print={printable.includes(r.code) ? printOf(r.code) : undefined}
            />
          ))}
          {photoCheck.view}
          {preparing > 0 && (
            <p class="note" role="status">
              {t('scan.preparing', { n: preparing })}
            </p>
          )}
          {scanError && !form.scanErrorFor && (
            <p class="error" role="alert">
              {show(scanError)}
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
            {kk?.ok && (
              <>
                <dt>{t('field.kk')}</dt>
                <dd>{kk.info.number}</dd>
              </>
            )}
            {subjectName !== null && (
              <>
                <dt>{subjectSection(checked.definition)?.label ?? t(`form.subject.${serviceCode}`)}</dt>
                <dd>{subjectName}</dd>
              </>
            )}
            <NotifyReadBack applicant={applicant} />
            <dt>{t('form.documents')}</dt>
            {/* A correction keeps the pages Dukcapil has: count them, less those replaced. */}
            <dd>{t('form.pages', { n: onServer.length + pages.filter((p) => !p.replaces).length, docs: have.size })}</dd>
          </dl>
          {[...idWarnings(nik, 'NIK'), ...idWarnings(kk, 'No. KK')].map((w) => (
            <p class="warning">{w}</p>
          ))}
          {stale.map((code) => (
            <p class="warning" role="alert" data-stale={code}>
              {t('print.staleReview', { label: service.requirements.find((r) => r.code === code)?.label ?? code })}
            </p>
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
          {checked.definition && (
            <FormReadBack
              forms={forms}
              service={service.code}
              fields={checked.wire}
              onEdit={(key) => {
                dispatch({ type: 'step', step: 'data' });
                after(() => goToSection(key));
              }}
            />
          )}
          {saveError && (
            <p class="error" role="alert">
              {show(saveError)}
            </p>
          )}
          {form.conflict && (
            <div class="row">
              <button type="button" class="btn" onClick={saveAsNew}>
                {t('save.asNew')}
              </button>
              <a class="btn" href={`#/permohonan/${formId}`}>
                {t('save.openOther')}
              </a>
            </div>
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
          <button type="button" class="btn" onClick={() => dispatch({ type: 'step', step: STEPS[index - 1] })}>
            {t('form.back')}
          </button>
        )}
        {index < STEPS.length - 1 && (
          <button
            type="button"
            class="btn btn-primary"
            disabled={!canNext}
            aria-describedby={blocked.length ? 'why-next' : undefined}
            onClick={next}
          >
            {t('form.next')}
          </button>
        )}
      </div>
      {!canNext && blocked.length > 0 && (
        <p id="why-next" class="hint">
          {blocked.map(show).join(' ')}
        </p>
      )}
    </section>
  );
}
