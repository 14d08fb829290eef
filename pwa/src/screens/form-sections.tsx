// The service's form on the data step, rendered from its definition (docs/forms.md "In the
// PWA"): a heading per section (a button that folds and unfolds it), "Isi dari …" where a
// person could be copied (lib/form-copy.ts), each field by its type, repeating groups with
// "Tambah …" and a remove button per item, "Sudah, ke …" folding a complete section. The ids
// (f-<section>-<field>, f-<section>-<index>-<field>, <id>-error, data-add) are what
// tests/e2e/ui.py fills by.
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { sourceName, type CopyOffer } from '../lib/form-copy';
import type { Choice, FieldDef, FormDefinition, SectionDef } from '../lib/form-rules';
import { itemsOf, type RawFields, type RawItem, type RawValue } from '../lib/form-state';
import { fieldId } from '../lib/forms';
import { useAfterRender } from './after-render';

export interface SectionsProps {
  definition: FormDefinition;
  choices: Record<string, Choice[]>;
  fields: RawFields;
  /** Errors to show, by input id (or a group's id). */
  errors: Record<string, string>;
  onValue: (section: SectionDef, index: number | null, key: string, value: RawValue) => void;
  onAdd: (section: SectionDef) => void;
  onRemove: (section: SectionDef, index: number) => void;
  /** Every error of the form now, shown or not, by input id: a section without any is complete. */
  allErrors: Record<string, string>;
  /** Sections folded to their heading (section keys). */
  folded: Set<string>;
  onFold: (key: string, folded: boolean) => void;
  /** "Isi dari …" for a section or an item, and what a tap copies. */
  offers: (section: SectionDef, index: number | null) => CopyOffer[];
  onCopy: (section: SectionDef, index: number | null, offer: CopyOffer) => void;
  /** Show the errors of these inputs as if each had been left. */
  onReveal: (ids: string[]) => void;
}

/** Anything of the section's (its inputs, its items, its own count) in `errors`. */
export function sectionHasErrors(errors: Record<string, string>, key: string): boolean {
  const id = fieldId(key, null);
  return Object.keys(errors).some((e) => e === id || e.startsWith(`${id}-`));
}

/** Bring a section into view and put the focus on its heading (the jump list, "Ubah"). */
/** Called through useAfterRender: the section may be opening in this very render. */
export function goToSection(key: string): void {
  const heading = document.getElementById(`${fieldId(key, null)}-h`);
  heading?.scrollIntoView({ block: 'start' });
  heading?.querySelector('button')?.focus({ preventScroll: true });
}

// A 16-digit number or a digits-only pattern (RT, kode pos): the phone's number pad.
const DIGITS = /^\[0-9\](\{\d+(,\d*)?\})?$/;

function numericKeyboard(field: FieldDef): 'numeric' | 'decimal' | undefined {
  if (field.type === 'nik' || field.type === 'kk') return 'numeric';
  if (field.type === 'number') return field.integer ? 'numeric' : 'decimal';
  if (field.type === 'text' && field.pattern && DIGITS.test(field.pattern)) return 'numeric';
  return undefined;
}

