// The request's form data on the officer's detail screen, read-only: a card per section with
// its label, single sections as label/value pairs, a repeating group (family members,
// witnesses) as a table with a row per item — what the desa typed, without a batch download.
// The definitions come from the server (GET /api/v1/forms, Dukcapil may edit them) once per
// visit; until then, or offline, the build's copy (lib/forms.ts, shared with the operator's
// screens, so this chunk adds none of that data to the precache).
import { useEffect, useState } from 'preact/hooks';
import { getLang, t } from '../../i18n';
import { cachedForms, refreshForms } from '../../lib/catalog';
import type { FormsFile } from '../../lib/form-rules';
import { formsOf } from '../../lib/forms';
import { groupColumns, showFields, type ShownField, type ShownSection } from './form-view';

let served: Promise<FormsFile> | null = null;

function loadForms(): Promise<FormsFile> {
  served ??= refreshForms().catch(async () => {
    served = null; // try the server again next time
    return formsOf(await cachedForms().catch(() => null));
  });
  return served;
}

function useForms(): FormsFile {
  const [forms, setForms] = useState<FormsFile>(() => formsOf(null));
  useEffect(() => {
    let live = true;
    void loadForms().then((f) => live && setForms(f));
    return () => {
      live = false;
    };
  }, []);
  return forms;
}

const value = (f: ShownField) => (f.text ? <span class={f.mono ? 'dk-mono-value' : undefined}>{f.text}</span> : <span class="muted">—</span>);

function Single(props: { section: ShownSection }) {
  const item = props.section.items[0] ?? [];
  return (
    <dl class="summary">
      {item.map((f) => (
        <>
          <dt>{f.label}</dt>
          <dd data-field={`${props.section.key}.${f.key}`}>{value(f)}</dd>
        </>
      ))}
    </dl>
  );
}

function Group(props: { section: ShownSection }) {
  const { section } = props;
  if (section.items.length === 0) return <p class="muted">{t('dk.form.none')}</p>;
  const columns = groupColumns(section);
  return (
    <div class="dk-table-wrap" tabIndex={0} aria-label={section.label}>
      <table class="dk-table dk-form-group">
        <thead>
          <tr>
            <th scope="col">{t('dk.form.number')}</th>
            {columns.map((c) => (
              <th scope="col">{c.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {section.items.map((item, index) => (
            <tr data-item={`${section.key}[${index}]`}>
              <th scope="row">{index + 1}</th>
              {columns.map((c) => {
                const f = item.find((x) => x.key === c.key);
                return <td data-field={`${section.key}[${index}].${c.key}`}>{f ? value(f) : ''}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every section of the request's form; nothing for a service without one and no fields. */
export function FormFields(props: { service: string; fields: unknown }) {
  const forms = useForms();
  const sections = showFields(forms, props.service, props.fields, getLang());
  if (sections.length === 0) return null;
  const form = forms.services[props.service]?.form;
  return (
    <section class="card dk-form" aria-labelledby="dk-form-h">
      <h2 id="dk-form-h">{form ? t('dk.form.titleOf', { form }) : t('dk.form.title')}</h2>
      {sections.map((section) => (
        <section class="dk-form-section" data-section={section.key} aria-labelledby={`dk-form-${section.key}`}>
          <h3 id={`dk-form-${section.key}`}>
            {section.label}
            {section.repeat && ` (${section.items.length})`}
          </h3>
          {section.repeat ? <Group section={section} /> : <Single section={section} />}
        </section>
      ))}
    </section>
  );
}
