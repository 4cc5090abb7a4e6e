// Open conflicts: each field that two people changed while apart, with every
// competing value side by side (who, when), a button to keep one, or a new value.
import { h, field, act, formValues, valueText, when } from "../dom.js";
import { memberName } from "./record.js";

const TYPE_TEXT = { case: "Case", interview: "Interview", note: "Note", member: "Member", evidence: "Evidence" };

export function renderConflicts(app) {
  const conflicts = app.ck.conflicts();
  return h("div", { class: "stack", "data-testid": "conflicts-view" },
    h("section", { class: "card" },
      h("h2", {}, "Conflicts"),
      conflicts.length === 0
        ? h("p", { class: "muted", "data-testid": "no-conflicts" }, "No open conflicts.")
        : h("p", { class: "muted" }, "These fields were changed on two devices while apart. Both values are kept until you choose one.")),
    conflicts.map((c) => conflictCard(app, c)));
}

function recordLabel(app, c) {
  try {
    const fields = app.ck.get(c.record).fields;
    // A case by its reference: its title may be the field in conflict.
    return valueText(fields.reference || fields.title || fields.practitioner || fields.name) || c.type;
  } catch {
    return c.type;
  }
}

function recordLink(c) {
  return c.type === "case" || c.type === "interview" || c.type === "note" ? `#/${c.type}/${c.record}` : `#/history/${c.record}`;
}

function conflictCard(app, c) {
  const keep = async (button, value) => {
    const ok = await act(button, async () => (await app.ck.resolve(c.record, c.field, value), true));
    if (ok) app.render();
  };
  const form = h("form", { class: "form inline", "data-testid": "resolve-form" },
    field("Or a new value", h("input", { name: "value", required: true, "data-testid": "resolve-value" })),
    h("button", { type: "submit", "data-testid": "resolve-save" }, "Use this value"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    keep([...form.elements], formValues(form).value);
  });
  return h("section", { class: "card conflict", "data-testid": "conflict", "data-record": c.record, "data-field": c.field },
    h("h3", {}, h("a", { href: recordLink(c) }, `${TYPE_TEXT[c.type] || c.type} ${recordLabel(app, c)}`), ": ",
      h("span", { "data-testid": "conflict-field" }, c.field)),
    h("div", { class: "heads" }, c.heads.map((head) => {
      const button = h("button", { type: "button", class: "primary", "data-testid": "keep-head" }, "Keep this");
      button.addEventListener("click", () => keep(button, head.value));
      return h("div", { class: "head", "data-testid": "head" },
        h("div", { class: "head-value", "data-testid": "head-value" }, valueText(head.value)),
        h("p", { class: "muted", "data-testid": "head-author" }, `${memberName(app, c.space, head.author)} · ${when(head.hlc)}`),
        button);
    })),
    form);
}
