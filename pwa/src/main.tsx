import { render } from 'preact';
import { registerSW } from 'virtual:pwa-register';
import { App } from './app';
import { warmUp } from './lib/compress';
import { followupsWaiting } from './lib/sasaran';
import { savedLanguage } from './lib/storage';
import { boot, getState, onNewVersionActive, reloadLocal, runSync, setState, setUpdater } from './lib/store';
import { setLang } from './i18n';
import './styles.css';

async function start(): Promise<void> {
  setLang((await savedLanguage()) ?? 'id');
  render(<App />, document.getElementById('app') as HTMLElement);

  if ('serviceWorker' in navigator) {
    const updateSW = registerSW({
      immediate: true,
      onNeedRefresh() {
        setState({ updateReady: true }); // never reload by itself: the operator decides
      },
      onNeedReload: onNewVersionActive, // e.g. another tab's "Muat ulang"

      onRegisteredSW(_url, registration) {
        if (registration) setInterval(() => void registration.update(), 30 * 60_000);
      },
    });
    setUpdater(() => void updateSW(true));
  }

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
  warmUp();
  await boot();
}

void start();
