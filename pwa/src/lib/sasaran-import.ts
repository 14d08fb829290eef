// Dukcapil's sasaran import (docs/sasaran-import.md): hash the CSV/XLSX, register it, upload it
// straight to the blob store with progress, start, follow the worker, then read the per-line
// report. The pure parts (words, numbers) are exported for the tests.
import '../i18n/dukcapil';
import { api } from './api';
import { uploadWithProgress } from './returns';
import { sha256File } from './sha256';
import { uuid } from './uuid';

export type ImportState = 'UPLOADING' | 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
export type LineOutcome = 'accepted' | 'updated' | 'unchanged' | 'refused';

export interface ImportRun {
  id: string;
  status: ImportState;
  filename: string;
  kind: 'csv' | 'xlsx';
  size: number;
  created_at: string;
  created_by: string;
  lines_total: number;
  lines_done: number;
  counts: Partial<Record<LineOutcome, number>>;
  ignored_columns: string[];
  error: string | null;
  finished_at: string | null;
}

export interface ImportLine {
  line: number;
  outcome: LineOutcome;
  reason: string | null;
  message: string;
  sasaran_id: string | null;
}

interface Upload {
  method: 'PUT' | 'POST';
  url: string;
  headers: Record<string, string>;
  fields: Record<string, string>;
}

export type ImportPhase = { phase: 'hash' | 'upload'; done: number; total: number };

export const OUTCOMES: LineOutcome[] = ['accepted', 'updated', 'unchanged', 'refused'];
export const TEMPLATE_XLSX = '/api/v1/sasaran/template.xlsx';
export const TEMPLATE_CSV = '/api/v1/sasaran/template.csv';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function kindOf(name: string): 'csv' | 'xlsx' | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.xlsx')) return 'xlsx';
  return null;
}

/** What to declare: the browser's type, or one the server accepts for the extension. */
export function contentTypeOf(name: string, type: string): string {
  if (type) return type;
  return kindOf(name) === 'xlsx' ? XLSX_TYPE : 'text/csv';
}

export function finishedImport(run: ImportRun): boolean {
  return run.status === 'DONE' || run.status === 'FAILED';
}

const numbers = new Intl.NumberFormat('id-ID');
const decimals = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 1 });

/** 1234 → "1.234" (Indonesian digit grouping). */
export function count(n: number): string {
  return numbers.format(n);
}

/** 1536 → "1,5 KB": sizes as Indonesian writes them. */
export function bytes(n: number): string {
  if (n < 1024) return `${numbers.format(n)} B`;
  if (n < 1024 * 1024) return `${decimals.format(n / 1024)} KB`;
  return `${decimals.format(n / (1024 * 1024))} MB`;
}

export function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
}

/** A report line as the screen shows it: the i18n key of its word, and its tone. */
export function displayLine(line: ImportLine): { line: number; word: string; tone: 'ok' | 'warn' | 'plain'; text: string } {
  const tone = line.outcome === 'refused' ? 'warn' : line.outcome === 'unchanged' ? 'plain' : 'ok';
  return { line: line.line, word: `imp.outcome.${line.outcome}`, tone, text: line.message };
}

/** Every outcome with its count, zeros included, in the order the screen lists them. */
export function countsOf(run: ImportRun): { outcome: LineOutcome; n: number }[] {
  return OUTCOMES.map((outcome) => ({ outcome, n: run.counts[outcome] ?? 0 }));
}

export function reportUrl(id: string, format: 'csv' | 'xlsx'): string {
  return `/api/v1/sasaran/import/${id}/report.${format}`;
}

/** Hash, register, upload and start; the worker then reads the file in chunks. */
export async function startImport(file: File, onPhase: (phase: ImportPhase) => void): Promise<ImportRun> {
  const sha256 = await sha256File(file, (done) => onPhase({ phase: 'hash', done, total: file.size }));
  const created = await api<{ import: ImportRun; upload: Upload | null }>('POST', '/api/v1/sasaran/import', {
    id: uuid(),
    filename: file.name,
    sha256,
    size: file.size,
    content_type: contentTypeOf(file.name, file.type),
  });
  onPhase({ phase: 'upload', done: 0, total: file.size });
  if (created.upload) {
    await uploadWithProgress(created.upload, file, (sent) => onPhase({ phase: 'upload', done: sent, total: file.size }));
  }
  return api<ImportRun>('POST', `/api/v1/sasaran/import/${created.import.id}/start`);
}

export function getImport(id: string): Promise<ImportRun> {
  return api<ImportRun>('GET', `/api/v1/sasaran/import/${id}`);
}

export async function recentImports(): Promise<ImportRun[]> {
  return (await api<{ items: ImportRun[] }>('GET', '/api/v1/sasaran/import?limit=10')).items;
}

/** One page of the per-line report; `next` continues it (null: the end). */
export async function importLines(id: string, after: number | null, limit = 200): Promise<{ items: ImportLine[]; next: number | null }> {
  const page = await api<{ items: ImportLine[]; next_after: number | null }>(
    'GET',
    `/api/v1/sasaran/import/${id}/rows?after=${after ?? 0}&limit=${limit}`,
  );
  return { items: page.items, next: page.next_after };
}
