import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, ApiError, kabupatenOf, NetworkError } from '../lib/api';
import { missing } from '../lib/catalog';
import { cacheServerRequest, deleteLocalRequest, saveRequestWithScans, scansOf, type LocalRequest, type LocalScan, type ServerRequest } from '../lib/storage';
import { localCopyOf } from '../lib/printed';
import { enqueue } from '../lib/outbox';
import { reloadLocal, runSync, toast, useStore } from '../lib/store';
import { Badge, formatDate, personName, serviceLabel, Thumb } from './common';
import { QualityBadges } from './photo-check';
import { Handover } from './handover';
import { isPurged, purgeWarningDate } from '../lib/retention';
import { QrCode } from './qr';
import { ReceiptLinks } from './receipt-pin';
import { validateFields, type FormsFile } from '../lib/form-rules';
import { formsOf } from '../lib/forms';
import { regions } from '../lib/regions';
import { entryTitle, lastMove } from '../lib/timeline';

const FILTERS = ['', 'local', 'DIAJUKAN', 'DITERIMA', 'DIPROSES', 'PERLU_PERBAIKAN', 'SELESAI', 'DISERAHKAN', 'DITOLAK', 'DIBATALKAN'];

function initialFilter(): string {
  const match = /[?&]status=([A-Z_a-z]+)/.exec(location.hash);
  return match ? match[1] : '';
}

