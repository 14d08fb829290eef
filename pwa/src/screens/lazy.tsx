// Screens fetched on first use with import(): they stay out of the first load (DESIGN §6).
import { useEffect, useState } from 'preact/hooks';
import type { FunctionComponent } from 'preact';
import { t } from '../i18n';

let coverage: FunctionComponent | null = null;

export function LazyCoverage() {
  const [, loaded] = useState(0);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (coverage) return;
    import('./coverage')
      .then((module) => {
        coverage = module.Coverage;
        loaded((n) => n + 1);
      })
      .catch(() => setFailed(true));
  }, []);
  if (failed) return <p class="warning">{t('coverage.offline')}</p>;
  const Screen = coverage;
  return Screen ? <Screen /> : <p>{t('app.loading')}</p>;
}
