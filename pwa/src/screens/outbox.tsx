import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { exportOutbox, onProgress, progress, sentRecently, type Progress } from '../lib/outbox';
import { runSync, useStore } from '../lib/store';
import { Badge, formatDate, personName, serviceLabel } from './common';

export async function downloadOutbox(): Promise<void> {
  const blob = await exportOutbox();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `bakso-antrean-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function progressText(p: Progress): string {
  if (p.phase === 'data') return t('outbox.phaseData');
  if (p.phase === 'submit') return t('outbox.phaseSubmit');
  return t('outbox.photos', { done: p.photosDone, total: p.photos });
}

/** What the operator tells the waiting resident: sent, with its code and the receipt one tap away. */
function SentList() {
  const state = useStore();
  if (sentRecently.length === 0) return null;
  return (
    <section class="card sent" aria-labelledby="sent-h">
      <h2 id="sent-h">{t('outbox.sentTitle')}</h2>
      <ul class="items">
        {sentRecently.map((sent) => {
          const server = state.server.find((s) => s.id === sent.id);
          return (
            <li class="item sent-item">
              <span class="item-name">
                {t('outbox.sentItem', { code: sent.code })}
                {server && <> · {personName(server)}</>}
              </span>
              <span class="item-meta">{formatDate(new Date(sent.at).toISOString())}</span>
              <a class="btn btn-primary" href={`#/permohonan/${sent.id}`}>
                {t('outbox.openReceipt')}
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function useProgress(): Map<string, Progress> {
  const [, setTick] = useState(0);
  useEffect(() => onProgress(() => setTick((n) => n + 1)), []);
  return progress;
}

export function Outbox() {
  const state = useStore();
  const live = useProgress();
  const user = state.session!.user;
  const items = state.local.filter((i) => i.state !== 'draft');
  const drafts = state.local.filter((i) => i.state === 'draft').length;
  const queued = items.filter((i) => i.state === 'queued').length;

  return (
    <>
      <h1>{t('outbox.title')}</h1>
      <p class="lead">{t('outbox.help')}</p>
      {!state.online && queued > 0 && <p class="note">{t('outbox.waitOnline')}</p>}
      {state.session?.expired && queued > 0 && <p class="note note-warn">{t('outbox.waitLogin')}</p>}
      <div class="row">
        <button type="button" class="btn btn-primary" disabled={!queued || state.syncing || !state.online} onClick={() => void runSync(true)}>
          {state.syncing ? t('outbox.sending') : t('outbox.sendNow')}
        </button>
        <button type="button" class="btn" disabled={state.local.length === 0} onClick={() => void downloadOutbox()}>
          {t('outbox.export')}
        </button>
      </div>
      <SentList />
      {items.length === 0 && <p class="muted">{t('outbox.empty')}</p>}
      {drafts > 0 && (
        <p>
          <a href="#/daftar?status=local">{t('outbox.drafts', { n: drafts })}</a>
        </p>
      )}
      <ul class="items">
        {items.map((item) => {
          const p = live.get(item.id);
          return (
            <li class="item outbox-item" data-state={item.state}>
              <a href={`#/permohonan/${item.id}`} class="item-name">
                {personName(item)}
              </a>
              <span class="item-meta">
                {serviceLabel(state.catalog, item.service)} · {formatDate(item.createdAt)}
                {item.owner !== user.username && <> · {t('outbox.owner', { owner: item.owner })}</>}
              </span>
              {p ? <span class="badge badge-sending">{t('outbox.sendingBadge')}</span> : <Badge status={item.state} local />}
              {p && (
                <>
                  <progress max={Math.max(p.photos, 1)} value={p.photosDone} aria-hidden="true" />
                  <span class="progress-text" role="status">
                    {progressText(p)}
                  </span>
                </>
              )}
              {item.state === 'queued' && item.message && <p class="muted">{t('outbox.retrying', { message: item.message })}</p>}
              {item.state === 'queued' && item.nextAttemptAt > Date.now() && !p && (
                <p class="muted">{t('outbox.nextAttempt', { time: formatDate(new Date(item.nextAttemptAt).toISOString()) })}</p>
              )}
              {item.state === 'attention' && (
                <p class="error server-message">
                  <strong>{t('outbox.serverSaid')}</strong> {item.message}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
