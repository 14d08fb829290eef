// The desa office's phone and hours, kept by its operator (Pengaturan): the resident's status
// page and receipt show them, since the next step is often "datang ke kantor desa".
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, ApiError, NetworkError } from '../lib/api';
import { toast, useStore } from '../lib/store';

interface Contact {
  phone: string;
  whatsapp: boolean;
  hours: string;
}

export function DesaContact(props: { desa: string }) {
  const state = useStore();
  const [loaded, setLoaded] = useState(false);
  const [phone, setPhone] = useState('');
  const [whatsapp, setWhatsapp] = useState(false);
  const [hours, setHours] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const path = `/api/v1/desa/${encodeURIComponent(props.desa)}/contact`;

  useEffect(() => {
    if (!state.online || loaded) return;
    api<{ contact: Contact | null }>('GET', path)
      .then((body) => {
        setPhone(body.contact?.phone ?? '');
        setWhatsapp(body.contact?.whatsapp ?? false);
        setHours(body.contact?.hours ?? '');
        setLoaded(true);
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.detail : t('dc.offline')));
  }, [state.online, loaded, path]);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('PUT', path, { phone: phone.trim(), whatsapp, hours: hours.trim() });
      toast(t('dc.saved'));
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : e instanceof NetworkError ? t('dc.offline') : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="dc-h">
      <h2 id="dc-h">{t('dc.title')}</h2>
      <p class="hint">{t('dc.help')}</p>
      {!loaded && !error && <p class="muted">{state.online ? t('dc.loading') : t('dc.offline')}</p>}
      {loaded && (
        <form onSubmit={(e) => void save(e)}>
          <div class="field">
            <label for="dc-phone">{t('dc.phone')}</label>
            <input id="dc-phone" type="tel" inputMode="tel" autoComplete="tel" required maxLength={30} placeholder="0812-3456-7890" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
          </div>
          <label class="check">
            <input type="checkbox" id="dc-wa" checked={whatsapp} onChange={(e) => setWhatsapp(e.currentTarget.checked)} /> {t('dc.whatsapp')}
          </label>
          <div class="field">
            <label for="dc-hours">{t('dc.hours')}</label>
            <input id="dc-hours" maxLength={80} placeholder={t('dc.hoursExample')} value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
          </div>
          <button type="submit" class="btn btn-primary" disabled={busy || !state.online || !phone.trim()}>
            {t('dc.save')}
          </button>
        </form>
      )}
      {error && (
        <p class="note note-warn" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
