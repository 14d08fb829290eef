// Retention as the PWA shows it (docs/retention.md): a request whose personal data was
// erased, and an untouched draft the system will soon cancel and delete. Pure functions.

/** The retention fields of a request as the API returns them (RequestOut). */
export interface RetentionFields {
  status: string;
  purged_at?: string | null;
  purge_due?: string | null;
  purge_warning?: boolean;
}

/** True once the server erased the request's personal data (it keeps only the skeleton). */
export function isPurged(item: RetentionFields): boolean {
  return Boolean(item.purged_at);
}

/** When the request will be deleted, if its desa must be warned now (ISO), else null. */
export function purgeWarningDate(item: RetentionFields): string | null {
  if (isPurged(item) || !item.purge_warning || !item.purge_due) return null;
  return item.purge_due;
}
