// The resident's consent to status messages (issue #18, lib/consent.ts): a checkbox under the
// phone number on the data step, and its read-back on the review step.
import { t } from '../i18n';
import type { Applicant } from '../lib/storage';

export function NotifyConsent(props: { applicant: Applicant; onChange: (value: boolean) => void }) {
  return (
    <label class="check">
      <input
        type="checkbox"
        id="notify"
        name="notify"
        checked={props.applicant.notify === true}
        aria-describedby="notify-help"
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <span>
        {t('notify.consent')} <small id="notify-help" class="muted">{t('notify.help')}</small>
      </span>
    </label>
  );
}

/** The review step's row: whether, and to which number, the resident will be told. */
export function NotifyReadBack(props: { applicant: Applicant }) {
  const { notify, phone } = props.applicant;
  return (
    <>
      <dt>{t('notify.title')}</dt>
      <dd id="notify-readback">{notify ? t('notify.yes', { phone: (phone ?? '').trim() }) : t('notify.no')}</dd>
    </>
  );
}
