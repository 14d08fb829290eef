// Dukcapil and admin screens (a lazily loaded chunk): batches, the requests to process, a
// request with its scans and transitions, bulk return, the sasaran import, one desa's worklist
// (a row withdrawn from it), the audit log, officer accounts.
import '../../i18n/dukcapil';
import { t } from '../../i18n';
import { useStore } from '../../lib/store';
import { Returns } from '../returns';
import { Accounts } from './accounts';
import { Audit } from './audit';
import { Batches } from './batches';
import { RequestDetail } from './detail';
import { Ikm } from './ikm';
import { Queue } from './queue';
import { SasaranImport } from './sasaran-import';
import { ReportCounts } from './report-counts';
import { DeskWorklist } from './worklist';
import '../dukcapil.css';

const TABS = [
  { path: 'batch', key: 'dk.tab.batches' },
  { path: 'permohonan', key: 'dk.tab.requests' },
  { path: 'kembali', key: 'dk.tab.returns' },
  { path: 'sasaran', key: 'dk.tab.sasaranImport' },
  { path: 'sasaran-desa', key: 'dk.tab.sasaranDesk' },
  { path: 'ikm', key: 'dk.tab.ikm' },
  { path: 'audit', key: 'dk.tab.audit' },
  { path: 'akun', key: 'dk.tab.users', admin: true },
  { path: 'laporan-warga', key: 'dk.tab.reportCounts', admin: true },
];

export function Dukcapil(props: { route: string[] }) {
  const state = useStore();
  const admin = state.session?.user.role === 'admin';
  const section = props.route[0] ?? 'batch';
  let screen;
  switch (section) {
    case 'p':
      screen = <RequestDetail id={props.route[1]} key={props.route[1]} />;
      break;
    case 'laporan-warga':
      screen = admin ? <ReportCounts /> : <Batches />;
      break;
    case 'permohonan':
      screen = <Queue />;
      break;
    case 'kembali':
      screen = <Returns />;
      break;
    case 'sasaran':
      screen = <SasaranImport />;
      break;
    case 'sasaran-desa':
      screen = <DeskWorklist />;
      break;
    case 'ikm':
      screen = <Ikm />;
      break;
    case 'audit':
      screen = <Audit key={location.hash} />;
      break;
    case 'akun':
      screen = admin ? <Accounts /> : <p class="note">{t('dk.users.adminOnly')}</p>;
      break;
    default:
      screen = <Batches />;
  }
  const current = section === 'p' ? 'permohonan' : section;
  return (
    <>
      <nav class="dk-tabs" aria-label={t('dk.tabs')}>
        {TABS.filter((tab) => !tab.admin || admin).map((tab) => (
          <a href={`#/dukcapil/${tab.path}`} class={current === tab.path ? 'dk-tab dk-tab-current' : 'dk-tab'} aria-current={current === tab.path ? 'page' : undefined}>
            {t(tab.key)}
          </a>
        ))}
      </nav>
      {screen}
    </>
  );
}
