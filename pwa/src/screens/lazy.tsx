// Screens fetched on first use with import(): they stay out of the first load (DESIGN §6).
// A failed import has two causes an operator must tell apart: no signal (wait for it), or a
// tab left open across an update whose old chunk the server no longer has (reload: any
// retry of the same URL fails again).
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';

export type LoadFailure = 'offline' | 'stale';

/** Why import() failed: offline when the browser says so, else this page's build is gone. */
export function failureOf(online: boolean): LoadFailure {
  return online ? 'stale' : 'offline';
}

/** Load a screen module once per page; `cache` keeps it across mounts. */
export function useLazyScreen<P>(
  cache: { screen: FunctionComponent<P> | null },
  load: () => Promise<FunctionComponent<P>>,
): { Screen: FunctionComponent<P> | null; failure: LoadFailure | null } {
  const [Screen, setScreen] = useState<FunctionComponent<P> | null>(() => cache.screen);
  const [failure, setFailure] = useState<LoadFailure | null>(null);
  useEffect(() => {
    if (Screen) return undefined;
    let live = true;
    const attempt = () => {
      setFailure(null);
      load()
        .then((screen) => {
          cache.screen = screen;
          if (live) setScreen(() => screen);
        })
        .catch(() => {
          if (live) setFailure(failureOf(navigator.onLine !== false));
        });
    };
    attempt();
    // Offline now, maybe not in a minute: try again when the signal comes back.
    window.addEventListener('online', attempt);
    return () => {
      live = false;
      window.removeEventListener('online', attempt);
    };
  }, []);
  return { Screen, failure };
}

/** What a screen that could not load says, with the way out. */
export function LoadFailed(props: { failure: LoadFailure; offlineText: string }) {
  if (props.failure === 'offline') return <p class="note note-warn">{props.offlineText}</p>;
  return (
    <div class="note note-warn" role="alert">
      <p>{t('app.staleChunk')}</p>
      <button type="button" class="btn btn-primary" onClick={() => location.reload()}>
        {t('update.reload')}
      </button>
    </div>
  );
}

const coverage: { screen: FunctionComponent | null } = { screen: null };

type OperatorScreens = typeof import('./operator');
const filled: Array<(screens: OperatorScreens) => void> = [];

/**
 * Load the operator's screens into the page (at login, and at start with a saved session),
 * so an open tab opens every one of them offline even before (or without) the service
 * worker's precache. Never fails: without signal they load on first use, from the precache.
 */
export async function preloadOperatorScreens(): Promise<void> {
  try {
    const screens = await import('./operator');
    for (const fill of filled) fill(screens);
  } catch {
    // offline, or a stale build: the screen itself says so when opened
  }
}

/** One of the operator's screens from the operator chunk (screens/operator.tsx, precached). */
function operatorScreen<P extends object>(pick: (screens: OperatorScreens) => FunctionComponent<P>): FunctionComponent<P> {
  const cache: { screen: FunctionComponent<P> | null } = { screen: null };
  filled.push((screens) => (cache.screen ??= pick(screens)));
  return function OperatorScreen(props: P) {
    const { Screen, failure } = useLazyScreen(cache, () => import('./operator').then(pick));
    if (Screen) return <Screen {...props} />;
    if (failure) return <LoadFailed failure={failure} offlineText={t('app.screenOffline')} />;
    return <p class="loading">{t('app.loading')}</p>;
  };
}

export const NewRequest = operatorScreen((m) => m.NewRequest);
export const List = operatorScreen((m) => m.List);
export const Detail = operatorScreen((m) => m.Detail);
export const Outbox = operatorScreen((m) => m.Outbox);
export const Worklist = operatorScreen((m) => m.Worklist);
export const Settings = operatorScreen((m) => m.Settings);

export function LazyCoverage() {
  const { Screen, failure } = useLazyScreen(coverage, () => import('./coverage').then((m) => m.Coverage));
  if (Screen) return <Screen />;
  if (failure) return <LoadFailed failure={failure} offlineText={t('coverage.offline')} />;
  return <p>{t('app.loading')}</p>;
}
