// The casekeep web app: opens the WebAssembly vault, keeps the sync bar
// current, routes between views by the URL's hash, syncs on demand and on
// reconnect, and locks after inactivity. Views render from the vault only;
// nothing of a record is kept anywhere else in the browser.
import { open } from "/casekeep.mjs";
import { h, showError, clearMessage } from "./dom.js";
import { SyncBar } from "./syncbar.js";
import { IdleLock } from "./idle.js";
import { resolveRoute } from "./routes.js";

class App {
  constructor(ck) {
    this.ck = ck;
    this.view = document.getElementById("view");
    this.nav = document.getElementById("nav");
    this.syncing = null;
    this.bar = new SyncBar(document.getElementById("sync-bar"), {
      onSync: () => this.sync({ auto: false }),
      onLock: () => this.lock(),
    });
    this.idle = new IdleLock(() => this.lock());
    addEventListener("hashchange", () => {
      clearMessage();
      this.render();
    });
    addEventListener("online", () => this.sync({ auto: true }));
  }

  status() {
    return this.ck.status();
  }

  /** Called by the module after every write and sync. */
  changed() {
    this.bar.update(this.status());
    this.showConflictCount();
  }

  go(hash) {
    if (location.hash === hash) this.render();
    else location.hash = hash;
  }

  /** Renders the view for the current state and hash. */
  render() {
    const status = this.status();
    this.bar.update(status);
    this.nav.hidden = !(status.unlocked && status.server);
    if (status.unlocked) this.idle.start();
    else this.idle.stop();
    this.showConflictCount();
    const { view, params } = resolveRoute(status, location.hash);
    let content;
    try {
      content = view(this, ...params);
    } catch (err) {
      showError(err);
      content = h("section", { class: "card" }, h("a", { href: "#/cases", class: "button" }, "Back to cases"));
    }
    this.view.replaceChildren(content);
    // Which view is on screen, for anyone waiting on a navigation (e.g. tests).
    const route = status.unlocked ? location.hash : "locked";
    if (document.body.dataset.route !== route) window.scrollTo(0, 0);
    document.body.dataset.route = route;
  }

  /** Re-renders after a sync brought news, unless the person is typing. */
  refreshAfterSync() {
    const dirty = [...this.view.querySelectorAll("input, textarea")].some(
      (c) => c.type !== "hidden" && c.type !== "checkbox" && c.value !== c.defaultValue);
    if (!dirty) return this.render();
    const notice = h("p", { class: "info", "data-testid": "news" }, "New changes arrived. ",
      h("button", { type: "button", onclick: () => { clearMessage(); this.render(); } }, "Show them"));
    document.getElementById("message").replaceChildren(notice);
    document.getElementById("message").hidden = false;
  }

  showConflictCount() {
    const badge = document.getElementById("conflict-count");
    let count = 0;
    try {
      if (this.status().unlocked) count = this.ck.conflicts().length;
    } catch {
      count = 0;
    }
    badge.textContent = String(count);
    badge.hidden = count === 0;
  }

  /** One sync at a time; an automatic one (on reconnect) reports only in the bar. */
  sync({ auto }) {
    const status = this.status();
    if (!status.unlocked || !status.server || (auto && !navigator.onLine)) return Promise.resolve();
    if (this.syncing) return this.syncing;
    this.bar.setBusy(true);
    if (!auto) clearMessage();
    this.syncing = this.ck.sync().then(
      (summary) => {
        this.bar.showSummary(summary);
        this.refreshAfterSync();
      },
      (err) => {
        this.bar.showFailure(err);
        if (!auto) showError(err);
      }).finally(() => {
      this.syncing = null;
      this.bar.setBusy(false);
      this.bar.update(this.status());
    });
    return this.syncing;
  }

  lock() {
    this.idle.stop();
    this.ck.lock();
    clearMessage();
    this.view.replaceChildren();
    this.render();
  }
}

async function registerServiceWorker(bar) {
  if (!("serviceWorker" in navigator)) return bar.setOfflineReady(false, true);
  const controlled = () => bar.setOfflineReady(Boolean(navigator.serviceWorker.controller));
  navigator.serviceWorker.addEventListener("controllerchange", controlled);
  controlled();
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch (err) {
    bar.setOfflineReady(false, true);
    console.warn("The service worker could not be registered:", err);
  }
}

async function start() {
  let app = null;
  let ck;
  try {
    ck = await open({ onChange: () => app && app.changed() });
  } catch (err) {
    document.getElementById("view").replaceChildren(
      h("section", { class: "card" }, h("h2", {}, "casekeep cannot start in this browser")));
    showError(err);
    return;
  }
  app = new App(ck);
  // Reachable from the console and the browser tests; it lives in this page only.
  window.casekeepApp = app;
  registerServiceWorker(app.bar);
  app.render();
}

start();
