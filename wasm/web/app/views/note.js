// A note: its content, status and signatures, and what this person may do
// next: edit and sign a draft; as the practitioner, agree or dispute a signed
// note; add an addendum to a signed one (a signed note is never changed).
import { h, field, act, formValues, valueText, when } from "../dom.js";
import { myRoles, canWrite } from "./record.js";

const STATUS_TEXT = { draft: "draft", signed: "signed", agreed: "agreed", disputed: "disputed", needs_review: "needs review" };
const KIND_TEXT = { signed: "Signed by", agreed: "Agreed by", disputed: "Disputed by" };

export function statusBadge(status) {
  return h("span", { class: `badge ${status}`, "data-testid": "note-status" }, STATUS_TEXT[status] || status);
}

export function renderNote(app, id) {
  const note = app.ck.note(id);
  const record = note.record;
  const interview = valueText(record.fields.interview);
  const me = app.ck.identity().user;
  const practitioner = myRoles(app, interview).includes("practitioner");
  const writer = canWrite(app, interview);
  const countersigned = note.signatures.some((s) => s.signer === me && s.kind !== "signed");
  return h("div", { class: "stack", "data-testid": "note-view" },
    h("article", { class: "card note" },
      h("p", { class: "crumbs" }, h("a", { href: `#/interview/${interview}`, "data-testid": "back-to-interview" }, interviewTitle(app, interview)),
        record.fields.amends ? [" › ", h("a", { href: `#/note/${valueText(record.fields.amends)}` }, "Addendum to a note")] : null),
      h("header", { class: "note-head", "data-testid": "note-header" },
        h("h2", { "data-testid": "note-heading" }, valueText(record.fields.title)), statusBadge(note.status)),
      h("p", { class: "muted" }, `Written ${when(record.created_hlc)}`),
      h("div", { class: "note-body", "data-testid": "note-content" }, valueText(record.fields.body)),
      note.status === "needs_review" ? needsReview(note) : null,
      h("p", { class: "links" }, h("a", { href: `#/history/${record.id}`, class: "button", "data-testid": "history-link" }, "History"))),
    signaturesPanel(note),
    note.addenda.length ? addendaPanel(app, note) : null,
    actionsPanel(app, note, { practitioner, writer, countersigned }));
}

function interviewTitle(app, interview) {
  try {
    return `Interview with ${valueText(app.ck.get(interview).fields.practitioner)}`;
  } catch {
    return "Interview";
  }
}

function needsReview(note) {
  return h("div", { class: "notice warn", "data-testid": "needs-review" },
    h("p", {}, "This note changed beside a signature, or has a conflict. Resolve it before signing again."),
    note.signed_content ? h("div", {},
      h("h3", {}, "What was signed"),
      h("p", {}, h("strong", {}, note.signed_content.title)),
      h("div", { class: "note-body" }, note.signed_content.body)) : null,
    h("a", { href: "#/conflicts", class: "button" }, "Conflicts"));
}

function signaturesPanel(note) {
  return h("section", { class: "card" },
    h("h2", {}, "Signatures"),
    note.signatures.length === 0 ? h("p", { class: "muted", "data-testid": "no-signatures" }, "Not signed yet.") :
      h("ul", { class: "list signatures", "data-testid": "signature-list" }, note.signatures.map((s) =>
        h("li", { "data-testid": "signature", "data-kind": s.kind },
          h("span", {}, `${KIND_TEXT[s.kind] || s.kind} `), h("strong", { "data-testid": "signature-signer" }, s.signer_name), " ",
          h("span", { class: "muted" }, when(s.hlc)), " ",
          h("span", { class: `tag ${s.valid ? "ok" : "bad"}`, "data-testid": "signature-valid" }, s.valid ? "valid" : "INVALID signature"), " ",
          h("span", { class: `tag ${s.current ? "" : "warn"}`, "data-testid": "signature-current" }, s.current ? "this version" : "an earlier version"),
          s.comment ? h("blockquote", { "data-testid": "signature-comment" }, s.comment) : null))));
}

