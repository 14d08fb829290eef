// The review step's read-back of the service's form (lib/form-readback.ts): what the operator
// compares with the paper before sending, each section with "Ubah" back to it on the data step.
import { getLang, t } from '../i18n';
import type { FormsFile } from '../lib/form-rules';
import { readBack, type ReadBackRow } from '../lib/form-readback';

function Rows(props: { rows: ReadBackRow[] }) {
  return (
    <dl class="summary readback-rows">
      {props.rows.map((row) => (
        <>
          <dt>{row.label}</dt>
          <dd class={row.mono ? 'mono' : undefined}>{row.text}</dd>
        </>
      ))}
    </dl>
  );
}

export function FormReadBack(props: { forms: FormsFile; service: string; fields: unknown; onEdit: (section: string) => void }) {
  const sections = readBack(props.forms, props.service, props.fields, getLang());
  if (sections.length === 0) return null;
  return (
    <div class="readback" aria-labelledby="readback-title">
      <h2 id="readback-title">{t('review.title')}</h2>
      {sections.map((section) => (
        <section class="readback-section" data-readback={section.key} aria-labelledby={`readback-${section.key}`}>
          <div class="readback-head">
            <h3 id={`readback-${section.key}`}>{section.label}</h3>
            <button type="button" class="btn btn-small" data-edit={section.key} aria-label={t('review.editLabel', { label: section.label })} onClick={() => props.onEdit(section.key)}>
              {t('review.edit')}
            </button>
          </div>
          {section.empty && section.items.every((item) => !item.title) ? (
            <p class="muted">{t('review.empty')}</p>
          ) : (
            <ol class="readback-items">
              {section.items.map((item, i) => (
                <li data-readback-item={`${section.key}-${i}`}>
                  {item.title && <h4>{item.title}</h4>}
                  {item.rows.length ? <Rows rows={item.rows} /> : <p class="muted">{t('review.empty')}</p>}
                </li>
              ))}
            </ol>
          )}
        </section>
      ))}
    </div>
  );
}
