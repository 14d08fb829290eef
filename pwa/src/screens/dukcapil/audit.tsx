// The audit log, searched by request, user and dates.
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { api } from '../../lib/api';
import { actionText, actorText, detailsText, type AuditEntry } from '../../lib/audit-text';
import { query } from '../../lib/officer';
import { formatDate } from '../common';
import { Problem, usePages } from './common';


export function Audit() {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [filters, setFilters] = useState({ request: params.get('request') ?? '', user: '', from: '', to: '' });
  const [draft, setDraft] = useState(filters);
  const { items, next: before, error, more } = usePages<AuditEntry, number>(
    async (before) => {
      const page = await api<{ items: AuditEntry[]; before: number | null }>(
        'GET',
        `/api/v1/audit${query({
          request: filters.request,
          user: filters.user,
          from: filters.from,
          // the whole last day: "to" is compared with ISO timestamps
          to: filters.to ? `${filters.to}T23:59:59` : '',
          before,
          limit: 100,
        })}`,
      );
      return { items: page.items, next: page.before };
    },
    [filters],
  );
  const field = (key: keyof typeof draft, type: 'text' | 'date' = 'text') => (
    <div class="field">
      <label for={`audit-${key}`}>{t(`dk.audit.${key}`)}</label>
      {type === 'date' ? (
        <input id={`audit-${key}`} type="date" value={draft[key]} onInput={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })} />
      ) : (
        <input id={`audit-${key}`} type="text" value={draft[key]} onInput={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })} />
      )}
    </div>
  );
  return (
    <>
      <h1>{t('dk.audit.title')}</h1>
      <form
        class="filters dk-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft });
        }}
      >
        {field('request')}
        {field('user')}
        {field('from', 'date')}
        {field('to', 'date')}
        <button type="submit" class="btn">
          {t('dk.audit.search')}
        </button>
      </form>
      <Problem text={error} />
      {items.length === 0 && !error && <p class="muted">{t('dk.audit.empty')}</p>}
      {items.length > 0 && (
        <div class="dk-table-wrap">
          <table class="dk-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('dk.audit.at')}</th>
                <th scope="col">{t('dk.audit.user')}</th>
                <th scope="col">{t('dk.audit.action')}</th>
                <th scope="col">{t('dk.audit.target')}</th>
                <th scope="col">{t('dk.audit.data')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr>
                  <td>{e.seq}</td>
                  <td>{formatDate(e.at)}</td>
                  <td>{actorText(e.actor)}</td>
                  <td>{actionText(e.action)}</td>
                  <td class="dk-mono">{e.target}</td>
                  <td>{detailsText(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {before !== null && (
        <button type="button" class="btn" onClick={more}>
          {t('dk.more')}
        </button>
      )}
    </>
  );
}
