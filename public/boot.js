// Loads the app (names are filled in with content hashes by `cargo xtask dist`) and registers
// the service worker that keeps the app shell available offline.
import init from "./{{app_js}}";

// Absolute: a relative path would resolve against the page (e.g. /children/…/) and fail.
await init({ module_or_path: "/{{app_wasm}}" });
document.getElementById("loading")?.remove();

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch((error) => console.warn("service worker:", error));
}
