// A case: its fields, its interviews (and a form to plan one), its members.
import { h, field, act, formValues, valueText } from "../dom.js";
import { recordFields, recordLinks, editFieldForm, membersPanel, canWrite } from "./record.js";
import { interviewItem } from "./cases.js";

const FIELDS = [["reference", "Reference"], ["title", "Title"], ["kind", "Kind"], ["status", "Status"],
  ["lscb", "LSCB"], ["second_lscb", "Second LSCB"]];
const EDITABLE = FIELDS.filter(([name]) => name !== "kind");

export function renderCase(app, id) {
  const record = app.ck.get(id);
  const interviews = app.ck.interviews(id).filter((i) => !i.deleted);
  return h("div", { class: "stack", "data-testid": "case-view" },
    h("section", { class: "card" },
      h("p", { class: "crumbs" }, h("a", { href: "#/cases" }, "Cases")),
      h("h2", { "data-testid": "case-heading" }, valueText(record.fields.title)),
      recordFields(record, FIELDS),
      recordLinks(record),
      canWrite(app, id) ? editFieldForm(app, record, EDITABLE) : null),
    h("section", { class: "card" },
      h("h2", {}, "Interviews"),
      interviews.length === 0 ? h("p", { class: "muted" }, "No interviews yet.") :
        h("ul", { class: "list", "data-testid": "interview-list" }, interviews.map(interviewItem)),
      canWrite(app, id) ? newInterviewForm(app, id) : null),
    membersPanel(app, id, "lead_reviewer"));
}

function newInterviewForm(app, caseId) {
  const form = h("form", { class: "form", "data-testid": "interview-form" },
    h("h3", {}, "Plan an interview"),
    field("Practitioner", h("input", { name: "practitioner", required: true, "data-testid": "interview-practitioner" })),
    field("When", h("input", { name: "when", type: "datetime-local", "data-testid": "interview-when" })),
    field("Where", h("input", { name: "where", "data-testid": "interview-where" })),
    h("button", { type: "submit", class: "primary", "data-testid": "interview-create" }, "Create interview"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const input = { case: caseId, practitioner: v.practitioner };
    if (v.when) input.when = v.when;
    if (v.where) input.where = v.where;
    const id = await act([...form.elements], () => app.ck.createInterview(input));
    if (id) app.go(`#/interview/${id}`);
  });
  return form;
}
