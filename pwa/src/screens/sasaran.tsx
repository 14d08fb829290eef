// The desa worklist (sasaran): residents lacking documents, rentan first, with their follow-up.
// Works offline from the cached rows; follow-ups are stored on the device and queued.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import type { LocalFollowup, LocalRequest, SasaranRow } from '../lib/storage';
import { rowLinks } from '../lib/sasaran-links';
import { regionName } from '../lib/regions';
import {
  cachedRows,
  discardFollowup,
  lastRefreshed,
  localFollowups,
  OUTCOMES,
  recordFollowup,
  refreshWorklist,
  retryFollowup,
  type FollowupOutcome,
} from '../lib/sasaran';
import { requestBackgroundSync, runSync, toast, useStore } from '../lib/store';
import { formatDate } from './common';

function FollowupForm(props: { row: SasaranRow; onDone: () => void }) {
  const state = useStore();
  const [outcome, setOutcome] = useState<FollowupOutcome | ''>('');
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `fu-${props.row.id}`;
  const save = async (event: Event) => {
    event.preventDefault();
    if (!outcome) {
      setError(t('sasaran.outcomeRequired'));
      return;
    }
    setSaving(true);
    try {
      await recordFollowup(props.row, outcome, note, state.session!.user.username);
    } catch {
      setError(t('save.failed'));
      setSaving(false);
      return;
    }
    toast(t('sasaran.followupSaved'));
    props.onDone();
    void requestBackgroundSync();
    if (navigator.onLine) void runSync(true);
  };
  return (
    <form class="followup-form" onSubmit={save}>
      <fieldset class="field">
        <legend>{t('sasaran.outcome')}</legend>
        {OUTCOMES.map((code) => (
          <label class={outcome === code ? 'choice choice-on' : 'choice'}>
            <input type="radio" name={`${base}-outcome`} value={code} checked={outcome === code} onChange={() => setOutcome(code)} />
            <span>{t(`sasaran.outcome.${code}`)}</span>
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for={`${base}-note`}>
          {t('sasaran.note')} ({t('form.optional')})
        </label>
        <textarea id={`${base}-note`} rows={2} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="btn" disabled={saving}>
          {t('sasaran.saveFollowup')}
        </button>
        <button type="button" class="btn btn-secondary" onClick={props.onDone}>
          {t('sasaran.cancel')}
        </button>
      </div>
    </form>
  );
}

const statusLabel = (status: string | null) => (status ? t(`status.${status}`) : '—');

function Row(props: { row: SasaranRow; pending: LocalFollowup[]; local: LocalRequest[]; onChange: () => void }) {
  const { row, pending } = props;
  const links = rowLinks(row, props.local);
  const [open, setOpen] = useState(false);
  const latestLocal = pending[pending.length - 1];
  const headingId = `sasaran-${row.id}`;
  const startRequest = (service: string) => {
    location.hash = `#/baru?sasaran=${encodeURIComponent(row.id)}&layanan=${encodeURIComponent(service)}`;
  };
  return (
    <li class={row.category ? 'card sasaran sasaran-rentan' : 'card sasaran'} aria-labelledby={headingId} data-sasaran={row.id}>
      <h2 id={headingId} class="card-title">
        {row.name}
        {row.category && <span class="badge badge-rentan">{t('sasaran.rentan', { label: row.category_label ?? row.category })}</span>}
        {row.served && <span class="badge badge-selesai">{t('sasaran.served')}</span>}
      </h2>
      <p class="meta">
        {row.nik ? `NIK ${row.nik} · ` : ''}
        {row.address}
      </p>
      {row.note && <p class="meta">{row.note}</p>}
      <p>
        <strong>{t('sasaran.missing')}:</strong> {row.documents.map((d) => d.label).join(', ')}
      </p>
      {latestLocal ? (
        <p class={latestLocal.state === 'attention' ? 'warning' : 'note'} data-followup="local">
          {t(latestLocal.state === 'attention' ? 'sasaran.followupParked' : 'sasaran.followupQueued', {
            outcome: t(`sasaran.outcome.${latestLocal.outcome}`),
          })}
          {latestLocal.message && ` ${latestLocal.message}`}
          {latestLocal.state === 'attention' && (
            <>
              {' '}
              <button type="button" class="btn btn-small" onClick={() => void retryFollowup(latestLocal.id).then(props.onChange)}>
                {t('sasaran.retry')}
              </button>{' '}
              <button type="button" class="btn btn-small btn-secondary" onClick={() => void discardFollowup(latestLocal.id).then(props.onChange)}>
                {t('sasaran.discard')}
              </button>
            </>
          )}
        </p>
      ) : row.followup ? (
        <p class="note" data-followup="server">
          {t('sasaran.lastFollowup', { outcome: row.followup.label, at: formatDate(row.followup.at), by: row.followup.by })}
          {row.followup.note && ` — ${row.followup.note}`}
        </p>
      ) : (
        <p class="note">{t('sasaran.noFollowup')}</p>
      )}
      <ul class="sasaran-docs">
        {links.documents.map((link) => (
          <li data-document={link.document.code} key={link.document.code}>
            <span>{link.document.label}</span>
            {link.server && (
              <a class="tap-link" href={`#/permohonan/${link.server.id}`} data-status={link.server.status ?? ''}>
                {t('sasaran.requestStatus', { status: statusLabel(link.server.status) })}
              </a>
            )}
            {link.local && (
              <a class="tap-link" href={`#/permohonan/${link.local}`}>
                {t('sasaran.localRequest')}
              </a>
            )}
            {link.canStart && (
              <button type="button" class="btn btn-small btn-secondary" onClick={() => startRequest(link.document.service)}>
                {t('sasaran.startRequest', { doc: link.document.label })}
              </button>
            )}
          </li>
        ))}
        {links.other.map((link) => (
          <li key={link.id}>
            <a class="tap-link" href={`#/permohonan/${link.id}`} data-status={link.status ?? ''}>
              {t('sasaran.linkedRequest', { status: statusLabel(link.status) })}
            </a>
          </li>
        ))}
      </ul>
      {open ? (
        <FollowupForm
          row={row}
          onDone={() => {
            setOpen(false);
            props.onChange();
          }}
        />
      ) : (
        <div class="actions">
          <button type="button" class="btn btn-small" onClick={() => setOpen(true)}>
            {t('sasaran.recordFollowup')}
          </button>
        </div>
      )}
    </li>
  );
}

export function Worklist() {
  const state = useStore();
  const desa = state.session!.user.desa;
  const [rows, setRows] = useState<SasaranRow[] | null>(null);
  const [pending, setPending] = useState<LocalFollowup[]>([]);
  const [refreshedAt, setRefreshedAt] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | null>(null);

  const reload = async () => {
    if (!desa) return;
    setRows(await cachedRows(desa));
    setPending(await localFollowups());
    setRefreshedAt(await lastRefreshed(desa));
  };

  useEffect(() => {
    if (!desa) return;
    void (async () => {
      await reload();
      if (!navigator.onLine || state.session?.expired) return;
      try {
        if ((await refreshWorklist(desa)) === 'changed') await reload();
        else setRefreshedAt(await lastRefreshed(desa));
      } catch (error) {
        setProblem(error instanceof Error ? error.message : String(error));
      }
    })();
  }, [desa]);
  // A sync pass (here, in another tab or in the service worker's Background Sync) sent
  // follow-ups or parked them: show the server's answer. Those passes end in reloadLocal().
  useEffect(() => {
    void reload();
  }, [state.lastSync, state.local]);

  if (!desa) {
    return (
      <section aria-labelledby="worklist-title">
        <h1 id="worklist-title">{t('sasaran.title')}</h1>
        <p class="note">{t('sasaran.operatorOnly')}</p>
        <a class="btn" href="#/cakupan">
          {t('nav.coverage')}
        </a>
      </section>
    );
  }
  const byRow = new Map<string, LocalFollowup[]>();
  for (const item of pending) byRow.set(item.sasaranId, [...(byRow.get(item.sasaranId) ?? []), item]);
  const open = rows?.filter((r) => !r.served).length ?? 0;
  return (
    <section aria-labelledby="worklist-title">
      <h1 id="worklist-title">{t('sasaran.title')}</h1>
      <p class="lead">
        {t('sasaran.summary', { desa: regionName(desa), n: rows?.length ?? 0, open })}
        {refreshedAt && ` ${t('sasaran.refreshedAt', { at: formatDate(refreshedAt) })}`}
      </p>
      <p>
        <a class="tap" href="#/cakupan">{t('sasaran.coverageLink')}</a>
      </p>
      {problem && (
        <p class="warning" role="alert">
          {problem}
        </p>
      )}
      {rows === null ? (
        <p>{t('app.loading')}</p>
      ) : rows.length === 0 ? (
        <p class="note">{refreshedAt ? t('sasaran.empty') : t('sasaran.notCached')}</p>
      ) : (
        <ul class="cards">
          {rows.map((row) => (
            <Row
              row={row}
              pending={byRow.get(row.id) ?? []}
              local={state.local}
              onChange={() => void reload()}
              key={row.id}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
