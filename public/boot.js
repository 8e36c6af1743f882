// Loads the app (names are filled in with content hashes by `cargo xtask dist`) and registers
// the service worker that keeps the app shell available offline.
//
// The first visit on a slow link downloads the wasm with its progress shown; a download that
// stalls or fails says so, with a button to try again, instead of "Loading…" for ever. A repeat
// visit gets it from the service worker's cache at once.
import init from "./{{app_js}}";

// Absolute: a relative path would resolve against the page (e.g. /children/…/) and fail.
const WASM = "/{{app_wasm}}";
const WASM_BYTES = Number("{{app_wasm_bytes}}") || 0;
// No byte for this long: the link is gone (or connects but never answers).
const STALL_MS = 20000;

const text = document.getElementById("boot-text");
const bar = document.getElementById("boot-progress");
const retry = document.getElementById("boot-retry");

async function download() {
  const controller = new AbortController();
  let stalled = setTimeout(() => controller.abort(), STALL_MS);
  try {
    const response = await fetch(WASM, { signal: controller.signal });
    if (!response.ok || !response.body) {
      throw new Error(`HTTP ${response.status}`);
    }
    const reader = response.body.getReader();
    const chunks = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      clearTimeout(stalled);
      stalled = setTimeout(() => controller.abort(), STALL_MS);
      chunks.push(value);
      received += value.length;
      if (WASM_BYTES > 0 && bar) {
        const percent = Math.min(99, Math.floor((received * 100) / WASM_BYTES));
        bar.hidden = false;
        bar.value = percent;
        if (text) {
          text.textContent = `Đang tải ứng dụng… ${percent}% / Loading… ${percent}%`;
        }
      }
    }
    return new Response(new Blob(chunks), { headers: { "content-type": "application/wasm" } });
  } finally {
    clearTimeout(stalled);
  }
}

try {
  await init({ module_or_path: await download() });
  document.getElementById("loading")?.remove();
} catch (error) {
  console.error("loading the app:", error);
  if (bar) {
    bar.hidden = true;
  }
  if (text) {
    text.textContent =
      "Không tải được ứng dụng: mạng chập chờn hoặc mất kết nối. / " +
      "Could not load the app: the connection is weak or lost.";
  }
  if (retry) {
    retry.hidden = false;
    retry.addEventListener("click", () => location.reload());
  }
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch((error) => console.warn("service worker:", error));
}
