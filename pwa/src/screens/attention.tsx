// The home screen's "Perlu tindakan" card (issue #18, lib/attention.ts): the desa's requests
// Dukcapil returned, with what to fix, and those finished, to print or hand over; from the
// cache of the last sync, so it shows offline too.
import { t } from '../i18n';
import { attentionItems } from '../lib/attention';
import { useStore } from '../lib/store';
import { Badge, personName, serviceLabel } from './common';

export function AttentionCard() {
  const state = useStore();
  const items = attentionItems(state.server, state.session?.user.desa);
  return (
    <section class="card attention" aria-labelledby="attention-h">
      <h2 id="attention-h">
        {t('attention.title')}{' '}
        <span class={items.length ? 'count count-warn' : 'count'}>
          <span class="sr-only">, {t('attention.badge', { n: items.length })}</span>
          <span aria-hidden="true">{items.length}</span>
        </span>
      </h2>
      {items.length === 0 ? (
        <p class="muted">{t('attention.none')}</p>
      ) : (
        <ul class="items">
          {items.map(({ item, reason }) => (
            <li>
              <a class="item attention-item" href={`#/permohonan/${item.id}`} data-status={item.status}>
                <span class="item-name">{personName(item)}</span>
                <span class="item-meta">
                  {item.code} · {serviceLabel(state.catalog, item.service)}
                </span>
                <Badge status={item.status} />
                <span class="attention-what">
                  {item.status === 'PERLU_PERBAIKAN' ? `${t('attention.fix')} ${reason || t('attention.noReason')}` : t('attention.ready')}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
