// Officer accounts (admin): create, disable/enable, end all sessions, reset a password,
// assign a desa. The server lists only the admin's own kabupaten's accounts (and its
// province's province accounts, #16); new officers join the admin's kabupaten.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { api, kabupatenOf } from '../../lib/api';
import type { Account } from '../../lib/officer';
import { regionName } from '../../lib/regions';
import { toast, useStore } from '../../lib/store';
import { DesaSelect, message, Problem, useLoad } from './common';

/** One field of an account row (a new password, a desa) and its save button. */
function RowForm(props: { id: string; label: string; onSubmit: () => void; children: ComponentChildren }) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      <div class="field">
        <label for={props.id}>{props.label}</label>
        {props.children}
      </div>
      <button type="submit" class="btn btn-small btn-primary">
        {t('dk.users.save')}
      </button>
    </form>
  );
}

/** Where an account works, in words: its kabupaten by name, or the province role's province. */
function placeOf(account: Account, names: Record<string, string>): string {
  if (account.role === 'provinsi') return t('dk.users.provinsiOf', { code: account.provinsi ?? '' });
  if (!account.kabupaten) return '';
  return t('dk.users.kabupaten', { name: names[account.kabupaten] ?? account.kabupaten });
}

function AccountRow(props: { account: Account; names: Record<string, string>; onChange: () => void }) {
  const { account } = props;
  const place = placeOf(account, props.names);
  const [mode, setMode] = useState<'' | 'password' | 'desa'>('');
  const [password, setPassword] = useState('');
  const [desa, setDesa] = useState(account.desa ?? '');
  const [error, setError] = useState<string | null>(null);
  const base = `/api/v1/users/${encodeURIComponent(account.username)}`;
  const act = async (path: string, body?: unknown, done?: string) => {
    setError(null);
    try {
      await api('POST', base + path, body);
      setMode('');
      setPassword('');
      if (done) toast(done);
      props.onChange();
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <li class="item dk-account" data-user={account.username}>
      <span class="item-name">
        {account.username} {!account.active && <span class="badge badge-ditolak">{t('dk.users.disabled')}</span>}
      </span>
      <span class="item-meta">
        {t(`role.${account.role}`)}
        {account.desa && ` · ${regionName(account.desa)}`}
        {place && <span data-place=""> · {place}</span>}
      </span>
      <div class="row">
        {account.active ? (
          <button
            type="button"
            class="btn btn-small btn-danger"
            onClick={() => window.confirm(t('dk.users.confirmDisable', { name: account.username })) && void act('/disable', undefined, t('dk.users.disabledDone'))}
          >
            {t('dk.users.disable')}
          </button>
        ) : (
          <button type="button" class="btn btn-small" onClick={() => void act('/enable')}>
            {t('dk.users.enable')}
          </button>
        )}
        <button
          type="button"
          class="btn btn-small"
          data-action="end-sessions"
          onClick={() =>
            window.confirm(t('dk.users.confirmEndSessions', { name: account.username })) &&
            void act('/sessions/revoke', undefined, t('dk.users.endSessionsDone', { name: account.username }))
          }
        >
          {t('dk.users.endSessions')}
        </button>
        <button type="button" class="btn btn-small" aria-expanded={mode === 'password'} onClick={() => setMode(mode === 'password' ? '' : 'password')}>
          {t('dk.users.reset')}
        </button>
        {account.role === 'operator' && (
          <button type="button" class="btn btn-small" aria-expanded={mode === 'desa'} onClick={() => setMode(mode === 'desa' ? '' : 'desa')}>
            {t('dk.users.assign')}
          </button>
        )}
      </div>
      {mode === 'password' && (
        <RowForm id={`pw-${account.username}`} label={t('dk.users.newPassword')} onSubmit={() => void act('/reset-password', { password }, t('dk.users.resetDone'))}>
          <input id={`pw-${account.username}`} type="password" autoComplete="new-password" minLength={10} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </RowForm>
      )}
      {mode === 'desa' && (
        <RowForm id={`desa-${account.username}`} label={t('dk.desa')} onSubmit={() => void act('/desa', { desa }, t('dk.users.assignDone'))}>
          <DesaSelect id={`desa-${account.username}`} value={desa} onChange={setDesa} required />
        </RowForm>
      )}
      <Problem text={error} />
    </li>
  );
}

const EMPTY = { username: '', role: 'operator', desa: '', password: '' };

export function Accounts() {
  const state = useStore();
  const { value, error, setError, reload } = useLoad(() => api<{ items: Account[] }>('GET', '/api/v1/users'), []);
  const items = value?.items ?? [];
  const own = kabupatenOf(state.session);
  const names = Object.fromEntries(own.map((k) => [k.code, k.name]));
  const [form, setForm] = useState(EMPTY);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await api('POST', '/api/v1/users', {
        ...form,
        desa: form.role === 'operator' ? form.desa : null,
      });
      toast(t('dk.users.created', { name: form.username }));
      setForm(EMPTY);
      reload();
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <>
      <h1>{t('dk.users.title')}</h1>
      <form class="card" onSubmit={(e) => void create(e)} aria-labelledby="user-new-h">
        <h2 id="user-new-h">{t('dk.users.new')}</h2>
        <div class="field">
          <label for="u-name">{t('dk.users.username')}</label>
          <input id="u-name" autoComplete="off" required value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="u-role">{t('dk.users.role')}</label>
          <select id="u-role" aria-describedby="u-role-hint" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>
            {['operator', 'dukcapil', 'admin'].map((r) => (
              <option value={r}>{t(`role.${r}`)}</option>
            ))}
          </select>
          {/* A province account reads every kabupaten of its province: never a kabupaten admin's to make. */}
          <p id="u-role-hint" class="muted">
            {t('dk.users.provinsiHint')}
          </p>
        </div>
        {form.role === 'operator' && (
          <div class="field">
            <label for="u-desa">{t('dk.desa')}</label>
            <DesaSelect id="u-desa" value={form.desa} onChange={(desa) => setForm({ ...form, desa })} required />
          </div>
        )}
        <div class="field">
          <label for="u-pw">{t('dk.users.password')}</label>
          <input id="u-pw" type="password" autoComplete="new-password" minLength={10} required value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
        </div>
        <Problem text={error} />
        <button type="submit" class="btn btn-primary">
          {t('dk.users.create')}
        </button>
      </form>
      <ul class="items">
        {items.map((a) => (
          <AccountRow account={a} names={names} key={`${a.username}-${a.active}-${a.desa}`} onChange={reload} />
        ))}
      </ul>
    </>
  );
}
