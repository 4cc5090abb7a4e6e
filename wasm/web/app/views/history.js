// The history of one record: every change, when, by whom, from which device.
import { h, valueText, when, shortId } from "../dom.js";

export function renderHistory(app, id) {
  const record = app.ck.get(id);
  const entries = app.ck.history(id);
  const back = record.type === "case" || record.type === "interview" || record.type === "note" ? `#/${record.type}/${id}` : "#/cases";
  return h("section", { class: "card", "data-testid": "history-view" },
    h("p", { class: "crumbs" }, h("a", { href: back }, `Back to the ${record.type}`)),
    h("h2", {}, `History of this ${record.type}`),
    h("p", { class: "muted" }, "Nothing is erased: every change stays, signed by its author."),
    h("div", { class: "table-wrap" }, h("table", { class: "history" },
      h("thead", {}, h("tr", {}, ["When", "Who", "Device", "Change", "Field", "Value"].map((t) => h("th", {}, t)))),
      h("tbody", {}, entries.map((e) => h("tr", { "data-testid": "history-entry" },
        h("td", {}, when(e.hlc)), h("td", {}, e.author_name || shortId(e.author)), h("td", {}, h("code", {}, shortId(e.device))),
        h("td", {}, e.kind), h("td", {}, e.field), h("td", { class: "value" }, valueText(e.value))))))));
}
