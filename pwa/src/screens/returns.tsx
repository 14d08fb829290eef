// Bulk return (part of the Dukcapil chunk): hash and upload the table (CSV or XLSX) and the zip
// straight to the blob store with progress, start, follow the worker, then the per-row report.
import '../i18n/dukcapil';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { ApiError, NetworkError } from '../lib/api';
import { poll } from '../lib/officer';
import {
  finished,
  getReturn,
  returnRows,
  returnTargets,
  startReturn,
  TABLE_ACCEPT,
  TEMPLATE_CSV,
  TEMPLATE_XLSX,
  type ReturnPhase,
  type ReturnRow,
  type ReturnStatus,
} from '../lib/returns';

const LAST_RETURN = 'bakso.return.last'; // reopening the screen shows the return still running
const PAGE = 200;

function message(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof NetworkError) return t('dk.offline');
  return String(error);
}

function remembered(): string | null {
  try {
    return sessionStorage.getItem(LAST_RETURN);
  } catch {
    return null;
  }
}

function remember(id: string): void {
  try {
    sessionStorage.setItem(LAST_RETURN, id);
  } catch {
    // private mode: the screen just forgets it
  }
}

function percent(done: number, total: number): number {
  return total > 0 ? Math.floor((done / total) * 100) : 0;
}

export function Returns() {
  const [csv, setCsv] = useState<File | null>(null);
  const [zip, setZip] = useState<File | null>(null);
  const [phase, setPhase] = useState<ReturnPhase | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<ReturnStatus | null>(null);
  const [rows, setRows] = useState<ReturnRow[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const busy = phase !== null || (run !== null && !finished(run));

  const follow = (id: string) => poll(() => getReturn(id), finished, setRun);

  useEffect(() => {
    const id = remembered();
    if (!id) return;
    getReturn(id).then(setRun, () => undefined);
  }, []);
  useEffect(() => {
    if (!run || finished(run)) return;
    return follow(run.id);
  }, [run?.id, run && finished(run)]);
  useEffect(() => {
    if (!run || run.status !== 'DONE') return;
    returnRows(run.id, 0, PAGE).then(
      (page) => {
        setRows(page.items);
        setNext(page.next_after);
      },
      (e) => setError(message(e)),
    );
  }, [run?.id, run?.status]);

  const send = async (event: Event) => {
    event.preventDefault();
    if (!csv) return;
    setError(null);
    setRun(null);
    setRows([]);
    setNext(null);
    try {
      const started = await startReturn(csv, zip, setPhase);
      remember(started.id);
      setRun(started);
    } catch (e) {
      setError(message(e));
    } finally {
      setPhase(null);
    }
  };
  const more = async () => {
    if (!run || next === null) return;
    try {
      const page = await returnRows(run.id, next, PAGE);
      setRows((before) => [...before, ...page.items]);
      setNext(page.next_after);
    } catch (e) {
      setError(message(e));
    }
  };

  const done = run ? run.counts.applied + run.counts.unchanged + run.counts.refused : 0;
  return (
    <>
      <h1>{t('dk.return.title')}</h1>
      <form class="card" onSubmit={(e) => void send(e)}>
        <p class="muted">{t('dk.return.hint')}</p>
        <p class="imp-downloads">
          <a class="btn" href={TEMPLATE_XLSX} download>
            {t('dk.return.templateXlsx')}
          </a>
          <a class="btn" href={TEMPLATE_CSV} download>
            {t('dk.return.templateCsv')}
          </a>
        </p>
        <details class="ret-statuses">
          <summary>{t('dk.return.statuses')}</summary>
          <ul>
            {returnTargets().map(({ status, needsReason }) => (
              <li key={status}>
                <code>{status}</code> — {t(`status.${status}`)}
                {needsReason ? ` (${t('dk.return.needsReason')})` : ''}
              </li>
            ))}
          </ul>
        </details>
        <div class="field">
          <label for="ret-csv">{t('dk.return.csv')}</label>
          <input id="ret-csv" type="file" accept={TABLE_ACCEPT} required aria-describedby="ret-formats" onChange={(e) => setCsv(e.currentTarget.files?.[0] ?? null)} />
          <p id="ret-formats" class="muted">
            {t('dk.return.formats')}
          </p>
        </div>
        <div class="field">
          <label for="ret-zip">{t('dk.return.zip')}</label>
          <input id="ret-zip" type="file" accept=".zip,application/zip" onChange={(e) => setZip(e.currentTarget.files?.[0] ?? null)} />
        </div>
        {error && (
          <p class="note note-warn" role="alert">
            {error}
          </p>
        )}
        {phase && (
          <p class="dk-progress" aria-live="polite">
            <progress max={100} value={percent(phase.done, phase.total)} aria-label={t(`dk.return.${phase.phase}`, { percent: percent(phase.done, phase.total) })} />{' '}
            {t(`dk.return.${phase.phase}`, { percent: percent(phase.done, phase.total) })}
          </p>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy || !csv}>
          {t('dk.return.send')}
        </button>
      </form>
      {run && !finished(run) && (
        <section class="card" aria-labelledby="ret-run-h">
          <h2 id="ret-run-h">{t('dk.return.report')}</h2>
          <p class="dk-progress" aria-live="polite">
            {run.status === 'RUNNING' && run.rows_total > 0 ? (
              <>
                <progress max={run.rows_total} value={done} aria-label={t('dk.return.running', { done, total: run.rows_total })} />{' '}
                {t('dk.return.running', { done, total: run.rows_total })}
              </>
            ) : (
              t('dk.return.queued')
            )}
          </p>
        </section>
      )}
      {run?.status === 'FAILED' && (
        <p class="note note-warn" role="alert">
          {t('dk.return.failed', { error: run.error ?? '' })}
        </p>
      )}
      {run?.status === 'DONE' && (
        <section class="card" aria-labelledby="ret-h">
          <h2 id="ret-h">{t('dk.return.report')}</h2>
          <p role="status">
            {t('dk.return.counts', {
              applied: run.counts.applied,
              unchanged: run.counts.unchanged,
              refused: run.counts.refused,
            })}
          </p>
          <div class="dk-table-wrap">
            <table class="dk-table">
              <thead>
                <tr>
                  <th scope="col">{t('dk.return.row')}</th>
                  <th scope="col">{t('dk.return.code')}</th>
                  <th scope="col">{t('dk.return.outcome')}</th>
                  <th scope="col">{t('dk.return.detail')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr class={`dk-${r.outcome}`}>
                    <td>{r.row || '—'}</td>
                    <td>{r.code}</td>
                    <td>{t(`dk.return.${r.outcome}`)}</td>
                    <td>{r.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {next !== null && (
            <button type="button" class="btn" onClick={() => void more()}>
              {t('dk.return.more', { shown: rows.length, total: done })}
            </button>
          )}
        </section>
      )}
    </>
  );
}
