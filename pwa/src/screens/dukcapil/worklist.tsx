// One desa's worklist as Dukcapil sees it (#/dukcapil/sasaran-desa?desa=): pick a kecamatan and
// desa, read the rows page by page, and withdraw a row imported by mistake after an in-page
// confirmation (DELETE /api/v1/sasaran/<id>: erased, uncounted, a tombstone for the desa's
// devices). Online only: nothing of it is kept on the office PC.
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { documentStatuses, deskPage, placeFromHash, placeHash, rowState, shownRows, withdrawRow, type DeskRow, type Place } from '../../lib/sasaran-desk';
import { regionName } from '../../lib/regions';
import { toast, useStore } from '../../lib/store';
import { DesaOptions, kecamatanList, message, Problem, usePages } from './common';

const COLUMNS = 7;

function Confirm(props: { row: DeskRow; busy: boolean; error: string | null; onYes: () => void; onNo: () => void }) {
  const { row } = props;
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []); // the safe choice first: a stray Enter keeps the row
  const id = `wl-ask-${row.id}`;
  return (
    <tr class="wl-confirm" data-confirm={row.id}>
      <td colSpan={COLUMNS}>
        <div class="note note-warn" role="alertdialog" aria-labelledby={id} onKeyDown={(e) => e.key === 'Escape' && props.onNo()}>
          <p id={id}>{t('wl.ask', { name: row.name, desa: regionName(row.desa) })}</p>
          <Problem text={props.error} />
          <div class="row">
            <button type="button" class="btn btn-danger" disabled={props.busy} onClick={props.onYes}>
              {t('wl.yes')}
            </button>
            <button type="button" class="btn" ref={cancel} onClick={props.onNo}>
              {t('wl.no')}
            </button>
          </div>
        </div>
      </td>
    </tr>
  );
}

function state(row: DeskRow): string {
  const s = rowState(row);
  return s.kind === 'followed' ? t('wl.state.followed', { outcome: s.label }) : t(`wl.state.${s.kind}`);
}

function Rows(props: { desa: string }) {
  const store = useStore();
  const pages = usePages<DeskRow, string>((cursor) => deskPage(props.desa, cursor), [props.desa]);
  const [withdrawn, setWithdrawn] = useState<Set<string>>(new Set());
  const [asking, setAsking] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const summary = useRef<HTMLParagraphElement>(null);
  const rows = shownRows(pages.items, withdrawn);
  const ask = (id: string | null) => {
    setAsking(id);
    setError(null);
  };
  const withdraw = async (row: DeskRow) => {
    setBusy(true);
    setError(null);
    try {
      await withdrawRow(row.id);
      setWithdrawn((old) => new Set(old).add(row.id));
      setAsking(null);
      toast(t('wl.done', { name: row.name }));
      summary.current?.focus(); // the row and its buttons are gone: keep the keyboard in the list
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  if (pages.loading && pages.items.length === 0) return <p class="loading">{t('app.loading')}</p>;
  return (
    <>
      <Problem text={pages.error} />
      <p class="lead" ref={summary} tabIndex={-1} data-testid="wl-summary">
        {t(pages.next ? 'wl.shownMore' : 'wl.shown', { n: rows.length, desa: regionName(props.desa) })}
      </p>
      {rows.length === 0 && !pages.error && <p class="muted">{t('wl.empty')}</p>}
      {rows.length > 0 && (
        <div class="dk-table-wrap">
          <table class="dk-table wl-table">
            <thead>
              <tr>
                <th scope="col">{t('wl.name')}</th>
                <th scope="col">{t('field.nik')}</th>
                <th scope="col">{t('wl.address')}</th>
                <th scope="col">{t('sasaran.missing')}</th>
                <th scope="col">{t('dk.status')}</th>
                <th scope="col">{t('wl.followups')}</th>
                <th scope="col">
                  <span class="sr-only">{t('wl.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <Fragment key={row.id}>
                  <tr class={row.category ? 'wl-row wl-rentan' : 'wl-row'} data-sasaran={row.id}>
                    <th scope="row" data-label={t('wl.name')}>
                      {row.name}
                      {row.category && <span class="badge badge-rentan">{t('sasaran.rentan', { label: row.category_label ?? row.category })}</span>}
                    </th>
                    <td data-label={t('field.nik')}>
                      <span class="wl-nik">{row.nik ?? '—'}</span>
                    </td>
                    <td data-label={t('wl.address')}>{row.address}</td>
                    <td data-label={t('sasaran.missing')}>
                      <ul class="wl-docs">
                        {documentStatuses(row).map((d) => (
                          <li>
                            {d.label}
                            {d.status && <span class="muted"> · {t(`status.${d.status}`)}</span>}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td data-label={t('dk.status')} data-state={rowState(row).kind}>
                      {row.served ? <span class="badge badge-selesai">{state(row)}</span> : state(row)}
                    </td>
                    <td data-label={t('wl.followups')} class="wl-count">
                      {row.followup_count}
                    </td>
                    <td class="wl-act">
                      <button
                        type="button"
                        class="btn btn-small btn-danger"
                        aria-label={t('wl.withdrawName', { name: row.name })}
                        aria-expanded={asking === row.id}
                        disabled={!store.online || (busy && asking === row.id)}
                        onClick={() => ask(asking === row.id ? null : row.id)}
                      >
                        {t('wl.withdraw')}
                      </button>
                    </td>
                  </tr>
                  {asking === row.id && (
                    <Confirm row={row} busy={busy} error={error} onYes={() => void withdraw(row)} onNo={() => ask(null)} />
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages.next && (
        <button type="button" class="btn" disabled={pages.loading || !store.online} onClick={pages.more}>
          {t('wl.more')}
        </button>
      )}
    </>
  );
}

export function DeskWorklist() {
  const store = useStore();
  const [place, setPlaceState] = useState<Place>(() => placeFromHash(location.hash));
  const setPlace = (next: Place) => {
    setPlaceState(next);
    // The link reopens this desa (the way back, a reload), without a route change.
    history.replaceState(history.state, '', placeHash(next));
  };
  return (
    <>
      <h1>{t('wl.title')}</h1>
      <p class="muted">
        {t('wl.hint')} <a class="tap" href="#/dukcapil/sasaran">{t('wl.importLink')}</a>
      </p>
      {!store.online && (
        <p class="note note-warn" role="status">
          {t('wl.offline')}
        </p>
      )}
      <div class="filters dk-filters">
        <div class="field">
          <label for="wl-kec">{t('dk.kecamatan')}</label>
          <select id="wl-kec" value={place.kecamatan} onChange={(e) => setPlace({ kecamatan: e.currentTarget.value, desa: '' })}>
            <option value="">{t('dk.all')}</option>
            {kecamatanList().map(([code, name]) => (
              <option value={code}>{name}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="wl-desa">{t('dk.desa')}</label>
          <select id="wl-desa" value={place.desa} onChange={(e) => setPlace({ ...place, desa: e.currentTarget.value })}>
            <option value="">{t('wl.pickDesa')}</option>
            <DesaOptions kecamatan={place.kecamatan} />
          </select>
        </div>
      </div>
      {place.desa ? <Rows desa={place.desa} key={place.desa} /> : <p class="muted">{t('wl.pick')}</p>}
    </>
  );
}
