import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { ApiError, login, NetworkError } from '../lib/api';
import { warmUp } from '../lib/compress';
import { forgetServerList, setPendingLogout } from '../lib/storage';
import { homeRoute } from '../lib/roles';
import { forgetWorklists } from '../lib/sasaran';
import { preloadOperatorScreens } from './lazy';
import { reloadLocal, refreshReference, refreshServerList, runSync, useStore } from '../lib/store';

export function Login() {
  const state = useStore();
  const previous = state.session?.user.username ?? '';
  const [username, setUsername] = useState(previous);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await login(username.trim(), password);
      await setPendingLogout(null); // the new login replaced the old session cookie
      warmUp(); // the photo worker, started while online (main.tsx starts it for a saved session)
      if (previous && previous !== session.user.username) {
        await forgetServerList();
        await forgetWorklists();
      }
      // The catalog and the operator's screens are needed offline: have them before going on.
      await Promise.all([refreshReference(), session.user.role === 'operator' ? preloadOperatorScreens() : undefined]);
      await reloadLocal();
      // Leave the login route only if we are still on it: the officer (or a test) may
      // already have moved on while the catalog was loading.
      // A confined role (the province's) also leaves the bare start page for its own screen.
      const home = homeRoute(session.user.role);
      const bare = location.hash === '' || location.hash === '#/';
      if (location.hash.startsWith('#/masuk') || (bare && home !== '#/')) location.hash = home;
      await refreshServerList();
      await runSync(true);
    } catch (caught) {
      if (caught instanceof ApiError) setError(caught.detail);
      else if (caught instanceof NetworkError) setError(t('login.offline'));
      else setError(String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card login">
      <h1>BAKSO</h1>
      <p class="lead">{t('login.tagline')}</p>
      {state.session?.expired && <p class="note">{t('login.expiredNote')}</p>}
      <form onSubmit={submit}>
        <label for="username">{t('login.username')}</label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="password">{t('login.password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? t('login.busy') : t('login.submit')}
        </button>
      </form>
      {state.session?.expired && (
        <a class="btn btn-block" href="#/">
          {t('login.later')}
        </a>
      )}
      <p class="free">{t('free.notice')}</p>
    </section>
  );
}
