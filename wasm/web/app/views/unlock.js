// Unlocking the vault with its passphrase; a wrong one leaves it locked.
import { h, field, act, formValues } from "../dom.js";

export function renderUnlock(app) {
  const input = h("input", { name: "passphrase", type: "password", required: true, autofocus: true, "data-testid": "unlock-passphrase", autocomplete: "current-password" });
  const form = h("form", { class: "card form narrow", "data-testid": "unlock-form" },
    h("h2", {}, "Unlock casekeep"),
    h("p", { class: "muted" }, "The vault is locked. Enter your passphrase."),
    // For password managers: the passphrase belongs to this app's vault.
    h("input", { type: "text", name: "username", autocomplete: "username", value: "casekeep", hidden: true }),
    field("Passphrase", input),
    h("button", { type: "submit", class: "primary", "data-testid": "unlock-submit" }, "Unlock"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { passphrase } = formValues(form);
    const ok = await act([...form.elements], async () => (await app.ck.unlock(passphrase), true));
    if (ok) app.render();
    else input.select();
  });
  return form;
}
