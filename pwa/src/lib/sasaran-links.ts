// Per document of a worklist row: the request linked for it (on the server, or still on this
// device) and whether "Buat permohonan" may start another. Each document a row lacks can have
// its own request; one that was DITOLAK or DIBATALKAN frees its document (#14). Pure: no DOM.
import type { SasaranRow } from './storage';

type SasaranDocument = SasaranRow['documents'][number];
type SasaranLink = NonNullable<SasaranRow['requests']>[number];

const DEAD = new Set(['DITOLAK', 'DIBATALKAN']);

export interface DocumentLink {
  document: SasaranDocument;
  /** The request the server last linked for this document, if any. */
  server: SasaranLink | null;
  /** A request for it saved on this device and not yet on the server's list. */
  local: string | null;
  canStart: boolean;
}

export interface RowLinks {
  documents: DocumentLink[];
  /** Links naming no document the row lacks (kept from before, or another service). */
  other: SasaranLink[];
}

type LocalItem = { id: string; service: string; sasaranId?: string | null };

/** The row's links; rows cached before #14 carry one `request` instead of `requests`. */
export function linksOf(row: Pick<SasaranRow, 'requests' | 'request' | 'documents'>): SasaranLink[] {
  const links = row.requests ?? (row.request ? [{ document: '?', id: row.request.id, status: row.request.status, live: !DEAD.has(row.request.status ?? '') }] : []);
  // With one document, a link of unknown document can only be for that one.
  if (row.documents.length !== 1) return links;
  return links.map((link) => (link.document === '?' ? { ...link, document: row.documents[0].code } : link));
}

export function rowLinks(row: Pick<SasaranRow, 'id' | 'requests' | 'request' | 'documents'>, local: LocalItem[]): RowLinks {
  const links = linksOf(row);
  const onServer = new Set(links.map((link) => link.id));
  const documents = row.documents.map((document) => {
    const server = links.find((link) => link.document === document.code) ?? null;
    const mine = local.find((item) => item.sasaranId === row.id && item.service === document.service && !onServer.has(item.id));
    const busy = Boolean(mine) || Boolean(server?.live);
    return { document, server, local: mine?.id ?? null, canStart: !busy };
  });
  const codes = new Set(row.documents.map((d) => d.code));
  return { documents, other: links.filter((link) => !codes.has(link.document)) };
}
