// The data step of the new-request form: the jump list of a long form's sections, the
// applicant, the old subject block (a service whose form has no subject section), the
// service's form (form-sections.tsx), notes.
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { copyOffers } from '../lib/form-copy';
import type { FormsFile } from '../lib/form-rules';
import { errorsById } from '../lib/form-state';
import { fieldId } from '../lib/forms';
import type { Action, Checked, FormState } from '../lib/request-form';
import type { Applicant, Subject } from '../lib/storage';
import { Field, idMessage, idWarnings } from './field';
import { FormSections, JumpList } from './form-sections';
import { NotifyConsent } from './notify-consent';
import { useStore } from '../lib/store';

export function DataStep(props: { form: FormState; checked: Checked; forms: FormsFile; edit: (action: Action) => void; dispatch: (action: Action) => void }) {
  const { form, checked, forms, edit, dispatch } = props;
  const { applicant, subject, notes, jemputBola, serviceCode } = form;
  const { notifyChannel } = useStore();
  const { subjectFields, nik, kk, subjectNik, phoneProblem, live, definition, shownErrors, fieldErrors } = checked;
  const setA = (key: keyof Applicant) => (value: string) => edit({ type: 'applicant', key, value });
  const setS = (key: keyof Subject) => (value: string) => edit({ type: 'subject', key, value });
  // Sections folded to their heading; all open again whenever the step is shown anew.
  const [folded, setFolded] = useState<Set<string>>(new Set());
  const onFold = (key: string, fold: boolean) =>
    setFolded((now) => {
      const next = new Set(now);
      if (fold) next.add(key);
      else next.delete(key);
      return next;
    });
  const allErrors = errorsById(checked.fieldErrors);
  const person = {
    nik: applicant.nik,
    name: applicant.name,
    kk: applicant.kk ?? '',
    birth_date: nik?.ok ? nik.info.date : null,
    sex: nik?.ok ? nik.info.sex : null,
  };
  const reveal = (ids: string[]) => ids.forEach((name) => dispatch({ type: 'blur', name }));
  return (
    <div onFocusOut={(e) => dispatch({ type: 'blur', name: (e.target as HTMLInputElement).name })}>
      {definition && <JumpList definition={definition} allErrors={allErrors} onFold={onFold} />}
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
        error={phoneProblem ? t(phoneProblem === 'needed' ? 'field.phoneNotify' : 'field.phoneInvalid', { channel: notifyChannel ?? '' }) : null}
      />
      <NotifyConsent applicant={applicant} onChange={(value) => edit({ type: 'notify', value })} />
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
      {definition && (
        <FormSections
          definition={definition}
          choices={forms.choices}
          fields={form.fields}
          errors={shownErrors}
          onValue={(section, index, key, value) => edit({ type: 'field', section, index, key, value })}
          onAdd={(section) => edit({ type: 'addItem', section })}
          onRemove={(section, index) => edit({ type: 'removeItem', section, index })}
          allErrors={allErrors}
          folded={folded}
          onFold={onFold}
          offers={(section, index) => copyOffers(definition, forms.choices, form.fields, person, section, index)}
          onCopy={(section, index, offer) => {
            for (const [key, value] of Object.entries(offer.values)) edit({ type: 'field', section, index, key, value });
            // What was copied is checked at once, as if typed and left.
            reveal(Object.keys(offer.values).map((key) => fieldId(section.key, index, key)));
          }}
          onReveal={reveal}
        />
      )}
      {form.showAll && fieldErrors.length > 0 && (
        <p class="error" role="alert" id="fields-summary">
          {t('fields.summary', { n: fieldErrors.length })}
        </p>
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
          onInput={(e) => edit({ type: 'notes', value: e.currentTarget.value })}
        />
      </div>
      <label class="check">
        <input
          type="checkbox"
          id="jemput-bola"
          checked={jemputBola}
          onChange={(e) => edit({ type: 'jemputBola', value: e.currentTarget.checked })}
        />{' '}
        {t('sasaran.jemputBola')}
      </label>
    </div>
  );
}
