// A bulk move of the requests selected on the desk (one transition each; each its own outcome).
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { commonMoves, moveMany, NEEDS_REASON, type BulkResult, type OfficerRequest } from '../../lib/officer';
import { toast } from '../../lib/store';

export function BulkBar(props: { selected: OfficerRequest[]; onDone: () => void }) {
  const moves = commonMoves(props.selected.map((r) => r.status));
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [results, setResults] = useState<BulkResult[] | null>(null);
  const [busy, setBusy] = useState(false);
  const target = moves.includes(to) ? to : (moves[0] ?? '');
  const needsNote = NEEDS_REASON.has(target);
  const run = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const done = await moveMany(props.selected, target, note.trim());
    setBusy(false);
    setResults(done);
    setNote('');
    toast(t('dk.bulk.done', { ok: done.filter((r) => r.ok).length, n: done.length }));
    props.onDone();
  };
  return (
    <>
      {props.selected.length > 0 && (
        <form class="card dk-bulk" onSubmit={(e) => void run(e)} aria-labelledby="bulk-h">
          <h2 id="bulk-h">{t('dk.bulk.title', { n: props.selected.length })}</h2>
          {moves.length === 0 ? (
            <p class="muted">{t('dk.bulk.none')}</p>
          ) : (
            <>
              <div class="field">
                <label for="bulk-to">{t('dk.move.to')}</label>
                <select id="bulk-to" value={target} onChange={(e) => setTo(e.currentTarget.value)}>
                  {moves.map((m) => (
                    <option value={m}>{t(`status.${m}`)}</option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="bulk-note">{needsNote ? t('dk.move.reason') : t('dk.move.note')}</label>
                <textarea id="bulk-note" rows={2} required={needsNote} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
              </div>
              <button type="submit" class="btn btn-primary" disabled={busy || (needsNote && !note.trim())}>
                {t('dk.bulk.apply', { n: props.selected.length })}
              </button>
            </>
          )}
        </form>
      )}
      {results && (
        <section class="card" aria-labelledby="bulk-r-h">
          <h2 id="bulk-r-h">{t('dk.bulk.report')}</h2>
          <ul>
            {results.map((r) => (
              <li class={r.ok ? '' : 'warn'}>
                {r.code}: {r.ok ? t(`status.${r.detail}`) : r.detail}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
