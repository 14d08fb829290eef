// The IKM survey's figures (PermenPANRB 14/2017, docs/ikm.md) for Dukcapil and admins: a
// month or a quarter, the kabupaten, each kecamatan and each desa, the XLSX link, and the
// residents' comments (ikm-saran.tsx).
import { useEffect, useState } from 'preact/hooks';
import { addCatalogs, getLang, t } from '../../i18n';
import ikmEn from '../../i18n/ikm.en.json';
import ikmId from '../../i18n/ikm.id.json';
import { api, ApiError, NetworkError } from '../../lib/api';
import { ikmPeriods, ikmRows } from '../../lib/ikm-period';
import { useStore } from '../../lib/store';
import { Saran } from './ikm-saran';

addCatalogs({ id: ikmId, en: ikmEn });

interface Line {
  code: string;
  name: string;
  kecamatan?: string;
  respondents: number;
  nrr: (number | null)[];
  ikm_konversi: number | null;
  grade: string | null;
  grade_label: string | null;
}

interface Report {
  period: string;
  elements: { code: string; name: string }[];
  kabupaten: Line;
  kecamatan: Line[];
  desa: Line[];
}

function thisMonth(zone: string | undefined): [number, number] {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone || 'Asia/Makassar', year: 'numeric', month: 'numeric' }).formatToParts(new Date());
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return [value('year'), value('month')];
}

const number = (value: number | null, digits: number) =>
  value === null ? '–' : value.toLocaleString(getLang() === 'en' ? 'en-GB' : 'id-ID', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function Row(props: { line: Line; level: 'kabupaten' | 'kecamatan' | 'desa' }) {
  const { line } = props;
  const strong = props.level !== 'desa';
  // A kecamatan and one of its desa often share a name (Keruak, Sakra): the level is said.
  const name = props.level === 'kecamatan' ? t('ikm.kecamatanName', { name: line.name }) : line.name;
  return (
    <tr class={strong ? 'ikm-sum' : 'ikm-desa'}>
      <th scope="row">{strong ? <strong>{name}</strong> : name}</th>
      <td>{line.respondents}</td>
      {line.nrr.map((v) => (
        <td>{number(v, 2)}</td>
      ))}
      <td>{number(line.ikm_konversi, 2)}</td>
      <td>{line.grade ? `${line.grade} (${line.grade_label})` : '–'}</td>
    </tr>
  );
}

export function Ikm() {
  const state = useStore();
  const [year, month] = thisMonth(state.session?.timezone);
  const periods = ikmPeriods(year, month, getLang());
  const [query, setQuery] = useState(periods[0].query);
  const [report, setReport] = useState<Report | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // ~250 desa, most without answers in a month: by default only the places with respondents.
  const [answeredOnly, setAnsweredOnly] = useState(true);

  useEffect(() => {
    setReport(null);
    setProblem(null);
    api<Report>('GET', `/api/v1/ikm?${query}`)
      .then(setReport)
      .catch((error: unknown) => {
        if (error instanceof NetworkError) setProblem(t('ikm.offline'));
        else setProblem(error instanceof ApiError ? error.detail : String(error));
      });
  }, [query]);

  return (
    <section aria-labelledby="ikm-title">
      <h1 id="ikm-title">{t('ikm.title')}</h1>
      <p class="lead">{t('ikm.lead')}</p>
      <p>
        <label for="ikm-period">{t('ikm.period')}</label>{' '}
        <select id="ikm-period" value={query} onChange={(e) => setQuery((e.target as HTMLSelectElement).value)}>
          {periods.map((p) => (
            <option value={p.query}>{p.label}</option>
          ))}
        </select>{' '}
        <a class="btn btn-small btn-secondary" href={`/api/v1/ikm.xlsx?${query}`} download>
          {t('ikm.xlsx')}
        </a>
      </p>
      {problem && (
        <p class="warning" role="alert">
          {problem}
        </p>
      )}
      {!report && !problem && <p>{t('app.loading')}</p>}
      {report && (
        <>
          <p data-testid="ikm-total">
            {report.kabupaten.grade
              ? t('ikm.total', { name: report.kabupaten.name, score: number(report.kabupaten.ikm_konversi, 2), grade: `${report.kabupaten.grade} (${report.kabupaten.grade_label})`, n: report.kabupaten.respondents })
              : t('ikm.none')}
          </p>
          <p>
            <label class="check">
              <input type="checkbox" checked={answeredOnly} onChange={(e) => setAnsweredOnly((e.target as HTMLInputElement).checked)} /> {t('ikm.answeredOnly')}
            </label>
          </p>
          <div class="dk-table-wrap">
            <table class="dk-table" data-testid="ikm-table">
              <thead>
                <tr>
                  <th scope="col">{t('ikm.region')}</th>
                  <th scope="col">{t('ikm.respondents')}</th>
                  {report.elements.map((e) => (
                    <th scope="col">
                      <abbr title={e.name}>{e.code}</abbr>
                    </th>
                  ))}
                  <th scope="col">{t('ikm.score')}</th>
                  <th scope="col">{t('ikm.grade')}</th>
                </tr>
              </thead>
              <tbody>
                <Row line={report.kabupaten} level="kabupaten" />
                {ikmRows(report.kecamatan, report.desa, answeredOnly).map((row) => (
                  <Row line={row.line} level={row.level} />
                ))}
              </tbody>
            </table>
          </div>
          <p class="meta">{report.elements.map((e) => `${e.code} ${e.name}`).join(' · ')}</p>
        </>
      )}
      <Saran query={query} />
    </section>
  );
}
