// The resident's consent to status messages (issue #18, lib/consent.ts): a checkbox under the
// phone number on the data step, and its read-back on the review step. Both name the
// configured channel; with no notifier configured neither is shown.
import { useEffect } from 'preact/hooks';
import { t } from '../i18n';
import { consentLabel, consentReadBack } from '../lib/consent';
import type { Applicant } from '../lib/storage';
import { useStore } from '../lib/store';

export function NotifyConsent(props: { applicant: Applicant; onChange: (value: boolean) => void }) {
  const label = consentLabel(useStore().notifyChannel);
  const stale = !label && props.applicant.notify === true;
  // A draft consented before the deployment stopped sending: nothing will be sent, and a
  // consent the operator cannot see must not ask for a mobile number.
  useEffect(() => {
    if (stale) props.onChange(false);
  }, [stale]);
  if (!label) return null;
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
        {label} <small id="notify-help" class="muted">{t('notify.help')}</small>
      </span>
    </label>
  );
}

/** The review step's row: whether, and to which number, the resident will be told. */
export function NotifyReadBack(props: { applicant: Applicant }) {
  const answer = consentReadBack(props.applicant, useStore().notifyChannel);
  if (answer === null) return null;
  return (
    <>
      <dt>{t('notify.title')}</dt>
      <dd id="notify-readback">{answer}</dd>
    </>
  );
}
