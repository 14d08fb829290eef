// The requests in the PWA's outbox (drafts, queued, parked).
async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('bakso');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const all = await new Promise((ok, no) => {
    const r = db.transaction('requests').objectStore('requests').getAll();
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  db.close();
  return all.map((r) => ({ id: r.id, state: r.state, message: r.message, name: r.applicant.name }));
}
