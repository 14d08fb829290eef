// A labelled text field of the request form, with its error and warnings, and the words
// for a NIK/No. KK that does not check out.
import { t } from '../i18n';
import type { Parsed } from '../lib/identity';

export function idMessage(parsed: Parsed | null, what: string): string | null {
  if (!parsed || parsed.ok) return null;
  return t(`id.error.${parsed.error}`, { what, ...parsed.detail });
}

export function idWarnings(parsed: Parsed | null, what: string): string[] {
  if (!parsed || !parsed.ok) return [];
  return parsed.info.warnings.map((w) => t(`id.warn.${w.code}`, { what, kecamatan: w.kecamatan, kabupaten: w.kabupaten, own: w.own }));
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | null;
  warnings?: string[];
  required?: boolean;
  type?: 'text' | 'tel' | 'date';
  inputMode?: 'numeric' | 'tel' | 'text';
  autoComplete?: string;
  maxLength?: number;
}

export function Field(props: FieldProps) {
  const described = [props.error ? `${props.id}-err` : '', props.warnings?.length ? `${props.id}-warn` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>
        {props.label}
        {props.required ? ' *' : ` (${t('form.optional')})`}
      </label>
      <input
        id={props.id}
        name={props.id}
        {...({ type: props.type ?? 'text' } as { type: 'text' }) /* Preact 11 narrows per type */}
        inputMode={props.inputMode}
        autoComplete={props.autoComplete ?? 'off'}
        required={props.required}
        maxLength={props.maxLength}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.error && (
        <p id={`${props.id}-err`} class="error">
          {props.error}
        </p>
      )}
      {props.warnings && props.warnings.length > 0 && (
        <p id={`${props.id}-warn`} class="warning">
          {props.warnings.join(' ')}
        </p>
      )}
    </div>
  );
}
