// Enrolment: make this browser's vault (name, passphrase twice) and enrol it
// with the server using the operator's one-time code. If the vault exists but
// enrolment failed, only the server and code are asked for again.
import { h, field, act, formValues, showError } from "../dom.js";

export function renderEnrol(app) {
  const hasVault = app.status().exists;
  const form = h("form", { class: "card form", "data-testid": "enrol-form" },
    h("h2", {}, hasVault ? "Enrol this device" : "Set up casekeep on this device"),
    h("p", { class: "muted" }, hasVault
      ? "Your vault is ready. Enter the server and a one-time code from its operator."
      : "Your notes are kept encrypted on this device. The server's operator gives you a one-time code."),
    field("Server", h("input", { name: "server", type: "url", required: true, value: location.origin, "data-testid": "enrol-server", autocomplete: "url" })),
    field("One-time code", h("input", { name: "code", required: true, "data-testid": "enrol-code", autocomplete: "one-time-code", autocapitalize: "none", spellcheck: false })),
    hasVault ? null : field("Your name", h("input", { name: "name", required: true, "data-testid": "enrol-name", autocomplete: "username" })),
    hasVault ? null : field("Passphrase", h("input", { name: "passphrase", type: "password", required: true, minLength: 8, "data-testid": "enrol-passphrase", autocomplete: "new-password" })),
    hasVault ? null : field("Passphrase again", h("input", { name: "passphrase2", type: "password", required: true, "data-testid": "enrol-passphrase2", autocomplete: "new-password" })),
    h("button", { type: "submit", class: "primary", "data-testid": "enrol-submit" }, "Enrol"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    if (!hasVault && v.passphrase !== v.passphrase2) {
      showError(new Error("The two passphrases differ."));
      return;
    }
    const done = await act([...form.elements], async () => {
      if (!hasVault) await app.ck.create(v.passphrase, v.name);
      return app.ck.enroll(v.server, v.code);
    });
    if (done) app.go("#/cases");
    // A vault made before a refused code: ask for the server and a code only (the error stays).
    else if (app.status().exists !== hasVault) app.render();
  });
  return form;
}
