import { render } from 'preact';
import { App } from './app';
import { warmUp } from './lib/compress';
import { registerSW } from './lib/register-sw';
import { preloadOperatorScreens } from './screens/lazy';
import { followupsWaiting } from './lib/sasaran';
import { savedLanguage } from './lib/storage';
import { boot, getState, onNewVersionActive, reloadLocal, runSync, setState, setUpdater } from './lib/store';
import { setLang } from './i18n';
import './styles.css';
// The worklist's few rules with the rest: a CSS file of the operator chunk's own would be one
// more fetch in the service worker's install.
import './screens/sasaran.css';

async function start(): Promise<void> {
  // First of all: the app is offline-capable only once the worker has installed its precache,
  // and on slow 3G that takes seconds; reading IndexedDB and rendering need not come first.
  if ('serviceWorker' in navigator) {
    setUpdater(
      registerSW({
        onNeedRefresh() {
          setState({ updateReady: true }); // never reload by itself: the operator decides
        },
        onNeedReload: onNewVersionActive, // e.g. another tab's "Muat ulang"
        onRegistered(registration) {
          if (registration) setInterval(() => void registration.update(), 30 * 60_000);
        },
      }),
    );
  }
  setLang((await savedLanguage()) ?? 'id');
  render(<App />, document.getElementById('app') as HTMLElement);

  window.addEventListener('online', () => {
    setState({ online: true });
    void boot();
  });
  window.addEventListener('offline', () => setState({ online: false }));
  if ('BroadcastChannel' in window) {
    new BroadcastChannel('bakso').onmessage = () => void reloadLocal();
  }
  // The foreground loop: what is due is sent every 15 s while the app is open.
  setInterval(() => {
    if (navigator.onLine && (getState().local.some((i) => i.state === 'queued') || followupsWaiting())) void runSync();
  }, 15_000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && navigator.onLine) void runSync();
  });
  void navigator.storage?.persist?.();
  await boot();
  // The photo worker and the operator's screens once signed in: the login screen (every
  // first visit) fetches neither. Offline they come from the precache.
  const session = getState().session;
  if (session) warmUp();
  if (session?.user.role === 'operator') void preloadOperatorScreens();
}

void start();
