// "Cetak formulir …" on the card of a requirement the service's form fills (F101, F201, …):
// the server prints the form from the stored request (docs/forms.md "Printed forms"), so the
// draft is PUT first with the outbox's own body, and the version the server answers is kept
// on the local copy: the later send is then a replay or a change of that version, never a
// conflict or a second request. Then the card shows a link to the PDF that the operator taps.
// Online only; offline the signed blank paper form does too.
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, ApiError, NetworkError, type User } from '../lib/api';
import { draftBody } from '../lib/outbox';
import { buildRequest, type Action, type Checked, type FormState } from '../lib/request-form';
import { hasPrintedData, printStamp } from '../lib/printed';
import { EditConflict, saveRequestWithScans, type LocalScan, type ServerRequest } from '../lib/storage';
import { reloadLocal, unsaved } from '../lib/store';

export interface Print {
  /** The requirement being printed, while its draft is saved ("Menyiapkan formulir…"). */
  busy: string | null;
  /** What to say on a requirement's card (offline, refused). */
  notes: Record<string, string>;
  /** The PDF to open, per requirement, once the draft is stored: a real link the operator
   * taps (a tab opened before the answer and pointed at the PDF after it stayed blank). */
  links: Record<string, string>;
  print: (requirement: string) => void;
}

export function usePrint(props: { form: FormState; checked: Checked; formId: string; pages: LocalScan[]; user: User; dispatch: (action: Action) => void }): Print {
  const [busy, setBusy] = useState<string | null>(null);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [links, setLinks] = useState<Record<string, string>>({});
  const say = (code: string, text: string) => setNotes((old) => ({ ...old, [code]: text }));
  const link = (code: string, url: string | null) =>
    setLinks((old) => {
      const { [code]: _gone, ...rest } = old;
      return url ? { ...rest, [code]: url } : rest;
    });

  const run = async (code: string) => {
    const { form, checked, formId, user, dispatch } = props;
    const item = buildRequest(form, checked, { id: formId, username: user.username, desa: user.desa as string, send: false, now: new Date().toISOString() });
    if (!item) return;
    if (!hasPrintedData(checked.definition, item.fields ?? {}, code)) {
      say(code, t('print.empty'));
      return;
    }
    setBusy(code);
    say(code, '');
    link(code, null);
    try {
      const server = await api<ServerRequest>('PUT', `/api/v1/requests/${formId}`, draftBody(item));
      // What this printed page shows: a later edit of it asks for a new print (lib/printed.ts).
      const printed = { ...item.printed, [code]: printStamp(checked.definition, item.fields ?? {}, code) };
      const stored = { ...item, serverVersion: server.version, code: server.code, serverStatus: server.status, printed };
      await saveRequestWithScans(stored, props.pages.map((p) => ({ ...p, requestId: formId })), form.existing?.updatedAt ?? null);
      dispatch({ type: 'stored', item: stored });
      unsaved.delete(formId);
      void reloadLocal();
      link(code, `/api/v1/requests/${formId}/formulir/${encodeURIComponent(code)}.pdf`);
    } catch (error) {
      if (error instanceof EditConflict) dispatch({ type: 'conflict' });
      else if (error instanceof NetworkError) say(code, navigator.onLine === false ? t('print.offline') : t('print.network'));
      else if (error instanceof ApiError && error.status === 401) say(code, t('print.login'));
      else say(code, t('print.refused', { detail: error instanceof ApiError ? error.detail : String(error) }));
    } finally {
      setBusy(null);
    }
  };

  const print = (code: string) => {
    if (navigator.onLine === false) {
      say(code, t('print.offline'));
      return;
    }
    void run(code);
  };
  return { busy, notes, links, print };
}