function Input(props: { id: string; field: FieldDef; value: RawValue | undefined; error?: string; choices: Record<string, Choice[]>; onValue: (value: RawValue) => void }) {
  const { id, field, error } = props;
  const text = typeof props.value === 'string' ? props.value : '';
  const common = {
    id,
    name: id,
    required: field.required,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
  };
  const mark = field.required ? ' *' : ` (${t('form.optional')})`;
  const message = error ? (
    <p id={`${id}-error`} class="error">
      {error}
    </p>
  ) : null;
  if (field.type === 'boolean') {
    return (
      <div class="field">
        <label class="check" for={id}>
          <input type="checkbox" {...common} checked={props.value === true} onChange={(e) => props.onValue(e.currentTarget.checked)} /> {field.label}
          {field.required ? ' *' : ''}
        </label>
        {message}
      </div>
    );
  }
  let control;
  if (field.type === 'choice') {
    control = (
      <select {...common} value={text} onChange={(e) => props.onValue(e.currentTarget.value)}>
        <option value="">{t('fields.choose')}</option>
        {(props.choices[field.choices ?? ''] ?? []).map((c) => (
          <option value={c.value}>{c.label}</option>
        ))}
      </select>
    );
  } else {
    const type = field.type === 'date' ? 'date' : field.type === 'time' ? 'time' : 'text';
    const numbers = field.type === 'nik' || field.type === 'kk';
    control = (
      <input
        {...common}
        {...({ type } as { type: 'text' }) /* Preact 11 narrows per type */}
        inputMode={numericKeyboard(field)}
        autoComplete="off"
        maxLength={numbers ? 20 : field.max_length}
        value={text}
        onInput={(e) => props.onValue(e.currentTarget.value)}
      />
    );
  }
  return (
    <div class="field">
      <label for={id}>
        {field.label}
        {mark}
      </label>
      {control}
      {message}
    </div>
  );
}

/** "Isi dari pemohon", "Isi dari data ibu": one tap copies that person's NIK, name, … here. */
function CopyFrom(props: SectionsProps & { section: SectionDef; index: number | null }) {
  const { section, index } = props;
  const offers = props.offers(section, index);
  if (offers.length === 0) return null;
  const target = fieldId(section.key, index);
  // "Isi dari:" once, then short chips side by side: three sources still fit one 360 px row.
  return (
    <div class="copy-from" role="group" aria-labelledby={`${target}-copy`}>
      <span id={`${target}-copy`}>{t('copy.group')}</span>
      {offers.map((offer) => {
        const source = offer.label ? sourceName(offer.label) : t('copy.applicant');
        return (
          <button
            type="button"
            class="btn btn-small"
            data-copy-from={offer.from}
            data-copy-to={target}
            aria-label={t('copy.from', { source })}
            onClick={() => props.onCopy(section, index, offer)}
          >
            {source}
          </button>
        );
      })}
    </div>
  );
}

function Fields(props: SectionsProps & { section: SectionDef; index: number | null; item: RawItem }) {
  const { section, index, item } = props;
  return (
    <>
      <CopyFrom {...props} section={section} index={index} />
      {section.fields.map((field) => {
        const id = fieldId(section.key, index, field.key);
        return (
          <Input
            id={id}
            field={field}
            value={item[field.key]}
            error={props.errors[id]}
            choices={props.choices}
            onValue={(value) => props.onValue(section, index, field.key, value)}
          />
        );
      })}
    </>
  );
}

/** An item is complete when something is typed and none of its fields shows an error. */
const hasErrors = (errors: Record<string, string>, prefix: string) => Object.keys(errors).some((id) => id.startsWith(prefix));

function Group(props: SectionsProps & { section: SectionDef }) {
  const { section } = props;
  const items = itemsOf(props.fields, section);
  const { min, max } = section.repeat ?? { min: 0, max: Infinity };
  // Items folded away once complete (on "Tambah"), so a long family stays short on a phone.
  const [folded, setFolded] = useState<Set<number>>(new Set());
  const groupId = fieldId(section.key, null);
  const title = (i: number) => `${section.label} ${i + 1}`;
  const add = () => {
    const done = items.map((item, i) => (Object.keys(item).length > 0 && !hasErrors(props.errors, `${fieldId(section.key, i)}-`) ? i : -1));
    setFolded(new Set(done.filter((i) => i >= 0)));
    props.onAdd(section);
  };
  return (
    <>
      {items.map((item, i) => {
        const prefix = `${fieldId(section.key, i)}-`;
        const open = !folded.has(i) || hasErrors(props.errors, prefix);
        const name = typeof item.name === 'string' && item.name.trim() ? ` — ${item.name.trim()}` : '';
        return (
          <fieldset class="form-item" data-item={`${section.key}-${i}`}>
            <legend>
              {title(i)}
              {!open && name}
            </legend>
            {open ? (
              <Fields {...props} section={section} index={i} item={item} />
            ) : (
              <button type="button" class="btn btn-small" onClick={() => setFolded(new Set([...folded].filter((n) => n !== i)))}>
                {t('fields.open', { item: title(i) })}
              </button>
            )}
            {items.length > min && (
              <button
                type="button"
                class="btn btn-small btn-danger"
                data-remove={`${section.key}-${i}`}
                onClick={() => {
                  setFolded(new Set());
                  props.onRemove(section, i);
                }}
              >
                {t('fields.remove', { item: title(i) })}
              </button>
            )}
          </fieldset>
        );
      })}
      {props.errors[groupId] && (
        <p id={`${groupId}-error`} class="error" role="alert">
          {props.errors[groupId]}
        </p>
      )}
      {items.length < max && (
        <button type="button" class="btn btn-block" data-add={section.key} onClick={add}>
          {t('fields.add', { label: section.label })}
        </button>
      )}
    </>
  );
}

