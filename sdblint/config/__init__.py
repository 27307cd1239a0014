"""Configuration: settings from `[tool.sdblint]` (:mod:`.settings`), rule selection and
suppressions (:mod:`.selection`), and the errors that end a run with exit code 2 (:mod:`.errors`)."""
