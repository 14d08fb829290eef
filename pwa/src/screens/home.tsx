import { t } from '../i18n';
import { regionName } from '../lib/regions';
import { runSync, useStore } from '../lib/store';
import { formatBytes, statusLabel, useStorage } from './common';
import { AttentionCard } from './attention';

export function Home() {
  const state = useStore();
  const storage = useStorage();
  const user = state.session!.user;
  const local = state.local.filter((i) => i.owner === user.username);
  const drafts = local.filter((i) => i.state === 'draft').length;
  const queued = local.filter((i) => i.state === 'queued').length;
  const attention = local.filter((i) => i.state === 'attention').length;
  const byStatus = new Map<string, number>();
  for (const item of state.server) byStatus.set(item.status, (byStatus.get(item.status) ?? 0) + 1);

  return (
    <>
      <h1>{t('home.title', { name: user.username })}</h1>
      {user.desa && <p class="lead">{t('home.desa', { desa: regionName(user.desa) })}</p>}
      <a class="btn btn-primary btn-block btn-big" href="#/baru">
        + {t('home.new')}
      </a>

      <AttentionCard />
      <section class="card" aria-labelledby="outbox-h">
        <h2 id="outbox-h">{t('home.outbox')}</h2>
        <ul class="stats">
          <li>
            <strong>{queued}</strong> {t('status.local.queued')}
          </li>
          <li class={attention ? 'warn' : ''}>
            <strong>{attention}</strong> {t('status.local.attention')}
          </li>
          <li>
            <strong>{drafts}</strong> {t('status.local.draft')}
          </li>
        </ul>
        {state.session?.expired && queued > 0 && <p class="note">{t('outbox.waitLogin')}</p>}
        {!state.online && queued > 0 && <p class="note">{t('outbox.waitOnline')}</p>}
        <div class="row">
          <a class="btn" href="#/antrean">
            {t('home.openOutbox')}
          </a>
          <button type="button" class="btn" disabled={!queued || state.syncing || !state.online} onClick={() => void runSync(true)}>
            {state.syncing ? t('outbox.sending') : t('outbox.sendNow')}
          </button>
        </div>
      </section>

      <section class="card" aria-labelledby="status-h">
        <h2 id="status-h">{t('home.byStatus')}</h2>
        {byStatus.size === 0 ? (
          <p class="muted">{t('home.noServer')}</p>
        ) : (
          <ul class="stats">
            {[...byStatus.entries()].map(([status, n]) => (
              <li>
                <a href={`#/daftar?status=${status}`}>
                  <strong>{n}</strong> {statusLabel(status)}
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="card" aria-labelledby="storage-h">
        <h2 id="storage-h">{t('home.storage')}</h2>
        <p>
          {t('storage.used', { used: formatBytes(storage.usage), quota: formatBytes(storage.quota) })}
          {storage.persisted === false && <> — {t('storage.notPersisted')}</>}
        </p>
      </section>
      <p class="free">{t('free.notice')}</p>
    </>
  );
}
