// The operator's side of a finished request: the issued document, and the handover
// (DESIGN §2 "Handover": who received it, and through whom).
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, ApiError, NetworkError } from '../lib/api';
import { prepareScan } from '../lib/compress';
import {
  canPrint,
  dayProblem,
  handoverDays,
  handoverSummary,
  isCard,
  namesIntermediary,
  sendReceiptPhoto,
  viaChoices,
  type HandoverRecord,
  type Via,
} from '../lib/handover';
import { Refused, type Prepared } from '../lib/images';
import { transition } from '../lib/officer';
import { cacheServerRequest, type ServerRequest } from '../lib/storage';
import { reloadLocal, toast, useStore } from '../lib/store';

type Item = ServerRequest & { issued?: { state?: string } | null; handover?: HandoverRecord | null };

/** "Dicetak di desa · diterima oleh Siti Aminah": how a handed-over document left the desa. */
function Done(props: { handover: HandoverRecord | null | undefined }) {
  const line = handoverSummary(props.handover)
    .map((p) => t(p.key, p.vars))
    .join(' · ');
  if (!line) return null;
  return (
    <p class="note" data-handover-summary>
      {line.charAt(0).toUpperCase() + line.slice(1)}
    </p>
  );
}

export function Handover(props: { item: Item }) {
  const state = useStore();
  const { item } = props;
  const card = isCard(item.service, state.catalog);
  const printable = canPrint(item, card);
  const [receivedBy, setReceivedBy] = useState('');
  const [relation, setRelation] = useState<'PEMOHON' | 'KELUARGA'>('PEMOHON');
  const [via, setVia] = useState<Via>(viaChoices(card)[0]);
  const [printed, setPrinted] = useState(false);
  const [viaName, setViaName] = useState('');
  const range = handoverDays(item);
  const [day, setDay] = useState(range.max);
  const [photo, setPhoto] = useState<Prepared | null>(null);
  const [preparing, setPreparing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const issued = item.issued?.state === 'ok';
  if (item.status === 'DISERAHKAN') {
    return (
      <>
        <Done handover={item.handover} />
        {(issued || Boolean(item.handover?.photo)) && (
          <p class="row">
            {issued && (
              <a class="btn" href={`/api/v1/requests/${item.id}/issued`} target="_blank" rel="noopener">
                {t('ho.issued')}
              </a>
            )}
            {Boolean(item.handover?.photo) && (
              <a class="btn" href={`/api/v1/requests/${item.id}/handover-photo`} target="_blank" rel="noopener">
                {t('ho.photoOpen')}
              </a>
            )}
          </p>
        )}
      </>
    );
  }
  if (item.status !== 'SELESAI') return null;
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const photoSha = photo ? await sendReceiptPhoto(item.id, photo) : null;
      await transition(item, 'DISERAHKAN', '', {
        received_by: receivedBy.trim(),
        relation,
        via,
        via_name: namesIntermediary(via) ? viaName.trim() || null : null,
        ...(printable && printed ? { printed: true } : {}),
        // Left out when it is today: the server records the moment itself.
        ...(day !== range.max ? { date: day } : {}),
        ...(photoSha ? { photo_sha256: photoSha } : {}),
      });
      const fresh = await api<ServerRequest>('GET', `/api/v1/requests/${item.id}`);
      await cacheServerRequest(fresh);
      await reloadLocal();
      toast(t('ho.done'));
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : e instanceof NetworkError ? t('dk.offline') : String(e));
    } finally {
      setBusy(false);
    }
  };
  const pickPhoto = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setPreparing(true);
    setError(null);
    try {
      setPhoto(await prepareScan(file));
    } catch (e) {
      setError(e instanceof Refused ? t(`scan.refused.${e.reason}`, { name: file.name }) : String(e));
    } finally {
      setPreparing(false);
    }
  };
  const problem = dayProblem(day, range);
  return (
    <section class="card" aria-labelledby="ho-h">
      <h2 id="ho-h">{t('ho.title')}</h2>
      {printable && (
        // The PDF is served inline: the browser's own viewer prints it at its true A4 size.
        <div class="field">
          <a class="btn btn-primary" href={`/api/v1/requests/${item.id}/issued`} target="_blank" rel="noopener" aria-describedby="ho-print-hint" onClick={() => setPrinted(true)}>
            {t('ho.print')}
          </a>
          <p id="ho-print-hint" class="hint">
            {t('ho.printHint')}
          </p>
        </div>
      )}
      {card && (
        <p class="note" data-card-note>
          {t('ho.cardNote')}
        </p>
      )}
      {card && issued && (
        <p>
          <a class="btn" href={`/api/v1/requests/${item.id}/issued`} target="_blank" rel="noopener">
            {t('ho.issuedOpen')}
          </a>
        </p>
      )}
      <form onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="ho-name">{t('ho.receivedBy')}</label>
          <input id="ho-name" required maxLength={120} value={receivedBy} onInput={(e) => setReceivedBy(e.currentTarget.value)} />
        </div>
        <fieldset class="field choices">
          <legend>{t('ho.relation')}</legend>
          {(['PEMOHON', 'KELUARGA'] as const).map((r) => (
            <label class={relation === r ? 'choice choice-on' : 'choice'}>
              <input type="radio" name="ho-relation" value={r} checked={relation === r} onChange={() => setRelation(r)} />
              <span>{t(`ho.relation.${r}`)}</span>
            </label>
          ))}
        </fieldset>
        <fieldset class="field choices">
          <legend>{t('ho.via')}</legend>
          {viaChoices(card).map((v) => (
            <label class={via === v ? 'choice choice-on' : 'choice'}>
              <input type="radio" name="ho-via" value={v} checked={via === v} onChange={() => setVia(v)} />
              <span>{t(`ho.via.${v}`)}</span>
            </label>
          ))}
        </fieldset>
        {namesIntermediary(via) && (
          <div class="field">
            <label for="ho-via-name">{t('ho.viaName')}</label>
            <input id="ho-via-name" maxLength={120} value={viaName} onInput={(e) => setViaName(e.currentTarget.value)} />
          </div>
        )}
        {printable && (
          <label class="check">
            <input type="checkbox" id="ho-printed" checked={printed} onChange={(e) => setPrinted(e.currentTarget.checked)} /> {t('ho.printed')}
          </label>
        )}
        <div class="field">
          <label for="ho-date">{t('ho.date')}</label>
          <input id="ho-date" type="date" required min={range.min ?? undefined} max={range.max} value={day} onInput={(e) => setDay(e.currentTarget.value)} />
          {problem && <p class="error">{t(problem)}</p>}
        </div>
        <div class="field">
          <p>{t('ho.photo')}</p>
          {photo && <p class="muted">{t('ho.photoReady', { size: Math.ceil(photo.size / 1024) })}</p>}
          <label class="btn btn-file">
            <span>{photo ? t('ho.photoAgain') : t('ho.photoTake')}</span>
            <input id="ho-photo" type="file" class="sr-only" accept="image/*,application/pdf" onChange={(e) => void pickPhoto(e.currentTarget)} />
          </label>
        </div>
        {error && (
          <p class="note note-warn" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy || preparing || !state.online || !receivedBy.trim() || problem !== null} aria-describedby="ho-why">
          {t('ho.submit')}
        </button>
        {state.online && !receivedBy.trim() && (
          <p id="ho-why" class="hint">
            {t('ho.whyName')}
          </p>
        )}
        {!state.online && <p class="muted">{t('ho.offline')}</p>}
      </form>
    </section>
  );
}
