"""Word documents for nämnd decisions: the kommun template (docxtpl) around a pandoc body."""
