// Every scan the PWA stores, with the SHA-256 of the stored bytes.
async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('bakso');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const all = await new Promise((ok, no) => {
    const r = db.transaction('scans').objectStore('scans').getAll();
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  db.close();
  const out = [];
  for (const s of all) {
    const digest = await crypto.subtle.digest('SHA-256', await s.blob.arrayBuffer());
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    out.push({
      requestId: s.requestId,
      requirement: s.requirement,
      sha256: s.sha256,
      actual: hex,
      size: s.blob.size,
      type: s.contentType,
    });
  }
  return out;
}
