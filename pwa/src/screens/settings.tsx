import { useState } from 'preact/hooks';
import { getLang, setLang, t, type Lang } from '../i18n';
import { api, NetworkError, setSession } from '../lib/api';
import { forgetServerList, saveLanguage, setPendingLogout } from '../lib/storage';
import { reloadLocal, setState, useStore } from '../lib/store';
import { formatBytes, useStorage } from './common';
import { DesaContact } from './desa-contact';
import { downloadOutbox } from './outbox';

export function Settings() {
  const state = useStore();
  const storage = useStorage();
  const [confirming, setConfirming] = useState(false);
  const [lang, setLangState] = useState<Lang>(getLang());
  const left = state.local.length;

  const logout = async () => {
    try {
      await api('POST', '/api/v1/auth/logout');
    } catch (error) {
      // Offline: end the server's session at the next start online (lib/store.ts boot).
      if (error instanceof NetworkError) await setPendingLogout(state.session?.csrf ?? '');
    }
    await forgetServerList(); // the list is the server's; the outbox stays
    await setSession(undefined);
    setConfirming(false);
    await reloadLocal();
    location.hash = '#/';
  };

  return (
    <>
      <h1>{t('settings.title')}</h1>
      <section class="card" aria-labelledby="st-h">
        <h2 id="st-h">{t('settings.storage')}</h2>
        <p>{t('storage.used', { used: formatBytes(storage.usage), quota: formatBytes(storage.quota) })}</p>
        <p>
          {storage.persisted ? t('storage.persisted') : t('storage.notPersisted')}{' '}
          {!storage.persisted && (
            <button type="button" class="btn btn-small" onClick={async () => {
              await navigator.storage?.persist?.();
              storage.refresh();
            }}>
              {t('storage.ask')}
            </button>
          )}
        </p>
      </section>
      <section class="card" aria-labelledby="lang-h">
        <h2 id="lang-h">{t('settings.language')}</h2>
        <label for="lang">{t('settings.language')}</label>
        <select
          id="lang"
          value={lang}
          onChange={async (e) => {
            const next = e.currentTarget.value as Lang;
            setLang(next);
            setLangState(next);
            await saveLanguage(next);
            setState({});
          }}
        >
          <option value="id">Bahasa Indonesia</option>
          <option value="en">English</option>
        </select>
      </section>
      {state.session!.user.role === 'operator' && state.session!.user.desa && <DesaContact desa={state.session!.user.desa} />}
      <section class="card" aria-labelledby="acc-h">
        <h2 id="acc-h">{t('settings.account')}</h2>
        <p>{t('settings.signedIn', { name: state.session!.user.username })}</p>
        <p class="muted">{t('settings.version', { version: __APP_VERSION__ })}</p>
        {!confirming && (
          <button type="button" class="btn btn-danger" onClick={() => (left ? setConfirming(true) : void logout())}>
            {t('settings.logout')}
          </button>
        )}
        {confirming && (
          <div class="note note-warn" role="alertdialog" aria-labelledby="logout-warn">
            <p id="logout-warn">{t('settings.logoutWarn', { n: left })}</p>
            <div class="row">
              <button type="button" class="btn" onClick={() => void downloadOutbox()}>
                {t('outbox.export')}
              </button>
              <button type="button" class="btn btn-danger" onClick={() => void logout()}>
                {t('settings.logoutAnyway')}
              </button>
              <button type="button" class="btn" onClick={() => setConfirming(false)}>
                {t('settings.cancel')}
              </button>
            </div>
          </div>
        )}
      </section>
    </>
  );
}
