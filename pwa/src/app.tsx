import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { t } from './i18n';
import { regionName } from './lib/regions';
import { routeFor, showsTab } from './lib/roles';
import { attentionItems } from './lib/attention';
import { applyUpdate, leaveNeedsConfirm, unsaved, useStore } from './lib/store';
import { Home } from './screens/home';
import { Login } from './screens/login';
import { Officer } from './screens/officer';
// Every screen but home and login is fetched on first use (the operator's from a precached chunk).
import { Detail, LazyCoverage, List, NewRequest, Outbox, Settings, Worklist } from './screens/lazy';
import { LazyReports } from './screens/reports-lazy';

function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  // Like useStore: subscribe in the commit, and catch a change made before subscribing.
  useLayoutEffect(() => {
    let shown = location.hash;
    const changed = () => {
      if (location.hash === shown) return; // the way back after a declined leave
      if (leaveNeedsConfirm(shown, location.hash, unsaved.size) && !window.confirm(t('form.leaveUnsaved'))) {
        location.hash = shown;
        return;
      }
      shown = location.hash;
      setHash(location.hash);
      window.scrollTo(0, 0);
    };
    if (location.hash !== hash) setHash(location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean);
}

function UpdateBanner() {
  const confirmUpdate = () => {
    if (unsaved.size > 0 && !window.confirm(t('update.unsaved'))) return;
    applyUpdate();
  };
  return (
    <div class="banner banner-info" role="status">
      <span>{t('update.ready')}</span>
      <button type="button" class="btn btn-small" onClick={confirmUpdate}>
        {t('update.reload')}
      </button>
    </div>
  );
}

const NAV = [
  { href: '#/', key: 'nav.home', icon: '⌂', match: '' },
  { href: '#/baru', key: 'nav.new', icon: '+', match: 'baru', operatorOnly: true },
  { href: '#/daftar', key: 'nav.list', icon: '☰', match: 'daftar' },
  { href: '#/sasaran', key: 'nav.sasaran', icon: '☑', match: 'sasaran', operatorOnly: true },
  { href: '#/antrean', key: 'nav.outbox', icon: '⇪', match: 'antrean', operatorOnly: true },
  // Dukcapil's own screens have their tabs (screens/dukcapil); this bar keeps only what
  // lies outside them.
  { href: '#/cakupan', key: 'nav.coverage', icon: '▦', match: 'cakupan', officerOnly: true },
  // The overseer's residents' reports (#19): its only screen but settings (lib/roles).
  { href: '#/laporan', key: 'nav.reports', icon: '⚑', match: 'laporan', confinedOnly: true },
  { href: '#/pengaturan', key: 'nav.settings', icon: '⚙', match: 'pengaturan' },
];

export function App() {
  const state = useStore();
  const asked = useRoute();
  // An address of another role's screen shows this role's home: the address bar says so
  // too (replaceState fires no hashchange, so the route stays as shown).
  const shown = state.session && asked[0] !== 'masuk' ? routeFor(state.session.user.role, asked).join('/') : null;
  useEffect(() => {
    if (shown !== null && shown !== asked.join('/')) history.replaceState(null, '', `#/${shown}`);
  }, [shown, asked.join('/')]);
  useEffect(() => {
    const guard = (event: BeforeUnloadEvent) => {
      if (unsaved.size > 0) event.preventDefault();
    };
    window.addEventListener('beforeunload', guard);
    return () => window.removeEventListener('beforeunload', guard);
  }, []);

  if (!state.ready) return <p class="loading">{t('app.loading')}</p>;
  const localProblem = state.localProblem && (
    <div class="banner banner-warn" role="alert">
      {t('app.localProblem')}
    </div>
  );
  if (!state.session || asked[0] === 'masuk') {
    return (
      <main id="main" class="page-login">
        {localProblem}
        <Login />
      </main>
    );
  }
  const role = state.session.user.role;
  // The province role has the coverage screen only (lib/roles): any other route shows it.
  const route = routeFor(role, asked);
  const waiting = state.local.filter((i) => i.state === 'queued').length;
  const attention = state.local.filter((i) => i.state === 'attention').length;
  const waitingDesa = role === 'operator' ? attentionItems(state.server, state.session.user.desa).length : 0;
  let screen;
  switch (route[0]) {
    case 'baru':
      screen = <NewRequest id={route[1]} key={route[1] ?? 'new'} />;
      break;
    case 'daftar':
      screen = <List />;
      break;
    case 'permohonan':
      screen = <Detail id={route[1]} key={route[1]} />;
      break;
    case 'antrean':
      screen = <Outbox />;
      break;
    case 'sasaran':
      screen = <Worklist />;
      break;
    case 'cakupan':
      screen = <LazyCoverage />;
      break;
    case 'laporan':
      screen = <LazyReports route={route.slice(1)} />;
      break;
    case 'pengaturan':
      screen = <Settings />;
      break;
    case 'dukcapil':
      screen = <Officer route={route.slice(1)} />;
      break;
    default:
      screen = role === 'operator' ? <Home /> : <Officer route={[]} />;
  }
  const desa = state.session.user.desa;
  return (
    <>
      <header class="appbar">
        <span class="brand">BAKSO</span>
        <span class="appbar-desa">{desa ? regionName(desa) : t(`role.${role}`)}</span>
        <span class={`net ${state.online ? 'net-on' : 'net-off'}`} role="status">
          {state.online ? t('net.online') : t('net.offline')}
        </span>
      </header>
      {state.updateReady && <UpdateBanner />}
      {localProblem}
      {state.session.expired && (
        <div class="banner banner-warn" role="alert">
          <span>{t('session.expired')}</span>
          <a class="btn btn-small" href="#/masuk">
            {t('session.relogin')}
          </a>
        </div>
      )}
      {/* Dukcapil's screens are for an office PC: the desktop width (dukcapil.css). */}
      <main id="main" class={route[0] === 'dukcapil' || route[0] === 'laporan' || (!route[0] && role !== 'operator') ? 'main-wide' : undefined}>
        {screen}
      </main>
      <nav class="tabbar" aria-label={t('nav.label')}>
        {NAV.filter((item) => showsTab(role, item)).map((item) => {
          const current = (route[0] ?? '') === item.match;
          const badge = item.match === 'antrean' ? waiting + attention : item.match === '' ? waitingDesa : 0;
          return (
            <a href={item.href} class={current ? 'tab tab-current' : 'tab'} aria-current={current ? 'page' : undefined}>
              <span class="tab-icon" aria-hidden="true">
                {item.icon}
              </span>
              <span>{t(item.key)}</span>
              {badge > 0 && (
                <span class={attention || item.match === '' ? 'tab-badge tab-badge-warn' : 'tab-badge'}>
                  <span class="sr-only">, {t(item.match === '' ? 'attention.badge' : 'nav.badge', { n: badge })}</span>
                  <span aria-hidden="true">{badge}</span>
                </span>
              )}
            </a>
          );
        })}
      </nav>
      <div class="toast-region" aria-live="polite">
        {state.toast && <div class="toast">{state.toast}</div>}
      </div>
    </>
  );
}

export function navigate(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
