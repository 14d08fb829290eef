"""The words of what a store refuses, in one place for both adapter sets.

Adapters translate their own failures (a failed condition, a locked file, a
throttled table) into the errors of `domain.errors`, and take the Indonesian
`detail` the API shows from here, so the local and the AWS set say the same
thing about the same refusal.
"""

from __future__ import annotations

# Paging
BAD_CURSOR = "Kursor halaman tidak valid."
PAGE_SIZE_TOO_SMALL = "Jumlah per halaman harus minimal 1."

# Requests and their scans
STALE_REQUEST = "Data permohonan sudah berubah; muat ulang lalu coba lagi."
CODE_TAKEN = "Kode permohonan sudah dipakai permohonan lain."
CODE_FIXED = "Kode permohonan tidak dapat diubah."
SCAN_NOT_FOUND = "Berkas tidak ditemukan."

# Batches
BATCH_EXISTS = "Batch dengan id ini sudah ada."
BATCH_CHANGED = "Batch sudah diubah proses lain."

# Sasaran
STALE_SASARAN = "Data sasaran sudah berubah; muat ulang lalu coba lagi."
NIK_TAKEN = "NIK ini sudah tercatat pada sasaran lain."

# Blobs and the queue
BLOB_NOT_FOUND = "Berkas tidak ditemukan."
BAD_BLOB_KEY = "Kunci berkas tidak valid."
BAD_RANGE = "Rentang baca tidak valid."
BAD_UPLOAD_LINK = "Tautan unggah tidak sah."
EXPIRED_UPLOAD_LINK = "Tautan unggah sudah kedaluwarsa; minta tautan baru."
BAD_DOWNLOAD_LINK = "Tautan unduh tidak sah."
EXPIRED_DOWNLOAD_LINK = "Tautan unduh sudah kedaluwarsa; minta tautan baru."
WRONG_CONTENT_TYPE = "Jenis berkas tidak sesuai dengan yang didaftarkan."
LARGER_THAN_REGISTERED = "Berkas lebih besar dari ukuran yang didaftarkan."
# The bytes of an upload URL are bound to the SHA-256 registered with it: a second
# PUT of other bytes (even after `complete`) must never replace a checked scan.
OTHER_BYTES_THAN_REGISTERED = (
    "Isi berkas berbeda dari sidik SHA-256 yang didaftarkan; berkas tidak disimpan. "
    "Daftarkan berkas ini sebagai pindaian baru."
)
MESSAGE_TOO_LARGE = "Pesan antrean terlalu besar."

# The store itself (StoreUnavailable, 503: the device keeps its outbox and retries)
STORE_BUSY = "Sistem sedang sibuk; coba lagi sebentar lagi."
STORE_FAILING = "Penyimpanan data sedang bermasalah; coba lagi sebentar lagi."
STORE_UNREACHABLE = "Penyimpanan data tidak dapat dihubungi; coba lagi sebentar lagi."
STORE_FULL = "Penyimpanan data penuh; coba lagi nanti atau hubungi admin."
# The audit log's head is missing or not sealed by our key: never build on it.
AUDIT_CHAIN_UNUSABLE = (
    "Log audit tidak dapat dilanjutkan karena rantainya rusak; hubungi admin (bakso audit verify)."
)
