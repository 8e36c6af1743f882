// Tâm An service worker: keeps the app shell available offline.
//
// `cargo xtask dist` fills in VERSION (a hash of every shell file) and SHELL (the file list).
// Caches are named by version, so a new build installs beside the old one and removes it on
// activation; the page is told when a new version has taken over.
//
// Never cached: /api/ (children's data lives in the app's own store, not in HTTP caches).

const VERSION = "{{version}}";
const CACHE = `tam-an-shell-${VERSION}`;
const SHELL = {{shell}};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      const old = names.filter((name) => name.startsWith("tam-an-shell-") && name !== CACHE);
      await Promise.all(old.map((name) => caches.delete(name)));
      await self.clients.claim();
      if (old.length > 0) {
        for (const client of await self.clients.matchAll()) {
          client.postMessage({ type: "updated", version: VERSION });
        }
      }
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (event.request.mode === "navigate") {
    // The shell: fresh from the network when there is one, else the cached copy.
    event.respondWith(
      fetch(event.request).catch(async () => (await caches.match("/index.html")) || Response.error()),
    );
    return;
  }
  // Hashed assets never change: the cache answers first.
  event.respondWith(caches.match(event.request).then((cached) => cached || fetch(event.request)));
});
