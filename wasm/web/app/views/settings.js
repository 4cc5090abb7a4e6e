// Who this device is, where it syncs, how soon it locks, and a check of the
// whole vault (every changeset and signature).
import { h, field, act, showInfo, shortId } from "../dom.js";
import { lockMinutes, setLockMinutes } from "../idle.js";

export function renderSettings(app) {
  const me = app.ck.identity();
  const status = app.status();
  const minutes = h("input", { name: "minutes", type: "number", min: 1, max: 120, step: 1, value: String(lockMinutes()), "data-testid": "lock-minutes" });
  const form = h("form", { class: "form inline" }, field("Lock after this many minutes without use", minutes),
    h("button", { type: "submit", "data-testid": "lock-minutes-save" }, "Save"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = Number(minutes.value);
    if (value >= 1) {
      setLockMinutes(value);
      app.idle.start();
      showInfo(`casekeep now locks after ${value} minute${value === 1 ? "" : "s"} without use.`);
    }
  });
  const verify = h("button", { type: "button", "data-testid": "verify" }, "Verify the vault");
  const result = h("div", { "data-testid": "verify-result" });
  verify.addEventListener("click", () => act(verify, async () => {
    const problems = app.ck.verify();
    result.replaceChildren(problems.length === 0 ? h("p", { class: "ok" }, "Every changeset and signature checks out.")
      : h("ul", { class: "list" }, problems.map((p) => h("li", { class: "error" }, `${p.subject}: ${p.message}`))));
  }));
  return h("div", { class: "stack", "data-testid": "settings-view" },
    h("section", { class: "card" },
      h("h2", {}, "This device"),
      h("dl", { class: "fields" },
        h("dt", {}, "Name"), h("dd", { "data-testid": "identity-name" }, me.name),
        h("dt", {}, "User"), h("dd", {}, h("code", {}, me.user)),
        h("dt", {}, "Device"), h("dd", {}, h("code", {}, shortId(me.device))),
        h("dt", {}, "Server"), h("dd", {}, status.server),
        h("dt", {}, "Storage"), h("dd", {}, status.persisted ? "persistent" : "may be cleared by the browser when space runs low"))),
    h("section", { class: "card" }, h("h2", {}, "Locking"), form),
    h("section", { class: "card" }, h("h2", {}, "Integrity"), verify, result));
}
