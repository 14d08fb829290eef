// Coverage dashboard (DESIGN §2: served ÷ target). Loaded lazily with import() from app.tsx so
// the operator's first load does not carry it. Plain SVG, no chart library.
import { useEffect, useState } from 'preact/hooks';
import { getLang, t } from '../i18n';
import { formatPercent, formatWeek } from '../lib/locale';
import { api, ApiError, NetworkError } from '../lib/api';
import { coverageQuery, drillFrom, summaryRows, type Scope, type SummaryRow } from '../lib/coverage-view';
import { useStore } from '../lib/store';

interface Rentan {
  category: string;
  label: string;
  target: number;
  followed_up: number;
  served: number;
  pct_served: number | null;
}

interface Figures {
  target: number;
  followed_up: number;
  served: number;
  pct_served: number | null;
  rentan: Rentan[];
  requests: Record<string, number>;
  jemput_bola: number;
  trend: { week: string; served: number; followed_up: number }[];
}

interface Item extends Figures {
  code: string;
  name: string;
  level: string;
}

interface Report {
  level: 'kabupaten' | 'kecamatan' | 'desa';
  kabupaten: string | null;
  provinsi: string | null;
  kecamatan: string | null;
  desa: string | null;
  generated_at: string;
  total: Figures;
  items: Item[];
}

const pct = (value: number | null) => formatPercent(value, getLang());

/** Horizontal bars: one per scope, the served share of the target; a click drills down. */
function Bars(props: { items: Item[]; onPick?: (item: Item) => void }) {
  // 52 units a row: at a 320–360 px phone's scale (~0.87) a row, the drill-down's tap
  // target, is still 44 px tall.
  const rowH = 52;
  const labelW = 120;
  const width = 340;
  const barW = width - labelW - 50;
  const height = props.items.length * rowH + 4;
  return (
    // With drill-down links inside, the chart is a group of links (an img hides its children).
    <svg
      class="chart"
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role={props.onPick ? 'group' : 'img'}
      aria-label={t('coverage.chartLabel')}
    >
      {props.items.map((item, i) => {
        const share = item.pct_served ?? 0;
        const y = i * rowH + 2;
        const bar = (
          <g>
            <title>{`${item.name}: ${item.served}/${item.target} (${pct(item.pct_served)})`}</title>
            <rect x={0} y={y} width={width} height={rowH - 2} fill="transparent" />
            <text x={0} y={y + 30} font-size="13">
              {item.name.length > 17 ? `${item.name.slice(0, 16)}…` : item.name}
            </text>
            <rect x={labelW} y={y + 14} width={barW} height={22} fill="#e5ece8" />
            <rect x={labelW} y={y + 14} width={(barW * Math.min(100, share)) / 100} height={22} fill="#0b5d3b" />
            <text x={labelW + barW + 4} y={y + 30} font-size="13">
              {pct(item.pct_served)}
            </text>
          </g>
        );
        return props.onPick ? (
          <a
            href="#"
            onClick={(e) => {
              e.preventDefault();
              props.onPick?.(item);
            }}
          >
            {bar}
          </a>
        ) : (
          bar
        );
      })}
    </svg>
  );
}

/** The province's table (#16): each kabupaten's figures, as its own officers see them in their
 * header; a kabupaten's name opens its kecamatan. On a 360 px phone the table scrolls sideways. */
