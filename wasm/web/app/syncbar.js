// The always-visible sync bar: network state, unsynced changes, last sync,
// storage persistence, whether the app is cached for offline use, and the
// Sync and Lock buttons. It reads status() only; it never shows content.
import { h, when } from "./dom.js";

export class SyncBar {
  constructor(root, { onSync, onLock }) {
    // How many syncs have finished, for anything that waits on one (e.g. tests).
    this.root = root;
    root.dataset.syncs = "0";
    this.net = h("span", { class: "pill", "data-testid": "net-state" });
    this.unsynced = h("span", { "data-testid": "unsynced-count" }, "0");
    this.lastSync = h("span", { "data-testid": "last-sync" }, "never");
    this.result = h("span", { class: "sync-result", "data-testid": "sync-result", "aria-live": "polite" });
    this.persisted = h("span", { class: "muted", "data-testid": "persisted" });
    this.offlineReady = h("span", { class: "muted", "data-testid": "offline-ready" });
    this.syncButton = h("button", { type: "button", class: "primary", "data-testid": "sync-button", onclick: onSync }, "Sync");
    this.lockButton = h("button", { type: "button", "data-testid": "lock-button", onclick: onLock }, "Lock");
    root.replaceChildren(
      h("div", { class: "sync-state" },
        this.net,
        h("span", { "data-testid": "unsynced" }, this.unsynced, " unsynced"),
        h("span", {}, "Last sync: ", this.lastSync),
        this.persisted, this.offlineReady, this.result),
      h("div", { class: "sync-actions" }, this.syncButton, this.lockButton));
    addEventListener("online", () => this.showNetwork());
    addEventListener("offline", () => this.showNetwork());
    this.showNetwork();
  }

  showNetwork() {
    const online = navigator.onLine;
    this.net.textContent = online ? "Online" : "Offline";
    this.net.className = `pill ${online ? "online" : "offline"}`;
  }

  /** Refresh from the vault's status(); status is null before the vault is open. */
  update(status) {
    this.showNetwork();
    const open = Boolean(status && status.unlocked);
    this.unsynced.textContent = status ? String(status.unsynced) : "0";
    this.lastSync.textContent = status ? when(status.last_sync) : "never";
    this.persisted.textContent = status && status.persisted ? "Storage: persistent" : "Storage: not persistent";
    this.syncButton.disabled = this.busy || !open || !status.server;
    this.lockButton.disabled = !open;
  }

  /** ready: the service worker controls the page; failed: it could not be installed. */
  setOfflineReady(ready, failed = false) {
    this.offlineReady.textContent = ready ? "Works offline" : failed ? "Not available offline" : "Getting ready to work offline…";
  }

  setBusy(busy) {
    if (this.busy && !busy) this.root.dataset.syncs = String(Number(this.root.dataset.syncs) + 1);
    this.busy = busy;
    this.syncButton.disabled = busy;
    this.syncButton.textContent = busy ? "Syncing…" : "Sync";
  }

  showSummary(summary) {
    const waiting = summary.pending ? `, waiting ${summary.pending}` : "";
    this.result.textContent = `Sent ${summary.sent}, received ${summary.received}${waiting}, conflicts ${summary.conflicts}.`;
    this.result.className = "sync-result";
  }

  showFailure(err) {
    this.result.textContent = `Sync failed: ${err.message}${err.code ? ` (${err.code})` : ""}`;
    this.result.className = "sync-result error";
  }
}
