// The residents' survey comments ("saran", docs/ikm.md) under the IKM table: newest first,
// 50 at a time, each with its desa and day and never its request (the survey is anonymous).
import { useEffect, useState } from 'preact/hooks';
import { getLang, t } from '../../i18n';
import { api, ApiError, NetworkError } from '../../lib/api';
import { formatDay } from '../../lib/locale';

interface Comment {
  date: string;
  desa: string;
  desa_name: string;
  kecamatan_name: string;
  text: string;
}

interface Page {
  items: Comment[];
  next: string | null;
}

export function Saran(props: { query: string }) {
  const [items, setItems] = useState<Comment[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const load = (cursor: string | null, shown: Comment[]) => {
    setBusy(true);
    setProblem(null);
    const more = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    api<Page>('GET', `/api/v1/ikm/saran?${props.query}${more}`)
      .then((page) => {
        setItems([...shown, ...page.items]);
        setNext(page.next);
      })
      .catch((error: unknown) => {
        if (error instanceof NetworkError) setProblem(t('ikm.offline'));
        else setProblem(error instanceof ApiError ? error.detail : String(error));
      })
      .finally(() => setBusy(false));
  };

  useEffect(() => {
    setItems(null);
    setNext(null);
    load(null, []);
  }, [props.query]);

  return (
    <section aria-labelledby="ikm-saran-title" data-testid="ikm-saran">
      <h2 id="ikm-saran-title">{t('ikm.saran.title')}</h2>
      <p class="meta">{t('ikm.saran.lead')}</p>
      {items === null && !problem && <p>{t('app.loading')}</p>}
      {items !== null && items.length === 0 && <p>{t('ikm.saran.none')}</p>}
      {items !== null && items.length > 0 && (
        <ul class="ikm-saran">
          {items.map((c) => (
            <li>
              <p class="meta">
                {formatDay(c.date, getLang())} · {t('ikm.saran.place', { desa: c.desa_name, kecamatan: c.kecamatan_name })}
              </p>
              <p class="ikm-saran-text">{c.text}</p>
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p class="warning" role="alert">
          {problem}
        </p>
      )}
      {next && (
        <button type="button" class="btn btn-secondary" disabled={busy} onClick={() => load(next, items ?? [])}>
          {busy ? t('app.loading') : t('ikm.saran.more')}
        </button>
      )}
    </section>
  );
}