export function List() {
  const state = useStore();
  const [filter, setFilter] = useState(initialFilter);
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const matches = (item: LocalRequest | ServerRequest) =>
    !q || personName(item).toLowerCase().includes(q) || (item.applicant as { name?: string }).name?.toLowerCase().includes(q) || (item.code ?? '').toLowerCase().includes(q);
  const local = state.local.filter((i) => (filter === '' || filter === 'local') && matches(i));
  const localIds = new Set(state.local.map((i) => i.id));
  const server = state.server.filter((i) => !localIds.has(i.id) && filter !== 'local' && (filter === '' || i.status === filter) && matches(i));

  return (
    <>
      <h1>{t('list.title')}</h1>
      <div class="filters">
        <div class="field">
          <label for="search">{t('list.search')}</label>
          <input id="search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="status">{t('list.status')}</label>
          <select id="status" value={filter} onChange={(e) => setFilter(e.currentTarget.value)}>
            {FILTERS.map((f) => (
              <option value={f}>{f === '' ? t('list.all') : f === 'local' ? t('list.local') : t(`status.${f}`)}</option>
            ))}
          </select>
        </div>
      </div>
      {local.length + server.length === 0 && <p class="muted">{t('list.empty')}</p>}
      <ul class="items">
        {local.map((item) => (
          <li>
            <a class="item" href={`#/permohonan/${item.id}`}>
              <span class="item-name">{personName(item)}</span>
              <span class="item-meta">
                {serviceLabel(state.catalog, item.service)} · {formatDate(item.updatedAt)}
              </span>
              <Badge status={item.state} local />
            </a>
          </li>
        ))}
        {server.map((item) => (
          <li>
            {/* An officer opens Dukcapil's view of the request, with its status moves. */}
            <a class="item" href={state.session?.user.role === 'operator' ? `#/permohonan/${item.id}` : `#/dukcapil/p/${item.id}`}>
              <span class="item-name">{personName(item)}</span>
              <span class="item-meta">
                {item.code} · {serviceLabel(state.catalog, item.service)} · {formatDate(item.created_at)}
              </span>
              <Badge status={item.status} />
              <PurgeBadge item={item} />
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}

/** "Akan dihapus <tanggal>": an untouched draft its desa must finish or lose. */
function PurgeBadge(props: { item: ServerRequest }) {
  const due = purgeWarningDate(props.item);
  return due ? <span class="badge badge-purge">{t('purge.soon', { date: formatDate(due) })}</span> : null;
}

function LocalDetail(props: { item: LocalRequest }) {
  const state = useStore();
  const { item } = props;
  const [scans, setScans] = useState<LocalScan[]>([]);
  useEffect(() => {
    void scansOf(item.id).then(setScans);
  }, [item.id, item.updatedAt]);
  const service = state.catalog.find((s) => s.code === item.service);
  const kept = item.fix ? (state.server.find((s) => s.id === item.id)?.scans ?? []).filter((s) => s.state === 'ok') : [];
  const lacking = service ? missing(service, [...scans, ...kept].map((s) => s.requirement)) : [];
  // A draft saved with its form half filled is sent only once the form is complete.
  const forms = formsOf(state.forms);
  const formErrors = forms.services[item.service] ? validateFields(forms, item.service, item.fields ?? {}, regions, new Date()).length : 0;
  const [problem, setProblem] = useState('');
  // Saved on the server as a draft (printed): deleting the local copy alone would leave it there.
  const serverDraft = Boolean(item.code) && item.serverStatus === 'DRAF' && item.state !== 'queued';
  const remove = async () => {
    if (!window.confirm(t('detail.confirmDelete'))) return;
    await deleteLocalRequest(item.id);
    await reloadLocal();
    toast(t('detail.deleted'));
    location.hash = '#/daftar';
  };
  return (
    <>
      <h1>{personName(item)}</h1>
      <p>
        <Badge status={item.state} local /> {serviceLabel(state.catalog, item.service)}
      </p>
      {item.state === 'attention' && item.message && (
        <div class="note note-warn" role="status">
          <strong>{t('outbox.serverSaid')}</strong> {item.message}
        </div>
      )}
      <dl class="summary">
        <dt>{t('field.nik')}</dt>
        <dd>{item.applicant.nik}</dd>
        <dt>{t('field.name')}</dt>
        <dd>{item.applicant.name}</dd>
        {item.code && (
          <>
            <dt>{t('detail.code')}</dt>
            <dd>{item.code}</dd>
          </>
        )}
        <dt>{t('detail.updated')}</dt>
        <dd>{formatDate(item.updatedAt)}</dd>
      </dl>
      {formErrors > 0 && item.state !== 'queued' && (
        <p class="note" role="status" id="fields-incomplete">
          {t('fields.incomplete', { n: formErrors })}
        </p>
      )}
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
      <ul class="thumbs">
        {scans.map((s) => (
          <li>
            <Thumb blob={s.blob} label={`${s.requirement} ${s.page}`} />
            <QualityBadges flags={s.quality} />
          </li>
        ))}
      </ul>
      <div class="row">
        {item.state !== 'queued' && (
          <a class="btn" href={`#/baru/${item.id}`}>
            {t('detail.edit')}
          </a>
        )}
        {item.state !== 'queued' && (
          <button
            type="button"
            disabled={lacking.length > 0 || formErrors > 0}
            class="btn btn-primary"
            onClick={async () => {
              await enqueue(item.id);
              await reloadLocal();
              void runSync(true);
              location.hash = '#/antrean';
            }}
          >
            {t('form.send')}
          </button>
        )}
        {item.state === 'draft' && !item.code && (
          <button type="button" class="btn btn-danger" onClick={() => void remove()}>
            {t('detail.delete')}
          </button>
        )}
        {serverDraft && (
          <button type="button" class="btn btn-danger" onClick={() => void cancelDraft(item.id, null, setProblem)}>
            {t('detail.cancelDraft')}
          </button>
        )}
      </div>
      {problem && (
        <p class="error" role="alert" id="cancel-problem">
          {problem}
        </p>
      )}
    </>
  );
}

function Receipt(props: { item: ServerRequest }) {
  const state = useStore();
  const { item } = props;
  if (!item.token) return null;
  const link = `${location.origin}/cek/${item.token}`;
  // The same words as the printed receipt's WhatsApp link: the office named by its kabupaten.
  const office = kabupatenOf(state.session)[0]?.short_name;
  const message = t('receipt.share', {
    code: item.code,
    service: serviceLabel(state.catalog, item.service),
    dukcapil: office ? `Dukcapil ${office}` : 'Dukcapil',
    link,
  });
  const phone = String((item.applicant as { phone?: string }).phone ?? '').replace(/\D/g, '');
  const wa = phone ? `62${phone.replace(/^(62|0)/, '')}` : '';
  return (
    <section class="card receipt" aria-labelledby="receipt-h">
      <h2 id="receipt-h">{t('receipt.title')}</h2>
      <p class="code">{item.code}</p>
      <QrCode text={link} label={t('receipt.qr')} />
      <p>
        {t('receipt.link')}{' '}
        <a href={link} target="_blank" rel="noopener">
          {link}
        </a>
      </p>
      <p class="free">{t('free.notice')}</p>
      <div class="row no-print">
        <a class="btn btn-primary" href={`https://wa.me/${wa}?text=${encodeURIComponent(message)}`} target="_blank" rel="noopener">
          {t('receipt.whatsapp')}
        </a>
        {typeof navigator.share === 'function' && (
          <button
            type="button"
            class="btn"
            onClick={() => void navigator.share({ title: item.code, text: message, url: link }).catch(() => undefined)}
          >
            {t('receipt.shareNative')}
          </button>
        )}
        <ReceiptLinks item={item} />
      </div>
    </section>
  );
}

/** Edit a request the server holds (a correction, or a draft printed on another device):
 * a local draft with the same id and version, the server's form and pages (lib/printed.ts). */
async function editFromServer(item: ServerRequest, owner: string, forms: FormsFile): Promise<void> {
  await saveRequestWithScans(localCopyOf(item, owner, forms.services[item.service], new Date().toISOString()), []);
  await reloadLocal();
  location.hash = `#/baru/${item.id}`;
}

/** "Batalkan draf": the server's DRAF → DIBATALKAN (the operator's own move), then the local copy goes. */
async function cancelDraft(id: string, version: number | null, say: (text: string) => void): Promise<void> {
  if (!window.confirm(t('detail.confirmCancelDraft'))) return;
  if (navigator.onLine === false) return say(t('detail.cancelOffline'));
  try {
    // The server's current version: the local copy's may predate another device's save.
    const current = version ?? (await api<ServerRequest>('GET', `/api/v1/requests/${id}`)).version;
    const moved = await api<ServerRequest>('POST', `/api/v1/requests/${id}/transition`, { to: 'DIBATALKAN', note: '', version: current });
    await cacheServerRequest(moved);
    await deleteLocalRequest(id);
    await reloadLocal();
    toast(t('detail.cancelledDraft'));
    location.hash = '#/daftar';
  } catch (error) {
    say(error instanceof NetworkError ? t('detail.cancelOffline') : t('detail.cancelFailed', { detail: error instanceof ApiError ? error.detail : String(error) }));
  }
}

function ServerDetail(props: { item: ServerRequest; stale: boolean }) {
  const state = useStore();
  const { item } = props;
  const user = state.session!.user;
  const ours = user.role === 'operator' && user.desa === item.desa && !props.stale;
  const canFix = item.status === 'PERLU_PERBAIKAN' && ours;
  const [problem, setProblem] = useState('');
  const fix = lastMove(item.timeline, 'PERLU_PERBAIKAN', 'DITOLAK');
  return (
    <>
      <h1>{personName(item)}</h1>
      <p>
        <Badge status={item.status} /> {serviceLabel(state.catalog, item.service)}
      </p>
      {props.stale && <p class="muted">{t('detail.cached')}</p>}
      {isPurged(item) && (
        <div class="note" role="status">
          {t('purged.detail')}
        </div>
      )}
      {purgeWarningDate(item) && (
        <div class="note note-warn" role="status">
          {t('purge.detail', { date: formatDate(purgeWarningDate(item)!) })}
        </div>
      )}
      {fix && (item.status === 'PERLU_PERBAIKAN' || item.status === 'DITOLAK') && (
        <div class="note note-warn" role="status">
          <strong>{item.status === 'DITOLAK' ? t('detail.rejected') : t('detail.toFix')}</strong> {fix.note}
        </div>
      )}
      {canFix && (
        <button type="button" class="btn btn-primary btn-block" onClick={() => void editFromServer(item, user.username, formsOf(state.forms))}>
          {t('detail.fix')}
        </button>
      )}
      {ours && item.status === 'DRAF' && (
        // A draft saved on the server (printed) from another device, or this one's copy gone.
        <div class="row">
          <button type="button" class="btn btn-primary" onClick={() => void editFromServer(item, user.username, formsOf(state.forms))}>
            {t('detail.edit')}
          </button>
          <button type="button" class="btn btn-danger" onClick={() => void cancelDraft(item.id, item.version, setProblem)}>
            {t('detail.cancelDraft')}
          </button>
        </div>
      )}
      {problem && (
        <p class="error" role="alert" id="cancel-problem">
          {problem}
        </p>
      )}
      <Receipt item={item} />
      {user.role === 'operator' && !props.stale && <Handover item={item} />}
      {item.timeline && (
        <section class="card" aria-labelledby="tl-h">
          <h2 id="tl-h">{t('detail.timeline')}</h2>
          <ol class="timeline">
            {item.timeline.map((e) => (
              <li>
                <strong>{entryTitle(e)}</strong> — {formatDate(e.at)}
                {e.note && <div>{e.note}</div>}
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}

export function Detail(props: { id: string }) {
  const state = useStore();
  const local = state.local.find((i) => i.id === props.id);
  const cached = state.server.find((i) => i.id === props.id);
  const [fresh, setFresh] = useState<ServerRequest | null>(null);
  useEffect(() => {
    if (local || !state.online) return;
    void (async () => {
      try {
        const detail = await api<ServerRequest>('GET', `/api/v1/requests/${props.id}`);
        await cacheServerRequest(detail);
        setFresh(detail);
      } catch (error) {
        if (!(error instanceof NetworkError)) console.warn(error);
      }
    })();
  }, [props.id, Boolean(local)]);
  if (local) return <LocalDetail item={local} />;
  const item = fresh && cached && cached.version > fresh.version ? cached : (fresh ?? cached);
  if (!item) return <p class="note">{t('detail.notFound')}</p>;
  return <ServerDetail item={item} stale={!fresh} />;
}
