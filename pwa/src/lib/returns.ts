// Bulk return (DESIGN §4): register the table (CSV ';' or ',', or XLSX) and the zip of issued PDFs with their SHA-256,
// upload them straight to the blob store (with progress), start, then follow the worker.
import { api, ApiError, NetworkError, send } from './api';
import { NEEDS_REASON, STATUSES, TRANSITIONS } from './lifecycle';
import { sha256File } from './sha256';
import { uuid } from './uuid';

export interface ReturnRow {
  row: number;
  code: string;
  outcome: 'applied' | 'unchanged' | 'refused';
  detail: string;
}

export interface ReturnStatus {
  id: string;
  status: 'WAITING_UPLOAD' | 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
  counts: { applied: number; unchanged: number; refused: number };
  rows_total: number;
  rows_done: number;
  error: string | null;
}

interface Upload {
  method: 'PUT' | 'POST';
  url: string;
  headers: Record<string, string>;
  fields: Record<string, string>;
}

export type ReturnPhase = { phase: 'hash'; done: number; total: number } | { phase: 'upload'; done: number; total: number };

export const TEMPLATE_XLSX = '/api/v1/returns/template.xlsx';
export const TEMPLATE_CSV = '/api/v1/returns/template.csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** What the table input offers: a CSV (';' or ',') or an XLSX. */
export const TABLE_ACCEPT = `.csv,.xlsx,text/csv,${XLSX_TYPE}`;

/** The statuses a row may name: where Dukcapil may move a request (lifecycle.json). */
export function returnTargets(): { status: string; needsReason: boolean }[] {
  const reachable = new Set(TRANSITIONS.filter((m) => m.by.includes('dukcapil')).map((m) => m.to));
  return STATUSES.filter((s) => reachable.has(s)).map((status) => ({ status, needsReason: NEEDS_REASON.has(status) }));
}

function described(file: Blob, name: string, sha256: string, fallbackType: string) {
  return { filename: name, sha256, size: file.size, content_type: file.type || fallbackType };
}

/** Some systems give an .xlsx or .csv no type (or a generic one): name its kind from the name. */
function tableType(file: File): string {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx')) return file.type === XLSX_TYPE ? XLSX_TYPE : 'application/octet-stream';
  return file.type || 'text/csv';
}

function detailOf(text: string, status: number): string {
  try {
    const body = JSON.parse(text) as { detail?: unknown };
    if (typeof body.detail === 'string') return body.detail;
  } catch {
    // S3 answers in XML: the status alone says enough
  }
  return `HTTP ${status}`;
}

/** PUT (or presigned POST) the bytes where the server said; `onProgress(bytesSent)`. */
export function uploadWithProgress(upload: Upload, blob: Blob, onProgress: (sent: number) => void): Promise<void> {
  if (typeof XMLHttpRequest === 'undefined') return uploadByFetch(upload, blob, onProgress);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.url);
    let body: Blob | FormData = blob;
    if (upload.method === 'POST') {
      const form = new FormData();
      for (const [key, value] of Object.entries(upload.fields ?? {})) form.append(key, value);
      form.append('file', blob);
      body = form;
    } else {
      for (const [key, value] of Object.entries(upload.headers ?? {})) xhr.setRequestHeader(key, value);
    }
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(blob.size);
        resolve();
      } else reject(new ApiError(xhr.status, detailOf(xhr.responseText, xhr.status)));
    };
    xhr.onerror = () => reject(new NetworkError('upload failed'));
    xhr.onabort = () => reject(new NetworkError('upload aborted'));
    xhr.send(body);
  });
}

async function uploadByFetch(upload: Upload, blob: Blob, onProgress: (sent: number) => void): Promise<void> {
  let response: Response;
  if (upload.method === 'POST') {
    const form = new FormData();
    for (const [key, value] of Object.entries(upload.fields ?? {})) form.append(key, value);
    form.append('file', blob);
    response = await send(upload.url, { method: 'POST', body: form, timeoutMs: 3_600_000 });
  } else {
    response = await send(upload.url, { method: 'PUT', headers: upload.headers, body: blob, timeoutMs: 3_600_000 });
  }
  if (!response.ok) throw new ApiError(response.status, detailOf(await response.text(), response.status));
  onProgress(blob.size);
}

/** Hash, register, upload both files and start; the worker then applies the rows. */
export async function startReturn(csv: File, zip: File | null, onPhase: (phase: ReturnPhase) => void): Promise<ReturnStatus> {
  const hashTotal = csv.size + (zip?.size ?? 0);
  const tableSha = await sha256File(csv, (done) => onPhase({ phase: 'hash', done, total: hashTotal }));
  const zipSha = zip ? await sha256File(zip, (done) => onPhase({ phase: 'hash', done: csv.size + done, total: hashTotal })) : null;
  const created = await api<ReturnStatus & { uploads: { table: Upload | null; pdfs: Upload | null } }>('POST', '/api/v1/returns', {
    id: uuid(),
    table: { ...described(csv, csv.name || 'kembali.csv', tableSha, 'text/csv'), content_type: tableType(csv) },
    pdfs: zip && zipSha ? described(zip, zip.name || 'dokumen.zip', zipSha, 'application/zip') : null,
  });
  const total = csv.size + (zip?.size ?? 0);
  onPhase({ phase: 'upload', done: 0, total });
  if (created.uploads.table) {
    await uploadWithProgress(created.uploads.table, csv, (sent) => onPhase({ phase: 'upload', done: sent, total }));
  }
  if (zip && created.uploads.pdfs) {
    await uploadWithProgress(created.uploads.pdfs, zip, (sent) => onPhase({ phase: 'upload', done: csv.size + sent, total }));
  }
  return api<ReturnStatus>('POST', `/api/v1/returns/${created.id}/start`);
}

export function getReturn(id: string): Promise<ReturnStatus> {
  return api<ReturnStatus>('GET', `/api/v1/returns/${id}`);
}

/** One page of the per-row report; `next_after` continues it (null: the end). */
export function returnRows(id: string, after = 0, limit = 200): Promise<{ items: ReturnRow[]; next_after: number | null }> {
  return api('GET', `/api/v1/returns/${id}/rows?after=${after}&limit=${limit}`);
}

export function finished(status: ReturnStatus): boolean {
  return status.status === 'DONE' || status.status === 'FAILED';
}
