// The overseer's screen (#19, docs/reports.md): residents' reports of its kabupaten, newest
// first; one report with its request's code and status, the follow-ups, and the form that
// records one (closing needs a note). Works on an office PC (1366 px) and on a phone.
import { useEffect, useState } from 'preact/hooks';
import { getLang, t } from '../i18n';
import '../i18n/reports';
import { api, ApiError } from '../lib/api';
import { formatDateTime, formatDay, formatNumber } from '../lib/locale';
import { getState, toast } from '../lib/store';
import { serviceLabel } from './common';
import './reports.css';

type Status = 'diterima' | 'ditindaklanjuti' | 'selesai';

interface Brief {
  id: string;
  status: Status;
  kind: string;
  desa: string;
  desa_name: string;
  service: string;
  created_at: string;
}

interface FollowUp {
  at: string;
  by: string;
  note: string;
  status: Status;
}

interface Detail extends Brief {
  request_id: string;
  text: string;
  amount: number | null;
  happened_on: string | null;
  by_whom: string;
  contact: string;
  followups: FollowUp[];
  erased: boolean;
  request: { id: string; code: string; status: string; status_label: string; service: string; desa: string; created_at: string } | null;
}

const NEXT: Record<Status, Status[]> = {
  diterima: ['ditindaklanjuti', 'selesai'],
  ditindaklanjuti: ['selesai'],
  selesai: [],
};

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.detail : t('rp.offline');
}

function Badge(props: { status: Status }) {
  return <span class={`badge rp-badge-${props.status}`}>{t(`rp.status.${props.status}`)}</span>;
}

