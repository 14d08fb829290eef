// The entry to the Dukcapil/admin screens: loaded on demand (a separate chunk), so the
// operator's first load carries none of it.
import type { FunctionComponent } from 'preact';
import { t } from '../i18n';
import { LoadFailed, useLazyScreen } from './lazy';

const dukcapil: { screen: FunctionComponent<{ route: string[] }> | null } = { screen: null };

export function Officer(props: { route: string[] }) {
  const { Screen, failure } = useLazyScreen(dukcapil, () => import('./dukcapil').then((m) => m.Dukcapil));
  if (Screen) return <Screen route={props.route} />;
  if (failure) return <LoadFailed failure={failure} offlineText={t('dk.loadFailed')} />;
  return <p class="loading">{t('app.loading')}</p>;
}
