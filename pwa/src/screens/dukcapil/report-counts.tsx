// The admin's view of residents' reports (#19, docs/reports.md): how many have each
// status in the kabupaten, and nothing of what they say, whom they name or which
// request they concern: that is for the overseer (pengawas) alone.
import { useEffect, useState } from 'preact/hooks';
import { getLang, t } from '../../i18n';
import '../../i18n/reports';
import { api, ApiError, NetworkError } from '../../lib/api';
import { formatNumber } from '../../lib/locale';

interface Summary {
  kabupaten: string | null;
  counts: Record<string, number>;
}

const STATUSES = ['diterima', 'ditindaklanjuti', 'selesai'];

export function ReportCounts() {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api<Summary>('GET', '/api/v1/reports/summary')
      .then(setSummary)
      .catch((error: unknown) => {
        if (error instanceof NetworkError) setProblem(t('rp.counts.offline'));
        else setProblem(error instanceof ApiError ? error.detail : String(error));
      });
  }, []);
  return (
    <section aria-labelledby="rp-counts-title">
      <h1 id="rp-counts-title">{t('rp.counts.title')}</h1>
      <p class="lead">{t('rp.counts.lead')}</p>
      {problem && (
        <p class="warning" role="alert">
          {problem}
        </p>
      )}
      {!summary && !problem && <p>{t('app.loading')}</p>}
      {summary && (
        <dl class="summary" data-testid="report-counts">
          {STATUSES.map((status) => (
            <>
              <dt>{t(`rp.status.${status}`)}</dt>
              <dd>{formatNumber(summary.counts[status] ?? 0, getLang())}</dd>
            </>
          ))}
        </dl>
      )}
    </section>
  );
}