/** The sections at the top of the data step: a tap opens one and brings it into view. */
export function JumpList(props: { definition: FormDefinition; allErrors: Record<string, string>; onFold: (key: string, folded: boolean) => void }) {
  const { sections } = props.definition;
  const after = useAfterRender();
  if (sections.length < 2) return null;
  return (
    <nav class="form-jump" aria-label={t('sections.jump')}>
      {sections.map((section) => (
        <button
          type="button"
          class="btn btn-small"
          data-jump={section.key}
          onClick={() => {
            props.onFold(section.key, false);
            after(() => goToSection(section.key));
          }}
        >
          {section.label}
          {!sectionHasErrors(props.allErrors, section.key) && <span class="section-done"> ✓</span>}
        </button>
      ))}
    </nav>
  );
}

function Section(props: SectionsProps & { section: SectionDef; next: SectionDef | undefined }) {
  const { section, next } = props;
  const id = fieldId(section.key, null);
  const complete = !sectionHasErrors(props.allErrors, section.key);
  const after = useAfterRender();
  // A section with an error shown never stays folded: the message must be seen.
  const open = !props.folded.has(section.key) || sectionHasErrors(props.errors, section.key);
  /** "Sudah, ke …": a complete section folds and the next comes into view; one with errors shows them. */
  const done = () => {
    if (!complete) {
      const ids = Object.keys(props.allErrors).filter((e) => e.startsWith(`${id}-`));
      props.onReveal(ids);
      after(() => (document.getElementById(ids[0] ?? '') as HTMLElement | null)?.focus());
      return;
    }
    props.onFold(section.key, true);
    if (next) {
      props.onFold(next.key, false);
      after(() => goToSection(next.key));
    }
  };
  return (
    <section class="form-section" aria-labelledby={`${id}-h`} data-section={section.key}>
      <h2 id={`${id}-h`}>
        <button type="button" class="section-toggle" aria-expanded={open} aria-controls={`${id}-body`} onClick={() => props.onFold(section.key, open)}>
          <span>{section.label}</span>
          {complete && <span class="section-done">{t('sections.complete')}</span>}
        </button>
      </h2>
      <div id={`${id}-body`} hidden={!open}>
        {open && (
          <>
            {section.repeat ? (
              <Group {...props} section={section} />
            ) : (
              <>
                <Fields {...props} section={section} index={null} item={(props.fields[section.key] as RawItem | undefined) ?? {}} />
                {props.errors[id] && (
                  <p id={`${id}-error`} class="error" role="alert">
                    {props.errors[id]}
                  </p>
                )}
              </>
            )}
            {props.definition.sections.length > 1 && (
              <button type="button" class="btn btn-small section-next" data-done={section.key} onClick={done}>
                {next ? t('sections.next', { next: next.label }) : t('sections.fold')}
              </button>
            )}
          </>
        )}
      </div>
    </section>
  );
}

export function FormSections(props: SectionsProps) {
  const { sections } = props.definition;
  return (
    <>
      {sections.map((section, i) => (
        <Section {...props} section={section} next={sections[i + 1]} />
      ))}
    </>
  );
}
