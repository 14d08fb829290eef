// Whether the service catalog is cached for offline use.
() =>
  new Promise((ok) => {
    const r = indexedDB.open('bakso');
    r.onsuccess = () => {
      const get = r.result.transaction('kv').objectStore('kv').get('catalog');
      get.onsuccess = () => {
        r.result.close();
        ok(Array.isArray(get.result) && get.result.length > 0);
      };
    };
  })
