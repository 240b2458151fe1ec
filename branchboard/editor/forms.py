"""Forms made from the data schemas, and the changes a submitted form makes:
the editor's one door to them, in three parts.

    datafile   a data file read with its schema, and the entries its page lists
    widgets    one entry's form: a Widget per value, grouped as the schema is
    newentry   a new entry's form, the item it makes, where in its list it goes
    formops    the buttons that change the form itself: rows added, removed, moved
    submitted  the values a form sends, the changes they make, the checks before saving

    site_info(site_dir), data_files(info), open_data(info, name, schema)
    entries(data), entry_lists(data), has_entry(data, at), is_list(data, at)
    form_for(data, at, info)       the entry's form
    new_form(data, list_at, info, rows, now)   an empty form for a new item of a list
    place_for(data, list_at, values, path)     where the new item goes (its date's place)
    submitted(group, form)         the values sent
    changes_from(data, group, values)   {path as the file writes it: new value}, only what differs
    new_item(data, group, values)  (the list's path as the file writes it, the item to append)
    new_problems(...), place_problems(...)   the build's checks on the text about to be saved
"""

from __future__ import annotations

from branchboard.editor.datafile import (DataFile, Entry, SiteInfo, at_text, data_files, entries, entry_lists,
                                         entry_of, entry_title, has_entry, is_list, open_data, parse_at, parsed,
                                         site_info, value_at)
from branchboard.editor.formops import FormState, apply, parsed_op, state_of
from branchboard.editor.newentry import new_form, new_item, place_for
from branchboard.editor.submitted import (FormValues, changes_from, new_problems, place_problems, ref_problems,
                                          shown_values, submitted)
from branchboard.editor.widgets import Group, Widget, form_for, item_label, widgets

__all__ = ["DataFile", "Entry", "FormState", "FormValues", "Group", "SiteInfo", "Widget", "apply", "at_text",
           "changes_from", "data_files", "entries", "entry_lists", "entry_of", "entry_title", "form_for",
           "has_entry", "is_list", "item_label", "new_form", "new_item", "new_problems", "open_data", "parse_at",
           "parsed", "parsed_op", "place_for", "place_problems", "ref_problems", "shown_values", "site_info",
           "state_of", "submitted", "value_at", "widgets"]
