// One request: its data, scans, timeline and the moves Dukcapil may make (SELESAI with the
// issued PDF).
import { useState } from 'preact/hooks';
import { getLang, t } from '../../i18n';
import { api, ApiError } from '../../lib/api';
import { movesFrom, NEEDS_REASON, transition, uploadIssued, type OfficerRequest } from '../../lib/officer';
import { regionName } from '../../lib/regions';
import { isPurged } from '../../lib/retention';
import { entryTitle } from '../../lib/timeline';
import { toast, useStore } from '../../lib/store';
import { Badge, formatBytes, formatDate, personName, serviceLabel } from '../common';
import { message, Problem, useLoad } from './common';
import { FormFields } from './fields';
import { keptFlags, spelledDate } from './form-view';

/** "Foto gelap, kabur — dipertahankan operator": sent knowingly, not missed (docs/pwa.md). */
function Kept(props: { quality?: string[] }) {
  const flags = keptFlags(props.quality);
  if (flags.length === 0) return null;
  const named = flags.map((f) => t(`dk.detail.flag.${f}`)).join(', ');
  return (
    <span class="badge badge-kept" data-quality={flags.join(' ')}>
      {t('dk.detail.kept', { flags: named })}
    </span>
  );
}

function Scans(props: { item: OfficerRequest }) {
  const { item } = props;
  const scans = item.scans ?? [];
  if (item.purged_at) return <p class="muted">{t('dk.detail.purged')}</p>;
  if (scans.length === 0) return null;
  const label = (code: string) => item.requirements?.find((r) => r.code === code)?.label ?? code;
  // Numbered per document in berkas.pdf's order: a replacing photo has the replaced page's number.
  const order = (s: (typeof scans)[number]) => s.placed_at || `${s.created_at ?? ''}|${s.id}`;
  const rank = (code: string) => item.requirements?.findIndex((r) => r.code === code) ?? 0;
  const sorted = [...scans].sort((a, b) => rank(a.requirement) - rank(b.requirement) || order(a).localeCompare(order(b)));
  const counts = new Map<string, number>();
  const numbered = sorted.map((s) => {
    const n = (counts.get(s.requirement) ?? 0) + 1;
    counts.set(s.requirement, n);
    return { s, n };
  });
  // New since the submission before: pages that first went out with the current one.
  const submission = item.submission ?? 0;
  const isNew = (s: (typeof scans)[number]) => submission > 1 && s.submission === submission;
  return (
    <section class="card" aria-labelledby="scans-h">
      <h2 id="scans-h">{t('dk.detail.scans')}</h2>
      <ul class="dk-scans">
        {numbered.map(({ s, n }) => {
          const url = `/api/v1/requests/${item.id}/scans/${s.id}`;
          const name = t('dk.detail.page', { doc: label(s.requirement), n });
          return (
            <li data-scan={s.id}>
              {isNew(s) && (
                <span class="badge badge-selesai">{s.replaces ? t('dk.detail.replaces', { n }) : t('dk.detail.new')}</span>
              )}
              {s.content_type.startsWith('image/') ? (
                <a href={url} target="_blank" rel="noopener">
                  <img src={url} alt={name} loading="lazy" />
                </a>
              ) : (
                <a class="btn btn-small" href={url} target="_blank" rel="noopener">
                  {name} (PDF)
                </a>
              )}
              <span class="item-meta">
                {name} · {formatBytes(s.size)}
                {s.state !== 'ok' && ` · ${s.state}`}
              </span>
              <Kept quality={s.quality} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Transitions(props: { item: OfficerRequest; onChange: (item: OfficerRequest) => void }) {
  const { item } = props;
  const moves = movesFrom(item.status);
  const [to, setTo] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (moves.length === 0) return null;
  const needsNote = to !== null && NEEDS_REASON.has(to);
  const apply = async (event: Event) => {
    event.preventDefault();
    if (!to) return;
    setBusy(true);
    setError(null);
    try {
      let current: { id: string; version: number } = item;
      if (to === 'SELESAI' && file) current = await uploadIssued(item.id, file);
      const moved = await transition(current, to, note.trim());
      toast(t('dk.move.done', { status: t(`status.${moved.status}`) }));
      setTo(null);
      setNote('');
      setFile(null);
      props.onChange(moved);
    } catch (e) {
      setError(message(e));
      if (e instanceof ApiError && e.status === 409) props.onChange(item); // reload: someone else moved it
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="move-h">
      <h2 id="move-h">{t('dk.move.title')}</h2>
      <div class="row">
        {moves.map((m) => (
          <button type="button" class={to === m ? 'btn btn-primary' : 'btn'} aria-pressed={to === m} onClick={() => setTo(m)}>
            {t(`dk.move.${m}`)}
          </button>
        ))}
      </div>
      {to && (
        <form onSubmit={(e) => void apply(e)}>
          <div class="field">
            <label for="move-note">{needsNote ? t('dk.move.reason') : t('dk.move.note')}</label>
            <textarea id="move-note" rows={3} required={needsNote} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
          {to === 'SELESAI' && (
            <div class="field">
              <label for="move-pdf">{t('dk.move.issued')}</label>
              <input id="move-pdf" type="file" accept="application/pdf" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
            </div>
          )}
          <Problem text={error} />
          <button type="submit" class="btn btn-primary" disabled={busy || (needsNote && !note.trim())}>
            {t('dk.move.confirm', { status: t(`status.${to}`) })}
          </button>
        </form>
      )}
    </section>
  );
}

export function RequestDetail(props: { id: string }) {
  const state = useStore();
  const { value: item, error, reload } = useLoad(() => api<OfficerRequest>('GET', `/api/v1/requests/${props.id}`), [props.id]);
  if (error) return <Problem text={error} />;
  if (!item) return <p class="loading">{t('app.loading')}</p>;
  const applicant = item.applicant as Record<string, string | null>;
  const subject = item.subject as Record<string, string | null> | null;
  return (
    <>
      <p>
        <a class="tap" href="#/dukcapil/permohonan">← {t('dk.queue.title')}</a>
      </p>
      <h1>
        {item.code} — {personName(item as never)}
      </h1>
      <p>
        <Badge status={item.status} /> {serviceLabel(state.catalog, item.service)}
      </p>
      {isPurged(item) && <p class="note">{t('purged.detail')}</p>}
      {item.verify_problem && <p class="note note-warn">{item.verify_problem}</p>}
      {item.warnings.map((w) => (
        <p class="note note-warn">{w.message}</p>
      ))}
      <dl class="summary">
        <dt>{t('dk.desa')}</dt>
        <dd>{regionName(item.desa)}</dd>
        <dt>{t('field.nik')}</dt>
        <dd>{applicant.nik}</dd>
        <dt>{t('field.name')}</dt>
        <dd>{applicant.name}</dd>
        {applicant.kk && (
          <>
            <dt>{t('dk.detail.kk')}</dt>
            <dd>{applicant.kk}</dd>
          </>
        )}
        {subject?.name && (
          <>
            <dt>{t('dk.detail.subject')}</dt>
            <dd>
              {subject.name}
              {subject.birth_date && ` · ${spelledDate(subject.birth_date, getLang())}`}
              {subject.birth_place && ` · ${subject.birth_place}`}
            </dd>
          </>
        )}
        {item.notes && (
          <>
            <dt>{t('dk.detail.notes')}</dt>
            <dd>{item.notes}</dd>
          </>
        )}
        <dt>{t('dk.detail.created')}</dt>
        <dd>{formatDate(item.created_at)}</dd>
      </dl>
      <div class="row">
        {item.ready && !item.purged_at && (
          <a class="btn" href={`/api/v1/requests/${item.id}/berkas`} target="_blank" rel="noopener">
            {t('dk.detail.berkas')}
          </a>
        )}
        {item.issued?.state === 'ok' && (
          <a class="btn" href={`/api/v1/requests/${item.id}/issued`} target="_blank" rel="noopener">
            {t('dk.detail.issued')}
          </a>
        )}
        <a class="btn" href={`#/dukcapil/audit?request=${item.id}`}>
          {t('dk.audit.title')}
        </a>
      </div>
      <Transitions item={item} onChange={reload} />
      {!item.purged_at && <FormFields service={item.service} fields={item.fields} />}
      <Scans item={item} />
      {item.timeline && (
        <section class="card" aria-labelledby="dk-tl-h">
          <h2 id="dk-tl-h">{t('detail.timeline')}</h2>
          <ol class="timeline">
            {item.timeline.map((e) => (
              <li>
                <strong>{entryTitle(e)}</strong> — {formatDate(e.at)} · {e.by}
                {e.note && <div>{e.note}</div>}
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}
