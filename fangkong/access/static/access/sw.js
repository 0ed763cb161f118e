/* fangkong gate scanner: service worker (scope /access/gate/).
 *
 * Keeps the scanner's shell (page, script, style, icon, manifest) so that it reloads with no
 * network. The page itself is network-first: online the staff see fresh lists; offline the
 * last copy. Pass data and the upload queue live in IndexedDB (scanner.js), not here; API
 * calls are never cached. */
"use strict";

const SHELL = "fangkong-gate-shell-v1";

self.addEventListener("install", (event) => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("fangkong-gate-") && key !== SHELL) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

function cacheable(request) {
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith("/api/")) return false;
  if (url.pathname.startsWith(self.registration.scope.replace(self.location.origin, "") + "data/")) return false;
  if (url.pathname.startsWith(self.registration.scope.replace(self.location.origin, "") + "check/")) return false;
  return true;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (!cacheable(request)) return;
  event.respondWith((async () => {
    const cache = await caches.open(SHELL);
    try {
      const response = await fetch(request);
      // Only good, same-origin, non-redirected answers are kept (never a login page).
      if (response.ok && !response.redirected && response.type === "basic") {
        await cache.put(request, response.clone());
      }
      return response;
    } catch (error) {
      const cached = await cache.match(request, {ignoreSearch: request.mode === "navigate"});
      if (cached) return cached;
      throw error;
    }
  })());
});
