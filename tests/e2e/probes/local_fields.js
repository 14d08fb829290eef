// The service form of each request in the PWA's outbox (tests/e2e/test_form_fields.py).
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
  return all.map((r) => ({ id: r.id, state: r.state, service: r.service, fields: r.fields ?? null, subject: r.subject }));
}
