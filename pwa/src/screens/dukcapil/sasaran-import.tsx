// Dukcapil sends each desa its residents lacking documents: choose a CSV/XLSX (the template has
// the columns), upload it with progress in numbers, follow the import, then the per-line report
// on screen (diterima / ditolak with the reason) and as a file to open in Excel.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { poll } from '../../lib/officer';
import {
  bytes,
  count,
  countsOf,
  displayLine,
  finishedImport,
  getImport,
  importLines,
  kindOf,
  percent,
  recentImports,
  reportUrl,
  startImport,
  TEMPLATE_CSV,
  TEMPLATE_XLSX,
  type ImportPhase,
  type ImportRun,
} from '../../lib/sasaran-import';
import { formatDate } from '../common';
import { message, Problem, useLoad, usePages } from './common';

function PhaseProgress(props: { phase: ImportPhase }) {
  const { phase } = props;
  const text = t(`imp.${phase.phase}`, {
    done: bytes(phase.done),
    total: bytes(phase.total),
    percent: percent(phase.done, phase.total),
  });
  return (
    <p class="dk-progress" aria-live="polite">
      <progress max={100} value={percent(phase.done, phase.total)} aria-label={text} /> {text}
    </p>
  );
}

function RunProgress(props: { run: ImportRun }) {
  const { run } = props;
  if (run.status === 'RUNNING' && run.lines_total > 0) {
    const text = t('imp.running', { done: count(run.lines_done), total: count(run.lines_total) });
    return (
      <p class="dk-progress" aria-live="polite">
        <progress max={run.lines_total} value={run.lines_done} aria-label={text} /> {text}
      </p>
    );
  }
  return (
    <p class="dk-progress" aria-live="polite">
      {t(run.status === 'UPLOADING' ? 'imp.waitingUpload' : run.status === 'RUNNING' ? 'imp.reading' : 'imp.queued')}
    </p>
  );
}

function Report(props: { run: ImportRun }) {
  const { run } = props;
  const pages = usePages<ReturnType<typeof displayLine>, number>(
    async (after) => {
      const page = await importLines(run.id, after);
      return { items: page.items.map(displayLine), next: page.next };
    },
    [run.id],
  );
  const total = countsOf(run).reduce((sum, c) => sum + c.n, 0);
  return (
    <section class="card" aria-labelledby="imp-report-h">
      <h2 id="imp-report-h">{t('imp.report', { file: run.filename })}</h2>
      <div role="status">
        <ul class="imp-counts">
          {countsOf(run).map((c) => (
            <li class={`imp-count imp-${c.outcome}`} data-outcome={c.outcome}>
              <strong>{count(c.n)}</strong> {t(`imp.outcome.${c.outcome}`).toLowerCase()}
            </li>
          ))}
        </ul>
      </div>
      {run.ignored_columns.length > 0 && <p class="muted">{t('imp.ignored', { columns: run.ignored_columns.join(', ') })}</p>}
      <p class="imp-downloads">
        <a class="btn" href={reportUrl(run.id, 'xlsx')} download>
          {t('imp.reportXlsx')}
        </a>
        <a class="btn" href={reportUrl(run.id, 'csv')} download>
          {t('imp.reportCsv')}
        </a>
      </p>
      <Problem text={pages.error} />
      <div class="dk-table-wrap">
        <table class="dk-table imp-table">
          <thead>
            <tr>
              <th scope="col">{t('imp.line')}</th>
              <th scope="col">{t('imp.outcome')}</th>
              <th scope="col">{t('imp.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((r) => (
              <tr class={`imp-row imp-${r.tone}`} data-line={r.line}>
                <td>{count(r.line)}</td>
                <td>{t(r.word)}</td>
                <td>{r.text || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages.next !== null && (
        <button type="button" class="btn" disabled={pages.loading} onClick={pages.more}>
          {t('imp.more', { shown: count(pages.items.length), total: count(total) })}
        </button>
      )}
    </section>
  );
}

export function SasaranImport() {
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<ImportPhase | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<ImportRun | null>(null);
  const recent = useLoad(recentImports, []);
  const busy = phase !== null || (run !== null && !finishedImport(run));

  useEffect(() => {
    // Reopening the screen shows the newest import, still running or done.
    if (!run && recent.value && recent.value.length > 0) setRun(recent.value[0]);
  }, [recent.value]);
  useEffect(() => {
    if (!run || finishedImport(run)) return;
    return poll(() => getImport(run.id), finishedImport, setRun);
  }, [run?.id, run && finishedImport(run)]);
  useEffect(() => {
    if (run && finishedImport(run)) recent.reload();
  }, [run?.id, run?.status]);

  const choose = (picked: File | null) => {
    setError(picked && !kindOf(picked.name) ? t('imp.wrongKind') : null);
    setFile(picked);
  };
  const send = async (event: Event) => {
    event.preventDefault();
    if (!file || !kindOf(file.name)) return;
    setError(null);
    setRun(null);
    try {
      setRun(await startImport(file, setPhase));
    } catch (e) {
      setError(message(e));
    } finally {
      setPhase(null);
    }
  };

  return (
    <>
      <h1>{t('imp.title')}</h1>
      <div class="imp-layout">
        <form class="card" onSubmit={(e) => void send(e)}>
          <p class="muted">{t('imp.hint')}</p>
          <p class="imp-downloads">
            <a class="btn" href={TEMPLATE_XLSX} download>
              {t('imp.templateXlsx')}
            </a>
            <a class="btn" href={TEMPLATE_CSV} download>
              {t('imp.templateCsv')}
            </a>
          </p>
          <div class="field">
            <label for="imp-file">{t('imp.file')}</label>
            <input
              id="imp-file"
              type="file"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              required
              onChange={(e) => choose(e.currentTarget.files?.[0] ?? null)}
            />
            {file && kindOf(file.name) && <p class="muted">{t('imp.chosen', { file: file.name, size: bytes(file.size) })}</p>}
          </div>
          <Problem text={error} />
          {phase && <PhaseProgress phase={phase} />}
          <button type="submit" class="btn btn-primary" disabled={busy || !file || !kindOf(file.name)}>
            {t('imp.send')}
          </button>
        </form>
        {recent.value && recent.value.length > 0 && (
          <section class="card" aria-labelledby="imp-recent-h">
            <h2 id="imp-recent-h">{t('imp.recent')}</h2>
            <ul class="imp-recent">
              {recent.value.map((item) => (
                <li>
                  <button type="button" class="btn" aria-current={run?.id === item.id ? 'true' : undefined} onClick={() => setRun(item)}>
                    {item.filename}
                  </button>{' '}
                  <span class="muted">
                    {formatDate(item.created_at)} · {t(`imp.state.${item.status}`)}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
      {run && !finishedImport(run) && (
        <section class="card" aria-labelledby="imp-run-h">
          <h2 id="imp-run-h">{t('imp.progress', { file: run.filename })}</h2>
          <RunProgress run={run} />
        </section>
      )}
      {run?.status === 'FAILED' && (
        <p class="note note-warn" role="alert">
          {t('imp.failed', { error: run.error ?? '' })}
        </p>
      )}
      {run?.status === 'DONE' && <Report run={run} key={run.id} />}
    </>
  );
}
