// The resident's consent to status messages (issue #18; UU PDP): given at the loket for this
// request only, to the number typed on it. The server (backend/bakso/domain/phone.py) sends
// only to an Indonesian mobile number and refuses the consent without one (422 on
// applicant.phone): the same rule here, so the form says so before the outbox is refused.
// The consent names the channel the deployment sends by (the catalog answer's
// `notify_channel`, lib/catalog.ts), as the receipt does; with none, nothing is asked.
import { t } from '../i18n';

const PHONE = /^\+?[0-9][0-9 -]{6,19}$/;
const SEPARATORS = /[\s\-.()]/g;
const NATIONAL_MOBILE = /^8[1-9][0-9]{7,10}$/;

/** "0812-3456-7890", "+62 812…", "62812…": a number an SMS or WhatsApp message can reach. */
export function isMobile(phone: string | null | undefined): boolean {
  const digits = (phone ?? '').trim().replace(SEPARATORS, '');
  const rest = digits.startsWith('+62') ? digits.slice(3) : digits.startsWith('62') ? digits.slice(2) : digits.startsWith('0') ? digits.slice(1) : null;
  return rest !== null && NATIONAL_MOBILE.test(rest);
}

/** What is wrong with the phone field: null (fine), 'invalid' (not a number), 'needed' (the
 * resident consented to messages, and there is no mobile number to send them to). */
export function phoneProblem(phone: string | null | undefined, notify: boolean | undefined): 'invalid' | 'needed' | null {
  const typed = (phone ?? '').trim();
  if (typed && !PHONE.test(typed)) return 'invalid';
  if (notify && !isMobile(typed)) return 'needed';
  return null;
}

/** The checkbox's words for the configured channel; null: no checkbox (no message is sent). */
export function consentLabel(channel: string | null): string | null {
  return channel ? t('notify.consent', { channel }) : null;
}

/** The review step's answer; null: no row (no message is sent, so nothing was asked). */
export function consentReadBack(applicant: { notify?: boolean; phone?: string | null }, channel: string | null): string | null {
  if (!channel) return null;
  return applicant.notify ? t('notify.yes', { channel, phone: (applicant.phone ?? '').trim() }) : t('notify.no');
}
