// The receipt's print links with the resident's download PIN (issue #18, lib/pin.ts): while
// this device holds the PIN made at "Kirim", the links carry it as `#pin=` (the receipt's
// script prints it; a fragment never reaches a server or a log) and the first one opened
// forgets it: shown once. "Buat PIN baru" makes a new one on the server (the old one stops
// working) and opens the 58 mm receipt with it as the slip to print.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, ApiError, NetworkError } from '../lib/api';
import { receiptUrl, takesPin } from '../lib/pin';
import { isPurged } from '../lib/retention';
import { forgetPin, heldPin, holdPin, type ServerRequest } from '../lib/storage';
import { useStore } from '../lib/store';

/** No new PIN: not submitted, or nothing will be issued to download. */
const NO_NEW_PIN = new Set(['DRAF', 'DIBATALKAN', 'DITOLAK']);

export function ReceiptLinks(props: { item: ServerRequest }) {
  const state = useStore();
  const { item } = props;
  const [pin, setPin] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    let live = true;
    void heldPin(item.id).then((held) => live && setPin(held ?? null));
    return () => {
      live = false;
    };
  }, [item.id]);
  // The browser reads the link's href only after the click's handlers and their microtasks
  // (a Preact render is one): the PIN leaves it a task later, once the page opened with it.
  const opened = () => {
    if (!pin) return;
    void forgetPin(item.id);
    setTimeout(() => setPin(null), 0);
  };
  const ours = state.session?.user.role === 'operator' && state.session.user.desa === item.desa;
  const renewable = ours && state.online && !NO_NEW_PIN.has(item.status) && !isPurged(item) && takesPin(state.catalog, item.service);
  const renew = async () => {
    if (!window.confirm(t('pin.confirm'))) return;
    // Opened in the tap: a window opened only after the server's answer is a blocked popup.
    const slip = window.open('', '_blank');
    setBusy(true);
    setProblem('');
    try {
      const made = await api<{ pin: string }>('POST', `/api/v1/requests/${item.id}/pin`);
      if (slip) {
        slip.opener = null;
        slip.location.href = receiptUrl(item.id, 'thermal', made.pin);
      } else {
        // No window (blocked): the links below print it, once.
        await holdPin(item.id, made.pin);
        setPin(made.pin);
      }
    } catch (error) {
      slip?.close();
      setProblem(error instanceof NetworkError ? t('pin.offline') : t('pin.failed', { detail: error instanceof ApiError ? error.detail : String(error) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {pin && (
        <p class="note row-full" id="pin-held" role="status">
          {t('pin.held')}
        </p>
      )}
      <a class="btn" href={receiptUrl(item.id, 'a4', pin)} target="_blank" rel="noopener" onClick={opened}>
        {t('receipt.print')}
      </a>
      <a class="btn" href={receiptUrl(item.id, 'thermal', pin)} target="_blank" rel="noopener" onClick={opened}>
        {t('receipt.printThermal')}
      </a>
      {renewable && (
        <button type="button" class="btn" id="new-pin" disabled={busy} onClick={() => void renew()}>
          {t('pin.new')}
        </button>
      )}
      {problem && (
        <p class="error row-full" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}