function ReportList() {
  const [items, setItems] = useState<Brief[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (after: string | null) => {
    const query = after ? `?cursor=${encodeURIComponent(after)}` : '';
    api<{ items: Brief[]; cursor: string | null }>('GET', `/api/v1/reports${query}`)
      .then((page) => {
        setItems((shown) => [...(after ? (shown ?? []) : []), ...page.items]);
        setCursor(page.cursor);
      })
      .catch((e: unknown) => setError(errorText(e)));
  };
  useEffect(() => load(null), []);
  if (error) return <p class="note note-warn" role="alert">{error}</p>;
  if (!items) return <p class="loading">{t('rp.loading')}</p>;
  if (!items.length) return <p class="note">{t('rp.empty')}</p>;
  return (
    <>
      <ul class="rp-list">
        {items.map((r) => (
          <li key={r.id}>
            <a class="rp-item" href={`#/laporan/${encodeURIComponent(r.id)}`} aria-label={t('rp.open', { id: r.id })}>
              <span class="rp-number">{r.id}</span>
              <Badge status={r.status} />
              <span>{t(`rp.kind.${r.kind}`)}</span>
              <span>{r.desa_name}</span>
              <span class="rp-service">{serviceLabel(getState().catalog, r.service)}</span>
              <span>{formatDateTime(r.created_at, getLang())}</span>
            </a>
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" class="btn" onClick={() => load(cursor)}>
          {t('rp.more')}
        </button>
      )}
    </>
  );
}

function FollowUpForm(props: { report: Detail; onSaved: (report: Detail) => void }) {
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = NEXT[props.report.status];
  if (!next.length) return <p class="note">{t('rp.closed')}</p>;
  const send = async (target: string) => {
    setBusy(true);
    setError(null);
    try {
      const body = target ? { note, status: target } : { note };
      const saved = await api<Detail>('POST', `/api/v1/reports/${encodeURIComponent(props.report.id)}/followup`, body);
      setNote('');
      setStatus('');
      toast(t('rp.saved'));
      props.onSaved({ ...saved, request: props.report.request });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: Event) => {
    event.preventDefault();
    void send(status);
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="rp-fu-h">
      <h3 id="rp-fu-h">{t('rp.followups')}</h3>
      {error && <p class="note note-warn" role="alert">{error}</p>}
      <div class="field">
        <label for="rp-note">{t('rp.note')}</label>
        <textarea id="rp-note" rows={4} maxLength={1000} required value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="field">
        <label for="rp-status">{t('rp.newStatus')}</label>
        <select id="rp-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
          <option value="">{t('rp.keep', { status: t(`rp.status.${props.report.status}`) })}</option>
          {next.map((s) => (
            <option value={s} key={s}>
              {t(`rp.status.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div class="row">
        <button type="submit" class="btn btn-primary" disabled={busy || !note.trim()}>
          {t('rp.save')}
        </button>
        <button type="button" class="btn" disabled={busy || !note.trim()} onClick={() => void send('selesai')}>
          {t('rp.close')}
        </button>
      </div>
    </form>
  );
}

function ReportDetail(props: { id: string }) {
  const [report, setReport] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Detail>('GET', `/api/v1/reports/${encodeURIComponent(props.id)}`)
      .then(setReport)
      .catch((e: unknown) => setError(errorText(e)));
  }, [props.id]);
  const back = (
    <p>
      <a class="tap" href="#/laporan">
        ← {t('rp.back')}
      </a>
    </p>
  );
  if (error) return <>{back}<p class="note note-warn" role="alert">{error}</p></>;
  if (!report) return <>{back}<p class="loading">{t('rp.loading')}</p></>;
  const none = t('rp.none');
  return (
    <>
      {back}
      <h2>
        {report.id} <Badge status={report.status} />
      </h2>
      <div class="rp-detail">
        <section class="card" aria-labelledby="rp-story-h">
          <h3 id="rp-story-h">{t(`rp.kind.${report.kind}`)}</h3>
          {report.erased ? <p class="note">{t('rp.erased')}</p> : <p class="rp-story">{report.text}</p>}
          <dl class="rp-facts">
            <dt>{t('rp.amount')}</dt>
            <dd>{report.amount === null ? none : `Rp${formatNumber(report.amount, getLang())}`}</dd>
            <dt>{t('rp.when')}</dt>
            <dd>{report.happened_on ? formatDay(report.happened_on, getLang()) : none}</dd>
            <dt>{t('rp.byWhom')}</dt>
            <dd>{report.by_whom || none}</dd>
            <dt>{t('rp.contact')}</dt>
            <dd>{report.contact || none}</dd>
            <dt>{t('rp.col.date')}</dt>
            <dd>{formatDateTime(report.created_at, getLang())}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="rp-req-h">
          <h3 id="rp-req-h">{t('rp.request')}</h3>
          {report.request ? (
            <dl class="rp-facts">
              <dt>{t('rp.requestCode')}</dt>
              <dd class="rp-number">{report.request.code}</dd>
              <dt>{t('rp.requestStatus')}</dt>
              <dd>{report.request.status_label}</dd>
              <dt>{t('rp.col.service')}</dt>
              <dd>{serviceLabel(getState().catalog, report.request.service)}</dd>
              <dt>{t('rp.col.desa')}</dt>
              <dd>{report.desa_name}</dd>
            </dl>
          ) : (
            <p>{t('rp.requestGone')}</p>
          )}
        </section>
      </div>
      <section aria-labelledby="rp-fl-h">
        <h3 id="rp-fl-h">{t('rp.followups')}</h3>
        {report.followups.length ? (
          <ol class="rp-followups">
            {report.followups.map((f) => (
              <li key={f.at}>
                <b>{formatDateTime(f.at, getLang())}</b> · {f.by} · <Badge status={f.status} />
                <p>{f.note}</p>
              </li>
            ))}
          </ol>
        ) : (
          <p>{t('rp.noFollowups')}</p>
        )}
      </section>
      <FollowUpForm report={report} onSaved={setReport} />
    </>
  );
}

export function Reports(props: { route: string[] }) {
  return (
    <div class="rp">
      <h1>{t('rp.title')}</h1>
      {props.route[0] ? (
        <ReportDetail id={props.route[0]} key={props.route[0]} />
      ) : (
        <>
          <p>{t('rp.intro')}</p>
          <ReportList />
        </>
      )}
    </div>
  );
}
