/** Shapes of the API's JSON read by more than one module (only the fields the PWA reads). */

/** The fields of every request the API returns (`RequestOut` in backend/bakso/schemas.py). */
export interface RequestFields {
  id: string;
  code: string;
  status: string;
  status_label: string;
  version: number;
  service: string;
  desa: string;
  applicant: Record<string, unknown>;
  subject: Record<string, unknown> | null;
  notes: string;
  /** The service's form (docs/forms.md), `{}` when none was filled. */
  fields?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  /** When it entered its current status (the desk's age column). */
  status_since?: string;
  warnings: { code: string; message: string }[];
  scans?: {
    id: string;
    requirement: string;
    sha256: string;
    size: number;
    content_type: string;
    state: string;
    created_at?: string;
    /** The page this photo replaced, and where it sorts (the replaced page's place). */
    replaces?: string | null;
    placed_at?: string;
    /** The submission it first went out with: the request's current one (> 1) means new. */
    submission?: number;
    /** The photo check's flags the operator kept the page despite (dark, blurred, small). */
    quality?: string[];
  }[];
  submission?: number;
  /** Moves, and notes on a status such as the resident's download (lib/timeline.ts). */
  timeline?: { status: string; label: string; action?: string; at: string; by: string; note: string }[];
  // Retention (lib/retention.ts): set once the personal data was erased; when it will be.
  purged_at?: string | null;
  purge_due?: string | null;
  purge_warning?: boolean;
}
