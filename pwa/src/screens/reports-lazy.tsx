// The overseer's reports screen (#19), fetched on first use: no other role's load carries it.
import type { FunctionComponent } from 'preact';
import { t } from '../i18n';
import { LoadFailed, useLazyScreen } from './lazy';

const reports: { screen: FunctionComponent<{ route: string[] }> | null } = { screen: null };

export function LazyReports(props: { route: string[] }) {
  const { Screen, failure } = useLazyScreen(reports, () => import('./reports').then((m) => m.Reports));
  if (Screen) return <Screen route={props.route} />;
  if (failure) return <LoadFailed failure={failure} offlineText={t('app.screenOffline')} />;
  return <p class="loading">{t('app.loading')}</p>;
}
