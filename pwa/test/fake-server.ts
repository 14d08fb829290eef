// A fake BAKSO server speaking the HTTP contract in memory, with injectable failures, for
// the outbox tests. It keeps the server's idempotency rules (UUID upsert, deterministic
// scan id, idempotent submit) so the tests check the device against them.
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;
export type Fault = 'network' | number;

interface Scan {
  id: string;
  requirement: string;
  sha256: string;
  size: number;
  content_type: string;
  state: 'pending' | 'ok';
  replaces?: string | null;
  /** The photo check's flags kept (ScanIn.quality); the server refuses a replay with others. */
  quality: string[];
}

interface Req {
  id: string;
  code: string;
  status: string;
  status_label: string;
  version: number;
  content: string;
  body: Json;
  token: string | null;
  scans: Scan[];
}

export class FakeServer {
  requests = new Map<string, Req>();
  blobs = new Map<string, Uint8Array>();
  calls: string[] = [];
  uploads = 0;
  uploadedBytes = 0;
  loggedIn = true;
  csrf = 'csrf-1';
  mandatory = ['F101'];
  /** Faults for the next calls matching a pattern ("PUT /blobs", "POST .../submit", ...). */
  faults: { match: RegExp; fault: Fault; times: number; detail?: string }[] = [];
  expireUploads = 0;

  fail(match: RegExp, fault: Fault, times = 1, detail?: string): void {
    this.faults.push({ match, fault, times, detail });
  }

  private view(r: Req): Json {
    return {
      id: r.id,
      code: r.code,
      status: r.status,
      status_label: r.status_label,
      version: r.version,
      token: r.token,
      ...r.body,
      created_at: '2026-11-27T00:00:00Z',
      updated_at: '2026-11-27T00:00:00Z',
      warnings: [],
      scans: r.scans.map((s) => ({ ...s })),
    };
  }

  private json(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' } });
  }

  private problem(status: number, detail: string): Response {
    return this.json(status, { type: 'about:blank', title: 'x', status, detail });
  }

  fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const method = (init.method ?? 'GET').toUpperCase();
    const path = input.replace(/^https?:\/\/[^/]+/, '');
    const call = `${method} ${path}`;
    this.calls.push(call);
    const fault = this.faults.find((f) => f.match.test(call) && f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.fault === 'network') throw new TypeError('Failed to fetch');
      return this.problem(fault.fault, fault.detail ?? `fault ${fault.fault}`);
    }
    if (path.startsWith('/blobs/')) return this.upload(path, init);
    if (path === '/api/v1/auth/me') {
      return this.loggedIn ? this.json(200, { user: { username: 'op.a', role: 'operator', desa: '52.03.01.2001' }, csrf_token: this.csrf }) : this.problem(401, 'Silakan masuk');
    }
    if (!this.loggedIn) return this.problem(401, 'Silakan masuk terlebih dahulu.');
    const headers = new Headers(init.headers);
    if (method !== 'GET' && headers.get('X-CSRF-Token') !== this.csrf) return this.problem(403, 'Token keamanan (CSRF) tidak valid');
    let m = /^\/api\/v1\/requests\/([^/]+)$/.exec(path);
    if (m && method === 'PUT') return this.upsert(m[1], JSON.parse(String(init.body)) as Json);
    if (m && method === 'GET') {
      const r = this.requests.get(m[1]);
      return r ? this.json(200, this.view(r)) : this.problem(404, 'Permohonan tidak ditemukan.');
    }
    m = /^\/api\/v1\/requests\/([^/]+)\/scans$/.exec(path);
    if (m && method === 'POST') return this.register(m[1], JSON.parse(String(init.body)) as Json);
    m = /^\/api\/v1\/requests\/([^/]+)\/scans\/([^/]+)\/complete$/.exec(path);
    if (m && method === 'POST') return this.complete(m[1], m[2]);
    m = /^\/api\/v1\/requests\/([^/]+)\/scans\/([^/]+)$/.exec(path);
    if (m && method === 'DELETE') {
      const r = this.requests.get(m[1]);
      if (r) r.scans = r.scans.filter((s) => s.id !== m![2]);
      return new Response(null, { status: 204 });
    }
    m = /^\/api\/v1\/requests\/([^/]+)\/submit$/.exec(path);
    if (m && method === 'POST') return this.submit(m[1]);
    return this.problem(404, 'Alamat tidak ditemukan.');
  };

  private upsert(id: string, body: Json): Response {
    const { version, ...rest } = body;
    const content = JSON.stringify(rest);
    const existing = this.requests.get(id);
    if (!existing) {
      const r: Req = { id, code: `LT-${id.slice(0, 4).toUpperCase()}`, status: 'DRAF', status_label: 'Draf', version: 1, content, body: rest, token: null, scans: [] };
      this.requests.set(id, r);
      return this.json(201, this.view(r));
    }
    if (existing.content === content) return this.json(200, this.view(existing));
    if (!['DRAF', 'PERLU_PERBAIKAN'].includes(existing.status)) {
      return this.problem(409, `Permohonan sudah berstatus ${existing.status_label} dan tidak dapat diubah.`);
    }
    if (version !== existing.version) return this.problem(409, 'Permohonan sudah diubah di perangkat lain.');
    existing.content = content;
    existing.body = rest;
    existing.version++;
    return this.json(200, this.view(existing));
  }

  private register(id: string, body: Json): Response {
    const r = this.requests.get(id);
    if (!r) return this.problem(404, 'Permohonan tidak ditemukan.');
    if (!['DRAF', 'PERLU_PERBAIKAN'].includes(r.status)) return this.problem(409, 'tidak dapat diubah');
    const scanId = createHash('sha256').update(`${body.requirement}:${body.sha256}`).digest('hex').slice(0, 32);
    let scan = r.scans.find((s) => s.id === scanId);
    if (!scan) {
      const quality = Array.isArray(body.quality) ? body.quality.map(String) : [];
      scan = { id: scanId, requirement: String(body.requirement), sha256: String(body.sha256), size: Number(body.size), content_type: String(body.content_type), state: 'pending', replaces: (body.replaces as string | undefined) ?? null, quality };
      r.scans.push(scan);
    }
    const sent = Array.isArray(body.quality) ? body.quality.map(String) : [];
    if (sent.join() !== scan.quality.join()) return this.problem(409, 'Pindaian ini sudah terdaftar dengan tanda mutu foto lain.');
    if (scan.state === 'ok') return this.json(201, { scan_id: scanId, state: 'ok', upload: null });
    const expired = this.expireUploads > 0;
    if (expired) this.expireUploads--;
    const url = `http://fake/blobs/upload/${expired ? 'expired' : 'ok'}/${r.id}/${scan.sha256}`;
    return this.json(201, { scan_id: scanId, state: 'pending', upload: { method: 'PUT', url, headers: { 'Content-Type': scan.content_type }, fields: {} } });
  }

  private async upload(path: string, init: RequestInit): Promise<Response> {
    const [, , , validity, , sha] = path.split('/');
    if (validity === 'expired') return this.problem(403, 'Tautan unggah sudah kedaluwarsa; minta tautan baru.');
    const data = new Uint8Array(await (init.body as Blob).arrayBuffer());
    this.uploads++;
    this.uploadedBytes += data.length;
    this.blobs.set(sha, data);
    return this.json(200, { status: 'stored' });
  }

  private complete(id: string, scanId: string): Response {
    const r = this.requests.get(id);
    const scan = r?.scans.find((s) => s.id === scanId);
    if (!r || !scan) return this.problem(404, 'Pindaian tidak ditemukan.');
    const data = this.blobs.get(scan.sha256);
    if (!data) return this.problem(422, 'Berkas belum diunggah; unggah lalu coba lagi.');
    if (createHash('sha256').update(data).digest('hex') !== scan.sha256) {
      this.blobs.delete(scan.sha256);
      return this.problem(422, 'Isi berkas berbeda dari sidik SHA-256 yang didaftarkan. Unggah ulang.');
    }
    // As the server: the replaced page leaves once its replacement is checked.
    if (scan.replaces) r.scans = r.scans.filter((s) => s.id !== scan.replaces);
    scan.state = 'ok';
    return this.json(200, { status: 'ok', scan });
  }

  private submit(id: string): Response {
    const r = this.requests.get(id);
    if (!r) return this.problem(404, 'Permohonan tidak ditemukan.');
    if (r.status === 'DIAJUKAN') return this.json(200, this.view(r));
    const have = new Set(r.scans.filter((s) => s.state === 'ok').map((s) => s.requirement));
    const missing = this.mandatory.filter((m) => !have.has(m));
    if (missing.length) return this.problem(422, `Dokumen wajib belum lengkap: ${missing.join('; ')}.`);
    r.status = 'DIAJUKAN';
    r.status_label = 'Diajukan';
    r.version++;
    r.token = 'token';
    return this.json(200, this.view(r));
  }
}
