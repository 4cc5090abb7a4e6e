// An interview: who and where, its notes with their status, a form to write a
// note during the interview, and its members (the practitioner among them).
import { h, field, act, formValues, valueText } from "../dom.js";
import { recordFields, recordLinks, editFieldForm, membersPanel, canWrite } from "./record.js";
import { statusBadge } from "./note.js";

const FIELDS = [["practitioner", "Practitioner"], ["when", "When"], ["where", "Where"], ["status", "Status"]];

export function renderInterview(app, id) {
  const record = app.ck.get(id);
  const notes = app.ck.notes(id).filter((n) => !n.record.deleted);
  const caseId = valueText(record.fields.case);
  const writer = canWrite(app, id);
  return h("div", { class: "stack", "data-testid": "interview-view" },
    h("section", { class: "card" },
      h("p", { class: "crumbs" }, h("a", { href: "#/cases" }, "Cases"), caseId && visible(app, caseId)
        ? [" › ", h("a", { href: `#/case/${caseId}` }, valueText(app.ck.get(caseId).fields.title))] : null),
      h("h2", { "data-testid": "interview-heading" }, `Interview with ${valueText(record.fields.practitioner)}`),
      recordFields(record, FIELDS),
      recordLinks(record),
      writer ? editFieldForm(app, record, FIELDS) : null),
    h("section", { class: "card" },
      h("h2", {}, "Notes"),
      notes.length === 0 ? h("p", { class: "muted" }, "No notes yet.") :
        h("ul", { class: "list", "data-testid": "note-list" }, notes.map(noteItem)),
      writer ? writeNoteForm(app, id) : null),
    membersPanel(app, id, "practitioner"));
}

function visible(app, id) {
  try {
    app.ck.get(id);
    return true;
  } catch {
    return false;
  }
}

function noteItem(note) {
  const fields = note.record.fields;
  return h("li", {},
    h("a", { href: `#/note/${note.record.id}`, class: "row-link", "data-testid": "note-item" },
      fields.amends ? h("span", { class: "tag" }, "addendum") : null,
      h("strong", { "data-testid": "note-item-title" }, valueText(fields.title)), " ",
      statusBadge(note.status),
      h("span", { class: "muted" }, ` ${note.signatures.length} signature${note.signatures.length === 1 ? "" : "s"}`)));
}

function writeNoteForm(app, interview) {
  const form = h("form", { class: "form", "data-testid": "note-form" },
    h("h3", {}, "Write a note"),
    field("Title", h("input", { name: "title", required: true, "data-testid": "note-title" })),
    field("Note", h("textarea", { name: "body", required: true, rows: 8, "data-testid": "note-body" })),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", "data-testid": "note-save" }, "Save draft")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const id = await act([...form.elements], () => app.ck.addNote(interview, v.title, v.body));
    if (id) app.go(`#/note/${id}`);
  });
  return form;
}
