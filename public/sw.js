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
// `name-<16 hex digits>.ext`: the name changes whenever the content does.
const HASHED = /-[0-9a-f]{16}\.[a-z]+$/;

// A page that hears nothing for this long from the network, with no cached copy, gives up.
const NAVIGATE_MS = 10000;

self.addEventListener("install", (event) => {
  // A new version takes over as soon as it is cached (the page is told, and offers a reload).
  // A file whose name carries its content's hash and that an older version already holds is
  // copied from there instead of downloaded again (the CSS and icons across most releases). The
  // wasm modules of one build change together; the browser fetches each as a delta against the
  // version it holds, when the server has one (server/src/static_files/delta.rs).
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await Promise.all(
        SHELL.map(async (url) => {
          const kept = HASHED.test(url) ? await caches.match(url) : undefined;
          await (kept ? cache.put(url, kept) : cache.add(url));
        }),
      );
      await self.skipWaiting();
    })(),
  );
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
    // The shell from the cache at once: a cached app always opens, also on a link that connects
    // but never answers. Its version changes only with this worker (the cache is named by it), so
    // the cached copy is never stale. The network only when nothing is cached, with a deadline.
    event.respondWith(
      (async () => {
        const cached = await caches.match("/index.html");
        if (cached) {
          return cached;
        }
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), NAVIGATE_MS);
        try {
          return await fetch(event.request, { signal: controller.signal });
        } catch {
          return Response.error();
        } finally {
          clearTimeout(timer);
        }
      })(),
    );
    return;
  }
  // Hashed assets never change: the cache answers first.
  event.respondWith(caches.match(event.request).then((cached) => cached || fetch(event.request)));
});
