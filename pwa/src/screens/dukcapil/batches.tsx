// Batches: create one from filters, follow its build (gather → plan → pack), download its
// volumes, see what was left out, rebuild a failed one.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { api } from '../../lib/api';
import { poll, type Batch } from '../../lib/officer';
import { regionName } from '../../lib/regions';
import { toast } from '../../lib/store';
import { formatBytes, formatDate } from '../common';
import { message, PlaceFilters, Problem } from './common';

export function Batches() {
  const [filters, setFilters] = useState({ kecamatan: '', desa: '', service: '' });
  const [items, setItems] = useState<Batch[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  // The batch just asked for: its "sedang disusun" toast is replaced once it is built.
  const [pending, setPending] = useState<string | null>(null);
  const building = items.some((b) => b.status === 'BUILDING');
  useEffect(
    () =>
      poll(
        () => api<{ items: Batch[] }>('GET', '/api/v1/batches'),
        (page) => !page.items.some((b) => b.status === 'BUILDING'),
        (page) => setItems(page.items),
      ),
    [tick],
  );
  useEffect(() => {
    const made = pending ? items.find((b) => b.id === pending) : undefined;
    if (!made || made.status === 'BUILDING') return;
    setPending(null);
    if (made.status === 'READY') toast(made.count > 0 ? t('dk.batch.ready', { n: made.count }) : t('dk.batch.nothingReady'));
    else toast(t('dk.batch.failed'));
  }, [items, pending]);
  // A batch that found nothing to take (made before creating one was refused) is not listed.
  const shown = items.filter((b) => !(b.status === 'READY' && b.count === 0));
  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const made = await api<Batch>('POST', '/api/v1/batches', {
        kecamatan: filters.kecamatan || null,
        desa: filters.desa || null,
        service: filters.service || null,
      });
      toast(t('dk.batch.created'));
      setPending(made.id);
      setTick((n) => n + 1);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  const rebuild = async (b: Batch) => {
    setBusy(true);
    setError(null);
    try {
      const made = await api<Batch>('POST', `/api/v1/batches/${b.id}/rebuild`);
      toast(t('dk.batch.created'));
      setPending(made.id);
      setTick((n) => n + 1);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  const describe = (b: Batch) =>
    [b.filters.kecamatan && regionName(b.filters.kecamatan), b.filters.desa && regionName(b.filters.desa), b.filters.service]
      .filter(Boolean)
      .join(' · ') || t('dk.all');
  return (
    <>
      <h1>{t('dk.batch.title')}</h1>
      <form class="card" onSubmit={(e) => void create(e)} aria-labelledby="batch-new-h">
        <h2 id="batch-new-h">{t('dk.batch.new')}</h2>
        <p class="muted">{t('dk.batch.hint')}</p>
        <div class="filters dk-filters">
          <PlaceFilters prefix="batch" value={filters} onChange={setFilters} />
        </div>
        <Problem text={error} />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {t('dk.batch.create')}
        </button>
      </form>
      <p class="muted" role="status">
        {building ? t('dk.batch.building') : ''}
      </p>
      {shown.length === 0 && <p class="muted">{t('dk.batch.empty')}</p>}
      <ul class="items">
        {shown.map((b) => (
          <li class="item dk-batch" data-batch={b.id}>
            <span class="item-name">
              {formatDate(b.created_at)} — {describe(b)}
            </span>
            <span class="item-meta">
              {t('dk.batch.count', { n: b.count })}
              {b.size !== null && ` · ${formatBytes(b.size)}`}
              {b.volumes.length > 1 && ` · ${t('dk.batch.volumes', { n: b.volumes.length })}`}
            </span>
            <span class={`badge badge-batch-${b.status.toLowerCase()}`}>{t(`dk.batch.status.${b.status}`)}</span>
            {b.status === 'BUILDING' && <BuildProgress batch={b} />}
            {b.status === 'FAILED' && (
              <>
                <span class="item-meta">{t('dk.batch.failed')}</span>
                <button type="button" class="btn btn-small" disabled={busy} onClick={() => void rebuild(b)}>
                  {t('dk.batch.rebuild')}
                </button>
              </>
            )}
            {b.status === 'READY' && b.volumes.length > 0 && (
              <ul class="dk-volumes">
                {b.volumes.map((v) => (
                  <li class="dk-volume" data-volume={v.n}>
                    <span>
                      {t('dk.batch.volume', { n: v.n, of: b.volumes.length })} · {t('dk.batch.count', { n: v.count })} ·{' '}
                      {formatBytes(v.size)}
                      {v.downloads > 0 && ` · ${t('dk.batch.downloads', { n: v.downloads })}`}
                    </span>
                    <a
                      class="btn btn-small"
                      href={`/api/v1/batches/${b.id}/download?volume=${v.n}`}
                      download
                      onClick={() => setTimeout(() => setTick((n) => n + 1), 1500)}
                    >
                      {t('dk.batch.download')} {b.volumes.length > 1 ? t('dk.batch.volume.short', { n: v.n }) : ''}
                    </a>
                  </li>
                ))}
              </ul>
            )}
            {b.excluded.length > 0 && (
              <details class="dk-excluded">
                <summary>{t('dk.batch.excluded', { n: b.excluded.length })}</summary>
                <ul>
                  {b.excluded.map((e) => (
                    <li>
                      <strong>{e.code}</strong>: {e.reason}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function BuildProgress(props: { batch: Batch }) {
  const b = props.batch;
  const packed = b.volumes.filter((v) => v.status === 'READY').length;
  const text =
    b.phase === 'pack'
      ? t('dk.batch.progress.pack', { done: packed, of: b.volumes.length })
      : b.phase === 'plan'
        ? t('dk.batch.progress.plan', { n: b.claimed })
        : t('dk.batch.progress.gather', { n: b.claimed });
  return (
    <span class="item-meta dk-progress">
      {b.phase === 'pack' && <progress max={b.volumes.length} value={packed} aria-label={text} />} {text}
    </span>
  );
}
