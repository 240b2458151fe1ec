"""The secretary's editor: what writes her files (yamledit: values changed
in place, nothing else of the file touched)."""