function addendaPanel(app, note) {
  return h("section", { class: "card" },
    h("h2", {}, "Addenda"),
    h("ul", { class: "list", "data-testid": "addenda" }, note.addenda.map((id) => {
      let title = id.slice(0, 8);
      try {
        title = valueText(app.ck.note(id).record.fields.title);
      } catch {
        // not here yet: show the id
      }
      return h("li", {}, h("a", { href: `#/note/${id}`, class: "row-link" }, title));
    })));
}

function actionsPanel(app, note, { practitioner, writer, countersigned }) {
  const id = note.record.id;
  const run = (button, action) => async () => {
    const ok = await act(button, async () => (await action(), true));
    if (ok) app.render();
  };
  const parts = [];
  if (note.status === "draft" && writer) {
    const sign = h("button", { type: "button", class: "primary", "data-testid": "note-sign" }, "Sign");
    sign.addEventListener("click", run(sign, () => app.ck.signNote(id)));
    parts.push(h("p", { class: "muted" }, "Signing freezes the title and text; later changes go in an addendum."), sign, editForm(app, note));
  }
  if (note.status === "signed" && practitioner && !countersigned) {
    const agree = h("button", { type: "button", class: "primary", "data-testid": "note-agree" }, "Agree and sign");
    agree.addEventListener("click", run(agree, () => app.ck.agreeNote(id)));
    parts.push(h("p", {}, "Read the note. If it is accurate, agree and sign it; if not, dispute it and say why."), agree, disputeForm(app, id));
  }
  if (note.status !== "draft" && note.status !== "needs_review" && writer && !note.record.fields.amends) {
    parts.push(addendumForm(app, id));
  }
  return parts.length ? h("section", { class: "card", "data-testid": "note-actions" }, h("h2", {}, "Actions"), parts) : null;
}

function editForm(app, note) {
  const form = h("form", { class: "form", "data-testid": "note-edit-form" },
    field("Title", h("input", { name: "title", required: true, value: valueText(note.record.fields.title), "data-testid": "note-edit-title" })),
    field("Note", h("textarea", { name: "body", required: true, rows: 8, value: valueText(note.record.fields.body), "data-testid": "note-edit-body" })),
    h("button", { type: "submit", "data-testid": "note-edit-save" }, "Save changes"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const ok = await act([...form.elements], async () => (await app.ck.editNote(note.record.id, { title: v.title, body: v.body }), true));
    if (ok) app.render();
  });
  return h("details", { class: "edit" }, h("summary", { "data-testid": "note-edit-open" }, "Edit the draft"), form);
}

function disputeForm(app, id) {
  const form = h("form", { class: "form", "data-testid": "dispute-form" },
    field("What is wrong", h("textarea", { name: "comment", required: true, rows: 4, "data-testid": "dispute-comment" })),
    h("button", { type: "submit", class: "danger", "data-testid": "note-dispute" }, "Dispute"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const ok = await act([...form.elements], async () => (await app.ck.disputeNote(id, v.comment), true));
    if (ok) app.render();
  });
  return form;
}

function addendumForm(app, id) {
  const form = h("form", { class: "form", "data-testid": "addendum-form" },
    field("Title", h("input", { name: "title", required: true, value: "Addendum", "data-testid": "addendum-title" })),
    field("Addendum", h("textarea", { name: "body", required: true, rows: 5, "data-testid": "addendum-body" })),
    h("button", { type: "submit", "data-testid": "addendum-save" }, "Add addendum"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const added = await act([...form.elements], () => app.ck.addAddendum(id, v.title, v.body));
    if (added) app.go(`#/note/${added}`);
  });
  return h("details", { class: "edit" }, h("summary", { "data-testid": "addendum-open" }, "Add an addendum"), form);
}
