// Cases, interviews, members, notes and generic record edits: thin mappings
// from JSON arguments to the vault's calls, and views back to JSON.
#include "api.hpp"

#include <set>

#include "casekeep/error.hpp"
#include "casekeep/records_json.hpp"

namespace casekeep::js {

void Api::add_record_methods() {
  methods_["create_case"] = [this](const json& args) {
    CaseInput input;
    input.kind = text_arg(args, "kind");
    input.reference = text_arg(args, "reference");
    input.title = text_arg(args, "title");
    input.lscb = optional_text_arg(args, "lscb");
    input.second_lscb = optional_text_arg(args, "second_lscb");
    input.parent = optional_text_arg(args, "parent");
    if (args.contains("status")) input.status = text_arg(args, "status");
    return json(vault().create_case(input));
  };
  methods_["cases"] = [this](const json&) { return json(vault().list("case")); };
  methods_["get"] = [this](const json& args) { return json(vault().get(text_arg(args, "id"))); };
  methods_["create_interview"] = [this](const json& args) {
    InterviewInput input;
    input.case_id = text_arg(args, "case");
    input.practitioner = text_arg(args, "practitioner");
    input.when = optional_text_arg(args, "when");
    input.where = optional_text_arg(args, "where");
    return json(vault().create_interview(input));
  };
  methods_["interviews"] = [this](const json& args) { return json(vault().interviews_of(text_arg(args, "case"))); };
  methods_["all_interviews"] = [this](const json&) { return json(vault().list("interview")); };
  methods_["members"] = [this](const json& args) { return json(vault().list("member", text_arg(args, "space"))); };
  methods_["set_field"] = [this](const json& args) {
    vault().set_field(text_arg(args, "record"), text_arg(args, "field"), args.at("value"));
    return json(nullptr);
  };
  methods_["resolve"] = [this](const json& args) {
    vault().resolve(text_arg(args, "record"), text_arg(args, "field"), args.at("value"));
    return json(nullptr);
  };
  methods_["history"] = [this](const json& args) { return json(vault().history(text_arg(args, "record"))); };
  methods_["conflicts"] = [this](const json& args) { return json(vault().conflicts(optional_text_arg(args, "space"))); };
}

void Api::add_note_methods() {
  methods_["add_note"] = [this](const json& args) {
    return json(vault().add_note(text_arg(args, "interview"), text_arg(args, "title"), text_arg(args, "body")));
  };
  methods_["add_notes"] = [this](const json& args) {  // many notes, one transaction, one flush
    std::vector<NoteDraft> notes;
    for (const json& note : args.at("notes")) notes.push_back({text_arg(note, "title"), text_arg(note, "body")});
    return json(vault().add_notes(text_arg(args, "interview"), notes));
  };
  methods_["edit_note"] = [this](const json& args) {
    std::optional<std::string> title, body;
    if (args.contains("title")) title = text_arg(args, "title");
    if (args.contains("body")) body = text_arg(args, "body");
    vault().edit_note(text_arg(args, "note"), title, body);
    return json(nullptr);
  };
  methods_["sign_note"] = [this](const json& args) {
    vault().sign_note(text_arg(args, "note"));
    return json(nullptr);
  };
  methods_["agree_note"] = [this](const json& args) {
    vault().agree_note(text_arg(args, "note"));
    return json(nullptr);
  };
  methods_["dispute_note"] = [this](const json& args) {
    vault().dispute_note(text_arg(args, "note"), text_arg(args, "comment"));
    return json(nullptr);
  };
  methods_["add_addendum"] = [this](const json& args) {
    return json(vault().add_addendum(text_arg(args, "note"), text_arg(args, "title"), text_arg(args, "body")));
  };
  // Several record writes in one transaction (and, in the browser, one flush);
  // each keeps its own changeset. All are written, or none is.
  methods_["batch"] = [this](const json& args) {
    static const std::set<std::string> writes = {
        "create_case", "create_interview", "set_field", "resolve", "add_note", "add_notes",
        "edit_note", "sign_note", "agree_note", "dispute_note", "add_addendum"};
    const json& calls = args.at("calls");
    if (!calls.is_array()) throw Error(ErrorCode::invalid_argument, "'calls' must be a list of {method, args}.");
    for (const json& c : calls)
      if (!writes.count(text_arg(c, "method")))
        throw Error(ErrorCode::invalid_argument, "'" + text_arg(c, "method") + "' cannot be part of a batch: only record writes can.");
    json results = json::array();
    vault().write_batch([&] {
      for (const json& c : calls) results.push_back(call_json(text_arg(c, "method"), c.value("args", json::object())));
    });
    return results;
  };
  methods_["note"] = [this](const json& args) { return json(vault().note(text_arg(args, "id"))); };
  methods_["notes"] = [this](const json& args) { return json(vault().notes_of(text_arg(args, "interview"))); };
}

}  // namespace casekeep::js
