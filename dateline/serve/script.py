"""The live-reload script, added to HTML as it is served (never to files on disk)."""

from __future__ import annotations

import json
import re

from dateline.serve.state import Snapshot

EVENTS_PATH = "/__dateline__/events"
STATE_PATH = "/__dateline__/state"

# Reloads on a new build (or a restarted server), swaps stylesheets when only CSS changed, and shows the last build
# error over the page. Text goes in with textContent, never innerHTML: error messages quote the editor's files.
_SCRIPT = """<script data-dateline-live-reload>
(() => {
  const page = __PAGE__;
  let shown = page.epoch;
  const overlayId = "dateline-build-error";
  function swapStylesheets(epoch) {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("dateline", epoch);
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.onload = fresh.onerror = () => link.remove();
      link.after(fresh);
    }
  }
  function showErrors(errors) {
    let overlay = document.getElementById(overlayId);
    if (!errors.length) { if (overlay) overlay.remove(); return; }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = overlayId;
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,20,.94);color:#fff;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace";
      document.body.append(overlay);
    }
    overlay.replaceChildren();
    const heading = document.createElement("h2");
    heading.style.cssText = "margin:0 0 1rem;color:#ff8a80;font:bold 1.2rem system-ui,sans-serif";
    heading.textContent = "Build failed: the page shows the last good build";
    overlay.append(heading);
    for (const error of errors) {
      const item = document.createElement("pre");
      item.className = "dateline-error";
      item.style.cssText = "white-space:pre-wrap;margin:0 0 1rem";
      const where = document.createElement("strong");
      where.textContent = error.path + (error.line ? ":" + error.line : "");
      item.append(where, document.createTextNode("\\n" + error.message));
      overlay.append(item);
    }
    const hint = document.createElement("p");
    hint.style.cssText = "font-family:system-ui,sans-serif;color:#ccc";
    hint.textContent = "Fix the file and save: this page reloads by itself.";
    overlay.append(hint);
  }
  const events = new EventSource(page.events);
  events.onmessage = (message) => {
    const state = JSON.parse(message.data);
    window.__datelineState = state;  // for tests and the curious: what the server said last
    if (state.run !== page.run || state.full_epoch > page.epoch) {
      events.close();
      location.reload();
      return;
    }
    if (state.epoch > shown) { swapStylesheets(state.epoch); shown = state.epoch; }
    showErrors(state.errors);
  };
  addEventListener("pagehide", () => events.close());
})();
</script>
"""
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def state_json(snapshot: Snapshot, errors: list[dict]) -> str:
    return json.dumps({"run": snapshot.run, "epoch": snapshot.epoch, "full_epoch": snapshot.full_epoch,
                       "errors": errors})


def inject(html: bytes, snapshot: Snapshot) -> bytes:
    """HTML with the live-reload script before its last </body> (or at the end)."""
    page = json.dumps({"run": snapshot.run, "epoch": snapshot.epoch, "events": EVENTS_PATH})
    script = _SCRIPT.replace("__PAGE__", page.replace("<", "\\u003c")).encode("utf-8")
    matches = list(_BODY_END.finditer(html))
    if not matches:
        return html + script
    at = matches[-1].start()
    return html[:at] + script + html[at:]
