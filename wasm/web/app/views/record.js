// Parts shared by the case and interview pages: a record's fields (with a mark
// on any field in conflict), a form to change one field, links to its history
// and conflicts, and the space's members with a form to add one.
import { h, field, act, formValues, valueText, shortId } from "../dom.js";

const MANAGERS = ["lead_reviewer", "imr_author", "hor_author"];
const READERS = ["practitioner", "observer"];
const ROLES = ["practitioner", "note_taker", "supporting_manager", "lead_reviewer", "imr_author", "hor_author",
  "director", "chief_executive", "observer"];

/** fields: [[name, label], ...] in the order to show. */
export function recordFields(record, fields) {
  return h("dl", { class: "fields", "data-testid": "record-fields" },
    fields.map(([name, label]) => [
      h("dt", {}, label),
      h("dd", { "data-testid": `field-${name}` }, valueText(record.fields[name]) || "—",
        record.conflicts[name] ? h("a", { href: "#/conflicts", class: "tag warn", "data-testid": `conflict-${name}` }, "conflict") : null),
    ]));
}

export function recordLinks(record) {
  const conflicted = Object.keys(record.conflicts).length;
  return h("p", { class: "links" },
    h("a", { href: `#/history/${record.id}`, class: "button", "data-testid": "history-link" }, "History"),
    conflicted ? h("a", { href: "#/conflicts", class: "button warn", "data-testid": "conflicts-link" }, `Resolve ${conflicted} conflict${conflicted > 1 ? "s" : ""}`) : null);
}

/** A form to set one of the record's fields to a new text value. */
export function editFieldForm(app, record, fields) {
  const form = h("form", { class: "form inline", "data-testid": "edit-field-form" },
    field("Field", h("select", { name: "field", "data-testid": "edit-field-name" },
      fields.map(([name, label]) => h("option", { value: name }, label)))),
    field("New value", h("input", { name: "value", required: true, "data-testid": "edit-field-value" })),
    h("button", { type: "submit", "data-testid": "edit-field-save" }, "Save"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const ok = await act([...form.elements], async () => (await app.ck.setField(record.id, v.field, v.value), true));
    if (ok) app.render();
  });
  return h("details", { class: "edit" }, h("summary", { "data-testid": "edit-field-open" }, "Change a field"), form);
}

/** This person's current roles in a space (none if they are not a member). */
export function myRoles(app, space) {
  const me = app.ck.identity().user;
  return app.ck.members(space).filter((m) => !m.deleted && m.fields.user === me).map((m) => valueText(m.fields.role));
}

/** Whether this person may write records in the space (every role but practitioner and observer). */
export function canWrite(app, space) {
  return myRoles(app, space).some((role) => !READERS.includes(role));
}

export function membersPanel(app, space, defaultRole) {
  const members = app.ck.members(space);
  const manager = myRoles(app, space).some((role) => MANAGERS.includes(role));
  const form = h("form", { class: "form inline", "data-testid": "member-form" },
    field("Name or user id", h("input", { name: "user", required: true, "data-testid": "member-user" })),
    field("Role", h("select", { name: "role", "data-testid": "member-role" },
      ROLES.map((role) => h("option", { value: role, selected: role === defaultRole }, role.replaceAll("_", " "))))),
    h("button", { type: "submit", "data-testid": "member-add" }, "Add member"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const ok = await act([...form.elements], async () => (await app.ck.addMember(space, v.user, v.role), true));
    if (ok) app.render();
  });
  return h("section", { class: "card" },
    h("h2", {}, "Members"),
    h("ul", { class: "list", "data-testid": "member-list" }, members.map((m) =>
      h("li", { class: m.deleted ? "removed" : "", "data-testid": "member-item" },
        h("strong", {}, valueText(m.fields.name) || shortId(m.fields.user)), " ",
        h("span", { class: "tag" }, valueText(m.fields.role).replaceAll("_", " ")),
        m.deleted ? h("span", { class: "muted" }, ` removed: ${m.deleted_reason}`) : null))),
    manager ? [h("p", { class: "muted" }, "Adding someone needs the network: their card comes from the server's directory."), form] : null);
}

/** The name a space's members know a user id by, or a short id. */
export function memberName(app, space, user) {
  try {
    const found = app.ck.members(space).find((m) => m.fields.user === user);
    if (found && found.fields.name) return valueText(found.fields.name);
  } catch {
    // an unknown space: fall back to the id
  }
  return user === app.ck.identity().user ? app.ck.identity().name : shortId(user);
}
