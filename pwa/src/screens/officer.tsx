// The entry to the Dukcapil/admin screens: loaded on demand (a separate chunk), so the
// operator's first load carries none of it.
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';

type Screens = FunctionComponent<{ route: string[] }>;
let loaded: Screens | null = null;

export function Officer(props: { route: string[] }) {
  const [Screen, setScreen] = useState<Screens | null>(() => loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (Screen) return;
    import('./dukcapil')
      .then((m) => {
        loaded = m.Dukcapil;
        setScreen(() => m.Dukcapil);
      })
      .catch(() => setFailed(true));
  }, []);
  if (failed) return <p class="note note-warn">{t('dk.loadFailed')}</p>;
  if (!Screen) return <p class="loading">{t('app.loading')}</p>;
  return <Screen route={props.route} />;
}