function KabupatenTable(props: { rows: SummaryRow[]; onPick: (scope: Scope) => void }) {
  return (
    <div class="table-wrap">
      <table class="table" data-testid="coverage-kabupaten">
        <caption class="meta">{t('coverage.kabupatenCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('coverage.kabupaten')}</th>
            <th scope="col">{t('coverage.target')}</th>
            <th scope="col">{t('coverage.followedUp')}</th>
            <th scope="col">{t('coverage.served')}</th>
            <th scope="col">%</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row.code || 'total'}>
              <th scope="row">
                {row.code ? (
                  <button type="button" class="btn btn-small btn-secondary" onClick={() => props.onPick({ code: row.code, name: row.name })}>
                    {row.name}
                  </button>
                ) : (
                  row.name
                )}
              </th>
              <td>{row.target}</td>
              <td>{row.followed_up}</td>
              <td>{row.served}</td>
              <td>{pct(row.pct_served)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The weekly trend: served and followed up per ISO week, as two polylines. */
function Trend(props: { weeks: Figures['trend'] }) {
  const weeks = props.weeks;
  if (weeks.length === 0) return <p class="note">{t('coverage.noTrend')}</p>;
  const width = 340;
  const height = 120;
  const top = Math.max(1, ...weeks.map((w) => Math.max(w.served, w.followed_up)));
  const x = (i: number) => (weeks.length === 1 ? width / 2 : 10 + (i * (width - 20)) / (weeks.length - 1));
  const y = (v: number) => height - 20 - (v * (height - 30)) / top;
  const line = (key: 'served' | 'followed_up') => weeks.map((w, i) => `${x(i)},${y(w[key])}`).join(' ');
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={t('coverage.trendLabel')}>
        <polyline points={line('followed_up')} fill="none" stroke="#b26b00" stroke-width="2" />
        <polyline points={line('served')} fill="none" stroke="#0b5d3b" stroke-width="2" />
        <text x={10} y={height - 4} font-size="11">
          {formatWeek(weeks[0].week, getLang())}
        </text>
        <text x={width - 10} y={height - 4} font-size="11" text-anchor="end">
          {formatWeek(weeks[weeks.length - 1].week, getLang())}
        </text>
      </svg>
      <figcaption class="meta">
        <span style="color:#0b5d3b">■</span> {t('coverage.served')} · <span style="color:#b26b00">■</span> {t('coverage.followedUp')}
      </figcaption>
    </figure>
  );
}

export function Coverage() {
  const state = useStore();
  // A string, not the session's role union: the province role (#16) may not be in it yet.
  const role: string = state.session!.user.role;
  const province = role === 'provinsi';
  const [kabupaten, setKabupaten] = useState<Scope | null>(null);
  const [kecamatan, setKecamatan] = useState<Scope | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const query = coverageQuery({ role, desa: state.session!.user.desa, kabupaten, kecamatan });
  const pick = (item: Item) => {
    const drill = report ? drillFrom(role, report.level) : null;
    if (drill === 'kabupaten') setKabupaten({ code: item.code, name: item.name });
    if (drill === 'kecamatan') setKecamatan({ code: item.code, name: item.name });
  };
  const heading = (level: Report['level']) =>
    level === 'kabupaten'
      ? t('coverage.perKabupaten')
      : level === 'kecamatan'
        ? t(province ? 'coverage.perKecamatanOnly' : 'coverage.perKecamatan')
        : t('coverage.perDesa');

  useEffect(() => {
    setReport(null);
    setProblem(null);
    api<Report>('GET', `/api/v1/stats/coverage?${query}`)
      .then(setReport)
      .catch((error: unknown) => {
        if (error instanceof NetworkError) setProblem(t('coverage.offline'));
        else setProblem(error instanceof ApiError ? error.detail : String(error));
      });
  }, [query]);

  const total = report?.total;
  return (
    <section aria-labelledby="coverage-title">
      <h1 id="coverage-title">{t('coverage.title')}</h1>
      {kabupaten && (
        <p>
          <button type="button" class="btn btn-small btn-secondary" onClick={() => setKabupaten(null)}>
            ← {t('coverage.backKabupaten')}
          </button>{' '}
          <strong>{kabupaten.name}</strong>
        </p>
      )}
      {kecamatan && (
        <p>
          <button type="button" class="btn btn-small btn-secondary" onClick={() => setKecamatan(null)}>
            ← {t('coverage.back')}
          </button>{' '}
          <strong>{kecamatan.name}</strong>
        </p>
      )}
      {problem && (
        <p class="warning" role="alert">
          {problem}
        </p>
      )}
      {!report && !problem && <p>{t('app.loading')}</p>}
      {report && total && (
        <>
          <p class="lead" data-testid="coverage-total">
            {t('coverage.total', { served: total.served, target: total.target, pct: pct(total.pct_served), followed: total.followed_up })}
          </p>
          <h2>{heading(report.level)}</h2>
          {province && report.level === 'kabupaten' && (
            <KabupatenTable rows={summaryRows(report.items, total, t('coverage.sum'))} onPick={setKabupaten} />
          )}
          {report.items.length === 0 ? (
            <p class="note">{t('coverage.empty')}</p>
          ) : (
            <Bars items={report.items} onPick={drillFrom(role, report.level) ? pick : undefined} />
          )}
          <h2>{t('coverage.rentan')}</h2>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t('coverage.category')}</th>
                  <th scope="col">{t('coverage.target')}</th>
                  <th scope="col">{t('coverage.served')}</th>
                  <th scope="col">%</th>
                </tr>
              </thead>
              <tbody>
                {total.rentan.map((r) => (
                  <tr>
                    <th scope="row">{r.label}</th>
                    <td>{r.target}</td>
                    <td>{r.served}</td>
                    <td>{pct(r.pct_served)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="meta">{t('coverage.jemputBola', { n: total.jemput_bola })}</p>
          <h2>{t('coverage.trend')}</h2>
          <Trend weeks={total.trend} />
          <p class="actions">
            <a class="btn btn-small btn-secondary" href={`/api/v1/stats/coverage.csv?${query}`} download>
              {t('coverage.csv')}
            </a>
            <a class="btn btn-small btn-secondary" href={`/api/v1/stats/coverage.xlsx?${query}`} download>
              {t('coverage.xlsx')}
            </a>
          </p>
        </>
      )}
    </section>
  );
}
